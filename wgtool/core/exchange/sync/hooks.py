"""The sync hook: a command of this clone's own, run with what a sync brought (mail or chat
bridges).

The command comes from the local git configuration only (``git config wgtool.hook.sync CMD``:
this repository's ``.git/config``, or the user's or the system's), never from the record: a
file on main or in any ref is something every member can write, and running it would let any
member run code on every clone. It runs without a shell (the line is split as a shell would
split words, and nothing else of a shell applies), in the repository's folder, with the sync's
report as one JSON document on stdin and ``WGTOOL_HOOK=sync`` in its environment, for at most
``WGTOOL_HOOK_TIMEOUT`` seconds (default 60). The report of the last sync that brought
something is kept in ``.git/wgtool/last-sync.json`` (never the record), so the hook can be run
again with it by hand.
"""

from __future__ import annotations

import json
import os
import shlex
import subprocess
from dataclasses import asdict
from pathlib import Path

from wgtool.core import validate
from wgtool.core.errors import InvalidInput, LocalFileError, NotFound
from wgtool.core.exchange.sync.report import SyncReport
from wgtool.core.record.gitstore import GitStore

HOOK_KEY = "wgtool.hook.sync"
LAST_SYNC_FILE = "last-sync.json"
TIMEOUT_VARIABLE = "WGTOOL_HOOK_TIMEOUT"


def configured(store: GitStore) -> str | None:
    """The sync hook's command line as git's configuration gives it, or None."""
    return store.config_get(HOOK_KEY)


def payload(report: SyncReport) -> dict[str, object]:
    """What the hook reads on stdin: the sync's report as one JSON object."""
    return {
        "remote": report.remote,
        "received": asdict(report.received),
        "sent": asdict(report.sent),
        "notes": list(report.notes),
        "problems": list(report.problems),
        "arrived": report.arrived.to_dict() if report.arrived is not None else None,
    }


def brought_something(report: SyncReport) -> bool:
    return any(asdict(report.received).values())


def after_sync(store: GitStore, report: SyncReport) -> str | None:
    """Keep the report of a sync that brought something and run the hook on it, if one is
    configured; one line saying why the hook failed, else None (the sync stands either way)."""
    if not brought_something(report):
        return None
    data = payload(report)
    keep_last(store, data)
    if configured(store) is None:
        return None
    try:
        run(store, data)
    except (InvalidInput, LocalFileError) as error:
        return error.message
    return None


def keep_last(store: GitStore, data: dict[str, object]) -> None:
    path = store.wgtool_folder() / LAST_SYNC_FILE
    store.clear_way(path)
    path.write_text(json.dumps(data, ensure_ascii=False, sort_keys=True) + "\n", "utf-8")


def last(store: GitStore) -> dict[str, object]:
    """The report of the last sync that brought something (kept in this clone)."""
    path = store.wgtool_dir / LAST_SYNC_FILE
    try:
        found = json.loads(path.read_text("utf-8"))
    except FileNotFoundError:
        raise NotFound("no sync has brought anything to this clone yet") from None
    except (OSError, ValueError) as error:
        raise LocalFileError(f"{path} cannot be read: {error}") from None
    if not isinstance(found, dict):
        raise LocalFileError(f"{path} is not a sync report")
    return found


def run(store: GitStore, data: dict[str, object]) -> None:
    """Run the configured hook with ``data`` on stdin; LocalFileError (one line) when it
    cannot start, fails or takes too long."""
    command = configured(store)
    if command is None:
        raise NotFound(f"no sync hook is configured ({HOOK_KEY})")
    try:
        words = shlex.split(command)
    except ValueError as error:
        raise InvalidInput(
            f"the sync hook {command!r} cannot be split into words: {error}"
        ) from None
    if not words:
        raise InvalidInput(f"the sync hook ({HOOK_KEY}) is empty")
    timeout = validate.seconds_from_environment(TIMEOUT_VARIABLE, 60.0)
    folder = Path(store.repo.working_tree_dir or store.repo.git_dir)
    try:
        result = subprocess.run(
            words,
            input=(json.dumps(data, ensure_ascii=False) + "\n").encode(),
            capture_output=True,
            cwd=folder,
            env={**os.environ, "WGTOOL_HOOK": "sync"},
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise LocalFileError(
            f"the sync hook took longer than {timeout:g} s and was stopped"
        ) from None
    except OSError as error:
        raise LocalFileError(f"the sync hook {words[0]!r} cannot run: {error.strerror}") from None
    if result.returncode != 0:
        said = result.stderr.decode("utf-8", "replace").strip().splitlines()
        tail = f": {said[-1]}" if said else ""
        raise LocalFileError(f"the sync hook failed (exit {result.returncode}){tail}")
