"""Shared fixtures: real git repositories in temporary folders, no personal config leaking in."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from wgtool.cli import cli
from wgtool.core.desks import WorkingGroup

CHAIR = "lhaddad"
SECRETARIAT = "epetrova"
MEMBER_GOV = "rsubramanian"
MEMBER_CS = "ndlamini"
MEMBER_PS = "kwatanabe"
MEMBER_TECH = "mchen"


@contextmanager
def written_before_controls_were_refused() -> Iterator[None]:
    """Write member text as wgtool did before control characters were refused in it.

    The record may hold such text (from then, or written with plain git); reading it must stay
    safe, which is what the tests using this check.
    """
    from wgtool.core import validate

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(validate, "FORBIDDEN_RE", re.compile(r"(?!)"))
        yield


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


def propose_sample(repo: Path, proposer: str = MEMBER_PS) -> str:
    """An open amendment to paragraph 1 of ``principles``; returns its id."""
    from wgtool.core.model import Kind

    with WorkingGroup.open(repo, proposer) as wg:
        return wg.amendments.propose(
            "principles",
            kind=Kind.REPLACE,
            paragraph=1,
            text="Enhanced cooperation involves all stakeholders.",
            rationale="Say who takes part.",
        ).id


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
    amendment = wg.amendments.amendment(amendment_id)
    return next(m.handle for m in wg.secretariat.members() if m.group != amendment.group)


def agreed(wg: WorkingGroup, amendment_id: str, keys: dict[str, Path] | None = None) -> str:
    """Make the consensus rule hold for an amendment (another group supports it); its id.

    For tests about something else than consensus: merging needs it. Where the working group
    requires signatures, ``keys`` (handle -> private key) signs the supporter's position.
    """
    handle = supporter_for(wg, amendment_id)
    signing_key = os.environ.get("WGTOOL_SIGNING_KEY")
    if keys is not None:
        os.environ["WGTOOL_SIGNING_KEY"] = str(keys[handle])
    try:
        with WorkingGroup.open(wg.record.store.git_dir, handle) as supporter:
            supporter.deliberation.position(amendment_id, "support")
    finally:
        if signing_key is None:
            os.environ.pop("WGTOOL_SIGNING_KEY", None)
        else:
            os.environ["WGTOOL_SIGNING_KEY"] = signing_key
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
    return subprocess.run(
        ["git", "-C", str(repo), "for-each-ref"], capture_output=True, text=True, check=True
    ).stdout


@pytest.fixture
def snapshot_refs() -> object:
    return refs_snapshot


# -- sync: a bare remote and two clones ------------------------------------------------------------


def git(repo: Path, *args: str, check: bool = True) -> str:
    """Run git in ``repo`` and return its stdout (arguments as a list, never a shell)."""
    result = subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True)
    if check and result.returncode != 0:
        raise AssertionError(f"git {' '.join(args)} failed: {result.stderr.strip()}")
    return result.stdout


def do_sync(repo: Path):  # type: ignore[no-untyped-def]
    """Sync the clone at ``repo`` with origin; the report."""
    from wgtool.core.exchange.sync import sync

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
    from wgtool.core.exchange.sync import sync

    seed, origin = tmp_path / "seed", tmp_path / "origin.git"
    WorkingGroup.init(seed, title="Example working group", example=True).close()
    git(tmp_path, "init", "--quiet", "--bare", "--initial-branch=main", str(origin))
    git(seed, "remote", "add", "origin", str(origin))
    amendment = propose_sample(seed)
    with WorkingGroup.open(seed, MEMBER_PS) as wg:
        assert not sync(wg).problems
    paths = []
    for name in ("a", "b"):
        git(tmp_path, "clone", "--quiet", str(origin), str(tmp_path / name))
        with WorkingGroup.open(tmp_path / name) as wg:
            assert not sync(wg).problems
        paths.append(tmp_path / name)
    return Clones(origin, paths[0], paths[1], amendment)


# -- the real CLI in concurrent processes ---------------------------------------------------------

PROJECT = Path(__file__).resolve().parents[1]


def wgtool_run(
    repo: Path, *args: str, actor: str | None = None
) -> subprocess.CompletedProcess[str]:
    """The installed wgtool as its own process, as a member types it (``--as actor``)."""
    who = ["--as", actor] if actor else []
    return subprocess.run(
        [sys.executable, "-m", "wgtool", "--repo", str(repo), *who, *args],
        capture_output=True,
        text=True,
        cwd=PROJECT,
        env={**os.environ, "NO_COLOR": "1"},
        timeout=300,
        check=False,
    )


def wgtool_ok(repo: Path, *args: str, actor: str | None = None) -> str:
    """What :func:`wgtool_run` printed, once it is known to have succeeded."""
    done = wgtool_run(repo, *args, actor=actor)
    assert done.returncode == 0, (args, done.returncode, done.stdout, done.stderr)
    return done.stdout


# argv[1]: a JSON list of wgtool argument lists. The process imports everything, prints "ready",
# then blocks reading one line from stdin: a gate that releases every process at once without
# polling. It then runs each command through the real click entry point and prints one JSON list
# of {"code", "out", "err"}, one per command.
CLI_AT_GATE = r"""
import contextlib, io, json, sys
from wgtool.cli import cli
import wgtool.core.desks, wgtool.core.exchange.sync, wgtool.core.documents.export  # before the gate

