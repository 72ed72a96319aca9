"""What the rulebook answers: main's judged history, amendment and event chains, tags."""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field

from wgtool.core.model import Event, Version
from wgtool.core.record.rulebook.records import (
    Config,
    Record,
)

# Kinds of main commits.
INIT = "init"
FOUNDING = "founding"
SECRETARIAT = "secretariat"
MERGE = "merge"
REVERT = "revert"
INVALID = "invalid"


@dataclass
class MainCommit:
    """One commit of main's first-parent history, classified."""

    record: Record
    position: int
    kind: str = INVALID
    member: str | None = None  # who acted: the secretariat member, or the chair
    amendment: str | None = None  # the amendment merged or reverted
    draft: str | None = None
    problems: list[str] = field(default_factory=list)
    config: Config | None = None  # the settings and roster in force after this commit
    founded: bool = False  # the roster has had a member at this commit or before
    deadline: float | None = None  # a merge under silence: that silence's deadline

    @property
    def sha(self) -> str:
        return self.record.sha

    @property
    def valid(self) -> bool:
        return not self.problems

    def stored(self) -> StoredMainCommit:
        """What the index keeps of this commit, to go on from it without reading main again."""
        return StoredMainCommit(
            sha=self.sha,
            tree=self.record.tree,
            committed_at=self.record.committed_at,
            kind=self.kind,
            problem=self.problems[0] if self.problems else None,
            member=self.member,
            amendment=self.amendment,
            draft=self.draft,
            settings_blob=self.config.blobs[0] if self.config else None,
            roster_blob=self.config.blobs[1] if self.config else None,
            founded=self.founded,
        )


@dataclass(frozen=True)
class StoredMainCommit:
    """A judged main commit as the index stores it (see :meth:`Rulebook.restored_history`)."""

    sha: str
    tree: str
    committed_at: int
    kind: str
    problem: str | None
    member: str | None
    amendment: str | None
    draft: str | None
    settings_blob: str | None
    roster_blob: str | None
    founded: bool


class MainHistory:
    """Main's first-parent history from its first commit, each commit judged in order."""

    def __init__(self, tip: str | None, commits: list[MainCommit]) -> None:
        self.tip = tip
        self.commits: list[MainCommit] = []
        self._positions: dict[str, int] = {}
        self._times: list[int] = []  # the latest commit time so far, at each position
        for commit in commits:
            self.append(commit)

    def append(self, commit: MainCommit) -> None:
        self.commits.append(commit)
        self._positions[commit.sha] = commit.position
        self._times.append(max([commit.record.committed_at, *self._times[-1:]]))

    def position(self, sha: str | None) -> int | None:
        """Where ``sha`` is on main's first-parent history, or None when it is not."""
        return None if sha is None else self._positions.get(sha)

    def config(self, position: int) -> Config | None:
        return self.commits[position].config

    def position_at_time(self, when: int, not_before: int) -> int:
        """The newest main commit made at or before ``when`` (for records without ``Main:``)."""
        return max(bisect_right(self._times, when) - 1, not_before, 0)

    def invalid(self, after: int = -1) -> list[MainCommit]:
        return [c for c in self.commits[after + 1 :] if not c.valid]

    def state(self) -> MainState:
        """What is in force after the last commit (to judge the commits that follow it)."""
        last = self.commits[-1] if self.commits else None
        return MainState(
            config=last.config if last else None,
            founded=last.founded if last else False,
            merged={a: (c.draft or "", c.sha) for a, c in self.merged().items()},
        )

    def merged(self) -> dict[str, MainCommit]:
        """Amendments merged on main and not reverted since, with their merge commit."""
        merged: dict[str, MainCommit] = {}
        for c in self.commits:
            if c.valid and c.kind == MERGE and c.amendment:
                merged[c.amendment] = c
            elif c.valid and c.kind == REVERT and c.amendment:
                merged.pop(c.amendment, None)
        return merged


@dataclass
class AmendmentChain:
    """An amendment's revisions (first revision first) as the rulebook read them."""

    amendment: str
    tip: str
    revisions: list[Record] = field(default_factory=list)
    positions: list[int] = field(default_factory=list)  # the main commit each depends on
    proposer: str | None = None
    group: str | None = None
    draft: str | None = None
    problems: list[tuple[Record | None, str]] = field(default_factory=list)

    @property
    def base(self) -> str | None:
        first = self.revisions[0] if self.revisions else None
        return first.parents[0] if first is not None and first.parents else None

    @property
    def valid(self) -> bool:
        return bool(self.revisions) and not self.problems


@dataclass
class EventChain:
    """The events of one amendment's chain: the valid ones, and what is wrong with the rest."""

    amendment: str
    tip: str
    events: list[Event] = field(default_factory=list)
    problems: list[tuple[Record | None, str]] = field(default_factory=list)
    commits: int = 0
    partial: bool = False  # only the commits after an earlier tip were judged

    @property
    def valid(self) -> bool:
        return not self.problems


@dataclass(frozen=True)
class TagVerdict:
    name: str
    sha: str
    version: Version | None
    problems: tuple[str, ...]
    tagger: str | None = None
    deadline: float | None = None  # a version concluding a silence: that silence's deadline


@dataclass
class MainState:
    """What is in force while main's history is read forward."""

    config: Config | None = None
    founded: bool = False  # the roster has had a member at some point
    # amendment -> its draft and the commit that merged it
    merged: dict[str, tuple[str, str]] = field(default_factory=dict)
