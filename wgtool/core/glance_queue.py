"""The amendment queue at a glance: what ``DeliberationDesk.listing`` answers, with the draft
and group choices of its filters, read from the index file with :mod:`sqlite3` alone.

The terminal UI opens the queue with it, before GitPython or SQLAlchemy are needed (and
without waiting for the working group, which another worker may be using). It answers only
when the index file answers exactly as the refreshed index would (see :mod:`wgtool.core.glance`):
of this schema version, with the fingerprint of the ref listing it stored the current one, and
with the groups and consensus rule it kept those of main as it is now (each amendment's
consensus was worked out under them). Otherwise, or when the file cannot be read, or a filter
names no draft, status or group, the answer is None and the caller asks the working group,
whose index refreshes or heals itself first and which words the errors.
"""

from __future__ import annotations

import json
import os
import sqlite3
from dataclasses import dataclass

from wgtool.core import glance
from wgtool.core.consensus import Consensus, shared_briefs
from wgtool.core.errors import InvalidInput
from wgtool.core.indexed import CONSENSUS_SETTINGS
from wgtool.core.model import Amendment, ConsensusRule, Settings, Status
from wgtool.core.record.refnames import MAIN_REF
from wgtool.core.validate import name


@dataclass(frozen=True)
class QueueFilters:
    """What the queue lists: the amendments to one draft, in one status, proposed by one
    stakeholder group, with words of their title or rationale, their id or proposer, to one
    paragraph (None: any)."""

    draft: str | None = None
    status: str | None = None
    group: str | None = None
    text: str | None = None
    paragraph: int | None = None


@dataclass(frozen=True)
class GlancedQueue:
    """Amendments with their consensus, oldest first, and the choices of the queue's filters."""

    listed: list[tuple[Amendment, Consensus]]
    drafts: list[str]
    """Every draft on main, by slug."""
    groups: dict[str, str]
    """Main's stakeholder groups: slug to name, in the working group's order."""


def queue(store: glance.Repository, filters: QueueFilters) -> GlancedQueue | None:
    """The amendments matching every filter, as ``DeliberationDesk.listing`` lists them, or
    None when the index is not current (see the module's description)."""
    if filters.status is not None and filters.status not in {s.value for s in Status}:
        return None
    try:
        if filters.draft is not None:
            name(filters.draft, "draft")
        return _read(store, filters)
    # A file damaged, locked or foreign, or a row or kept rule changed by hand: the working
    # group's index heals itself (and a bad filter is worded by the desk).
    except (sqlite3.Error, ValueError, TypeError, KeyError, InvalidInput):
        return None


def _read(store: glance.Repository, filters: QueueFilters) -> GlancedQueue | None:
    with glance.snapshot(store, current=False) as db:  # this schema version: asked here
        if db is None:
            return None
        listing = glance.indexed_listing(store, tags=False)  # the queue shows no version
        meta = dict(
            db.execute(
                "SELECT key, value FROM meta WHERE key IN ('refs', ?)", (CONSENSUS_SETTINGS,)
            )
        )
        if meta.get("refs") != glance.fingerprints(listing)["refs"]:
            return None  # main, an amendment or events moved since the index's last refresh
        kept = json.loads(meta.get(CONSENSUS_SETTINGS) or "{}")
        main = glance.tips_of(listing).get(MAIN_REF)
        if main is None or kept.get("main") != main:
            return None  # the consensus columns follow no rule of main as it is
        rule = kept["rule"]
        groups = {glance.text(slug): glance.text(label) for slug, label in rule["groups"]}
        if filters.group is not None and filters.group not in groups:
            return None
        columns = {"draft": filters.draft, "status": filters.status, '"group"': filters.group}
        rows = glance.listed_in(db, columns, filters.text)
        drafts = sorted(glance.text(slug) for (slug,) in db.execute("SELECT slug FROM draftrow"))
    brief = shared_briefs(Settings("", groups, ConsensusRule(**rule["consensus"])))
    paragraph = filters.paragraph
    listed = [
        (a, brief(verdict, states))
        for a, verdict, states in rows
        if paragraph is None or a.paragraph == paragraph
    ]
    return GlancedQueue(listed, drafts, groups)


def queue_at(path: str | os.PathLike[str], filters: QueueFilters) -> GlancedQueue | None:
    """:func:`queue` of the repository at ``path`` (or a folder above it), found and read
    without GitPython; None when there is none or its index is not current."""
    folder = glance.GitFolder.find(path)
    return None if folder is None else queue(folder, filters)
