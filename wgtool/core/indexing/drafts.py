"""The drafts on main and the consensus versions, kept for the first screen.

What the terminal UI shows first (each draft's title and paragraphs, its versions) is read from
main and judged from the tags by the refresh, so that a glance at the index file (see
:mod:`wgtool.core.glance`) shows it without GitPython. The tags are judged as every command
judges them (:meth:`Rulebook.tags`): a tag the rulebook refuses has no row. The glance reads
these rows only while the file is current, and the refs it compares include the tags.
"""

from __future__ import annotations

import sqlite3

from wgtool.core import document
from wgtool.core.indexing.rows import DRAFT_ROWS, VERSION_ROWS, insert
from wgtool.core.model import DRAFT_CHAIN
from wgtool.core.record.gitstore import GitStore
from wgtool.core.record.rulebook import (
    DRAFTS_DIR,
    EVENTS_PREFIX,
    MAIN_REF,
    TAGS_PREFIX,
    MainHistory,
    Rulebook,
    draft_path,
)


def update_drafts(db: sqlite3.Connection, store: GitStore, main: str | None) -> None:
    """The drafts on ``main`` (none without it), as the first screen lists them."""
    db.execute(f"DELETE FROM {DRAFT_ROWS}")
    if main is None:
        return
    rows = []
    for name, _ in store.list_dir(main, DRAFTS_DIR):
        if not name.endswith(".md"):
            continue
        slug = name.removesuffix(".md")
        data = store.read_file(main, draft_path(slug)) or b""
        title, paragraphs = document.listed(slug, data.decode("utf-8", "replace"))
        rows.append({"slug": slug, "title": title, "paragraphs": paragraphs})
    insert(db, DRAFT_ROWS, rows)


def versions_moved(moved: set[str]) -> bool:
    """Whether the versions may be judged otherwise since the refs ``moved``: a tag, main
    (what a version tags must be on it, by the roster there) or a draft's events (the silence
    a chair's version concludes)."""
    return any(
        ref == MAIN_REF
        or ref.startswith(TAGS_PREFIX)
        or ref.startswith(EVENTS_PREFIX + DRAFT_CHAIN)
        for ref in moved
    )


def update_versions(
    db: sqlite3.Connection, book: Rulebook, history: MainHistory, tips: dict[str, str]
) -> None:
    """The versions among the tags in ``tips`` (ref -> object), as the rulebook judges them."""
    db.execute(f"DELETE FROM {VERSION_ROWS}")
    tags = {ref[len(TAGS_PREFIX) :]: tips[ref] for ref in tips if ref.startswith(TAGS_PREFIX)}
    if not tags:
        return
    rows = [
        {
            "position": position,
            "tag": verdict.name,
            "sha": verdict.sha,
            "draft": verdict.version.draft,
            "name": verdict.version.name,
            "commit": verdict.version.commit,
            "message": verdict.version.message,
            "tagger": verdict.version.tagger,
            "tagged_at": verdict.version.tagged_at,
        }
        for position, verdict in enumerate(book.tags(tags, history))
        if verdict.version is not None
    ]
    insert(db, VERSION_ROWS, rows)
