"""The working group as the UI's worker threads use it: opened lazily, one thread at a time."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from wgtool import api

if TYPE_CHECKING:
    from wgtool.api import DraftSummary, GlancedQueue, QueueFilters, WorkingGroup


class FirstGlance:
    """The first screen's drafts read at a glance (see :func:`wgtool.api.first_screen_at`) in
    a thread of its own, started before Textual is imported: its git processes and its read of
    the index file run while the interpreter loads and paints the UI."""

    def __init__(self, repo: str | os.PathLike[str] | None) -> None:
        self._path = where(repo)
        self._drafts: list[DraftSummary] | None = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._read, name="first-glance", daemon=True)
        self._thread.start()

    def _read(self) -> None:
        try:
            self._drafts = api.first_screen_at(self._path)
        except BaseException as error:  # raised where the drafts are asked for, as unthreaded
            self._error = error

    @property
    def ready(self) -> bool:
        """Whether the drafts are read without error (:meth:`drafts` returns them at once)."""
        return not self._thread.is_alive() and self._error is None

    def drafts(self) -> list[DraftSummary] | None:
        """The drafts, once read (None: the index is not current, or there is none)."""
        self._thread.join()
        if self._error is not None:
            raise self._error
        return self._drafts


def where(repo: str | os.PathLike[str] | None) -> str | os.PathLike[str]:
    """The folder of the working group a session opens (as ``WorkingGroup.open`` finds it)."""
    return repo or os.environ.get("WGTOOL_REPO") or os.getcwd()


class Session:
    """One working group opened for the app, shared by its worker threads.

    GitPython keeps long-running ``git cat-file`` processes per repository object, which must not
    be used by two threads at once, so every use of the working group holds one lock. The
    repository is opened on first use, inside a worker, so the first screen paints before any
    git process starts, and before the core's libraries (GitPython and the rest) are imported.
    """

    def __init__(
        self,
        repo: str | os.PathLike[str] | None,
        actor: str | None,
        *,
        demo: bool = False,
        strict: bool = False,
        glance: FirstGlance | None = None,
    ) -> None:
        self.repo = repo
        self.actor = actor
        self.demo = demo
        self.strict = strict
        """Whether a repository that is not a working group, or nobody to act, ends the app
        at start with the error (as the command line opens it)."""
        self._lock = threading.Lock()
        self._wg: WorkingGroup | None = None
        self._glance = glance
        self._first_read = False

    @contextmanager
    def use(self) -> Iterator[WorkingGroup]:
        """The working group, for exclusive use by the calling thread."""
        with self._lock:
            yield self._opened()

    @contextmanager
    def use_if_free(self) -> Iterator[WorkingGroup | None]:
        """The working group for exclusive use, or None at once when another thread has it
        (for checks that may as well wait for their next turn)."""
        if not self._lock.acquire(blocking=False):
            yield None
            return
        try:
            yield self._opened()
        finally:
            self._lock.release()

    def first_screen_if_read(self) -> list[DraftSummary] | None:
        """:meth:`first_screen`, if the command line's glance has read it already (else None,
        at once, and :meth:`first_screen` waits for it)."""
        if self._glance is not None and self._glance.ready:
            return self.first_screen()
        return None

    def first_screen(self) -> list[DraftSummary] | None:
        """The drafts the first screen lists, read at a glance at the index before the working
        group is opened (no GitPython, no SQLAlchemy), or None when the index is not current
        (the screen then reads them once the group is open). Never for the demo, made on
        opening."""
        glance, self._glance = self._glance, None
        if self.demo or self._wg is not None or self._first_read:
            return None
        self._first_read = True  # once: the screen shows them, then reads the open group
        if glance is not None:  # started by the command line, before Textual was imported
            return glance.drafts()
        return api.first_screen_at(where(self.repo))

    def queue(self, filters: QueueFilters) -> GlancedQueue | None:
        """The amendment queue at a glance at the index (no GitPython, no SQLAlchemy, and no
        waiting for the working group, which another thread may hold), or None when the index
        is not current (the queue then reads the working group)."""
        return api.queue_at(where(self.repo), filters)

    def _opened(self) -> WorkingGroup:
        if self._wg is None:
            self._wg = api.WorkingGroup.open(self.repo, self.actor)
        return self._wg

    def close(self) -> None:
        with self._lock:
            if self._wg is not None:
                self._wg.close()
                self._wg = None
