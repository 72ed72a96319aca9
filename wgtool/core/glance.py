"""A glance at the index with the standard library alone: what a face shows first, at once.

Opening the index proper (:mod:`wgtool.core.index`) imports SQLAlchemy and SQLModel, which
takes longer than a terminal UI takes to paint. What its first screens need of the index (how
many amendments to each draft are open, a listing of amendments with their consensus, main's
judged history for the consensus versions) is read here with :mod:`sqlite3`, from the index
file as the last refresh left it, and only when that file answers exactly as the refreshed
index would:

* it has this version's schema (a file of another version is rebuilt by the index);
* for what depends on the refs, the fingerprint of the ref listing it stored is the current
  one: the index's own test for "nothing to refresh". It keeps one of main, the amendments and
  the events (``refs``), one of the tags (``tags``): only the versions depend on the tags, so
  a tag leaves every other read current; what shows the versions compares both.

Otherwise, or when the file cannot be read, the answer is None and the caller asks the index,
which refreshes or heals itself first. Nothing here writes: the file stays the index's.

The index and this glance share what decides freshness (the ref listing, its fingerprints, the
schema version), which lives here, and how a row becomes an
:class:`~wgtool.core.model.Amendment` (:mod:`wgtool.core.indexed`), because this module must
not import SQLAlchemy.
"""

from __future__ import annotations

import functools
import hashlib
import os
import re
import sqlite3
import subprocess
from collections.abc import Callable, Iterator, Sequence
from contextlib import closing, contextmanager
from dataclasses import fields
from pathlib import Path
from typing import TYPE_CHECKING, Any, ParamSpec, Protocol, TypeVar

from wgtool.core.indexed import amendment_from, event_from, group_states
from wgtool.core.model import Amendment, DraftSummary, Event, Status
from wgtool.core.numbering import NUMBER_OF_SQL, PLACES_SQL, numbered
from wgtool.core.record.refnames import AMENDMENTS_PREFIX, EVENTS_PREFIX, MAIN_REF, TAGS_PREFIX
from wgtool.core.record.transport import run_git
from wgtool.lazy import lazy_module

if TYPE_CHECKING:
    from wgtool.core.documents import attribution
    from wgtool.core.documents.attribution import DraftStep
    from wgtool.core.record import rulebook
    from wgtool.core.record.gitstore import GitStore
    from wgtool.core.record.rulebook import MainHistory, Rulebook
else:
    # Only what main's stored history is restored with; the rest of this module imports
    # neither the rulebook nor GitPython, so a first screen can be read before them.
    rulebook = lazy_module("wgtool.core.record.rulebook")
    attribution = lazy_module("wgtool.core.documents.attribution")  # for blame and redline

SCHEMA_VERSION = 9
"""The version of the index's tables (:mod:`wgtool.core.index.rows`): raise it with any change
to them, so that a file of another version is rebuilt rather than read."""

CONSENSUS_SQL = (
    "coalesce(c.verdict, 'pending') AS consensus_state, coalesce(c.groups, '[]') AS group_states "
    "FROM amendmentrow AS a LEFT JOIN consensusrow AS c ON c.key = a.consensus_key"
)
"""The FROM clause of amendments with the consensus each refresh keeps (the verdict and the
groups' states, shared by the amendments at the same consensus), after their selected columns."""

INDEX_FILE = "index.sqlite"
"""The index's file name in the repository's wgtool folder."""

Listed = tuple[Amendment, str, tuple[tuple[str, str], ...]]
"""An amendment with its consensus as the index keeps it: the verdict and each group's state."""

P = ParamSpec("P")
R = TypeVar("R")


class Repository(Protocol):
    """What the glance needs of a repository: its wgtool folder, and git run in it (a
    :class:`~wgtool.core.record.gitstore.GitStore`, or a :class:`GitFolder`)."""

    @property
    def wgtool_dir(self) -> Path: ...

    def run(self, args: list[str]) -> subprocess.CompletedProcess[bytes]: ...


