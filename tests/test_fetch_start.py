"""``wgtool sync`` starts its ``git fetch`` at the entry point, before the rest of wgtool is
imported (:mod:`wgtool.core.exchange.fetch_start`): only for a plain working group's clone,
with the sync's lock held, and with every outcome read as the sync reads its own fetch's."""

from __future__ import annotations

import fcntl
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import MEMBER_CS, Clones, git, wgtool_ok, wgtool_run
from tests.test_import_hygiene import ROOT
from wgtool.core.exchange.fetch_start import SYNC_LOCK, FetchStart, clone_folder

# Runs the entry point with every process it starts watched: which of wgtool's heavier modules
# were loaded when git was asked to fetch, and how many fetches there were.
WATCHED = """
import contextlib, io, json, subprocess, sys
import wgtool.launch

heavy = ("click", "git", "wgtool.cli", "wgtool.core.desks", "wgtool.core.record.rulebook")
when_fetching = []
real = subprocess.Popen

class Watched(real):
    def __init__(self, args, *rest, **options):
        if "fetch" in args and args[0] == "git":
            when_fetching.append(sorted(m for m in heavy if m in sys.modules))
        super().__init__(args, *rest, **options)

subprocess.Popen = Watched
sys.argv = ["wgtool", *{argv!r}]
with contextlib.redirect_stdout(io.StringIO()) as out:
    try:
        wgtool.launch.main()
    except SystemExit as exit:
        assert exit.code in (0, None), exit.code
print(json.dumps({{"fetches": when_fetching, "out": out.getvalue()}}))
"""


def watched(*argv: str, cwd: Path = ROOT) -> dict[str, object]:
    code = WATCHED.format(argv=list(argv))
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=cwd, timeout=120
    )
    assert result.returncode == 0, result.stderr
    found: dict[str, object] = json.loads(result.stdout.splitlines()[-1])
    return found


def comment_from_b(clones: Clones) -> None:
    wgtool_ok(clones.b, "comment", clones.amendment, "Read from the other clone.", actor=MEMBER_CS)
    wgtool_ok(clones.b, "sync")


def tracking_refs(repo: Path) -> str:
    return git(repo, "for-each-ref", "refs/remotes")


def test_the_fetch_starts_before_the_rest_is_imported(clones: Clones) -> None:
    comment_from_b(clones)
    found = watched("--repo", str(clones.a), "sync")
    assert found["fetches"] == [[]]  # one fetch, the early one, with nothing heavy loaded
    assert "Received: 1 event" in str(found["out"])
    assert git(clones.a, "rev-parse", "refs/wg/events/" + clones.amendment) == git(
        clones.b, "rev-parse", "refs/wg/events/" + clones.amendment
    )


def test_a_named_remote_and_the_current_folder(clones: Clones) -> None:
    comment_from_b(clones)
    git(clones.a, "remote", "add", "shared", str(clones.origin))
    found = watched("sync", "shared", cwd=clones.a / "drafts")
    assert found["fetches"] == [[]]
    assert "Received: 1 event" in str(found["out"])
    assert "refs/remotes/shared/wg/events/" + clones.amendment in tracking_refs(clones.a)


def test_other_command_lines_fetch_as_before(clones: Clones) -> None:
    """A sync with an option (or a command line click reads its own way) fetches in the sync,
    after the command line is loaded."""
    comment_from_b(clones)
    found = watched("--repo", str(clones.a), "sync", "--replay-merges")
    fetches = found["fetches"]
    assert isinstance(fetches, list) and len(fetches) == 1
    assert "wgtool.cli" in fetches[0] and "wgtool.core.desks" in fetches[0]


