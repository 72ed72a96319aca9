"""Agreement as data: brackets, paragraph status, silences and the amendment window.

What the chair and the secretariat say of a draft is recorded as events in the draft's chain
(``refs/wg/events/draft-<slug>``); a silence on an amendment, and co-sponsors, in the
amendment's chain. This module holds the plain types and the rules that read them: where a
bracket's words are now, whether an agreed paragraph changed since, whether a silence was broken
in time, whether the window is open. The desk that writes them is
:mod:`wgtool.core.desks.agreement`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from wgtool.core.errors import InvalidInput
from wgtool.core.model import Event
from wgtool.lazy import lazy_module

if TYPE_CHECKING:
    from wgtool.core import text as text_engine
else:
    text_engine = lazy_module("wgtool.core.text")  # only when a bracketed paragraph changed


class ParagraphStatus(StrEnum):
    """How far a paragraph is agreed."""

    OPEN = "open"
    AGREED = "agreed"
    AGREED_AD_REF = "agreed-ad-ref"  # agreed, pending on some groups or members


class SilenceState(StrEnum):
    """Where a silence procedure stands (see :meth:`Silence.state`)."""

    RUNNING = "running"
    ENDED = "ended"  # the deadline passed unbroken: the chair may conclude it
    BROKEN = "broken"
    CONCLUDED = "concluded"
    DISPUTED = "disputed"  # concluded, and a break stamped in time reached the record too


STATUSES = tuple(s.value for s in ParagraphStatus)
DURATION_RE = re.compile(r"^(\d{1,6})\s*([smhdw])$")
UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


def parse_when(value: str, now: float) -> float:
    """A deadline: ISO 8601 with a time zone (``2026-12-01T17:00+01:00``, ``...Z``), or a
    duration from ``now`` such as ``72h``, ``30m``, ``10s``, ``2d``; seconds since the epoch."""
    value = value.strip()
    duration = DURATION_RE.match(value)
    if duration:
        return now + int(duration.group(1)) * UNITS[duration.group(2)]
    try:
        when = datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        raise InvalidInput(
            f"{value!r} is not a time: give ISO 8601 with a time zone "
            "(2026-12-01T17:00+01:00) or a duration such as 72h, 30m or 10s"
        ) from None
    if when.tzinfo is None:
        raise InvalidInput(f"{value!r} has no time zone: add one, such as Z or +01:00")
    return when.timestamp()


def local_time(when: float) -> str:
    """A moment in the record (UTC) as the reader's local time, with its zone."""
    moment = datetime.fromtimestamp(when, UTC).astimezone()
    return moment.strftime("%Y-%m-%d %H:%M:%S %Z").strip()


