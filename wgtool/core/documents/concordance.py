"""The concordance of a draft's paragraphs between two versions: old label -> new label, and the
merged amendments that changed each paragraph in between.

Labels are stable between renumberings (7, 7bis), and each renumbering keeps a paragraph's
former labels (:mod:`wgtool.core.labels`), so a paragraph's label at the older version is read
from its labels at the newer one. Each merge between the versions is compared with main just
before it, paragraph by paragraph under its own labels, and what it changed is carried to the
two versions' labels the same way.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from wgtool.core import document, validate
from wgtool.core.errors import InvalidInput
from wgtool.core.labels import Labels
from wgtool.core.record.rulebook import MERGE, MainHistory

if TYPE_CHECKING:
    from wgtool.core.desks.parts import Desks

MAIN = validate.CURRENT_TEXT


@dataclass(frozen=True)
class ChangedBy:
    """A merged amendment that changed a paragraph: its id, proposer and stakeholder group."""

    id: str
    proposer: str
    group: str

    def to_dict(self) -> dict[str, str]:
        return {"id": self.id, "proposer": self.proposer, "group": self.group}


@dataclass(frozen=True)
class Row:
    """One paragraph: its label at the older version and at the newer one (None where it was
    not in that version), whether its text differs, and the amendments that changed it."""

    old: str | None
    new: str | None
    text_changed: bool
    amendments: tuple[ChangedBy, ...] = ()

    @property
    def change(self) -> str:
        """``inserted``, ``deleted``, ``renumbered`` (a new label) or ``kept``."""
        if self.old is None:
            return "inserted"
        if self.new is None:
            return "deleted"
        return "renumbered" if self.old != self.new else "kept"

    def to_dict(self) -> dict[str, object]:
        return {
            "old": self.old,
            "new": self.new,
            "change": self.change,
            "text_changed": self.text_changed,
            "amendments": [a.to_dict() for a in self.amendments],
        }


@dataclass(frozen=True)
class Concordance:
    draft: str
    old: str
    new: str
    rows: tuple[Row, ...]

    def to_dict(self) -> dict[str, object]:
        return {
            "draft": self.draft,
            "old": self.old,
            "new": self.new,
            "rows": [r.to_dict() for r in self.rows],
        }


def label_at(labels: Labels, position: int, generation: int) -> str | None:
    """The label that paragraph ``position`` (1-based) had at an earlier ``generation`` (how
    many renumberings the draft had then); None when it was added since."""
    depth = labels.generation - generation
    if depth < 0:
        return None
    if depth == 0:
        return labels.current[position - 1]
    former = labels.former[position - 1] if position <= len(labels.former) else ()
    return former[depth - 1] if len(former) >= depth else None


def rows(old: Labels, old_texts: Sequence[str], new: Labels, new_texts: Sequence[str]) -> list[Row]:
    """The concordance without amendments: each paragraph of the newer version with its label
    at the older one, and the older one's paragraphs that are gone, each after the one before."""
    kept = set(old.current)
    found: list[Row] = []
    seen: set[str] = set()
    order = {label: i for i, label in enumerate(old.current)}
    next_old = 0  # the older version's paragraphs before this one are placed already
    for position, label in enumerate(new.current, start=1):
        origin = label_at(new, position, old.generation)
        origin = origin if origin in kept else None
        if origin is not None:
            for gone in old.current[next_old : order[origin]]:
                if gone not in seen:
                    found.append(Row(gone, None, True))
                    seen.add(gone)
            next_old = max(next_old, order[origin] + 1)
            seen.add(origin)
            differs = old_texts[order[origin]] != new_texts[position - 1]
            found.append(Row(origin, label, differs))
        else:
            found.append(Row(None, label, True))
    found += [Row(gone, None, True) for gone in old.current if gone not in seen]
    return found


def concordance(wg: Desks, slug: str, old: str, new: str) -> Concordance:
    """Old label -> new label of every paragraph of ``slug`` between versions ``old`` and
    ``new`` (``main``: the current text), with the merged amendments that changed each."""
    validate.name(slug, "draft")
    versions = [None if name == MAIN else name for name in (old, new)]
    texts = [wg.drafts.draft(slug, name).text for name in versions]  # NotFound for unknown names
    commits = [
        wg.record.main() if v is None else wg.drafts.version(slug, v).commit for v in versions
    ]
    history = wg.documents.main_history()
    start, end = (history.position(c) for c in commits)
    if start is None or end is None:  # pragma: no cover - versions are on main by the rulebook
        raise InvalidInput(f"{old} or {new} is not on main's history")
    if start > end:
        raise InvalidInput(f"{old} is newer than {new}: give the older version first")
    old_labels, new_labels = (
        wg.drafts.labels_at(c, slug, t) for c, t in zip(commits, texts, strict=True)
    )
    old_texts, new_texts = ([b.text for b in document.paragraphs(t)] for t in texts)
    found = rows(old_labels, old_texts, new_labels, new_texts)
    walked = history.commits[: end + 1]
    merged = MainHistory(None, walked).merged()
    amendments = {a.id: a for a in wg.amendments.amendments(draft=slug)}
    by_row: dict[tuple[str | None, str | None], list[ChangedBy]] = {}
    for commit in walked[start + 1 :]:
        if not (commit.valid and commit.kind == MERGE and commit.draft == slug):
            continue
        if commit.amendment not in merged or commit.amendment not in amendments:
            continue
        amendment = amendments[commit.amendment]
        by = ChangedBy(amendment.id, amendment.proposer, amendment.group)
        before = _state(wg, slug, history.commits[commit.position - 1].sha)
        for key in touched(before, _state(wg, slug, commit.sha), old_labels, new_labels):
            if by not in by_row.setdefault(key, []):
                by_row[key].append(by)
    result = tuple(
        Row(r.old, r.new, r.text_changed, tuple(by_row.get((r.old, r.new), ()))) for r in found
    )
    return Concordance(slug, old, new, result)


State = tuple[Labels, Mapping[str, str]]
"""A draft at one commit: its labels, and each paragraph's text by label."""


def _state(wg: Desks, slug: str, commit: str) -> State:
    text = wg.drafts.draft_text_at(commit, slug) or ""
    labels = wg.drafts.labels_at(commit, slug, text)
    paragraphs = document.paragraphs(text)
    return labels, {labels.label(i): p.text for i, p in enumerate(paragraphs, start=1)}


def touched(
    before: State, after: State, old: Labels, new: Labels
) -> list[tuple[str | None, str | None]]:
    """The paragraphs one change made ``before`` -> ``after`` rewrote, inserted or deleted,
    each as (its label at the older version ``old``, at the newer ``new``); None where it is
    not in that version."""
    kept = set(old.current)

    def origin(labels: Labels, label: str) -> str | None:
        position = labels.position(label)
        found = None if position is None else label_at(labels, position, old.generation)
        return found if found in kept else None

    def destination(labels: Labels, label: str) -> str | None:
        position = new.as_of(label, labels.generation)
        return None if position is None else new.current[position - 1]

    (labels_before, texts_before), (labels_after, texts_after) = before, after
    result: list[tuple[str | None, str | None]] = []
    for label, text in texts_after.items():
        if texts_before.get(label) != text:
            result.append((origin(labels_after, label), destination(labels_after, label)))
    for label in texts_before:
        if label not in texts_after:
            result.append((origin(labels_before, label), None))
    return result


__all__ = ["ChangedBy", "Concordance", "Row", "concordance", "label_at", "rows", "touched"]
