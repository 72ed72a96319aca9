"""Deliberation: positions, comments and replies, rejection and withdrawal, and consensus."""

from __future__ import annotations

import json
from dataclasses import dataclass

from wgtool.core import validate
from wgtool.core.consensus import compute_consensus
from wgtool.core.errors import InvalidInput, NotFound
from wgtool.core.gitstore import retry_cas
from wgtool.core.messages import format_message
from wgtool.core.model import Amendment, Consensus, Event, Member, Stance
from wgtool.core.rulebook import EVENTS_PREFIX, MAIN, MAIN_REF
from wgtool.core.workgroup.amendments import AmendmentsDesk
from wgtool.core.workgroup.handle import require_open


@dataclass(frozen=True)
class Thread:
    """A comment with its replies, in stable order."""

    comment: Event
    replies: tuple[Thread, ...]


def event_file(event: Event) -> bytes:
    """The bytes of ``events/<id>.json`` for ``event``, exactly as wgtool writes them."""
    text = json.dumps(event.to_dict(), ensure_ascii=False, indent=1, sort_keys=True)
    return (text + "\n").encode()


def event_message(event: Event, actor: Member, main: str) -> str:
    """The commit message of ``event`` by ``actor``, made against the main commit ``main``."""
    summary = {
        "comment": "Comment on",
        "position": f"Position ({event.stance}) on",
        "reject": "Reject",
        "withdraw": "Withdraw",
    }[event.type]
    trailers = [
        ("Amendment-Id", event.amendment),
        ("Event", event.type),
        ("Event-Id", event.id),
        ("Member", actor.handle),
        ("Stakeholder-Group", actor.group),
        (MAIN, main),
    ]
    return format_message(f"{summary} amendment {event.amendment}", "", trailers)


class DeliberationDesk(AmendmentsDesk):
    """Members take positions and comment; the chair rejects; the proposer withdraws."""

    def events(self, amendment_id: str) -> list[Event]:
        full = self.resolve_id(amendment_id)
        return self.index.events(full)

    def comments(self, amendment_id: str) -> list[Thread]:
        events = [e for e in self.events(amendment_id) if e.type == "comment"]
        by_parent: dict[str | None, list[Event]] = {}
        ids = {e.id for e in events}
        for e in events:
            parent = e.reply_to if e.reply_to in ids else None
            by_parent.setdefault(parent, []).append(e)

        def build(parent: str | None) -> tuple[Thread, ...]:
            return tuple(Thread(e, build(e.id)) for e in by_parent.get(parent, []))

        return list(build(None))

    def consensus(self, amendment: Amendment, events: list[Event] | None = None) -> Consensus:
        if events is None:
            events = [e for e in self.index.events(amendment.id) if e.type == "position"]
        return compute_consensus(self.settings, amendment, events)

    def consensus_many(self, amendments: list[Amendment]) -> dict[str, Consensus]:
        positions = self.index.positions_for(
            [a.id for a in amendments] if len(amendments) < 500 else None
        )
        settings = self.settings
        return {a.id: compute_consensus(settings, a, positions.get(a.id, [])) for a in amendments}

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
    ) -> Event:
        """Append one event to the amendment's chain.

        ``while_open`` (the verb, for the error) makes the write depend on the amendment being
        open (or lapsed, with ``lapsed_too``): that is checked again inside every
        compare-and-swap attempt, and the write lands only while main and the chain are as they
        were when it was checked.
        """
        at = round(self.clock(), 6)
        event = Event(
            id=f"{int(at * 1000):x}-{self.ids()[-6:]}",
            amendment=amendment.id,
            type=type_,
            member=actor.handle,
            group=actor.group,
            at=at,
            revision=amendment.revision,
            stance=stance,
            text=text,
            reply_to=reply_to,
        )
        data = event_file(event)
        ref = EVENTS_PREFIX + amendment.id
        message = self._event_message(event, actor, self.store.resolve(ref))
        person = self.person(actor, int(event.at))

        def attempt() -> None:
            verify: dict[str, str | None] | None = None
            if while_open is None:
                tip = self.store.resolve(ref)
            else:
                _, tips = self.open_state(amendment.id, while_open, lapsed_too=lapsed_too)
                tip = tips.get(ref)
                verify = {MAIN_REF: tips.get(MAIN_REF)}
            base_tree = self.store.commit(tip).tree if tip else None
            tree = self.store.write_tree(base_tree, {f"events/{event.id}.json": data})
            commit = self.store.write_commit(tree, [tip] if tip else [], message, person, person)
            self.store.update_ref(ref, commit, tip, f"wgtool {type_}", verify=verify)

        retry_cas(attempt)
        return event

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
