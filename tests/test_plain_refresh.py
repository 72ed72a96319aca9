"""A command that finds the index file behind the refs brings it up to date through ``sqlite3``
(:mod:`wgtool.core.indexing`): it imports neither SQLAlchemy nor SQLModel, leaves the file as a
fresh ``reindex`` would, and leaves to the index proper any file it cannot take."""

from __future__ import annotations

import json
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

from sqlmodel import SQLModel, create_engine

import wgtool.core.index.rows  # noqa: F401  (the tables, defined on SQLModel's metadata)
from tests.conftest import MEMBER_CS, MEMBER_GOV, Clones, Wg, propose_sample
from tests.test_import_hygiene import RUN_COMMAND, loaded_after
from wgtool.core.desks import WorkingGroup
from wgtool.core.inbox import Seen
from wgtool.core.index.rows import create_schema
from wgtool.core.indexing.rows import DEFAULTS
from wgtool.core.indexing.schema import create_tables
from wgtool.core.model import Kind

INDEX = Path(".git/wgtool/index.sqlite")
CHAIR = "lhaddad"
HEAVY = ("sqlalchemy", "sqlmodel")


def command(repo: Path, *argv: str, expect: str = "") -> list[str]:
    """Run ``wgtool argv`` in a fresh interpreter; the heavy libraries it loaded."""
    code = RUN_COMMAND.format(argv=["--repo", str(repo), *argv], expect=expect)
    return loaded_after(code, HEAVY)


