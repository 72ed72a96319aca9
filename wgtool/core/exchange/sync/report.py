"""What a sync says: the traffic in both directions, notes and problems."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from wgtool.core.errors import Remedy

if TYPE_CHECKING:
    from wgtool.core.inbox import News

MAX_ROUNDS = 6
PUSH_BATCH = 400  # refspecs per 'git push', to stay far below the command-line limit


# Push rejections that mean "someone else pushed first": fetch, join and try again.
RACE_REASONS = (
    "non-fast-forward",
    "fetch first",
    "stale info",
    "failed to lock",
    "cannot lock",
    "failed to update ref",
    "incorrect old value",
)

Progress = Callable[[str], object]  # whatever it returns is ignored


@dataclass
class Traffic:
    """What moved in one direction."""

    new_amendments: int = 0
    revised_amendments: int = 0
    events: int = 0
    main_commits: int = 0
    versions: int = 0

    def describe(self) -> str:
        parts = []
        for count, one, many in (
            (self.new_amendments, "new amendment", "new amendments"),
            (self.revised_amendments, "revised amendment", "revised amendments"),
            (self.events, "event", "events"),
            (self.main_commits, "commit on main", "commits on main"),
            (self.versions, "version", "versions"),
        ):
            if count:
                parts.append(f"{count} {one if count == 1 else many}")
        return ", ".join(parts) or "nothing new"


@dataclass
class SyncReport:
    """The outcome of one sync: counts in both directions, notes and problems (one line each),
    and what arrived per amendment (``arrived``; None when the sync was asked not to say)."""

    remote: str
    received: Traffic = field(default_factory=Traffic)
    sent: Traffic = field(default_factory=Traffic)
    rounds: int = 0
    notes: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    # What the member can do about the problems; each face says it in its own words.
    remedies: list[Remedy] = field(default_factory=list)
    arrived: News | None = None

    def lines(self) -> list[str]:
        rounds = f" ({self.rounds} rounds)" if self.rounds > 1 else ""
        lines = [
            f"Synced with {self.remote}{rounds}",
            f"Received: {self.received.describe()}",
            f"Sent: {self.sent.describe()}",
        ]
        lines += self.notes
        lines += [f"Problem: {p}" for p in self.problems]
        return lines


@dataclass
class Round:
    """Problems and notes of one round; only the last round's are reported."""

    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    remedies: list[Remedy] = field(default_factory=list)
    retry: bool = False
