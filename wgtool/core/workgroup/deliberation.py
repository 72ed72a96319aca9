"""Deliberation: positions, comments and replies, rejection and withdrawal, and consensus."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from wgtool.core import glance, validate
from wgtool.core.consensus import as_position, compute_consensus, shared_briefs
from wgtool.core.errors import InvalidInput, NotFound
from wgtool.core.gitstore import retry_cas
from wgtool.core.messages import format_message
from wgtool.core.model import Amendment, Consensus, Event, Member, Stance
from wgtool.core.rulebook import EVENTS_PREFIX, MAIN, MAIN_REF, chain_trailer
from wgtool.core.workgroup.amendments import AmendmentsDesk
from wgtool.core.workgroup.handle import require_open

EventCheck = Callable[[], tuple[str | None, dict[str, str | None] | None]]
"""Run inside each compare-and-swap attempt of :meth:`DeliberationDesk.write_event`: refuses
the write, or gives the chain's tip and the refs that must not have moved."""


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


def event_file(event: Event) -> bytes:
    """The bytes of ``events/<id>.json`` for ``event``, exactly as wgtool writes them."""
    text = json.dumps(event.to_dict(), ensure_ascii=False, indent=1, sort_keys=True)
    return (text + "\n").encode()


def event_message(event: Event, actor: Member, main: str) -> str:
    """The commit message of ``event`` by ``actor``, made against the main commit ``main``."""
    subject = chain_trailer(event.amendment)
    what = f"draft {subject[1]}" if event.draft is not None else f"amendment {subject[1]}"
    where = f"paragraph {event.paragraph} of {what}" if event.paragraph else what
    summary = {
        "comment": f"Comment on {where}",
        "position": f"Position ({event.stance}) on {what}",
        "reject": f"Reject {what}",
        "withdraw": f"Withdraw {what}",
        "cosponsor": f"{'Co-sponsor' if event.state == 'on' else 'Stop co-sponsoring'} {what}",
        "bracket": f"Bracket words in {where}",
        "unbracket": f"Lift bracket {event.target} in {what}",
        "status": f"Paragraph status ({event.state}) of {where}",
        "window": f"Amendment window {event.state} for {what}",
        "silence": f"Silence procedure on {what}",
        "silence-break": f"Break silence {event.target} on {what}",
    }[event.type]
    trailers = [
        subject,
        ("Event", event.type),
        ("Event-Id", event.id),
        ("Member", actor.handle),
        ("Stakeholder-Group", actor.group),
        (MAIN, main),
    ]
    return format_message(summary, "", trailers)