def test_no_early_fetch_while_another_sync_holds_the_lock(clones: Clones) -> None:
    handle = os.open(clones.a / ".git" / "wgtool" / SYNC_LOCK, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(handle, fcntl.LOCK_EX)
        FetchStart.begin(str(clones.a), "origin")
        assert FetchStart.started is None
    finally:
        os.close(handle)
    FetchStart.begin(str(clones.a), "origin")
    started = FetchStart.take(clones.a / ".git", "origin")
    assert started is not None
    with started:
        assert started.outcome()[0] == 0
        # The lock is held until the sync lets it go.
        probe = os.open(clones.a / ".git" / "wgtool" / SYNC_LOCK, os.O_RDWR)
        try:
            with pytest.raises(BlockingIOError):
                fcntl.flock(probe, fcntl.LOCK_EX | fcntl.LOCK_NB)
        finally:
            os.close(probe)
    probe = os.open(clones.a / ".git" / "wgtool" / SYNC_LOCK, os.O_RDWR)
    try:
        fcntl.flock(probe, fcntl.LOCK_EX | fcntl.LOCK_NB)  # released: no error
    finally:
        os.close(probe)


def test_a_fetch_for_another_repository_or_remote_is_not_taken(clones: Clones) -> None:
    for other_dir, other_remote in ((clones.b / ".git", "origin"), (clones.a / ".git", "other")):
        FetchStart.begin(str(clones.a), "origin")
        assert FetchStart.started is not None
        assert FetchStart.take(other_dir, other_remote) is None
        assert FetchStart.started is None
        probe = os.open(clones.a / ".git" / "wgtool" / SYNC_LOCK, os.O_RDWR)
        try:
            fcntl.flock(probe, fcntl.LOCK_EX | fcntl.LOCK_NB)  # the lock went with it
        finally:
            os.close(probe)


def test_only_a_plain_working_group_clone(clones: Clones, tmp_path: Path) -> None:
    assert clone_folder(clones.a / "drafts") == clones.a.absolute()
    assert clone_folder(clones.a) == clones.a.absolute()
    assert clone_folder(tmp_path / "missing") is None
    assert clone_folder(clones.origin) is None  # bare
    plain = tmp_path / "plain"
    git(tmp_path, "clone", "--quiet", str(clones.origin), str(plain))
    assert clone_folder(plain) is None  # no wgtool folder: never synced by wgtool
    linked = tmp_path / "linked"
    git(clones.a, "worktree", "add", "--quiet", "--detach", str(linked))
    assert clone_folder(linked) is None  # a .git file


def test_a_repository_that_is_no_working_group_is_left_untouched(
    clones: Clones, tmp_path: Path
) -> None:
    """A git repository with a remote but no working group: the sync refuses it, and no ref
    was fetched into it meanwhile."""
    other = tmp_path / "other"
    git(tmp_path, "init", "--quiet", "--initial-branch=main", str(other))
    git(other, "remote", "add", "origin", str(clones.origin))
    (other / ".git" / "wgtool").mkdir()  # even with a folder of that name
    result = wgtool_run(other, "sync")
    assert result.returncode != 0
    assert "is not a wgtool working group" in result.stderr
    assert tracking_refs(other) == ""


def test_a_fetch_that_fails_reads_as_before(clones: Clones) -> None:
    git(clones.a, "remote", "set-url", "origin", str(clones.origin.parent / "gone.git"))
    result = wgtool_run(clones.a, "sync")
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert lines[-1].startswith("wgtool: could not fetch from origin: "), lines
    missing = wgtool_run(clones.a, "sync", "nowhere")
    assert missing.returncode != 0
    assert missing.stderr.strip().splitlines()[-1] == (
        "wgtool: no git remote 'nowhere': add it with 'git remote add nowhere URL'"
    )


def test_a_new_empty_remote_is_fetched_without_main(clones: Clones, tmp_path: Path) -> None:
    fresh = tmp_path / "fresh.git"
    git(tmp_path, "init", "--quiet", "--bare", "--initial-branch=main", str(fresh))
    git(clones.a, "remote", "add", "fresh", str(fresh))
    found = watched("--repo", str(clones.a), "sync", "fresh")
    fetches = found["fetches"]
    assert isinstance(fetches, list) and fetches[0] == []
    assert git(fresh, "rev-parse", "refs/heads/main") == git(clones.a, "rev-parse", "main")
