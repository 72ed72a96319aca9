"""Settings (``wg.toml``) and roster (``roster.toml``): parsing, writing and permissions."""

from __future__ import annotations

import tomllib
from collections.abc import Iterable
from typing import TYPE_CHECKING

import tomli_w

from wgtool.core import validate
from wgtool.core.errors import InvalidInput, NotFound, PermissionDenied, WgError
from wgtool.core.model import ConsensusRule, Member, Role, Settings

if TYPE_CHECKING:
    from wgtool.core.gitstore import GitStore

SETTINGS_PATH = "wg.toml"
ROSTER_PATH = "roster.toml"

DEFAULT_GROUPS: dict[str, str] = {
    "governments": "Governments",
    "private-sector": "Private sector",
    "civil-society": "Civil society",
    "technical-academic": "Technical and academic community",
    "intergovernmental": "Intergovernmental and international organisations",
}

SIGNATURE_MODES = ("off", "required")


def _load_toml(data: str, path: str) -> dict[str, object]:
    try:
        return tomllib.loads(data)
    except tomllib.TOMLDecodeError as error:
        raise InvalidInput(f"{path} is not valid TOML: {error}") from None


def parse_settings(data: str) -> Settings:
    raw = _load_toml(data, SETTINGS_PATH)
    title = str(raw.get("title", "Working group"))
    groups_raw = raw.get("groups", DEFAULT_GROUPS)
    if not isinstance(groups_raw, dict) or not groups_raw:
        raise InvalidInput(f"{SETTINGS_PATH}: [groups] must map group slugs to names")
    groups = {validate.name(str(k), "group"): str(v) for k, v in groups_raw.items()}
    consensus_raw = raw.get("consensus", {})
    if not isinstance(consensus_raw, dict):
        raise InvalidInput(f"{SETTINGS_PATH}: [consensus] must be a table")
    try:
        rule = ConsensusRule(
            min_supporting_groups=int(consensus_raw.get("min_supporting_groups", 1)),
            max_objecting_groups=int(consensus_raw.get("max_objecting_groups", 0)),
            require_all_groups_heard=bool(consensus_raw.get("require_all_groups_heard", False)),
        )
    except (TypeError, ValueError):
        raise InvalidInput(f"{SETTINGS_PATH}: [consensus] values must be numbers") from None
    signatures = str(raw.get("signatures", "off"))
    if signatures not in SIGNATURE_MODES:
        raise InvalidInput(
            f"{SETTINGS_PATH}: signatures must be one of {', '.join(SIGNATURE_MODES)}"
        )
    return Settings(title=title, groups=groups, consensus=rule, signatures=signatures)


def dump_settings(settings: Settings) -> str:
    rule = settings.consensus
    return tomli_w.dumps(
        {
            "title": settings.title,
            "signatures": settings.signatures,
            "groups": dict(settings.groups),
            "consensus": {
                "min_supporting_groups": rule.min_supporting_groups,
                "max_objecting_groups": rule.max_objecting_groups,
                "require_all_groups_heard": rule.require_all_groups_heard,
            },
        }
    )


class Roster:
    """The members of the working group, in roster order."""

    def __init__(self, members: Iterable[Member] = ()) -> None:
        self.members: dict[str, Member] = {}
        for m in members:
            self.members[m.handle] = m

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(self.members.values())

    def __len__(self) -> int:
        return len(self.members)

    def get(self, handle: str) -> Member:
        member = self.members.get(handle)
        if member is None:
            raise NotFound(f"no member {handle!r} in the roster: see 'wgtool member list'")
        return member

    def by_email(self, email: str) -> Member | None:
        for member in self.members.values():
            if member.email.lower() == email.lower():
                return member
        return None

    def with_member(self, member: Member) -> Roster:
        if member.handle in self.members:
            raise InvalidInput(f"member {member.handle!r} is already in the roster")
        if self.by_email(member.email):
            raise InvalidInput(f"email {member.email!r} is already used by another member")
        return Roster([*self.members.values(), member])


def parse_roster(data: str, groups: dict[str, str]) -> Roster:
    raw = _load_toml(data, ROSTER_PATH)
    entries = raw.get("member", [])
    if not isinstance(entries, list):
        raise InvalidInput(f"{ROSTER_PATH}: members must be [[member]] tables")
    members = []
    for entry in entries:
        if not isinstance(entry, dict):
            raise InvalidInput(f"{ROSTER_PATH}: members must be [[member]] tables")
        members.append(
            make_member(
                handle=str(entry.get("handle", "")),
                name=str(entry.get("name", "")),
                email=str(entry.get("email", "")),
                group=str(entry.get("group", "")),
                roles=[str(r) for r in entry.get("roles", ["member"])],
                groups=groups,
                ssh_key=str(entry.get("ssh_key", "")),
            )
        )
    return Roster(members)


def make_member(
    *,
    handle: str,
    name: str,
    email: str,
    group: str,
    roles: Iterable[str],
    groups: dict[str, str],
    ssh_key: str = "",
) -> Member:
    validate.name(handle, "handle")
    if group not in groups:
        raise InvalidInput(f"unknown stakeholder group {group!r}: use one of {', '.join(groups)}")
    parsed_roles: list[Role] = [Role.MEMBER]
    for role in roles:
        try:
            r = Role(role)
        except ValueError:
            raise InvalidInput(f"unknown role {role!r}: use member, chair or secretariat") from None
        if r not in parsed_roles:
            parsed_roles.append(r)
    return Member(
        handle=handle,
        name=validate.person_name(name),
        email=validate.email(email),
        group=group,
        roles=tuple(parsed_roles),
        ssh_key=ssh_key.strip(),
    )


def dump_roster(roster: Roster) -> str:
    members = []
    for m in roster:
        entry: dict[str, object] = {
            "handle": m.handle,
            "name": m.name,
            "email": m.email,
            "group": m.group,
            "roles": [r.value for r in m.roles],
        }
        if m.ssh_key:
            entry["ssh_key"] = m.ssh_key
        members.append(entry)
    return tomli_w.dumps({"member": members})


def parse_config(settings_data: bytes, roster_data: bytes) -> tuple[Settings, Roster]:
    """Settings and roster from the bytes of ``wg.toml`` and ``roster.toml``."""
    try:
        settings = parse_settings(settings_data.decode("utf-8"))
        return settings, parse_roster(roster_data.decode("utf-8"), settings.groups)
    except UnicodeDecodeError:
        raise InvalidInput(f"{SETTINGS_PATH} or {ROSTER_PATH} is not UTF-8 text") from None


def roster_at(store: GitStore, commit: str) -> Roster | None:
    """The roster as it was at ``commit``, or None when it is missing or unreadable."""
    settings_data = store.read_file(commit, SETTINGS_PATH)
    roster_data = store.read_file(commit, ROSTER_PATH)
    if settings_data is None or roster_data is None:
        return None
    try:
        return parse_config(settings_data, roster_data)[1]
    except WgError:
        return None


# What each action needs. Ownership (withdraw, revise) is checked where the amendment is known.
ACTION_ROLES: dict[str, Role] = {
    "propose": Role.MEMBER,
    "comment": Role.MEMBER,
    "position": Role.MEMBER,
    "revise": Role.MEMBER,
    "withdraw": Role.MEMBER,
    "merge": Role.CHAIR,
    "revert": Role.CHAIR,
    "reject": Role.CHAIR,
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
