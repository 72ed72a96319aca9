"""What a face needs to know about an amendment before it asks the core to write it.

The checks here are the ones :class:`~wgtool.core.desks.WorkingGroup` makes when it writes
(``propose``, ``revise``, ``withdraw``, ...), run on plain data so that a face can show the word
diff a member is about to send, or say why an action is not open to them, without writing.
"""

from __future__ import annotations

from wgtool.core import document, validate
from wgtool.core.errors import InvalidInput
from wgtool.core.model import Amendment, Kind, Member, Status
from wgtool.core.text import DiffOp, word_diff

OPEN_ONLY = frozenset({"position", "revise", "merge"})
"""Actions on an amendment that only an open one allows."""
UNDECIDED_ONLY = frozenset({"withdraw", "reject"})
"""Actions that an open or a lapsed amendment allows."""
PROPOSER_ONLY = frozenset({"revise", "withdraw"})
"""Actions that only the amendment's proposer may take."""
LAPSED = "its paragraph is no longer in the draft"
VERBS = {
    "position": "take a position on",
    "comment": "comment on",
    "reply": "reply on",
    "revise": "revise",
    "withdraw": "withdraw",
    "merge": "merge",
    "reject": "reject",
    "revert": "revert",
}
"""The amendment actions, with how a refusal names them (``cannot merge amendment ...``)."""


def proposal_diff(old_text: str, kind: Kind, text: str, rationale: str) -> list[DiffOp]:
    """The word diff of a proposed amendment to a paragraph that reads ``old_text``.

    Raises:
        InvalidInput: as ``AmendmentsDesk.propose`` would: a bad rationale or text, or a
            replacement that changes nothing.
    """
    validate.text(rationale, "rationale")
    if kind is Kind.DELETE:
        return word_diff(old_text, "")
    new = document.clean_paragraph_text(validate.text(text, "paragraph text"))
    if kind is Kind.INSERT:
        return word_diff(old_text, old_text + "\n\n" + new)
    if new == old_text.strip():
        raise InvalidInput("the amendment changes nothing: the text is the same as the draft's")
    return word_diff(old_text, new)


def revision_diff(old_text: str, kind: Kind, text: str, rationale: str) -> list[DiffOp]:
    """The word diff of a revision, to an amendment of ``kind``, of the text ``old_text``.

    Raises:
        InvalidInput: as ``AmendmentsDesk.revise`` would, for a bad rationale or text.
    """
    validate.text(rationale, "rationale")
    new = validate.text(text, "text")
    if kind is not Kind.DOCUMENT:
        new = document.clean_paragraph_text(new)
    return word_diff(old_text, new)


def unavailable(
    amendment: Amendment, member: Member, action: str, *, has_comments: bool = True
) -> str | None:
    """Why ``member`` may not take ``action`` (one of :data:`VERBS`) on ``amendment`` in its
    present state, whatever their roles allow; None when nothing stands in the way.

    ``has_comments``: whether the amendment has a comment (``reply`` needs one).
    """
    a = amendment
    if action in PROPOSER_ONLY and a.proposer != member.handle:
        return f"only the proposer ({a.proposer}) can {action} amendment {a.id}"
    if action in OPEN_ONLY and a.status is not Status.OPEN:
        why = LAPSED if a.status is Status.LAPSED else f"it is {a.status.value}"
        return f"cannot {VERBS[action]} amendment {a.id}: {why}"
    if action in UNDECIDED_ONLY and not a.status.undecided:
        return f"cannot {VERBS[action]} amendment {a.id}: it is {a.status.value}"
    if action == "revert" and a.status is not Status.MERGED:
        return f"cannot revert amendment {a.id}: it is {a.status.value}, not merged"
    if action == "reply" and not has_comments:
        return f"amendment {a.id} has no comment to reply to"
    return None
