"""The index file: opening, healing, replacing it, and one refresher at a time."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

from sqlalchemy import event as sa_event
from sqlalchemy.engine import Engine
from sqlalchemy.pool import StaticPool
from sqlmodel import create_engine

from wgtool.core.glance import index_path
from wgtool.core.index.healing import reason_of, unreadable_row, unusable
from wgtool.core.index.rows import (
    create_schema,
    schema_problem,
)
from wgtool.core.indexing.schema import remove_index_files
from wgtool.core.record.gitstore import GitStore

T = TypeVar("T")


class IndexFile:
    """The file of one repository's index.

    The file heals itself: a damaged, foreign or outdated file (or anything else in its place)
    is replaced and rebuilt from the refs, and when the index cannot be written at all the refs
    are read into memory for the life of this object. Each time, ``notify`` gets one line.
    """

    def __init__(self, store: GitStore, notify: Callable[[str], object] | None = None) -> None:
        self.store = store
        self.directory = store.wgtool_dir
        self.path = index_path(store)
        self.notify: Callable[[str], object] = notify or (lambda _message: None)
        self._engine: Engine | None = None
        self._in_memory = False
        self._needs_fill = False  # set after a heal: read every ref before answering a query

    # -- plumbing ------------------------------------------------------------------------------

    def healed(
        self, operation: Callable[[], T], fill: Callable[[], object], *, fills: bool = False
    ) -> T:
        """Run ``operation`` on the index; when the file proves unusable, heal it and run it
        again. A file just healed is filled (``fill``: read every ref) before anything else is
        asked of it, unless the operation is such a fill itself (``fills``)."""
        for attempt in range(3):
            try:
                self._open()  # opening may heal the file, and then it must be filled first
                if self._needs_fill and not fills:
                    fill()
                    self._needs_fill = False
                result = operation()
                if fills:
                    self._needs_fill = False
                return result
            except Exception as error:
                if attempt == 2 or not (unusable(error) or unreadable_row(error)):
                    raise
                self._recover(error, attempt)
        raise AssertionError("unreachable")

    @property
    def engine(self) -> Engine:
        return self._open()

    @contextmanager
    def connection(self) -> Iterator[sqlite3.Connection]:
        """The driver's own connection to the file, from the engine's pool (the refresher
        writes through ``sqlite3``: see :mod:`wgtool.core.indexing`)."""
        raw = self._open().raw_connection()
        try:
            db = raw.driver_connection
            assert isinstance(db, sqlite3.Connection)
            yield db
        finally:
            raw.close()

    def _open(self) -> Engine:
        if self._engine is None:
            self._engine = self._open_memory() if self._in_memory else self._open_file()
        return self._engine

    @property
    def in_memory(self) -> bool:
        """Whether the refs are read into memory (the file cannot be used at all)."""
        return self._in_memory

    def close(self) -> None:
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None

    def _open_file(self) -> Engine:
        with self.lock():
            problem = self._file_problem(thorough=False)
            if problem is not None:
                self.remove_files()
                self.notify(f"the index {self.path} was {problem}: rebuilding it from the refs")
                self._needs_fill = True
            engine = create_engine(f"sqlite:///{self.path}", connect_args={"timeout": 60})

            @sa_event.listens_for(engine, "connect")
            def _pragmas(dbapi_connection: sqlite3.Connection, _record: object) -> None:
                cursor = dbapi_connection.cursor()
                cursor.execute("PRAGMA journal_mode=WAL")
                cursor.execute("PRAGMA synchronous=NORMAL")
                cursor.close()

            try:
                create_schema(engine)
            except BaseException:
                engine.dispose()
                raise
        return engine

    def _open_memory(self) -> Engine:
        # One shared connection: an in-memory database exists only inside its connection.
        engine = create_engine(
            "sqlite://", poolclass=StaticPool, connect_args={"check_same_thread": False}
        )
        create_schema(engine)
        return engine

    def _file_problem(self, *, thorough: bool) -> str | None:
        """What makes the index file unusable, or None (it is ours, or absent, or empty)."""
        if self.path.is_symlink():
            return "a symbolic link"
        if not os.path.lexists(self.path):
            return None
        if not self.path.is_file():
            return "not a file"
        try:
            connection = sqlite3.connect(self.path, timeout=60)
            try:
                return schema_problem(connection, thorough=thorough)
            finally:
                connection.close()
        except sqlite3.DatabaseError as error:
            return f"damaged ({error})"

    def remove_files(self) -> None:
        """Remove the index and its journals; a link is removed, never what it points at."""
        remove_index_files(self.path)

    def _recover(self, error: Exception, attempt: int) -> None:
        """After ``error`` from the index: heal the file (first time), else work in memory; a
        row that cannot be read rebuilds the file (once)."""
        self.close()
        if self._in_memory:
            raise error
        self._needs_fill = True
        if not unusable(error):  # a row that does not read as wgtool wrote it
            if attempt > 0:
                raise error
            with self.lock():
                self.remove_files()
            self.notify(
                f"the index {self.path} held a row wgtool cannot read ({reason_of(error)}): "
                "rebuilding it from the refs"
            )
            return
        if attempt == 0:
            try:
                with self.lock():
                    problem = self._file_problem(thorough=True)
                    if problem is not None:
                        self.remove_files()
                        self.notify(
                            f"the index {self.path} was {problem}: rebuilding it from the refs"
                        )
                return
            except Exception as again:
                if not unusable(again):
                    raise
                error = again
        self._in_memory = True
        self.notify(
            f"cannot use the index {self.path} ({reason_of(error)}): "
            "reading the refs in memory instead"
        )

    @contextmanager
    def lock(self) -> Iterator[None]:
        """One refresher at a time per repository; readers are never blocked (WAL)."""
        if self._in_memory:
            yield
            return
        with self.store.locked("index.lock"):
            yield
