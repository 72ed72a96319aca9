"""Each amendment's consensus in the index, under main's rule (see :func:`update_consensus`)."""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from wgtool.core.consensus import PositionRow, consensus_states
from wgtool.core.errors import WgError
from wgtool.core.indexed import CONSENSUS_SETTINGS
from wgtool.core.indexing.rows import (
    AMENDMENTS,
    BATCH,
    CONSENSUS,
    EVENTS,
    IN_LIST,
    META,
    in_list,
    insert,
    update,
    upsert,
)
from wgtool.core.model import ConsensusRule, GroupState, Settings, Verdict
from wgtool.core.record.config import SETTINGS_PATH, parse_settings
from wgtool.core.record.gitstore import GitStore


def update_consensus(
    db: sqlite3.Connection, store: GitStore, main: str | None, touched: set[str]
) -> None:
    """Each amendment's consensus under main's rule (as every command reads it), kept so
    that listings do not recompute it: for the amendments whose chain or events changed,
    or for every one when main's groups or rule changed. The rule is kept with it, so a
    refresh that only received events reads nothing of main."""
    kept = db.execute(f"SELECT value FROM {META} WHERE key = ?", (CONSENSUS_SETTINGS,)).fetchone()
    stored = json.loads((kept and kept[0]) or "{}")
    ids: list[str] | None = sorted(touched)
    if stored.get("main") != main:
        rule = _consensus_rule(store, main)
        if rule is None:
            return  # no main, or no settings wgtool can read: listings show no verdict
        if rule != stored.get("rule"):
            ids = None  # every amendment, under the new rule
        stored = {"main": main, "rule": rule}
        upsert(db, META, [{"key": CONSENSUS_SETTINGS, "value": json.dumps(stored)}])
    elif not touched:
        return
    rule = stored["rule"]
    settings = Settings("", dict(rule["groups"]), ConsensusRule(**rule["consensus"]))
    if ids is None:
        ids = [i for (i,) in db.execute(f"SELECT id FROM {AMENDMENTS} ORDER BY id")]
    # Each consensus is kept once, and an amendment names its row: thousands of
    # amendments stand at a few hundred.
    query = f"SELECT key, verdict, groups FROM {CONSENSUS}"
    keys = {(verdict, groups): key for key, verdict, groups in db.execute(query)}
    for start in range(0, len(ids), BATCH):  # a clone's every amendment, a batch at a time
        _store_consensus(db, settings, ids[start : start + BATCH], keys)
    if ids:
        # A consensus no amendment stands at any more is forgotten.
        db.execute(
            f"DELETE FROM {CONSENSUS} WHERE key NOT IN"
            f" (SELECT consensus_key FROM {AMENDMENTS} WHERE consensus_key IS NOT NULL)"
        )


def _store_consensus(
    db: sqlite3.Connection, settings: Settings, ids: list[str], keys: dict[tuple[str, str], int]
) -> None:
    """The consensus of the amendments ``ids`` under ``settings``, each kept under its key
    in ``keys`` (a new one added)."""
    listed = (in_list(ids),)
    query = f"SELECT id, proposer, revision FROM {AMENDMENTS} WHERE id IN {IN_LIST} ORDER BY id"
    amendments = db.execute(query, listed).fetchall()
    positions: dict[str, list[PositionRow]] = {}
    # A silence broken is its breaker's objection (as consensus.as_position says).
    query = (
        'SELECT amendment, at, id, member, "group",'
        " CASE type WHEN 'silence-break' THEN 'object' ELSE stance END, revision"
        f" FROM {EVENTS} WHERE type IN ('position', 'silence-break') AND amendment IN {IN_LIST}"
    )
    for amendment, *position in db.execute(query, listed):
        positions.setdefault(amendment, []).append(tuple(position))
    last = max(keys.values(), default=0)
    spelled: dict[tuple[Verdict, tuple[tuple[str, GroupState], ...]], tuple[str, str]] = {}
    updates, new = [], []
    for amendment, proposer, revision in amendments:
        found = consensus_states(settings, proposer, revision, positions.get(amendment, ()))
        if found not in spelled:
            spelled[found] = (found[0].value, json.dumps([list(pair) for pair in found[1]]))
        states = spelled[found]
        if states not in keys:
            last = keys[states] = last + 1
            new.append({"key": last, "verdict": states[0], "groups": states[1]})
        updates.append((keys[states], amendment))
    insert(db, CONSENSUS, new)
    update(db, AMENDMENTS, ["consensus_key"], updates)


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
