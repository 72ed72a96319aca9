"""Many refs moved in one ``packed-refs`` write, with git's own locks and compare-and-swap.

A sync moves hundreds of refs (a clone thousands). ``git update-ref --stdin`` writes each as a
loose file of its own, which ``git pack-refs`` then reads back, packs and deletes: most of a
sync's system time. :func:`write_packed` instead writes the moved refs, and every loose ref it
may fold in (as ``git pack-refs --all`` would), into one new ``packed-refs``, following the
protocol git itself uses, so that git and wgtool writers running at the same time lose nothing:

* ``packed-refs.lock`` is taken with ``O_CREAT | O_EXCL`` first (held by another writer: nothing
  is written here, and the caller moves the refs with git);
* a moved ref's value is read and compared with the one the caller read; a ref whose lock
  (``<ref>.lock``) is held, or that another writer moved, is left out and returned (the caller
  joins it on its own);
* a moved ref held in a loose file is locked before it is read (its loose file is deleted once
  the new ``packed-refs`` is in place, still under that lock). A ref held only in
  ``packed-refs`` is not locked (a lock file is a new file: most of a sync's system time): it is
  looked at again once the new file is in place, and if another writer locked it or wrote it
  loose meanwhile, it is returned as not moved (whatever that writer did stands or fails by its
  own compare-and-swap, and the caller joins the ref again on its own). A writer that locks it
  later reads the new value;
* the new file is written beside the lock and renamed over ``packed-refs`` (readers see the old
  file or the new one, never half of one);
* the lock of a loose ref is made as a hard link to its file (exclusive as git's own lock files
  are, without a new file to allocate), or as a new file where links cannot be made;
* a loose ref folded in is deleted afterwards only when, under its lock, it still holds the
  value that was packed (a writer that moved it meanwhile keeps its loose file, which wins).

Symbolic refs, per-worktree refs and loose files git would not read are left loose. Peeled
values are kept for the refs that did not change, and the file no longer claims to be fully
peeled (git then peels the others when asked, and its next ``pack-refs`` peels them all).
A repository whose refs are not stored as files (reftable) is left to git.
"""

from __future__ import annotations

import bisect
import os
import re
from collections.abc import Callable, Mapping
from pathlib import Path

Moves = Mapping[str, tuple[str | None, str | None]]

HEADER = b"# pack-refs with: sorted \n"
SHA = re.compile(rb"[0-9a-f]{40}")
# Per-worktree refs are never packed (git keeps them beside each worktree's HEAD).
PER_WORKTREE = ("refs/bisect/", "refs/worktree/", "refs/rewritten/")
# A name git accepts, conservatively: anything else is left to git (which may refuse it).
_PART = r"[A-Za-z0-9_+=@-][A-Za-z0-9._+=@-]*"
REF_NAME = re.compile(rf"refs/(?:{_PART}/)*{_PART}")


class Busy(Exception):
    """``packed-refs`` is locked by another writer, or the refs are not stored as files."""


def valid_name(ref: str) -> bool:
    return bool(REF_NAME.fullmatch(ref)) and ".." not in ref and not ref.endswith((".lock", "."))


def handled(ref: str) -> bool:
    """Whether :func:`write_packed` moves ``ref`` (branches, which keep a reflog, and names
    outside :data:`REF_NAME` are left to git)."""
    return valid_name(ref) and not ref.startswith(("refs/heads/", *PER_WORKTREE))


def _lock(path: str | Path) -> bool:
    """Take the lock file ``path`` (``O_EXCL``, as git does); False when another holds it."""
    try:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o666))
        return True
    except OSError:
        return False


def _lock_loose(path: str | Path, lock: str | Path) -> bool:
    """Take the lock of the loose ref file ``path``: ``lock`` made a hard link to it (as
    exclusive as ``O_EXCL``, and no new file to allocate: a few times cheaper), or made as
    :func:`_lock` makes it where a link cannot be made; False when another holds it."""
    try:
        os.link(path, lock, follow_symlinks=False)
        return True
    except FileExistsError:
        return False
    except OSError:
        return _lock(lock)


