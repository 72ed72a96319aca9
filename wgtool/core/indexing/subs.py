"""Where each sub-amendment stands, derived from its amendment.

A sub-amendment taken in by a revision of its amendment is ``accepted`` (``merged_by``: who
took it in, its amendment's proposer or the chair; ``merge_commit``: that revision). One still
undecided lapses when its amendment is no longer open (merged, withdrawn, rejected, lapsed) or
has been revised past the revision it was made against, and is open again should that change.
"""

from __future__ import annotations

import json
import sqlite3

from wgtool.core.indexing.rows import AMENDMENTS, IN_LIST, in_list, update
from wgtool.core.model import Status

_UNDECIDED = (Status.OPEN.value, Status.LAPSED.value, Status.ACCEPTED.value)


def update_sub_amendments(db: sqlite3.Connection) -> None:
    """Set every sub-amendment's status from its amendment's row (one pass, few rows)."""
    query = f"SELECT id, amends, amends_revision, status FROM {AMENDMENTS} WHERE amends IS NOT NULL"
    subs = db.execute(query).fetchall()
    if not subs:
        return
    query = f"SELECT id, status, head, takes_in FROM {AMENDMENTS} WHERE id IN {IN_LIST}"
    parents = {
        row[0]: row
        for row in db.execute(query, (in_list(sorted({amends for _, amends, _, _ in subs})),))
    }
    updates = []
    for sub, amends, against, status in subs:
        parent = parents.get(amends)
        if parent is None or status not in _UNDECIDED:
            continue
        _, parent_status, parent_head, takes_in = parent
        taken = next((entry for entry in json.loads(takes_in or "[]") if entry[0] == sub), None)
        if taken is not None:
            updates.append((Status.ACCEPTED.value, taken[2], taken[1], sub))
        elif parent_status != Status.OPEN.value or parent_head != against:
            updates.append((Status.LAPSED.value, None, None, sub))
        else:
            updates.append((Status.OPEN.value, None, None, sub))
    update(db, AMENDMENTS, ["status", "merged_by", "merge_commit"], updates)
