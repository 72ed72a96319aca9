"""The names of the record's refs, apart from the rulebook (:mod:`.rulebook.layout` gives them
with the rest of the layout): a module that only lists refs, such as the glance at the index
(:mod:`wgtool.core.glance`), names them without importing the rulebook and GitPython."""

from __future__ import annotations

import re

MAIN_REF = "refs/heads/main"
WG_PREFIX = "refs/wg/"
AMENDMENTS_PREFIX = WG_PREFIX + "amendments/"
EVENTS_PREFIX = WG_PREFIX + "events/"
TAGS_PREFIX = "refs/tags/"

SETTINGS_PATH = "wg.toml"
"""The working group's settings in main's tree: a repository whose main has none is not one."""

# Remote names end up in refspecs and config keys: keep them plain.
REMOTE_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$")

# Reflogs are kept for branches only (main): the thousands of amendment and event refs, their
# remote-tracking copies and tags would each get a log file that grows with every sync.
NO_REFLOG = {"core.logAllRefUpdates": "false"}


def tracking_prefix(remote: str) -> str:
    """Where a sync keeps what it fetched from ``remote``."""
    return f"refs/remotes/{remote}/"


def fetch_refspecs(remote: str) -> list[str]:
    """The refspecs that carry the wg refs and tags into ``refs/remotes/<remote>/``."""
    prefix = tracking_prefix(remote)
    return [f"+{WG_PREFIX}*:{prefix}wg/*", f"+{TAGS_PREFIX}*:{prefix}tags/*"]


def fetch_command(remote: str, *, main: bool = True) -> list[str]:
    """The ``git fetch`` of a sync from ``remote`` (its arguments after ``git``): main, the wg
    refs and the tags into remote-tracking refs, pruned, with no FETCH_HEAD (without
    ``main``: a new, empty remote has none yet)."""
    specs = [f"+{MAIN_REF}:{tracking_prefix(remote)}main"] if main else []
    return [
        "fetch",
        "--quiet",
        "--no-tags",
        "--prune",
        "--no-write-fetch-head",
        "--end-of-options",
        remote,
        *specs,
        *fetch_refspecs(remote),
    ]
