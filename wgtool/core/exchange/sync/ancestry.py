"""Ancestry of many pairs of commits in one git process (for joining thousands of refs).

``git merge-base --is-ancestor`` answers one question per process. Joining what a sync fetched
asks two per ref that moved on either side: is their tip already in ours, is ours in theirs?
:class:`Ancestry` reads the parents of every commit reachable from the tips that are not on
main (``git rev-list --parents TIPS --not MAIN``) once, and answers from that graph.

Why leaving main out loses nothing: a commit that is not reachable from main can only be reached
from a tip through commits that are not reachable from main either (whatever main reaches, it
reaches with all its ancestors). So when ``ancestor`` is in the graph, walking the graph down
from ``descendant`` finds it exactly when git would. When ``ancestor`` is on main (it is not in
the graph), the question goes to git as before; wgtool's amendment and event chains never are.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Protocol

from wgtool.core.record.gitstore import GitStore


class _Commit(Protocol):
    @property
    def parents(self) -> tuple[str, ...]: ...


class Ancestry:
    """Which of many commits descend from which, from one walk of their history off main.

    ``known`` are commits read already (the rulebook's, by sha): where the parents they name
    lead from one commit of a question to the other, that answers it, and git is not asked. A
    chain that grew here from the tip it had is answered so (the commits the rulebook read of
    it lead to that tip); the walk is read from git only for a question they do not answer.
    """

    def __init__(
        self,
        store: GitStore,
        tips: Iterable[str],
        not_from: Iterable[str],
        known: Mapping[str, _Commit] | None = None,
    ) -> None:
        self.store = store
        self.known = known or {}
        self.parents: dict[str, tuple[str, ...]] = {}
        self._tips = sorted(set(tips))
        self._stop = sorted(set(not_from))
        self._walked = False

    def _walk(self) -> None:
        """The parents of every commit reachable from the tips and not from main, once."""
        self._walked = True
        if not self._tips:
            return
        listing = self.store.run(
            ["rev-list", "--parents", "--stdin"],
            input=("\n".join([*self._tips, *(f"^{sha}" for sha in self._stop)]) + "\n").encode(),
        ).stdout.decode()
        for line in listing.splitlines():
            sha, *parents = line.split()
            self.parents[sha] = tuple(parents)

    def is_ancestor(self, ancestor: str, descendant: str) -> bool:
        """Whether ``ancestor`` is ``descendant`` or one of its ancestors (like git's)."""
        if ancestor == descendant or _reaches(self._known_parents, descendant, ancestor):
            return True
        if _reaches(self._known_parents, ancestor, descendant):
            return False  # descendant is a strict ancestor of ancestor: history has no cycles
        if not self._walked:
            self._walk()
        if ancestor not in self.parents:
            return self.store.is_ancestor(ancestor, descendant)
        return _reaches(lambda sha: self.parents.get(sha, ()), descendant, ancestor, limit=None)

    def _known_parents(self, sha: str) -> tuple[str, ...]:
        commit = self.known.get(sha)
        return commit.parents if commit is not None else ()


# Commits walked in ``known`` for one question at most: a chain grows by a few commits between
# syncs, and a walk that would reach main's history is left to git.
KNOWN_WALK = 256


def _reaches(
    parents: Callable[[str], tuple[str, ...]],
    start: str,
    target: str,
    *,
    limit: int | None = KNOWN_WALK,
) -> bool:
    """Whether ``parents`` lead from ``start`` to ``target`` (within ``limit`` commits; False
    also when they do not say: a commit without parents given ends the walk there)."""
    seen = {start}
    stack = [start]
    while stack and (limit is None or len(seen) <= limit):
        for parent in parents(stack.pop()):
            if parent == target:
                return True
            if parent not in seen:
                seen.add(parent)
                stack.append(parent)
    return False
