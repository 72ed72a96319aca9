"""The record among clones: syncing with a git remote, and the remotes configured here.

The sync engine (:mod:`wgtool.core.exchange.sync`) reads and writes through the working group's
desks (:class:`~wgtool.core.desks.parts.Desks`); this desk runs it. The engine loads when it is
first used: a command that never syncs does not load it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from wgtool.core.desks.context import Record
from wgtool.core.desks.parts import Desks
from wgtool.lazy import lazy_module

if TYPE_CHECKING:
    from wgtool.core.exchange import sync as engine
    from wgtool.core.exchange.sync import remote
    from wgtool.core.exchange.sync.report import Progress, SyncReport
else:  # the sync engine (GitPython, the index) loads when a sync runs
    engine = lazy_module("wgtool.core.exchange.sync")
    remote = lazy_module("wgtool.core.exchange.sync.remote")


class ExchangeDesk:
    """Sync with a git remote: fetch, join, fast-forward main, push."""

    def __init__(self, record: Record, desks: Desks) -> None:
        self.record = record
        self.desks = desks

    def sync(
        self,
        remote: str = "origin",
        progress: Progress | None = None,
        *,
        news: bool = True,
        replay_merges: bool = False,
        push: bool = True,
    ) -> SyncReport:
        """Exchange work with ``remote`` (see :func:`wgtool.core.exchange.sync.sync`): with
        ``news``, the report says per amendment what arrived; with ``replay_merges``, a main
        that diverged from the remote's is made again on top of it first; without ``push``,
        nothing is sent."""
        return engine.sync(
            self.desks, remote, progress, news=news, replay_merges=replay_merges, push=push
        )

    def peek(self, name: str, patterns: list[str]) -> str:
        """Where the refs matching ``patterns`` stand on remote ``name``, fetching nothing (one
        ``git ls-remote``): cheap enough for a follower to ask every second."""
        return remote.peek(self.record.store, name, patterns)

    def remotes(self) -> list[str]:
        """The names of the git remotes configured here."""
        return remote.remotes(self.record.store)
