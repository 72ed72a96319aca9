"""Settings (``wg.toml``) and roster (``roster.toml``): parsing, writing and permissions."""

from __future__ import annotations

import tomllib
from collections.abc import Iterable

import tomli_w

from wgtool.core import validate
from wgtool.core.errors import InvalidInput, NotFound, Remedy
from wgtool.core.model import ConsensusRule, Member, Role, Settings
from wgtool.core.record.refnames import SETTINGS_PATH as SETTINGS_PATH

ROSTER_PATH = "roster.toml"

DEFAULT_GROUPS: dict[str, str] = {
    "governments": "Governments",
    "private-sector": "Private sector",
    "civil-society": "Civil society",
    "technical-academic": "Technical and academic community",
    "intergovernmental": "Intergovernmental and international organisations",
}

SIGNATURE_MODES = ("off", "required")

PUBLISH_LEVELS = ("texts", "amendments", "positions")
"""What a published site shows of deliberation, each level adding to the one before."""


MAX_CONFIG_BYTES = 1_000_000
MAX_NESTING = 32  # wg.toml and roster.toml need three levels; anything deeper is refused


def _load_toml(data: str, path: str) -> dict[str, object]:
    if len(data.encode("utf-8", "surrogatepass")) > MAX_CONFIG_BYTES:
        raise InvalidInput(f"{path} is larger than 1 MB")
    try:
        raw = tomllib.loads(data)
    except tomllib.TOMLDecodeError as error:
        raise InvalidInput(f"{path} is not valid TOML: {error}") from None
    except RecursionError:
        raise InvalidInput(f"{path} is nested too deeply") from None
    if _depth(raw) > MAX_NESTING:
        raise InvalidInput(f"{path} is nested too deeply")
    return raw


def _depth(value: object, level: int = 0) -> int:
    """How deeply tables and arrays nest (stops counting past the limit)."""
    if level > MAX_NESTING:
        return level
    if isinstance(value, dict):
        return max((_depth(v, level + 1) for v in value.values()), default=level + 1)
    if isinstance(value, list):
        return max((_depth(v, level + 1) for v in value), default=level + 1)
    return level


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
    except (TypeError, ValueError, OverflowError):  # OverflowError: TOML's inf
        raise InvalidInput(f"{SETTINGS_PATH}: [consensus] values must be numbers") from None
    signatures = str(raw.get("signatures", "off"))
    if signatures not in SIGNATURE_MODES:
        raise InvalidInput(
            f"{SETTINGS_PATH}: signatures must be one of {', '.join(SIGNATURE_MODES)}"
        )
    publish = raw.get("publish", PUBLISH_LEVELS[0])
    if publish not in PUBLISH_LEVELS:
        raise InvalidInput(f"{SETTINGS_PATH}: publish must be one of {', '.join(PUBLISH_LEVELS)}")
    return Settings(
        title=title, groups=groups, consensus=rule, signatures=signatures, publish=str(publish)
    )


def dump_settings(settings: Settings) -> str:
    rule = settings.consensus
    raw: dict[str, object] = {"title": settings.title, "signatures": settings.signatures}
    if settings.publish != PUBLISH_LEVELS[0]:  # the default leaves earlier files as they were
        raw["publish"] = settings.publish
    raw["groups"] = dict(settings.groups)
    raw["consensus"] = {
        "min_supporting_groups": rule.min_supporting_groups,
        "max_objecting_groups": rule.max_objecting_groups,
        "require_all_groups_heard": rule.require_all_groups_heard,
    }
    return tomli_w.dumps(raw)


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
            raise NotFound(f"no member {handle!r} in the roster", remedy=Remedy.LIST_MEMBERS)
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
    members: list[Member] = []
    seen: set[str] = set()
    for entry in entries:
        if not isinstance(entry, dict):
            raise InvalidInput(f"{ROSTER_PATH}: members must be [[member]] tables")
        roles = entry.get("roles", ["member"])
        if not isinstance(roles, list):
            raise InvalidInput(f"{ROSTER_PATH}: roles must be a list of names")
        member = make_member(
            handle=str(entry.get("handle", "")),
            name=str(entry.get("name", "")),
            email=str(entry.get("email", "")),
            group=str(entry.get("group", "")),
            roles=[str(r) for r in roles],
            groups=groups,
            ssh_key=str(entry.get("ssh_key", "")),
            recorded=True,
        )
        # Handles name members in trailers and emails match commits and tags to them:
        # each must name one member only.
        for key in (member.handle, member.email.lower()):
            if key in seen:
                raise InvalidInput(f"{ROSTER_PATH}: {key} is given to two members")
            seen.add(key)
        members.append(member)
    return Roster(members)


def known_group(group: str, groups: dict[str, str]) -> str:
    """``group`` when it is one of the working group's stakeholder groups, else a refusal."""
    if group not in groups:
        raise InvalidInput(f"unknown stakeholder group {group!r}: use one of {', '.join(groups)}")
    return group


def make_member(
    *,
    handle: str,
    name: str,
    email: str,
    group: str,
    roles: Iterable[str],
    groups: dict[str, str],
    ssh_key: str = "",
    recorded: bool = False,
) -> Member:
    """A member from its fields; ``recorded``: read from a roster in the record, which is
    held to the rules of its time (new names and emails are held to today's)."""
    validate.name(handle, "handle")
    known_group(group, groups)
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
        name=validate.person_name(name, recorded=recorded),
        email=validate.email(email, recorded=recorded),
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
