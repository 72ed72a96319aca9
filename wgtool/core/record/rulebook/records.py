"""Reading commits in batches, and the small rules every record is checked against."""

from __future__ import annotations

import codecs
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from sys import intern

from wgtool.core import validate
from wgtool.core.labels import LABEL_RE
from wgtool.core.model import Event, Member, Settings
from wgtool.core.record.config import Roster
from wgtool.core.record.gitstore import CommitInfo, GitStore
from wgtool.core.record.messages import parse_message, record_mark
from wgtool.core.record.rulebook.layout import (
    AMENDMENT_EVENT_TYPES,
    CONSENSUS,
    CONSENSUS_GROUPS,
    DRAFT_EVENT_TYPES,
    EVENT_ID_RE,
    FILE_MODES,
    OVERRIDE_REASON,
    SHA_RE,
    SILENCE,
    STANCES,
    draft_path,
    labels_path,
)

# -- reading commits ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Change:
    """One path a commit changes against its first parent (against nothing for a root)."""

    status: str  # A, M, D or T
    path: str
    mode: str  # the new mode ("000000" when deleted)
    blob: str  # the new object


@dataclass(frozen=True, slots=True)
class Record(CommitInfo):
    """A commit as the rulebook reads it: with its message parsed and the paths it changes."""

    trailers: dict[str, tuple[str, ...]] = field(default_factory=dict)
    changes: tuple[Change, ...] = ()

    # The title and body are read again from the message when asked for (rarely): kept
    # beside it, they would hold every message twice while a clone judges thousands.
    @property
    def title(self) -> str:
        # parse_message's title: the first paragraph (trailers only ever end a later one).
        return self.message.strip("\n").split("\n\n", 1)[0]

    @property
    def body(self) -> str:
        return parse_message(self.message)[1]

    def trailer(self, key: str) -> str | None:
        values = self.trailers.get(key)
        return values[-1] if values else None

    @property
    def author(self) -> str:
        return f"{self.author_name} <{self.author_email}>"


_FIELDS = ["%H", "%P", "%T", "%an", "%ae", "%at", "%cn", "%ce", "%ct", "%B"]


def read_records(store: GitStore, args: list[str], revisions: Iterable[str]) -> list[Record]:
    """Commits (``git log`` with ``args`` over ``revisions``) with their changed paths.

    One git process. Merges are compared with their first parent, roots with the empty tree.
    Records are delimited by random marks: member text in a message cannot split them.
    """
    lines = list(revisions)
    if not lines:
        return []
    start, end = record_mark(), record_mark()
    layout = start.replace("\x1e", "%x1e") + "%x00".join(_FIELDS) + end.replace("\x1e", "%x1e")
    output = store.stream(
        [
            "-c",
            "log.showRoot=true",
            "-c",
            "log.showSignature=false",
            "log",
            "--no-color",
            "--no-renames",
            "--diff-merges=first-parent",
            "--raw",
            "--no-abbrev",
            "-z",
            f"--format={layout}",
            *args,
            "--stdin",
        ],
        input=("\n".join(lines) + "\n").encode(),
    )
    # Read as git writes (a clone reads tens of thousands of commits at once: parsed while git
    # reads the next, and no second copy of the whole output), each name and email kept once
    # however many commits repeat it. A record is whole once the next one's mark has come.
    records: list[Record] = []
    decoder = codecs.getincrementaldecoder("utf-8")("replace")
    pending = ""
    for piece in output:
        pending += decoder.decode(piece)
        at = pending.find(start)
        while at >= 0 and (following := pending.find(start, at + len(start))) >= 0:
            records.append(_record(pending[at + len(start) : following], end))
            at = following
        pending = pending[at:] if at >= 0 else pending
    pending += decoder.decode(b"", final=True)
    if pending.startswith(start):
        records.append(_record(pending[len(start) :], end))
    return records


def _record(chunk: str, end: str) -> Record:
    """One commit of the output of :func:`read_records`, without its starting mark."""
    header, _, raw = chunk.partition(end)
    sha, parents, tree, an, ae, at, cn, ce, ct, message = header.split("\x00", 9)
    trailers = {key: tuple(values) for key, values in parse_message(message)[2].items()}
    return Record(
        sha=sha,
        parents=tuple(parents.split()),
        tree=tree,
        author_name=intern(an),
        author_email=intern(ae),
        authored_at=int(at or 0),
        committer_name=intern(cn),
        committer_email=intern(ce),
        committed_at=int(ct or 0),
        message=message,
        trailers=trailers,
        changes=_changes(raw),
    )


def _changes(raw: str) -> tuple[Change, ...]:
    """``--raw -z`` output: ``:oldmode newmode oldsha newsha status NUL path NUL`` ..."""
    tokens = raw.lstrip("\x00\n").split("\x00")
    changes = []
    for meta, path in zip(tokens[0::2], tokens[1::2], strict=False):
        parts = meta.lstrip(":").split()
        if len(parts) == 5:
            status, mode = intern(parts[4][:1]), intern(parts[1])
            changes.append(Change(status=status, path=path, mode=mode, blob=parts[3]))
    return tuple(changes)


def parse_event(data: bytes) -> Event | None:
    """An event file's event, or None when it is not one wgtool can read."""
    try:
        parsed = json.loads(data.decode("utf-8"))
        if not isinstance(parsed, dict):
            return None
        # Members, groups, types and ids recur across thousands of events: each kept once.
        short = {k: intern(v) for k, v in parsed.items() if isinstance(v, str) and len(v) <= 64}
        return Event.from_dict({**parsed, **short})
    except (ValueError, KeyError, TypeError, RecursionError):
        return None


