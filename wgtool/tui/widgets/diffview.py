"""Word diffs: deletions struck through, insertions highlighted, markers for no colour."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget

from wgtool.api import AttributedRedline, DiffOp, ParagraphChange, RedlineEntry
from wgtool.tui.render import diff_text, safe, styled_diff_text


class DiffView(Widget):
    """Shows a word diff as ``[-deleted-]{+inserted+}`` with styles from the theme.

    The markers stay when colour is off (``NO_COLOR``), so the diff reads the same in monochrome.
    """

    DEFAULT_CSS = """
    DiffView {
        height: auto;
        & > .diff-view--delete { color: $text-error; text-style: strike; }
        & > .diff-view--insert {
            color: $text-success;
            background: $success-muted;
            text-style: bold underline;
        }
        & > .diff-view--marker { color: $text-muted; }
    }
    """

    COMPONENT_CLASSES = {"diff-view--delete", "diff-view--insert", "diff-view--marker"}
    """
    | Class | Description |
    | :- | :- |
    | `diff-view--delete` | Deleted words. |
    | `diff-view--insert` | Inserted words. |
    | `diff-view--marker` | The `[- -]` and `{+ +}` markers around them. |
    """

    ops: reactive[tuple[DiffOp, ...]] = reactive((), layout=True)
    """The diff to show, as the core's word diff returns it."""

    context_only: reactive[bool] = reactive(False, layout=True)
    """Show only the paragraphs that changed (an ellipsis stands for the others)."""

    def __init__(
        self,
        ops: tuple[DiffOp, ...] = (),
        *,
        context_only: bool = False,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.set_reactive(DiffView.ops, tuple(ops))
        self.set_reactive(DiffView.context_only, context_only)

    def render(self) -> Text:
        if not self.ops:
            return Text("(no change)", style="italic")
        return self.diff(self.ops)

    def diff(self, ops: Sequence[DiffOp]) -> Text:
        """``ops`` in this widget's styles."""
        return diff_text(
            ops,
            delete_style=self.get_component_rich_style("diff-view--delete"),
            insert_style=self.get_component_rich_style("diff-view--insert"),
            marker_style=self.get_component_rich_style("diff-view--marker"),
            context_only=self.context_only,
        )


class ChangesView(DiffView):
    """The changes a merge makes, paragraph by paragraph: each label (``¶11``, ``new ¶12``)
    above its word diff, in the styles of :class:`DiffView`."""

    changes: reactive[tuple[ParagraphChange, ...]] = reactive((), layout=True)
    """The changes to show, as :meth:`MergePlan.changes` returns them."""

    def render(self) -> Text:
        if not self.changes:
            return Text("(no change)", style="italic")
        result = Text()
        for number, change in enumerate(self.changes):
            if number:
                result.append("\n\n")
            result.append_text(safe(change.label, "bold", one_line=True))
            result.append("\n")
            result.append_text(self.diff(change.ops))
        return result


class RedlineView(DiffView):
    """A redline with the draft's structure: headings, then each paragraph by its label
    (``¶7bis``, ``new ¶7bis``, ``deleted ¶3``) above its word diff, its inline Markdown as it
    reads, and under each change who made it (the amendment, member and group, a secretariat
    edit, an oral revision). With :attr:`context_only`, unchanged paragraphs are folded."""

    redline: reactive[AttributedRedline | None] = reactive(None, layout=True)
    """The redline to show, as the core's ``attributed_redline`` returns it."""

    groups: Mapping[str, str] = {}
    """Stakeholder group names by slug (set before :attr:`redline`)."""

    def render(self) -> Text:
        entries = self.redline.entries if self.redline is not None else ()
        if not entries:
            return Text("(no text)", style="italic")
        result = Text()
        folded = 0
        for entry in entries:
            if self.context_only and not entry.changed and not entry.heading:
                folded += 1
                continue
            if folded:
                result.append(_folded(folded), "dim italic")
                folded = 0
            result.append_text(self._entry(entry))
        if folded:
            result.append(_folded(folded), "dim italic")
        result.rstrip()
        return result

    def _entry(self, entry: RedlineEntry) -> Text:
        styles = {
            "delete_style": self.get_component_rich_style("diff-view--delete"),
            "insert_style": self.get_component_rich_style("diff-view--insert"),
            "marker_style": self.get_component_rich_style("diff-view--marker"),
        }
        body = styled_diff_text(entry.ops, **styles)
        if entry.heading:
            body.stylize("bold")
            return body + Text("\n\n")
        result = safe(_label(entry), "bold", one_line=True)
        result.append("\n")
        result.append_text(body)
        if entry.changed:
            result.append_text(self._by(entry))
        return result + Text("\n\n")

    def _by(self, entry: RedlineEntry) -> Text:
        """Who changed an entry (a line of its own), or why no one is named."""
        if entry.by:
            names = "; ".join(source.describe(self.groups) for source in entry.by)
            return safe(f"\n— {names}", "italic", one_line=False)
        if self.redline is not None and not self.redline.attributed:
            return Text("\n— not attributed: the first version is not older than the second", "dim")
        return Text()


def _label(entry: RedlineEntry) -> str:
    """``¶7bis``, ``new ¶7bis``, ``deleted ¶3``, ``¶9 (was ¶8)`` (after a renumbering)."""
    old, new = entry.old_label, entry.new_label
    if old is None:
        return f"new ¶{new}"
    if new is None:
        return f"deleted ¶{old}"
    return f"¶{new}" if old == new else f"¶{new} (was ¶{old})"


def _folded(count: int) -> str:
    return f"({count} unchanged paragraph{'s' if count != 1 else ''})\n\n"
