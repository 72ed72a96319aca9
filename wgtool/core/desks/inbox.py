"""Each member's desk: what changed since they last looked, and what waits for their position.

The comparing is :mod:`wgtool.core.inbox`'s; this desk reads the record from the index, keeps
the last look (per member, per clone, outside the record) and applies the filters. Looking
and marking as seen are two steps (:meth:`InboxDesk.inbox`, :meth:`InboxDesk.mark_seen`), so
that a face can show the inbox first and let the member decide.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from wgtool.core import glance_inbox
from wgtool.core.desks.context import Record
from wgtool.core.desks.drafts import DraftsDesk
from wgtool.core.model import Status, Version
from wgtool.lazy import lazy_module

FEW = 500  # amendments read by id; more are read with all the rest, and picked out


if TYPE_CHECKING:
    from wgtool.core import inbox as comparing
    from wgtool.core.inbox import AmendmentNews, News, Seen
else:
    comparing = lazy_module("wgtool.core.inbox")  # only inboxes and syncs need it


@dataclass(frozen=True)
class Inbox:
    """One look at the member's desk.

    Attributes:
        member: Whose inbox (a handle).
        since: When they last looked in this clone (the clock's time); None: never.
        news: The amendments that changed (all that pass the filters, with ``everything``) and
            the new consensus versions (only without filters).
        waiting: How many open amendments wait for the member's position, whatever the filters.
        seen: What marking this look as seen records (the shown amendments as they are now).
    """

    member: str
    since: float | None
    news: News
    waiting: int
    seen: Seen = field(repr=False, compare=False)

    def to_dict(self) -> dict[str, object]:
        return {
            "member": self.member,
            "since": self.since,
            "first_look": self.since is None,
            **self.news.to_dict(),
            "needs_position_count": self.waiting,
        }


class InboxDesk:
    """What changed since a member last looked (the inbox), and what a sync brought."""

    def __init__(self, record: Record, drafts: DraftsDesk) -> None:
        self.record = record
        self.drafts = drafts  # the versions tagged since

    def seen_now(self) -> Seen:
        """The record as the freshly refreshed index has it, stamped with the clock's time."""
        self.record.refresh()
        glanced = glance_inbox.seen(self.record.store)  # without SQLAlchemy, when current
        if glanced is None:
            glanced = glance_inbox.Seen(self.record.index.states(), self.record.index.event_keys())
        return comparing.Seen(
            amendments=glanced.states,
            events={k: frozenset(v) for k, v in glanced.events.items()},
            versions={v.tag: v.commit for v in self._versions()},
            at=self.record.clock(),
        )

    def _versions(self) -> list[Version]:
        """The consensus versions, from the index file while it is current (the tags judged
        by its refresh), else judged here."""
        found = glance_inbox.versions(self.record.store)
        return self.drafts.all_versions() if found is None else found

    def news(self, before: Seen, now: Seen, *, actor: str | None = None) -> News:
        """What changed from ``before`` to ``now``; with ``actor``, leaving out what they did."""
        items = self._news_items(before, before.changed_ids(now), actor)
        return comparing.News(
            tuple(item for item in items if item.changes),
            before.new_versions(self._versions()),
        )

    def _news_items(
        self, before: Seen, ids: Sequence[str], actor: str | None
    ) -> list[AmendmentNews]:
        """The amendments ``ids``, oldest first, each with what changed (perhaps nothing)."""
        if not ids:
            return []
        wanted = set(ids)
        # Many ids: one pass over every row is faster than a long IN (...) list.
        some = list(ids) if len(ids) <= FEW else None
        found = glance_inbox.news_rows(self.record.store, some)
        if found is None:
            found = self.record.index.amendments(ids=some), self.record.index.events_for(some)
        amendments, events = found
        return [
            comparing.AmendmentNews(
                a, comparing.changes(a, before, events.get(a.id, ()), actor=actor)
            )
            for a in amendments
            if a.id in wanted
        ]

    def inbox(
        self, *, needs_position: bool = False, mine: bool = False, everything: bool = False
    ) -> Inbox:
        """The acting member's inbox: what changed since their last look here (``everything``:
        every amendment, changed or not), narrowed to those that need their position and/or
        those they proposed. Nothing is marked as seen: see :meth:`mark_seen`."""
        actor = self.record.actor().handle
        before = comparing.LastLook(self.record.store, self.record.notify).read(actor)
        now = self.seen_now()
        base = before or comparing.Seen()
        ids = list(now.amendments) if everything else base.changed_ids(now)
        waiting = self._waiting_for(actor)
        items = [
            comparing.AmendmentNews(
                item.amendment,
                item.changes,
                needs_position=item.amendment.id in waiting,
                mine=item.amendment.proposer == actor,
            )
            for item in self._news_items(base, ids, actor)
        ]
        items = [
            item
            for item in items
            if (item.needs_position or not needs_position) and (item.mine or not mine)
        ]
        filtered = needs_position or mine
        shown = tuple(item for item in items if item.changes or everything)
        versions = () if filtered else base.new_versions(self.drafts.all_versions())
        seen = now.only([item.amendment.id for item in items], versions=not filtered)
        return Inbox(
            actor,
            None if before is None else before.at,
            comparing.News(shown, versions),
            len(waiting),
            seen,
        )

    def _waiting_for(self, actor: str) -> set[str]:
        """The open amendments that wait for ``actor``'s position on their current revision."""
        own = self.record.index.events_for(types=("position",), member=actor)
        return {
            a.id
            for a in self.record.index.amendments(status=Status.OPEN.value)
            if comparing.needs_position(a, own.get(a.id, ()), actor)
        }

    def mark_seen(self, inbox: Inbox) -> None:
        """Remember what ``inbox`` showed as seen by its member (in this clone only)."""
        comparing.LastLook(self.record.store, self.record.notify).record(inbox.member, inbox.seen)
