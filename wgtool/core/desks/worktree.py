"""Keeping a member's checkout in step with main.

Every write moves refs without touching files; afterwards the working tree follows main, but
only when it is exactly as wgtool left it, so a local change is never overwritten. The main
commit wgtool last brought the tree to is noted in ``.git/wgtool/worktree``: a command that dies
between moving main and updating the tree is caught up by the next one.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from wgtool.core.record.gitstore import GitStore
from wgtool.core.record.rulebook import MAIN_REF, SHA_RE


class Worktree:
    """The checkout of one repository (nothing to do for a bare one)."""

    def __init__(self, store: GitStore, notify: Callable[[str], object]) -> None:
        self.store = store
        self.notify = notify

    @property
    def note(self) -> Path:
        """Where wgtool notes the main commit it last brought the working tree to."""
        return self.store.wgtool_dir / "worktree"

    def is_clean(self) -> bool:
        """Whether the checkout is on main with nothing changed: safe to move with main."""
        if self.store.work_tree is None:
            return False
        if not self._on_main():
            return False
        status = self.store.run(["status", "--porcelain", "--untracked-files=no"], check=False)
        return status.returncode == 0 and not status.stdout.strip()

    @contextmanager
    def moving(self) -> Iterator[None]:
        """Held while this process moves main and then the tree (shared with other writers):
        a command that finds the tree behind main while someone holds it is looking at a
        write under way, not at one that died (the lock goes with its process)."""
        handle = self._lock_file()
        try:
            if handle is not None:
                fcntl.flock(handle, fcntl.LOCK_SH)
            yield
        finally:
            if handle is not None:
                os.close(handle)

    def _lock_file(self) -> int | None:
        try:
            self.store.wgtool_dir.mkdir(parents=True, exist_ok=True)
            flags = os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC
            return os.open(self.store.wgtool_dir / "worktree.lock", flags, 0o644)
        except OSError:
            return None  # best effort, as the note itself

    def update(self, old: str | None, new: str) -> None:
        """Move the checkout from main at ``old`` (None: nothing checked out yet) to ``new``."""
        if self.store.work_tree is None:
            return
        if old is None:
            result = self.store.run(["read-tree", "--reset", "-u", new], check=False)
        else:
            result = self.store.run(["read-tree", "-m", "-u", old, new], check=False)
        if result.returncode == 0:
            self.record(new)

    def recorded(self) -> str | None:
        """The main commit the checkout was last brought to, if noted."""
        try:
            recorded = self.note.read_text().strip()
        except (OSError, UnicodeDecodeError):
            return None
        return recorded if SHA_RE.match(recorded) else None

    def record(self, commit: str) -> None:
        """Note the commit the working tree is at (best effort: without it, no catching up)."""
        if self.store.work_tree is None or self.recorded() == commit:
            return
        note = self.note
        partial = note.with_name(f".worktree.{os.getpid()}")
        try:
            self.store.wgtool_folder()
            self.store.clear_way(note)
            partial.write_text(commit + "\n")
            partial.replace(note)
        except OSError:
            partial.unlink(missing_ok=True)

    def catch_up(self, main: str) -> None:
        """Bring a working tree that a command left behind main (it died before updating the
        tree) up to date: only when the tree is exactly as wgtool left it, so that no local
        change is ever overwritten."""
        if self.store.work_tree is None:
            return
        recorded = self.recorded()
        if recorded is None or main == recorded or not self._on_main():
            return
        handle = self._lock_file()
        if handle is None:
            return
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(handle)
            return  # a write is moving main and the tree right now: it brings the tree along
        try:
            self._catch_up(recorded, main)
        finally:
            os.close(handle)

    def _catch_up(self, recorded: str, main: str) -> None:
        self.store.run(["update-index", "-q", "--refresh"], check=False)
        staged = self.store.run(["diff-index", "--cached", "--quiet", recorded, "--"], check=False)
        edited = self.store.run(["diff-files", "--quiet"], check=False)
        if staged.returncode != 0 or edited.returncode != 0:
            return  # changed since (by hand, or by git itself): not ours to touch
        if self.store.run(["read-tree", "-m", "-u", recorded, main], check=False).returncode == 0:
            self.record(main)
            self.notify(
                "the working tree was behind main (an earlier command was interrupted): "
                "brought it up to date"
            )

    def _on_main(self) -> bool:
        # HEAD read from its file ("ref: refs/heads/main"): a git process less for every write
        # to main; git is asked only when the file says something else than a branch or a sha.
        try:
            head = (self.store.git_dir / "HEAD").read_text(encoding="utf-8").strip()
        except (OSError, UnicodeDecodeError):
            head = ""
        if head.startswith("ref: "):
            return head.removeprefix("ref: ").strip() == MAIN_REF
        if SHA_RE.fullmatch(head):
            return False  # detached
        head = self.store.run(["symbolic-ref", "-q", "HEAD"], check=False).stdout.decode().strip()
        return head == MAIN_REF
