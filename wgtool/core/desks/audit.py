"""The audit of the record: every change judged again by the rulebook (signatures too, where
required), silences and amendment windows kept. The engine is :mod:`wgtool.core.exchange.verify`,
loaded when first used.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from wgtool.core.desks.parts import Desks
from wgtool.lazy import lazy_module

if TYPE_CHECKING:
    from wgtool.core.exchange import verify
    from wgtool.core.exchange.kept_report import VerifyReport
else:
    verify = lazy_module("wgtool.core.exchange.verify")


class AuditDesk:
    """Verify the record as a clone holds it."""

    def __init__(self, desks: Desks) -> None:
        self.desks = desks

    def verify(self, *, full: bool = False) -> VerifyReport:
        """Every change made by a member entitled to it; with ``full``, every commit judged
        again, ignoring the verdicts kept from earlier runs."""
        return verify.verify(self.desks, full=full)