def contents(path: Path) -> str:
    """Every table's rows in order, an amendment's consensus by what it says (the numbers of
    the consensus rows depend on the order amendments were read in)."""
    db = sqlite3.connect(path)
    try:
        tables = [n for (n,) in db.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        said = {
            k: [v, g] for k, v, g in db.execute("SELECT key, verdict, groups FROM consensusrow")
        }
        found: dict[str, list[object]] = {}
        for table in sorted(set(tables) - {"consensusrow"}):
            cursor = db.execute(f'SELECT * FROM "{table}"')
            names = [column[0] for column in cursor.description]
            rows = [dict(zip(names, row, strict=True)) for row in cursor]
            for row in rows:
                if "consensus_key" in row:
                    row["consensus_key"] = said.get(row["consensus_key"])
                row.update({k: v.hex() for k, v in row.items() if isinstance(v, bytes)})
            found[table] = sorted(json.dumps(row, sort_keys=True) for row in rows)
        return json.dumps(found, indent=1)
    finally:
        db.close()


def test_the_defaults_are_those_of_the_fields() -> None:
    """A column a row leaves out takes the default its SQLModel field declares."""
    declared = {
        name: {
            column.name: column.default.arg
            for column in table.columns
            if column.default is not None
            and column.default.is_scalar
            and column.default.arg is not None
        }
        for name, table in SQLModel.metadata.tables.items()
    }
    assert {name: d for name, d in declared.items() if d} == DEFAULTS


def schema_of(path: Path) -> set[tuple[str, str, str, str]]:
    """What SQLite keeps of a file's tables and indexes: each statement, its spacing aside."""
    db = sqlite3.connect(path)
    try:
        rows = db.execute("SELECT type, name, tbl_name, sql FROM sqlite_master").fetchall()
        stamp = db.execute("SELECT key, value FROM meta").fetchall()
    finally:
        db.close()
    assert stamp == [("schema", str(wgtool.core.index.rows.SCHEMA_VERSION))]
    spaced = re.compile(r"\s+")
    tight = re.compile(r"(?<=\() | (?=[),])")
    return {
        (kind, name, table, tight.sub("", spaced.sub(" ", sql or "")).strip())
        for kind, name, table, sql in rows
    }


def test_the_tables_are_those_of_the_models(tmp_path: Path) -> None:
    """The tables a command creates through ``sqlite3`` are those SQLModel's models declare,
    created by SQLAlchemy: the same columns, types, keys and indexes."""
    engine = create_engine(f"sqlite:///{tmp_path / 'models.sqlite'}")
    create_schema(engine)
    engine.dispose()
    db = sqlite3.connect(tmp_path / "plain.sqlite")
    create_tables(db)
    db.close()
    made = schema_of(tmp_path / "plain.sqlite")
    assert made == schema_of(tmp_path / "models.sqlite")
    assert {kind for kind, *_ in made} == {"table", "index"}


def test_commands_after_writes_refresh_the_file_without_sqlalchemy(
    example_repo: Path, wgcli: Wg
) -> None:
    first = propose_sample(example_repo)
    with WorkingGroup.open(example_repo, MEMBER_CS) as wg:
        second = wg.amendments.propose(
            "principles", kind=Kind.DELETE, paragraph=3, rationale="Not needed."
        ).id
    wgcli.ok("amendments", "--json")  # the index proper made the file
    wgcli.ok("position", first, "support", actor=MEMBER_GOV)
    # Each command below finds the file behind what the one before wrote.
    merge = ["--as", CHAIR, "merge", first, "--override-consensus", "--reason", "Agreed orally."]
    assert command(example_repo, *merge, expect="Merged") == []
    assert command(example_repo, "show", first, expect="merged") == []
    assert command(example_repo, "--as", MEMBER_GOV, "position", second, "object") == []
    merge = ["--as", CHAIR, "merge", second, "--override-consensus", "--reason", "Cleaner."]
    assert command(example_repo, *merge, expect="Merged") == []
    assert command(example_repo, "show", second, "--json", expect='"merged"') == []
    refreshed = contents(example_repo / INDEX)
    wgcli.ok("reindex")
    assert contents(example_repo / INDEX) == refreshed
    shown = json.loads(wgcli.ok("show", first, "--json"))
    assert shown["status"] == "merged" and shown["merged_by"] == CHAIR


def test_a_file_it_cannot_read_is_left_to_the_index_which_heals_it(
    example_repo: Path, wgcli: Wg
) -> None:
    """A ref tip kept as text (not as its bytes) behind the refs: the plain refresh gives up
    without writing, and the index proper rebuilds the file and says so."""
    first = propose_sample(example_repo)
    wgcli.ok("amendments", "--json")
    wgcli.ok("position", first, "support", actor=MEMBER_GOV)  # the file is behind now
    db = sqlite3.connect(example_repo / INDEX)
    with db:
        db.execute("UPDATE reftip SET sha = hex(sha)")
    db.close()
    result = wgcli("show", first, "--json")
    assert result.exit_code == 0, result.output
    assert "rebuilding it from the refs" in result.stderr
    events = json.loads(result.stdout)["events"]
    assert [(e["type"], e["member"]) for e in events] == [("position", MEMBER_GOV)]
    refreshed = contents(example_repo / INDEX)
    wgcli.ok("reindex")
    assert contents(example_repo / INDEX) == refreshed


def test_another_schema_is_left_to_the_index(example_repo: Path, wgcli: Wg) -> None:
    """A file stamped with another schema version is never written by the plain refresh:
    the index proper replaces it."""
    first = propose_sample(example_repo)
    wgcli.ok("amendments", "--json")
    db = sqlite3.connect(example_repo / INDEX)
    with db:
        db.execute("UPDATE meta SET value = '0' WHERE key = 'schema'")
    db.close()
    assert command(example_repo, "show", first, expect=first) == ["sqlalchemy", "sqlmodel"]
    db = sqlite3.connect(example_repo / INDEX)
    try:
        stamp = db.execute("SELECT value FROM meta WHERE key = 'schema'").fetchone()[0]
    finally:
        db.close()
    assert stamp != "0"


def test_a_sync_reports_what_arrived_without_sqlalchemy(clones: Clones) -> None:
    """Receiving a position, a comment and a new amendment: the sync's news and its index
    are those of the index proper, and it imports neither library."""
    with WorkingGroup.open(clones.a, MEMBER_GOV) as wg:
        wg.deliberation.position(clones.amendment, "support", reason="Fine.")
        wg.deliberation.comment(clones.amendment, "One more word?")
    fresh = propose_sample(clones.a, MEMBER_CS)
    sent = command(clones.a, "sync", expect="Sent:")
    assert sent == []
    assert command(clones.b, "sync", expect=fresh) == []  # its news names the new one
    refreshed = contents(clones.b / INDEX)
    with WorkingGroup.open(clones.b) as wg:
        wg.record.index.rebuild()
        news = wg.inbox.news(Seen(), wg.inbox.seen_now())
    assert contents(clones.b / INDEX) == refreshed
    assert {item.amendment.id for item in news.amendments} == {clones.amendment, fresh}


def test_a_clone_creates_its_index_without_sqlalchemy(clones: Clones, tmp_path: Path) -> None:
    """A new clone has no index file: it is created through ``sqlite3`` (neither library is
    imported) and holds what ``reindex`` makes."""
    with WorkingGroup.open(clones.a, MEMBER_GOV) as wg:
        wg.deliberation.position(clones.amendment, "object", reason="Too broad.")
    assert command(clones.a, "sync", expect="Sent:") == []
    copy = tmp_path / "copy"
    code = RUN_COMMAND.format(argv=["clone", str(clones.origin), str(copy)], expect="Cloned")
    assert loaded_after(code, HEAVY) == []
    created = contents(copy / INDEX)
    with WorkingGroup.open(copy) as wg:
        wg.record.index.rebuild()
    assert contents(copy / INDEX) == created
    events = [json.loads(row) for row in json.loads(created)["eventrow"]]
    assert [(e["member"], e["stance"]) for e in events] == [(MEMBER_GOV, "object")]


def test_a_file_without_tables_is_filled_by_the_index(example_repo: Path, wgcli: Wg) -> None:
    """A creation cut short leaves a file with no tables: the index proper makes them."""
    first = propose_sample(example_repo)
    for leftover in (example_repo / INDEX).parent.glob(f"{INDEX.name}*"):
        leftover.unlink()
    (example_repo / INDEX).parent.mkdir(exist_ok=True)
    db = sqlite3.connect(example_repo / INDEX)
    db.execute("PRAGMA journal_mode=WAL")
    db.close()
    assert command(example_repo, "show", first, expect=first) == ["sqlalchemy", "sqlmodel"]
    refreshed = contents(example_repo / INDEX)
    wgcli.ok("reindex")
    assert contents(example_repo / INDEX) == refreshed


def test_commands_at_once_create_one_index(example_repo: Path) -> None:
    """Four commands start together on a repository without an index: one creates the file,
    under the refresher's lock, and every one lists the same amendments."""
    first = propose_sample(example_repo)
    argv = [sys.executable, "-m", "wgtool", "--repo", str(example_repo), "amendments", "--json"]
    running = [
        subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(4)
    ]
    outputs = [process.communicate(timeout=120) for process in running]
    assert [process.returncode for process in running] == [0] * 4, outputs
    assert all(not err for _, err in outputs), outputs
    listed = {json.dumps(json.loads(out), sort_keys=True) for out, _ in outputs}
    assert len(listed) == 1 and first in listed.pop()
