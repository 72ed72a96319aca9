"""The record context every desk is given: one repository, its index, the acting member.

A :class:`Record` is made when a working group is opened (:class:`~wgtool.core.desks.WorkingGroup`)
and offers the desks what every write needs:
the acting member and their roles (:meth:`Handle.require`), the amendment as the index has it
with the ref tips read (:meth:`Handle.open_state`), the person and trailers a commit carries,
and moving main by compare-and-swap with the working tree following. Time and new ids come from
an injected clock and id source, so that tests and simulations can fix them.
"""

from __future__ import annotations

import functools
import secrets
import time
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, TypeVar

from wgtool.core.desks import against
from wgtool.core.desks.worktree import Worktree
from wgtool.core.errors import NotFound, Remedy, StateError, WgError
from wgtool.core.glance import Glance, IndexReads, Unreadable, listing_fingerprint
from wgtool.core.model import Amendment, Member, Settings, Status
from wgtool.core.record import config, faults, rulebook, signing
from wgtool.core.record.config import Roster
from wgtool.core.record.gitstore import GitStore, Person, retry_cas
from wgtool.core.record.rulebook import MAIN_REF, TAGS_PREFIX, WG_PREFIX
from wgtool.lazy import lazy_module

if TYPE_CHECKING:
    from wgtool.core import index as sqlite_index
    from wgtool.core.indexing import plain as plain_refresh
else:
    # SQLAlchemy (most of a second): a command that never opens the index never imports it;
    # one that finds the file behind the refs brings it up to date through sqlite3
    sqlite_index = lazy_module("wgtool.core.index")
    plain_refresh = lazy_module("wgtool.core.indexing.plain")

R = TypeVar("R")


def new_id() -> str:
    """A short random id: unique across machines without coordination, shown like a git sha."""
    return secrets.token_hex(4)


