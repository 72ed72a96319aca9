"""The names of the record's refs, apart from the rulebook (:mod:`.rulebook.layout` gives them
with the rest of the layout): a module that only lists refs, such as the glance at the index
(:mod:`wgtool.core.glance`), names them without importing the rulebook and GitPython."""

from __future__ import annotations

MAIN_REF = "refs/heads/main"
WG_PREFIX = "refs/wg/"
AMENDMENTS_PREFIX = WG_PREFIX + "amendments/"
EVENTS_PREFIX = WG_PREFIX + "events/"
TAGS_PREFIX = "refs/tags/"


def tracking_prefix(remote: str) -> str:
    """Where a sync keeps what it fetched from ``remote``."""
    return f"refs/remotes/{remote}/"


def fetch_refspecs(remote: str) -> list[str]:
    """The refspecs that carry the wg refs and tags into ``refs/remotes/<remote>/``."""
    prefix = tracking_prefix(remote)
    return [f"+{WG_PREFIX}*:{prefix}wg/*", f"+{TAGS_PREFIX}*:{prefix}tags/*"]
