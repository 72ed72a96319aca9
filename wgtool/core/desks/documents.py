"""Documents read from the record: who wrote which words, and redlines that say who changed what.

Both walk main's first-parent history as the rulebook judged it (which commits are valid
merges, reverts and secretariat changes, and of which amendment) and carry an attribution
forward through the commits that changed the draft (:mod:`wgtool.core.documents.blame`): by the
steps the index keeps of each (:mod:`wgtool.core.documents.attribution`), or, replayed (the
reference the stored steps must equal), by reading the draft at each of those commits and diffing it
again.

The desk also produces the secretariat's documents (:meth:`DocumentsDesk.export`): the engine,
:mod:`wgtool.core.documents.export`, reads across desks
(:class:`~wgtool.core.desks.parts.Desks`) and loads when first used; so does the static
website for observers (:meth:`DocumentsDesk.publish`, :mod:`wgtool.core.documents.publish`).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from wgtool.core import glance, validate
from wgtool.core.desks.amendments import AmendmentsDesk
from wgtool.core.desks.context import Record
from wgtool.core.desks.drafts import DraftsDesk
from wgtool.core.desks.parts import Desks
from wgtool.core.documents.attribution import DraftStep, draft_blob, orally_revised, source_kind
from wgtool.core.documents.blame import BY, Attribution, Blame, By, Source, Step, Tracer, shares
from wgtool.core.documents.redline import AttributedRedline, attributed_redline
from wgtool.core.errors import InvalidInput, NotFound
from wgtool.core.model import Amendment
from wgtool.core.record.rulebook import MERGE, REVERT, MainCommit, MainHistory, Rulebook
from wgtool.lazy import lazy_module

if TYPE_CHECKING:
    from wgtool.core.documents import export
    from wgtool.core.documents import publish as website
else:
    export = lazy_module("wgtool.core.documents.export")  # the exports: when one is made
    website = lazy_module("wgtool.core.documents.publish")  # the observers' site: when published


class DocumentsDesk:
    """Blame and attributed redlines of a draft; the documents the secretariat produces."""

    def __init__(
        self, record: Record, drafts: DraftsDesk, amendments: AmendmentsDesk, desks: Desks
    ) -> None:
        self.record = record
        self.drafts = drafts
        self.amendments = amendments
        self.desks = desks

    def export(
        self,
        slug: str,
        fmt: str,
        *,
        version: str | None = None,
        against: str | None = None,
        include_closed: bool = False,
        clean: bool = False,
        templates: Path | None = None,
        language: str | None = None,
    ) -> str | bytes:
        """One of the secretariat's documents for a draft, in format ``fmt``: text, or bytes
        for a Word document (see :func:`wgtool.core.documents.export.produce`)."""
        return export.produce(
            self.desks,
            slug,
            fmt,
            version=version,
            against=against,
            include_closed=include_closed,
            clean=clean,
            templates=templates,
            language=language,
        )

    def publish(self, out: Path, slugs: Sequence[str] | None = None) -> website.Published:
        """Write the static website of the record for observers into folder ``out`` (a new or
        empty one, or a site published there before, which it replaces); ``slugs``: only those
        drafts. What it shows of deliberation is the working group's ``publish`` setting (see
        :mod:`wgtool.core.documents.publish`)."""
        return website.publish(self.desks, out, slugs)

    def main_history(self) -> MainHistory:
        """Main's first-parent history, every commit judged by the rulebook (from the index)."""
        self.record.refresh()
        main = self.record.main()
        book = Rulebook(self.record.store, audit=False)
        return self.record.index.stored_history(book, main) or book.history(main)

    def _commit(self, slug: str, version: str | None) -> str:
        """The main commit of a version of a draft (None: main)."""
        return (
            self.drafts.version(slug, version).commit if version is not None else self.record.main()
        )

    def _position(self, history: MainHistory, slug: str, version: str | None) -> int:
        """Where a version (None: main) of a draft is on main's history."""
        position = history.position(self._commit(slug, version))
        if position is None:  # pragma: no cover - versions are on main by the rulebook
            raise NotFound(f"version {version!r} of {slug} is not on main's history")
        return position

    def _steps(
        self,
        history: MainHistory,
        slug: str,
        start: int,
        end: int,
        revised: frozenset[str] = frozenset(),
    ) -> Iterator[tuple[MainCommit, Step]]:
        """Each commit in ``(start, end]`` that changed the draft, with the draft after it;
        ``revised``: the merge commits that merged their amendment as orally revised."""
        commits = history.commits
        previous = None
        if start >= 0:
            previous = draft_blob(self.record.store, commits[start].record.tree, slug)
        amendments = self._proposed(slug)
        for commit in commits[start + 1 : end + 1]:
            blob = draft_blob(self.record.store, commit.record.tree, slug)
            if blob == previous:
                continue
            text = (
                None
                if blob is None
                else self.record.store.read_blob(blob).decode("utf-8", "replace")
            )
            source = _source(commit, slug, previous is None, amendments, commit.sha in revised)
            previous = blob
            yield commit, Step(text, source)

    def _proposed(self, slug: str) -> dict[str, Amendment]:
        """The amendments to draft ``slug`` by id (who proposed each, and for which group): read
        from the index file alone when it is current."""
        validate.name(slug, "draft")
        found = self.record.read(lambda index: index.amendments(draft=slug))
        return {a.id: a for a in found}

    def _orally_revised(self, commits: list[MainCommit], slug: str) -> frozenset[str]:
        """The merges of amendments to ``slug`` among ``commits`` that say the chair revised
        the text orally (their ``Orally-Revised`` trailer; one git process for all)."""
        merges = [c.sha for c in commits if c.valid and c.kind == MERGE and c.draft == slug]
        found = self.record.store.commits(merges)
        return frozenset(sha for sha, info in found.items() if orally_revised(info.message))

    def _stored(self, slug: str, replay: bool) -> tuple[MainHistory, list[DraftStep] | None]:
        """Main's judged history, and the steps of draft ``slug`` the index keeps on it (None:
        replay the history instead, as asked or because main moved since the refresh)."""
        if not replay:
            book = Rulebook(self.record.store, audit=False)
            main = self.record.main()
            # Read with sqlite3 alone when the index is current (no SQLAlchemy to import).
            found = glance.stored_steps(self.record.store, book, main, slug)
            if found is None:
                self.record.refresh()
                found = self.record.index.stored_steps(book, main, slug)
            if found is not None:
                return found
        return self.main_history(), None

    def blame(
        self, slug: str, version: str | None = None, by: str = "group", *, replay: bool = False
    ) -> Blame:
        """Who wrote every word of a draft (at main, or at a consensus version): folded from
        the steps the index keeps, or with ``replay`` traced again from every text."""
        validate.name(slug, "draft")
        if by not in BY:
            raise InvalidInput(f"unknown breakdown {by!r}: use one of {', '.join(BY)}")
        breakdown: By = by  # narrowed by the check above
        text = self.drafts.draft(slug, version).text  # NotFound for an unknown draft or version
        history, stored = self._stored(slug, replay)
        end = self._position(history, slug, version)
        walked = history.commits[: end + 1]
        tracer = Tracer("", Source("base"), _reverted(walked))
        merged: dict[str, Source] = {}
        if stored is None:
            for commit, step in self._steps(history, slug, -1, end):
                tracer.apply(step)
                if step.source.kind == "amendment" and commit.amendment:
                    merged[commit.amendment] = step.source
        else:
            try:
                folded = self._fold(history, slug, stored, -1, end, revised=False)
                for commit, source, kept in folded:
                    tracer.advance(source, kept.delta, kept.back)
                    if source.kind == "amendment" and commit.amendment:
                        merged[commit.amendment] = source
                tracer.finish(text)
            except ValueError:  # the index does not hold what main holds: trace again
                return self.blame(slug, version, by, replay=True)
        still = MainHistory(None, walked).merged()
        sources = [s for a, s in merged.items() if a in still]
        attribution = tracer.attribution()
        groups = self.record.settings.groups
        rows = shares(attribution, sources, breakdown, groups)
        return Blame(slug, version, breakdown, attribution, tuple(rows), groups)

    def _fold(
        self,
        history: MainHistory,
        slug: str,
        stored: list[DraftStep],
        start: int,
        end: int,
        *,
        revised: bool,
    ) -> Iterator[tuple[MainCommit, Source, DraftStep]]:
        """The stored steps of a draft in ``(start, end]`` of main, each with its source as
        :meth:`_steps` gives it (``revised``: say which merges were orally revised)."""
        amendments = self._proposed(slug)
        previous: str | None = None
        for step in stored:
            if step.position > end:
                break
            if step.position > start:
                commit = history.commits[step.position]
                source = _source(
                    commit, slug, previous is None, amendments, revised and step.revised
                )
                yield commit, source, step
            previous = step.blob

    def attributed_redline(
        self, slug: str, old: str | None, new: str | None, *, replay: bool = False
    ) -> AttributedRedline:
        """The redline of a draft between two versions (None: main), paragraph by paragraph
        by their labels, each change with the steps of main that made it (folded from the
        steps the index keeps, or with ``replay`` traced again from every text)."""
        old, new = (None if name == validate.CURRENT_TEXT else name for name in (old, new))
        older, newer = self.drafts.draft(slug, old), self.drafts.draft(slug, new)
        old_labels = self.drafts.labels_at(self._commit(slug, old), slug, older.text)
        new_labels = self.drafts.labels_at(self._commit(slug, new), slug, newer.text)
        history, stored = self._stored(slug, replay)
        start = self._position(history, slug, old)
        end = self._position(history, slug, new)
        attribution: Attribution | None = None
        if start <= end:
            walked = history.commits[start + 1 : end + 1]
            older_source = Source("older", history.commits[start].sha)
            tracer = Tracer(older.text, older_source, _reverted(walked))
            if stored is None:
                revised = self._orally_revised(walked, slug)
                for _, step in self._steps(history, slug, start, end, revised):
                    tracer.apply(step)
            else:
                try:
                    folded = self._fold(history, slug, stored, start, end, revised=True)
                    for _, source, kept in folded:
                        tracer.advance(source, kept.delta, kept.back)
                    tracer.finish(newer.text)
                except ValueError:
                    return self.attributed_redline(slug, old, new, replay=True)
            attribution = tracer.attribution()
        return attributed_redline(older.text, newer.text, attribution, old_labels, new_labels)


def _reverted(commits: list[MainCommit]) -> frozenset[str]:
    """The amendments that valid reverts among ``commits`` undo."""
    return frozenset(c.amendment for c in commits if c.valid and c.kind == REVERT and c.amendment)


def _source(
    commit: MainCommit,
    slug: str,
    added: bool,
    amendments: dict[str, Amendment],
    revised: bool = False,
) -> Source:
    """Who wrote a step, by the rulebook's verdict on its commit."""
    kind = source_kind(commit, slug, added)
    if kind == "amendment":
        found = amendments.get(commit.amendment or "")
        return Source(
            "amendment",
            commit.sha,
            amendment=commit.amendment,
            member=found.proposer if found else None,
            group=found.group if found else None,
            revised=revised,
        )
    if kind == "revert":
        return Source("revert", commit.sha, amendment=commit.amendment, member=commit.member)
    return Source(kind, commit.sha, member=commit.member)
