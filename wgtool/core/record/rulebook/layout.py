"""Where the record lives in git: refs, paths, trailer names and ids, and who may do what."""

from __future__ import annotations

import re

from wgtool.core import validate
from wgtool.core.errors import PermissionDenied
from wgtool.core.model import DRAFT_CHAIN, Kind, Member, Role, Stance, is_draft_chain
from wgtool.core.record import config
from wgtool.core.record.refnames import AMENDMENTS_PREFIX as AMENDMENTS_PREFIX
from wgtool.core.record.refnames import EVENTS_PREFIX as EVENTS_PREFIX
from wgtool.core.record.refnames import MAIN_REF as MAIN_REF
from wgtool.core.record.refnames import TAGS_PREFIX as TAGS_PREFIX
from wgtool.core.record.refnames import WG_PREFIX as WG_PREFIX

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
ORALLY_REVISED = "Orally-Revised"  # "yes": the chair revised the amendment's words orally
RESOLVED_BY = "Resolved-by"  # the chair who wrote the conflicting paragraphs
EVENTS = "Events"  # the tip of the event chain a merge or a silence version judged, or "none"
NO_EVENTS = "none"
REVERTS = "Reverts-Amendment"
REVERTED_BY = "Reverted-by"
LANGUAGE = "Language"  # a translation's language, or an amendment's not in the authentic one
TRANSLATE_ACTION = "translate"
LANGUAGE_ACTION = "authentic-language"
JOIN_ACTION = "join-events"
REVERT_ACTION = "revert"
# What a secretariat change of a draft declares (``Action:``, with ``Draft: <slug>``).
DRAFT_ACTIONS = frozenset({"add-draft", "import-draft", "renumber", "edit-draft"})

# Events on an amendment, and events in a draft's chain (``refs/wg/events/draft-<slug>``).
AMENDMENT_EVENT_TYPES = frozenset(
    {"comment", "position", "reject", "withdraw", "cosponsor", "silence", "silence-break"}
)
DRAFT_EVENT_TYPES = frozenset(
    {"comment", "bracket", "unbracket", "status", "window", "silence", "silence-break", "focus"}
    | {"reservation", "explanation", "retract"}  # a group's statements on a version
)
EVENT_TYPES = AMENDMENT_EVENT_TYPES | DRAFT_EVENT_TYPES
# Who may record each event (any member may record the others); a withdrawal is the proposer's.
EVENT_ROLES: dict[str, tuple[Role, ...]] = {
    "reject": (Role.CHAIR,),
    "bracket": (Role.CHAIR,),
    "unbracket": (Role.CHAIR,),
    "status": (Role.CHAIR,),
    "focus": (Role.CHAIR,),
    "window": (Role.SECRETARIAT,),
    "silence": (Role.CHAIR, Role.SECRETARIAT),
}
PARAGRAPH_LABEL = "Paragraph-Label"
ALTERNATIVE_TO = "Alternative-To"
# A sub-amendment names the amendment it amends and that amendment's revision it was made
# against; a revision that takes one in names it and its revision (see rulebook/subamend.py).
AMENDS = "Amends"
AMENDS_REVISION = "Amends-Revision"
ACCEPTS = "Accepts"
ACCEPTS_REVISION = "Accepts-Revision"
SILENCE = "Silence"
BRACKETS = "Brackets"
STANCES = frozenset(s.value for s in Stance)
KINDS = frozenset(k.value for k in Kind)


def chain_key_valid(kind: str, key: str) -> bool:
    """Whether ``refs/wg/<kind>/<key>`` names a ref wgtool makes: an amendment's revisions,
    or the events on an amendment or in a draft's chain."""
    if kind == "amendments":
        return bool(AMENDMENT_ID_RE.match(key))
    if kind == "events":
        return bool(AMENDMENT_ID_RE.match(key)) or (
            is_draft_chain(key) and bool(validate.NAME_RE.match(key[len(DRAFT_CHAIN) :]))
        )
    return False


def chain_trailer(key: str) -> tuple[str, str]:
    """The trailer that names what an event chain is about: ``Draft: <slug>`` for a draft's
    chain, ``Amendment-Id: <id>`` for an amendment's."""
    if is_draft_chain(key):
        return (DRAFT, key[len(DRAFT_CHAIN) :])
    return (AMENDMENT_ID, key)


def draft_chain(slug: str) -> str:
    """The key of draft ``slug``'s event chain."""
    return DRAFT_CHAIN + slug


def draft_path(slug: str) -> str:
    return f"{DRAFTS_DIR}/{slug}.md"


def labels_path(slug: str) -> str:
    """The draft's paragraph labels, beside it (see :mod:`wgtool.core.labels`)."""
    return f"{DRAFTS_DIR}/{slug}.labels"


def draft_of_path(path: str) -> str | None:
    """The draft a file under ``drafts/`` belongs to (its text or its labels), or None."""
    if not path.startswith(DRAFTS_DIR + "/"):
        return None
    slug = path[len(DRAFTS_DIR) + 1 :].removesuffix(".md").removesuffix(".labels")
    if not validate.NAME_RE.match(slug) or path not in (draft_path(slug), labels_path(slug)):
        return None
    return slug


def event_path(event_id: str) -> str:
    return f"{EVENTS_DIR}/{event_id}.json"


# -- who may do what ---------------------------------------------------------------------------

# What each action needs. Ownership (withdraw, revise) is checked where the amendment is known.
# An action with several roles may be taken by a member holding any of them.
ACTION_ROLES: dict[str, Role | tuple[Role, ...]] = {
    "propose": Role.MEMBER,
    "comment": Role.MEMBER,
    "position": Role.MEMBER,
    "revise": Role.MEMBER,
    "withdraw": Role.MEMBER,
    "co-sponsor": Role.MEMBER,
    "break a silence": Role.MEMBER,
    "state a reservation or position": Role.MEMBER,
    "accept": Role.MEMBER,
    "merge": Role.CHAIR,
    "reject": Role.CHAIR,
    "revert": Role.CHAIR,
    "bracket": Role.CHAIR,
    "lift a bracket": Role.CHAIR,
    "agree a paragraph": Role.CHAIR,
    "reopen a paragraph": Role.CHAIR,
    "conclude a silence": Role.CHAIR,
    "focus the room": Role.CHAIR,
    "start a silence": (Role.CHAIR, Role.SECRETARIAT),
    "tag": Role.SECRETARIAT,
    "renumber": Role.SECRETARIAT,
    "open or close the window": Role.SECRETARIAT,
    "add member": Role.SECRETARIAT,
    "add draft": Role.SECRETARIAT,
    "import a draft": Role.SECRETARIAT,
    "translate": Role.SECRETARIAT,
    "set the authentic language": Role.SECRETARIAT,
    "change settings": Role.SECRETARIAT,
}


def _roles(action: str) -> tuple[Role, ...]:
    roles = ACTION_ROLES[action]
    return roles if isinstance(roles, tuple) else (roles,)


def require(member: Member, action: str) -> None:
    """Raise PermissionDenied unless ``member`` holds a role ``action`` needs."""
    if not allowed(member, action):
        needed = " or ".join(role.value for role in _roles(action))
        raise PermissionDenied(
            f"{action} needs the {needed} role; {member.handle} is "
            f"{', '.join(r.value for r in member.roles)}"
        )


def allowed(member: Member, action: str) -> bool:
    return any(member.has(role) for role in _roles(action))
