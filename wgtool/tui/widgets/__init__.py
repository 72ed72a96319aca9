"""Widgets that show the core's data: diffs, drafts, consensus, comment threads, tables.

Each widget's module is imported when the widget is first named (as Textual's own
``textual.widgets`` does): the first screen paints without the modules, and the parts of the
core, that only later screens need.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from wgtool.tui.widgets.comments import CommentThread
    from wgtool.tui.widgets.consensus import ConsensusMatrix
    from wgtool.tui.widgets.diffview import ChangesView, DiffView, RedlineView
    from wgtool.tui.widgets.fields import EditorArea, MarkedCheckbox, MarkedRadioButton
    from wgtool.tui.widgets.footer import KeysFooter
    from wgtool.tui.widgets.listing import RecordList
    from wgtool.tui.widgets.paragraphs import ParagraphList
    from wgtool.tui.widgets.table import RecordTable

_MODULES = {
    "ChangesView": "diffview",
    "CommentThread": "comments",
    "ConsensusMatrix": "consensus",
    "DiffView": "diffview",
    "EditorArea": "fields",
    "KeysFooter": "footer",
    "MarkedCheckbox": "fields",
    "MarkedRadioButton": "fields",
    "ParagraphList": "paragraphs",
    "RecordList": "listing",
    "RecordTable": "table",
    "RedlineView": "diffview",
}
"""Each widget's module in this package."""

__all__ = [
    "ChangesView",
    "CommentThread",
    "ConsensusMatrix",
    "DiffView",
    "EditorArea",
    "KeysFooter",
    "MarkedCheckbox",
    "MarkedRadioButton",
    "ParagraphList",
    "RecordList",
    "RecordTable",
    "RedlineView",
]


def __getattr__(name: str) -> object:
    module = _MODULES.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    widget: object = getattr(import_module(f"{__name__}.{module}"), name)
    globals()[name] = widget  # found directly from now on
    return widget
