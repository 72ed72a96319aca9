"""Deliberation: positions, comments and replies, rejection and withdrawal, and consensus."""

from __future__ import annotations

from dataclasses import dataclass

from wgtool.core import glance, validate
from wgtool.core.consensus import Consensus, as_position, compute_consensus, shared_briefs
from wgtool.core.desks.amendments import AmendmentsDesk
from wgtool.core.desks.chains import Chains
from wgtool.core.desks.context import Record, require_open
from wgtool.core.errors import InvalidInput, NotFound
from wgtool.core.model import Amendment, Event, Stance


@dataclass(frozen=True)
class Thread:
    """A comment with its replies, in stable order."""

    comment: Event
    replies: tuple[Thread, ...]

    def to_dict(self) -> dict[str, object]:
        c = self.comment
        return {
            "id": c.id,
            "member": c.member,
            "group": c.group,
            "at": c.at,
            "text": c.text,
            "reply_to": c.reply_to,
            "replies": [r.to_dict() for r in self.replies],
        }

    def count(self) -> int:
        """The comment and all its replies."""
        return 1 + sum(r.count() for r in self.replies)


def threads(comments: list[Event]) -> list[Thread]:
    """Comments as threads: each with its replies, in the order given (a reply to a comment
    that is not among them starts a thread of its own)."""
    by_parent: dict[str | None, list[Event]] = {}
    ids = {e.id for e in comments}
    for e in comments:
        parent = e.reply_to if e.reply_to in ids else None
        by_parent.setdefault(parent, []).append(e)

    def build(parent: str | None) -> tuple[Thread, ...]:
        return tuple(Thread(e, build(e.id)) for e in by_parent.get(parent, []))

    return list(build(None))


class DeliberationDesk:
    """Members take positions and comment; the chair rejects; the proposer withdraws."""

    def __init__(self, record: Record, amendments: AmendmentsDesk, chains: Chains) -> None:
        self.record = record
        self.amendments = amendments
        self.chains = chains

    def events(self, amendment_id: str) -> list[Event]:
        full = self.amendments.resolve_id(amendment_id)
        return self.record.read(lambda index: index.events(full))

    def comments(self, amendment_id: str) -> list[Thread]:
        return threads([e for e in self.events(amendment_id) if e.type == "comment"])

    def consensus(self, amendment: Amendment, events: list[Event] | None = None) -> Consensus:
        if events is None:
            events = [
                as_position(e)
                for e in self.record.read(lambda index: index.events(amendment.id))
                if e.type in ("position", "silence-break")
            ]
        return compute_consensus(self.record.settings, amendment, events)

    def consensus_many(self, amendments: list[Amendment]) -> dict[str, Consensus]:
        positions = self.record.index.positions_for(
            [a.id for a in amendments] if len(amendments) < 500 else None
        )
        settings = self.record.settings
        return {a.id: compute_consensus(settings, a, positions.get(a.id, [])) for a in amendments}

    def consensus_briefs(self, amendments: list[Amendment]) -> dict[str, Consensus]:
        """Each amendment's verdict and its groups' states, as the index keeps them (no
        members' positions: for listings; :meth:`consensus` has the whole matrix)."""
        states = self.record.index.consensus_states(
            [a.id for a in amendments] if len(amendments) < 500 else None
        )
        settings = self.record.settings
        brief = shared_briefs(settings)
        return {a.id: brief(*states.get(a.id, ("pending", ()))) for a in amendments}

    def listing(
        self,
        *,
        draft: str | None = None,
        status: str | None = None,
        group: str | None = None,
        proposer: str | None = None,
        text: str | None = None,
        paragraph: int | None = None,
    ) -> list[tuple[Amendment, Consensus]]:
        """The amendments matching every filter given, as :meth:`amendments` lists them (to
        one paragraph, with ``paragraph``), each with its consensus as
        :meth:`consensus_briefs` gives it.

        When the index is current they are read at a glance, in one query and without
        importing SQLAlchemy (see :mod:`wgtool.core.glance`); else from the refreshed index.
        """
        self.amendments.check_filters(draft=draft, status=status, group=group)
        filters = {"draft": draft, "status": status, "group": group, "proposer": proposer}
        rows = glance.listing(self.record.store, **filters, text=text)
        if rows is None:
            amendments = self.amendments.amendments(**filters, text=text)
            briefs = self.consensus_briefs(amendments)
            found = [(a, briefs[a.id]) for a in amendments]
        else:
            brief = shared_briefs(self.record.settings)
            found = [(a, brief(verdict, groups)) for a, verdict, groups in rows]
        return [(a, c) for a, c in found if paragraph is None or a.paragraph == paragraph]

    def open_counts(self, slug: str) -> dict[int, int]:
        self.record.refresh()
        return self.record.index.open_counts(slug)

    def comment(self, amendment_id: str, text: str, *, reply_to: str | None = None) -> Event:
        actor = self.record.require("comment")
        text = validate.text(text, "comment")
        amendment = self.amendments.amendment(amendment_id, settled=True)
        if reply_to is not None:
            reply_to = reply_to.strip()
            matches = [
                e.id
                for e in self.record.index.events(amendment.id)
                if e.type == "comment" and e.id.startswith(reply_to)
            ]
            if not reply_to or not matches:
                raise NotFound(f"no comment {reply_to!r} on amendment {amendment.id}")
            if len(matches) > 1:
                raise InvalidInput(f"comment id {reply_to!r} is ambiguous")
            reply_to = matches[0]
        return self.chains.add_event(amendment, actor, "comment", text=text, reply_to=reply_to)

    def position(self, amendment_id: str, stance: str, *, reason: str = "") -> Event:
        actor = self.record.require("position")
        try:
            parsed = Stance(stance)
        except ValueError:
            raise InvalidInput(
                f"unknown position {stance!r}: use {', '.join(s.value for s in Stance)}"
            ) from None
        reason = validate.text(reason, "reason", allow_empty=True)
        amendment = self.amendments.amendment(amendment_id, settled=True)
        require_open(amendment, "take a position on")
        return self.chains.add_event(
            amendment,
            actor,
            "position",
            text=reason,
            stance=parsed.value,
            while_open="take a position on",
        )

    def reject(self, amendment_id: str, *, reason: str) -> Event:
        actor = self.record.require("reject")
        reason = validate.text(reason, "reason")
        amendment = self.amendments.amendment(amendment_id)
        require_open(amendment, "reject", lapsed_too=True)
        return self.chains.add_event(
            amendment, actor, "reject", text=reason, while_open="reject", lapsed_too=True
        )

    def withdraw(self, amendment_id: str, *, reason: str = "") -> Event:
        actor, amendment = self.amendments.own_open_amendment(amendment_id, "withdraw")
        return self.chains.add_event(
            amendment,
            actor,
            "withdraw",
            text=validate.text(reason, "reason", allow_empty=True),
            while_open="withdraw",
            lapsed_too=True,
        )