class DeliberationDesk(AmendmentsDesk):
    """Members take positions and comment; the chair rejects; the proposer withdraws."""

    def events(self, amendment_id: str) -> list[Event]:
        full = self.resolve_id(amendment_id)
        return self.index.events(full)

    def comments(self, amendment_id: str) -> list[Thread]:
        return threads([e for e in self.events(amendment_id) if e.type == "comment"])

    def consensus(self, amendment: Amendment, events: list[Event] | None = None) -> Consensus:
        if events is None:
            events = [
                as_position(e)
                for e in self.index.events(amendment.id)
                if e.type in ("position", "silence-break")
            ]
        return compute_consensus(self.settings, amendment, events)

    def consensus_many(self, amendments: list[Amendment]) -> dict[str, Consensus]:
        positions = self.index.positions_for(
            [a.id for a in amendments] if len(amendments) < 500 else None
        )
        settings = self.settings
        return {a.id: compute_consensus(settings, a, positions.get(a.id, [])) for a in amendments}

    def consensus_briefs(self, amendments: list[Amendment]) -> dict[str, Consensus]:
        """Each amendment's verdict and its groups' states, as the index keeps them (no
        members' positions: for listings; :meth:`consensus` has the whole matrix)."""
        states = self.index.consensus_states(
            [a.id for a in amendments] if len(amendments) < 500 else None
        )
        settings = self.settings
        brief = shared_briefs(settings)
        return {a.id: brief(*states.get(a.id, ("pending", ()))) for a in amendments}

    def listing(
        self,
        *,
        draft: str | None = None,
        status: str | None = None,
        group: str | None = None,
        text: str | None = None,
        paragraph: int | None = None,
    ) -> list[tuple[Amendment, Consensus]]:
        """The amendments matching every filter given, as :meth:`amendments` lists them (to
        one paragraph, with ``paragraph``), each with its consensus as
        :meth:`consensus_briefs` gives it.

        When the index is current they are read at a glance, in one query and without
        importing SQLAlchemy (see :mod:`wgtool.core.glance`); else from the refreshed index.
        """
        self.check_filters(draft=draft, status=status, group=group)
        rows = glance.listing(self.store, draft=draft, status=status, group=group, text=text)
        if rows is None:
            amendments = self.amendments(draft=draft, status=status, group=group, text=text)
            briefs = self.consensus_briefs(amendments)
            found = [(a, briefs[a.id]) for a in amendments]
        else:
            brief = shared_briefs(self.settings)
            found = [(a, brief(verdict, groups)) for a, verdict, groups in rows]
        return [(a, c) for a, c in found if paragraph is None or a.paragraph == paragraph]

    def open_counts(self, slug: str) -> dict[int, int]:
        self.refresh()
        return self.index.open_counts(slug)

    def _add_event(
        self,
        amendment: Amendment,
        actor: Member,
        type_: str,
        *,
        text: str = "",
        stance: str | None = None,
        reply_to: str | None = None,
        while_open: str | None = None,
        lapsed_too: bool = False,
        **details: Any,
    ) -> Event:
        """Append one event to the amendment's chain.

        ``while_open`` (the verb, for the error) makes the write depend on the amendment being
        open (or lapsed, with ``lapsed_too``): that is checked again inside every
        compare-and-swap attempt, and the write lands only while main and the chain are as they
        were when it was checked.
        """
        event = self.new_event(
            amendment.id,
            type_,
            actor,
            revision=amendment.revision,
            stance=stance,
            text=text,
            reply_to=reply_to,
            **details,
        )

        def check() -> tuple[str | None, dict[str, str | None] | None]:
            if while_open is None:
                return self.store.resolve(EVENTS_PREFIX + amendment.id), None
            _, tips = self.open_state(amendment.id, while_open, lapsed_too=lapsed_too)
            return tips.get(EVENTS_PREFIX + amendment.id), {MAIN_REF: tips.get(MAIN_REF)}

        self.write_event(event, actor, check)
        return event

    def new_event(self, key: str, type_: str, actor: Member, **fields: Any) -> Event:
        """An event of ``type_`` by ``actor`` in chain ``key``, made now, with a fresh id."""
        at = round(self.clock(), 6)
        return Event(
            id=f"{int(at * 1000):x}-{self.ids()[-6:]}",
            amendment=key,
            type=type_,
            member=actor.handle,
            group=actor.group,
            at=at,
            revision=fields.pop("revision", 1),
            **fields,
        )

    def write_event(
        self,
        event: Event,
        actor: Member,
        check: EventCheck | None = None,
    ) -> None:
        """Append ``event`` to its chain. ``check`` (run again inside every compare-and-swap
        attempt) refuses the write or returns the chain's tip and the refs that must not have
        moved since it looked."""
        data = event_file(event)
        ref = EVENTS_PREFIX + event.amendment
        message = self._event_message(event, actor, self.store.resolve(ref))
        person = self.person(actor, int(event.at))

        def attempt() -> None:
            tip, verify = check() if check is not None else (self.store.resolve(ref), None)
            base_tree = self.store.commit(tip).tree if tip else None
            tree = self.store.write_tree(base_tree, {f"events/{event.id}.json": data})
            commit = self.store.write_commit(tree, [tip] if tip else [], message, person, person)
            self.store.update_ref(ref, commit, tip, f"wgtool {event.type}", verify=verify)

        retry_cas(attempt)

    def _event_message(self, event: Event, actor: Member, tip: str | None) -> str:
        return event_message(event, actor, self.made_against(actor, tip))

    def comment(self, amendment_id: str, text: str, *, reply_to: str | None = None) -> Event:
        actor = self.require("comment")
        text = validate.text(text, "comment")
        amendment = self.amendment(amendment_id)
        if reply_to is not None:
            reply_to = reply_to.strip()
            matches = [
                e.id
                for e in self.index.events(amendment.id)
                if e.type == "comment" and e.id.startswith(reply_to)
            ]
            if not reply_to or not matches:
                raise NotFound(f"no comment {reply_to!r} on amendment {amendment.id}")
            if len(matches) > 1:
                raise InvalidInput(f"comment id {reply_to!r} is ambiguous")
            reply_to = matches[0]
        return self._add_event(amendment, actor, "comment", text=text, reply_to=reply_to)

    def position(self, amendment_id: str, stance: str, *, reason: str = "") -> Event:
        actor = self.require("position")
        try:
            parsed = Stance(stance)
        except ValueError:
            raise InvalidInput(
                f"unknown position {stance!r}: use {', '.join(s.value for s in Stance)}"
            ) from None
        reason = validate.text(reason, "reason", allow_empty=True)
        amendment = self.amendment(amendment_id)
        require_open(amendment, "take a position on")
        return self._add_event(
            amendment,
            actor,
            "position",
            text=reason,
            stance=parsed.value,
            while_open="take a position on",
        )

    def reject(self, amendment_id: str, *, reason: str) -> Event:
        actor = self.require("reject")
        reason = validate.text(reason, "reason")
        amendment = self.amendment(amendment_id)
        require_open(amendment, "reject", lapsed_too=True)
        return self._add_event(
            amendment, actor, "reject", text=reason, while_open="reject", lapsed_too=True
        )

    def withdraw(self, amendment_id: str, *, reason: str = "") -> Event:
        actor, amendment = self.own_open_amendment(amendment_id, "withdraw")
        return self._add_event(
            amendment,
            actor,
            "withdraw",
            text=validate.text(reason, "reason", allow_empty=True),
            while_open="withdraw",
            lapsed_too=True,
        )