class GitFolder:
    """A repository's git folder, with git run in it as a process: enough for a glance at its
    index before GitPython is imported (the terminal UI's first screen)."""

    def __init__(self, git_dir: Path) -> None:
        self.git_dir = git_dir
        self.wgtool_dir = git_dir / "wgtool"  # as OwnFiles places it

    @classmethod
    def find(cls, path: str | os.PathLike[str]) -> GitFolder | None:
        """The git folder of the repository at ``path`` (or a folder above it), or None."""
        found = run_git(["-C", os.fspath(path), "rev-parse", "--absolute-git-dir"])
        if found.returncode != 0:
            return None
        return cls(Path(os.fsdecode(found.stdout.strip())))

    def run(self, args: list[str]) -> subprocess.CompletedProcess[bytes]:
        # A git that fails lists nothing: no stored fingerprint matches, the file is not current.
        return run_git(args, git_dir=self.git_dir, cwd=self.git_dir)


def index_path(store: Repository) -> Path:
    return store.wgtool_dir / INDEX_FILE


def indexed_listing(store: Repository, *, tags: bool = True) -> str:
    """The tips of the refs the index reflects (main, amendments, events and, with ``tags``,
    the tags), one ``sha ref`` line each, as ``git for-each-ref`` lists them."""
    refs = [MAIN_REF, AMENDMENTS_PREFIX.rstrip("/"), EVENTS_PREFIX.rstrip("/")]
    if tags:
        refs.append(TAGS_PREFIX.rstrip("/"))
    listing = store.run(["for-each-ref", "--format=%(objectname) %(refname)", *refs])
    return listing.stdout.decode()


def listing_fingerprint(listing: str) -> str:
    return hashlib.sha1(listing.encode()).hexdigest()


FINGERPRINTS = ("refs", "tags")
"""The meta keys of the fingerprints the index keeps of what it reflects: of main, the
amendments and the events; and of the tags, on which only the versions depend."""


def fingerprints(listing: str) -> dict[str, str]:
    """The fingerprints of an :func:`indexed_listing` (sorted: the tags are one run of lines)."""
    first, last = listing.find(f" {TAGS_PREFIX}"), listing.rfind(f" {TAGS_PREFIX}")
    start = listing.rfind("\n", 0, first) + 1 if first >= 0 else len(listing)
    end = listing.find("\n", last) + 1 if first >= 0 else len(listing)
    rest, tags = listing[:start] + listing[end:], listing[start:end]
    return {"refs": listing_fingerprint(rest), "tags": listing_fingerprint(tags)}


def listing_of(tips: dict[str, str]) -> str:
    """The listing of ``tips`` as :func:`indexed_listing` gives it (by name, as git sorts)."""
    return "".join(f"{tips[ref]} {ref}\n" for ref in sorted(tips))


def tips_of(listing: str) -> dict[str, str]:
    tips: dict[str, str] = {}
    for line in listing.splitlines():
        sha, name = line.split(" ", 1)
        tips[name] = sha
    return tips


# -- reading the file ------------------------------------------------------------------------------


def unless_unreadable(read: Callable[P, R | None]) -> Callable[P, R | None]:
    """A read whose answer is None when the file cannot be read (damaged, locked, foreign, a
    row of the wrong type): the index, asked instead, heals it."""

    @functools.wraps(read)
    def reading(*args: P.args, **kwargs: P.kwargs) -> R | None:
        try:
            return read(*args, **kwargs)
        except (sqlite3.Error, ValueError, TypeError):  # a row changed by hand reads wrong too
            return None

    return reading


@contextmanager
def snapshot(
    store: Repository, *, current: bool, versions: bool = False
) -> Iterator[sqlite3.Connection | None]:
    """The index file in one read transaction (every query in the block sees the same
    state), or None when there is no file of this schema version or, with ``current``, when
    main, the amendments or the events moved since its last refresh (with ``versions``, or
    the tags)."""
    path = index_path(store)
    if path.is_symlink() or not path.is_file():
        yield None
        return
    # mode=rw: never create a file (the index makes it, with its tables).
    with closing(sqlite3.connect(f"{path.as_uri()}?mode=rw", uri=True, timeout=5)) as db:
        db.isolation_level = None  # the transaction is the one begun here
        db.execute("BEGIN")
        yield db if _usable(db, store, current=current, versions=versions) else None
        db.execute("ROLLBACK")


