"""Word-level text algorithms: tokens, diffs, redlines and the three-way merge.

Drafts are Markdown with one paragraph per line-block, so git's line merge sees a whole paragraph
as one line. Everything here works on paragraphs and *word tokens* instead (DESIGN principle 4):

* :func:`tokenize` splits text into words, whitespace runs and single punctuation characters.
* :func:`word_diff` / :func:`redline` show what changed between two versions, for people.
* :func:`merge3` combines the current text and an amendment relative to the amendment's base.

Everything is deterministic: no wall-clock cut-off, the same answer on any machine under any
load, at a cost that follows the size of the change (see :mod:`.engine`).
"""

from __future__ import annotations

from wgtool.core.text.diff import (
    BlockChange,
    DiffOp,
    block_changes,
    minimal_word_diff,
    redline,
    word_diff,
)
from wgtool.core.text.merge import Conflict, ConflictRegion, MergeResult, merge3
from wgtool.core.text.tokens import tokenize

__all__ = [
    "BlockChange",
    "Conflict",
    "ConflictRegion",
    "DiffOp",
    "MergeResult",
    "block_changes",
    "merge3",
    "minimal_word_diff",
    "redline",
    "tokenize",
    "word_diff",
]
