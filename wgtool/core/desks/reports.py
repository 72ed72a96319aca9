"""Reports on the working group: the participation balance and the concordance of labels.

Both read across desks (:class:`~wgtool.core.desks.parts.Desks`): the engines are
:mod:`wgtool.core.documents.stats` and :mod:`wgtool.core.documents.concordance`, loaded when
first used.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from wgtool.core.desks.parts import Desks
from wgtool.lazy import lazy_module

if TYPE_CHECKING:
    from wgtool.core.documents import concordance, stats
    from wgtool.core.documents.concordance import Concordance
    from wgtool.core.documents.stats import Balance
else:
    concordance = lazy_module("wgtool.core.documents.concordance")
    stats = lazy_module("wgtool.core.documents.stats")


class ReportsDesk:
    """Who takes part, by stakeholder group; which paragraph became which between versions."""

    def __init__(self, desks: Desks) -> None:
        self.desks = desks

    def participation(self, slug: str | None = None) -> Balance:
        """The participation balance of the whole working group (or of draft ``slug``)."""
        return stats.participation(self.desks, slug)

    def concordance(self, slug: str, old: str, new: str) -> Concordance:
        """Old paragraph label -> new label between two versions of a draft (``main``: the
        current text), with the merged amendments that changed each paragraph."""
        return concordance.concordance(self.desks, slug, old, new)
