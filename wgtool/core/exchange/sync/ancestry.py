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

from collections.abc import Iterable

from wgtool.core.record.gitstore import GitStore


class Ancestry:
    """Which of many commits descend from which, from one walk of their history off main."""

    def __init__(self, store: GitStore, tips: Iterable[str], not_from: Iterable[str]) -> None:
        self.store = store
        self.parents: dict[str, tuple[str, ...]] = {}
        wanted = sorted(set(tips))
        if not wanted:
            return
        stop = sorted(set(not_from))
        listing = self.store.run(
            ["rev-list", "--parents", "--stdin"],
            input=("\n".join([*wanted, *(f"^{sha}" for sha in stop)]) + "\n").encode(),
        ).stdout.decode()
        for line in listing.splitlines():
            sha, *parents = line.split()
            self.parents[sha] = tuple(parents)

    def is_ancestor(self, ancestor: str, descendant: str) -> bool:
        """Whether ``ancestor`` is ``descendant`` or one of its ancestors (like git's)."""
        if ancestor == descendant:
            return True
        if ancestor not in self.parents:
            return self.store.is_ancestor(ancestor, descendant)
        seen = {descendant}
        stack = [descendant]
        while stack:
            for parent in self.parents.get(stack.pop(), ()):
                if parent == ancestor:
                    return True
                if parent not in seen:
                    seen.add(parent)
                    stack.append(parent)
        return False
