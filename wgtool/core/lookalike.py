"""Names that can be mistaken for another member's: Unicode's confusables (UTS #39).

Two strings are confusable when their *skeletons* are equal: each character replaced by the
prototype Unicode's ``confusables.txt`` gives it (Cyrillic ``а`` by Latin ``a``, ``1`` by ``l``,
``m`` by ``rn``), in canonical decomposition. The data comes from ``confusable_homoglyphs``,
which keeps each pair of that file in both directions; the prototype of a character is found
again from that: a prototype is never itself mapped, so a character listed with a single
partner that has partners of its own (or is several characters) maps to it, and of a lone pair
either one names the class. A difference of case or of spacing is no difference either:
``Laura Haddad``, ``LAURA  HADDAD`` and ``Lаura Haddad`` all name one person to a reader.
"""

from __future__ import annotations

import functools
import unicodedata
from collections.abc import Iterable
from typing import TYPE_CHECKING

from wgtool.core.errors import LookAlike
from wgtool.core.model import Member
from wgtool.core.validate import character_name
from wgtool.lazy import lazy_module

if TYPE_CHECKING:
    from confusable_homoglyphs import confusables
else:
    # Unicode's confusables (a large table): read once, when a name is first compared
    confusables = lazy_module("confusable_homoglyphs.confusables")


@functools.cache
def _prototypes() -> dict[str, str]:
    pairs: dict[str, list[dict[str, str]]] = confusables.confusables_data
    prototypes = {}
    for char, partners in pairs.items():
        if len(char) != 1 or len(partners) != 1:
            continue  # several partners: a prototype, itself
        other = partners[0]["c"]
        if len(other) > 1 or len(pairs.get(other, ())) > 1:
            prototypes[char] = other
        else:
            prototypes[char] = min(char, other)
    return prototypes


def skeleton(text: str) -> str:
    """UTS #39's skeleton of ``text`` (its spacing collapsed): look-alikes have the same."""
    prototypes = _prototypes()
    decomposed = unicodedata.normalize("NFD", " ".join(text.split()))
    return unicodedata.normalize("NFD", "".join(prototypes.get(c, c) for c in decomposed))


def look_alike(mine: str, theirs: str) -> bool:
    """Whether two strings can be mistaken for each other, case aside: their skeletons are
    compared case-folded, and so are the skeletons of their case-folded forms (a capital ``I``
    looks like ``l``, a small ``i`` does not)."""

    def forms(text: str) -> set[str]:
        return {skeleton(text).casefold(), skeleton(text.casefold())}

    return not forms(mine).isdisjoint(forms(theirs))


def refuse_look_alikes(member: Member, others: Iterable[Member]) -> None:
    """A :class:`LookAlike` error when ``member``'s handle, name or email can be mistaken for
    another member's (an email that is another's exactly is refused elsewhere)."""
    for other in others:
        for what, mine, theirs in (
            ("handle", member.handle, other.handle),
            ("name", member.name, other.name),
            ("email", member.email, other.email),
        ):
            if look_alike(mine, theirs):
                raise LookAlike(
                    f"the {what} {mine!r} can be mistaken for that of {other.handle} "
                    f"({other.name}): {difference(mine, theirs)}",
                    what=what,
                    other=other.handle,
                )


def difference(mine: str, theirs: str) -> str:
    """Where two look-alikes first differ, character by character."""
    for position, (a, b) in enumerate(zip(mine, theirs, strict=False), start=1):
        if a != b:
            return (
                f"it has {character_name(a)} at position {position} "
                f"where theirs has {character_name(b)}"
            )
    if len(mine) == len(theirs):
        return "it is theirs exactly"
    return f"it differs from theirs after position {min(len(mine), len(theirs))}"
