"""The palette's agreement entries that several screens share: what the chair and the
secretariat say of a paragraph (brackets, status), of a draft (silence, the window, renumbering)
and of an amendment (co-sponsors, silence).

The reader offers the paragraph and draft entries, the amendment screen the amendment's; each
asks its questions in the fields dialog (the route ``"fields"``) and writes through the core in
a worker (``WgScreen.write``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from rich.text import Text

from wgtool.api import ParagraphState, ParagraphStatus, parse_when
from wgtool.tui.commands import Command
from wgtool.tui.host import Writes
from wgtool.tui.render import clip

if TYPE_CHECKING:
    from wgtool.api import WorkingGroup


@dataclass(frozen=True)
class Field:
    """One line of the fields dialog."""

    key: str
    label: str
    initial: str = ""
    required: bool = True
    placeholder: str = ""


@dataclass(frozen=True)
class Fields:
    """A question for the fields dialog: its title, its lines, the word on its button."""

    title: Text | str
    fields: Sequence[Field]
    confirm: str = "Send"


def names(value: str) -> list[str]:
    """Groups or handles typed with commas or spaces between them."""
    return [part for part in value.replace(",", " ").split() if part]


def ask(
    screen: Writes,
    dialog: Fields,
    change: Callable[[WorkingGroup, dict[str, str]], object],
    summary: str,
) -> None:
    """Show the fields dialog ``dialog``; once confirmed, write ``change(wg, values)`` in a
    worker."""

    def confirmed(values: dict[str, str] | None) -> None:
        if values is not None:
            screen.write(lambda wg: change(wg, values), summary)

    screen.wg_app.navigator.open(
        "fields", dialog.title, dialog.fields, confirm=dialog.confirm, then=confirmed
    )


DEADLINE = Field("until", "Deadline (ISO 8601 with a zone, or 72h, 30m)", placeholder="72h")


def paragraph_commands(
    screen: Writes, slug: str, state: ParagraphState | None
) -> Iterable[Command]:
    """The palette's actions on the highlighted paragraph: bracket, lift, agree, reopen,
    comment."""
    if state is None:
        return
    label = state.label
    yield Command(
        f"Bracket words in ¶{label}",
        "Chair: square brackets around words that are not agreed",
        lambda: ask(
            screen,
            Fields(
                f"Bracket words in ¶{label}",
                [
                    Field("words", "Exact words (empty: the whole paragraph)", required=False),
                    Field("reason", "Reason"),
                    Field("held_by", "Held by (groups or handles)", required=False),
                ],
                confirm="Bracket",
            ),
            lambda wg, v: wg.agreement.bracket(
                slug,
                label,
                words=v["words"] or None,
                reason=v["reason"],
                held_by=names(v["held_by"]),
            ),
            f"Bracketed words in ¶{label}",
        ),
        needs="bracket",
    )
    for bracket in state.brackets:
        words = clip(bracket.event.words or "the whole paragraph", 30)
        yield Command(
            f"Lift the bracket on “{words}” in ¶{label}",
            "Chair: the words are agreed",
            _lift(screen, bracket.id, label),
            needs="lift a bracket",
        )
    yield from status_commands(screen, slug, state)
    yield Command(
        f"Comment on ¶{label}",
        "A comment on the paragraph itself",
        lambda: ask(
            screen,
            Fields(f"Comment on ¶{label}", [Field("text", "Your comment")], confirm="Send"),
            lambda wg, v: wg.agreement.comment_paragraph(slug, label, v["text"]),
            f"Comment on ¶{label} added",
        ),
        needs="comment",
    )


def status_commands(screen: Writes, slug: str, state: ParagraphState) -> Iterable[Command]:
    """The chair's paragraph status actions: agree, agree ad referendum, reopen."""
    label = state.label
    yield Command(
        f"Agree ¶{label}",
        "Chair: record the paragraph as agreed",
        lambda: screen.write(lambda wg: wg.agreement.agree(slug, label), f"¶{label} agreed"),
        needs="agree a paragraph",
    )
    yield Command(
        f"Agree ¶{label} ad referendum",
        "Chair: agreed, pending on some groups or members",
        lambda: ask(
            screen,
            Fields(
                f"¶{label} agreed ad referendum",
                [Field("pending", "Pending on (groups or handles)")],
                confirm="Agree",
            ),
            lambda wg, v: wg.agreement.agree(
                slug, label, ad_ref=True, pending_on=names(v["pending"])
            ),
            f"¶{label} agreed ad referendum",
        ),
        needs="agree a paragraph",
    )
    if state.status is not ParagraphStatus.OPEN or state.changed:
        yield Command(
            f"Reopen ¶{label}",
            "Chair: the paragraph is open again",
            lambda: ask(
                screen,
                Fields(f"Reopen ¶{label}", [Field("reason", "Reason")], confirm="Reopen"),
                lambda wg, v: wg.agreement.reopen(slug, label, reason=v["reason"]),
                f"¶{label} open again",
            ),
            needs="reopen a paragraph",
        )


