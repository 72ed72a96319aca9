"""Judging what a stakeholder group says of an adopted text: a reservation on one paragraph of
a consensus version, an explanation of position on a version, and their retraction.

They are events in the draft's chain (``refs/wg/events/draft-<slug>``). Besides what every
event must be (one member, the roster's group), each names the version it is about by name
(``target``) and by its tag object (``anchor``): that tag must be a valid consensus version of
the draft, on main no later than the main commit the event was made against, and a
reservation's paragraph label must be one of that version's. Tag objects never change, so the
verdict depends only on the commit and main's history, as every event's does. A retraction
names a reservation or explanation before it in the chain, of the retracting member's group.
"""

from __future__ import annotations

from collections.abc import Callable

from wgtool.core import validate
from wgtool.core.errors import InvalidInput
from wgtool.core.model import Event, Member
from wgtool.core.record.rulebook.base import Reader
from wgtool.core.record.rulebook.history import MainHistory, TagVerdict
from wgtool.core.record.rulebook.layout import event_path
from wgtool.core.record.rulebook.records import Config, Record
from wgtool.core.statements import EXPLANATION, RESERVATION, RETRACT, STATEMENT_TYPES

TagJudging = Callable[[str, str, MainHistory], TagVerdict]
EventReading = Callable[[str], Event | None]


class StatementJudge:
    """Reservations, explanations of position and their retraction (see the module)."""

    def __init__(self, reads: Reader, read_event: EventReading) -> None:
        self.reads = reads
        self.read_event = read_event
        # Set by the rulebook once its tag judge exists (that judge needs the chains).
        self.judge_tag: TagJudging | None = None

    def also(
        self,
        verdict: tuple[Event | None, list[str]],
        record: Record,
        current: Config | None,
        history: MainHistory,
        position: int,
    ) -> tuple[Event | None, list[str]]:
        """An event's verdict with, for a statement, what these rules find wrong with it."""
        event, problems = verdict
        if event is None or event.type not in STATEMENT_TYPES or current is None:
            return verdict
        member = current.roster.members.get(event.member)
        if member is None:
            return verdict
        return event, problems + self.judge(record, event, member, history, position)

    def judge(
        self,
        record: Record,
        event: Event,
        member: Member,
        history: MainHistory,
        position: int,
    ) -> list[str]:
        """What is wrong with ``event`` (by ``member``, made against main at ``position``)."""
        if event.type == RETRACT:
            return self._retract(record, event, member)
        problems = _text_problems(event)
        slug = event.draft or ""
        version = event.target or ""
        if not validate.VERSION_RE.match(version) or self.judge_tag is None:
            return [*problems, f"names {version!r}, which is no version name"]
        verdict = self.judge_tag(f"{slug}/{version}", event.anchor or "", history)
        if verdict.version is None:
            reason = verdict.problems[0] if verdict.problems else "not a version"
            return [*problems, f"names version {version} of {slug}, which is none ({reason})"]
        tagged = history.position(verdict.version.commit)
        if tagged is None or tagged > position:
            problems.append(
                f"names version {version}, which was not on main when the event was made"
            )
        elif event.type == RESERVATION:
            commit = verdict.version.commit
            text = self.reads.text_at(commit, slug) or ""
            if self.reads.labels_at(commit, slug, text).position(event.paragraph or "") is None:
                problems.append(f"reserves paragraph {event.paragraph}, which {version} lacks")
        return problems

    def _retract(self, record: Record, event: Event, member: Member) -> list[str]:
        blob = self.reads.store.lookup_in_tree(record.tree, event_path(event.target or ""))
        found = None if blob is None else self.read_event(blob)
        if (
            found is None
            or found.type not in (RESERVATION, EXPLANATION)
            or found.amendment != event.amendment
        ):
            return [f"retracts {event.target!r}, which is no reservation or explanation before it"]
        if found.group != member.group:
            return [
                f"retracts {found.id} of group {found.group!r}, but {member.handle} is in "
                f"{member.group!r}"
            ]
        return []


def _text_problems(event: Event) -> list[str]:
    """A reservation's reason, an explanation's text: member text, as the desk takes it."""
    try:
        validate.text(event.text, f"its {event.type}")
    except InvalidInput as error:
        return [error.message]
    return []
