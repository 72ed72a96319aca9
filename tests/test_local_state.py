"""wgtool's own files in ``.git/wgtool`` (never the record) heal when something else is found in
their place: a file where the folder goes, a folder or a link where a lock or the last-look file
goes, index rows of the wrong SQLite type. Each gives one line, the command does what it was
asked, and the next command has nothing to say."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import MEMBER_CS, MEMBER_GOV, MEMBER_TECH, Wg, git, propose_sample

FOLDER = Path(".git/wgtool")


@pytest.fixture
def indexed(example_repo: Path, wgcli: Wg) -> str:
    """An amendment with a position and a comment, read into the index and looked at once;
    what the index answers about it."""
    amendment = propose_sample(example_repo)
    wgcli.ok("position", amendment, "support", actor=MEMBER_GOV)
    wgcli.ok("comment", amendment, "Fine with us.", actor=MEMBER_CS)
    wgcli.ok("inbox", actor=MEMBER_TECH)
    return answers(wgcli)


def answers(wgcli: Wg) -> str:
    found = json.loads(wgcli.ok("amendments", "--json"))
    shown = json.loads(wgcli.ok("show", found[0]["id"], "--json"))
    return json.dumps([found, shown], sort_keys=True)


def one_notice(result: object, *parts: str) -> None:
    stderr = result.stderr  # type: ignore[attr-defined]
    assert result.exit_code == 0, (result.output, stderr)  # type: ignore[attr-defined]
    assert stderr.count("\n") == 1 and stderr.startswith("wgtool: "), stderr
    for part in parts:
        assert part in stderr, stderr


def test_a_file_in_place_of_wgtools_folder(example_repo: Path, wgcli: Wg, indexed: str) -> None:
    folder = example_repo / FOLDER
    for path in folder.iterdir():
        path.unlink()
    folder.rmdir()
    folder.write_text("not a folder\n")
    one_notice(wgcli("inbox", actor=MEMBER_TECH), f"{folder} was a file, not wgtool's folder")
    assert folder.is_dir() and (folder / "index.sqlite").is_file()
    assert answers(wgcli) == indexed
    assert wgcli("inbox", actor=MEMBER_TECH).stderr == ""


def test_a_link_in_place_of_wgtools_folder_is_removed_not_followed(
    example_repo: Path, wgcli: Wg, indexed: str, tmp_path: Path
) -> None:
    folder = example_repo / FOLDER
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "index.sqlite").write_bytes(b"the user's own file\n")
    for path in folder.iterdir():
        path.unlink()
    folder.rmdir()
    folder.symlink_to(elsewhere)
    one_notice(wgcli("amendments"), f"{folder} was a symbolic link")
    assert folder.is_dir() and not folder.is_symlink()
    assert (elsewhere / "index.sqlite").read_bytes() == b"the user's own file\n"
    assert answers(wgcli) == indexed


def folder_in_place(path: Path) -> None:
    path.unlink(missing_ok=True)
    (path / "inside").mkdir(parents=True)


def link_in_place(path: Path) -> None:
    path.unlink(missing_ok=True)
    path.symlink_to(path.parent / "nowhere")


@pytest.mark.parametrize("damage", [folder_in_place, link_in_place])
def test_a_sync_lock_that_is_not_a_file(
    damage: Callable[[Path], None], example_repo: Path, wgcli: Wg, tmp_path: Path
) -> None:
    remote = tmp_path / "remote.git"
    wgcli.ok("init", "--bare", str(remote))
    git(example_repo, "remote", "add", "origin", str(remote))
    lock = example_repo / FOLDER / "sync.lock"
    lock.parent.mkdir(exist_ok=True)
    damage(lock)
    result = wgcli("sync", actor=MEMBER_TECH)
    assert result.exit_code == 0, (result.output, result.stderr)
    assert result.stderr.splitlines()[0].startswith(f"wgtool: {lock} was a "), result.stderr
    assert "not wgtool's file: replaced it" in result.stderr
    assert lock.is_file() and not lock.is_symlink()
    assert (
        git(remote, "rev-parse", "main").strip() == git(example_repo, "rev-parse", "main").strip()
    )
    assert "replaced" not in wgcli("sync", actor=MEMBER_TECH).stderr


@pytest.mark.parametrize("damage", [folder_in_place, link_in_place])
def test_a_last_look_that_is_not_a_file(
    damage: Callable[[Path], None], example_repo: Path, wgcli: Wg, indexed: str
) -> None:
    last_look = example_repo / FOLDER / "last-look.json"
    assert last_look.is_file()
    damage(last_look)
    one_notice(wgcli("inbox", actor=MEMBER_TECH), f"{last_look} was a ", "replaced it")
    assert last_look.is_file() and not last_look.is_symlink()
    assert wgcli("inbox", actor=MEMBER_TECH).stderr == ""


@pytest.mark.parametrize(
    ("table", "column", "value"),
    [
        ("amendmentrow", "title", b"A"),  # a blob where text goes
        ("amendmentrow", "created_at", "yesterday"),  # text where a number goes
        ("amendmentrow", "kind", b"\x00"),
        ("consensusrow", "groups", "not json"),
        ("eventrow", "text", b"\xff"),
        ("eventrow", "at", "noon"),
        ("eventrow", "revision", 1.5),
    ],
    ids=lambda v: v if isinstance(v, str) else type(v).__name__,
)
def test_index_rows_of_the_wrong_type_rebuild_the_index(
    table: str, column: str, value: object, example_repo: Path, wgcli: Wg, indexed: str
) -> None:
    with sqlite3.connect(example_repo / FOLDER / "index.sqlite") as db:
        db.execute(f'UPDATE {table} SET "{column}" = ?', (value,))
    db.close()
    amendment = json.loads(indexed)[0][0]["id"]
    for command in (["amendments", "--json"], ["show", amendment, "--json"]):
        result = wgcli(*command)
        if result.stderr:  # the command that first reads the row heals the index
            one_notice(result, "held a row wgtool cannot read", "rebuilding it from the refs")
            break
    else:
        raise AssertionError("no command read the row")
    assert answers(wgcli) == indexed
    assert wgcli("amendments").stderr == ""
