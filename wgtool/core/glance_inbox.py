"""What the inbox and a sync's news read of the index, at a glance: every amendment's revision
and status with the ids of its events (what a member has seen), the amendments and events of
some ids, every amendment's official number and the consensus versions, read from the index
file with :mod:`sqlite3` alone, as the refreshed index answers them (``Index.states``,
``event_keys``, ``amendments``, ``events_for`` and ``numbers``, and
``DraftsDesk.all_versions``).

Each answers only while the file is current (see :mod:`wgtool.core.glance`): otherwise, or when
the file cannot be read, the answer is None and the caller asks the index, which refreshes or
heals itself first. A sync reads them before and after it joins what arrived, so that it
imports neither SQLAlchemy nor SQLModel.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from wgtool.core import glance
from wgtool.core.indexed import amendment_from, event_from
from wgtool.core.model import Amendment, Event, Version

# ``id IN`` a JSON list bound as one value (see wgtool.core.indexing.rows.IN_LIST).
_IN_LIST = "(SELECT value FROM json_each(?))"


@dataclass(frozen=True)
class Seen:
    """Every amendment's revision and status, and the ids of its events, by amendment."""

    states: dict[str, tuple[int, str]]
    events: dict[str, set[str]]


@glance.unless_unreadable
def seen(store: glance.Repository) -> Seen | None:
    """What ``Index.states`` and ``Index.event_keys`` answer, read in one transaction."""
    with glance.snapshot(store, current=True) as db:
        if db is None:
            return None
        states = {
            amendment: (revision, status)
            for amendment, revision, status in db.execute(
                "SELECT id, revision, status FROM amendmentrow"
            )
        }
        events: dict[str, set[str]] = {}
        for amendment, event in db.execute("SELECT amendment, id FROM eventrow"):
            events.setdefault(amendment, set()).add(event)
        return Seen(states, events)


@glance.unless_unreadable
def versions(store: glance.Repository) -> list[Version] | None:
    """The consensus versions, oldest first, as ``DraftsDesk.all_versions`` judges them: the
    refresh judged the tags, and keeps the versions while no tag, main or draft chain moved."""
    with glance.snapshot(store, current=True, versions=True) as db:
        if db is None:
            return None
        query = (
            'SELECT draft, name, tag, "commit", message, tagger, tagged_at FROM versionrow'
            " ORDER BY position"
        )
        return [
            Version(
                draft=glance.text(draft),
                name=glance.text(name),
                tag=glance.text(tag),
                commit=glance.text(commit),
                message=glance.text(message),
                tagger=glance.text(tagger),
                tagged_at=glance.whole(tagged_at),
            )
            for draft, name, tag, commit, message, tagger, tagged_at in db.execute(query)
        ]


@glance.unless_unreadable
def news_rows(
    store: glance.Repository, ids: Sequence[str] | None
) -> tuple[list[Amendment], dict[str, list[Event]]] | None:
    """The amendments ``ids`` (None: every one) with their numbers, oldest first, and their
    events by amendment, oldest first: what ``Index.amendments(ids=...)`` and
    ``Index.events_for`` answer."""
    with glance.snapshot(store, current=True) as db:
        if db is None:
            return None
        where: str = ""
        values: tuple[str, ...] = ()
        if ids is not None:
            where, values = f" WHERE id IN {_IN_LIST}", (json.dumps(list(ids)),)
        query = f"SELECT * FROM amendmentrow{where} ORDER BY created_at, id"
        rows = _dicts(db.execute(query, values))
        numbers = glance.numbers_in(db, {row["draft"] for row in rows})
        for row in rows:
            row["number"] = numbers[row["id"]][1]
        where = "" if ids is None else f" WHERE amendment IN {_IN_LIST}"
        events: dict[str, list[Event]] = {}
        for row in _dicts(db.execute(f"SELECT * FROM eventrow{where} ORDER BY at, id", values)):
            events.setdefault(row["amendment"], []).append(event_from(row))
        return [amendment_from(row) for row in rows], events


@glance.unless_unreadable
def numbers(store: glance.Repository) -> dict[str, tuple[str, int]] | None:
    """Every amendment's draft and official number, by id (``Index.numbers``)."""
    with glance.snapshot(store, current=True) as db:
        return None if db is None else glance.numbers_in(db, set())


def _dicts(cursor: sqlite3.Cursor) -> list[dict[str, Any]]:
    names = [column[0] for column in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor]
