"""Refs: read, listed, and moved with compare-and-swap, one at a time or many in one transaction.

A ref moves with ``git update-ref REF NEW OLD``, which fails when another process moved the ref
first; callers re-read and retry (see :func:`retry_cas`). Many refs move in one ``git
update-ref --stdin`` transaction, all or none; :meth:`Refs.update_each` moves as many of them as
are still where they were read, in as few transactions as that takes.
"""

from __future__ import annotations

import time
from bisect import bisect_left
from collections.abc import Callable, Mapping
from typing import TypeVar

from wgtool.core.errors import ConcurrentUpdate, LostRace
from wgtool.core.record.objects import RunGit
from wgtool.core.record.refnames import NO_REFLOG

ZERO_SHA = "0" * 40

T = TypeVar("T")

Moves = Mapping[str, tuple[str | None, str | None]]
"""``{ref: (new, old)}``: old None for a ref that must not exist yet, new None to delete it."""


def reflog_config(ref: str) -> dict[str, str]:
    """The configuration for a command that moves ``ref``: no reflog unless it is a branch."""
    return {} if ref.startswith("refs/heads/") else NO_REFLOG


def retry_cas(attempt: Callable[[], T], *, tries: int = 50) -> T:
    """Run ``attempt`` until it does not lose a compare-and-swap race.

    ``attempt`` re-reads whatever it depends on each time; it raises :class:`LostRace` when its
    final ``update-ref`` was refused.
    """
    for round_number in range(tries):
        try:
            return attempt()
        except LostRace:
            # Back off a little, more each time, so that a crowd of writers spreads out.
            time.sleep(min(0.005 * (round_number + 1), 0.1))
    raise ConcurrentUpdate("the record kept changing while writing; try again")


def _after_prefix(prefix: str) -> str:
    """The least string greater than every string that starts with ``prefix`` (ending in "/")."""
    return prefix[:-1] + chr(ord(prefix[-1]) + 1)


