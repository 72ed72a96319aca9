"""Where each sub-amendment stands, derived from its amendment.

A sub-amendment taken in by a revision of its amendment is ``accepted`` (``merged_by``: who
took it in, its amendment's proposer or the chair; ``merge_commit``: that revision). One still
undecided lapses when its amendment is no longer open (merged, withdrawn, rejected, lapsed) or
has been revised past the revision it was made against, and is open again should that change.
"""

from __future__ import annotations

import json

from sqlalchemy import bindparam
from sqlalchemy import select as sa_select
from sqlalchemy.engine import Connection

from wgtool.core.index.rows import AMENDMENTS
from wgtool.core.model import Status

_UNDECIDED = (Status.OPEN.value, Status.LAPSED.value, Status.ACCEPTED.value)


def update_sub_amendments(conn: Connection) -> None:
    """Set every sub-amendment's status from its amendment's row (one pass, few rows)."""
    table = AMENDMENTS
    subs = conn.execute(
        sa_select(table.c.id, table.c.amends, table.c.amends_revision, table.c.status).where(
            table.c.amends.is_not(None)
        )
    ).all()
    if not subs:
        return
    parents = {
        row.id: row
        for row in conn.execute(
            sa_select(table.c.id, table.c.status, table.c.head, table.c.takes_in).where(
                table.c.id.in_(sorted({amends for _, amends, _, _ in subs}))
            )
        )
    }
    updates = []
    for sub, amends, against, status in subs:
        parent = parents.get(amends)
        if parent is None or status not in _UNDECIDED:
            continue
        taken = next(
            (entry for entry in json.loads(parent.takes_in or "[]") if entry[0] == sub), None
        )
        row: dict[str, object] = {"b_id": sub, "b_by": None, "b_commit": None}
        if taken is not None:
            row.update(b_status=Status.ACCEPTED.value, b_by=taken[2], b_commit=taken[1])
        elif parent.status != Status.OPEN.value or parent.head != against:
            row["b_status"] = Status.LAPSED.value
        else:
            row["b_status"] = Status.OPEN.value
        updates.append(row)
    if updates:
        conn.execute(
            table.update()
            .where(table.c.id == bindparam("b_id"))
            .values(
                status=bindparam("b_status"),
                merged_by=bindparam("b_by"),
                merge_commit=bindparam("b_commit"),
            ),
            updates,
        )
