"""The remote: its name, the refspecs wgtool fetches into, and fetching."""

from __future__ import annotations

from wgtool.core.errors import InvalidInput, NotFound, SyncError
from wgtool.core.record.gitstore import GitStore
from wgtool.core.record.refnames import (
    NO_REFLOG,
    REMOTE_NAME_RE,
    fetch_command,
    fetch_refspecs,
    tracking_prefix,
)
from wgtool.core.record.transport import git_reason


def check_remote(store: GitStore, remote: str) -> str:
    """The name of a configured remote, or a one-line error."""
    if not remote or remote.startswith("-") or not REMOTE_NAME_RE.match(remote):
        raise InvalidInput(
            f"invalid remote name {remote!r}: give the name of a configured git remote, like origin"
        )
    if remote not in remotes(store):
        raise NotFound(f"no git remote {remote!r}: add it with 'git remote add {remote} URL'")
    return remote


def remotes(store: GitStore) -> list[str]:
    """The names of the git remotes configured here."""
    return store.run(["remote"]).stdout.decode("utf-8", "replace").split()


def configure_remote(store: GitStore, remote: str) -> None:
    """Add the wg refspecs to ``remote.<remote>.fetch`` once: plain ``git fetch`` carries them."""
    key = f"remote.{remote}.fetch"
    result = store.run(["config", "--get-all", key], check=False)
    existing = set(result.stdout.decode("utf-8", "replace").split())
    for spec in fetch_refspecs(remote):
        if spec not in existing:
            store.run(["config", "--add", key, spec])


def peek(store: GitStore, remote: str, patterns: list[str]) -> str:
    """Where the refs matching ``patterns`` stand on ``remote`` (one ``git ls-remote``, nothing
    fetched): a follower fetches only when this changed."""
    remote = check_remote(store, remote)
    result = store.run(
        ["ls-remote", "--end-of-options", remote, *patterns], check=False, network=True
    )
    if result.returncode != 0:
        raise SyncError(f"could not reach {remote}: {git_reason(result.stderr)}")
    return result.stdout.decode("utf-8", "replace")


# -- fetch -------------------------------------------------------------------------------------


def fetch(store: GitStore, remote: str) -> None:
    # Remote-tracking refs get no reflog: thousands of files that grow with every sync.
    result = store.run(fetch_command(remote), check=False, network=True, config=NO_REFLOG)
    check_fetched(store, remote, result.returncode, result.stderr)


def check_fetched(store: GitStore, remote: str, code: int, stderr: bytes) -> None:
    """What a fetch from ``remote`` that exited with ``code`` and wrote ``stderr`` leaves to
    do: nothing when it succeeded; a SyncError when it failed, except where the remote is new
    and empty (it has no main yet), which is fetched without main."""
    if code != 0 and b"couldn't find remote ref" in stderr:
        # A new, empty remote has no main yet: fetch the rest; main is pushed below. A tracking
        # main left from what the remote held before (or from another remote under the same
        # name) is pruned like any other ref the remote no longer has, or main would seem to
        # have diverged from a main that is not there.
        result = store.run(
            fetch_command(remote, main=False), check=False, network=True, config=NO_REFLOG
        )
        code, stderr = result.returncode, result.stderr
        if code == 0:
            store.run(["update-ref", "-d", f"{tracking_prefix(remote)}main"], check=False)
    if code != 0:
        raise SyncError(f"could not fetch from {remote}: {git_reason(stderr)}")


__all__ = [
    "check_fetched",
    "check_remote",
    "configure_remote",
    "fetch",
    "fetch_refspecs",
    "git_reason",
    "peek",
    "remotes",
    "tracking_prefix",
]