class Refs:
    """The store's refs, given its way of running git and its generation (how many commands that
    may have moved a ref it has run: a listing read in the same generation is still current)."""

    def __init__(self, run: RunGit, generation: Callable[[], int]) -> None:
        self.run = run
        self.generation = generation
        # With ``snapshot`` (a sync under its lock), :meth:`refs` lists every ref once per
        # generation and answers each prefix from that listing: a write compares and swaps, and
        # any command that may move a ref starts a new generation.
        self.snapshot = False
        # (generation, every ref and its object, their names in order): see :meth:`refs`.
        self._listing: tuple[int, dict[str, str], list[str]] | None = None

    def resolve(self, ref: str) -> str | None:
        """The commit sha a ref points at, or None."""
        result = self.run(
            ["rev-parse", "--verify", "--quiet", "--end-of-options", ref + "^{commit}"], check=False
        )
        sha = result.stdout.decode().strip()
        return sha or None

    def object_at(self, ref: str) -> str | None:
        """The object a ref points at, whatever its type, or None when there is no such ref."""
        result = self.run(
            ["rev-parse", "--verify", "--quiet", "--end-of-options", ref], check=False
        )
        return result.stdout.decode().strip() or None

    def refs(self, *patterns: str) -> dict[str, str]:
        """Every ref under the given prefixes, mapped to the object it points at."""
        if self.snapshot and patterns and not any(set("*?[") & set(p) for p in patterns):
            if self._listing is None or self._listing[0] != self.generation():
                listed = self._list_refs()
                # git lists refs in this order already (bytes of UTF-8 sort as code points do)
                self._listing = (self.generation(), listed, sorted(listed))
            _, listing, names = self._listing
            folders = tuple(p.rstrip("/") + "/" for p in patterns)
            # Each prefix is one stretch of the names in order (thousands of refs a sync lists
            # several times): their positions, in order, and every ref named exactly.
            places: set[int] = set()
            for pattern, folder in zip(patterns, folders, strict=True):
                start = bisect_left(names, pattern)
                if start < len(names) and names[start] == pattern:
                    places.add(start)
                low = bisect_left(names, folder, start)
                places.update(range(low, bisect_left(names, _after_prefix(folder), low)))
            return {names[at]: listing[names[at]] for at in sorted(places)}
        return self._list_refs(*patterns)

    def _list_refs(self, *patterns: str) -> dict[str, str]:
        result = self.run(["for-each-ref", "--format=%(objectname) %(refname)", *patterns])
        refs: dict[str, str] = {}
        for line in result.stdout.decode().splitlines():
            sha, name = line.split(" ", 1)
            refs[name] = sha
        return refs

    def update_ref(
        self,
        ref: str,
        new: str,
        old: str | None,
        message: str = "wgtool",
        *,
        verify: Mapping[str, str | None] | None = None,
    ) -> None:
        """Move ``ref`` from ``old`` (None: must not exist) to ``new``, or raise LostRace.

        ``verify`` names other refs and the values they must still have (None: must not exist):
        they are checked and locked in the same transaction, so a write whose preconditions
        were read from several refs cannot land after one of them moved.
        """
        config = reflog_config(ref)
        if not verify:
            args = ["update-ref", "-m", message, ref, new, old or ZERO_SHA]
            result = self.run(args, check=False, config=config)
        else:
            commands = [f"update {ref} {new} {old or ZERO_SHA}"]
            commands += [f"verify {name} {sha or ZERO_SHA}" for name, sha in verify.items()]
            result = self.run(
                ["update-ref", "-m", message, "--stdin"],
                input=("\n".join(commands) + "\n").encode(),
                check=False,
                config=config,
            )
        if result.returncode != 0:
            raise LostRace(ref)

    def update_refs(self, moves: Moves, message: str) -> bool:
        """Move many refs (none of them a branch) in one transaction: ``{ref: (new, old)}``,
        old None for a ref that must not exist yet, new None to delete it. False, and nothing
        moved, when any of them was not at its old value (another writer got there first)."""
        if not moves:
            return True
        commands = "".join(
            f"update {ref} {new or ZERO_SHA} {old or ZERO_SHA}\n"
            for ref, (new, old) in moves.items()
        )
        result = self.run(
            ["update-ref", "-m", message, "--stdin"],
            input=commands.encode(),
            check=False,
            config=NO_REFLOG,
        )
        return result.returncode == 0

    def update_each(self, moves: Moves, message: str) -> set[str]:
        """Move many refs (none of them a branch) as :meth:`update_refs` does, but each on its
        own account: the refs returned were not moved, because another writer had moved them
        first or git refused them; every other one was.

        One transaction moves them all when none has moved since it was read. When it fails,
        the refs are listed again: those no longer at their old value are left out and the rest
        moved in one transaction again. When a transaction fails and none has moved (another
        writer holding a ref's lock, a name git refuses), each is moved on its own.
        """
        pending = dict(moves)
        left: set[str] = set()
        while pending:
            if self.update_refs(pending, message):
                return left
            now = self.refs(*sorted({"/".join(ref.split("/")[:2]) for ref in pending}))
            moved = {ref for ref, (_, old) in pending.items() if now.get(ref) != old}
            if not moved:
                break
            left |= moved
            pending = {ref: move for ref, move in pending.items() if ref not in moved}
        for ref, move in pending.items():
            if not self.update_refs({ref: move}, message):
                left.add(ref)
        return left

    def delete_ref(self, ref: str, old: str) -> None:
        result = self.run(["update-ref", "-d", ref, old], check=False, config=reflog_config(ref))
        if result.returncode != 0:
            raise LostRace(ref)

    def is_ancestor(self, ancestor: str, descendant: str) -> bool:
        result = self.run(["merge-base", "--is-ancestor", ancestor, descendant], check=False)
        return result.returncode == 0
