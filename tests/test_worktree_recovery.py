"""A command that dies between moving main and updating the working tree leaves the tree behind;
the next command brings it up to date, and never overwrites a change made by hand."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import (
    CHAIR,
    PROJECT,
    SECRETARIAT,
    agreed,
    git,
    plant_on_main,
    propose_sample,
)
from wgtool.core.desks import WorkingGroup
from wgtool.core.desks.worktree import Worktree
from wgtool.core.record.faults import CRASH_EXIT_CODE, FAULT_ENV
from wgtool.core.record.gitstore import GitStore


def wgtool(repo: Path, *args: str, fault: str | None = None) -> subprocess.CompletedProcess[str]:
    """The real command line in its own process (optionally told to crash at a point)."""
    env = dict(os.environ)
    if fault:
        env[FAULT_ENV] = fault
    return subprocess.run(
        [sys.executable, "-m", "wgtool", "--repo", str(repo), *args],
        capture_output=True,
        text=True,
        cwd=PROJECT,
        env=env,
        timeout=120,
    )


def status(repo: Path) -> str:
    return git(repo, "status", "--porcelain", "--untracked-files=all")


def test_the_next_command_brings_a_tree_left_behind_by_a_crash_up_to_date(
    example_repo: Path,
) -> None:
    amendment = propose_sample(example_repo)
    with WorkingGroup.open(example_repo) as wg:
        agreed(wg, amendment)
    crashed = wgtool(example_repo, "--as", CHAIR, "merge", amendment, fault="after-main-update")
    assert crashed.returncode == CRASH_EXIT_CODE, crashed.stderr
    merged = git(example_repo, "show", "main:drafts/principles.md")
    on_disk = example_repo / "drafts" / "principles.md"
    assert "involves all stakeholders" in merged
    assert on_disk.read_text() != merged and status(example_repo)  # left behind

    result = wgtool(example_repo, "draft", "list")
    assert result.returncode == 0, result.stderr
    assert result.stderr == (
        "wgtool: the working tree was behind main (an earlier command was interrupted): "
        "brought it up to date\n"
    )
    assert on_disk.read_text() == merged and status(example_repo) == ""
    assert wgtool(example_repo, "draft", "list").stderr == ""


def test_a_tree_left_behind_when_main_moved_underneath_is_caught_up(example_repo: Path) -> None:
    """The state a crash leaves, made with plain git: main moved, the tree did not."""
    wgtool(example_repo, "draft", "list")  # wgtool has seen the tree at main
    plant_on_main(example_repo, {"drafts/annex.md": b"# Annex\n\nNew.\n"}, "Add an annex")
    assert not (example_repo / "drafts" / "annex.md").exists()

    result = wgtool(example_repo, "draft", "list")
    assert result.returncode == 0 and "brought it up to date" in result.stderr
    assert (example_repo / "drafts" / "annex.md").read_text() == "# Annex\n\nNew.\n"
    assert status(example_repo) == ""


def edit_tracked(repo: Path) -> None:
    path = repo / "drafts" / "principles.md"
    path.write_text(path.read_text() + "\nA local note.\n")


def stage_tracked(repo: Path) -> None:
    edit_tracked(repo)
    git(repo, "add", "drafts/principles.md")


def untracked_in_the_way(repo: Path) -> None:
    (repo / "drafts" / "annex.md").write_text("My own annex.\n")


@pytest.mark.parametrize("local_change", [edit_tracked, stage_tracked, untracked_in_the_way])
def test_catching_up_never_overwrites_local_changes(
    local_change, example_repo: Path, tmp_path: Path
) -> None:
    annex = tmp_path / "annex.md"
    annex.write_text("The annex.\n")
    crashed = wgtool(
        example_repo,
        "--as",
        SECRETARIAT,
        "draft",
        "add",
        "annex",
        "--title",
        "Annex",
        "--file",
        str(annex),
        fault="after-main-update",
    )
    assert crashed.returncode == CRASH_EXIT_CODE, crashed.stderr
    local_change(example_repo)
    files = {p: p.read_bytes() for p in (example_repo / "drafts").iterdir()}
    before = status(example_repo)

    result = wgtool(example_repo, "draft", "list")
    assert result.returncode == 0 and result.stderr == ""
    assert {p: p.read_bytes() for p in (example_repo / "drafts").iterdir()} == files
    assert status(example_repo) == before


def test_a_tree_behind_main_while_another_command_moves_it_is_left_to_that_command(
    example_repo: Path,
) -> None:
    """A command that finds the tree behind main while another process is between moving
    main and moving the tree (it holds the worktree lock) is looking at a write under way:
    it neither touches the tree nor says that something was interrupted."""
    amendment = propose_sample(example_repo)
    with WorkingGroup.open(example_repo) as wg:
        agreed(wg, amendment)
    crashed = wgtool(example_repo, "--as", CHAIR, "merge", amendment, fault="after-main-update")
    assert crashed.returncode == CRASH_EXIT_CODE, crashed.stderr
    behind = status(example_repo)
    assert behind
    store = GitStore.open(example_repo)
    try:
        with Worktree(store, print).moving():  # as the merge holds it while it moves them
            result = wgtool(example_repo, "draft", "list")
            assert result.returncode == 0 and result.stderr == "", result.stderr
            assert status(example_repo) == behind
    finally:
        store.close()
    result = wgtool(example_repo, "draft", "list")
    assert "brought it up to date" in result.stderr and status(example_repo) == ""
