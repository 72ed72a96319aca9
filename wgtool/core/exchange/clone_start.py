"""The first step of a clone, which starts at once: ``git clone`` into a folder beside the new
clone, running while the rest of wgtool is imported (most of a second's CPU that would
otherwise come before git starts; see :mod:`wgtool.core.exchange.sync.cloning` for the rest).

This module imports only what starting git needs: neither GitPython nor the rulebook.
"""

from __future__ import annotations

import atexit
import re
import secrets
import shutil
from pathlib import Path
from typing import ClassVar

from wgtool.core.errors import InvalidInput, SyncError, WgError
from wgtool.core.record.refnames import TAGS_PREFIX, WG_PREFIX, fetch_refspecs
from wgtool.core.record.transport import GitProcess, git_reason

REMOTE = "origin"
# Taken straight into local refs by the clone's one fetch, judged before the clone is used.
DIRECT = (f"+{WG_PREFIX}*:{WG_PREFIX}*", f"+{TAGS_PREFIX}*:{TAGS_PREFIX}*")
# Exactly the refspecs of DIRECT, as a value pattern of ``git config`` (an extended regex).
DIRECT_PATTERN = "^" + "|".join(re.escape(spec) for spec in DIRECT).join("()") + "$"


class CloneStart:
    """``git clone`` of ``url`` started into a new folder beside ``path`` that nothing else
    uses (``staging``); :meth:`wait` for it, :meth:`discard` what is left of it."""

    started: ClassVar[CloneStart | None] = None
    """The clone the entry point started (:meth:`begin`), until the command takes it."""

    def __init__(self, url: str, path: Path) -> None:
        if not url or url.startswith("-"):
            raise InvalidInput(f"invalid repository address {url!r}")
        if path.exists() and (not path.is_dir() or any(path.iterdir())):
            raise InvalidInput(f"{path} exists and is not empty: choose a new folder")
        self.url = url
        self.path = path.absolute()
        self.staging = self.path.parent / f".{self.path.name}.wgtool-clone-{secrets.token_hex(4)}"
        config = [f"remote.{REMOTE}.fetch={spec}" for spec in (*fetch_refspecs(REMOTE), *DIRECT)]
        self.args = [
            "clone",
            "--quiet",
            "--no-tags",  # tags come by the refspecs above, judged like the rest
            "--origin",
            REMOTE,
            "--branch",
            "main",
            *(argument for item in config for argument in ("-c", item)),
            "--",
            url,
            str(self.staging),
        ]
        self.git: GitProcess | None = GitProcess(self.args, network=True)

    @classmethod
    def begin(cls, url: str, path: str) -> None:
        """Start the clone of ``wgtool clone URL PATH`` at the entry point, before the command
        line is imported; nothing when either looks like an option or the clone cannot start
        (the command says why, as it always did). One nobody takes is discarded when the
        process ends."""
        if cls.started is not None or url.startswith("-") or path.startswith("-"):
            return
        try:
            cls.started = cls(url, Path(path))
        except (WgError, OSError):
            return
        atexit.register(cls.drop)

    @classmethod
    def take(cls, url: str, path: Path) -> CloneStart:
        """The clone of ``url`` into ``path``: the one the entry point started for them, else
        one started now (one started for others is discarded)."""
        started, cls.started = cls.started, None
        if started is not None and (started.url, started.path) == (url, path.absolute()):
            return started
        if started is not None:
            started.discard()
        return cls(url, path)

    @classmethod
    def drop(cls) -> None:
        """Discard the clone nobody took (the process ends)."""
        started, cls.started = cls.started, None
        if started is not None:
            started.discard()

    def wait(self) -> None:
        """Wait for git (a SyncError when it failed or timed out)."""
        if self.git is None:
            raise SyncError(f"cannot clone {self.url}: the clone was discarded")
        try:
            code, stderr = self.git.wait()
        except SyncError:
            self.discard()
            raise
        self.git = None
        if code != 0:
            self.discard()
            raise SyncError(f"cannot clone {self.url}: {git_reason(stderr)}")

    def discard(self) -> None:
        """Stop git if it still runs, and remove the staging folder if it is still there."""
        if self.git is not None:
            self.git.stop()
            self.git = None
        if self.staging.exists():
            shutil.rmtree(self.staging, ignore_errors=True)