def _unlink(path: str | Path) -> None:
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass


def _read_loose(path: str | Path) -> str | None:
    """The sha a loose ref file holds, or None (no such file, a symbolic ref, garbage)."""
    try:
        with open(path, "rb") as file:
            data = file.read()
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
        return None
    line = data.strip()
    return line.decode() if SHA.fullmatch(line) else None


def read_packed(common: Path) -> dict[str, list[bytes]]:
    """``packed-refs`` as ``{ref: [its line, and its peeled line if any]}``."""
    try:
        data = (common / "packed-refs").read_bytes()
    except FileNotFoundError:
        return {}
    entries: dict[str, list[bytes]] = {}
    last: list[bytes] | None = None
    for line in data.splitlines(keepends=True):
        if line.startswith(b"#"):
            continue
        if line.startswith(b"^"):
            if last is not None:
                last.append(line)
            continue
        sha, _, name = line.rstrip(b"\n").partition(b" ")
        last = [line if line.endswith(b"\n") else line + b"\n"]
        entries[name.decode("utf-8", "surrogateescape")] = last
    return entries


def _loose_refs(common: Path) -> dict[str, tuple[Path, str | None]]:
    """Every loose ref file under ``refs/`` but per-worktree ones and locks: ``{ref: (path,
    sha or None when it is not a plain sha)}``."""
    found: dict[str, tuple[Path, str | None]] = {}
    top = common / "refs"
    for folder, _, files in os.walk(top):
        for name in files:
            if name.endswith(".lock"):
                continue
            path = Path(folder) / name
            ref = path.relative_to(common).as_posix()
            if not ref.startswith(PER_WORKTREE):
                found[ref] = (path, _read_loose(path))
    return found


def _conflicts(ref: str, names: list[str]) -> bool:
    """Whether ``ref`` clashes with an existing name as a folder or a file (``a`` and ``a/b``)."""
    parts = ref.split("/")
    for end in range(2, len(parts)):
        at = bisect.bisect_left(names, "/".join(parts[:end]))
        if at < len(names) and names[at] == "/".join(parts[:end]):
            return True
    at = bisect.bisect_left(names, ref + "/")
    return at < len(names) and names[at].startswith(ref + "/")