def _usable(
    db: sqlite3.Connection, store: Repository, *, current: bool, versions: bool = False
) -> bool:
    """Whether the file (in the transaction begun on ``db``) has this schema version and, with
    ``current``, reflects main, the amendments and the events as they are now (with
    ``versions``, the tags too: only the versions depend on them)."""
    meta = dict(db.execute("SELECT key, value FROM meta WHERE key IN ('schema', 'refs', 'tags')"))
    if meta.get("schema") != str(SCHEMA_VERSION):
        return False
    if not current:
        return True
    now = fingerprints(indexed_listing(store, tags=versions))
    return all(meta.get(key) == now[key] for key in (FINGERPRINTS if versions else ("refs",)))


def _stored(db: sqlite3.Connection, key: str) -> object:
    found = db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
    return None if found is None else found[0]


# An index behind by a few event chains that grew by positions and comments still settles each
# amendment's state; behind by many, a refresh is asked (the check reads every new commit).
MOST_GROWN_CHAINS = 16
MOST_GROWN_COMMITS = 256
# The words of the commit messages of the events that decide an amendment (a rejection, a
# withdrawal; the rulebook refuses an event whose file's type is not its Event trailer's).
_DECIDING = re.compile(r"reject|withdraw", re.IGNORECASE)


def _moved_chains(
    db: sqlite3.Connection, tips: dict[str, str]
) -> dict[str, tuple[str | None, str]] | None:
    """The event chains that moved since the last refresh, ``{ref: (the tip it read or None,
    the tip now)}``, when nothing else did (main, an amendment, a chain gone); else None, as
    when the tips the file keeps are not those its fingerprint was taken of (edited by hand)."""
    known: dict[str, str] = {}
    for ref, sha in db.execute("SELECT ref, sha FROM reftip ORDER BY ref"):
        if sha.__class__ is not bytes or ref.__class__ is not str:
            raise TypeError("a ref's tip wgtool never writes")
        if not ref.startswith(TAGS_PREFIX):
            known[ref] = sha.hex()
    if fingerprints(listing_of(known))["refs"] != _stored(db, "refs"):
        return None
    moved: dict[str, tuple[str | None, str]] = {}
    for ref, sha in tips.items():
        old = known.pop(ref, None)
        if old != sha:
            if not ref.startswith(EVENTS_PREFIX):
                return None
            moved[ref] = (old, sha)
    # None moved yet the fingerprint differs: the file is not what a refresh left.
    return moved if moved and not known and len(moved) <= MOST_GROWN_CHAINS else None


def _grown_by_talk(store: Repository, moved: dict[str, tuple[str | None, str]]) -> bool:
    """Whether each event chain in ``moved`` (ref -> (the tip the index read or None, the tip
    now)) only grew since, one commit after another, by commits none of which names a
    rejection or a withdrawal: then the refresh would read events into the file but leave
    every amendment's row (its status, its decision) as it is. One ``git log``."""
    heads = [new for _, new in moved.values()]
    olds = [f"^{old}" for old, _ in moved.values() if old is not None]
    found = store.run(
        ["log", "-z", f"--max-count={MOST_GROWN_COMMITS + 1}", "--format=%H %P%n%B", *heads, *olds]
    )
    if found.returncode != 0:
        return False
    commits: dict[str, list[str]] = {}
    for entry in found.stdout.decode("utf-8", "replace").split("\0"):
        header, _, body = entry.lstrip("\n").partition("\n")
        if not header:
            continue
        sha, *parents = header.split()
        if len(parents) > 1 or _DECIDING.search(body):
            return False
        commits[sha] = parents
    if len(commits) > MOST_GROWN_COMMITS:
        return False
    for old, new in moved.values():
        at: str | None = new
        for _ in range(len(commits) + 1):
            if at == old:
                break
            if at is None or at not in commits:
                return False  # set back, rewritten, or reached from elsewhere
            parents = commits[at]
            at = parents[0] if parents else None
        else:
            return False
    return True


@unless_unreadable
def open_by_draft(store: GitStore) -> dict[str, int] | None:
    """How many amendments to each draft are open (drafts with none are left out), or None
    when the index is not current."""
    with snapshot(store, current=True) as db:
        if db is None:
            return None
        rows = db.execute(
            "SELECT draft, count(*) FROM amendmentrow WHERE status = ? GROUP BY draft",
            (Status.OPEN.value,),
        )
        return dict(rows)


