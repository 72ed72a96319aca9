"""Plain domain types the core passes around (the index keeps its own table rows apart)."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum, StrEnum
from typing import TYPE_CHECKING

from wgtool.core.labels import Labels
from wgtool.lazy import lazy_module

if TYPE_CHECKING:
    from wgtool.core import document
else:
    document = lazy_module("wgtool.core.document")  # Markdown parsing: when a draft is read


class Role(str, Enum):
    MEMBER = "member"
    CHAIR = "chair"
    SECRETARIAT = "secretariat"


class Status(str, Enum):
    """Where an amendment stands. ``lapsed`` is derived: an open amendment whose paragraph is
    no longer on main."""

    OPEN = "open"
    LAPSED = "lapsed"
    MERGED = "merged"
    REVERTED = "reverted"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"
    NOT_ADOPTED = "not-adopted"  # an alternative to the amendment was merged instead
    ACCEPTED = "accepted"  # a sub-amendment taken into its amendment (by its proposer or chair)

    @property
    def undecided(self) -> bool:
        """Open or lapsed: no decision yet (the proposer may withdraw, the chair reject)."""
        return self in (Status.OPEN, Status.LAPSED)

    @property
    def label(self) -> str:
        """The status as one word, for tables: ``open``, ``lapsed``, ``merged``..."""
        return self.value


class Stance(str, Enum):
    SUPPORT = "support"
    NO_OBJECTION = "no-objection"
    ABSTAIN = "abstain"
    OBJECT = "object"

    @property
    def label(self) -> str:
        """The stance as a choice offers it: ``Support``, ``No objection``, ``Abstain``..."""
        return self.value.replace("-", " ").capitalize()


class Verdict(StrEnum):
    """Whether the consensus rule holds for an amendment."""

    CONSENSUS = "consensus"
    OBJECTION = "objection"  # more groups object than the rule allows
    PENDING = "pending"  # too few supporting groups, or not every group heard


class GroupState(StrEnum):
    """Where one stakeholder group stands on an amendment: its members' counted positions,
    an objection first (see :mod:`wgtool.core.consensus`)."""

    SUPPORT = "support"
    NO_OBJECTION = "no-objection"
    ABSTAIN = "abstain"
    OBJECT = "object"
    NOT_HEARD = "not heard"


class Kind(str, Enum):
    """What an amendment does to its draft."""

    REPLACE = "replace"
    INSERT = "insert"
    DELETE = "delete"
    DOCUMENT = "document"

    def mark(self, paragraph: int | str | None) -> str:
        """The target in a table cell: ``¶5`` (replace), ``+5`` (insert after 5), ``-5``
        (delete 5); empty for the whole draft, whose faces each show it their own way."""
        if self is Kind.DOCUMENT or paragraph is None:
            return ""
        return {Kind.INSERT: "+", Kind.DELETE: "-"}.get(self, "¶") + str(paragraph)

    def phrase(self, paragraph: int | str | None) -> str:
        """The target in words: ``paragraph 5``, ``new paragraph after 5``, ``deletion of
        paragraph 5`` or ``whole draft`` (capitalise it to start a heading)."""
        if self is Kind.REPLACE:
            return f"paragraph {paragraph}"
        if self is Kind.INSERT:
            return f"new paragraph after {paragraph}"
        if self is Kind.DELETE:
            return f"deletion of paragraph {paragraph}"
        return "whole draft"

    def default_title(self, paragraph: int | str | None, draft: str) -> str:
        """The title an amendment gets when its proposer gives none."""
        if self is Kind.REPLACE:
            return f"Amend paragraph {paragraph} of {draft}"
        if self is Kind.INSERT:
            return f"Insert a new paragraph after paragraph {paragraph} of {draft}"
        if self is Kind.DELETE:
            return f"Delete paragraph {paragraph} of {draft}"
        return f"Amend {draft}"


class DocumentFormat(str, Enum):
    """The documents ``export`` produces for a draft."""

    MARKDOWN = "markdown"  # clean text
    HTML = "html"  # clean text
    REDLINE = "redline"  # the changes since a version
    COMPILATION = "compilation"  # the open amendments
    AKN = "akn"  # Akoma Ntoso 3.0 XML
    AKN_AMENDMENTS = "akn-amendments"  # the amendments as an Akoma Ntoso amendmentList
    DOCX = "docx"  # clean text, as a Word document
    DOCX_REDLINE = "docx-redline"  # the redline with Word's tracked changes
    DOCX_COMPILATION = "docx-compilation"  # the compilation as a Word document

    @property
    def binary(self) -> bool:
        """A Word document: bytes, written only to a file."""
        return self.value.startswith("docx")


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

    def to_dict(self) -> dict[str, object]:
        return {
            "rule": self.describe(),
            "min_supporting_groups": self.min_supporting_groups,
            "max_objecting_groups": self.max_objecting_groups,
            "require_all_groups_heard": self.require_all_groups_heard,
        }


@dataclass(frozen=True)
class Settings:
    title: str
    groups: dict[str, str]  # slug -> display name, in the working group's order
    consensus: ConsensusRule = field(default_factory=ConsensusRule)
    signatures: str = "off"
    publish: str = "texts"  # what a published site shows: texts, amendments or positions

    def to_dict(self) -> dict[str, object]:
        return {
            "title": self.title,
            "groups": dict(self.groups),
            "signatures": self.signatures,
            "publish": self.publish,
            "consensus": self.consensus.to_dict(),
        }


@dataclass(frozen=True)
class Draft:
    slug: str
    title: str
    text: str
    labels: tuple[str, ...] = ()  # the stable label of each numbered paragraph (7, 7bis...)

    def label(self, number: int) -> str:
        """The label of paragraph ``number`` (1-based): ``7bis``, or the number itself."""
        return self.labels[number - 1] if 0 < number <= len(self.labels) else str(number)

    def position(self, label: str) -> int:
        """The number (1-based) of the paragraph labelled ``label``; InvalidInput if none."""
        count = len(document.paragraphs(self.text))
        labels = self.labels if len(self.labels) == count else Labels.positional(count).current
        return Labels(labels, ((),) * count).resolve(label)

    def to_dict(self, version: str | None = None) -> dict[str, object]:
        """The draft with its numbered paragraphs; ``version``: the one it was read at."""
        return {
            "slug": self.slug,
            "title": self.title,
            "version": version,
            "text": self.text,
            "paragraphs": [
                {"number": b.number, "label": self.label(b.number or 0), "text": b.text}
                for b in document.blocks(self.text)
                if not b.heading
            ],
        }


@dataclass(frozen=True)
class DraftSummary:
    """A draft on main as the first screen lists it: its title, how many paragraphs, how many
    amendments to it are open, and the names of its consensus versions, oldest first."""

    slug: str
    title: str
    paragraphs: int
    open_amendments: int
    versions: tuple[str, ...]

    def to_dict(self) -> dict[str, object]:
        return {
            "slug": self.slug,
            "title": self.title,
            "paragraphs": self.paragraphs,
            "open_amendments": self.open_amendments,
            "versions": list(self.versions),
        }


@dataclass(frozen=True)
class Version:
    draft: str
    name: str
    tag: str
    commit: str
    message: str
    tagger: str
    tagged_at: int

    def to_dict(self) -> dict[str, object]:
        return {
            "draft": self.draft,
            "name": self.name,
            "tag": self.tag,
            "commit": self.commit,
            "message": self.message,
            "tagger": self.tagger,
            "tagged_at": self.tagged_at,
        }


def is_draft_chain(key: str) -> bool:
    """Whether an event chain's key names a draft's chain (else it is an amendment's id)."""
    return key.startswith(DRAFT_CHAIN)


def _slugs(value: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in value.split(",") if part.strip())


@dataclass(frozen=True)
class Adoption:
    """The consensus an amendment was merged on, as its merge commit records it.

    Attributes:
        consensus: ``reached``, ``overridden`` (the chair merged without it, with a reason), or
            ``unrecorded`` (a merge made before wgtool recorded it).
        supporting, objecting, not_heard: Stakeholder group slugs at the time of the merge.
        reason: Why the chair overrode the consensus rule.
    """

    consensus: str
    supporting: tuple[str, ...] = ()
    objecting: tuple[str, ...] = ()
    not_heard: tuple[str, ...] = ()
    reason: str | None = None
    silence: str | None = None  # the silence procedure it was adopted under
    # Members whose break of that silence reached the record after the merge, though stamped
    # before the deadline (possible only without a guarded remote): the adoption is disputed.
    disputed_by: tuple[str, ...] = ()

    TRAILERS = ("Consensus", "Supporting-Groups", "Objecting-Groups", "Not-Heard")

    def trailers(self) -> list[tuple[str, str]]:
        """The merge commit's trailers for this adoption (fixed names)."""
        result = [
            ("Consensus", self.consensus),
            ("Supporting-Groups", ", ".join(self.supporting)),
            ("Objecting-Groups", ", ".join(self.objecting)),
            ("Not-Heard", ", ".join(self.not_heard)),
        ]
        if self.reason:
            result.append(("Override-Reason", self.reason))
        if self.silence:
            result.append(("Silence", self.silence))
        return result

    @classmethod
    def from_trailers(cls, trailers: dict[str, list[str]]) -> Adoption:
        def last(name: str) -> str:
            return trailers.get(name, [""])[-1]

        consensus = last("Consensus")
        return cls(
            consensus=(
                consensus if consensus in ("reached", "overridden", "silence") else "unrecorded"
            ),
            supporting=_slugs(last("Supporting-Groups")),
            objecting=_slugs(last("Objecting-Groups")),
            not_heard=_slugs(last("Not-Heard")),
            reason=last("Override-Reason") or None,
            silence=last("Silence") or None,
        )

    def describe(self) -> str:
        """One line: ``consensus reached (supporting: a, b; objecting: none; not heard: c)``."""
        if self.consensus == "unrecorded":
            return "consensus not recorded"
        detail = "; ".join(
            f"{label}: {', '.join(groups) or 'none'}"
            for label, groups in (
                ("supporting", self.supporting),
                ("objecting", self.objecting),
                ("not heard", self.not_heard),
            )
        )
        line = f"consensus {self.consensus} ({detail})"
        if self.silence and self.disputed_by:
            line = (
                f"adopted under silence {self.silence}, disputed: broken in time by "
                f"{', '.join(self.disputed_by)} ({detail})"
            )
        elif self.silence:
            line = f"adopted under silence {self.silence}, unbroken ({detail})"
        return f"{line}; reason: {self.reason}" if self.reason else line

    def to_dict(self) -> dict[str, object]:
        return {
            "consensus": self.consensus,
            "supporting_groups": list(self.supporting),
            "objecting_groups": list(self.objecting),
            "not_heard": list(self.not_heard),
            "override_reason": self.reason,
            "silence": self.silence,
            "disputed_by": list(self.disputed_by),
        }


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
    adoption: Adoption | None = None
    reverted_by: str | None = None
    revert_commit: str | None = None
    label: str | None = None  # the target paragraph's stable label at the base (7, 7bis)
    alternative_to: str | None = None  # the amendment it offers an alternative text to
    amends: str | None = None  # a sub-amendment: the amendment it amends
    amends_revision: str | None = None  # that amendment's revision it was made against
    number: int | None = None  # its official number in its draft (Am. 12); None: not asked for

    @property
    def official(self) -> str:
        """Its official number and id, as views name it: ``Am. 12 (3f9a01bc)``."""
        return self.id if self.number is None else f"Am. {self.number} ({self.id})"

    @property
    def target(self) -> str:
        """What it amends, in a table cell (see :meth:`Kind.mark`)."""
        return self.kind.mark(self.label or self.paragraph)

    @property
    def place(self) -> str:
        """What it amends, in words (see :meth:`Kind.phrase`)."""
        return self.kind.phrase(self.label or self.paragraph)

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
            "adoption": None if self.adoption is None else self.adoption.to_dict(),
            "reverted_by": self.reverted_by,
            "revert_commit": self.revert_commit,
            "label": self.label or (None if self.paragraph is None else str(self.paragraph)),
            "alternative_to": self.alternative_to,
            "amends": self.amends,
            "number": self.number,
        }


