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


def do_sync(repo: Path):  # type: ignore[no-untyped-def]
    """Sync the clone at ``repo`` with origin; the report."""
    from wgtool.core.sync import sync

    with WorkingGroup.open(repo) as wg:
        return sync(wg)


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


# -- signatures: a key pair for every member of the example roster ---------------------------------


@pytest.fixture
def keys(tmp_path: Path) -> dict[str, Path]:
    """An ed25519 key pair (``ssh-keygen``) for every member of the example roster."""
    import subprocess
    import tomllib

    from wgtool.example import example_roster

    result = {}
    for member in tomllib.loads(example_roster())["member"]:
        key = tmp_path / "keys" / member["handle"]
        key.parent.mkdir(exist_ok=True)
        subprocess.run(
            ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", key.name, "-f", str(key)],
            check=True,
        )
        result[member["handle"]] = key
    return result


def new_key(directory: Path, name: str) -> Path:
    import subprocess

    key = directory / name
    key.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", name, "-f", str(key)], check=True
    )
    return key


@pytest.fixture
def signed_clones(clones: Clones, keys: dict[str, Path], monkeypatch: pytest.MonkeyPatch) -> Clones:
    """``clones`` in a working group that requires signatures: every member's key is in the
    roster, and both clones and the remote have the settings. ``sign_as`` picks the key."""
    from wgtool.core.sync import sync

    with WorkingGroup.open(clones.a, SECRETARIAT) as wg:
        for handle, key in keys.items():
            wg.set_member_key(handle, Path(f"{key}.pub").read_text())
        wg.update_settings(signatures="required")
        assert not sync(wg).problems
    with WorkingGroup.open(clones.b) as wg:
        assert not sync(wg).problems
    return clones


def sign_as(monkeypatch: pytest.MonkeyPatch, key: Path) -> None:
    """Sign what wgtool writes next with this private key."""
    monkeypatch.setenv("WGTOOL_SIGNING_KEY", str(key))


def add_chair_with_key(
    repo: Path, keys: dict[str, Path], monkeypatch: pytest.MonkeyPatch, directory: Path
) -> Path:
    """The secretariat adds a new chair, ``achair``, with a new key, and syncs; returns the key."""
    from wgtool.core.sync import sync

    chair_key = new_key(directory, "achair")
    sign_as(monkeypatch, keys[SECRETARIAT])
    with WorkingGroup.open(repo, SECRETARIAT) as wg:
        wg.add_member(
            "achair",
            name="Another Chair",
            email="another.chair@example.org",
            group="civil-society",
            roles=["member", "chair"],
            ssh_key=Path(f"{chair_key}.pub").read_text(),
        )
        assert sync(wg).problems == []
    return chair_key