@unless_unreadable
def first_screen(store: Repository) -> list[DraftSummary] | None:
    """Every draft on main with its open amendments and consensus versions, as the last
    refresh kept them (``DraftsDesk.drafts`` reads the same), or None when the index is not
    current. The versions are those the rulebook accepted when the refresh judged the tags:
    a tag made or changed since, by whatever means, moved a ref, so the file is not current."""
    with snapshot(store, current=True, versions=True) as db:
        if db is None:
            return None
        drafts = list(db.execute("SELECT slug, title, paragraphs FROM draftrow ORDER BY slug"))
        versions: dict[str, list[str]] = {}
        for draft, name in db.execute("SELECT draft, name FROM versionrow ORDER BY position"):
            versions.setdefault(text(draft), []).append(text(name))
        counts = dict(
            db.execute(
                "SELECT draft, count(*) FROM amendmentrow WHERE status = ? GROUP BY draft",
                (Status.OPEN.value,),
            )
        )
    return [
        DraftSummary(
            slug=text(slug),
            title=text(title),
            paragraphs=whole(paragraphs),
            open_amendments=counts.get(slug, 0),
            versions=tuple(versions.get(slug, ())),
        )
        for slug, title, paragraphs in drafts
    ]


def first_screen_at(path: str | os.PathLike[str]) -> list[DraftSummary] | None:
    """:func:`first_screen` of the repository at ``path`` (or a folder above it), found and
    read without GitPython; None when there is none or its index is not current."""
    folder = GitFolder.find(path)
    return None if folder is None else first_screen(folder)


def text(value: object) -> str:
    """A text column's value (a TypeError for anything else: the index is rebuilt)."""
    if type(value) is str:
        return value
    raise TypeError(f"a text column holds {value.__class__.__name__}")


def whole(value: object) -> int:
    """A number column's value (a TypeError for anything else: the index is rebuilt)."""
    if type(value) is int:
        return value
    raise TypeError(f"a number column holds {value.__class__.__name__}")


@unless_unreadable
def listing(
    store: GitStore,
    *,
    draft: str | None = None,
    status: str | None = None,
    group: str | None = None,
    proposer: str | None = None,
    text: str | None = None,
) -> list[Listed] | None:
    """The amendments matching every filter given, oldest first, as ``Index.amendments``
    finds them (``text``: in the title, rationale, id or proposer), each with its consensus
    as ``Index.consensus_states`` has it; or None when the index is not current."""
    filters = {"draft": draft, "status": status, '"group"': group, "proposer": proposer}
    with snapshot(store, current=True) as db:
        return None if db is None else listed_in(db, filters, text)


def listed_in(
    db: sqlite3.Connection, filters: dict[str, str | None], text: str | None
) -> list[Listed]:
    """:func:`listing` in the file open on ``db``, current or not (``filters``: by column)."""
    where = [f"{column} = ?" for column, value in filters.items() if value]
    values = [value for value in filters.values() if value]
    if text:
        where.append("(title LIKE ? OR rationale LIKE ? OR id LIKE ? OR proposer LIKE ?)")
        values += [f"%{text}%"] * 4
    query = f"SELECT a.*, {CONSENSUS_SQL}" + (f" WHERE {' AND '.join(where)}" if where else "")
    cursor = db.execute(f"{query} ORDER BY created_at, id", values)
    names = [column[0] for column in cursor.description]
    rows = [dict(zip(names, row, strict=True)) for row in cursor]
    numbers = numbers_in(db, {row["draft"] for row in rows})
    for row in rows:
        row["number"] = numbers[row["id"]][1]
    return [
        (amendment_from(row), row["consensus_state"], group_states(row["group_states"]))
        for row in rows
    ]


def numbers_in(db: sqlite3.Connection, drafts: set[str]) -> dict[str, tuple[str, int]]:
    """The official numbers (see :mod:`wgtool.core.numbering`) of the amendments of the one
    draft in ``drafts`` (of several or none: of every draft), by id."""
    if len(drafts) == 1:
        return numbered(db.execute(f"{PLACES_SQL} WHERE a.draft = ?", [next(iter(drafts))]))
    return numbered(db.execute(PLACES_SQL))


