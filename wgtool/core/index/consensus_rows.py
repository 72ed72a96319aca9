"""Each amendment's consensus in the index, under main's rule (see :func:`update_consensus`)."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import bindparam, delete
from sqlalchemy import select as sa_select
from sqlalchemy.engine import Connection

from wgtool.core.consensus import as_position, compute_consensus
from wgtool.core.errors import WgError
from wgtool.core.index.rows import (
    AMENDMENTS,
    BATCH,
    CONSENSUS,
    EVENTS,
    META,
    amendments_from,
    event_from_row,
    execute_many,
    upsert,
)
from wgtool.core.indexed import CONSENSUS_SETTINGS
from wgtool.core.model import ConsensusRule, Event, Settings
from wgtool.core.record.config import SETTINGS_PATH, parse_settings
from wgtool.core.record.gitstore import GitStore


def update_consensus(
    conn: Connection, store: GitStore, main: str | None, touched: set[str]
) -> None:
    """Each amendment's consensus under main's rule (as every command reads it), kept so
    that listings do not recompute it: for the amendments whose chain or events changed,
    or for every one when main's groups or rule changed. The rule is kept with it, so a
    refresh that only received events reads nothing of main."""
    kept = conn.execute(sa_select(META.c.value).where(META.c.key == CONSENSUS_SETTINGS))
    stored = json.loads(kept.scalar() or "{}")
    ids: list[str] | None = sorted(touched)
    if stored.get("main") != main:
        rule = _consensus_rule(store, main)
        if rule is None:
            return  # no main, or no settings wgtool can read: listings show no verdict
        if rule != stored.get("rule"):
            ids = None  # every amendment, under the new rule
        stored = {"main": main, "rule": rule}
        conn.execute(upsert(META), [{"key": CONSENSUS_SETTINGS, "value": json.dumps(stored)}])
    elif not touched:
        return
    rule = stored["rule"]
    settings = Settings("", dict(rule["groups"]), ConsensusRule(**rule["consensus"]))
    if ids is None:
        ids = [row[0] for row in conn.execute(sa_select(AMENDMENTS.c.id))]
    # Each consensus is kept once, and an amendment names its row: thousands of
    # amendments stand at a few hundred.
    keys = {
        (verdict, groups): key
        for key, verdict, groups in conn.execute(
            sa_select(CONSENSUS.c.key, CONSENSUS.c.verdict, CONSENSUS.c.groups)
        )
    }
    for start in range(0, len(ids), BATCH):  # a clone's every amendment, a batch at a time
        _store_consensus(conn, settings, ids[start : start + BATCH], keys)
    if ids:
        # A consensus no amendment stands at any more is forgotten.
        used = sa_select(AMENDMENTS.c.consensus_key).where(AMENDMENTS.c.consensus_key.is_not(None))
        conn.execute(delete(CONSENSUS).where(CONSENSUS.c.key.not_in(used)))


def _store_consensus(
    conn: Connection, settings: Settings, ids: list[str], keys: dict[tuple[str, str], int]
) -> None:
    """The consensus of the amendments ``ids`` under ``settings``, each kept under its key
    in ``keys`` (a new one added)."""
    amendments = amendments_from(
        conn.execute(sa_select(AMENDMENTS).where(AMENDMENTS.c.id.in_(ids)))
    )
    positions: dict[str, list[Event]] = {}
    events = sa_select(EVENTS).where(
        EVENTS.c.type.in_(("position", "silence-break")), EVENTS.c.amendment.in_(ids)
    )
    for row in conn.execute(events):
        positions.setdefault(row.amendment, []).append(as_position(event_from_row(row)))
    last = max(keys.values(), default=0)
    updates, new = [], []
    for amendment in amendments:
        consensus = compute_consensus(settings, amendment, positions.get(amendment.id, []))
        states = (consensus.state, json.dumps([[g.group, g.state] for g in consensus.groups]))
        if states not in keys:
            last = keys[states] = last + 1
            new.append({"key": last, "verdict": states[0], "groups": states[1]})
        updates.append({"b_id": amendment.id, "b_key": keys[states]})
    if new:
        execute_many(conn, CONSENSUS.insert(), new)
    if updates:
        execute_many(
            conn,
            AMENDMENTS.update()
            .where(AMENDMENTS.c.id == bindparam("b_id"))
            .values(consensus_key=bindparam("b_key")),
            updates,
        )


def _consensus_rule(store: GitStore, main: str | None) -> dict[str, Any] | None:
    """What consensus depends on in main's settings: the groups, in order, and the rule."""
    data = None if main is None else store.read_file(main, SETTINGS_PATH)
    try:
        settings = parse_settings((data or b"").decode("utf-8"))
    except (WgError, UnicodeDecodeError):
        return None
    rule = settings.consensus
    return {
        "groups": [[slug, name] for slug, name in settings.groups.items()],  # as JSON reads it
        "consensus": {
            "min_supporting_groups": rule.min_supporting_groups,
            "max_objecting_groups": rule.max_objecting_groups,
            "require_all_groups_heard": rule.require_all_groups_heard,
        },
    }