DRAFT_CHAIN = "draft-"
"""Event chains named ``draft-<slug>`` hold what is said of a draft rather than of one
amendment: brackets, paragraph status, the amendment window, silences, paragraph comments."""

# The optional fields of an event beyond the common ones, in the order they are written.
EVENT_DETAILS = ("paragraph", "words", "start", "held_by", "state", "target", "until", "anchor")


@dataclass(frozen=True, slots=True)
class Event:
    """One thing said in a chain (stored as ``events/<id>.json``): a comment, position or
    decision on an amendment, or, in a draft's chain (``amendment`` is ``draft-<slug>``), a
    bracket, a paragraph's status, the amendment window, a silence or a paragraph comment.

    Attributes:
        paragraph: The label of the paragraph it is about (brackets, status, comments).
        words: The bracketed words; empty for the whole paragraph.
        start: Where the bracketed words start in the paragraph at ``anchor``.
        held_by: Groups or members holding a bracket, or a paragraph is pending on.
        state: ``agreed``/``agreed-ad-ref``/``open`` (status), ``open``/``closed`` (window),
            ``on``/``off`` (co-sponsoring).
        target: The event it acts on (the bracket lifted, the silence broken), or the version
            name a silence on a draft concludes with.
        until: A deadline, seconds since the epoch (UTC): a silence's, or a window's.
        anchor: The main commit whose text it refers to.
    """

    id: str
    amendment: str
    type: str
    member: str
    group: str
    at: float
    revision: int
    stance: str | None = None
    text: str = ""
    reply_to: str | None = None
    paragraph: str | None = None
    words: str | None = None
    start: int | None = None
    held_by: tuple[str, ...] = ()
    state: str | None = None
    target: str | None = None
    until: float | None = None
    anchor: str | None = None

    @property
    def draft(self) -> str | None:
        """The draft of a draft chain's event (None for an event on an amendment)."""
        return self.amendment[len(DRAFT_CHAIN) :] if is_draft_chain(self.amendment) else None

    def details(self) -> dict[str, object]:
        """The optional fields that are set, as the event file stores them."""
        data: dict[str, object] = {}
        for name in EVENT_DETAILS:
            value = getattr(self, name)
            if value is not None and value != ():
                data[name] = list(value) if isinstance(value, tuple) else value
        return data

    def to_dict(self) -> dict[str, object]:
        data: dict[str, object] = {"id": self.id}
        if self.draft is not None:
            data["draft"] = self.draft
        else:
            data["amendment"] = self.amendment
        data |= {
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
        return data | self.details()

    @classmethod
    def from_dict(cls, data: dict[str, object]) -> Event:
        def optional(name: str) -> str | None:
            return None if data.get(name) is None else str(data[name])

        held = data.get("held_by") or []
        start, until = data.get("start"), data.get("until")
        return cls(
            id=str(data["id"]),
            amendment=(
                str(data["amendment"]) if "amendment" in data else DRAFT_CHAIN + str(data["draft"])
            ),
            type=str(data["type"]),
            member=str(data["member"]),
            group=str(data["group"]),
            at=float(data["at"]),  # type: ignore[arg-type]
            revision=int(data.get("revision", 1)),  # type: ignore[call-overload]
            stance=optional("stance"),
            text=str(data.get("text", "")),
            reply_to=optional("reply_to"),
            paragraph=optional("paragraph"),
            words=optional("words"),
            start=None if start is None else int(start),  # type: ignore[call-overload]
            held_by=tuple(str(h) for h in held) if isinstance(held, list) else ("?",),
            state=optional("state"),
            target=optional("target"),
            until=None if until is None else float(until),  # type: ignore[arg-type]
            anchor=optional("anchor"),
        )

    def sort_key(self) -> tuple[float, str]:
        return (self.at, self.id)
