"""What git holds, as wgtool reads and writes it: identities, commits, tags, tree entry modes."""

from __future__ import annotations

import subprocess
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol

FILE_MODE = 0o100644
TREE_MODE = 0o040000


@dataclass(frozen=True)
class Person:
    """A git identity with the moment of the action."""

    name: str
    email: str
    timestamp: int
    offset_seconds: int = 0

    def signature(self) -> str:
        sign = "-" if self.offset_seconds > 0 else "+"
        minutes = abs(self.offset_seconds) // 60
        zone = f"{sign}{minutes // 60:02d}{minutes % 60:02d}"
        return f"{self.name} <{self.email}> {self.timestamp} {zone}"


@dataclass(frozen=True, slots=True)
class CommitInfo:
    """What wgtool needs to know of a commit."""

    sha: str
    parents: tuple[str, ...]
    tree: str
    author_name: str
    author_email: str
    authored_at: int
    committer_name: str
    committer_email: str
    committed_at: int
    message: str


@dataclass(frozen=True)
class TagInfo:
    """A tag ref as it is, whatever it points at (plain git can tag a blob or a tree)."""

    ref: str
    target: str  # the object the tag names (a lightweight tag: the one its ref points at)
    target_type: str  # that object's real type: commit, tree, blob, tag, or missing
    annotated: bool
    tagger_name: str  # empty for a lightweight tag
    tagger_email: str
    tagged_at: int
    message: str  # for an annotated tag, without its signature


class RunGit(Protocol):
    """How the store's parts run a git command in its repository (:meth:`GitStore.run`)."""

    def __call__(
        self,
        args: list[str],
        *,
        input: bytes | None = None,
        check: bool = True,
        config: Mapping[str, str] | None = None,
    ) -> subprocess.CompletedProcess[bytes]: ...
