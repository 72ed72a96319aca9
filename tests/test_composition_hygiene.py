"""The rulebook, the index, the git store and the desks are made of parts, not of layers: a part
is given what it needs (the rulebook's reader, the index file, the store's way of running git,
the record and the other desks) instead of inheriting it, and no part reaches into another's
underscored names.

A class of these packages may still name a wgtool class as its base where that base lends
fields and no behaviour (a dataclass or a SQLModel column set with no method written by hand,
as :class:`~wgtool.core.record.rulebook.Record` extends the store's ``CommitInfo``), or where
the base is an exception of the core's error family, or a Protocol it declares to follow.
"""

from __future__ import annotations

import ast
import dataclasses
import importlib
import inspect
import pkgutil
from pathlib import Path
from typing import Protocol

from sqlmodel import SQLModel

import wgtool.core.desks
import wgtool.core.index
import wgtool.core.indexing
import wgtool.core.record
import wgtool.core.record.rulebook
from wgtool.core.errors import WgError
from wgtool.core.record.gitstore import CommitInfo
from wgtool.core.record.rulebook.kept import KeptVerdicts

PACKAGES = (
    wgtool.core.record.rulebook,
    wgtool.core.index,
    wgtool.core.indexing,
    wgtool.core.record,
    wgtool.core.desks,
)
"""The packages whose classes are composed."""

RESERVED = {"_mapping", "_exit"}
"""Underscored names of libraries' public APIs (SQLAlchemy's ``Row._mapping``, ``os._exit``)."""


def written_methods(cls: type) -> list[str]:
    """The functions a class's own source defines (not those ``@dataclass`` generates)."""
    source = inspect.getsourcefile(cls)
    return [
        name
        for name, value in vars(cls).items()
        if inspect.isfunction(value)
        and value.__code__.co_filename == source
        or isinstance(value, (property, classmethod, staticmethod))
    ]


def borrowed(cls: type) -> list[str]:
    """The wgtool classes ``cls`` inherits behaviour from (empty when it inherits none)."""
    found = []
    for base in cls.__mro__[1:]:
        if not base.__module__.startswith("wgtool."):
            continue
        if issubclass(base, BaseException) or getattr(base, "_is_protocol", False):
            continue
        data = dataclasses.is_dataclass(base) or issubclass(base, SQLModel)
        if data and not written_methods(base):
            continue
        found.append(f"{base.__module__}.{base.__qualname__}")
    return found


def classes() -> list[type]:
    """Every class the modules of :data:`PACKAGES` define."""
    found = []
    for package in PACKAGES:
        names = [package.__name__] + [
            info.name for info in pkgutil.iter_modules(package.__path__, package.__name__ + ".")
        ]
        for name in names:
            module = importlib.import_module(name)
            found += [
                value
                for value in vars(module).values()
                if inspect.isclass(value) and value.__module__ == name
            ]
    return found


def test_the_checker_sees_borrowed_behaviour_and_lets_data_pass() -> None:
    """Guard against a vacuous pass: a part built on another part is noticed; fields, errors
    and protocols are not."""

    class Layered(KeptVerdicts):
        pass

    @dataclasses.dataclass(frozen=True)
    class Fields(CommitInfo):
        extra: str = ""

    class Refused(WgError):
        pass

    class Shaped(Protocol):
        def judge(self) -> None: ...

    class Follows(Shaped):
        def judge(self) -> None:
            pass

    assert borrowed(Layered) == ["wgtool.core.record.rulebook.kept.KeptVerdicts"]
    assert [borrowed(c) for c in (Fields, Refused, Follows)] == [[], [], []]

    @dataclasses.dataclass(frozen=True)
    class Acting(Fields):
        pass

    assert borrowed(Acting) == []  # Fields is local: not a wgtool class


def test_no_class_of_the_rulebook_the_index_the_store_or_the_desks_inherits_behaviour() -> None:
    found = classes()
    names = {f"{c.__module__}.{c.__qualname__}" for c in found}
    assert {
        "wgtool.core.record.rulebook.book.Rulebook",
        "wgtool.core.record.rulebook.chains.ChainJudge",
        "wgtool.core.record.rulebook.records.Record",
        "wgtool.core.index.Index",
        "wgtool.core.indexing.refresh.Refresher",
        "wgtool.core.index.rows.AmendmentRow",
        "wgtool.core.desks.WorkingGroup",
        "wgtool.core.desks.context.Record",
        "wgtool.core.desks.documents.DocumentsDesk",
        "wgtool.core.desks.exchange.ExchangeDesk",
        "wgtool.core.desks.reports.ReportsDesk",
        "wgtool.core.desks.audit.AuditDesk",
        "wgtool.core.record.gitstore.GitStore",
        "wgtool.core.record.reading.ObjectReader",
        "wgtool.core.record.writing.ObjectWriter",
        "wgtool.core.record.refs.Refs",
        "wgtool.core.record.files.OwnFiles",
    } <= names
    assert {f"{c.__module__}.{c.__qualname__}": borrowed(c) for c in found if borrowed(c)} == {}


def reached_into(source: str) -> list[str]:
    """Underscored attributes ``source`` reads of anything but ``self`` or ``cls`` (another
    part's, or another module's), and underscored names it imports from another module."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Attribute):
            name = node.attr
            own = isinstance(node.value, ast.Name) and node.value.id in ("self", "cls")
        elif isinstance(node, ast.ImportFrom):
            found += [a.name for a in node.names if a.name.startswith("_")]
            continue
        else:
            continue
        if name.startswith("_") and not name.startswith("__") and name not in RESERVED and not own:
            found.append(f"{ast.unparse(node.value)}.{name}")
    return found


def test_the_underscore_checker_sees_a_part_reaching_into_another() -> None:
    source = """
from wgtool.core.record.rulebook.main import _kept
class Judge:
    def judge(self, other):
        self._mine()
        self.reads._records.get("x")
        other._pending.clear()
        row._mapping.items()
"""
    assert reached_into(source) == ["_kept", "self.reads._records", "other._pending"]


def test_no_part_of_the_rulebook_the_index_the_store_or_the_desks_reaches_into_another() -> None:
    files = [
        path for package in PACKAGES for path in sorted(Path(package.__path__[0]).glob("*.py"))
    ]
    assert len(files) > 30
    offending = {
        path.name: found
        for path in files
        if (found := reached_into(path.read_text(encoding="utf-8")))
    }
    assert offending == {}
