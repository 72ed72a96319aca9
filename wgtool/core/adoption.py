"""What a merge or a revert may write, replayed from the record: pure functions of texts.

A chair's merge of an amendment writes the three-way merge of the revision it names into main
before it (:func:`wgtool.core.text.merge3`). Two things may make it differ, each declared in the
merge commit and each confined to a place the record names:

* an **oral revision** (``Orally-Revised: yes``): the chair's words replace the amendment's in
  the paragraph it addresses (for a whole-draft amendment, in the paragraphs it changes);
* a **resolution** (``Resolved-by:``): where the merge conflicts, the chair writes the
  conflicting paragraphs as they should read.

:func:`adoption_template` builds what the draft after such a merge must be: the merged text with
those places left open (a :class:`Template`), so that anyone can check a merge commit against
the record without knowing the chair's words. A revert writes the merge of its amendment's
change taken out, exactly. The paragraph labels beside a draft follow from the text
(:func:`labels_file`): a merge never writes labels of its own choosing.
"""

from __future__ import annotations

import difflib
import secrets
from dataclasses import dataclass

from wgtool.core import document, labels, validate
from wgtool.core.errors import InvalidInput, Remedy
from wgtool.core.model import Kind
from wgtool.core.text import block_changes, merge3


def amended_text(base_text: str, kind: Kind, paragraph: int | None, text: str | None) -> str:
    """The draft ``base_text`` with an amendment of ``kind`` to ``paragraph`` made: ``text``
    is the new paragraph, or the whole amended draft for a whole-draft amendment."""
    if kind is Kind.DOCUMENT:
        if text is None:
            raise InvalidInput("give the whole amended draft", remedy=Remedy.GIVE_DRAFT_TEXT)
        return document.normalise(validate.draft_text(text, "amended draft"))
    assert paragraph is not None
    if kind is Kind.DELETE:
        return document.delete_paragraph(base_text, paragraph)
    if text is None:
        raise InvalidInput("give the new paragraph", remedy=Remedy.GIVE_PARAGRAPH_TEXT)
    text = validate.text(text, "paragraph text")
    if kind is Kind.REPLACE:
        return document.replace_paragraph(base_text, paragraph, text)
    return document.insert_after(base_text, paragraph, text)


@dataclass(frozen=True)
class Template:
    """A text with places left open: ``segments`` are the fixed text between them (one
    segment, no open place, for a text that must come out exactly)."""

    segments: tuple[str, ...]

    @property
    def exact(self) -> bool:
        return len(self.segments) == 1

    def fits(self, text: str) -> bool:
        """Whether ``text`` is the fixed text with anything in the open places (compared as
        drafts are stored: line ends and the final newline normalised)."""
        text = document.normalise(text)
        first, *middle = self.segments
        if not middle:
            return text == first
        *middle, last = middle
        if len(first) + len(last) > len(text) or not (
            text.startswith(first) and text.endswith(last)
        ):
            return False
        # Fixed text between open places, each taken where it first occurs: for patterns of
        # literals and wildcards only, the leftmost match is never worse than a later one.
        position, end = len(first), len(text) - len(last)
        for segment in middle:
            found = text.find(segment, position, end)
            if found < 0:
                return False
            position = found + len(segment)
        return True

    def differing(self, text: str) -> tuple[list[int], list[str]]:
        """Where ``text`` departs from the template: the numbers (1-based) of its paragraphs
        the template does not explain, and the fixed paragraphs it lacks."""
        marker = _marker(text, *self.segments)
        shape = [b.text for b in document.blocks(marker.join(self.segments))]
        found = document.blocks(document.normalise(text))
        changed: list[int] = []
        removed: list[str] = []
        matcher = difflib.SequenceMatcher(None, shape, [b.text for b in found], autojunk=False)
        for op, i1, i2, j1, j2 in matcher.get_opcodes():
            if op == "equal" or any(marker in block for block in shape[i1:i2]):
                continue
            changed += [b.number for b in found[j1:j2] if b.number is not None]
            if j1 == j2:
                removed += shape[i1:i2]
        return changed, removed


