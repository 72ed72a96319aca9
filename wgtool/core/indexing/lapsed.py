"""Which open amendments have lapsed: their paragraph is gone from the draft on main."""

from __future__ import annotations

from wgtool.core import document
from wgtool.core.record.gitstore import GitStore
from wgtool.core.text.engine import align, split_units


class GoneParagraphs:
    """Which paragraphs of a base text main no longer has; memoised per draft and base."""

    def __init__(self, store: GitStore, main: str) -> None:
        self.store, self.main = store, main
        self._main_units: dict[str, list[str] | None] = {}
        self._gone: dict[tuple[str, str], set[int] | None] = {}

    def __call__(self, draft: str, base: str, paragraph: int) -> bool:
        key = (draft, base)
        if key not in self._gone:
            self._gone[key] = self._compute(draft, base)
        gone = self._gone[key]
        return gone is None or paragraph in gone

    def _text(self, commit: str, draft: str) -> str | None:
        data = self.store.read_file(commit, f"drafts/{draft}.md")
        return None if data is None else data.decode("utf-8", "replace")

    def _compute(self, draft: str, base: str) -> set[int] | None:
        """Paragraph numbers of the base that main removed; None when the draft is gone."""
        if draft not in self._main_units:
            text = self._text(self.main, draft)
            self._main_units[draft] = None if text is None else split_units(text)
        main_units = self._main_units[draft]
        if main_units is None:
            return None
        base_text = self._text(base, draft) if base else None
        if base_text is None:
            return set()
        base_units = split_units(base_text)
        removed = {
            unit
            for edit in align(base_units, main_units)
            if not edit.paired
            for unit in range(edit.lo, edit.hi)
        }
        numbers = {i: b.number for i, b in enumerate(document.blocks(base_text)) if b.number}
        return {numbers[u] for u in removed if u in numbers}
