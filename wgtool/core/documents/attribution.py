"""Who wrote which words, kept with main's history: each commit's steps of the drafts it changed.

A draft's attribution (:mod:`wgtool.core.documents.blame`) is a fold over the steps of its history
on main: the commits that changed it, each with the lengths of its minimal word diff (a
:data:`~wgtool.core.documents.blame.Delta`). The index keeps, with every main commit it stores, the
steps it made: for each draft it changed, the draft's blob after it, the delta from the text before,
whether the chair merged it as orally revised, and for a revert the delta from the text before
the merge it reverts (what :meth:`~wgtool.core.documents.blame.Tracer.advance` needs to give the
words back). A new main commit adds its own steps to what its parent's history holds, so ``blame``
and ``redline`` read the steps instead of reading every version of the draft and diffing it.

The replay in :mod:`wgtool.core.desks.documents` reads the texts and diffs them again; the
two must agree exactly (a property test checks it on random histories).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from wgtool.core.documents.blame import Delta, SourceKind, delta_text, parse_delta, word_delta
from wgtool.core.record.gitstore import TREE_MODE, CommitInfo, GitStore
from wgtool.core.record.messages import parse_message
from wgtool.core.record.rulebook import (
    DRAFTS_DIR,
    MERGE,
    ORALLY_REVISED,
    REVERT,
    MainCommit,
    MainHistory,
)

GITLINK_MODE = 0o160000
DRAFT_SUFFIX = ".md"


def source_kind(commit: MainCommit, slug: str, added: bool) -> SourceKind:
    """What kind of step a commit that changed draft ``slug`` is, by the rulebook's verdict:
    ``added``: the draft was not there before it."""
    if not commit.valid:
        return "unverified"
    if added:
        return "base"
    if commit.kind == MERGE and commit.draft == slug and commit.amendment:
        return "amendment"
    if commit.kind == REVERT:
        return "revert"
    return "secretariat"


def orally_revised(message: str) -> bool:
    """Whether a merge commit's message says the chair revised the text orally."""
    return "yes" in parse_message(message)[2].get(ORALLY_REVISED, [])


@dataclass(frozen=True)
class DraftStep:
    """A main commit that changed a draft.

    Attributes:
        position: The commit's position on main's first-parent history.
        blob: The draft's blob after it (None: the commit removed the draft).
        delta: The minimal word diff from the draft before it (empty text when it was not
            there) to the draft after it.
        back: A revert's: the diff from the draft before the merge it reverts (the latest
            merge of that amendment that changed the draft) to the draft after the revert.
        revised: A merge the chair made as orally revised.
    """

    position: int
    blob: str | None
    delta: Delta
    back: Delta | None = None
    revised: bool = False

    def stored(self, slug: str) -> list[object]:
        """The step as the index keeps it, sealed by :func:`seal` (a row edited by hand, or
        moved to another commit or draft, no longer matches it: see :func:`stored_steps`)."""
        back = None if self.back is None else delta_text(self.back)
        kept: list[object] = [self.blob, delta_text(self.delta), back, self.revised]
        return [*kept, seal(self.position, slug, kept)]

    @classmethod
    def restored(cls, position: int, slug: str, kept: list[object]) -> DraftStep | None:
        """The step the index keeps, or None when its seal does not match what it holds."""
        *fields, sealed = kept
        if len(fields) != 4 or sealed != seal(position, slug, fields):
            return None
        blob, delta, back, revised = fields
        return cls(
            position,
            None if blob is None else str(blob),
            parse_delta(str(delta)),
            None if back is None else parse_delta(str(back)),
            bool(revised),
        )


