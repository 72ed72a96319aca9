"""Plain domain types the core passes around (the index keeps its own table rows apart)."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum


class Role(str, Enum):
    MEMBER = "member"
    CHAIR = "chair"
    SECRETARIAT = "secretariat"


class Status(str, Enum):
    OPEN = "open"
    MERGED = "merged"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"


class Stance(str, Enum):
    SUPPORT = "support"
    NO_OBJECTION = "no-objection"
    ABSTAIN = "abstain"
    OBJECT = "object"


class Kind(str, Enum):
    """What an amendment does to its draft."""

    REPLACE = "replace"
    INSERT = "insert"
    DELETE = "delete"
    DOCUMENT = "document"


@dataclass(frozen=True)
class Member:
    handle: str
    name: str
    email: str
    group: str
    roles: tuple[Role, ...] = (Role.MEMBER,)
    ssh_key: str = ""

    def has(self, role: Role) -> bool:
        return role in self.roles

    def to_dict(self) -> dict[str, object]:
        return {
            "handle": self.handle,
            "name": self.name,
            "email": self.email,
            "group": self.group,
            "roles": [r.value for r in self.roles],
        }


@dataclass(frozen=True)
class ConsensusRule:
    """When an amendment has consensus: enough supporting groups and few enough objecting ones."""

    min_supporting_groups: int = 1
    max_objecting_groups: int = 0
    require_all_groups_heard: bool = False

    def describe(self) -> str:
        parts = [f"at least {self.min_supporting_groups} supporting group(s)"]
        if self.max_objecting_groups == 0:
            parts.append("no objection")
        else:
            parts.append(f"at most {self.max_objecting_groups} objecting group(s)")
        if self.require_all_groups_heard:
            parts.append("every group heard")
        return ", ".join(parts)


@dataclass(frozen=True)
class Settings:
    title: str
    groups: dict[str, str]  # slug -> display name, in the working group's order
    consensus: ConsensusRule = field(default_factory=ConsensusRule)
    signatures: str = "off"


@dataclass(frozen=True)
class Draft:
    slug: str
    title: str
    text: str


@dataclass(frozen=True)
class Version:
    draft: str
    name: str
    tag: str
    commit: str
    message: str
    tagger: str
    tagged_at: int


@dataclass(frozen=True)
class Amendment:
    id: str
    draft: str
    kind: Kind
    paragraph: int | None  # the target paragraph number at the base, 1-based
    title: str
    rationale: str
    proposer: str
    group: str
    status: Status
    base: str  # the main commit the amendment was based on
    head: str  # the amendment's last revision commit
    revision: int  # 1 for the first proposal
    created_at: int
    updated_at: int
    merged_by: str | None = None
    merge_commit: str | None = None
    decided_reason: str | None = None

    def to_dict(self) -> dict[str, object]:
        return {
            "id": self.id,
            "draft": self.draft,
            "kind": self.kind.value,
            "paragraph": self.paragraph,
            "title": self.title,
            "rationale": self.rationale,
            "proposer": self.proposer,
            "group": self.group,
            "status": self.status.value,
            "base": self.base,
            "head": self.head,
            "revision": self.revision,
            "created_at": self.created_at,
            "updated_at": self.updated_at,
            "merged_by": self.merged_by,
            "merge_commit": self.merge_commit,
            "reason": self.decided_reason,
        }


@dataclass(frozen=True)
class Event:
    """One comment, position or decision on an amendment (stored as ``events/<id>.json``)."""

    id: str
    amendment: str
    type: str  # comment | position | reject | withdraw
    member: str
    group: str
    at: float
    revision: int
    stance: str | None = None
    text: str = ""
    reply_to: str | None = None

    def to_dict(self) -> dict[str, object]:
        data: dict[str, object] = {
            "id": self.id,
            "amendment": self.amendment,
            "type": self.type,
            "member": self.member,
            "group": self.group,
            "at": self.at,
            "revision": self.revision,
            "text": self.text,
        }
        if self.stance is not None:
            data["stance"] = self.stance
        if self.reply_to is not None:
            data["reply_to"] = self.reply_to
        return data

    @classmethod
    def from_dict(cls, data: dict[str, object]) -> Event:
        return cls(
            id=str(data["id"]),
            amendment=str(data["amendment"]),
            type=str(data["type"]),
            member=str(data["member"]),
            group=str(data["group"]),
            at=float(data["at"]),  # type: ignore[arg-type]
            revision=int(data.get("revision", 1)),  # type: ignore[call-overload]
            stance=None if data.get("stance") is None else str(data["stance"]),
            text=str(data.get("text", "")),
            reply_to=None if data.get("reply_to") is None else str(data["reply_to"]),
        )

    def sort_key(self) -> tuple[float, str]:
        return (self.at, self.id)


@dataclass(frozen=True)
class PositionView:
    member: str
    group: str
    stance: Stance
    reason: str
    revision: int
    stale: bool
    at: float


@dataclass(frozen=True)
class GroupPosition:
    group: str
    name: str
    state: str  # support | no-objection | abstain | object | not heard
    positions: tuple[PositionView, ...]


@dataclass(frozen=True)
class Consensus:
    state: str  # consensus | objection | pending
    groups: tuple[GroupPosition, ...]
    rule: str

    def summary(self) -> str:
        """A compact line such as ``S2 N1 O0 ?2`` for tables."""
        counts = {"support": 0, "no-objection": 0, "object": 0, "not heard": 0}
        for g in self.groups:
            if g.state in counts:
                counts[g.state] += 1
        return (
            f"S{counts['support']} N{counts['no-objection']} "
            f"O{counts['object']} ?{counts['not heard']}"
        )

    def to_dict(self) -> dict[str, object]:
        return {
            "state": self.state,
            "rule": self.rule,
            "groups": [
                {
                    "group": g.group,
                    "name": g.name,
                    "state": g.state,
                    "positions": [
                        {
                            "member": p.member,
                            "stance": p.stance.value,
                            "reason": p.reason,
                            "revision": p.revision,
                            "stale": p.stale,
                        }
                        for p in g.positions
                    ],
                }
                for g in self.groups
            ],
        }
