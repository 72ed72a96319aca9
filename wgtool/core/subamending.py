"""Amendments to amendments: what a sub-amendment may write (pure text, no I/O).

A sub-amendment changes an open amendment's text where the amendment changes the draft (its
paragraph; for a whole-draft amendment, the passages it rewrites) and nowhere else. The desk
writes it with :func:`sub_text`; the rulebook checks it with :func:`confined`.
"""

from __future__ import annotations

from wgtool.core import document, validate
from wgtool.core.errors import InvalidInput, Remedy
from wgtool.core.model import Kind


def sub_text(amended: str, kind: Kind, paragraph: int | None, text: str | None) -> str:
    """The draft as amendment ``amended`` (of ``kind`` to ``paragraph`` at its base) reads,
    with its paragraph's text replaced by ``text`` (for a whole-draft amendment, ``text`` is
    the whole draft)."""
    if text is None:
        raise InvalidInput("give the new text", remedy=Remedy.GIVE_PARAGRAPH_TEXT)
    if kind is Kind.DOCUMENT:
        return document.normalise(validate.draft_text(text, "amended draft"))
    if kind is Kind.DELETE or paragraph is None:
        raise InvalidInput("an amendment that deletes a paragraph has no text to amend")
    text = validate.text(text, "paragraph text")
    target = paragraph + 1 if kind is Kind.INSERT else paragraph
    return document.replace_paragraph(amended, target, text)


def confined(base: str, amended: str, sub: str) -> bool:
    """Whether ``sub`` reads as ``amended`` wherever ``amended`` reads as ``base``: the blocks
    the amendment leaves as they were, at the start and at the end of the draft."""
    old = [b.text for b in document.blocks(base)]
    new = [b.text for b in document.blocks(amended)]
    mine = [b.text for b in document.blocks(sub)]
    start, end = document.common_ends(old, new)
    if len(mine) < start + end:
        return False
    return mine[:start] == new[:start] and mine[len(mine) - end :] == new[len(new) - end :]
