"""Which main commit a new revision or event says it was made against (its ``Main:`` trailer).

The rulebook judges a revision or an event by the roster of the main commit it names, so the
commit named must be one the other members can judge now: see :func:`made_against`.
"""

from __future__ import annotations

from collections.abc import Iterator

from wgtool.core.model import Member
from wgtool.core.record.gitstore import GitStore
from wgtool.core.record.messages import parse_message
from wgtool.core.record.rulebook import ACTION, JOIN_ACTION, MAIN, REVISION, SHA_RE, Rulebook


def made_against(store: GitStore, main: str, member: Member, parent: str | None) -> str:
    """The main commit to name for a write by ``member`` that follows ``parent``.

    Main as it is here (``main``), when the remotes have it too. Where main here has commits a
    remote lacks (not sent yet, or diverged), the newest commit both share, or else the remote's
    main: one the others can judge now, whose roster says the same of ``member``, and not older
    than the one ``parent`` names (the rulebook refuses that).
    """
    remotes = list(store.refs("refs/remotes/*/main").values())
    floor = named_main(store, parent)
    for candidate in _candidates(store, main, remotes):
        # (main as the remotes have it is one without asking git: the usual case)
        if remotes and not any(r == candidate or store.is_ancestor(candidate, r) for r in remotes):
            continue
        if floor is not None and floor != candidate and not store.is_ancestor(floor, candidate):
            continue
        if candidate == main:
            return main
        there = Rulebook(store, audit=False).config_of_tree(store.commit(candidate).tree)
        if not isinstance(there, str) and there.roster.members.get(member.handle) == member:
            return candidate
    return main


def named_main(store: GitStore, commit: str | None) -> str | None:
    """The main commit a revision or event says it was made against (``Main:``), if any; for a
    join of two event chains, the later of those its two sides name."""
    if commit is None:
        return None
    info = store.commit(commit)
    _, _, trailers = parse_message(info.message)
    if trailers.get(ACTION, [None])[-1] == JOIN_ACTION:
        sides = [m for m in (named_main(store, p) for p in info.parents) if m is not None]
        return max(sides, key=lambda m: sum(store.is_ancestor(o, m) for o in sides), default=None)
    named = trailers.get(MAIN, [None])[-1]
    if named is None and trailers.get(REVISION, [None])[-1] == "1" and info.parents:
        return info.parents[0]  # an amendment's first revision is made against its base
    return named if named is not None and SHA_RE.match(named) else None


def _candidates(store: GitStore, main: str, remotes: list[str]) -> Iterator[str]:
    yield main
    for theirs in remotes:
        base = store.run(["merge-base", "--end-of-options", main, theirs], check=False)
        if base.stdout.strip():
            yield base.stdout.decode().strip()
        yield theirs
