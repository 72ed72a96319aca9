"""``wgtool clone`` starts git first and imports the rest of wgtool while git clones
(:mod:`wgtool.core.exchange.clone_start`); what fails leaves nothing beside the new clone."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.conftest import Clones
from tests.test_import_hygiene import ROOT

# Runs ``wgtool clone`` with every process it starts watched: which of wgtool's heavier
# modules were loaded when git was asked to clone.
WATCHED = """
import contextlib, io, json, subprocess, sys
import wgtool.launch

heavy = ("click", "git", "wgtool.cli", "wgtool.core.desks", "wgtool.core.record.rulebook",
         "wgtool.core.exchange.sync")
when_cloning = []
real = subprocess.Popen

class Watched(real):
    def __init__(self, args, *rest, **options):
        if list(args[:2]) == ["git", "clone"]:
            when_cloning.append(sorted(m for m in heavy if m in sys.modules))
        super().__init__(args, *rest, **options)

subprocess.Popen = Watched
with contextlib.redirect_stdout(io.StringIO()) as out:
    try:
        {entry}
    except SystemExit as exit:
        assert exit.code in (0, None), exit.code
assert "Cloned" in out.getvalue(), out.getvalue()
print(json.dumps(when_cloning))
"""


def watched_clone(entry: str, argv: list[str]) -> list[list[str]]:
    """Which heavy modules were loaded at each ``git clone`` of ``argv`` run by ``entry``."""
    code = WATCHED.format(entry=entry.format(argv=argv))
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=120
    )
    assert result.returncode == 0, result.stderr
    found: list[list[str]] = json.loads(result.stdout.splitlines()[-1])
    return found


def test_git_clones_at_the_entry_point(clones: Clones, tmp_path: Path) -> None:
    """``wgtool clone URL PATH`` starts git before even the command line is imported."""
    argv = ["clone", str(clones.origin), str(tmp_path / "copy")]
    entry = "sys.argv = ['wgtool', *{argv!r}]; wgtool.launch.main()"
    assert watched_clone(entry, argv) == [[]]
    assert (tmp_path / "copy" / ".git" / "wgtool" / "index.sqlite").is_file()


def test_git_clones_while_the_rest_is_imported(clones: Clones, tmp_path: Path) -> None:
    """Through the command line alone (click loaded, nothing else of wgtool's heavier parts)."""
    argv = ["clone", str(clones.origin), str(tmp_path / "copy")]
    entry = "import wgtool.cli; wgtool.cli.cli.main({argv!r}, prog_name='wgtool')"
    assert watched_clone(entry, argv) == [["click", "wgtool.cli"]]
    assert (tmp_path / "copy" / ".git" / "wgtool" / "index.sqlite").is_file()


def test_a_clone_started_for_other_arguments_is_not_taken(clones: Clones, tmp_path: Path) -> None:
    from wgtool.core.exchange.clone_start import CloneStart

    work = tmp_path / "work"
    work.mkdir()
    CloneStart.begin(str(clones.origin), str(work / "first"))
    started = CloneStart.started
    assert started is not None and started.staging.parent == work
    taken = CloneStart.take(str(clones.origin), work / "second")
    try:
        assert taken is not started and CloneStart.started is None
        assert not started.staging.exists()  # the other one discarded, its folder with it
        taken.wait()
        assert (taken.staging / ".git").is_dir()
    finally:
        taken.discard()
    assert sorted(path.name for path in work.iterdir()) == []
    CloneStart.begin("--upload-pack=evil", str(work / "third"))
    CloneStart.begin(str(clones.origin), "--help")
    assert CloneStart.started is None


def test_a_clone_that_fails_leaves_nothing(tmp_path: Path) -> None:
    """No remote there: one line, a non-zero exit, and neither the clone nor the folder git
    was cloning into."""
    result = subprocess.run(
        [sys.executable, "-m", "wgtool", "clone", str(tmp_path / "none.git"), "copy"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=120,
    )
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("wgtool: cannot clone"), lines
    assert sorted(path.name for path in tmp_path.iterdir()) == []


def test_a_folder_that_is_not_empty_is_refused_before_git_runs(
    clones: Clones, tmp_path: Path
) -> None:
    work = tmp_path / "work"
    (work / "copy").mkdir(parents=True)
    (work / "copy" / "notes.txt").write_text("mine\n")
    result = subprocess.run(
        [sys.executable, "-m", "wgtool", "clone", str(clones.origin), "copy"],
        capture_output=True,
        text=True,
        cwd=work,
        timeout=120,
    )
    assert result.returncode != 0
    assert result.stderr.strip() == "wgtool: copy exists and is not empty: choose a new folder"
    assert sorted(path.name for path in work.iterdir()) == ["copy"]
    assert [path.name for path in (work / "copy").iterdir()] == ["notes.txt"]