def write_packed(common: Path, moves: Moves, *, fold: bool = True) -> set[str]:
    """Move ``{ref: (new, old)}`` (old None: must not exist; new None: delete it) in one
    ``packed-refs`` write, folding in the loose refs when ``fold``; the refs not moved (held or
    moved by another writer, a name this does not handle). Raises :class:`Busy`, having moved
    nothing, when ``packed-refs`` is locked or the refs are not stored as files."""
    if (common / "reftable").exists() or not (common / "refs").is_dir():
        raise Busy("refs are not stored as files here")
    packed_lock = common / "packed-refs.lock"
    if not _lock(packed_lock):
        raise Busy("packed-refs is locked by another writer")
    held: list[Path] = []  # the ref locks taken, released at the end
    try:
        packed = read_packed(common)
        loose = _loose_refs(common)
        names = sorted(set(packed) | set(loose))
        lost: set[str] = set()
        moved: dict[str, str | None] = {}
        unlocked: set[str] = set()  # moved refs held only in packed-refs: checked afterwards
        for ref, (new, old) in sorted(moves.items()):
            lock = common / (ref + ".lock")
            if not handled(ref):
                lost.add(ref)
                continue
            if ref not in packed and ref not in loose and _conflicts(ref, names):
                lost.add(ref)
                continue
            path = common / ref
            line = packed.get(ref)
            current = line[0][:40].decode() if line else None
            if not os.path.lexists(path):
                if os.path.lexists(lock):
                    lost.add(ref)  # being moved by another writer
                    continue
                unlocked.add(ref)
            elif not _lock_loose(path, lock):
                lost.add(ref)
                continue
            else:
                held.append(lock)
                if path.exists() or path.is_symlink():
                    current = _read_loose(path)
                    if current is None:  # a symbolic ref or garbage: git's to judge
                        lost.add(ref)
                        continue
            if current != old:
                lost.add(ref)
                continue
            moved[ref] = new
        folded = {
            ref: sha
            for ref, (_, sha) in loose.items()
            if fold and sha is not None and ref not in moves and valid_name(ref)
        }
        entries = dict(packed)
        for ref, sha in folded.items():
            entries[ref] = [f"{sha} {ref}\n".encode()]
        for ref, new in moved.items():
            if new is None:
                entries.pop(ref, None)
            else:
                entries[ref] = [f"{new} {ref}\n".encode()]
        body = b"".join(line for ref in sorted(entries, key=_key) for line in entries[ref])
        try:
            with open(packed_lock, "wb") as out:
                out.write(HEADER + body)
            os.replace(packed_lock, common / "packed-refs")
        except OSError as error:
            raise Busy(f"cannot write packed-refs: {error}") from error
        base = os.fspath(common)
        deleted: list[str] = []  # refs whose loose file is gone: their folders may be empty
        for ref in moved:
            if ref in unlocked:
                if _touched(base, ref):
                    lost.add(ref)
                continue
            try:
                _unlink(common / ref)  # under its lock: the packed value now shows through
                deleted.append(ref)
            except OSError:
                lost.add(ref)  # its loose file still holds the old value, and wins
        deleted += [ref for ref, sha in folded.items() if _prune_loose(base, ref, sha)]
        while held:
            _unlink(held.pop())
        _prune_folders(base, deleted)
        return lost
    finally:
        for lock in held:
            _unlink(lock)
        _unlink(packed_lock)


def _touched(base: str, ref: str) -> bool:
    """Whether another writer holds ``ref``'s lock or wrote it loose (after the moves were read
    from packed-refs: a ref moved without its lock is then returned as not moved)."""
    path = f"{base}/{ref}"
    return os.path.lexists(path) or os.path.lexists(path + ".lock")


def _key(ref: str) -> bytes:
    return ref.encode("utf-8", "surrogateescape")


def _prune_loose(base: str, ref: str, sha: str) -> bool:
    """Delete the loose file of a ref now packed, if it still holds ``sha`` (under its lock);
    whether it was deleted."""
    path = f"{base}/{ref}"
    lock = path + ".lock"
    if not _lock_loose(path, lock):
        return False  # another writer is moving it: its loose file stays, and wins
    try:
        if _read_loose(path) != sha:
            return False
        os.unlink(path)
        return True
    except OSError:
        return False  # it stays loose, and holds the same value as the packed one
    finally:
        _unlink(lock)


def _prune_folders(base: str, refs: list[str]) -> None:
    """Remove the folders of deleted loose refs left empty, below ``refs/<kind>`` (as git),
    each folder tried once, the deepest first."""
    folders: set[str] = set()
    for ref in refs:
        parts = ref.split("/")
        folders.update("/".join(parts[:end]) for end in range(3, len(parts)))
    for folder in sorted(folders, key=lambda name: name.count("/"), reverse=True):
        try:
            os.rmdir(f"{base}/{folder}")
        except OSError:
            pass


def packed_or_git(
    common: Path,
    moves: Moves,
    with_git: Callable[[Moves], set[str]],
) -> set[str]:
    """Move ``{ref: (new, old)}`` with :func:`write_packed`; what it does not handle (a name
    it leaves to git), or all of it when ``packed-refs`` is busy, with ``with_git``
    (``update-ref`` transactions). The refs not moved."""
    mine = {ref: move for ref, move in moves.items() if handled(ref)}
    theirs = {ref: move for ref, move in moves.items() if ref not in mine}
    try:
        lost = write_packed(common, mine)
    except Busy:
        lost, theirs = set(), dict(moves)
    return lost | (with_git(theirs) if theirs else set())
