"""The fetch of a plain ``wgtool sync``, started by the entry point before the rest of wgtool
is imported: the command line, the desks, the rulebook and GitPython take about a third of a
second to load, and a fetch that begins first runs meanwhile (see :mod:`wgtool.launch`).

It starts only where it is plainly a working group's clone: the folder (``--repo``, else
``WGTOOL_REPO``, else the current one) or the first folder above it that holds something of
git's holds a ``.git`` folder with wgtool's own folder in it, main there holds the working
group's settings, no ``GIT_*`` variable changes how git finds the repository, and the
remote's name is one wgtool accepts. It takes the sync's lock first, without waiting
(another sync running: nothing starts early), and keeps it until the sync that takes it over
lets it go. The fetch is the sync's own (:func:`fetch_command`:
remote-tracking refs only, never what a member wrote); the sync takes it over only for the
same repository and remote (:meth:`FetchStart.take`) and judges its outcome as it judges its
own fetch's, so every error reads as it always did. A fetch nobody takes is stopped when the
process ends.

This module imports neither GitPython nor the rulebook.
"""

from __future__ import annotations

import atexit
import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import TracebackType
from typing import ClassVar

from wgtool.core.errors import WgError
from wgtool.core.record.files import open_lock_file
from wgtool.core.record.refnames import (
    MAIN_REF,
    NO_REFLOG,
    REMOTE_NAME_RE,
    SETTINGS_PATH,
    fetch_command,
)
from wgtool.core.record.transport import GitProcess, run_git

SYNC_LOCK = "sync.lock"
"""The lock file a sync holds in ``.git/wgtool`` (one sync at a time per repository)."""

DISCOVERY_VARIABLES = (
    "GIT_DIR",
    "GIT_WORK_TREE",
    "GIT_COMMON_DIR",
    "GIT_CEILING_DIRECTORIES",
    "GIT_DISCOVERY_ACROSS_FILESYSTEM",
)
"""Variables that change which repository git (and GitPython) finds: with any of them set,
the sync starts its fetch itself."""


class FetchStart:
    """``git fetch`` of a sync from ``remote`` into the repository at ``git_dir``, running, with
    the sync's lock held (``lock``: its open file)."""

    started: ClassVar[FetchStart | None] = None
    """The fetch the entry point started, until a sync takes it."""

    def __init__(self, git_dir: Path, remote: str, lock: int) -> None:
        self.git_dir = git_dir
        self.remote = remote
        self._lock: int | None = lock
        options = [arg for item in NO_REFLOG.items() for arg in ("-c", "=".join(item))]
        self.git = GitProcess(
            fetch_command(remote),
            options=options,
            git_dir=git_dir,
            cwd=git_dir.parent,
            network=True,
        )

    @classmethod
    def begin(cls, repo: str | None, remote: str) -> None:
        """Start the fetch of a sync of the working group at ``repo`` (else ``WGTOOL_REPO``,
        else the current folder) from ``remote``, where that is plainly safe (see the module's
        description); otherwise nothing happens and the sync fetches as it always did."""
        if cls.started is not None or not REMOTE_NAME_RE.match(remote):
            return
        if any(os.environ.get(name) for name in DISCOVERY_VARIABLES):
            return
        work_tree = clone_folder(Path(repo or os.environ.get("WGTOOL_REPO") or os.getcwd()))
        if work_tree is None:
            return
        git_dir = work_tree / ".git"
        lock = _sync_lock(git_dir / "wgtool")
        if lock is None:
            return
        if not _working_group(git_dir):
            os.close(lock)
            return
        try:
            cls.started = cls(git_dir, remote, lock)
        except (WgError, OSError):  # a bad time limit, say: the sync says so, as always
            os.close(lock)
            return
        atexit.register(cls.drop)

    @classmethod
    def take(cls, git_dir: str | os.PathLike[str], remote: str) -> FetchStart | None:
        """The fetch started for a sync of the repository at ``git_dir`` from ``remote``, now
        the caller's (it must :meth:`release` it); None when none was started for those (one
        started for another is stopped)."""
        started, cls.started = cls.started, None
        if started is None:
            return None
        if started.remote == remote and os.path.realpath(started.git_dir) == os.path.realpath(
            git_dir
        ):
            return started
        started.release()
        return None

    @classmethod
    def drop(cls) -> None:
        """Stop the fetch nobody took (the process ends)."""
        started, cls.started = cls.started, None
        if started is not None:
            started.release()

    def outcome(self) -> tuple[int, bytes]:
        """Wait for git: its exit code and what it wrote on its standard error (a SyncError
        when it ran out of time), for the sync to judge as it judges its own fetch's."""
        return self.git.wait()

    @contextmanager
    def holding(self) -> Iterator[None]:
        """The sync's lock, held since the fetch started, until the block ends."""
        try:
            yield
        finally:
            self.release()

    def release(self) -> None:
        """Stop git if it still runs, and let the sync's lock go."""
        self.git.stop()
        if self._lock is not None:
            os.close(self._lock)  # closing the file releases the lock
            self._lock = None

    def __enter__(self) -> FetchStart:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.release()


def clone_folder(start: Path) -> Path | None:
    """The work tree of the clone ``start`` is in, found as GitPython finds it (``start``, then
    each folder above it); None unless it is a plain one with a ``.git`` folder holding
    wgtool's own folder (a bare repository, a ``.git`` file of a linked work tree, a link:
    the sync finds the repository itself)."""
    try:
        folder = start.absolute()
        if not folder.is_dir():
            return None
        for candidate in (folder, *folder.parents):
            if _git_dir_like(candidate):
                return None
            dot_git = candidate / ".git"
            if os.path.lexists(dot_git):
                plain = dot_git.is_dir() and not dot_git.is_symlink()
                own = dot_git / "wgtool"
                return candidate if plain and own.is_dir() and not own.is_symlink() else None
    except OSError:
        return None
    return None


def _working_group(git_dir: Path) -> bool:
    """Whether main in ``git_dir`` holds the working group's settings (as the sync's opening
    of the working group checks: a repository that is none gets nothing fetched)."""
    found = run_git(["cat-file", "-e", f"{MAIN_REF}:{SETTINGS_PATH}"], git_dir=git_dir)
    return found.returncode == 0


def _git_dir_like(folder: Path) -> bool:
    """Whether ``folder`` itself looks like a git folder (a bare repository)."""
    return (
        (folder / "HEAD").exists() and (folder / "objects").is_dir() and (folder / "refs").is_dir()
    )


def _sync_lock(own: Path) -> int | None:
    """The sync's lock file in wgtool's folder ``own``, open and held; None when another
    process holds it or it is not a plain file (the sync sees to it as it always did)."""
    try:
        handle = open_lock_file(own / SYNC_LOCK)
    except OSError:
        return None
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        os.close(handle)
        return None
    return handle
