"""What changed since a member last looked, and what a sync brought: news per amendment.

A :class:`Seen` is what someone has seen of the record: each amendment's revision and status,
the ids of its events, and the consensus versions (tag and commit). Comparing an older
:class:`Seen` with the record now gives :class:`News`: per amendment the :class:`Change` list
(new, revised, positions, comments, merged, reverted, rejected, withdrawn, lapsed, open again)
and the new versions. Events only ever add to a chain, so a set of ids is all there is to
remember; times are the writers' claims and are never used to decide what is new.

A member's *last look* is kept per member and per clone by :class:`LastLook`, in
``.git/wgtool/last-look.json``: outside the record (never committed, never synced), written
whole to a temporary file and renamed over the old one, under a lock. Losing it loses only the
marks: the next look shows everything as new.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

from wgtool.core.model import Amendment, Event, Status, Version
from wgtool.core.record.gitstore import GitStore

LAST_LOOK_FILE = "last-look.json"
LAST_LOOK_FORMAT = 1

# What can have happened to an amendment, in the order a summary lists it.
NEW, REVISED, POSITION, COMMENT = "new", "revised", "position", "comment"
MERGED, REVERTED, REJECTED, WITHDRAWN = "merged", "reverted", "rejected", "withdrawn"
LAPSED, REOPENED = "lapsed", "open again"
NOT_ADOPTED = "not adopted"
ACCEPTED, SUB_LAPSED = "accepted", "lapsed with its amendment"  # sub-amendments
COSPONSOR, UNCOSPONSOR = "co-sponsor", "no longer co-sponsor"
SILENCE, SILENCE_BROKEN = "silence", "silence broken"
DECISION_EVENTS = {
    "reject": REJECTED,
    "withdraw": WITHDRAWN,
    "silence": SILENCE,
    "silence-break": SILENCE_BROKEN,
}


@dataclass(frozen=True)
class Change:
    """One thing that happened to an amendment.

    Attributes:
        kind: One of ``new``, ``revised``, ``position``, ``comment``, ``merged``, ``reverted``,
            ``rejected``, ``withdrawn``, ``lapsed``, ``open again``.
        member: Who did it (a handle), where one member did.
        group: Their stakeholder group, for events.
        stance: For a position.
        text: A comment, or the reason given with a position or decision (member text).
        revision: The revision a revision change reached, or an event was made on.
        event: The event's id, for events.
    """

    kind: str
    member: str | None = None
    group: str | None = None
    stance: str | None = None
    text: str = ""
    revision: int | None = None
    event: str | None = None

    def describe(self, width: int = 80) -> str:
        """One line in words, member text included as it is (a face makes it safe to show),
        a comment or reason cut to its first line and ``width`` characters."""
        who = f"{self.member} ({self.group})" if self.group else f"{self.member}"
        said = excerpt(self.text, width)
        if self.kind == NEW:
            return f"new, proposed by {who}"
        if self.kind == REVISED:
            return f"revised by {self.member}: now revision {self.revision}"
        if self.kind == POSITION:
            return f"{who}: {self.stance}" + (f": {said}" if said else "")
        if self.kind == COMMENT:
            return f"{who} commented: {said}"
        if self.kind in (MERGED, REVERTED, REJECTED, WITHDRAWN):
            return f"{self.kind} by {self.member}" + (f": {said}" if said else "")
        if self.kind == LAPSED:
            return "lapsed: its paragraph is no longer in the draft"
        if self.kind in (COSPONSOR, UNCOSPONSOR):
            return f"{who}: {self.kind}s it"
        if self.kind == SILENCE:
            return f"put under silence by {self.member}" + (f": {said}" if said else "")
        if self.kind == SILENCE_BROKEN:
            return f"{who} broke the silence (an objection)" + (f": {said}" if said else "")
        if self.kind == NOT_ADOPTED:
            return "not adopted: an alternative to it was merged"
        if self.kind == ACCEPTED:
            return f"accepted into its amendment by {self.member}"
        if self.kind == SUB_LAPSED:
            return "lapsed: its amendment was decided or revised since"
        return "open again: its paragraph is back in the draft"

    def to_dict(self) -> dict[str, object]:
        return {
            "kind": self.kind,
            "member": self.member,
            "group": self.group,
            "stance": self.stance,
            "text": self.text,
            "revision": self.revision,
            "event": self.event,
        }


@dataclass(frozen=True)
class AmendmentNews:
    """An amendment as it is now, what changed on it, and what it asks of the member."""

    amendment: Amendment
    changes: tuple[Change, ...]
    needs_position: bool = False
    mine: bool = False

    def to_dict(self) -> dict[str, object]:
        return {
            "amendment": self.amendment.to_dict(),
            "changes": [c.to_dict() for c in self.changes],
            "needs_position": self.needs_position,
            "mine": self.mine,
        }


@dataclass(frozen=True)
class News:
    """What changed: per amendment (oldest amendment first) and the new consensus versions."""

    amendments: tuple[AmendmentNews, ...] = ()
    versions: tuple[Version, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.amendments or self.versions)

    def to_dict(self) -> dict[str, object]:
        return {
            "amendments": [a.to_dict() for a in self.amendments],
            "versions": [v.to_dict() for v in self.versions],
        }


@dataclass(frozen=True)
class Seen:
    """What someone has seen of the record (see the module's docstring).

    Attributes:
        amendments: Amendment id -> (revision, status).
        events: Amendment id -> the ids of its events.
        versions: Version tag (``slug/name``) -> the commit it tags.
        at: When they looked (the clock's time), or None for a snapshot that is no look.
    """

    amendments: Mapping[str, tuple[int, str]] = field(default_factory=dict)
    events: Mapping[str, frozenset[str]] = field(default_factory=dict)
    versions: Mapping[str, str] = field(default_factory=dict)
    at: float | None = None

    def only(self, ids: Iterable[str], *, versions: bool) -> Seen:
        """This snapshot cut down to the amendments ``ids`` (and the versions, or none)."""
        keep = set(ids)
        return Seen(
            amendments={k: v for k, v in self.amendments.items() if k in keep},
            events={k: v for k, v in self.events.items() if k in keep},
            versions=self.versions if versions else {},
            at=self.at,
        )

    def updated(self, newer: Seen) -> Seen:
        """This snapshot with what ``newer`` holds taking the place of what it held."""
        return Seen(
            amendments={**self.amendments, **newer.amendments},
            events={**self.events, **newer.events},
            versions={**self.versions, **newer.versions},
            at=newer.at if newer.at is not None else self.at,
        )

    def changed_ids(self, now: Seen) -> list[str]:
        """The amendments of ``now`` that are new, or moved, or have events not seen here."""
        return [
            amendment_id
            for amendment_id, state in now.amendments.items()
            if self.amendments.get(amendment_id) != state
            or not now.events.get(amendment_id, frozenset()) <= self.events.get(amendment_id, set())
        ]

    def new_versions(self, versions: Iterable[Version]) -> tuple[Version, ...]:
        return tuple(v for v in versions if self.versions.get(v.tag) != v.commit)

    def to_json(self) -> dict[str, object]:
        return {
            "at": self.at,
            "amendments": {k: list(v) for k, v in sorted(self.amendments.items())},
            "events": {k: sorted(v) for k, v in sorted(self.events.items())},
            "versions": dict(sorted(self.versions.items())),
        }

    @classmethod
    def from_json(cls, data: object) -> Seen:
        """From :meth:`to_json`; raises ValueError (or a KeyError, TypeError) on anything else."""
        if not isinstance(data, dict):
            raise ValueError("not an object")
        at = data.get("at")
        return cls(
            amendments={
                str(k): (int(v[0]), str(v[1])) for k, v in dict(data["amendments"]).items()
            },
            events={str(k): frozenset(map(str, v)) for k, v in dict(data["events"]).items()},
            versions={str(k): str(v) for k, v in dict(data["versions"]).items()},
            at=None if at is None else float(at),
        )


def excerpt(text: str, width: int) -> str:
    """The first line of ``text``, cut to ``width`` characters (an ellipsis says so)."""
    lines = text.strip().splitlines()
    first = lines[0].strip() if lines else ""
    if len(first) > width or len(lines) > 1:
        return first[: width - 1].rstrip() + "…"
    return first


# -- what changed ------------------------------------------------------------------------------


def changes(
    amendment: Amendment, before: Seen, events: Iterable[Event], *, actor: str | None = None
) -> tuple[Change, ...]:
    """What happened to ``amendment`` since ``before``, given its events now. With ``actor``,
    what that member did themselves is left out: it is no news to them."""
    was = before.amendments.get(amendment.id)
    seen_events = before.events.get(amendment.id, frozenset())
    own = actor is not None and amendment.proposer == actor
    found: list[Change] = []
    if was is None and not own:
        found.append(Change(NEW, member=amendment.proposer, group=amendment.group))
    elif was is not None and amendment.revision > was[0] and not own:
        found.append(Change(REVISED, member=amendment.proposer, revision=amendment.revision))
    for event in events:
        if event.id in seen_events or (actor is not None and event.member == actor):
            continue
        found.append(event_change(event))
    found += status_changes(amendment, None if was is None else was[1], actor)
    return tuple(found)


def event_change(event: Event) -> Change:
    kind = DECISION_EVENTS.get(event.type, event.type)
    if event.type == "cosponsor":
        kind = COSPONSOR if event.state == "on" else UNCOSPONSOR
    return Change(
        kind,
        member=event.member,
        group=event.group,
        stance=event.stance,
        text=event.text,
        revision=event.revision,
        event=event.id,
    )


def status_changes(amendment: Amendment, was: str | None, actor: str | None) -> list[Change]:
    """Merges, reverts and lapses since the status ``was`` (rejections and withdrawals are
    events: :func:`event_change` names them with who decided)."""
    now = amendment.status
    found: list[Change] = []
    decided = (Status.MERGED.value, Status.REVERTED.value)
    if now.value in decided and was not in decided:
        if actor is None or amendment.merged_by != actor:
            found.append(Change(MERGED, member=amendment.merged_by))
    if now is Status.REVERTED and was != Status.REVERTED.value:
        if actor is None or amendment.reverted_by != actor:
            found.append(Change(REVERTED, member=amendment.reverted_by))
    if now is Status.LAPSED and was != Status.LAPSED.value:
        found.append(Change(SUB_LAPSED if amendment.amends else LAPSED))
    if now is Status.ACCEPTED and was != Status.ACCEPTED.value:
        if actor is None or amendment.merged_by != actor:
            found.append(Change(ACCEPTED, member=amendment.merged_by))
    if now is Status.OPEN and was == Status.LAPSED.value:
        found.append(Change(REOPENED))
    if now is Status.NOT_ADOPTED and was != Status.NOT_ADOPTED.value:
        found.append(Change(NOT_ADOPTED))
    return found


def needs_position(amendment: Amendment, own_positions: Iterable[Event], actor: str) -> bool:
    """An open amendment by someone else on whose current revision ``actor`` has no position."""
    if amendment.status is not Status.OPEN or amendment.proposer == actor:
        return False
    return not any(e.revision == amendment.revision for e in own_positions)


# -- the last look -----------------------------------------------------------------------------


class LastLook:
    """Each member's last look, for one clone (see the module's docstring)."""

    def __init__(self, store: GitStore, notify: Callable[[str], object]) -> None:
        self.store = store
        self.path = store.wgtool_dir / LAST_LOOK_FILE
        self.notify = notify

    def read(self, member: str) -> Seen | None:
        """The member's last look, or None when they never looked here."""
        return self._parse(member, self._load().get(member))

    def _parse(self, member: str, data: object) -> Seen | None:
        if data is None:
            return None
        try:
            return Seen.from_json(data)
        except (ValueError, KeyError, TypeError, IndexError):
            self.notify(f"{self.path} had no readable last look for {member}: starting afresh")
            return None

    def record(self, member: str, seen: Seen) -> None:
        """Add what ``member`` has now seen to their last look (others' looks stay)."""
        with self.store.locked("last-look.lock"):
            members = self._load()
            before = self._parse(member, members.get(member)) or Seen()
            members[member] = before.updated(seen).to_json()
            self._write({"format": LAST_LOOK_FORMAT, "members": members})

    def _load(self) -> dict[str, object]:
        if self.path.is_symlink() or self.path.is_dir():
            self.store.clear_way(self.path)  # not wgtool's file: every member starts afresh
            return {}
        try:
            data = json.loads(self.path.read_bytes())
        except (FileNotFoundError, NotADirectoryError):  # none yet (or no folder for it yet)
            return {}
        except (OSError, ValueError) as error:
            self.notify(f"cannot read {self.path} ({error}): every member starts afresh")
            return {}
        members = data.get("members") if isinstance(data, dict) else None
        if not isinstance(members, dict) or data.get("format") != LAST_LOOK_FORMAT:
            self.notify(f"{self.path} is not a last-look file: every member starts afresh")
            return {}
        return members

    def _write(self, data: dict[str, object]) -> None:
        """The whole file at once: a reader sees the old one or the new one, never half."""
        self.store.wgtool_folder()
        self.store.clear_way(self.path)
        handle, temporary = tempfile.mkstemp(prefix=".last-look.", dir=self.path.parent)
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                json.dump(data, out, separators=(",", ":"))
                out.flush()
                os.fsync(out.fileno())
            os.replace(temporary, self.path)
        except BaseException:
            os.unlink(temporary)
            raise