class Record:
    """One working group's record, seen by one acting member: what every desk is given."""

    def __init__(
        self,
        store: GitStore,
        actor: str | None = None,
        *,
        notify: Callable[[str], object] | None = None,
        clock: Callable[[], float] = time.time,
        ids: Callable[[], str] = new_id,
        main: str | None = None,
    ) -> None:
        self.store = store
        self.clock = clock
        self.ids = ids
        # One-line notices about things wgtool repaired on its own (an index rebuilt, a working
        # tree brought up to date): given to ``notify``, else kept in ``notices``.
        self.notices: list[str] = []
        self.notify: Callable[[str], object] = notify or self.notices.append
        store.notify = lambda message: self.notify(message)  # wgtool's own files, repaired
        self.worktree = Worktree(store, lambda message: self.notify(message))
        self._actor_handle = actor
        self._cache_main: str | None = None
        self._cache_settings: Settings | None = None
        self._cache_roster: Roster | None = None
        # One snapshot per command: with ``snapshot_reads`` (a CLI command, not the TUI, which
        # must see what others write meanwhile) reads refresh the index only once, and again
        # only after this process ran a git command that may have moved a ref.
        self.snapshot_reads = False
        # (store generation, the ref tips the index reflected when it was last refreshed)
        self._refreshed: tuple[int, dict[str, str]] | None = None
        # (store generation, main): main as read when the group was opened, if it was
        self._main_read: tuple[int, str] | None = None if main is None else (store.generation, main)
        self._glance: tuple[int, Glance] | None = None  # (store generation, a glance at the index)
        # Whether a settled read took a glance at a file behind the refs (see ``read``): the
        # index, once opened, is refreshed first, so that no read of it sees the file behind.
        self._read_behind = False

    @functools.cached_property
    def index(self) -> sqlite_index.Index:
        """The index (a SQLite cache of the refs), opened when first used: a command that never
        reads it (verify, drafts, exports) does not import SQLAlchemy (a third of a second)."""
        index = sqlite_index.Index(self.store, notify=lambda message: self.notify(message))
        if self._read_behind:
            self._drop_glance()
            self._refreshed = (self.store.generation, index.refresh())
        return index

    def read(self, ask: Callable[[IndexReads], R], *, settled: bool = False) -> R:
        """``ask`` of the index. While this process has not opened the index, of a glance at
        its file when that is current (no SQLAlchemy to import: see
        :mod:`wgtool.core.glance`), kept for the command with ``snapshot_reads`` and else
        closed after; of the index, refreshed, otherwise or should the glance meet a row it
        cannot take (the index heals it). ``settled``: ``ask`` reads only what main, the
        amendments and their decisions settle (ids, numbers, an amendment's row), so a file
        behind only by event chains grown by positions or comments will do (see
        :meth:`Glance.current`)."""
        if "index" not in self.__dict__:
            for attempt in range(2):
                kept = self.snapshot_reads
                glance = self._kept_glance(settled) if kept else self._glance_at(settled)
                if glance is not None:
                    try:
                        return ask(glance)
                    except Unreadable:
                        kept = False
                        break
                    finally:
                        if not kept:  # each read of the TUI's workers opens its own
                            glance.close()
                            self._glance = None
                if attempt == 0:
                    # The file is not current (the refresh need not list the refs to see
                    # it): brought up to date through sqlite3 where it can be, then a glance.
                    self.refreshed_tips(stale=True)
                    if "index" in self.__dict__:
                        break
        self.refresh()
        return ask(self.index)

    def _glance_at(self, settled: bool) -> Glance | None:
        found = Glance.current(self.store, settled=settled)
        if found is not None and found.grown:
            self._read_behind = True
        return found

    def _kept_glance(self, settled: bool = False) -> Glance | None:
        generation = self.store.generation
        if self._glance is not None:
            if self._glance[0] == generation and (settled or not self._glance[1].grown):
                return self._glance[1]
            self._drop_glance()  # one at a file behind serves settled reads only
        found = self._glance_at(settled)
        if found is not None:
            self._glance = (generation, found)
        return found

    def _drop_glance(self) -> None:
        if self._glance is not None:
            self._glance[1].close()
            self._glance = None

    def close(self) -> None:
        self._drop_glance()
        if "index" in self.__dict__:
            self.index.close()
        self.store.close()

    # -- state at main -------------------------------------------------------------------------

    def main(self) -> str:
        """The commit main is at (with ``snapshot_reads``, read again only after this process
        ran a git command that may have moved a ref: a write compares and swaps anyway)."""
        generation = self.store.generation
        if self.snapshot_reads and self._main_read is not None:
            read_at, sha = self._main_read
            if read_at == generation:
                return sha
        found = self.store.resolve(MAIN_REF)
        if found is None:
            raise NotFound("the repository has no main branch", remedy=Remedy.CREATE_GROUP)
        self._main_read = (generation, found)
        return found

    def _load_main(self) -> None:
        main = self.main()
        if main != self._cache_main:
            settings_data = self.store.read_file(main, config.SETTINGS_PATH)
            roster_data = self.store.read_file(main, config.ROSTER_PATH)
            settings, roster = config.parse_config(settings_data or b"", roster_data or b"")
            self._cache_main, self._cache_settings, self._cache_roster = main, settings, roster

    @property
    def settings(self) -> Settings:
        self._load_main()
        assert self._cache_settings is not None
        return self._cache_settings

    @property
    def roster(self) -> Roster:
        self._load_main()
        assert self._cache_roster is not None
        return self._cache_roster

    def actor(self) -> Member:
        """The acting member: --as / WGTOOL_MEMBER, else the roster member with git's email."""
        roster = self.roster
        if self._actor_handle:
            return roster.get(self._actor_handle)
        email = self.store.config_get("user.email")
        if email:
            member = roster.by_email(email)
            if member is not None:
                return member
        raise NotFound("who is acting?", remedy=Remedy.CHOOSE_MEMBER)

    def act_as(self, handle: str | None) -> None:
        if handle is not None:
            self.roster.get(handle)
        self._actor_handle = handle

    def open_state(
        self, amendment_id: str, verb: str, *, lapsed_too: bool = False, settled: bool = False
    ) -> tuple[Amendment, dict[str, str]]:
        """The amendment as the freshly refreshed index has it, refused unless it is open (or
        lapsed, with ``lapsed_too``), and the ref tips the index read (for a write to verify
        that nothing moved since). ``settled``: all the write depends on is the amendment's
        row (its status, its revision), not its deliberation: read at a glance when the file
        settles it, with the tips listed then (see :meth:`Glance.current`)."""
        current: Amendment | None = None
        tips: dict[str, str] | None = None
        if not settled and "index" not in self.__dict__:
            self.refreshed_tips()  # its deliberation too: the file brought up to date first
        if "index" not in self.__dict__:
            kept = self.snapshot_reads
            glance = self._kept_glance(settled) if kept else self._glance_at(settled)
            if glance is not None:
                try:
                    current, tips = glance.amendment(amendment_id), glance.tips
                except Unreadable:
                    pass
                finally:
                    if not kept:
                        glance.close()
        if current is None or not tips:
            tips = self.refreshed_tips()
            current = self.index.amendment(amendment_id)
        if current is None:
            raise NotFound(f"no amendment {amendment_id!r}", remedy=Remedy.LIST_AMENDMENTS)
        require_open(current, verb, lapsed_too=lapsed_too)
        return current, tips

    def require(self, action: str) -> Member:
        member = self.actor()
        rulebook.require(member, action)
        self._arm_signing(member)
        return member

    def _arm_signing(self, member: Member) -> None:
        """Where the working group requires signatures, sign what ``member`` writes next."""
        if self.settings.signatures != "required":
            self.store.signing_key = None
            return
        self.store.signing_key = signing.key_for(self.store, member)

    def can(self, action: str) -> bool:
        try:
            return rulebook.allowed(self.actor(), action)
        except WgError:
            return False

    def refresh(self) -> None:
        """Bring the index up to date with the refs before a read."""
        self.refreshed_tips()

    def tip(self, ref: str) -> str | None:
        """The commit ``ref`` (main, an amendment's or an event chain) is at: as the index's
        refresh listed it in this store generation (with ``snapshot_reads``), else read."""
        if self.snapshot_reads and self._refreshed is not None:
            refreshed_at, tips = self._refreshed
            if refreshed_at == self.store.generation:
                return tips.get(ref)
        return self.store.resolve(ref)

    def refreshed_tips(self, *, stale: bool = False) -> dict[str, str]:
        """Bring the index up to date with the refs; the ref tips (main, amendments, events) it
        now reflects, for a write to compare and swap against. With ``snapshot_reads``, once
        per store generation: until this process runs a git command that may move a ref, the
        tips of its last refresh (a write whose compare-and-swap fails starts a new one).
        ``stale``: the index file was just seen not to be current (see ``Index.refresh``)."""
        generation = self.store.generation
        if self.snapshot_reads and self._refreshed is not None:
            refreshed_at, tips = self._refreshed
            if refreshed_at == generation:
                return tips
        found = None
        if "index" not in self.__dict__:
            found = plain_refresh.refreshed(self.store, stale=stale)
            if found is not None:
                self._drop_glance()  # one kept from before the refresh is behind it
        tips = self.index.refresh(stale=stale) if found is None else found
        self._refreshed = (generation, tips)
        return tips

    def record_fingerprint(self) -> str:
        """A digest of the record's refs (main, amendments, events, versions) that changes
        whenever any of them moves: by this process, another one, or a sync. One ``git
        for-each-ref``, nothing read: cheap enough to ask every few seconds."""
        listing = self.store.run(
            [
                "for-each-ref",
                "--format=%(objectname) %(refname)",
                MAIN_REF,
                WG_PREFIX.rstrip("/"),
                TAGS_PREFIX.rstrip("/"),
            ]
        ).stdout.decode()
        return listing_fingerprint(listing)

    def forget_main(self) -> None:
        """Read the settings and roster from main again next time (main moved, or will)."""
        self._cache_main = None

    def now(self) -> int:
        """The time to record, in whole seconds (from the injected clock)."""
        return int(self.clock())

    def made_against(self, member: Member, parent: str | None) -> str:
        """The main commit a new revision or event by ``member`` names in its ``Main:`` trailer
        (see :func:`wgtool.core.desks.against.made_against`)."""
        return against.made_against(self.store, self.main(), member, parent)

    # -- writing helpers -----------------------------------------------------------------------

    def person(self, member: Member, timestamp: int | None = None) -> Person:
        return Person(member.name, member.email, timestamp or self.now())

    def trailers(self, member: Member, *extra: tuple[str, str]) -> list[tuple[str, str]]:
        return [*extra, ("Member", member.handle), ("Stakeholder-Group", member.group)]

    def commit_main(
        self,
        build: Callable[[str], dict[str, bytes | None]],
        message: str,
        author: Person,
        committer: Person,
    ) -> str:
        """Commit a change to main: ``build(main_sha)`` returns the file changes."""

        def attempt() -> str:
            old = self.main()
            changes = build(old)
            tree = self.store.write_tree(self.store.commit(old).tree, changes)
            commit = self.store.write_commit(tree, [old], message, author, committer)
            self.move_main(commit, old)
            return commit

        return retry_cas(attempt)

    def move_main(
        self, new: str, old: str, *, verify: Mapping[str, str | None] | None = None
    ) -> None:
        with self.worktree.moving():
            clean = self.worktree.is_clean()
            if clean:
                # Should this process die before the working tree follows main, the next
                # command finds the tree still at ``old`` and brings it up to date (catch_up).
                self.worktree.record(old)
            self.store.update_ref(MAIN_REF, new, old, "wgtool", verify=verify)
            faults.crash_point("after-main-update")
            self._cache_main = None
            if clean:
                self.worktree.update(old, new)


def require_open(amendment: Amendment, verb: str, *, lapsed_too: bool = False) -> None:
    """Refuse unless the amendment is open (or lapsed, where ``lapsed_too``)."""
    if amendment.status is Status.OPEN or (lapsed_too and amendment.status is Status.LAPSED):
        return
    why = f"it is {amendment.status.value}"
    if amendment.status is Status.LAPSED:
        why = (
            f"amendment {amendment.amends} was decided or revised since"
            if amendment.amends
            else "its paragraph is no longer in the draft"
        )
    raise StateError(f"cannot {verb} amendment {amendment.id}: {why}")
