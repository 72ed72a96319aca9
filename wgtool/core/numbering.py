"""Official amendment numbers (``Am. 12``), and what a sync says when they moved.

A draft's amendments are numbered 1, 2, 3... in the order of: the first-parent position on
main of the main commit each was based on (its first revision's parent; one not on main comes
after all), then its first revision's author time, then its id. Numbers are derived from the
record alone, so every clone that holds the same amendments gives the same ones; but an
amendment tabled against an older main than amendments already numbered (tabled offline,
synced late) takes its place among them, and those after it move up. That is never silent: the
sync that brings it says which numbers changed.

The index reads each amendment's place with :data:`PLACES_SQL` (plain SQL, which the glance
runs with sqlite3 too) and numbers them with :func:`numbered`; one amendment's number is
counted in SQL by :data:`NUMBER_OF_SQL`, the same rule.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

Numbers = Mapping[str, tuple[str, int]]
"""Each amendment's draft and official number, by id."""

Place = tuple[str, str, int | None, int]
"""An amendment's id, draft, its base's position on main (None: not on it) and its first
revision's author time: all that its number depends on."""

AFTER_MAIN = 9_223_372_036_854_775_807
"""The position that stands for "not on main" (after every position main has)."""

PLACES_SQL = (
    "SELECT a.id, a.draft, m.position, a.created_at "
    "FROM amendmentrow AS a LEFT JOIN mainrow AS m ON m.sha = a.base"
)
"""Every amendment's :data:`Place` (add ``WHERE a.draft = ?`` for one draft's)."""

NUMBER_OF_SQL = (
    "SELECT count(*) + 1 FROM amendmentrow AS a LEFT JOIN mainrow AS m ON m.sha = a.base, "
    f"(SELECT o.draft AS draft, coalesce(n.position, {AFTER_MAIN}) AS position, "
    "o.created_at AS created_at, o.id AS id "
    "FROM amendmentrow AS o LEFT JOIN mainrow AS n ON n.sha = o.base WHERE o.id = :id) AS me "
    f"WHERE a.draft = me.draft AND (coalesce(m.position, {AFTER_MAIN}), a.created_at, a.id) "
    "< (me.position, me.created_at, me.id)"
)
"""The number of the amendment ``:id``: one more than the amendments of its draft before it."""


def numbered(places: Iterable[Place]) -> dict[str, tuple[str, int]]:
    """Each amendment's draft and number, by id, from the places of all of its draft's."""
    ordered = sorted(places, key=lambda p: (p[1], AFTER_MAIN if p[2] is None else p[2], p[3], p[0]))
    numbers: dict[str, tuple[str, int]] = {}
    count, draft = 0, None
    for amendment_id, its_draft, _, _ in ordered:
        count = count + 1 if its_draft == draft else 1
        draft = its_draft
        numbers[amendment_id] = (its_draft, count)
    return numbers


SHOWN = 6
"""Renumbered amendments a note names one by one (per draft); the rest are counted."""


def renumbering_notes(before: Numbers, after: Numbers) -> list[str]:
    """One line per draft in which an amendment that was numbered before has another number
    now, naming the newcomers that moved them."""
    moved: dict[str, list[tuple[int, int, str]]] = {}
    for amendment_id, (draft, number) in before.items():
        now = after.get(amendment_id)
        if now is not None and now[1] != number:
            moved.setdefault(draft, []).append((number, now[1], amendment_id))
    notes = []
    for draft in sorted(moved):
        changes = sorted(moved[draft])
        named = ", ".join(f"Am. {old} ({i}) is now Am. {new}" for old, new, i in changes[:SHOWN])
        if len(changes) > SHOWN:
            named += f", and {len(changes) - SHOWN} more"
        first = changes[0][0]
        arrived = sorted(
            f"Am. {n} ({i})"
            for i, (d, n) in after.items()
            if d == draft and i not in before and n <= changes[-1][1]
        )
        cause = (
            f" (tabled against an older main: {', '.join(arrived)})"
            if arrived
            else f" (from Am. {first})"
        )
        notes.append(f"Amendment numbers of {draft} moved{cause}: {named}")
    return notes