def stored_history(store: GitStore, book: Rulebook, main: str) -> MainHistory | None:
    """Main's judged history as the last refresh stored it, if main has not moved since (as
    ``Index.stored_history``), or None."""
    kept = kept_history(store, book)
    return kept if kept is not None and kept.tip == main else None


@unless_unreadable
def kept_history(store: GitStore, book: Rulebook) -> MainHistory | None:
    """Main's judged history as the last refresh stored it, up to the commit main was at then
    (main may have moved since: ``book.history(main, since=...)`` judges only what it gained),
    or None when the file has none or cannot be read."""
    columns = [field.name for field in fields(rulebook.StoredMainCommit)]
    with snapshot(store, current=False) as db:
        if db is None:
            return None
        rows = db.execute(f"SELECT {', '.join(columns)} FROM mainrow ORDER BY position")
        stored = [_main_commit(dict(zip(columns, row, strict=True))) for row in rows]
    return book.restored_history(stored[-1].sha, stored) if stored else None


@unless_unreadable
def stored_steps(
    store: GitStore, book: Rulebook, main: str, slug: str
) -> tuple[MainHistory, list[DraftStep]] | None:
    """Main's judged history and the steps draft ``slug`` took on it, as the last refresh
    stored them (as ``Index.stored_steps``), if the index reflects the refs as they are now
    and every commit's steps were read; else None (the caller asks the index, refreshed)."""
    columns = [field.name for field in fields(rulebook.StoredMainCommit)]
    with snapshot(store, current=True) as db:
        if db is None:
            return None
        query = f"SELECT {', '.join(columns)}, position, draft_steps FROM mainrow ORDER BY position"
        rows = db.execute(query).fetchall()
    kept = [(row[-2], row[-1]) for row in rows]
    if not rows or any(steps is None for _, steps in kept):
        return None
    stored = [_main_commit(dict(zip(columns, row[:-2], strict=True))) for row in rows]
    if stored[-1].sha != main:
        return None
    history = book.restored_history(main, stored)
    steps = attribution.stored_steps(kept, slug)
    return None if steps is None else (history, steps)


def _main_commit(columns: dict[str, Any]) -> rulebook.StoredMainCommit:
    columns["founded"] = bool(columns["founded"])  # SQLite keeps a boolean as 0 or 1
    return rulebook.StoredMainCommit(**columns)


# -- one command's reads ---------------------------------------------------------------------------


class Unreadable(Exception):
    """The glance met a row it cannot take: ask the index, which heals itself."""


class IndexReads(Protocol):
    """What a read of one amendment asks of the index: :class:`~wgtool.core.index.Index`,
    refreshed, or a :class:`Glance` at its file when that is current."""

    def resolve_prefix(self, prefix: str) -> list[str]: ...

    def amendment(self, amendment_id: str) -> Amendment | None: ...

    def numbered(self, draft: str, number: int) -> str | None: ...

    def amendments(
        self, *, draft: str | None = None, family: str | None = None, amends: str | None = None
    ) -> list[Amendment]: ...

    def events(self, amendment_id: str) -> list[Event]: ...

    def chain_events(
        self, keys: Sequence[str] | None = None, types: Sequence[str] | None = None
    ) -> list[Event]: ...


