"""Which transports sync and clone may use, and a time limit on talking to a remote."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import PROJECT, Clones, git, refs_snapshot

# A remote "ssh" that accepts the connection and then never answers.
SILENT_SSH = f"{sys.executable} -c 'import sys; sys.stdin.read()'"


def wgtool(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """The real command line in its own process; the test gives up after a minute."""
    return subprocess.run(
        [sys.executable, "-m", "wgtool", *args],
        capture_output=True,
        text=True,
        cwd=PROJECT,
        env={**os.environ, **(env or {})},
        timeout=60,
    )


def error_line(result: subprocess.CompletedProcess[str]) -> str:
    """The one error line (sync's progress lines come before it)."""
    lines = result.stderr.splitlines()
    errors = [line for line in lines if line.startswith("wgtool: ")]
    assert len(errors) == 1 and lines[-1] == errors[0], result.stderr
    return errors[0]


@pytest.mark.parametrize(
    "url", ["fd::17", "ext::sh -c touch% pwned", "nosuchhelper::elsewhere", "fd::0,1"]
)
def test_sync_refuses_transports_other_than_paths_ssh_https_and_git(
    clones: Clones, url: str
) -> None:
    git(clones.a, "remote", "set-url", "origin", url)
    before = refs_snapshot(clones.a)

    result = wgtool("--repo", str(clones.a), "sync")

    assert result.returncode == 5
    transport = url.split("::")[0]
    assert error_line(result) == (
        f"wgtool: could not fetch from origin: transport '{transport}' not allowed"
    )
    assert refs_snapshot(clones.a) == before
    assert not (clones.a / "pwned").exists() and not (PROJECT / "pwned").exists()


@pytest.mark.parametrize("url", ["fd::17", "ext::sh -c touch% pwned"])
def test_clone_refuses_other_transports_and_leaves_nothing(tmp_path: Path, url: str) -> None:
    target = tmp_path / "joined"
    result = wgtool("clone", url, str(target))
    assert result.returncode == 5
    assert error_line(result).endswith(f"transport '{url.split('::')[0]}' not allowed")
    assert not target.exists()


def test_sync_over_a_file_url_works(clones: Clones) -> None:
    git(clones.a, "remote", "set-url", "origin", clones.origin.as_uri())
    result = wgtool("--repo", str(clones.a), "sync")
    assert result.returncode == 0, result.stderr


def silent_remote(seconds: str) -> dict[str, str]:
    return {
        "GIT_SSH_COMMAND": SILENT_SSH,
        "GIT_SSH_VARIANT": "ssh",
        "WGTOOL_NETWORK_TIMEOUT": seconds,
    }


def test_a_remote_that_never_answers_is_a_one_line_timeout(clones: Clones) -> None:
    git(clones.a, "remote", "set-url", "origin", "ssh://wg.example.invalid/wg.git")
    before = refs_snapshot(clones.a)

    result = wgtool("--repo", str(clones.a), "sync", env=silent_remote("1.5"))

    assert result.returncode == 5
    assert error_line(result) == (
        "wgtool: git fetch timed out after 1.5 s: the remote did not answer "
        "(set WGTOOL_NETWORK_TIMEOUT to wait longer)"
    )
    assert refs_snapshot(clones.a) == before


def test_a_clone_that_times_out_leaves_no_folder(tmp_path: Path) -> None:
    target = tmp_path / "joined"
    result = wgtool(
        "clone", "someone@wg.example.invalid:wg.git", str(target), env=silent_remote("1.5")
    )
    assert result.returncode == 5
    assert error_line(result).startswith("wgtool: git clone timed out after 1.5 s")
    assert not target.exists()


@pytest.mark.parametrize("value", ["soon", "0", "-3", "nan"])
def test_a_bad_timeout_setting_is_refused(clones: Clones, value: str) -> None:
    before = refs_snapshot(clones.a)
    result = wgtool("--repo", str(clones.a), "sync", env={"WGTOOL_NETWORK_TIMEOUT": value})
    assert result.returncode == 2
    assert error_line(result) == (
        "wgtool: WGTOOL_NETWORK_TIMEOUT must be a positive number of seconds"
    )
    assert refs_snapshot(clones.a) == before
