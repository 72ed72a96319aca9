"""The index heals itself: whatever is found in place of ``.git/wgtool/index.sqlite``, commands
work, say so in one line, and give the same answers as a fresh ``reindex``."""

from __future__ import annotations

import json
import os
import shutil
import socket
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import MEMBER_CS, MEMBER_GOV, MEMBER_TECH, Wg, git, propose_sample

INDEX = Path(".git/wgtool/index.sqlite")


@pytest.fixture
def indexed(example_repo: Path, wgcli: Wg) -> str:
    """An amendment with a position and a comment, all read into the index once."""
    amendment = propose_sample(example_repo)
    wgcli.ok("position", amendment, "support", actor=MEMBER_GOV)
    wgcli.ok("comment", amendment, "Fine with us.", actor=MEMBER_CS)
    return listing(wgcli, amendment)


def listing(wgcli: Wg, amendment: str | None = None) -> str:
    """What the index answers: the queue and one amendment in full (the same after healing)."""
    found = json.loads(wgcli.ok("amendments", "--json"))
    shown = json.loads(wgcli.ok("show", found[0]["id"], "--json")) if found else None
    return json.dumps([found, shown], sort_keys=True)


def truncate(path: Path) -> None:
    data = path.read_bytes()
    assert len(data) > 4096 * 4
    path.write_bytes(data[: len(data) // 3])


def garbage(path: Path) -> None:
    path.write_bytes(b"\x1b[31mnot a database\n" * 500)


def directory(path: Path) -> None:
    path.unlink()
    (path / "inside").mkdir(parents=True)


def symlink_to_garbage(path: Path) -> None:
    target = path.parents[3] / "elsewhere.bin"
    target.write_bytes(b"something of the user's\n")
    path.unlink()
    path.symlink_to(target)


def old_schema(path: Path) -> None:
    """An index as an older wgtool might have left it: no schema stamp, a column missing."""
    path.unlink()
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE amendmentrow (id TEXT PRIMARY KEY, draft TEXT, title TEXT)")
        db.execute("CREATE TABLE reftip (ref TEXT PRIMARY KEY, sha TEXT)")
        db.execute("INSERT INTO amendmentrow VALUES ('0badc0de', 'principles', 'Stale')")
    db.close()


def foreign_schema(path: Path) -> None:
    """Someone else's database, with a ``meta`` table of its own making."""
    path.unlink()
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE meta (name TEXT, data BLOB)")
        db.execute("INSERT INTO meta VALUES ('schema', x'00')")
    db.close()


def newer_schema(path: Path) -> None:
    with sqlite3.connect(path) as db:
        db.execute("UPDATE meta SET value = '999' WHERE key = 'schema'")
    db.close()


@pytest.mark.parametrize(
    "damage",
    [truncate, garbage, directory, symlink_to_garbage, old_schema, foreign_schema, newer_schema],
)
def test_a_broken_index_is_rebuilt_with_one_notice(
    damage: Callable[[Path], None], example_repo: Path, wgcli: Wg, indexed: str
) -> None:
    path = example_repo / INDEX
    damage(path)

    result = wgcli("amendments", "--json")
    assert result.exit_code == 0, result.output
    notice = result.stderr.splitlines()
    assert len(notice) == 1 and notice[0].startswith("wgtool: the index "), result.stderr
    assert "rebuilding it from the refs" in notice[0]
    assert listing(wgcli) == indexed
    assert path.is_file() and not path.is_symlink()
    # Healed: the next command has nothing to say.
    assert wgcli("amendments").stderr == ""
    if damage is symlink_to_garbage:
        assert (example_repo.parent / "elsewhere.bin").read_bytes() == b"something of the user's\n"


@pytest.mark.parametrize("damage", [truncate, garbage, directory, old_schema, foreign_schema])
def test_reindex_always_recovers(
    damage: Callable[[Path], None], example_repo: Path, wgcli: Wg, indexed: str
) -> None:
    damage(example_repo / INDEX)
    result = wgcli("reindex")
    assert result.exit_code == 0 and result.stdout == "Indexed 1 amendment\n", result.output
    assert listing(wgcli) == indexed


def test_damage_found_in_the_middle_of_a_command_is_healed(
    example_repo: Path, wgcli: Wg, indexed: str
) -> None:
    """The header and the first pages are intact, so opening succeeds; a later page is not."""
    path = example_repo / INDEX
    with sqlite3.connect(path) as db:
        page_size = db.execute("PRAGMA page_size").fetchone()[0]
        root = db.execute("SELECT rootpage FROM sqlite_master WHERE name = 'eventrow'").fetchone()[
            0
        ]
    db.close()
    with open(path, "r+b") as handle:
        handle.seek((root - 1) * page_size)
        handle.write(b"\xff" * page_size)

    result = wgcli("show", json.loads(indexed)[0][0]["id"], "--json")
    assert result.exit_code == 0, result.output
    assert result.stderr.count("\n") == 1 and "rebuilding it from the refs" in result.stderr
    assert listing(wgcli) == indexed


def make_index_unwritable(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No index can be written: its lock is a socket, which no process can open as a file (and
    which, unlike a folder or a link in its place, is not wgtool's to remove). Root writes
    through permissions, so this stands in for a read-only disk."""
    folder = repo / ".git" / "wgtool"
    shutil.rmtree(folder)
    folder.mkdir()
    with monkeypatch.context() as patch:
        patch.chdir(folder)  # a socket's address is short: bind it by its relative name
        socket.socket(socket.AF_UNIX).bind("index.lock")


def test_an_unwritable_index_never_hides_a_successful_propose(
    example_repo: Path, wgcli: Wg, indexed: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_index_unwritable(example_repo, monkeypatch)

    result = wgcli(
        "propose",
        "principles",
        "--paragraph",
        "2",
        "--text",
        "A new second paragraph.",
        "--rationale",
        "Clearer.",
        actor=MEMBER_TECH,
    )
    assert result.exit_code == 0, result.output
    new_id = result.stdout.strip()
    assert git(example_repo, "rev-parse", f"refs/wg/amendments/{new_id}")
    assert result.stderr == ""  # proposing reads nothing of the index: nothing to warn about
    # Every command that reads the index still works, from memory, with a one-line warning.
    shown = wgcli("show", new_id, "--json")
    assert shown.exit_code == 0 and json.loads(shown.stdout)["proposer"] == MEMBER_TECH
    warning = shown.stderr.splitlines()
    assert len(warning) == 1 and warning[0].startswith("wgtool: cannot use the index "), warning
    assert "reading the refs in memory instead" in warning[0]
    reindexed = wgcli("reindex")
    assert reindexed.exit_code == 0 and reindexed.stdout == "Indexed 2 amendments\n"


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes through read-only permissions")
def test_a_read_only_index_folder_never_hides_a_successful_propose(
    example_repo: Path, wgcli: Wg, indexed: str
) -> None:
    folder = example_repo / ".git" / "wgtool"
    (folder / "index.sqlite").chmod(0o444)
    folder.chmod(0o555)
    try:
        result = wgcli(
            "propose",
            "principles",
            "--delete",
            "2",
            "--rationale",
            "Not needed.",
            actor=MEMBER_TECH,
        )
    finally:
        folder.chmod(0o755)
    assert result.exit_code == 0, result.output
    assert git(example_repo, "rev-parse", f"refs/wg/amendments/{result.stdout.strip()}")
    # Whether SQLite can still use the file depends on its journal: at most a one-line warning.
    assert result.stderr.count("\n") <= 1 and all(
        line.startswith("wgtool: cannot use the index ") for line in result.stderr.splitlines()
    )
