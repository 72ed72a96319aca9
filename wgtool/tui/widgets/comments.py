"""A comment thread with replies indented under what they answer."""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.padding import Padding
from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget

from wgtool.api import Thread
from wgtool.tui.render import safe, when

INDENT = 2


class CommentThread(Widget):
    """Comments in stable order, each reply under its comment. Comment text is shown literally."""

    DEFAULT_CSS = """
    CommentThread { height: auto; }
    """

    threads: reactive[tuple[Thread, ...]] = reactive((), layout=True)
    """The threads to show, as the core's ``comments()`` returns them."""

    def render(self) -> RenderableType:
        if not self.threads:
            return Text("No comments yet.", style="italic dim")
        parts: list[RenderableType] = []
        for thread in self.threads:
            _append(parts, thread, 0)
        return Group(*parts)

    def plain(self) -> str:
        """The thread as plain text (what a screen reader or a test sees)."""
        parts: list[RenderableType] = []
        for thread in self.threads:
            _append(parts, thread, 0)
        lines: list[str] = []
        for part in parts:
            assert isinstance(part, Padding) and isinstance(part.renderable, Text)
            prefix = " " * part.left
            lines.extend(prefix + line for line in part.renderable.plain.split("\n"))
        return "\n".join(lines)


def _append(parts: list[RenderableType], thread: Thread, depth: int) -> None:
    comment = thread.comment
    header = Text()
    if depth:
        header.append("↳ ", "dim")
    header.append_text(safe(comment.member, "bold", one_line=True))
    header.append_text(safe(f" ({comment.group})", "dim", one_line=True))
    header.append(f" · {when(comment.at)}", "dim")
    if comment.revision > 1:
        header.append(f" · on revision {comment.revision}", "dim")
    parts.append(Padding(header, (0, 0, 0, INDENT * depth)))
    body_indent = INDENT * depth + (INDENT if not depth else INDENT + 2)
    parts.append(Padding(safe(comment.text), (0, 0, 1, body_indent)))
    for reply in thread.replies:
        _append(parts, reply, depth + 1)
