"""wgtool's own files beside the record (``.git/wgtool``: the index, locks, notes): the folder
made or repaired, room made for a file, and lock files held one process at a time."""

from __future__ import annotations

import fcntl
import os
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from wgtool.core.errors import LocalFileError


class OwnFiles:
    """wgtool's folder in a repository's git folder, given that folder and where to say, in one
    line, what was repaired in passing."""

    def __init__(self, git_dir: Path, notify: Callable[[str], object]) -> None:
        self.folder = git_dir / "wgtool"
        self.notify = notify

    def made(self) -> Path:
        """:attr:`folder`, made if missing. Whatever else is in its place (a file, a link) is
        not wgtool's and holds nothing of the record: it is removed, and said in one line."""
        folder = self.folder
        if folder.is_symlink() or (os.path.lexists(folder) and not folder.is_dir()):
            what = "a symbolic link" if folder.is_symlink() else "a file"
            folder.unlink(missing_ok=True)  # another process may have cleared it first
            self.notify(f"{folder} was {what}, not wgtool's folder: made the folder afresh")
        folder.mkdir(parents=True, exist_ok=True)
        return folder

    def clear_way(self, path: Path) -> None:
        """Make room for a file of wgtool's own at ``path``: a folder or a link in its place
        (never followed) is removed, and said in one line."""
        if path.is_symlink():
            path.unlink(missing_ok=True)
            self.notify(f"{path} was a symbolic link, not wgtool's file: replaced it")
        elif path.is_dir():
            shutil.rmtree(path, ignore_errors=True)
            self.notify(f"{path} was a folder, not wgtool's file: replaced it")

    @contextmanager
    def locked(self, name: str) -> Iterator[None]:
        """Hold the lock file ``name`` in :attr:`folder`, waiting for any other holder (one
        process at a time; the lock goes with the process should it die)."""
        path = self.made() / name
        self.clear_way(path)
        try:
            handle = open_lock_file(path)
        except OSError as error:
            raise LocalFileError(
                f"cannot use the lock file {path}: {error.strerror or error} "
                "(wgtool's own files in .git/wgtool must be writable)"
            ) from None
        try:
            fcntl.flock(handle, fcntl.LOCK_EX)
            yield
        finally:
            os.close(handle)  # closing the file releases the lock


def open_lock_file(path: str | os.PathLike[str]) -> int:
    """Open (or make) the lock file at ``path`` to hold with ``flock``, never through a link."""
    return os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o644)
