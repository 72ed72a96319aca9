"""The help screen (? or F1): the screens, their keys, and what each role may do."""

from __future__ import annotations

from typing import ClassVar

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.widgets import Static

from wgtool.tui.screens.base import WgModal

SECTIONS: list[tuple[str, list[tuple[str, str]]]] = [
    (
        "Everywhere",
        [
            ("? / F1", "this help"),
            ("ctrl+p", "command palette: what you may do here, by name"),
            ("escape", "back to the previous screen, or cancel a dialog"),
            ("i", "your inbox: what changed since you last looked"),
            ("F2", "demo only: act as another member of the roster"),
            ("ctrl+q", "quit"),
        ],
    ),
    (
        "Lists and tables",
        [
            ("↑ ↓ j k", "the previous / next row"),
            ("home g", "the first row; end G: the last row"),
            ("enter", "open the highlighted row"),
            ("", "screens read the record again on their own when it changes (a sync, the CLI)"),
        ],
    ),
    (
        "Drafts",
        [
            ("enter", "read the highlighted draft"),
            ("a", "the amendments to it"),
            ("v", "its consensus versions and redlines"),
            ("s", "sync with a remote"),
            ("n", "secretariat: add a draft from a Markdown file"),
        ],
    ),
    (
        "A draft",
        [
            ("↑ ↓", "move between paragraphs (the number of open amendments is beside each)"),
            ("p", "propose an amendment: replace, insert after, or delete the paragraph"),
            ("enter", "the amendments to the highlighted paragraph"),
            ("a / v", "all amendments to the draft / its versions"),
            ("w", "who wrote it: each word in the colour of its stakeholder group; again: plain"),
            ("l", "languages: the draft beside its translation, stale paragraphs marked"),
            ("", "comments on a paragraph show under it (› and ↳ for replies); ctrl+p adds one"),
        ],
    ),
    (
        "Proposing or revising",
        [
            ("ctrl+s", "review the word diff; ctrl+s again sends it"),
            ("ctrl+o", "write the focused text in $EDITOR"),
            ("tab", "the next field (shift+tab: the previous one): text, rationale, title"),
            ("ctrl+a", "select all the text of the field (also F7); home: start of the line"),
            ("ctrl+x c v", "cut, copy, paste; ctrl+z / ctrl+y: undo / redo"),
            ("ctrl+k", "delete to the end of the line; ctrl+u: to its start"),
        ],
    ),
    (
        "Amendment queue",
        [
            ("enter", "open the highlighted amendment"),
            ("/", "search titles, rationales, ids and proposers"),
            ("s / r", "sort by the next column / reverse (or click a column header)"),
            (
                "o",
                "the order of consideration: by paragraph; deletions, replacements, then "
                "insertions; the furthest from the text first (as wgtool order)",
            ),
            ("c", "clear the filters"),
            (
                "",
                "consensus: ✓ reached, ✗ a group objects, … pending; then how many groups "
                "support (S), do not object (N), object (O), are not heard (?)",
            ),
            ("", "lapsed: open, but its paragraph is no longer in the draft (cannot be merged)"),
            ("", "reverted: merged, then taken out of the draft again by the chair"),
            ("", "↳ to 1a2b: a sub-amendment, listed under the amendment it amends"),
        ],
    ),
    (
        "An amendment",
        [
            ("p", "take or change your position"),
            ("c / r", "comment / reply to a comment"),
            ("e / w", "revise / withdraw (your own, while open)"),
            ("m", "chair: merge — as proposed, or as orally revised (ctrl+r)"),
            ("x", "chair: reject with a reason"),
            ("u", "chair: revert a merged amendment, with a reason"),
            ("a", "amend the amendment: propose a change to its text (a sub-amendment)"),
            ("y / m", "accept a sub-amendment into your amendment / chair: merge it into it"),
        ],
    ),
    (
        "Merging",
        [
            ("ctrl+s", "review what the merge changes; ctrl+s again merges"),
            ("ctrl+r", "edit the amendment's text first (as orally revised)"),
            ("", "without consensus, merging asks for your reason (recorded with the merge)"),
            ("", "on a conflict, edit only the conflicting paragraphs, then review and merge"),
        ],
    ),
    (
        "Inbox",
        [
            ("enter", "open the highlighted amendment"),
            ("n / m / e", "only what needs your position / only yours / every amendment"),
            ("x", "mark what is shown as seen (leaving the inbox does too)"),
        ],
    ),
    (
        "Agreement (in the palette, ctrl+p)",
        [
            (
                "",
                "the margin says how far each paragraph is agreed: agreed, ad ref, or changed "
                "(agreed, then changed by a merge: open again); [words] in reverse are in square "
                "brackets: not agreed",
            ),
            (
                "",
                "chair: bracket words of the highlighted paragraph, lift a bracket, agree the "
                "paragraph (or ad referendum, pending on someone), reopen it",
            ),
            (
                "",
                "anyone: comment on the paragraph; co-sponsor another member's amendment; "
                "propose an alternative text for its passage; break a silence before its deadline",
            ),
            (
                "",
                "chair or secretariat: put an amendment or the draft under silence; chair: "
                "conclude a silence that ended unbroken",
            ),
            ("", "secretariat: open or close the amendment window; renumber (7bis becomes 8)"),
        ],
    ),
    (
        "Silence procedures",
        [
            ("b", "break the highlighted silence (an objection from your group)"),
            ("c", "chair: conclude it once its deadline passed unbroken"),
        ],
    ),
    (
        "Versions",
        [
            ("enter", "redline from the highlighted version to the current text"),
            ("d", "redline from the highlighted version, then choose any two"),
            ("", "the redline names each paragraph by its label and who changed it"),
            ("c", "in a redline: only the paragraphs that changed, or the whole text"),
            ("n", "beside a translation: the next language"),
            ("t", "secretariat: tag the current text as a consensus version"),
        ],
    ),
]

