"""Documents read from the record: who wrote which words, and redlines that say who changed what.

Both walk main's first-parent history as the rulebook judged it (which commits are valid
merges, reverts and secretariat changes, and of which amendment), read the draft at each commit
that changed it, and carry an attribution forward (:mod:`wgtool.core.blame`).
"""

from __future__ import annotations

from collections.abc import Iterator

from wgtool.core import validate
from wgtool.core.blame import BY, Attribution, Blame, By, Source, Step, Tracer, shares
from wgtool.core.errors import InvalidInput, NotFound
from wgtool.core.model import Amendment
from wgtool.core.redline import AttributedRedline, attributed_redline
from wgtool.core.rulebook import MERGE, REVERT, MainCommit, MainHistory, Rulebook, draft_path
from wgtool.core.workgroup.amendments import AmendmentsDesk


class DocumentsDesk(AmendmentsDesk):
    """Blame and attributed redlines of a draft."""

    def main_history(self) -> MainHistory:
        """Main's first-parent history, every commit judged by the rulebook (from the index)."""
        self.refresh()
        main = self.main()
        book = Rulebook(self.store, audit=False)
        return self.index.stored_history(book, main) or book.history(main)

    def _position(self, history: MainHistory, slug: str, version: str | None) -> int:
        """Where a version (None: main) of a draft is on main's history."""
        commit = self.version(slug, version).commit if version is not None else self.main()
        position = history.position(commit)
        if position is None:  # pragma: no cover - versions are on main by the rulebook
            raise NotFound(f"version {version!r} of {slug} is not on main's history")
        return position

    def _steps(
        self, history: MainHistory, slug: str, start: int, end: int
    ) -> Iterator[tuple[MainCommit, Step]]:
        """Each commit in ``(start, end]`` that changed the draft, with the draft after it."""
        path = draft_path(slug)
        commits = history.commits
        previous = None
        if start >= 0:
            previous = self.store.lookup_in_tree(commits[start].record.tree, path)
        amendments = {a.id: a for a in self.amendments(draft=slug)}
        for commit in commits[start + 1 : end + 1]:
            blob = self.store.lookup_in_tree(commit.record.tree, path)
            if blob == previous:
                continue
            text = None if blob is None else self.store.read_blob(blob).decode("utf-8", "replace")
            source = _source(commit, slug, previous is None, amendments)
            previous = blob
            yield commit, Step(text, source)

    def blame(self, slug: str, version: str | None = None, by: str = "group") -> Blame:
        """Who wrote every word of a draft (at main, or at a consensus version)."""
        validate.name(slug, "draft")
        if by not in BY:
            raise InvalidInput(f"unknown breakdown {by!r}: use one of {', '.join(BY)}")
        breakdown: By = by  # narrowed by the check above
        self.draft(slug, version)  # NotFound for an unknown draft or version
        history = self.main_history()
        end = self._position(history, slug, version)
        walked = history.commits[: end + 1]
        tracer = Tracer("", Source("base"), _reverted(walked))
        merged: dict[str, Source] = {}
        for commit, step in self._steps(history, slug, -1, end):
            tracer.apply(step)
            if step.source.kind == "amendment" and commit.amendment:
                merged[commit.amendment] = step.source
        still = MainHistory(None, walked).merged()
        sources = [s for a, s in merged.items() if a in still]
        attribution = tracer.attribution()
        groups = self.settings.groups
        rows = shares(attribution, sources, breakdown, groups)
        return Blame(slug, version, breakdown, attribution, tuple(rows), groups)

    def attributed_redline(self, slug: str, old: str | None, new: str | None) -> AttributedRedline:
        """The redline of a draft between two versions (None: main), paragraph by paragraph,
        each change with the steps of main that made it."""
        old_text = self.draft(slug, old).text
        new_text = self.draft(slug, new).text
        history = self.main_history()
        start = self._position(history, slug, old)
        end = self._position(history, slug, new)
        attribution: Attribution | None = None
        if start <= end:
            walked = history.commits[: end + 1]
            reverted = _reverted(walked[start + 1 :])
            tracer = Tracer(old_text, Source("older", history.commits[start].sha), reverted)
            for _, step in self._steps(history, slug, start, end):
                tracer.apply(step)
            attribution = tracer.attribution()
        return attributed_redline(old_text, new_text, attribution)


def _reverted(commits: list[MainCommit]) -> frozenset[str]:
    """The amendments that valid reverts among ``commits`` undo."""
    return frozenset(c.amendment for c in commits if c.valid and c.kind == REVERT and c.amendment)


def _source(commit: MainCommit, slug: str, added: bool, amendments: dict[str, Amendment]) -> Source:
    """Who wrote a step, by the rulebook's verdict on its commit."""
    if not commit.valid:
        return Source("unverified", commit.sha, member=commit.member)
    if added:
        return Source("base", commit.sha, member=commit.member)
    if commit.kind == MERGE and commit.draft == slug and commit.amendment:
        found = amendments.get(commit.amendment)
        return Source(
            "amendment",
            commit.sha,
            amendment=commit.amendment,
            member=found.proposer if found else None,
            group=found.group if found else None,
        )
    if commit.kind == REVERT:
        return Source("revert", commit.sha, amendment=commit.amendment, member=commit.member)
    return Source("secretariat", commit.sha, member=commit.member)