def seal(position: int, slug: str, kept: list[object]) -> str:
    """A digest of a kept step with the commit position and draft it belongs to."""
    text = json.dumps([position, slug, *kept], separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def stored_steps(rows: Iterable[tuple[int, str | None]], slug: str) -> list[DraftStep] | None:
    """The steps of draft ``slug`` among main rows ``(position, kept steps as JSON)``; None
    when any of them is not sealed as wgtool kept it (damaged, or edited by hand): the caller
    traces the history again rather than believe it."""
    steps = []
    for position, kept in rows:
        if kept and slug in (found := json.loads(kept)):
            step = DraftStep.restored(position, slug, found[slug])
            if step is None:
                return None
            steps.append(step)
    return steps


class DraftBlobs:
    """The blob of every draft in a commit's tree (trees shared between commits read once)."""

    def __init__(self, store: GitStore) -> None:
        self.store = store
        self._by_root: dict[str, dict[str, str]] = {}
        self._by_folder: dict[str, dict[str, str]] = {}

    def __call__(self, tree: str) -> dict[str, str]:
        """``{slug: blob}`` for each file ``drafts/<slug>.md`` of the tree (a folder or a
        submodule by that name holds no draft text)."""
        found = self._by_root.get(tree)
        if found is None:
            folder = next(
                (sha for name, mode, sha in self.store.tree_entries(tree) if name == DRAFTS_DIR),
                None,
            )
            found = self._by_root[tree] = {} if folder is None else self._folder(folder)
        return found

    def _folder(self, folder: str) -> dict[str, str]:
        found = self._by_folder.get(folder)
        if found is None:
            found = self._by_folder[folder] = {
                name[: -len(DRAFT_SUFFIX)]: sha
                for name, mode, sha in self.store.tree_entries(folder)
                if name.endswith(DRAFT_SUFFIX) and mode not in (TREE_MODE, GITLINK_MODE)
            }
        return found


def draft_blob(store: GitStore, tree: str, slug: str) -> str | None:
    """The blob of draft ``slug`` in a tree, or None (as :class:`DraftBlobs` finds it)."""
    return DraftBlobs(store)(tree).get(slug)


def read_text(store: GitStore, blob: str | None) -> str:
    """A draft's text as every reader decodes it (empty: no draft)."""
    return "" if blob is None else store.read_blob(blob).decode("utf-8", "replace")


def draft_steps(
    store: GitStore,
    history: MainHistory,
    start: int,
    messages: Callable[[list[str]], Mapping[str, CommitInfo]],
) -> dict[int, dict[str, DraftStep]]:
    """The steps of every draft made by main's commits from position ``start`` on, by
    position (a commit that changed no draft has none); ``messages`` reads merge commits."""
    commits = history.commits
    blobs_in = DraftBlobs(store)
    blobs = {} if start == 0 else blobs_in(commits[start - 1].record.tree)
    # Each change of a draft: the commit, the draft, its blob before and after.
    changes: list[tuple[MainCommit, str, str | None, str | None]] = []
    for commit in commits[start:]:
        now = blobs_in(commit.record.tree)
        for slug in sorted(set(blobs) | set(now)):
            if now.get(slug) != blobs.get(slug):
                changes.append((commit, slug, blobs.get(slug), now.get(slug)))
        blobs = now
    merges = [c.sha for c, slug, _, _ in changes if c.valid and c.kind == MERGE and c.draft == slug]
    revised = {sha for sha, info in messages(merges).items() if orally_revised(info.message)}
    texts: dict[str, str] = {}  # each draft's text as the last step left it
    made: dict[int, dict[str, DraftStep]] = {}
    for commit, slug, before, blob in changes:  # one version in memory per draft
        old = texts[slug] if slug in texts else read_text(store, before)
        text = texts[slug] = read_text(store, blob)
        back = None
        if source_kind(commit, slug, before is None) == "revert" and commit.amendment:
            back = _back(store, history, blobs_in, commit, slug, text)
        made.setdefault(commit.position, {})[slug] = DraftStep(
            commit.position, blob, word_delta(old, text), back, commit.sha in revised
        )
    return made


def _back(
    store: GitStore,
    history: MainHistory,
    blobs_in: DraftBlobs,
    revert: MainCommit,
    slug: str,
    text: str,
) -> Delta | None:
    """The diff from the draft before the merge ``revert`` undoes to ``text`` (the draft
    after the revert), or None when no earlier step of the draft merged that amendment."""
    commits = history.commits
    for merge in reversed(commits[: revert.position]):
        if merge.kind != MERGE or merge.amendment != revert.amendment or merge.position == 0:
            continue
        before = blobs_in(commits[merge.position - 1].record.tree).get(slug)
        after = blobs_in(merge.record.tree).get(slug)
        if after != before and source_kind(merge, slug, before is None) == "amendment":
            return word_delta(read_text(store, before), text)
    return None
