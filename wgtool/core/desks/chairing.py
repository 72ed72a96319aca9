"""The chair's preparation: the order of consideration of a draft's open amendments, and the
chair's text (the draft with chosen open amendments applied). Both only read the record."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from wgtool.core import consideration, labels
from wgtool.core.consideration import ChairText, Consideration, Proposal
from wgtool.core.desks.amendments import AmendmentsDesk
from wgtool.core.desks.context import Record
from wgtool.core.desks.drafts import DraftsDesk
from wgtool.core.errors import InvalidInput, StateError
from wgtool.core.model import Amendment, Status
from wgtool.lazy import lazy_module

if TYPE_CHECKING:
    from wgtool.core.documents import chair
else:
    chair = lazy_module("wgtool.core.documents.chair")  # only a preview as a document needs it


@dataclass(frozen=True)
class ConsiderationOrder:
    """A draft's open amendments in the order a chair takes them, at main commit ``main``."""

    slug: str
    main: str
    items: tuple[Consideration, ...]

    def to_dict(self) -> dict[str, object]:
        return {
            "draft": self.slug,
            "main": self.main,
            "order": [item.to_dict(position) for position, item in enumerate(self.items, 1)],
        }


class ChairingDesk:
    """Anyone reads the order of consideration and a chair's text; nothing is written."""

    def __init__(self, record: Record, drafts: DraftsDesk, amendments: AmendmentsDesk) -> None:
        self.record = record
        self.drafts = drafts
        self.amendments = amendments

    def order(self, slug: str) -> ConsiderationOrder:
        """The open amendments to draft ``slug`` in the order of consideration."""
        main, current, now = self._current(slug)
        open_ones = self.amendments.amendments(draft=slug, status=Status.OPEN.value)
        items = consideration.consideration_order(current, now, self._proposals(open_ones))
        return ConsiderationOrder(slug, main, tuple(items))

    def chair_text(self, slug: str, amendment_ids: list[str]) -> ChairText:
        """Draft ``slug`` with the open amendments ``amendment_ids`` (ids, prefixes or
        ``SLUG/N``) applied in the order of consideration."""
        if not amendment_ids:
            raise InvalidInput("name the amendments to apply")
        chosen: dict[str, Amendment] = {}
        for name in amendment_ids:
            amendment = self.amendments.amendment(name)
            if amendment.draft != slug:
                raise InvalidInput(f"amendment {amendment.id} amends {amendment.draft}, not {slug}")
            if amendment.status is not Status.OPEN:
                raise StateError(
                    f"amendment {amendment.id} is {amendment.status.value}: only open "
                    "amendments go into the chair's text"
                )
            chosen[amendment.id] = amendment
        order = self.order(slug)
        ranked = [p.amendment.id for item in order.items for p in item.placements]
        picked = sorted(chosen.values(), key=lambda a: ranked.index(a.id))
        main, current, now = self._current(slug, order.main)
        text, final, taken, conflicts = consideration.chair_text(
            current, now, self._proposals(picked)
        )
        title = self.drafts.draft(slug).title
        return ChairText(slug, title, main, text, final.current, tuple(taken), tuple(conflicts))

    def chair_document(
        self, slug: str, amendment_ids: list[str], fmt: str, templates: Path | None = None
    ) -> str | bytes:
        """The chair's text as a document: ``markdown``, ``html`` or ``docx`` (bytes), laid
        out by the clean text's template (``templates``: a folder whose files win)."""
        if fmt not in ("markdown", "html", "docx"):
            raise InvalidInput(f"unknown format {fmt!r}: use markdown, html or docx")
        return chair.render(self.chair_text(slug, amendment_ids), fmt, templates)

    def _current(self, slug: str, main: str | None = None) -> tuple[str, str, labels.Labels]:
        """The main commit, the draft's text there and its labels."""
        main = main or self.drafts.existing_draft(slug)
        current = self.drafts.draft_text_at(main, slug) or ""
        return main, current, self.drafts.labels_at(main, slug, current)

    def _proposals(self, amendments: list[Amendment]) -> list[Proposal]:
        texts = self.drafts.draft_text_at
        return [
            Proposal(a, texts(a.base, a.draft) or "", texts(a.head, a.draft) or "")
            for a in amendments
        ]
