"""Shared fixtures: real git repositories in temporary folders, no personal config leaking in."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from wgtool.cli import cli
from wgtool.core.workgroup import WorkingGroup

CHAIR = "lhaddad"
SECRETARIAT = "epetrova"
MEMBER_GOV = "rsubramanian"
MEMBER_CS = "ndlamini"
MEMBER_PS = "kwatanabe"
MEMBER_TECH = "mchen"


@pytest.fixture(autouse=True)
def isolated_git(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """A git identity and config of our own; nothing from the developer's home."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setenv("GIT_AUTHOR_NAME", "Test Runner")
    monkeypatch.setenv("GIT_AUTHOR_EMAIL", "runner@example.invalid")
    monkeypatch.setenv("GIT_COMMITTER_NAME", "Test Runner")
    monkeypatch.setenv("GIT_COMMITTER_EMAIL", "runner@example.invalid")
    (home / ".gitconfig").write_text(
        "[user]\n\tname = Test Runner\n\temail = runner@example.invalid\n"
        "[init]\n\tdefaultBranch = main\n"
    )
    for name in ("WGTOOL_REPO", "WGTOOL_MEMBER", "NO_COLOR"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def example_repo(tmp_path: Path) -> Path:
    """A fresh example working group (starter drafts, sample roster)."""
    path = tmp_path / "wg"
    WorkingGroup.init(path, title="Example working group", example=True).close()
    return path


@pytest.fixture
def open_wg(example_repo: Path) -> Iterator[object]:
    """Open the example working group as a given member: ``open_wg(handle)``."""
    opened: list[WorkingGroup] = []

    def opener(handle: str | None = None, path: Path | None = None) -> WorkingGroup:
        wg = WorkingGroup.open(path or example_repo, handle)
        opened.append(wg)
        return wg

    yield opener
    for wg in opened:
        wg.close()


class Wg:
    """Runs the real CLI (click's runner) against one repository."""

    def __init__(self, repo: Path) -> None:
        self.repo = repo
        self.runner = CliRunner()

    def __call__(self, *args: str, actor: str | None = None, input: str | None = None) -> Result:
        argv = ["--repo", str(self.repo)]
        if actor:
            argv += ["--as", actor]
        return self.runner.invoke(cli, [*argv, *args], input=input, catch_exceptions=False)

    def ok(self, *args: str, actor: str | None = None) -> str:
        result = self(*args, actor=actor)
        assert result.exit_code == 0, (result.exit_code, result.output, result.stderr)
        return result.stdout


def supporter_for(wg: WorkingGroup, amendment_id: str) -> str:
    """A member who is neither the proposer nor in the proposer's group."""
    amendment = wg.amendment(amendment_id)
    return next(m.handle for m in wg.members() if m.group != amendment.group)


def agreed(wg: WorkingGroup, amendment_id: str) -> str:
    """Make the consensus rule hold for an amendment (another group supports it); its id.

    For tests about something else than consensus: merging needs it.
    """
    handle = supporter_for(wg, amendment_id)
    with WorkingGroup.open(wg.store.git_dir, handle) as supporter:
        supporter.position(amendment_id, "support")
    return amendment_id


def agree_cli(wgcli: Wg, amendment_id: str) -> str:
    """:func:`agreed` through the command line."""
    with WorkingGroup.open(wgcli.repo) as wg:
        handle = supporter_for(wg, amendment_id)
    wgcli.ok("position", amendment_id, "support", actor=handle)
    return amendment_id


@pytest.fixture
def wgcli(example_repo: Path) -> Wg:
    return Wg(example_repo)


def refs_snapshot(repo: Path) -> str:
    """Every ref and its target: to prove that nothing moved."""
    import subprocess

    return subprocess.run(
        ["git", "-C", str(repo), "for-each-ref"], capture_output=True, text=True, check=True
    ).stdout


@pytest.fixture
def snapshot_refs() -> object:
    return refs_snapshot


# -- sync: a bare remote and two clones ------------------------------------------------------------


def git(repo: Path, *args: str, check: bool = True) -> str:
    """Run git in ``repo`` and return its stdout (arguments as a list, never a shell)."""
    import subprocess

    result = subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True)
    if check and result.returncode != 0:
        raise AssertionError(f"git {' '.join(args)} failed: {result.stderr.strip()}")
    return result.stdout


class Clones:
    """A bare remote (``origin``) and two clones of it, ``a`` and ``b``, as two members' machines.

    ``amendment`` is an open amendment to ``principles`` by kwatanabe that all three already hold,
    and both clones have synced once (so wgtool has configured their remote).
    """

    def __init__(self, origin: Path, a: Path, b: Path, amendment: str) -> None:
        self.origin, self.a, self.b, self.amendment = origin, a, b, amendment


@pytest.fixture
def clones(tmp_path: Path) -> Clones:
    from wgtool.core.model import Kind
    from wgtool.core.sync import sync

    seed, origin = tmp_path / "seed", tmp_path / "origin.git"
    WorkingGroup.init(seed, title="Example working group", example=True).close()
    git(tmp_path, "init", "--quiet", "--bare", "--initial-branch=main", str(origin))
    git(seed, "remote", "add", "origin", str(origin))
    with WorkingGroup.open(seed, MEMBER_PS) as wg:
        amendment = wg.propose(
            "principles",
            kind=Kind.REPLACE,
            paragraph=1,
            text="Enhanced cooperation involves all stakeholders.",
            rationale="Say who takes part.",
        ).id
        assert not sync(wg).problems
    paths = []
    for name in ("a", "b"):
        git(tmp_path, "clone", "--quiet", str(origin), str(tmp_path / name))
        with WorkingGroup.open(tmp_path / name) as wg:
            assert not sync(wg).problems
        paths.append(tmp_path / name)
    return Clones(origin, paths[0], paths[1], amendment)