def _lift(screen: Writes, bracket_id: str, label: str) -> Callable[[], None]:
    def lift() -> None:
        ask(
            screen,
            Fields("Lift a bracket", [Field("reason", "Reason", required=False)], confirm="Lift"),
            lambda wg, v: wg.agreement.unbracket(bracket_id, reason=v["reason"]),
            f"Lifted a bracket in ¶{label}",
        )

    return lift


def draft_commands(screen: Writes, slug: str, window_open: bool | None) -> Iterable[Command]:
    """The palette's actions on a whole draft: silence, the window, renumbering."""
    yield Command(
        f"Put {slug} under silence",
        "Chair or secretariat: adopted as a version at a deadline unless someone objects",
        lambda: ask(
            screen,
            Fields(
                f"Silence procedure on {slug}",
                [
                    DEADLINE,
                    Field("message", "Message"),
                    Field("version", "Version name when adopted", required=False),
                ],
                confirm="Start",
            ),
            lambda wg, v: wg.procedure.silence_start(
                slug,
                until=parse_when(v["until"], wg.record.clock()),
                message=v["message"],
                version=v["version"] or None,
            ),
            f"{slug} is under silence",
        ),
        needs="start a silence",
    )
    verb = "Close" if window_open in (True, None) else "Open"
    yield Command(
        f"{verb} the amendment window for {slug}",
        "Secretariat: whether new amendments may be tabled",
        lambda: ask(
            screen,
            Fields(
                f"{verb} the amendment window for {slug}",
                [Field("until", "Until (optional: when it turns back)", required=False)],
                confirm=verb,
            ),
            lambda wg, v: wg.procedure.set_window(
                slug,
                verb.lower(),
                until=parse_when(v["until"], wg.record.clock()) if v["until"].strip() else None,
            ),
            f"Amendment window for {slug}: {verb.lower()}d",
        ),
        needs="open or close the window",
    )
    yield Command(
        f"Renumber the paragraphs of {slug}",
        "Secretariat: 7bis becomes 8; the concordance is recorded",
        lambda: screen.write(lambda wg: wg.procedure.renumber(slug), f"Renumbered {slug}"),
        needs="renumber",
    )
    yield Command(
        "Silence procedures", "Running, ended, broken and concluded", screen_silences(screen)
    )


def screen_silences(screen: Writes) -> Callable[[], object]:
    return lambda: screen.wg_app.navigator.open("silences")


def amendment_commands(
    screen: Writes, amendment_id: str, cosponsoring: bool, own: bool, undecided: bool
) -> Iterable[Command]:
    """The palette's agreement actions on an amendment."""
    if not own and undecided:
        verb = "Stop co-sponsoring" if cosponsoring else "Co-sponsor"
        yield Command(
            f"{verb} this amendment",
            "Your name on another member's amendment",
            lambda: screen.write(
                lambda wg: wg.procedure.cosponsor(amendment_id, withdraw=cosponsoring),
                f"{verb} {amendment_id}: done",
            ),
            needs="co-sponsor",
        )
    if undecided:
        yield Command(
            "Put this amendment under silence",
            "Chair or secretariat: adopted at a deadline unless someone objects",
            lambda: ask(
                screen,
                Fields(
                    f"Silence procedure on amendment {amendment_id}",
                    [DEADLINE, Field("message", "Message")],
                    confirm="Start",
                ),
                lambda wg, v: wg.procedure.silence_start(
                    amendment_id,
                    until=parse_when(v["until"], wg.record.clock()),
                    message=v["message"],
                ),
                f"Amendment {amendment_id} is under silence",
            ),
            needs="start a silence",
        )
    yield Command(
        "Silence procedures", "Running, ended, broken and concluded", screen_silences(screen)
    )