def differences(template: Template, result: str, current: str, old: labels.Labels) -> str:
    """The paragraphs where ``result`` departs from ``template``, named by their labels (the
    labels ``result`` takes after ``current``; a paragraph it lacks by its label now)."""
    changed, removed = template.differing(result)
    paragraphs = [p.text for p in document.paragraphs(current)]
    after = labels.relabel(paragraphs, old, [p.text for p in document.paragraphs(result)])
    names = [f"¶{labels.label_of(after.current, n)}" for n in changed]
    for text in removed:
        if text in paragraphs:
            names.append(f"¶{old.current[paragraphs.index(text)]} (removed)")
        else:
            names.append("a heading (removed)")
    more = f" and {len(names) - 6} more" if len(names) > 6 else ""
    return ", ".join(names[:6]) + more if names else "the draft"


def adoption_template(
    base: str,
    current: str,
    theirs: str,
    *,
    oral: tuple[Kind, int | None] | None = None,
    resolved: bool = False,
) -> Template | None:
    """What a merge of ``theirs`` (an amendment made against ``base``) into ``current`` may
    write; None when it conflicts and declares no resolution.

    ``oral`` (the amendment's kind and paragraph in ``base``) leaves open the paragraphs the
    amendment addresses; ``resolved`` leaves open the paragraphs where the merge conflicts.
    """
    marker = _marker(base, current, theirs)
    if oral is not None:
        theirs = _open_where_addressed(base, theirs, oral[0], oral[1], marker)
    result = merge3(base, current, theirs)
    if result.text is not None:
        text = result.text
    elif resolved or oral is not None:
        # An oral revision may merge cleanly where the amendment's own words conflict.
        text = result.resolve(
            [[marker] * (region.blocks[1] - region.blocks[0]) for region in result.regions]
        )
    else:
        return None
    text = document.normalise(text)
    # A paragraph holding an open place is open as a whole (merged word by word, the chair's
    # words may have met the current text's).
    for block in reversed(document.blocks(text)):
        if marker in block.text and block.text != marker:
            text = text[: block.start] + marker + text[block.end :]
    return Template(tuple(text.split(marker)))


def revert_text(adopted: str, current: str, before: str) -> str | None:
    """The draft after reverting a merge that turned ``before`` into ``adopted``, given the
    draft ``current`` now; None when later changes conflict with taking it out."""
    return merge3(adopted, current, before).text


def labels_file(old_text: str, old: labels.Labels, new_text: str) -> bytes | None:
    """The labels file a draft's change from ``old_text`` to ``new_text`` writes beside it:
    the paragraphs that stay keep their labels, new ones are ``7bis``; None where the labels
    are 1 to n (no file)."""
    new = labels.relabel(
        [p.text for p in document.paragraphs(old_text)],
        old,
        [p.text for p in document.paragraphs(new_text)],
    )
    return None if new.is_positional else new.dump()


def _open_where_addressed(
    base: str, theirs: str, kind: Kind, paragraph: int | None, marker: str
) -> str:
    """The amendment with the text it addresses left open: its paragraph, or for a
    whole-draft amendment every stretch of blocks it changes."""
    if kind is not Kind.DOCUMENT and paragraph is not None:
        kind = Kind.REPLACE if kind is Kind.DELETE else kind
        try:
            return amended_text(base, kind, paragraph, marker)
        except InvalidInput:
            return theirs  # a paragraph the base lacks: the revision is judged invalid anyway
    found = document.blocks(theirs)
    for change in reversed(block_changes(base, theirs)):
        start, end = change.new
        if start < end:
            theirs = theirs[: found[start].start] + marker + theirs[found[end - 1].end :]
        elif start < len(found):
            theirs = theirs[: found[start].start] + marker + "\n\n" + theirs[found[start].start :]
        else:
            theirs = theirs.rstrip("\n") + "\n\n" + marker + "\n"
    return theirs


def _marker(*texts: str) -> str:
    """A word found in none of ``texts``: it stands for an open place."""
    while True:
        marker = "wgtoolopen" + secrets.token_hex(12)
        if not any(marker in text for text in texts):
            return marker
