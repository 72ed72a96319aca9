"""Running git as a process, and reaching remotes only through the transports wgtool allows."""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Mapping

from wgtool.core import validate
from wgtool.core.errors import SyncError

# The transports git may use to reach a remote: local paths and file://, ssh:// and scp-like
# user@host:path, https://, http:// and git://. Anything else (fd::, ext::, remote helpers) is
# refused by git itself, whatever the user's or the repository's configuration says.
ALLOWED_PROTOCOLS = ("file", "ssh", "https", "http", "git")
NETWORK_TIMEOUT_ENV = "WGTOOL_NETWORK_TIMEOUT"
DEFAULT_NETWORK_TIMEOUT = 600.0  # seconds for one fetch, push or clone


def run_git(
    args: list[str],
    *,
    options: list[str] | None = None,
    git_dir: str | os.PathLike[str] | None = None,
    input: bytes | None = None,
    env: Mapping[str, str] | None = None,
    cwd: str | os.PathLike[str] | None = None,
    network: bool = False,
) -> subprocess.CompletedProcess[bytes]:
    """Run git with ``args`` (a list, never a shell string), capturing its output.

    With ``network``, git may reach remotes only through :data:`ALLOWED_PROTOCOLS`, and the
    command is stopped after ``WGTOOL_NETWORK_TIMEOUT`` seconds (a remote that never answers
    must not hang a member's terminal): a SyncError says so. ``options`` go before the command
    (``-c key=value``).
    """
    command, full_env, timeout = git_command(
        args, options=options, git_dir=git_dir, env=env, network=network
    )
    try:
        return subprocess.run(
            command, input=input, capture_output=True, env=full_env, cwd=cwd, timeout=timeout
        )
    except subprocess.TimeoutExpired:
        raise timed_out(args, timeout) from None


def git_command(
    args: list[str],
    *,
    options: list[str] | None = None,
    git_dir: str | os.PathLike[str] | None = None,
    env: Mapping[str, str] | None = None,
    network: bool = False,
) -> tuple[list[str], dict[str, str], float | None]:
    """The command line, environment and time limit :func:`run_git` runs git with."""
    full_env = dict(os.environ)
    full_env.update({"GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C"})
    if env:
        full_env.update(env)
    timeout = None
    if network:
        full_env["GIT_ALLOW_PROTOCOL"] = ":".join(ALLOWED_PROTOCOLS)
        timeout = network_timeout()
    command = ["git", *(options or []), *(["--git-dir", os.fspath(git_dir)] if git_dir else [])]
    return [*command, *args], full_env, timeout


class GitProcess:
    """A git command started in the background (as :func:`run_git` runs one: input closed,
    output discarded, errors kept), whose time limit counts from its start."""

    def __init__(
        self,
        args: list[str],
        *,
        options: list[str] | None = None,
        git_dir: str | os.PathLike[str] | None = None,
        cwd: str | os.PathLike[str] | None = None,
        network: bool = False,
    ) -> None:
        self.args = args
        command, env, self.timeout = git_command(
            args, options=options, git_dir=git_dir, network=network
        )
        self.started = time.monotonic()
        self.process: subprocess.Popen[bytes] | None = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            env=env,
            cwd=cwd,
        )

    def wait(self) -> tuple[int, bytes]:
        """Wait for git: its exit code and what it wrote on its standard error (a SyncError,
        git stopped, when its time ran out)."""
        process = self.process
        if process is None:
            raise ValueError(f"git {self.args[0]} was already waited for or stopped")
        left = None if self.timeout is None else self.timeout - (time.monotonic() - self.started)
        try:
            _, stderr = process.communicate(timeout=None if left is None else max(left, 0.0))
        except subprocess.TimeoutExpired:
            self.stop()
            raise timed_out(self.args, self.timeout) from None
        self.process = None
        return process.returncode, stderr

    def stop(self) -> None:
        """Stop git if it still runs (on SIGTERM it removes its temporary files)."""
        process, self.process = self.process, None
        if process is not None:
            if process.poll() is None:
                process.terminate()
            process.communicate()


def timed_out(args: list[str], timeout: float | None) -> SyncError:
    return SyncError(
        f"git {args[0]} timed out after {timeout or 0:g} s: the remote did not answer "
        f"(set {NETWORK_TIMEOUT_ENV} to wait longer)"
    )


def network_timeout() -> float:
    """Seconds a fetch, push or clone may take: ``WGTOOL_NETWORK_TIMEOUT`` or a generous default."""
    return validate.seconds_from_environment(NETWORK_TIMEOUT_ENV, DEFAULT_NETWORK_TIMEOUT)


def git_reason(stderr: bytes) -> str:
    """The first fatal or error line git wrote (its first line says what went wrong)."""
    lines = [
        line.strip() for line in stderr.decode("utf-8", "replace").splitlines() if line.strip()
    ]
    for line in lines:
        for prefix in ("fatal: ", "error: "):
            if line.startswith(prefix):
                return line[len(prefix) :]
    return lines[-1] if lines else "git gave no reason"
