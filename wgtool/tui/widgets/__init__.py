"""Widgets that show the core's data: diffs, drafts, consensus, comment threads, tables."""

from wgtool.tui.widgets.comments import CommentThread
from wgtool.tui.widgets.consensus import ConsensusMatrix
from wgtool.tui.widgets.diffview import ChangesView, DiffView, RedlineView
from wgtool.tui.widgets.fields import EditorArea, MarkedCheckbox, MarkedRadioButton
from wgtool.tui.widgets.footer import KeysFooter
from wgtool.tui.widgets.paragraphs import ParagraphList
from wgtool.tui.widgets.table import RecordTable

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
    "RecordTable",
    "RedlineView",
]