def utc_iso(when: float) -> str:
    return datetime.fromtimestamp(when, UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def in_words(seconds: float) -> str:
    """A duration in its two largest units, rounded at the second: ``3 days``, ``2 days 23
    hours``, ``5 hours 12 minutes``, ``12 minutes``; under a minute, ``40 seconds``.

    Rounded to the nearest hour from a day on, and to the nearest minute from an hour on, so
    a 72-hour silence read a minute after it started has ``3 days`` left, not ``2 days``.
    """
    whole = abs(int(seconds))
    if whole < 60:
        return _counted(whole, "second")
    if whole >= 86400 - 1800:
        hours = (whole + 1800) // 3600
        days, hours = hours // 24, hours % 24
        return _counted(days, "day") + (f" {_counted(hours, 'hour')}" if hours else "")
    minutes = (whole + 30) // 60
    hours, minutes = minutes // 60, minutes % 60
    if hours:
        return _counted(hours, "hour") + (f" {_counted(minutes, 'minute')}" if minutes else "")
    return _counted(minutes, "minute")


def _counted(count: int, unit: str) -> str:
    return f"{count} {unit}{'s' if count != 1 else ''}"


# -- brackets ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Bracket:
    """Square brackets around words the chair records as not agreed.

    Attributes:
        event: The bracket as recorded (paragraph label, words, reason, held by, anchor).
        label: The label of its paragraph now (None when the paragraph is gone).
        start, end: Where its words are now in that paragraph's text.
        lapsed: Its words (or its paragraph) were deleted by a later change.
        lifted: The chair's event that lifted it, if any.
    """

    event: Event
    label: str | None
    start: int | None
    end: int | None
    lapsed: bool
    lifted: Event | None = None

    @property
    def id(self) -> str:
        return self.event.id

    @property
    def active(self) -> bool:
        """Still in the text: neither lifted nor lapsed."""
        return self.lifted is None and not self.lapsed

    @property
    def state(self) -> str:
        if self.lifted is not None:
            return "lifted"
        return "lapsed" if self.lapsed else "open"

    def to_dict(self) -> dict[str, object]:
        return {
            "id": self.id,
            "draft": self.event.draft,
            "paragraph": self.label,
            "paragraph_when_made": self.event.paragraph,
            "words": self.event.words or "",
            "whole_paragraph": not self.event.words,
            "reason": self.event.text,
            "held_by": list(self.event.held_by),
            "by": self.event.member,
            "at": utc_iso(self.event.at),
            "state": self.state,
            "start": self.start,
            "end": self.end,
            "lifted_by": None if self.lifted is None else self.lifted.member,
            "lift_reason": None if self.lifted is None else self.lifted.text,
        }


def follow_span(old: str, new: str, start: int, end: int) -> tuple[int, int] | None:
    """Where the words ``old[start:end]`` are in ``new``: the span from the first to the last
    of them that is still there (words inserted between them join the span); None when all of
    them were deleted."""
    if old == new:
        return start, end
    offset_old = offset_new = 0
    first: int | None = None
    last: int | None = None
    for op in text_engine.word_diff(old, new):
        size = len(op.text)
        if op.op == "insert":
            offset_new += size
            continue
        if op.op == "equal":
            low, high = max(start, offset_old), min(end, offset_old + size)
            if low < high and op.text[low - offset_old : high - offset_old].strip():
                begin = offset_new + low - offset_old
                first = begin if first is None else first
                last = offset_new + high - offset_old
            offset_new += size
        offset_old += size
    if first is None or last is None:
        return None
    return first, last


# -- paragraph status --------------------------------------------------------------------------


@dataclass(frozen=True)
class ParagraphState:
    """One line of a draft's ledger: a paragraph, how far it is agreed, and what is open on it.

    Attributes:
        status: ``open``, ``agreed`` or ``agreed-ad-ref``.
        pending_on: Who an ad referendum agreement waits for.
        decided: The chair's status event in force (None: never set).
        changed: Agreed, then changed by a merge: open again.
        brackets: Open brackets on the paragraph.
        open_amendments: Ids of the undecided amendments on it.
        comments: Comments on the paragraph.
    """

    label: str
    number: int
    text: str
    status: ParagraphStatus = ParagraphStatus.OPEN
    pending_on: tuple[str, ...] = ()
    decided: Event | None = None
    changed: bool = False
    brackets: tuple[Bracket, ...] = ()
    open_amendments: tuple[str, ...] = ()
    comments: tuple[Event, ...] = ()

    @property
    def mark(self) -> str:
        """The status in a margin: ``agreed``, ``ad ref``, ``open``, ``changed``."""
        if self.changed:
            return "changed"
        return {ParagraphStatus.AGREED_AD_REF: "ad ref"}.get(self.status, self.status.value)

    def to_dict(self) -> dict[str, object]:
        return {
            "label": self.label,
            "number": self.number,
            "status": self.status,
            "pending_on": list(self.pending_on),
            "changed_since_agreed": self.changed,
            "set_by": None if self.decided is None else self.decided.member,
            "set_at": None if self.decided is None else utc_iso(self.decided.at),
            "brackets": [b.id for b in self.brackets],
            "open_amendments": list(self.open_amendments),
            "comments": len(self.comments),
        }


def pending_ad_referendum(ledger: Iterable[ParagraphState]) -> list[ParagraphState]:
    """The paragraphs of a ledger agreed ad referendum: still waiting for someone."""
    return [p for p in ledger if p.status is ParagraphStatus.AGREED_AD_REF]


def ad_referendum_note(ledger: Iterable[ParagraphState], shown: int = 8) -> str | None:
    """One line naming the paragraphs agreed ad referendum and on whom each waits (the first
    ``shown`` of them), as a version records it; None when there are none."""
    pending = pending_ad_referendum(ledger)
    if not pending:
        return None
    named = "; ".join(
        f"¶{p.label} on {', '.join(p.pending_on) or 'confirmation'}" for p in pending[:shown]
    )
    more = f"; and {len(pending) - shown} more" if len(pending) > shown else ""
    return f"{len(pending)} pending: {named}{more}"


# -- silences and the window -------------------------------------------------------------------


@dataclass(frozen=True)
class Silence:
    """A text under silence: adopted at the deadline unless a member breaks the silence.

    Attributes:
        event: The silence as recorded (deadline ``until``, message ``text``, and for a draft
            the version name it concludes with, ``target``, and the commit under silence,
            ``anchor``).
        subject: The amendment id, or the draft's slug.
        breaks: Breaks recorded before the deadline.
        concluded: How it was concluded (the merge commit, or the version), if it was.
    """

    event: Event
    subject: str
    on_draft: bool
    breaks: tuple[Event, ...] = ()
    concluded: str | None = None

    @property
    def id(self) -> str:
        return self.event.id

    @property
    def until(self) -> float:
        return self.event.until or 0.0

    def state(self, now: float) -> SilenceState:
        """``concluded``, ``broken``, ``running`` (before the deadline) or ``ended`` (the
        deadline passed unbroken: the chair may conclude it); ``disputed`` when it was
        concluded and a break stamped in time reached the record too (without a guarded
        remote, nothing shared says which came first)."""
        if self.concluded and self.breaks:
            return SilenceState.DISPUTED
        if self.concluded:
            return SilenceState.CONCLUDED
        if self.breaks:
            return SilenceState.BROKEN
        return SilenceState.RUNNING if now <= self.until else SilenceState.ENDED

    def to_dict(self, now: float) -> dict[str, object]:
        return {
            "id": self.id,
            "on": "draft" if self.on_draft else "amendment",
            "subject": self.subject,
            "version": self.event.target if self.on_draft else None,
            "message": self.event.text,
            "started_by": self.event.member,
            "started_at": utc_iso(self.event.at),
            "until": utc_iso(self.until),
            "state": self.state(now).value,
            "breaks": [
                {"member": b.member, "group": b.group, "at": utc_iso(b.at), "reason": b.text}
                for b in self.breaks
            ],
            "concluded": self.concluded,
        }


def silences(events: Iterable[Event], subject_of: dict[str, str]) -> list[Silence]:
    """The silences among ``events`` with their breaks (a break after the deadline never counts,
    whatever clock made it: the rulebook refuses it before it gets here)."""
    started: dict[str, Event] = {}
    breaks: dict[str, list[Event]] = {}
    for event in events:
        if event.type == "silence":
            started[event.id] = event
        elif event.type == "silence-break" and event.target:
            breaks.setdefault(event.target, []).append(event)
    result = []
    for silence_id, event in started.items():
        counted = tuple(
            b for b in breaks.get(silence_id, []) if event.until is not None and b.at <= event.until
        )
        result.append(
            Silence(
                event,
                subject_of.get(silence_id, event.draft or event.amendment),
                event.draft is not None,
                counted,
            )
        )
    return sorted(result, key=lambda s: (s.event.at, s.id))


@dataclass(frozen=True)
class Window:
    """Whether amendments to a draft may be tabled: open unless the secretariat closed it.

    ``until`` turns it the other way at that moment: an open window closes, a closed one opens.
    """

    event: Event | None = None

    def is_open(self, now: float) -> bool:
        if self.event is None:
            return True
        is_open = self.event.state == "open"
        if self.event.until is not None and now > self.event.until:
            return not is_open
        return is_open

    def describe(self, now: float) -> str:
        state = "open" if self.is_open(now) else "closed"
        if self.event is None:
            return "open (never closed)"
        until = self.event.until
        if until is not None and now <= until:
            turn = "closes" if state == "open" else "opens"
            return f"{state}; {turn} at {local_time(until)}"
        return f"{state} since {local_time(max(self.event.at, until or 0))}"

    def to_dict(self, now: float) -> dict[str, object]:
        return {
            "open": self.is_open(now),
            "state": None if self.event is None else self.event.state,
            "until": None
            if self.event is None or self.event.until is None
            else utc_iso(self.event.until),
            "set_by": None if self.event is None else self.event.member,
        }


@dataclass
class Cosponsors:
    """Who co-sponsors an amendment now (the last word of each member counts)."""

    members: dict[str, str] = field(default_factory=dict)  # handle -> group

    @classmethod
    def of(cls, events: Iterable[Event]) -> Cosponsors:
        result = cls()
        for event in events:
            if event.type != "cosponsor":
                continue
            if event.state == "on":
                result.members[event.member] = event.group
            else:
                result.members.pop(event.member, None)
        return result

    @property
    def groups(self) -> list[str]:
        return sorted(set(self.members.values()))


# -- the bracketed view ------------------------------------------------------------------------

Span = tuple[int, int, str]  # start, end, bracket id

# Where brackets go in text rendered as Markdown: characters from a private-use area, taken out
# of member text first, so a member's own "[" is never mistaken for a bracket (or the reverse).
OPEN_MARK = "\ue000"
CLOSE_MARK = "\ue001"


def spans_by_label(brackets: Iterable[Bracket]) -> dict[str, list[Span]]:
    """The spans of the open brackets, by the label of their paragraph now."""
    result: dict[str, list[Span]] = {}
    for bracket in brackets:
        if bracket.active and bracket.label is not None and bracket.start is not None:
            result.setdefault(bracket.label, []).append(
                (bracket.start, bracket.end or bracket.start, bracket.id)
            )
    return result


def pieces(text: str, spans: Iterable[Span]) -> list[tuple[str, str | None]]:
    """``text`` cut at the brackets: each piece with the id of the bracket around it (the first,
    where brackets overlap; overlapping brackets make one pair) or None."""
    merged: list[Span] = []
    for start, end, bracket_id in sorted(spans):
        start, end = max(0, start), min(len(text), end)
        if end <= start:
            continue
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end), merged[-1][2])
        else:
            merged.append((start, end, bracket_id))
    result: list[tuple[str, str | None]] = []
    position = 0
    for low, high, bracket_id in merged:
        if low > position:
            result.append((text[position:low], None))
        result.append((text[low:high], bracket_id))
        position = high
    if position < len(text) or not result:
        result.append((text[position:], None))
    return result


def escape_brackets(text: str) -> str:
    """Member text in the bracketed view: ``\\``, ``[`` and ``]`` escaped with a backslash, so
    that an unescaped bracket is always one the chair recorded."""
    return text.replace("\\", "\\\\").replace("[", "\\[").replace("]", "\\]")


def bracketed_plain(text: str, spans: Iterable[Span]) -> str:
    """A paragraph in the bracketed view: ``[ ... ]`` around bracketed words, member text's
    own brackets escaped."""
    return "".join(
        f"[{escape_brackets(piece)}]" if bracket else escape_brackets(piece)
        for piece, bracket in pieces(text, spans)
    )


def with_marks(text: str, spans: Iterable[Span]) -> str:
    """A paragraph with :data:`OPEN_MARK`/:data:`CLOSE_MARK` around bracketed words (for HTML:
    the marks become elements after the Markdown is rendered)."""
    text = text.replace(OPEN_MARK, "\ufffd").replace(CLOSE_MARK, "\ufffd")
    return "".join(
        f"{OPEN_MARK}{piece}{CLOSE_MARK}" if bracket else piece
        for piece, bracket in pieces(text, spans)
    )