commands = json.loads(sys.argv[1])
print("ready", flush=True)
sys.stdin.readline()
results = []
for args in commands:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            cli.main(args=args, prog_name="wgtool")
            code = 0
        except SystemExit as stop:
            code = stop.code if isinstance(stop.code, int) else (0 if stop.code is None else 1)
    results.append({"code": code, "out": out.getvalue(), "err": err.getvalue()})
sys.__stdout__.write(json.dumps(results) + "\n")
"""


@dataclass
class CliRun:
    """One command's outcome in a process started by :func:`start_cli`."""

    code: int
    out: str
    err: str


def start_cli(
    commands: list[list[str]], env: dict[str, str] | None = None
) -> subprocess.Popen[str]:
    """A process running ``commands`` (wgtool argument lists) once :func:`release_cli` lets it."""
    return subprocess.Popen(
        [sys.executable, "-c", CLI_AT_GATE, json.dumps(commands)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=PROJECT,
        env={**os.environ, **(env or {})},
    )


def release_cli(processes: list[subprocess.Popen[str]]) -> None:
    """Wait until every process is ready, then let them all go at the same moment."""
    for process in processes:
        assert process.stdout is not None
        line = process.stdout.readline().strip()
        assert line == "ready", (line, process.stderr.read() if process.stderr else "")
    for process in processes:
        assert process.stdin is not None
        process.stdin.write("go\n")
        process.stdin.flush()


def finish_cli(processes: list[subprocess.Popen[str]]) -> list[list[CliRun]]:
    """The outcome of every command of every process (no process may crash)."""
    outcomes = []
    for process in processes:
        out, err = process.communicate(timeout=300)
        assert process.returncode == 0, err
        outcomes.append([CliRun(**r) for r in json.loads(out.splitlines()[-1])])
    return outcomes


def plant_commit(
    repo: Path,
    ref: str,
    files: dict[str, bytes],
    message: str,
    *,
    author: tuple[str, str] | None = None,
) -> str:
    """A commit made with plain git plumbing (no wgtool) on top of ``ref``, which then moves to
    it: ``files`` set on the tip's tree, ``author`` (name, email) as author and committer.

    The record may hold anything git can store; this is how tests put it there.
    """
    index = repo / ".git" / "planting-index"
    env = {**os.environ, "GIT_INDEX_FILE": str(index)}
    if author is not None:
        for role in ("AUTHOR", "COMMITTER"):
            env[f"GIT_{role}_NAME"], env[f"GIT_{role}_EMAIL"] = author

    def run(*args: str, data: bytes | None = None, check: bool = True) -> str:
        result = subprocess.run(
            ["git", "-C", str(repo), *args], input=data, capture_output=True, env=env, check=check
        )
        return result.stdout.decode().strip()

    tip = run("rev-parse", "--verify", "--quiet", ref, check=False)
    run("read-tree", *([tip] if tip else ["--empty"]))
    for path, content in files.items():
        blob = run("hash-object", "-w", "--stdin", data=content)
        run("update-index", "--add", "--cacheinfo", f"100644,{blob},{path}")
    parents = ["-p", tip] if tip else []
    commit = run("commit-tree", run("write-tree"), *parents, data=message.encode())
    run("update-ref", ref, commit)
    index.unlink()
    return commit


def plant_on_main(repo: Path, files: dict[str, bytes], message: str = "Changed by hand") -> str:
    """A secretariat change on main made with plain git (see :func:`plant_commit`): valid by the
    rulebook, whatever text ``files`` hold (say, text written before wgtool refused it)."""
    with WorkingGroup.open(repo) as wg:
        secretariat = wg.record.roster.get(SECRETARIAT)
        existing = set(wg.drafts.draft_slugs())
    trailers = f"Member: {secretariat.handle}\nStakeholder-Group: {secretariat.group}\n"
    drafts = {
        path[len("drafts/") :].rsplit(".", 1)[0] for path in files if path.startswith("drafts/")
    }
    for slug in drafts:  # a secretariat's change of a draft says so
        action = "edit-draft" if slug in existing else "add-draft"
        trailers += f"Action: {action}\nDraft: {slug}\n"
    return plant_commit(
        repo,
        "refs/heads/main",
        files,
        f"{message}\n\n{trailers}",
        author=(secretariat.name, secretariat.email),
    )


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
    from wgtool.core.exchange.sync import sync

    with WorkingGroup.open(clones.a, SECRETARIAT) as wg:
        for handle, key in keys.items():
            wg.secretariat.set_member_key(handle, Path(f"{key}.pub").read_text())
        wg.secretariat.update_settings(signatures="required")
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
    from wgtool.core.exchange.sync import sync

    chair_key = new_key(directory, "achair")
    sign_as(monkeypatch, keys[SECRETARIAT])
    with WorkingGroup.open(repo, SECRETARIAT) as wg:
        wg.secretariat.add_member(
            "achair",
            name="Another Chair",
            email="another.chair@example.org",
            group="civil-society",
            roles=["member", "chair"],
            ssh_key=Path(f"{chair_key}.pub").read_text(),
        )
        assert sync(wg).problems == []
    return chair_key
