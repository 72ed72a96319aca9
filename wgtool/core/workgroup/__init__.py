"""Use cases: everything a member, the chair or the secretariat does, by desk.

The CLI and the TUI call :class:`WorkingGroup` and nothing lower. Each desk is one module:

- :mod:`.handle`: opening a group, the acting member, moving main (what every desk shares);
- :mod:`.roster`: members, keys and settings (the secretariat);
- :mod:`.drafts`: drafts, consensus versions and redlines;
- :mod:`.amendments`: proposing, revising and reading amendments;
- :mod:`.deliberation`: positions, comments, rejection, withdrawal and consensus;
- :mod:`.merge`: merge plans, merges and reverts (the chair);
- :mod:`.documents`: who wrote which words (blame) and attributed redlines;
- :mod:`.agreement`: brackets, paragraph status and comments on a paragraph;
- :mod:`.procedure`: co-sponsors, the amendment window, silences, renumbering, and tagging
  consensus versions (refused while brackets remain);
- :mod:`.inbox`: each member's desk, what changed since they last looked.

Each write builds objects with plumbing and moves one ref with a compare-and-swap; a lost race
re-reads and tries again.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from wgtool.core.workgroup.agreement import ParagraphThreads
from wgtool.core.workgroup.amendments import AdoptedChange, AmendmentChange
from wgtool.core.workgroup.deliberation import Thread
from wgtool.core.workgroup.documents import DocumentsDesk
from wgtool.core.workgroup.drafts import DraftSummary
from wgtool.core.workgroup.handle import new_id
from wgtool.core.workgroup.inbox import Inbox, InboxDesk
from wgtool.core.workgroup.merge import MergeDesk
from wgtool.core.workgroup.procedure import ProcedureDesk
from wgtool.core.workgroup.roster import RosterDesk

if TYPE_CHECKING:
    from wgtool.core.readmodels import AmendmentDetail


class WorkingGroup(ProcedureDesk, MergeDesk, RosterDesk, DocumentsDesk, InboxDesk):
    """One working group's repository, seen by one acting member: every desk's use cases."""

    # -- read models: what the faces show, read once (:mod:`wgtool.core.readmodels`) ----------

    def amendment_detail(self, amendment_id: str) -> AmendmentDetail:
        """One amendment with its change, consensus, comments, co-sponsors and alternatives."""
        from wgtool.core.readmodels import amendment_detail

        return amendment_detail(self, amendment_id)


__all__ = [
    "AdoptedChange",
    "AmendmentChange",
    "DraftSummary",
    "Inbox",
    "ParagraphThreads",
    "Thread",
    "WorkingGroup",
    "new_id",
]
