"""Keeping ``.git`` compact after a sync: refs and objects packed when it pays, no reflogs for
wg refs.

A working group holds two refs per amendment, and a clone a remote-tracking copy of each. Git
writes every ref it moves as a loose file of its own (4 KB on most disks for 41 bytes), and
every fetch moves thousands of them; they are all folded into one ``packed-refs`` file (see
:mod:`wgtool.core.record.packed`; a sync's join writes the refs it moves there directly).
Reflogs are only written for branches (see :data:`wgtool.core.record.refs.NO_REFLOG`); the ones
an older wgtool or a plain ``git fetch`` left for wg refs and their tracking copies are removed
here.

Objects: wgtool writes each event as four loose objects (a file of its own each, 4 KB on disk),
and a fetch of fewer than 100 objects unpacks them loose too; git's own ``gc --auto`` waits for
6,700 of them. From :data:`REPACK_FROM` loose objects on (256 KB of blocks; a clone after 50
syncs at 400 amendments held up to 1 MB of them at 256) they are packed, and packs are merged
whenever there are more than :data:`PACKS_KEPT` (each fetch of many objects keeps a pack of its
own): ``git repack -d --geometric=2`` merges the small ones in a geometric progression and
leaves the largest as it is, so a clone holds a few packs. The files a dumb-HTTP server reads
(``info/refs``, ``objects/info/packs``: a listing of every ref, 118 KB at 400 amendments) are
not written, and removed where an earlier repack left them: a member's clone is not served
that way, and a copy of them would only go stale with the next sync.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from wgtool.core.record.gitstore import GitStore
from wgtool.core.record.packed import Busy, write_packed

# Loose refs from which packing pays: packing rewrites packed-refs (every ref, a tenth of a
# second at 10,000 amendments), each loose ref costs a file and a block of disk. A sync's join
# writes what it takes into packed-refs itself, folding what the fetch left loose; what is left
# after it (refs pushed, moved by another writer meanwhile) is packed here, whatever their
# number, so that no sync leaves a loose ref but a branch and a remote's HEAD.
PACK_FROM = 1
REPACK_FROM = 64
PACKS_KEPT = 4


def tidy(store: GitStore, remote: str) -> None:
    """Remove reflogs of wg refs and of ``remote``'s tracking refs but main; pack loose refs
    when there are :data:`PACK_FROM` or more to fold (see :func:`loose_refs`)."""
    common = Path(store.repo.common_dir)
    logs = common / "logs" / "refs"
    for folder in (
        logs / "wg",
        logs / "remotes" / remote / "wg",
        logs / "remotes" / remote / "tags",
    ):
        if folder.is_dir() and not folder.is_symlink():
            shutil.rmtree(folder, ignore_errors=True)
    if loose_refs(common / "refs", PACK_FROM) >= PACK_FROM:
        # Folded into packed-refs in this process (as ``git pack-refs --all`` would); git does
        # it when packed-refs is busy.
        store.generation += 1
        try:
            write_packed(common, {})
        except Busy:
            store.run(["pack-refs", "--all"], check=False)
    if packs(common) > PACKS_KEPT or loose_objects(store) >= REPACK_FROM:
        # Packs merged in a geometric progression, loose objects with them: each fetch that
        # brought a pack of its own is rolled into the others without rewriting the largest.
        store.run(["repack", "-d", "-n", "-q", "--geometric=2"], check=False)
        for stale in (common / "info" / "refs", common / "objects" / "info" / "packs"):
            stale.unlink(missing_ok=True)


def packs(common: Path) -> int:
    """How many packs there are (no git process: a listing of the pack folder)."""
    try:
        return sum(1 for e in os.scandir(common / "objects" / "pack") if e.name.endswith(".pack"))
    except OSError:
        return 0


def loose_objects(store: GitStore) -> int:
    """How many loose objects there are (``git count-objects``)."""
    result = store.run(["count-objects"], check=False)
    count, _, _ = result.stdout.decode().partition(" objects")
    return int(count) if count.strip().isdigit() else 0


def loose_refs(folder: Path, enough: int) -> int:
    """How many loose ref files under ``folder`` (a repository's ``refs``) packing would fold,
    counting up to ``enough``: neither branches (main moves with most syncs, and a file of
    its own costs less than writing every ref again) nor symbolic refs (a remote's ``HEAD``,
    which stays loose)."""
    count = 0
    for top, folders, files in os.walk(folder):
        if top == os.fspath(folder) and "heads" in folders:
            folders.remove("heads")
        for name in files:
            if not name.endswith(".lock") and not _symbolic(os.path.join(top, name)):
                count += 1
                if count >= enough:
                    return count
    return count


def _symbolic(path: str) -> bool:
    """Whether the loose ref file at ``path`` is a symbolic ref (``ref: ...``)."""
    try:
        with open(path, "rb") as file:
            return file.read(5) == b"ref: "
    except OSError:
        return False
