"""Use cases: everything a member, the chair or the secretariat does, by desk.

A :class:`WorkingGroup` is one repository seen by one acting member. It makes one
:class:`~wgtool.core.desks.context.Record` (the store, the index, the settings and roster on
main, the acting member, the clock and the id source) and hands it to each desk; a desk that
needs another desk is given it, and says so in its constructor. No desk inherits another:

- :attr:`WorkingGroup.record`: the context itself (main, the acting member, refreshing the index);
- :attr:`~WorkingGroup.secretariat`: members, keys and settings (:mod:`.roster`);
- :attr:`~WorkingGroup.drafts`: drafts, consensus versions and redlines (:mod:`.drafts`);
- :attr:`~WorkingGroup.chains`: writing and reading event chains (:mod:`.chains`);
- :attr:`~WorkingGroup.amendments`: proposing, revising and reading amendments;
- :attr:`~WorkingGroup.deliberation`: positions, comments, rejection, withdrawal, consensus;
- :attr:`~WorkingGroup.merges`: merge plans, merges and reverts (the chair; :mod:`.merges`);
- :attr:`~WorkingGroup.subamendments`: amendments to amendments, accepted or merged into them;
- :attr:`~WorkingGroup.agreement`: brackets, paragraph status, comments on a paragraph;
- :attr:`~WorkingGroup.procedure`: co-sponsors, the amendment window, silences, renumbering and
  tagging consensus versions (refused while brackets remain);
- :attr:`~WorkingGroup.reservations`: a group's reservations and explanations of position on a
  consensus version (:mod:`.reservations`);
- :attr:`~WorkingGroup.reminders`: what awaits each group and member (:mod:`.reminders`);
- :attr:`~WorkingGroup.documents`: who wrote which words (blame), attributed redlines, and the
  secretariat's documents (exports: HTML, Word, Akoma Ntoso);
- :attr:`~WorkingGroup.inbox`: each member's desk, what changed since they last looked;
- :attr:`~WorkingGroup.meeting`: the chair's focus on a paragraph, what a meeting room shows;
- :attr:`~WorkingGroup.exchange`: syncing with a git remote (:mod:`.exchange`);
- :attr:`~WorkingGroup.reports`: the participation balance and the concordance of labels;
- :attr:`~WorkingGroup.audit`: verifying the record.

The last three, and the documents desk's exports, run engines that read across desks
(:mod:`wgtool.core.exchange.sync`, :mod:`wgtool.core.documents.export` ...): they are given the
working group's desks as the :class:`~wgtool.core.desks.parts.Desks` the engines read, and load
an engine when it is first used. :meth:`WorkingGroup.clone` joins a working group from a remote.

Each write builds objects with plumbing and moves one ref with a compare-and-swap; a lost race
re-reads and tries again.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Self

from wgtool.core import validate
from wgtool.core.consensus import as_position
from wgtool.core.desks.agreement import AgreementDesk, ParagraphThreads
from wgtool.core.desks.amendments import AdoptedChange, AmendmentChange, AmendmentsDesk
from wgtool.core.desks.audit import AuditDesk
from wgtool.core.desks.chains import Chains
from wgtool.core.desks.chairing import ChairingDesk
from wgtool.core.desks.context import Record, new_id
from wgtool.core.desks.deliberation import DeliberationDesk, Thread
from wgtool.core.desks.detail import AmendmentDetail
from wgtool.core.desks.documents import DocumentsDesk
from wgtool.core.desks.drafts import DraftsDesk
from wgtool.core.desks.exchange import ExchangeDesk
from wgtool.core.desks.inbox import Inbox, InboxDesk
from wgtool.core.desks.meeting import MeetingDesk, Room
from wgtool.core.desks.merges import MergesDesk
from wgtool.core.desks.procedure import ProcedureDesk
from wgtool.core.desks.reminders import RemindersDesk
from wgtool.core.desks.reports import ReportsDesk
from wgtool.core.desks.reservations import ReservationsDesk
from wgtool.core.desks.roster import SecretariatDesk
from wgtool.core.desks.subamend import SubAmendmentsDesk
from wgtool.core.desks.translations import TranslationsDesk
from wgtool.core.errors import InvalidInput, NotFound, Remedy, WgError
from wgtool.core.model import DraftSummary, Settings
from wgtool.core.record import config
from wgtool.core.record.gitstore import GitStore, Person
from wgtool.core.record.messages import format_message
from wgtool.core.record.rulebook import MAIN_REF, draft_path
from wgtool.lazy import lazy_module

if TYPE_CHECKING:
    from wgtool import example as example_group
else:
    example_group = lazy_module("wgtool.example")  # its drafts: only for wgtool init --example

if TYPE_CHECKING:
    from wgtool.core.exchange.clone_start import CloneStart
    from wgtool.core.exchange.sync import cloning
    from wgtool.core.exchange.sync.report import SyncReport
else:
    cloning = lazy_module("wgtool.core.exchange.sync.cloning")  # the sync engine: only to clone


class WorkingGroup:
    """One working group's repository, seen by one acting member: its desks, side by side."""

    def __init__(self, record: Record) -> None:
        self.record = record
        self.secretariat = SecretariatDesk(record)
        self.drafts = DraftsDesk(record)
        self.chains = Chains(record)
        self.translations = TranslationsDesk(record, self.drafts)
        self.amendments = AmendmentsDesk(record, self.drafts, self.chains, self.translations)
        self.deliberation = DeliberationDesk(record, self.amendments, self.chains)
        self.merges = MergesDesk(record, self.drafts, self.amendments, self.deliberation)
        self.subamendments = SubAmendmentsDesk(
            record, self.drafts, self.amendments, self.deliberation, self.chains
        )
        self.chairing = ChairingDesk(record, self.drafts, self.amendments)
        self.agreement = AgreementDesk(record, self.drafts, self.amendments, self.chains)
        self.procedure = ProcedureDesk(
            record,
            self.drafts,
            self.chains,
            self.amendments,
            self.merges,
            self.agreement,
        )
        self.reservations = ReservationsDesk(record, self.drafts, self.chains)
        self.reminders = RemindersDesk(record, self.amendments, self.deliberation, self.procedure)
        self.documents = DocumentsDesk(record, self.drafts, self.amendments, self)
        self.inbox = InboxDesk(record, self.drafts)
        self.meeting = MeetingDesk(record, self.drafts, self.agreement, self.chains)
        self.exchange = ExchangeDesk(record, self)
        self.reports = ReportsDesk(self)
        self.audit = AuditDesk(self)

    @classmethod
    def open(
        cls,
        path: str | os.PathLike[str] | None = None,
        actor: str | None = None,
        *,
        notify: Callable[[str], object] | None = None,
        clock: Callable[[], float] = time.time,
        ids: Callable[[], str] = new_id,
    ) -> Self:
        """Open the working group at ``path`` (else $WGTOOL_REPO, else the current folder) as
        ``actor`` (else $WGTOOL_MEMBER, else the roster member with git's email)."""
        location = path or os.environ.get("WGTOOL_REPO") or os.getcwd()
        store = GitStore.open(location)
        main = store.resolve(MAIN_REF)
        if main is None or store.lookup(main, config.SETTINGS_PATH) is None:
            store.close()
            raise NotFound(
                f"{os.fspath(location)} is not a wgtool working group (no wg.toml on main)",
                remedy=Remedy.CREATE_GROUP,
            )
        acting = actor or os.environ.get("WGTOOL_MEMBER") or None
        record = Record(store, acting, notify=notify, clock=clock, ids=ids, main=main)
        record.worktree.catch_up(main)
        return cls(record)

    @classmethod
    def clone(
        cls,
        url: str,
        path: str | os.PathLike[str],
        *,
        clock: Callable[[], float] = time.time,
        ids: Callable[[], str] = new_id,
        started: CloneStart | None = None,
    ) -> tuple[Self, SyncReport]:
        """Join a working group: clone its repository from ``url`` into the new folder
        ``path``, with every wg ref and version as far as the rulebook accepts them (see
        :mod:`wgtool.core.exchange.sync.cloning`), and open it; the report says what came and
        what not. ``started``: the clone's ``git clone``, started by the caller (see
        :mod:`wgtool.core.exchange.clone_start`)."""
        report, read = cloning.clone(url, Path(path), started)
        wg = cls.open(Path(path).absolute(), clock=clock, ids=ids)
        try:
            # What the judging read of commits and events never changes: the index reads it
            # again from memory, not from git.
            wg.record.store.memo.update(read)
            wg.record.refresh()
        except WgError:
            wg.close()
            raise
        return wg, report

    @classmethod
    def init(
        cls,
        path: Path,
        *,
        title: str = "Working group",
        example: bool = False,
        bare: bool = False,
        clock: Callable[[], float] = time.time,
        ids: Callable[[], str] = new_id,
    ) -> Self:
        """Start a working group in the new folder ``path``: settings, an empty roster (or the
        example group's members and drafts) and the first commit of main."""
        path = Path(path)
        if path.exists() and any(path.iterdir()):
            raise InvalidInput(f"{path} exists and is not empty: choose a new folder")
        title = validate.one_line(title, "title")
        store = GitStore.init(path, bare=bare)
        settings = Settings(title=title, groups=dict(config.DEFAULT_GROUPS))
        files: dict[str, bytes | None] = {
            config.SETTINGS_PATH: config.dump_settings(settings).encode()
        }
        roster_text = "# The members of the working group; changed with 'wgtool member add'.\n"
        if example:
            roster_text = example_group.example_roster()
            for slug, text in example_group.example_drafts().items():
                files[draft_path(slug)] = text.encode()
        files[config.ROSTER_PATH] = roster_text.encode()
        person = _setup_person(store, int(clock()))
        tree = store.write_tree(None, files)
        message = format_message(
            f"Start the working group: {title}",
            "Settings, roster and drafts are kept on main; amendments and their "
            "deliberation under refs/wg/.",
            [("Action", "init")],
        )
        commit = store.write_commit(tree, [], message, person, person)
        store.update_ref(MAIN_REF, commit, None, "wgtool init")
        store.run(["symbolic-ref", "HEAD", MAIN_REF])
        record = Record(store, clock=clock, ids=ids)
        record.worktree.update(None, commit)
        return cls(record)

    # -- read models: what the faces show, read once across the desks ---------------------------

    def amendment_detail(self, amendment_id: str) -> AmendmentDetail:
        """One amendment with its change, consensus, comments, co-sponsors and alternatives
        (:class:`~wgtool.core.desks.detail.AmendmentDetail`), a prefix of the id will do."""
        amendment = self.amendments.amendment(amendment_id)
        events = self.deliberation.events(amendment.id)
        positions = [as_position(e) for e in events if e.type in ("position", "silence-break")]
        subs = self.subamendments.sub_amendments(amendment)
        parent = self.amendments.amendment(amendment.amends) if amendment.amends else None
        return AmendmentDetail(
            amendment=amendment,
            group_name=self.record.settings.groups.get(amendment.group, amendment.group),
            change=self.amendments.change(amendment),
            consensus=self.deliberation.consensus(amendment, positions),
            threads=tuple(self.deliberation.comments(amendment.id)),
            events=tuple(events),
            proposer=self.record.roster.members.get(amendment.proposer),
            cosponsors=dict(self.procedure.cosponsors(amendment).members),
            alternatives=tuple(self.procedure.alternatives(amendment)),
            adopted=self.amendments.adopted_change(amendment),
            language=self.translations.amendment_language(amendment),
            authentic=self.translations.authentic(amendment.draft),
            parent=parent,
            sub_amendments=tuple(subs),
            sub_consensus=self.subamendments.sub_consensus(subs),
        )

    def close(self) -> None:
        self.record.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _setup_person(store: GitStore, when: int) -> Person:
    name = store.config_get("user.name") or "wgtool"
    email = store.config_get("user.email") or "wgtool@localhost"
    return Person(name, email, when)


__all__ = [
    "AdoptedChange",
    "AgreementDesk",
    "AmendmentChange",
    "AmendmentsDesk",
    "AuditDesk",
    "ChairingDesk",
    "Chains",
    "DeliberationDesk",
    "DocumentsDesk",
    "DraftSummary",
    "DraftsDesk",
    "ExchangeDesk",
    "Inbox",
    "InboxDesk",
    "MeetingDesk",
    "MergesDesk",
    "ParagraphThreads",
    "ProcedureDesk",
    "Record",
    "RemindersDesk",
    "ReportsDesk",
    "Room",
    "ReservationsDesk",
    "SecretariatDesk",
    "SubAmendmentsDesk",
    "Thread",
    "TranslationsDesk",
    "WorkingGroup",
    "new_id",
]