class Glance:
    """The index file read with :mod:`sqlite3` alone, as the index would answer, in one read
    transaction opened while the file was current (:meth:`current`). A read that meets a row
    it cannot take raises :class:`Unreadable`: the caller asks the index, which heals itself.

    ``tips``: main, the amendments and the event chains as listed when the glance was taken
    (what the index would reflect, refreshed). ``grown``: the event chains (by key) that grew
    since the last refresh, by events that decide nothing (see :meth:`current`): their events
    are not in the file, and a read of them raises :class:`Unreadable`."""

    def __init__(
        self,
        db: sqlite3.Connection,
        tips: dict[str, str] | None = None,
        grown: frozenset[str] = frozenset(),
    ) -> None:
        self._db = db
        self.tips = tips or {}
        self.grown = grown

    @classmethod
    def current(cls, store: GitStore, *, settled: bool = False) -> Glance | None:
        """A glance at the index file, or None when it is not current or cannot be read.

        ``settled``: what is read is only what main, the amendments and the decisions on them
        settle (ids, numbers, each amendment's row and status, not its deliberation); then a
        file behind the refs only by event chains that grew by events that decide nothing (no
        rejection, no withdrawal: see :func:`_grown_by_talk`) will do, as the refresh would
        leave every amendment's row as it is."""
        path = index_path(store)
        if path.is_symlink() or not path.is_file():
            return None
        db: sqlite3.Connection | None = None
        try:
            db = sqlite3.connect(f"{path.as_uri()}?mode=rw", uri=True, timeout=5)
            db.isolation_level = None
            db.execute("BEGIN")
            if _usable(db, store, current=False):
                listing = indexed_listing(store, tags=False)
                tips = tips_of(listing)
                if _stored(db, "refs") == fingerprints(listing)["refs"]:
                    return cls(db, tips)
                grown = _moved_chains(db, tips) if settled else None
                if grown is not None and _grown_by_talk(store, grown):
                    return cls(db, tips, frozenset(r[len(EVENTS_PREFIX) :] for r in grown))
        except (sqlite3.Error, TypeError, ValueError):
            pass
        if db is not None:
            db.close()
        return None

    def close(self) -> None:
        self._db.close()

    def _rows(self, query: str, values: Sequence[object]) -> list[dict[str, Any]]:
        try:
            cursor = self._db.execute(query, list(values))
            names = [column[0] for column in cursor.description]
            return [dict(zip(names, row, strict=True)) for row in cursor]
        except sqlite3.Error as error:
            raise Unreadable(str(error)) from error

    def resolve_prefix(self, prefix: str) -> list[str]:
        rows = self._rows(
            "SELECT id FROM amendmentrow WHERE substr(id, 1, ?) = ? LIMIT 10", (len(prefix), prefix)
        )
        return [row["id"] for row in rows]

    def amendment(self, amendment_id: str) -> Amendment | None:
        found = self._amendments("id = ?", [amendment_id])
        return found[0] if found else None

    def amendments(
        self, *, draft: str | None = None, family: str | None = None, amends: str | None = None
    ) -> list[Amendment]:
        where, values = ["1"], []
        if draft:
            where.append("draft = ?")
            values.append(draft)
        if family is not None:
            where.append("(id = ? OR alternative_to = ?)")
            values += [family, family]
        if amends is not None:
            where.append("amends = ?")
            values.append(amends)
        return self._amendments(" AND ".join(where), values)

    def numbered(self, draft: str, number: int) -> str | None:
        try:
            found = numbers_in(self._db, {draft})
        except (sqlite3.Error, TypeError) as error:
            raise Unreadable(str(error)) from error
        return next((i for i, (_, n) in found.items() if n == number), None)

    def _amendments(self, where: str, values: list[str]) -> list[Amendment]:
        query = f"SELECT * FROM amendmentrow WHERE {where} ORDER BY created_at, id"
        rows = self._rows(query, values)
        try:
            if len(rows) == 1:  # one amendment's number is counted, not all its draft's
                count = self._db.execute(NUMBER_OF_SQL, {"id": rows[0]["id"]}).fetchone()
                rows[0]["number"] = count[0]
            elif rows:
                numbers = numbers_in(self._db, {row["draft"] for row in rows})
                for row in rows:
                    row["number"] = numbers[row["id"]][1]
            return [amendment_from(row) for row in rows]
        except (sqlite3.Error, ValueError, TypeError, KeyError) as error:
            raise Unreadable(str(error)) from error

    def events(self, amendment_id: str) -> list[Event]:
        return self.chain_events([amendment_id])

    def chain_events(
        self, keys: Sequence[str] | None = None, types: Sequence[str] | None = None
    ) -> list[Event]:
        if self.grown and (keys is None or self.grown.intersection(keys)):
            raise Unreadable("events this file has not read yet")
        where, values = ["1"], []
        for column, wanted in (("amendment", keys), ("type", types)):
            if wanted is not None:
                where.append(f"{column} IN ({','.join('?' * len(wanted))})")
                values += list(wanted)
        query = f"SELECT * FROM eventrow WHERE {' AND '.join(where)} ORDER BY at, id"
        try:
            return [event_from(row) for row in self._rows(query, values)]
        except (ValueError, TypeError, KeyError) as error:
            raise Unreadable(str(error)) from error
