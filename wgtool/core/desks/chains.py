"""Event chains: the events of an amendment or a draft, written and read.

Every event is a commit adding ``events/<id>.json`` to its chain, ``refs/wg/events/<id>`` (an
amendment's) or ``refs/wg/events/draft-<slug>`` (a draft's), moved by compare-and-swap. The
deliberation, agreement and procedure desks write through these chains; the amendment window
is read here because tabling an amendment consults it.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import Any

from wgtool.core import validate
from wgtool.core.agreement import Window
from wgtool.core.desks.context import Record
from wgtool.core.errors import InvalidInput, NotFound, Remedy, StateError
from wgtool.core.model import Amendment, Event, Member
from wgtool.core.record.gitstore import retry_cas
from wgtool.core.record.messages import format_message
from wgtool.core.record.rulebook import EVENTS_PREFIX, MAIN, MAIN_REF, chain_trailer, draft_chain

EventCheck = Callable[[], tuple[str | None, dict[str, str | None] | None]]
"""Run inside each compare-and-swap attempt of :meth:`Chains.write_event`: refuses
the write, or gives the chain's tip and the refs that must not have moved."""


DRAFT_TYPES = ("bracket", "unbracket", "status", "window", "silence", "silence-break", "comment")


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
        "focus": f"Focus on {where}",
        "reservation": f"Reservation on {where} as of version {event.target}",
        "explanation": f"Explanation of position on {what} as of version {event.target}",
        "retract": f"Retract {event.target} on {what}",
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


class Chains:
    """Writing events to a chain and reading a draft's chain (needs only the record)."""

    def __init__(self, record: Record) -> None:
        self.record = record

    def add_event(
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
        compare-and-swap attempt (at a glance where the index file settles it: see
        :meth:`Record.open_state`), and the write lands only while main and the chain are as
        they were when it was checked.
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
                return self.record.tip(EVENTS_PREFIX + amendment.id), None
            _, tips = self.record.open_state(
                amendment.id, while_open, lapsed_too=lapsed_too, settled=True
            )
            return tips.get(EVENTS_PREFIX + amendment.id), {MAIN_REF: tips.get(MAIN_REF)}

        self.write_event(event, actor, check)
        return event

    def new_event(self, key: str, type_: str, actor: Member, **fields: Any) -> Event:
        """An event of ``type_`` by ``actor`` in chain ``key``, made now, with a fresh id."""
        at = round(self.record.clock(), 6)
        return Event(
            id=f"{int(at * 1000):x}-{self.record.ids()[-6:]}",
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
        person = self.record.person(actor, int(event.at))
        messages: dict[str | None, str] = {}  # by the chain's tip it follows

        def attempt() -> None:
            tip, verify = check() if check is not None else (self.record.store.resolve(ref), None)
            if tip not in messages:
                messages[tip] = self.message_for(event, actor, tip)
            message = messages[tip]
            base_tree = self.record.store.commit(tip).tree if tip else None
            tree = self.record.store.write_tree(base_tree, {f"events/{event.id}.json": data})
            commit = self.record.store.write_commit(
                tree, [tip] if tip else [], message, person, person
            )
            self.record.store.update_ref(ref, commit, tip, f"wgtool {event.type}", verify=verify)

        retry_cas(attempt)

    def message_for(self, event: Event, actor: Member, tip: str | None) -> str:
        return event_message(event, actor, self.record.made_against(actor, tip))

    def draft_event(self, slug: str, main: str, type_: str, actor: Member, **fields: Any) -> Event:
        """Write an event about draft ``slug`` as it is at main commit ``main`` (its anchor);
        it lands only while main is still that commit."""
        event = self.new_event(draft_chain(slug), type_, actor, anchor=main, **fields)
        self.write_event(event, actor, self.main_unmoved(slug, main))
        return event

    def main_unmoved(self, slug: str, main: str) -> EventCheck:
        """A check for :meth:`write_event`: the event lands only while main is ``main``."""
        ref = EVENTS_PREFIX + draft_chain(slug)

        def check() -> tuple[str | None, dict[str, str | None] | None]:
            return self.record.store.resolve(ref), {MAIN_REF: main}

        return check

    def draft_events(self, slug: str, types: Iterable[str] = DRAFT_TYPES) -> list[Event]:
        """The events in draft ``slug``'s chain (a draft without one costs no index)."""
        if self.record.store.resolve(EVENTS_PREFIX + draft_chain(slug)) is None:
            return []
        self.record.refresh()
        return self.record.index.chain_events([draft_chain(slug)], list(types))

    def find_event(self, prefix: str, type_: str) -> Event:
        prefix = prefix.strip()
        what = {"bracket": "bracket", "silence": "silence"}.get(type_, type_)
        if not prefix or not validate.ID_PREFIX_RE.match(prefix.split("-")[0] or "x"):
            raise InvalidInput(f"invalid {what} id {prefix!r}")
        self.record.refresh()
        matches = self.record.index.events_by_prefix(prefix, [type_])
        if not matches:
            raise NotFound(
                f"no {what} {prefix!r}",
                remedy=Remedy.LIST_SILENCES if what == "silence" else Remedy.LIST_BRACKETS,
            )
        if len({m.id for m in matches}) > 1:
            raise InvalidInput(f"{what} id {prefix!r} is ambiguous")
        return matches[0]

    def window(self, slug: str) -> Window:
        events = self.draft_events(slug, ("window",))
        return Window(events[-1] if events else None)

    def refuse_outside_window(self, slug: str) -> None:
        window = self.window(slug)
        now = self.record.clock()
        if not window.is_open(now):
            raise StateError(
                f"the amendment window for {slug} is closed ({window.describe(now)}): "
                "no new amendments; revisions and deliberation go on"
            )
