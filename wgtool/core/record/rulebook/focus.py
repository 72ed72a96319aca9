"""Judging the chair's focus: the paragraph a meeting room is shown (``wgtool focus``).

A focus is an event in a draft's chain (``refs/wg/events/draft-<slug>``) by the chair. Beyond
what every event must be (one member, the chair's role), it must name a paragraph that the
draft had at the main commit it was made on (its anchor), and its text as orally revised, if
any, must be one paragraph.
"""

from __future__ import annotations

from wgtool.core.errors import WgError
from wgtool.core.model import Event
from wgtool.core.record.rulebook.base import Reader


def focus_problems(reads: Reader, event: Event) -> list[str]:
    """What is wrong with a focus event (nothing: an empty list)."""
    problems = []
    if "\n\n" in event.text:
        problems.append("a focus whose text as orally revised is more than one paragraph")
    slug, anchor, label = event.draft or "", event.anchor or "", event.paragraph or ""
    try:
        text = reads.text_at(anchor, slug)
    except WgError:
        text = None
    if text is None:
        return [*problems, f"a focus on draft {slug} at {anchor[:10]}, which has no such draft"]
    if reads.labels_at(anchor, slug, text).position(label) is None:
        problems.append(f"a focus on paragraph {label}, which draft {slug} does not have")
    return problems