# -- what the rulebook answers -----------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    """Something that breaks a rule: where (ref and commit), why, and who made it."""

    ref: str
    reason: str
    commit: str | None = None
    author: str | None = None

    def line(self) -> str:
        where = self.ref + (f" {self.commit[:10]}" if self.commit else "")
        by = f" (by {self.author})" if self.author else ""
        return f"{where}{by}: {self.reason}"


@dataclass(frozen=True)
class Config:
    """Settings and roster, and the blobs of ``wg.toml`` and ``roster.toml`` they come from."""

    settings: Settings
    roster: Roster
    blobs: tuple[str, str]


# -- small rules -------------------------------------------------------------------------------


def same_member(
    record: Record, member: Member, problems: list[str], *, author: bool = True
) -> None:
    """The commit's committer (and author) are ``member``, as the roster knows them."""
    email = member.email.lower()
    if author and record.author_email.lower() != email:
        problems.append(f"says {member.handle} but the author is {record.author_email}")
    if record.committer_email.lower() != email:
        problems.append(f"says {member.handle} but the committer is {record.committer_email}")


def only_draft(record: Record, draft: str, problems: list[str], *, what: str) -> None:
    """The commit changes only ``draft`` (a merge or a revert its labels too)."""
    for change in record.changes:
        labels = change.path == labels_path(draft) and what != "an amendment"
        if (
            not (change.path == draft_path(draft) or labels)
            or (change.status != "M" and not labels)
            or (change.status != "D" and change.mode not in FILE_MODES)
        ):
            problems.append(f"{what} may change only {draft_path(draft)}, not {change.path}")
            return


def same_group(
    claimed: str | None, member: Member, problems: list[str], *, what: str = "it"
) -> None:
    if claimed is not None and claimed != member.group:
        problems.append(
            f"{what} claims the group {claimed!r}, but {member.handle} is in {member.group!r}"
        )


def well_formed(event: Event) -> bool:
    """An event wgtool could have written (its fields, each as its type has them)."""
    types = DRAFT_EVENT_TYPES if event.draft is not None else AMENDMENT_EVENT_TYPES
    if event.type not in types or not validate.NAME_RE.match(event.member):
        return False
    if event.reply_to is not None and not EVENT_ID_RE.match(event.reply_to):
        return False
    if not ((event.stance in STANCES) if event.type == "position" else event.stance is None):
        return False
    return _details_fit(event)


# What each type of event must (True) or may (None) carry; other details it must not.
_DETAILS: dict[str, dict[str, bool | None]] = {
    "comment": {"paragraph": None, "anchor": None},
    "bracket": {"paragraph": True, "anchor": True, "words": None, "start": None, "held_by": None},
    "unbracket": {"target": True},
    "status": {"paragraph": True, "anchor": True, "state": True, "held_by": None},
    "window": {"state": True, "until": None},
    "focus": {"paragraph": True, "anchor": True},
    "silence": {"until": True, "target": None, "anchor": None},
    "silence-break": {"target": True},
    "cosponsor": {"state": True},
    "reservation": {"paragraph": True, "target": True, "anchor": True},
    "explanation": {"target": True, "anchor": True},
    "retract": {"target": True},
}
_STATES = {
    "status": ("open", "agreed", "agreed-ad-ref"),
    "window": ("open", "closed"),
    "cosponsor": ("on", "off"),
}


def _details_fit(event: Event) -> bool:
    fields = _DETAILS.get(event.type, {})
    details = event.details()
    if any(name not in fields for name in details):
        return False
    if any(required and name not in details for name, required in fields.items()):
        return False
    if event.type == "comment" and (event.draft is not None) != (event.paragraph is not None):
        return False  # a draft's comments are on a paragraph, an amendment's are not
    checks = (
        event.paragraph is None or bool(LABEL_RE.match(event.paragraph)),
        event.anchor is None or bool(SHA_RE.match(event.anchor)),
        event.start is None or event.start >= 0,
        all(validate.NAME_RE.match(h) for h in event.held_by),
        event.state is None or event.state in _STATES.get(event.type, ()),
        event.until is None or 0 < event.until < 1e11,
        event.target is None
        or bool(
            validate.VERSION_RE.match(event.target)
            if event.type == "silence"
            else EVENT_ID_RE.match(event.target)
        ),
        event.words is None or "\n\n" not in event.words,
    )
    return all(checks)


def consensus_problems(record: Record, settings: Settings) -> list[str]:
    """The consensus a merge records, when it records one, must be well formed."""
    state = record.trailer(CONSENSUS)
    if state is None:
        return []
    problems = []
    if state not in ("reached", "overridden", "silence"):
        problems.append(f"records consensus {state!r}, not reached, overridden or silence")
    if state == "silence" and not EVENT_ID_RE.match(record.trailer(SILENCE) or ""):
        problems.append("adopts under silence without naming the silence")
    if state == "overridden" and not (record.trailer(OVERRIDE_REASON) or "").strip():
        problems.append("overrides the consensus rule without a reason")
    for key in CONSENSUS_GROUPS:
        groups = [g.strip() for g in (record.trailer(key) or "").split(",") if g.strip()]
        unknown = [g for g in groups if g not in settings.groups]
        if unknown:
            problems.append(f"{key} names unknown groups: {', '.join(unknown)}")
    return problems


def person_of(line: str) -> tuple[str, str, int]:
    """(email, name, time) of a ``Name <email> time zone`` header."""
    match = re.match(r"^(.*?) ?<([^<>]*)> (\d+)", line)
    if not match:
        return "", line, 0
    return match.group(2), match.group(1), int(match.group(3))