SECTIONS.append(
    (
        "The secretariat's desk (ctrl+p: Roster, Settings, Add a draft, Tag a version)",
        [
            ("Roster", "members by stakeholder group, their roles and keys"),
            ("n / s", "in the roster: add a member / record the highlighted one's SSH key"),
            (
                "Settings",
                "the consensus rule (groups supporting, objecting, all heard), signatures",
            ),
            (
                "",
                "names of drafts and handles: lowercase letters, digits and dashes; versions: "
                "letters, digits, '.', '_' and '-', no spaces (e.g. v1, second-reading)",
            ),
            ("", "a dialog closes only once its change is written: a refusal keeps what you typed"),
        ],
    )
)

ROLES = (
    "Every member proposes, comments and takes positions; only the proposer revises or "
    "withdraws an amendment. The chair merges, rejects and reverts; the secretariat tags "
    "versions. A merge needs the working group's consensus rule to hold (by default: at least "
    "one group supports, not counting the proposer's own position, and none objects), or the "
    "chair's reason. "
    "Keys for what your roles do not allow are hidden, and pressing one says why.\n\n"
    "Diffs read [-deleted-] {+inserted+}: struck through and highlighted in colour, the markers "
    "stay when colour is off (NO_COLOR)."
)


def help_text() -> Group:
    """Every section's keys in two columns (descriptions wrap under themselves), then roles."""
    parts: list[Table | Text] = []
    for title, keys in SECTIONS:
        parts.append(Text(title, "bold underline"))
        table = Table.grid(padding=(0, 2, 0, 2))
        table.add_column(width=8, no_wrap=True, style="bold")
        table.add_column(ratio=1)
        for key, description in keys:
            table.add_row(key, description)
        parts.append(table)
        parts.append(Text(""))
    parts.append(Text("Roles", "bold underline"))
    parts.append(Text(ROLES))
    return Group(*parts)


class HelpScreen(WgModal[None]):
    """Keys of every screen, and the roles."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f1,question_mark,q", "cancel", "Close", id="close-help", tooltip="Close help"),
    ]

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="help-dialog"):
            yield Static(Text("wgtool help", "bold"), classes="dialog-title")
            with VerticalScroll(id="help-body"):
                yield Static(help_text())
