"""Rows of the index file as the core's objects (an :class:`~wgtool.core.model.Amendment`, an
:class:`~wgtool.core.model.Event`), with the standard library alone: the index
(:mod:`wgtool.core.index`) and the glance at its file (:mod:`wgtool.core.glance`) make them
alike, and a row of another shape than wgtool writes is refused (the index then rebuilds itself).
"""

from __future__ import annotations

import functools
import json
from typing import Any, TypeVar

from wgtool.core.model import Adoption, Amendment, Event, Kind, Status

CONSENSUS_SETTINGS = "consensus-settings"
"""The meta key of main's groups and consensus rule, which the consensus columns follow."""


@functools.lru_cache(maxsize=1024)  # thousands of amendments share a few dozen states
def group_states(column: str) -> tuple[tuple[str, str], ...]:
    """The ``group_states`` column: each group's state, as ``[group, state]`` pairs in JSON."""
    return tuple((group, state) for group, state in json.loads(column))


# The columns an amendment takes as they are, by the same name.
PLAIN_COLUMNS = (
    "id",
    "draft",
    "paragraph",
    "title",
    "rationale",
    "proposer",
    "group",
    "base",
    "head",
    "revision",
    "created_at",
    "updated_at",
    "merged_by",
    "merge_commit",
    "reverted_by",
    "revert_commit",
    "label",
    "alternative_to",
    "amends",
    "amends_revision",
)


_TEXT = (str, type(None))
_NUMBER = (int, type(None))
# What each column an amendment reads as it is must hold: SQLite keeps whatever a hand put there.
AMENDMENT_COLUMN_TYPES = tuple(
    (name, _NUMBER if name in ("paragraph", "revision", "created_at", "updated_at") else _TEXT)
    for name in (*PLAIN_COLUMNS, "reason", "override_reason", "silence", "consensus")
)


def checked(row: dict[str, Any], types: tuple[tuple[str, tuple[type, ...]], ...]) -> None:
    """Refuse a row whose columns do not hold what wgtool writes there (a TypeError, which the
    index answers by rebuilding itself from the refs)."""
    for name, allowed in types:
        if row[name].__class__ not in allowed:
            raise TypeError(f"its {name} column holds {row[name].__class__.__name__}")


def amendment_from(r: dict[str, Any]) -> Amendment:
    """An amendment from its row's columns (a dict: thousands of rows make a listing, and a
    row's attributes cost a lookup each)."""
    checked(r, AMENDMENT_COLUMN_TYPES)
    adoption = None
    if r["consensus"] is not None:
        adoption = Adoption(
            consensus=r["consensus"],
            supporting=split_list(r["supporting"]),
            objecting=split_list(r["objecting"]),
            not_heard=split_list(r["not_heard"]),
            reason=r["override_reason"],
            silence=r["silence"],
        )
    return Amendment(
        **{name: r[name] for name in PLAIN_COLUMNS},
        kind=_member(_KINDS, r["kind"]),
        status=_member(_STATUSES, r["status"]),
        decided_reason=r["reason"],
        adoption=adoption,
        number=_number(r.get("number")),
    )


E = TypeVar("E", Kind, Status)
# Each enum's members by value: ``Kind(value)`` costs an enum call, which a listing of
# thousands of rows pays twice a row.
_KINDS: dict[object, Kind] = {kind.value: kind for kind in Kind}
_STATUSES: dict[object, Status] = {status.value: status for status in Status}


def _member(members: dict[object, E], value: object) -> E:
    """The enum member of ``value`` (a ValueError for none, as the enum's call gives)."""
    try:
        return members[value]
    except (KeyError, TypeError):  # TypeError: a value that cannot be a key
        raise ValueError(f"{value!r} is not one of {sorted(map(str, members))}") from None


def _number(value: object) -> int | None:
    """An amendment's number as a query gave it (None where it asked for none)."""
    if value is None or isinstance(value, int) and value.__class__ is int:
        return value
    raise TypeError(f"its number is {value.__class__.__name__}")


def split_list(value: str) -> tuple[str, ...]:
    return tuple(v for v in value.split(",") if v)


_REQUIRED_TEXT = (str,)
_OPTIONAL_TEXT = (str, type(None))
# What each column of an event's row must hold (as for an amendment's, above).
EVENT_COLUMN_TYPES = (
    *(
        (name, _REQUIRED_TEXT)
        for name in ("amendment", "id", "type", "member", "group", "text", "details")
    ),
    ("stance", _OPTIONAL_TEXT),
    ("reply_to", _OPTIONAL_TEXT),
    ("at", (float, int)),
    ("revision", (int,)),
)


def event_from(r: Any) -> Event:
    """An event from its row's columns (a mapping)."""
    checked(r, EVENT_COLUMN_TYPES)
    event = Event(
        id=r["id"],
        amendment=r["amendment"],
        type=r["type"],
        member=r["member"],
        group=r["group"],
        at=r["at"],
        revision=r["revision"],
        stance=r["stance"],
        text=r["text"],
        reply_to=r["reply_to"],
    )
    if not r["details"]:
        return event
    details = json.loads(r["details"])
    return Event.from_dict({**event.to_dict(), **details})
