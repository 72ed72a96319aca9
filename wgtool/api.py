"""The core's one surface: everything the faces (wgtool.cli, wgtool.tui, wgtool.web) use.

The faces import this module and nothing else from ``wgtool.core`` (tests/test_import_hygiene.py
checks it). It offers:

- the working group and its desks (``WorkingGroup``: ``wg.amendments.propose(...)``,
  ``wg.merges.plan_merge(...)``, ``wg.agreement.bracket(...)``), exports, sync, verify and
  reports among them (``wg.documents.export(...)``, ``wg.exchange.sync(remote)``,
  ``wg.audit.verify()``, ``wg.reports.participation()``, ``wg.reports.concordance(...)``), and
  joining a group (``WorkingGroup.clone(url, path)``, beside ``WorkingGroup.open``);
- the read models the desks answer with, the domain types and the error family;
- the shared remote (``SharedRemote``: made empty, guarded, judging a push in its hook): a bare
  repository with no checkout and no acting member, so no working group's desk;
- the use cases that still stand beside the desks: login links (kept in the repository's
  ``.git``, not in the record) and the demo (which builds a working group);
- a few pure helpers and helper modules the faces format with.

It is also the faces' way of importing the core lazily: a name is imported from its module the
first time it is read (PEP 562 ``__getattr__``), so a command that never merges does not load
the merge planner, and one that never reads the index does not load SQLAlchemy. A face imports
``from wgtool import api`` at its top and reads ``api.X`` where it needs X, which loads X's
module then; ``from wgtool.api import X`` at the top loads it at once, for what a face needs
anyway. Any other module is named lazily with :func:`wgtool.lazy.lazy_module`; no import of
wgtool sits in a function body (``tests/test_inline_imports.py``).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from wgtool.core import agreement as agreement
    from wgtool.core import amending as amending
    from wgtool.core import document as document
    from wgtool.core import inline as inline
    from wgtool.core import languages as languages
    from wgtool.core import merging as merging
    from wgtool.core import validate as validate
    from wgtool.core.agreement import Bracket as Bracket
    from wgtool.core.agreement import ParagraphState as ParagraphState
    from wgtool.core.agreement import ParagraphStatus as ParagraphStatus
    from wgtool.core.agreement import Silence as Silence
    from wgtool.core.agreement import SilenceState as SilenceState
    from wgtool.core.agreement import Span as Span
    from wgtool.core.agreement import ad_referendum_note as ad_referendum_note
    from wgtool.core.agreement import in_words as in_words
    from wgtool.core.agreement import local_time as local_time
    from wgtool.core.agreement import parse_when as parse_when
    from wgtool.core.consensus import Consensus as Consensus
    from wgtool.core.consensus import NoConsensus as NoConsensus
    from wgtool.core.consensus import as_position as as_position
    from wgtool.core.demo import FIRST_READING as FIRST_READING
    from wgtool.core.demo import circulate_example as circulate_example
    from wgtool.core.demo import create_demo as create_demo
    from wgtool.core.desks import AdoptedChange as AdoptedChange
    from wgtool.core.desks import AgreementDesk as AgreementDesk
    from wgtool.core.desks import AmendmentChange as AmendmentChange
    from wgtool.core.desks import AmendmentsDesk as AmendmentsDesk
    from wgtool.core.desks import AuditDesk as AuditDesk
    from wgtool.core.desks import Chains as Chains
    from wgtool.core.desks import DeliberationDesk as DeliberationDesk
    from wgtool.core.desks import DocumentsDesk as DocumentsDesk
    from wgtool.core.desks import DraftsDesk as DraftsDesk
    from wgtool.core.desks import ExchangeDesk as ExchangeDesk
    from wgtool.core.desks import Inbox as Inbox
    from wgtool.core.desks import InboxDesk as InboxDesk
    from wgtool.core.desks import MeetingDesk as MeetingDesk
    from wgtool.core.desks import MergesDesk as MergesDesk
    from wgtool.core.desks import ParagraphThreads as ParagraphThreads
    from wgtool.core.desks import ProcedureDesk as ProcedureDesk
    from wgtool.core.desks import Record as Record
    from wgtool.core.desks import RemindersDesk as RemindersDesk
    from wgtool.core.desks import ReportsDesk as ReportsDesk
    from wgtool.core.desks import ReservationsDesk as ReservationsDesk
    from wgtool.core.desks import Room as Room
    from wgtool.core.desks import SecretariatDesk as SecretariatDesk
    from wgtool.core.desks import Thread as Thread
    from wgtool.core.desks import TranslationsDesk as TranslationsDesk
    from wgtool.core.desks import WorkingGroup as WorkingGroup
    from wgtool.core.desks.chairing import ChairingDesk as ChairingDesk
    from wgtool.core.desks.chairing import ChairText as ChairText
    from wgtool.core.desks.chairing import ConsiderationOrder as ConsiderationOrder
    from wgtool.core.desks.context import require_open as require_open
    from wgtool.core.desks.detail import AmendmentDetail as AmendmentDetail
    from wgtool.core.desks.reminders import Reminders as Reminders
    from wgtool.core.documents.blame import OTHER_KEYS as OTHER_KEYS
    from wgtool.core.documents.blame import Blame as Blame
    from wgtool.core.documents.concordance import Concordance as Concordance
    from wgtool.core.documents.publish import Published as Published
    from wgtool.core.documents.redline import AttributedRedline as AttributedRedline
    from wgtool.core.documents.redline import RedlineEntry as RedlineEntry
    from wgtool.core.documents.stats import Balance as Balance
    from wgtool.core.documents.stats import GroupBalance as GroupBalance
    from wgtool.core.documents.word_in import read_docx as read_docx
    from wgtool.core.errors import BracketsRemain as BracketsRemain
    from wgtool.core.errors import ConcurrentUpdate as ConcurrentUpdate
    from wgtool.core.errors import InvalidInput as InvalidInput
    from wgtool.core.errors import LocalFileError as LocalFileError
    from wgtool.core.errors import LookAlike as LookAlike
    from wgtool.core.errors import LostRace as LostRace
    from wgtool.core.errors import MergeConflict as MergeConflict
    from wgtool.core.errors import NotFound as NotFound
    from wgtool.core.errors import PermissionDenied as PermissionDenied
    from wgtool.core.errors import Remedy as Remedy
    from wgtool.core.errors import StateError as StateError
    from wgtool.core.errors import SyncError as SyncError
    from wgtool.core.errors import WgError as WgError
    from wgtool.core.exchange.clone_start import CloneStart as CloneStart
    from wgtool.core.exchange.fetch_start import FetchStart as FetchStart
    from wgtool.core.exchange.guard import SharedRemote as SharedRemote
    from wgtool.core.exchange.kept_report import quick_report as quick_report
    from wgtool.core.exchange.logins import LoginLinks as LoginLinks
    from wgtool.core.exchange.logins import issue as issue_login
    from wgtool.core.exchange.logins import revoke as revoke_login
    from wgtool.core.exchange.sync import hooks as hooks
    from wgtool.core.glance import first_screen_at as first_screen_at
    from wgtool.core.glance_queue import GlancedQueue as GlancedQueue
    from wgtool.core.glance_queue import QueueFilters as QueueFilters
    from wgtool.core.glance_queue import queue_at as queue_at
    from wgtool.core.inbox import AmendmentNews as AmendmentNews
    from wgtool.core.inbox import News as News
    from wgtool.core.labels import LABEL_RE as LABEL_RE
    from wgtool.core.merging import ConflictPlace as ConflictPlace
    from wgtool.core.merging import MergePlan as MergePlan
    from wgtool.core.merging import ParagraphChange as ParagraphChange
    from wgtool.core.model import Amendment as Amendment
    from wgtool.core.model import DocumentFormat as DocumentFormat
    from wgtool.core.model import Draft as Draft
    from wgtool.core.model import DraftSummary as DraftSummary
    from wgtool.core.model import Event as Event
    from wgtool.core.model import GroupState as GroupState
    from wgtool.core.model import Kind as Kind
    from wgtool.core.model import Member as Member
    from wgtool.core.model import Role as Role
    from wgtool.core.model import Settings as Settings
    from wgtool.core.model import Stance as Stance
    from wgtool.core.model import Status as Status
    from wgtool.core.model import Verdict as Verdict
    from wgtool.core.model import Version as Version
    from wgtool.core.record import rulebook as rulebook
    from wgtool.core.record.config import PUBLISH_LEVELS as PUBLISH_LEVELS
    from wgtool.core.record.config import SIGNATURE_MODES as SIGNATURE_MODES
    from wgtool.core.safe import HIDDEN_CHARACTERS as HIDDEN_CHARACTERS
    from wgtool.core.safe import terminal_safe as terminal_safe
    from wgtool.core.statements import Statement as Statement
    from wgtool.core.text import DiffOp as DiffOp

_TABLE: dict[str, tuple[str, str | None]] = {
    # The working group and its desks
    "WorkingGroup": ("wgtool.core.desks", "WorkingGroup"),
    "CloneStart": ("wgtool.core.exchange.clone_start", "CloneStart"),
    "FetchStart": ("wgtool.core.exchange.fetch_start", "FetchStart"),
    "Record": ("wgtool.core.desks", "Record"),
    "AgreementDesk": ("wgtool.core.desks", "AgreementDesk"),
    "AmendmentsDesk": ("wgtool.core.desks", "AmendmentsDesk"),
    "AuditDesk": ("wgtool.core.desks", "AuditDesk"),
    "Chains": ("wgtool.core.desks", "Chains"),
    "ChairingDesk": ("wgtool.core.desks.chairing", "ChairingDesk"),
    "ChairText": ("wgtool.core.desks.chairing", "ChairText"),
    "ConsiderationOrder": ("wgtool.core.desks.chairing", "ConsiderationOrder"),
    "DeliberationDesk": ("wgtool.core.desks", "DeliberationDesk"),
    "DocumentsDesk": ("wgtool.core.desks", "DocumentsDesk"),
    "DraftsDesk": ("wgtool.core.desks", "DraftsDesk"),
    "ExchangeDesk": ("wgtool.core.desks", "ExchangeDesk"),
    "InboxDesk": ("wgtool.core.desks", "InboxDesk"),
    "MergesDesk": ("wgtool.core.desks", "MergesDesk"),
    "ProcedureDesk": ("wgtool.core.desks", "ProcedureDesk"),
    "MeetingDesk": ("wgtool.core.desks", "MeetingDesk"),
    "Room": ("wgtool.core.desks", "Room"),
    "ReportsDesk": ("wgtool.core.desks", "ReportsDesk"),
    "RemindersDesk": ("wgtool.core.desks", "RemindersDesk"),
    "ReservationsDesk": ("wgtool.core.desks", "ReservationsDesk"),
    "Statement": ("wgtool.core.statements", "Statement"),
    "Reminders": ("wgtool.core.desks.reminders", "Reminders"),
    "hooks": ("wgtool.core.exchange.sync.hooks", None),
    "SecretariatDesk": ("wgtool.core.desks", "SecretariatDesk"),
    "TranslationsDesk": ("wgtool.core.desks", "TranslationsDesk"),
    "require_open": ("wgtool.core.desks.context", "require_open"),
    # Read models: what the desks answer
    "AdoptedChange": ("wgtool.core.desks", "AdoptedChange"),
    "AmendmentChange": ("wgtool.core.desks", "AmendmentChange"),
    "DraftSummary": ("wgtool.core.model", "DraftSummary"),
    "first_screen_at": ("wgtool.core.glance", "first_screen_at"),
    "queue_at": ("wgtool.core.glance_queue", "queue_at"),
    "GlancedQueue": ("wgtool.core.glance_queue", "GlancedQueue"),
    "QueueFilters": ("wgtool.core.glance_queue", "QueueFilters"),
    "Inbox": ("wgtool.core.desks", "Inbox"),
    "ParagraphThreads": ("wgtool.core.desks", "ParagraphThreads"),
    "Thread": ("wgtool.core.desks", "Thread"),
    "Bracket": ("wgtool.core.agreement", "Bracket"),
    "ParagraphState": ("wgtool.core.agreement", "ParagraphState"),
    "Silence": ("wgtool.core.agreement", "Silence"),
    "Span": ("wgtool.core.agreement", "Span"),
    "Blame": ("wgtool.core.documents.blame", "Blame"),
    "Published": ("wgtool.core.documents.publish", "Published"),
    "Concordance": ("wgtool.core.documents.concordance", "Concordance"),
    "AmendmentNews": ("wgtool.core.inbox", "AmendmentNews"),
    "News": ("wgtool.core.inbox", "News"),
    "ConflictPlace": ("wgtool.core.merging", "ConflictPlace"),
    "MergePlan": ("wgtool.core.merging", "MergePlan"),
    "ParagraphChange": ("wgtool.core.merging", "ParagraphChange"),
    "AttributedRedline": ("wgtool.core.documents.redline", "AttributedRedline"),
    "RedlineEntry": ("wgtool.core.documents.redline", "RedlineEntry"),
    "Balance": ("wgtool.core.documents.stats", "Balance"),
    "GroupBalance": ("wgtool.core.documents.stats", "GroupBalance"),
    "DiffOp": ("wgtool.core.text", "DiffOp"),
    "LoginLinks": ("wgtool.core.exchange.logins", "LoginLinks"),
    # Domain types
    "Amendment": ("wgtool.core.model", "Amendment"),
    "Consensus": ("wgtool.core.consensus", "Consensus"),
    "DocumentFormat": ("wgtool.core.model", "DocumentFormat"),
    "Draft": ("wgtool.core.model", "Draft"),
    "Event": ("wgtool.core.model", "Event"),
    "Kind": ("wgtool.core.model", "Kind"),
    "Member": ("wgtool.core.model", "Member"),
    "Role": ("wgtool.core.model", "Role"),
    "Settings": ("wgtool.core.model", "Settings"),
    "Stance": ("wgtool.core.model", "Stance"),
    "Status": ("wgtool.core.model", "Status"),
    "Version": ("wgtool.core.model", "Version"),
    "Verdict": ("wgtool.core.model", "Verdict"),
    "GroupState": ("wgtool.core.model", "GroupState"),
    "ParagraphStatus": ("wgtool.core.agreement", "ParagraphStatus"),
    "SilenceState": ("wgtool.core.agreement", "SilenceState"),
    "Remedy": ("wgtool.core.errors", "Remedy"),
    "AmendmentDetail": ("wgtool.core.desks.detail", "AmendmentDetail"),
    # Errors
    "WgError": ("wgtool.core.errors", "WgError"),
    "BracketsRemain": ("wgtool.core.errors", "BracketsRemain"),
    "ConcurrentUpdate": ("wgtool.core.errors", "ConcurrentUpdate"),
    "InvalidInput": ("wgtool.core.errors", "InvalidInput"),
    "LocalFileError": ("wgtool.core.errors", "LocalFileError"),
    "LookAlike": ("wgtool.core.errors", "LookAlike"),
    "LostRace": ("wgtool.core.errors", "LostRace"),
    "MergeConflict": ("wgtool.core.errors", "MergeConflict"),
    "NoConsensus": ("wgtool.core.consensus", "NoConsensus"),
    "NotFound": ("wgtool.core.errors", "NotFound"),
    "PermissionDenied": ("wgtool.core.errors", "PermissionDenied"),
    "StateError": ("wgtool.core.errors", "StateError"),
    "SyncError": ("wgtool.core.errors", "SyncError"),
    # The shared remote (no working group of its own) and the use cases beside the desks
    "SharedRemote": ("wgtool.core.exchange.guard", "SharedRemote"),
    "issue_login": ("wgtool.core.exchange.logins", "issue"),
    "revoke_login": ("wgtool.core.exchange.logins", "revoke"),
    "read_docx": ("wgtool.core.documents.word_in", "read_docx"),
    "FIRST_READING": ("wgtool.core.demo", "FIRST_READING"),
    "circulate_example": ("wgtool.core.demo", "circulate_example"),
    "create_demo": ("wgtool.core.demo", "create_demo"),
    # Helpers for the faces: pure functions over texts and values
    "ad_referendum_note": ("wgtool.core.agreement", "ad_referendum_note"),
    "in_words": ("wgtool.core.agreement", "in_words"),
    "local_time": ("wgtool.core.agreement", "local_time"),
    "parse_when": ("wgtool.core.agreement", "parse_when"),
    "OTHER_KEYS": ("wgtool.core.documents.blame", "OTHER_KEYS"),
    "SIGNATURE_MODES": ("wgtool.core.record.config", "SIGNATURE_MODES"),
    "PUBLISH_LEVELS": ("wgtool.core.record.config", "PUBLISH_LEVELS"),
    "as_position": ("wgtool.core.consensus", "as_position"),
    "LABEL_RE": ("wgtool.core.labels", "LABEL_RE"),
    "HIDDEN_CHARACTERS": ("wgtool.core.safe", "HIDDEN_CHARACTERS"),
    "terminal_safe": ("wgtool.core.safe", "terminal_safe"),
    "quick_report": ("wgtool.core.exchange.kept_report", "quick_report"),
    # Helper modules, used as namespaces (document.paragraphs, validate.name ...)
    "agreement": ("wgtool.core.agreement", None),
    "amending": ("wgtool.core.amending", None),
    "document": ("wgtool.core.document", None),
    "inline": ("wgtool.core.inline", None),
    "languages": ("wgtool.core.languages", None),
    "merging": ("wgtool.core.merging", None),
    "rulebook": ("wgtool.core.record.rulebook", None),
    "validate": ("wgtool.core.validate", None),
}


__all__ = [
    "AdoptedChange",
    "AgreementDesk",
    "Amendment",
    "AmendmentChange",
    "AmendmentDetail",
    "AmendmentNews",
    "AmendmentsDesk",
    "AttributedRedline",
    "AuditDesk",
    "Balance",
    "Blame",
    "Bracket",
    "BracketsRemain",
    "Chains",
    "ChairText",
    "ChairingDesk",
    "CloneStart",
    "Concordance",
    "ConcurrentUpdate",
    "ConflictPlace",
    "Consensus",
    "ConsiderationOrder",
    "DeliberationDesk",
    "DiffOp",
    "DocumentFormat",
    "DocumentsDesk",
    "Draft",
    "DraftSummary",
    "DraftsDesk",
    "Event",
    "ExchangeDesk",
    "FIRST_READING",
    "FetchStart",
    "GlancedQueue",
    "GroupBalance",
    "GroupState",
    "HIDDEN_CHARACTERS",
    "Inbox",
    "InboxDesk",
    "InvalidInput",
    "Kind",
    "LABEL_RE",
    "LocalFileError",
    "LoginLinks",
    "LookAlike",
    "LostRace",
    "MeetingDesk",
    "Member",
    "MergeConflict",
    "MergePlan",
    "MergesDesk",
    "News",
    "NoConsensus",
    "NotFound",
    "OTHER_KEYS",
    "PUBLISH_LEVELS",
    "ParagraphChange",
    "ParagraphState",
    "ParagraphStatus",
    "ParagraphThreads",
    "PermissionDenied",
    "ProcedureDesk",
    "Published",
    "QueueFilters",
    "Record",
    "RedlineEntry",
    "Remedy",
    "Reminders",
    "RemindersDesk",
    "ReportsDesk",
    "ReservationsDesk",
    "Role",
    "Room",
    "SIGNATURE_MODES",
    "SecretariatDesk",
    "Settings",
    "SharedRemote",
    "Silence",
    "SilenceState",
    "Span",
    "Stance",
    "StateError",
    "Statement",
    "Status",
    "SyncError",
    "Thread",
    "TranslationsDesk",
    "Verdict",
    "Version",
    "WgError",
    "WorkingGroup",
    "ad_referendum_note",
    "agreement",
    "amending",
    "as_position",
    "circulate_example",
    "create_demo",
    "document",
    "first_screen_at",
    "hooks",
    "in_words",
    "inline",
    "issue_login",
    "languages",
    "local_time",
    "merging",
    "parse_when",
    "queue_at",
    "quick_report",
    "read_docx",
    "require_open",
    "revoke_login",
    "rulebook",
    "terminal_safe",
    "validate",
]


def __getattr__(name: str) -> Any:
    """Import ``name`` from its module on first use, and keep it here."""
    try:
        module_name, attribute = _TABLE[name]
    except KeyError:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}") from None
    module = importlib.import_module(module_name)
    value = module if attribute is None else getattr(module, attribute)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return __all__
