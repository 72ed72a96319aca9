"""Word diffs: deletions struck through, insertions highlighted, markers for no colour."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget

from wgtool.core.merging import ParagraphChange
from wgtool.core.text import DiffOp
from wgtool.tui.render import diff_text, safe


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
