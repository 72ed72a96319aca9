"""Reminders: what awaits each stakeholder group and each member (``wgtool remind``).

Per group, the open amendments it has not been heard on (the consensus rule's "not heard": no
current position from a member of the group other than the proposer); per member, the open
amendments of others on whose current revision they have no position. Beside them, for all,
the silences running (any member may break one before its deadline) and the amendment windows
that turn at a deadline still ahead. Everything in a fixed order: groups as the settings list
them, members by handle, amendments oldest first (then by id), deadlines soonest first.
"""

from __future__ import annotations

from dataclasses import dataclass

from wgtool.core import validate
from wgtool.core.agreement import Silence, SilenceState, Window
from wgtool.core.desks.amendments import AmendmentsDesk
from wgtool.core.desks.context import Record
from wgtool.core.desks.deliberation import DeliberationDesk
from wgtool.core.desks.procedure import ProcedureDesk
from wgtool.core.errors import NotFound, Remedy
from wgtool.core.model import GroupState, Status


@dataclass(frozen=True)
class MemberReminder:
    handle: str
    name: str
    awaiting: tuple[str, ...]  # open amendments of others without this member's position

    def to_dict(self) -> dict[str, object]:
        return {"handle": self.handle, "name": self.name, "awaiting": list(self.awaiting)}


@dataclass(frozen=True)
class GroupReminder:
    group: str
    name: str
    not_heard: tuple[str, ...]  # open amendments the group has not been heard on
    members: tuple[MemberReminder, ...]

    def to_dict(self) -> dict[str, object]:
        return {
            "group": self.group,
            "name": self.name,
            "not_heard": list(self.not_heard),
            "members": [m.to_dict() for m in self.members],
        }


@dataclass(frozen=True)
class Reminders:
    """What awaits whom, at ``now`` (one draft's, or every draft's: ``draft`` None)."""

    draft: str | None
    now: float
    groups: tuple[GroupReminder, ...]
    silences: tuple[Silence, ...]  # running, soonest deadline first
    windows: tuple[tuple[str, Window], ...]  # (draft, window) turning at a deadline ahead

    def to_dict(self) -> dict[str, object]:
        return {
            "draft": self.draft,
            "groups": [g.to_dict() for g in self.groups],
            "silences": [s.to_dict(self.now) for s in self.silences],
            "windows": [
                {"draft": slug, **window.to_dict(self.now)} for slug, window in self.windows
            ],
        }


class RemindersDesk:
    """What awaits each group and member, read from the amendments, positions and procedure."""

    def __init__(
        self,
        record: Record,
        amendments: AmendmentsDesk,
        deliberation: DeliberationDesk,
        procedure: ProcedureDesk,
    ) -> None:
        self.record = record
        self.amendments = amendments
        self.deliberation = deliberation
        self.procedure = procedure

    def reminders(self, slug: str | None = None) -> Reminders:
        drafts = self.procedure.drafts.draft_slugs()
        if slug is not None:
            validate.name(slug, "draft")
            if slug not in drafts:
                raise NotFound(f"no draft {slug!r}", remedy=Remedy.LIST_DRAFTS)
            drafts = [slug]
        now = self.record.clock()
        opened = sorted(
            (a for a in self.amendments.amendments(draft=slug) if a.status is Status.OPEN),
            key=lambda a: (a.created_at, a.id),
        )
        matrix = self.deliberation.consensus_many(opened)
        roster = sorted(self.record.roster, key=lambda m: m.handle)
        groups = []
        for group, name in self.record.settings.groups.items():
            members = tuple(
                MemberReminder(
                    member.handle,
                    member.name,
                    tuple(
                        a.id
                        for a in opened
                        if a.proposer != member.handle
                        and not any(
                            view.member == member.handle and not view.stale
                            for position in matrix[a.id].groups
                            for view in position.positions
                        )
                    ),
                )
                for member in roster
                if member.group == group
            )
            not_heard = tuple(
                a.id for a in opened if group in matrix[a.id].groups_in(GroupState.NOT_HEARD)
            )
            groups.append(GroupReminder(group, name, not_heard, members))
        ids = {a.id for a in opened}
        silences = sorted(
            (
                s
                for s in self.procedure.silences()
                if s.state(now) is SilenceState.RUNNING
                and (slug is None or (s.subject == slug if s.on_draft else s.subject in ids))
            ),
            key=lambda s: (s.until, s.id),
        )
        windows = []
        for name in drafts:
            window = self.procedure.window(name)
            until = window.event.until if window.event is not None else None
            if until is not None and now <= until:
                windows.append((until, name, window))
        windows.sort(key=lambda found: (found[0], found[1]))
        return Reminders(
            slug, now, tuple(groups), tuple(silences), tuple((n, w) for _, n, w in windows)
        )


__all__ = ["GroupReminder", "MemberReminder", "Reminders", "RemindersDesk"]
