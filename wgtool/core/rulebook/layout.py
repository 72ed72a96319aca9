"""Where the record lives in git: refs, paths, trailer names and ids, and who may do what."""

from __future__ import annotations

import re

from wgtool.core import config, validate
from wgtool.core.errors import PermissionDenied
from wgtool.core.model import Kind, Member, Role, Stance

MAIN_REF = "refs/heads/main"
WG_PREFIX = "refs/wg/"
AMENDMENTS_PREFIX = WG_PREFIX + "amendments/"
EVENTS_PREFIX = WG_PREFIX + "events/"
TAGS_PREFIX = "refs/tags/"
SETTINGS_PATH = config.SETTINGS_PATH
ROSTER_PATH = config.ROSTER_PATH
DRAFTS_DIR = "drafts"
EVENTS_DIR = "events"
CONFIG_PATHS = (SETTINGS_PATH, ROSTER_PATH)

# The identity of the commits that join two event chains: the same on every machine.
JOIN_NAME = "wgtool"
JOIN_EMAIL = "wgtool@localhost"

AMENDMENT_ID_RE = re.compile(r"^[0-9a-f]{4,40}$")
EVENT_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,79}$")
SHA_RE = re.compile(r"^[0-9a-f]{40}$")
FILE_MODES = ("100644", "100755")
MAX_REVISIONS = 1000
MAX_EVENT_BYTES = 2 * validate.MAX_TEXT_BYTES

# Trailers: what each commit says about itself, readable with plain git.
AMENDMENT_ID = "Amendment-Id"
MEMBER = "Member"
GROUP = "Stakeholder-Group"
MAIN = "Main"
ACTION = "Action"
REVISION = "Revision"
DRAFT = "Draft"
KIND = "Kind"
PARAGRAPH = "Paragraph"
EVENT = "Event"
EVENT_ID = "Event-Id"
PROPOSED_BY = "Proposed-by"
MERGED_BY = "Merged-by"
CONSENSUS = "Consensus"
CONSENSUS_GROUPS = ("Supporting-Groups", "Objecting-Groups", "Not-Heard")
OVERRIDE_REASON = "Override-Reason"
REVERTS = "Reverts-Amendment"
REVERTED_BY = "Reverted-by"
JOIN_ACTION = "join-events"
REVERT_ACTION = "revert"

EVENT_TYPES = frozenset({"comment", "position", "reject", "withdraw"})
STANCES = frozenset(s.value for s in Stance)
KINDS = frozenset(k.value for k in Kind)


def draft_path(slug: str) -> str:
    return f"{DRAFTS_DIR}/{slug}.md"


def event_path(event_id: str) -> str:
    return f"{EVENTS_DIR}/{event_id}.json"


# -- who may do what ---------------------------------------------------------------------------

# What each action needs. Ownership (withdraw, revise) is checked where the amendment is known.
ACTION_ROLES: dict[str, Role] = {
    "propose": Role.MEMBER,
    "comment": Role.MEMBER,
    "position": Role.MEMBER,
    "revise": Role.MEMBER,
    "withdraw": Role.MEMBER,
    "merge": Role.CHAIR,
    "reject": Role.CHAIR,
    "revert": Role.CHAIR,
    "tag": Role.SECRETARIAT,
    "add member": Role.SECRETARIAT,
    "add draft": Role.SECRETARIAT,
    "change settings": Role.SECRETARIAT,
}


def require(member: Member, action: str) -> None:
    """Raise PermissionDenied unless ``member`` holds the role ``action`` needs."""
    role = ACTION_ROLES[action]
    if not member.has(role):
        raise PermissionDenied(
            f"{action} needs the {role.value} role; {member.handle} is "
            f"{', '.join(r.value for r in member.roles)}"
        )


def allowed(member: Member, action: str) -> bool:
    return member.has(ACTION_ROLES[action])
