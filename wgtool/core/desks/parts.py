"""The working group's desks as the engines beside them read them: the :class:`Desks` protocol.

Sync, exports, verify, participation and concordance work across several desks, and are run
by desks themselves (``wg.exchange.sync(...)``, ``wg.documents.export(...)``). So an engine
names what it reads of a working group by this protocol, which
:class:`~wgtool.core.desks.WorkingGroup` follows, and not by ``WorkingGroup``, whose desks run
the engines: that would be a circle of imports. The documents desk, itself one that runs an
engine, is named by the two readings the engines use (:class:`Attributions`).
"""

from __future__ import annotations

from typing import Protocol

from wgtool.core.desks.agreement import AgreementDesk
from wgtool.core.desks.amendments import AmendmentsDesk
from wgtool.core.desks.chains import Chains
from wgtool.core.desks.context import Record
from wgtool.core.desks.deliberation import DeliberationDesk
from wgtool.core.desks.drafts import DraftsDesk
from wgtool.core.desks.inbox import InboxDesk
from wgtool.core.desks.merges import MergesDesk
from wgtool.core.desks.procedure import ProcedureDesk
from wgtool.core.desks.reservations import ReservationsDesk
from wgtool.core.desks.roster import SecretariatDesk
from wgtool.core.desks.translations import TranslationsDesk
from wgtool.core.documents.redline import AttributedRedline
from wgtool.core.record.rulebook import MainHistory


class Attributions(Protocol):
    """What the engines read of the documents desk: main's judged history, attributed redlines."""

    def main_history(self) -> MainHistory: ...

    def attributed_redline(
        self, slug: str, old: str | None, new: str | None, *, replay: bool = False
    ) -> AttributedRedline: ...


class Desks(Protocol):
    """A working group's record and the desks the engines read and write through."""

    @property
    def record(self) -> Record: ...

    @property
    def secretariat(self) -> SecretariatDesk: ...

    @property
    def drafts(self) -> DraftsDesk: ...

    @property
    def chains(self) -> Chains: ...

    @property
    def amendments(self) -> AmendmentsDesk: ...

    @property
    def deliberation(self) -> DeliberationDesk: ...

    @property
    def merges(self) -> MergesDesk: ...

    @property
    def agreement(self) -> AgreementDesk: ...

    @property
    def procedure(self) -> ProcedureDesk: ...

    @property
    def translations(self) -> TranslationsDesk: ...

    @property
    def reservations(self) -> ReservationsDesk: ...

    @property
    def documents(self) -> Attributions: ...

    @property
    def inbox(self) -> InboxDesk: ...
