"""The rulebook: where the record lives in git, and what makes a commit, an event or a tag valid.

Sync, clone, verify, the index and a remote's pre-receive guard all ask this module; none of
them keeps rules of its own.

**Authority.** Every object is judged by the settings and roster *in force* at a main commit it
depends on:

* a main commit by those at its first parent (main is read along its first-parent history, from
  its first commit forward; a commit that breaks the rules changes nothing that is in force);
* an amendment revision or an event by those at the main commit it was made against: the
  amendment's base for its first revision, else the ``Main:`` trailer. That commit must be on
  main and never older than the one its parent was made against. Records written before the
  trailer existed are judged at the newest main commit made before them;
* a consensus version by those at the commit it tags.

So adding a chair, or rotating or revoking a key, never invalidates what was valid when it was
made.

**Rules.**

* One member per object: author, committer, ``Member:`` trailer (``Merged-by:``/``Reverted-by:``
  for the chair), the event file's ``member`` and, where the working group requires signatures,
  the signing key all name the same member. The stakeholder group is the roster's.
* Main moves by a chair merge of one amendment (two parents: old main and the amendment's last
  revision; only that amendment's draft changes), by a chair's revert of a merged amendment (only
  its draft changes), or by a secretariat change whose settings and roster validate. While the
  roster has never had a member, the first member may found it.
* An amendment is a chain of revisions by its proposer, the first parented on a main commit;
  each revision changes only the amendment's draft.
* An event chain only adds files, one ``events/<id>.json`` per commit, so no event replaces
  another; joins of two chains add nothing of their own. Comments and positions are any
  member's, a rejection the chair's, a withdrawal the proposer's.
* A consensus version is an annotated tag ``<draft>/<name>`` on a main commit, by a secretariat
  member (matched by email and key, never by display name).
* "Merged" means a valid chair merge on main's first-parent history, not reverted since.
"""

from __future__ import annotations

import json
import re
from bisect import bisect_right
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace

from gitdb.exc import ODBError
from gitdb.util import hex_to_bin

from wgtool.core import config, signing, validate
from wgtool.core.config import Roster
from wgtool.core.errors import PermissionDenied, WgError
from wgtool.core.gitstore import CommitInfo, GitStore, parse_message, record_mark
from wgtool.core.model import Event, Kind, Member, Role, Settings, Stance, Version

# -- layout ------------------------------------------------------------------------------------

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


# -- reading commits ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    """One path a commit changes against its first parent (against nothing for a root)."""

    status: str  # A, M, D or T
    path: str
    mode: str  # the new mode ("000000" when deleted)
    blob: str  # the new object


@dataclass(frozen=True)
class Record(CommitInfo):
    """A commit as the rulebook reads it: with its message parsed and the paths it changes."""

    title: str = ""
    body: str = ""
    trailers: dict[str, list[str]] = field(default_factory=dict)
    changes: tuple[Change, ...] = ()

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
    output = store.run(
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
    ).stdout.decode("utf-8", "replace")
    records = []
    for chunk in output.split(start)[1:]:
        header, _, raw = chunk.partition(end)
        sha, parents, tree, an, ae, at, cn, ce, ct, message = header.split("\x00", 9)
        title, body, trailers = parse_message(message)
        records.append(
            Record(
                sha=sha,
                parents=tuple(parents.split()),
                tree=tree,
                author_name=an,
                author_email=ae,
                authored_at=int(at or 0),
                committer_name=cn,
                committer_email=ce,
                committed_at=int(ct or 0),
                message=message,
                title=title,
                body=body,
                trailers=trailers,
                changes=_changes(raw),
            )
        )
    return records


def _changes(raw: str) -> tuple[Change, ...]:
    """``--raw -z`` output: ``:oldmode newmode oldsha newsha status NUL path NUL`` ..."""
    tokens = raw.lstrip("\x00\n").split("\x00")
    changes = []
    for meta, path in zip(tokens[0::2], tokens[1::2], strict=False):
        parts = meta.lstrip(":").split()
        if len(parts) == 5:
            changes.append(Change(status=parts[4][:1], path=path, mode=parts[1], blob=parts[3]))
    return tuple(changes)


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


# Kinds of main commits.
INIT = "init"
FOUNDING = "founding"
SECRETARIAT = "secretariat"
MERGE = "merge"
REVERT = "revert"
INVALID = "invalid"


@dataclass
class MainCommit:
    """One commit of main's first-parent history, classified."""

    record: Record
    position: int
    kind: str = INVALID
    member: str | None = None  # who acted: the secretariat member, or the chair
    amendment: str | None = None  # the amendment merged or reverted
    draft: str | None = None
    problems: list[str] = field(default_factory=list)
    config: Config | None = None  # the settings and roster in force after this commit
    founded: bool = False  # the roster has had a member at this commit or before

    @property
    def sha(self) -> str:
        return self.record.sha

    @property
    def valid(self) -> bool:
        return not self.problems

    def stored(self) -> StoredMainCommit:
        """What the index keeps of this commit, to go on from it without reading main again."""
        return StoredMainCommit(
            sha=self.sha,
            tree=self.record.tree,
            committed_at=self.record.committed_at,
            kind=self.kind,
            problem=self.problems[0] if self.problems else None,
            member=self.member,
            amendment=self.amendment,
            draft=self.draft,
            settings_blob=self.config.blobs[0] if self.config else None,
            roster_blob=self.config.blobs[1] if self.config else None,
            founded=self.founded,
        )


@dataclass(frozen=True)
class StoredMainCommit:
    """A judged main commit as the index stores it (see :meth:`Rulebook.restored_history`)."""

    sha: str
    tree: str
    committed_at: int
    kind: str
    problem: str | None
    member: str | None
    amendment: str | None
    draft: str | None
    settings_blob: str | None
    roster_blob: str | None
    founded: bool


class MainHistory:
    """Main's first-parent history from its first commit, each commit judged in order."""

    def __init__(self, tip: str | None, commits: list[MainCommit]) -> None:
        self.tip = tip
        self.commits: list[MainCommit] = []
        self._positions: dict[str, int] = {}
        self._times: list[int] = []  # the latest commit time so far, at each position
        for commit in commits:
            self.append(commit)

    def append(self, commit: MainCommit) -> None:
        self.commits.append(commit)
        self._positions[commit.sha] = commit.position
        self._times.append(max([commit.record.committed_at, *self._times[-1:]]))

    def position(self, sha: str | None) -> int | None:
        """Where ``sha`` is on main's first-parent history, or None when it is not."""
        return None if sha is None else self._positions.get(sha)

    def config(self, position: int) -> Config | None:
        return self.commits[position].config

    def position_at_time(self, when: int, not_before: int) -> int:
        """The newest main commit made at or before ``when`` (for records without ``Main:``)."""
        return max(bisect_right(self._times, when) - 1, not_before, 0)

    def invalid(self, after: int = -1) -> list[MainCommit]:
        return [c for c in self.commits[after + 1 :] if not c.valid]

    def state(self) -> MainState:
        """What is in force after the last commit (to judge the commits that follow it)."""
        last = self.commits[-1] if self.commits else None
        return MainState(
            config=last.config if last else None,
            founded=last.founded if last else False,
            merged={a: c.draft or "" for a, c in self.merged().items()},
        )

    def merged(self) -> dict[str, MainCommit]:
        """Amendments merged on main and not reverted since, with their merge commit."""
        merged: dict[str, MainCommit] = {}
        for c in self.commits:
            if c.valid and c.kind == MERGE and c.amendment:
                merged[c.amendment] = c
            elif c.valid and c.kind == REVERT and c.amendment:
                merged.pop(c.amendment, None)
        return merged


@dataclass
class AmendmentChain:
    """An amendment's revisions (first revision first) as the rulebook read them."""

    amendment: str
    tip: str
    revisions: list[Record] = field(default_factory=list)
    positions: list[int] = field(default_factory=list)  # the main commit each depends on
    proposer: str | None = None
    group: str | None = None
    draft: str | None = None
    problems: list[tuple[Record | None, str]] = field(default_factory=list)

    @property
    def base(self) -> str | None:
        first = self.revisions[0] if self.revisions else None
        return first.parents[0] if first is not None and first.parents else None

    @property
    def valid(self) -> bool:
        return bool(self.revisions) and not self.problems


@dataclass
class EventChain:
    """The events of one amendment's chain: the valid ones, and what is wrong with the rest."""

    amendment: str
    tip: str
    events: list[Event] = field(default_factory=list)
    problems: list[tuple[Record | None, str]] = field(default_factory=list)
    commits: int = 0
    partial: bool = False  # only the commits after an earlier tip were judged

    @property
    def valid(self) -> bool:
        return not self.problems


@dataclass(frozen=True)
class TagVerdict:
    name: str
    sha: str
    version: Version | None
    problems: tuple[str, ...]
    tagger: str | None = None


# -- the rulebook ------------------------------------------------------------------------------


class Rulebook:
    """Judges the objects of one repository; caches what it read while it lives.

    ``audit`` (sync, verify and the guard) checks signatures where the working group requires
    them and that nothing is made against an older main commit than its parent. The index reads
    without it: signatures cost a process each, and it reads event chains a few commits at a time.
    """

    def __init__(self, store: GitStore, *, audit: bool = True) -> None:
        self.store = store
        self.audit = audit
        self._checked: set[str] = set()  # the commits and tags whose signature was checked
        self._judged: set[str] = set()  # the commits judged
        self._records: dict[str, Record] = {}
        self._configs: dict[tuple[str | None, str | None], Config | str] = {}
        self._signers: dict[str, str | None] = {}
        self._pending: set[str] = set()
        self._joins: dict[tuple[str, str], str | None] = {}
        self._histories: dict[str | None, MainHistory] = {}
        self._complete: set[str] = set()  # event tips whose whole chain has been read
        self._sizes: dict[str, int] = {}

    @property
    def signatures_checked(self) -> int:
        return len(self._checked)

    @property
    def commits_judged(self) -> int:
        return len(self._judged)

    # -- settings and roster -------------------------------------------------------------------

    def config_of_tree(self, tree: str) -> Config | str:
        """The settings and roster in a tree, or why they cannot be read (one line)."""
        entries = {name: (mode, sha) for name, mode, sha in self.store.tree_entries(tree)}
        blobs: list[str | None] = []
        for path in CONFIG_PATHS:
            mode, sha = entries.get(path, (0, None))
            if sha is not None and f"{mode:o}" not in FILE_MODES:
                return f"{path} is not a file"
            blobs.append(sha)
        return self._configs_of(blobs[0], blobs[1])

    def _configs_of(self, settings_blob: str | None, roster_blob: str | None) -> Config | str:
        key = (settings_blob, roster_blob)
        if key not in self._configs:
            self._configs[key] = self._parse_config(*key)
        return self._configs[key]

    def _parse_config(self, settings_blob: str | None, roster_blob: str | None) -> Config | str:
        for path, blob in zip(CONFIG_PATHS, (settings_blob, roster_blob), strict=True):
            if blob is None:
                return f"{path} is missing"
            if self._blob_sizes([blob]).get(blob, 0) > config.MAX_CONFIG_BYTES:
                return f"{path} is larger than 1 MB"
        assert settings_blob is not None and roster_blob is not None
        try:
            settings, roster = config.parse_config(
                self.store.read_blob(settings_blob), self.store.read_blob(roster_blob)
            )
            for member in roster:
                if member.ssh_key:
                    signing.fingerprint(member.ssh_key)
        except WgError as error:
            return error.message
        return Config(settings, roster, (settings_blob, roster_blob))

    def _blob_sizes(self, shas: Iterable[str]) -> dict[str, int]:
        """The sizes of objects, read in one git process (and kept)."""
        wanted = sorted(set(shas) - set(self._sizes))
        if wanted:
            result = self.store.run(
                ["cat-file", "--batch-check=%(objectname) %(objectsize)"],
                input=("\n".join(wanted) + "\n").encode(),
                check=False,
            )
            for line in result.stdout.decode().splitlines():
                sha, _, size = line.partition(" ")
                if size.isdigit():
                    self._sizes[sha] = int(size)
        return self._sizes

    # -- main ----------------------------------------------------------------------------------

    def history(self, tip: str | None, *, since: MainHistory | None = None) -> MainHistory:
        """Main's first-parent history up to ``tip``, every commit judged.

        ``since`` is an earlier history of main: when ``tip`` follows from its tip, only the
        commits after it are read and judged.
        """
        if since is not None and since.tip == tip:
            return since
        if tip in self._histories:
            return self._histories[tip]
        known = since if since is not None and since.tip is not None and tip else None
        records: list[Record] = []
        if tip and known is not None:
            records = read_records(
                self.store, ["--first-parent", "--reverse"], [tip, f"^{known.tip}"]
            )
            if not records or records[0].parents[:1] != (known.tip,):
                known = None  # main was not fast-forwarded from there: read it all
        if tip and known is None:
            records = read_records(self.store, ["--first-parent", "--reverse"], [tip])
        merged_tips = {
            (r.trailer(AMENDMENT_ID) or "", r.parents[1]) for r in records if len(r.parents) == 2
        }
        self._load_chains(merged_tips)
        while True:
            self._pending = set()
            history = MainHistory(tip, list(known.commits) if known else [])
            state = known.state() if known else MainState()
            for record in records:
                commit = MainCommit(record, len(history.commits))
                history.append(commit)
                self._judge_main(commit, state, history)
            if not self._fetch_pending_signatures():
                break
        self._histories[tip] = history
        return history

    def restored_history(self, tip: str, stored: Iterable[StoredMainCommit]) -> MainHistory:
        """A history as the index stored it, without reading main again."""
        history = MainHistory(tip, [])
        for item in stored:
            config_ = (
                self._configs_of(item.settings_blob, item.roster_blob)
                if item.settings_blob
                else None
            )
            record = Record(
                sha=item.sha,
                parents=(),
                tree=item.tree,
                author_name="",
                author_email="",
                authored_at=item.committed_at,
                committer_name="",
                committer_email="",
                committed_at=item.committed_at,
                message="",
            )
            history.append(
                MainCommit(
                    record,
                    len(history.commits),
                    kind=item.kind,
                    member=item.member,
                    amendment=item.amendment,
                    draft=item.draft,
                    problems=[item.problem] if item.problem else [],
                    config=config_ if isinstance(config_, Config) else None,
                    founded=item.founded,
                )
            )
        return history

    def _judge_main(self, commit: MainCommit, state: MainState, history: MainHistory) -> None:
        record = commit.record
        self._judged.add(record.sha)
        problems = commit.problems
        before = state.config
        after: Config | str | None = None
        if not record.parents:
            commit.kind = INIT
            after = self.config_of_tree(record.tree)
            if isinstance(after, str):
                problems.append(f"the working group's first commit is not valid: {after}")
        elif before is None:
            problems.append("main does not start with a valid working group")
        elif len(record.parents) > 2:
            problems.append(f"a commit with {len(record.parents)} parents")
        elif len(record.parents) == 2:
            commit.kind = MERGE
            self._judge_merge(commit, before, state, history)
        elif record.trailer(ACTION) == REVERT_ACTION:
            commit.kind = REVERT
            self._judge_revert(commit, before, state)
        elif not state.founded:
            commit.kind = FOUNDING
            after = self.config_of_tree(record.tree)
            if isinstance(after, str):
                problems.append(after)
            else:
                self._judge_founding(commit, after)
        else:
            commit.kind = SECRETARIAT
            if any(c.path in CONFIG_PATHS for c in record.changes):
                after = self.config_of_tree(record.tree)
            self._judge_secretariat(commit, before, after)
        # What a commit that breaks the rules changes is not in force for the commits after it.
        if not problems and isinstance(after, Config):
            state.config = after
            state.founded = state.founded or len(after.roster) > 0
        if commit.valid and commit.kind == MERGE and commit.amendment:
            state.merged[commit.amendment] = commit.draft or ""
        if commit.valid and commit.kind == REVERT and commit.amendment:
            state.merged.pop(commit.amendment, None)
        commit.config = state.config
        commit.founded = state.founded

    def _acting(
        self,
        record: Record,
        config_: Config,
        handle: str | None,
        role: Role,
        problems: list[str],
        *,
        author: bool = True,
    ) -> None:
        """The member a main commit names must hold ``role``, have made it and signed it."""
        member = config_.roster.members.get(handle or "")
        if member is None:
            problems.append(f"made by {handle!r}, who is not in the roster")
            return
        if not member.has(role):
            problems.append(f"made by {handle}, who is not {role.value}")
        _same_member(record, member, problems, author=author)
        self._signed(record, member, config_.settings, problems)

    def _judge_founding(self, commit: MainCommit, after: Config) -> None:
        """While the roster has never had a member, the first one may add themselves."""
        record, problems = commit.record, commit.problems
        handle = record.trailer(MEMBER)
        commit.member = handle
        self._acting(record, after, handle, Role.SECRETARIAT, problems)
        others = [c.path for c in record.changes if c.path != ROSTER_PATH]
        if others:
            problems.append(f"founding the roster changes {others[0]} too")

    def _judge_secretariat(
        self, commit: MainCommit, before: Config, after: Config | str | None
    ) -> None:
        record, problems = commit.record, commit.problems
        handle = record.trailer(MEMBER)
        commit.member = handle
        if record.trailer(MERGED_BY) or record.trailer(AMENDMENT_ID):
            problems.append("a chair merge needs two parents: old main and the amendment")
        self._acting(record, before, handle, Role.SECRETARIAT, problems)
        for change in record.changes:
            if change.path.startswith(DRAFTS_DIR + "/"):
                slug = change.path[len(DRAFTS_DIR) + 1 :].removesuffix(".md")
                well_formed = change.path == draft_path(slug) and validate.NAME_RE.match(slug)
                if not well_formed or (change.status != "D" and change.mode not in FILE_MODES):
                    problems.append(f"{change.path} is not a draft file")
        if isinstance(after, str):
            problems.append(after)
        elif after is not None and not any(m.has(Role.SECRETARIAT) for m in after.roster):
            problems.append("the roster would have no secretariat member left")

    def _judge_merge(
        self, commit: MainCommit, before: Config, state: MainState, history: MainHistory
    ) -> None:
        record, problems = commit.record, commit.problems
        amendment = record.trailer(AMENDMENT_ID) or ""
        commit.amendment = amendment
        chair = record.trailer(MERGED_BY)
        commit.member = chair
        self._acting(record, before, chair, Role.CHAIR, problems, author=False)
        if not AMENDMENT_ID_RE.match(amendment):
            problems.append("a merge that names no amendment")
            return
        if amendment in state.merged:
            problems.append(f"amendment {amendment} is merged already")
        chain = self.amendment_chain(amendment, record.parents[1], history, limit=commit.position)
        commit.draft = chain.draft
        for _, reason in chain.problems[:1]:
            problems.append(f"the merged amendment {amendment} is not valid: {reason}")
        if chain.proposer and record.trailer(PROPOSED_BY) != chain.proposer:
            problems.append(
                f"says it was proposed by {record.trailer(PROPOSED_BY)}, not {chain.proposer}"
            )
        proposer = before.roster.members.get(chain.proposer or "")
        proposer_email = (
            proposer.email if proposer else (chain.revisions or [record])[-1].author_email
        )
        if record.author_email.lower() != proposer_email.lower():
            problems.append(f"the author is {record.author_email}, not the proposer")
        if chain.draft:
            self._only_draft(record, chain.draft, problems, what="a merge")
        problems.extend(_consensus_problems(record, before.settings))

    def _judge_revert(self, commit: MainCommit, before: Config, state: MainState) -> None:
        record, problems = commit.record, commit.problems
        amendment = record.trailer(REVERTS) or ""
        commit.amendment = amendment
        chair = record.trailer(REVERTED_BY)
        commit.member = chair
        if record.trailer(MEMBER) != chair:
            problems.append(f"says Member {record.trailer(MEMBER)} but Reverted-by {chair}")
        self._acting(record, before, chair, Role.CHAIR, problems)
        if amendment not in state.merged:
            problems.append(f"reverts amendment {amendment!r}, which is not merged on main")
            return
        commit.draft = state.merged[amendment]
        self._only_draft(record, commit.draft, problems, what="a revert")

    def _only_draft(self, record: Record, draft: str, problems: list[str], *, what: str) -> None:
        for change in record.changes:
            if (
                change.path != draft_path(draft)
                or change.status != "M"
                or change.mode not in FILE_MODES
            ):
                problems.append(f"{what} may change only {draft_path(draft)}, not {change.path}")
                return

    # -- signatures ----------------------------------------------------------------------------

    def _signed(
        self, record: Record, member: Member, settings: Settings, problems: list[str]
    ) -> None:
        """Where signatures are required, the commit must be signed with ``member``'s key."""
        if not self.audit or settings.signatures != "required":
            return
        self._checked.add(record.sha)
        if not member.ssh_key:
            problems.append(
                f"signatures are required and the roster has no SSH key for {member.handle}"
            )
            return
        if record.sha not in self._signers:
            self._pending.add(record.sha)
            return
        signer = self._signers[record.sha]
        if signer is None:
            problems.append(f"no valid signature by {member.handle}'s key in the roster")
        elif signer != signing.fingerprint(member.ssh_key):
            problems.append(f"signed with a key that is not {member.handle}'s key in the roster")

    def _fetch_pending_signatures(self) -> bool:
        """Read the signatures the last pass needed; True when there were any (judge again)."""
        pending = self._pending - set(self._signers)
        self._pending = set()
        if not pending:
            return False
        self._signers.update(signing.commit_signers(self.store, pending))
        return True

    # -- amendments ----------------------------------------------------------------------------

    def _load_chains(self, tips: Iterable[tuple[str, str]]) -> None:
        """Read amendment revisions, one git process per revision depth (not per commit)."""
        pending = {(a, sha) for a, sha in tips if SHA_RE.match(sha)}
        for _ in range(MAX_REVISIONS + 1):
            missing = {sha for _, sha in pending if sha not in self._records}
            if missing:
                for found in read_records(
                    self.store, ["--no-walk=unsorted"], self._existing_commits(missing)
                ):
                    self._records[found.sha] = found
            following = set()
            for amendment, sha in pending:
                record = self._records.get(sha)
                if (
                    record is not None
                    and record.trailer(AMENDMENT_ID) == amendment
                    and record.trailer(REVISION) not in (None, "1")
                    and len(record.parents) == 1
                ):
                    following.add((amendment, record.parents[0]))
            if not following:
                return
            pending = following

    def _existing_commits(self, shas: Iterable[str]) -> list[str]:
        """The shas that name commits in this repository (others are simply not read)."""
        wanted = sorted(shas)
        if not wanted:
            return []
        result = self.store.run(
            ["cat-file", "--batch-check=%(objectname) %(objecttype)"],
            input=("\n".join(wanted) + "\n").encode(),
            check=False,
        )
        return [
            line.split()[0]
            for line in result.stdout.decode().splitlines()
            if line.endswith(" commit")
        ]

    def amendment_chain(
        self, amendment: str, tip: str, history: MainHistory, *, limit: int | None = None
    ) -> AmendmentChain:
        """Judge the amendment whose last revision is ``tip`` (``limit``: main commits from that
        position on do not count as on main yet, for a merge judged on its way up main)."""
        self._load_chains([(amendment, tip)])
        chain = AmendmentChain(amendment, tip)
        sha: str | None = tip
        while sha is not None and len(chain.revisions) <= MAX_REVISIONS:
            record = self._records.get(sha)
            if (
                record is None
                or record.trailer(AMENDMENT_ID) != amendment
                or not record.trailer(REVISION)
            ):
                break
            chain.revisions.append(record)
            if record.trailer(REVISION) == "1" or len(record.parents) != 1:
                break
            sha = record.parents[0]
        chain.revisions.reverse()
        if not chain.revisions:
            chain.problems.append((None, f"holds no revision of amendment {amendment}"))
            return chain
        first = chain.revisions[0]
        if first.trailer(REVISION) != "1" or len(first.parents) != 1:
            chain.problems.append((first, "its first revision is not revision 1 with one parent"))
            return chain
        base = first.parents[0]
        base_position = history.position(base)
        if base_position is None or (limit is not None and base_position >= limit):
            chain.problems.append((first, f"based on {base[:10]}, which is not on main"))
            return chain
        chain.proposer = first.trailer(MEMBER)
        chain.draft = first.trailer(DRAFT)
        if not validate.NAME_RE.match(chain.draft or ""):
            chain.problems.append((first, f"names no valid draft ({chain.draft!r})"))
            return chain
        position = base_position
        for number, record in enumerate(chain.revisions, 1):
            if number > 1:
                found = self._depends_on(record, history, position, limit)
                if isinstance(found, str):
                    chain.problems.append((record, found))
                    continue
                position = found
            chain.positions.append(position)
            for reason in self._judge_revision(record, number, chain, history, position):
                chain.problems.append((record, reason))
        return chain

    def _judge_revision(
        self,
        record: Record,
        number: int,
        chain: AmendmentChain,
        history: MainHistory,
        position: int,
    ) -> list[str]:
        self._judged.add(record.sha)
        problems: list[str] = []
        if record.trailer(REVISION) != str(number):
            problems.append(f"numbered revision {record.trailer(REVISION)}, not {number}")
        handle = record.trailer(MEMBER)
        if handle != chain.proposer:
            problems.append(f"revised by {handle}, not by its proposer {chain.proposer}")
        if record.trailer(DRAFT) != chain.draft:
            problems.append(f"moves the amendment to draft {record.trailer(DRAFT)!r}")
        if (record.trailer(KIND) or Kind.DOCUMENT.value) not in KINDS:
            problems.append(f"an unknown kind of amendment {record.trailer(KIND)!r}")
        paragraph = record.trailer(PARAGRAPH)
        if paragraph is not None and not paragraph.isdigit():
            problems.append(f"names paragraph {paragraph!r}")
        assert chain.draft is not None
        if number == 1 and not record.changes:
            problems.append("changes nothing")
        self._only_draft(record, chain.draft, problems, what="an amendment")
        current = history.config(position)
        if current is None:
            problems.append("made against a main commit with no valid roster")
            return problems
        member = current.roster.members.get(handle or "")
        if member is None:
            problems.append(f"made by {handle!r}, who is not in the roster")
            return problems
        if number == 1:
            chain.group = member.group
        _same_member(record, member, problems)
        _same_group(record.trailer(GROUP), member, problems)
        self._signed(record, member, current.settings, problems)
        return problems

    def _depends_on(
        self, record: Record, history: MainHistory, not_before: int, limit: int | None = None
    ) -> int | str:
        """The position of the main commit a revision or event was made against, or why not."""
        main = record.trailer(MAIN)
        if not self.audit:
            not_before = 0
        if main is None:
            position = history.position_at_time(record.committed_at, not_before)
            # Times have one-second steps: never the commit being judged, or one after it.
            return position if limit is None else max(min(position, limit - 1), 0)
        found = history.position(main)
        if found is None or (limit is not None and found >= limit):
            return f"made against {main[:10]}, which is not on main"
        position = found
        if position < not_before:
            return (
                f"made against {main[:10]}, older than the main commit its parent was made against"
            )
        return position

    def amendment_chains(
        self, tips: Mapping[str, str], history: MainHistory
    ) -> dict[str, AmendmentChain]:
        """Judge many amendments at once (their revisions are read in a few git processes)."""
        self._load_chains(tips.items())
        while True:
            self._pending = set()
            chains = {a: self.amendment_chain(a, tip, history) for a, tip in tips.items()}
            if not self._fetch_pending_signatures():
                return chains

    # -- events --------------------------------------------------------------------------------

    def event_chains(
        self,
        tips: Mapping[str, str],
        history: MainHistory,
        proposers: Mapping[str, str | None],
        *,
        since: Mapping[str, str] | None = None,
    ) -> dict[str, EventChain]:
        """Judge the event chains of many amendments; ``proposers`` says who may withdraw each.

        ``since`` ({amendment: earlier tip}) judges only the commits added after that tip when
        the chain grew from it (the chain is then ``partial``); otherwise the whole chain.
        """
        wanted = {a: sha for a, sha in tips.items() if SHA_RE.match(sha)}
        after = {a: old for a, old in (since or {}).items() if a in wanted and old != wanted[a]}
        if after:
            self._load_events({a: wanted[a] for a in after}, history, after)
        partial = set()
        for amendment, old in after.items():
            order = self._topological(wanted[amendment], partial=True)
            if order is not None and any(old in record.parents for record in order):
                partial.add(amendment)
        self._load_events({a: sha for a, sha in wanted.items() if a not in partial}, history, {})
        self._blob_sizes(
            change.blob
            for record in self._records.values()
            for change in record.changes
            if change.status == "A" and change.path.startswith(EVENTS_DIR + "/")
        )
        while True:
            self._pending = set()
            chains = {
                a: self._event_chain(a, tip, history, proposers.get(a), partial=a in partial)
                for a, tip in wanted.items()
            }
            if not self._fetch_pending_signatures():
                return chains

    def _load_events(
        self, tips: Mapping[str, str], history: MainHistory, after: Mapping[str, str]
    ) -> None:
        """Read event commits: all of each chain, or those after its tip in ``after``."""
        wanted = {a: sha for a, sha in tips.items() if a in after or sha not in self._complete}
        if not wanted:
            return
        positives = self._existing_commits(wanted.values())
        negatives = [f"^{old}" for old in after.values()]
        if len(after) < len(wanted) and history.tip:
            negatives.append(f"^{history.tip}")  # an event chain never reaches main
        if positives:
            for record in read_records(self.store, [], [*positives, *negatives]):
                self._records[record.sha] = record
        self._complete |= {sha for a, sha in wanted.items() if a not in after}

    def _event_chain(
        self,
        amendment: str,
        tip: str,
        history: MainHistory,
        proposer: str | None,
        *,
        partial: bool = False,
    ) -> EventChain:
        chain = EventChain(amendment, tip, partial=partial)
        order = self._topological(tip, partial=partial)
        if order is None:
            chain.problems.append((None, "holds commits that are not events on this amendment"))
            return chain
        positions: dict[str, int] = {}
        for record in order:
            chain.commits += 1
            self._judged.add(record.sha)
            not_before = max((positions.get(p, 0) for p in record.parents), default=0)
            if record.trailer(ACTION) == JOIN_ACTION:
                positions[record.sha] = not_before
                reason = self._judge_join(record, amendment)
                if reason:
                    chain.problems.append((record, reason))
                continue
            found = self._depends_on(record, history, not_before)
            if isinstance(found, str):
                chain.problems.append((record, found))
                positions[record.sha] = not_before
                continue
            positions[record.sha] = found
            event, problems = self._judge_event(record, amendment, history, found, proposer)
            chain.problems += [(record, reason) for reason in problems]
            if event is not None and not problems:
                chain.events.append(event)
        return chain

    def _topological(self, tip: str, *, partial: bool = False) -> list[Record] | None:
        """The commits of an event chain, parents first; None if it reaches a commit that was
        not read with it (with ``partial``, such commits are the part judged before)."""
        order: list[Record] = []
        seen: set[str] = set()
        stack: list[tuple[str, bool]] = [(tip, False)]
        while stack:
            sha, expanded = stack.pop()
            if expanded:
                order.append(self._records[sha])
                continue
            if sha in seen:
                continue
            record = self._records.get(sha)
            if record is None:
                if partial:
                    continue
                return None
            seen.add(sha)
            stack.append((sha, True))
            stack.extend((p, False) for p in record.parents if p not in seen)
        return order

    def _judge_join(self, record: Record, amendment: str) -> str | None:
        if len(record.parents) != 2 or record.trailer(AMENDMENT_ID) != amendment:
            return "a join of event chains that is not one"
        first, second = record.parents
        key = (first, second)
        if key not in self._joins:
            try:
                self._joins[key] = self.store.merge_trees(first, second)
            except WgError:
                self._joins[key] = None
        if self._joins[key] != record.tree:
            return "a join of event chains that adds something of its own"
        return None

    def _judge_event(
        self,
        record: Record,
        amendment: str,
        history: MainHistory,
        position: int,
        proposer: str | None,
    ) -> tuple[Event | None, list[str]]:
        problems: list[str] = []
        event_id = record.trailer(EVENT_ID) or ""
        handle = record.trailer(MEMBER) or ""
        type_ = record.trailer(EVENT) or ""
        if len(record.parents) > 1:
            problems.append("a merge of event chains that is not a join")
        if record.trailer(AMENDMENT_ID) != amendment:
            problems.append(
                f"an event on amendment {record.trailer(AMENDMENT_ID)!r}, not {amendment}"
            )
        if not EVENT_ID_RE.match(event_id):
            return None, [*problems, f"an event id {event_id!r} wgtool would not write"]
        path = event_path(event_id)
        added = [
            c for c in record.changes if c.path == path and c.status == "A" and c.mode in FILE_MODES
        ]
        for change in record.changes:
            if change is not (added[0] if added else None):
                verb = {"A": "adds", "D": "removes"}.get(change.status, "changes")
                problems.append(f"{verb} {change.path}: an event only adds its own file {path}")
        if not added:
            return None, [*problems, f"does not add its event file {path}"]
        event = self._read_event(added[0].blob)
        if event is None:
            return None, [*problems, f"{path} is not an event wgtool can read"]
        if event.id != event_id or event.amendment != amendment:
            problems.append(f"{path} names event {event.id!r} on amendment {event.amendment!r}")
        if event.member != handle:
            problems.append(
                f"its event file does not name {handle} as its author but {event.member}"
            )
        if event.type != type_ or not _well_formed(event):
            problems.append(f"{path} is not a well-formed {type_ or 'event'}")
        current = history.config(position)
        if current is None:
            return None, [*problems, "made against a main commit with no valid roster"]
        member = current.roster.members.get(handle)
        if member is None:
            return None, [*problems, f"made by {handle!r}, who is not in the roster"]
        _same_member(record, member, problems)
        _same_group(event.group, member, problems, what="its event file")
        _same_group(record.trailer(GROUP), member, problems)
        if type_ == "reject" and not member.has(Role.CHAIR):
            problems.append(f"a rejection by {handle}, who is not chair")
        if type_ == "withdraw" and handle != proposer:
            problems.append(f"a withdrawal by {handle}, who did not propose the amendment")
        self._signed(record, member, current.settings, problems)
        return replace(event, group=member.group), problems

    def _read_event(self, blob: str) -> Event | None:
        try:
            if self._blob_sizes([blob]).get(blob, MAX_EVENT_BYTES + 1) > MAX_EVENT_BYTES:
                return None
            data = json.loads(self.store.read_blob(blob).decode("utf-8"))
            return Event.from_dict(data) if isinstance(data, dict) else None
        except (ValueError, KeyError, TypeError, RecursionError):
            return None

    # -- versions ------------------------------------------------------------------------------

    def tag(self, name: str, sha: str, history: MainHistory) -> TagVerdict:
        """Judge the tag ``refs/tags/<name>`` pointing at object ``sha``."""

        def refuse(*reasons: str, tagger: str | None = None) -> TagVerdict:
            return TagVerdict(name, sha, None, reasons, tagger)

        slug, _, version = name.partition("/")
        if (
            not validate.NAME_RE.match(slug)
            or not validate.VERSION_RE.match(version or "")
            or ".." in version
        ):
            return refuse(f"{name} is not a version name wgtool would make (<draft>/<name>)")
        if self._blob_sizes([sha]).get(sha, 0) > MAX_EVENT_BYTES:
            return refuse(f"{name} points at an object larger than 2 MB")
        try:
            stream = self.store.repo.odb.stream(hex_to_bin(sha))
            kind = stream.type.decode()
            data = stream.read().decode("utf-8", "replace") if kind == "tag" else ""
        except (ValueError, OSError, ODBError):
            return refuse(f"{name} points at an object this repository lacks")
        if kind != "tag":
            return refuse(f"not an annotated tag: it points straight at a {kind}")
        headers, _, message = data.partition("\n\n")
        fields = dict(line.split(" ", 1) for line in headers.splitlines() if " " in line)
        tagger_email, tagger_name, tagged_at = _person(fields.get("tagger", ""))
        tagger = f"{tagger_name} <{tagger_email}>"
        target = fields.get("object", "")
        if fields.get("type") != "commit":
            return refuse(f"tags a {fields.get('type')}, not a commit", tagger=tagger)
        if fields.get("tag") != name:
            return refuse(f"the tag object calls itself {fields.get('tag')!r}", tagger=tagger)
        position = history.position(target)
        if position is None:
            return refuse(f"tags {target[:10]}, which is not on main", tagger=tagger)
        commit = history.commits[position]
        problems: list[str] = []
        if not commit.valid:
            problems.append(f"tags {target[:10]}, a main commit that breaks the rules")
        current = commit.config
        if current is None:
            return refuse(*problems, "tags a main commit with no valid roster", tagger=tagger)
        if self.store.lookup_in_tree(commit.record.tree, draft_path(slug)) is None:
            problems.append(f"tags a commit where draft {slug} does not exist")
        member = current.roster.by_email(tagger_email)
        if member is None or not member.has(Role.SECRETARIAT):
            problems.append(f"tagged by {tagger_email}, who is not secretariat")
        elif self.audit and current.settings.signatures == "required":
            self._checked.add(sha)
            signer = signing.tag_signer(self.store, sha)
            if not member.ssh_key or signer != signing.fingerprint(member.ssh_key):
                problems.append(f"no valid signature by {member.handle}'s key in the roster")
        if problems:
            return refuse(*problems, tagger=tagger)
        subject, body, _ = parse_message(message.split("-----BEGIN SSH SIGNATURE-----")[0])
        result = Version(
            draft=slug,
            name=version,
            tag=name,
            commit=target,
            message="\n\n".join(p for p in (subject, body) if p),
            tagger=tagger_name,
            tagged_at=tagged_at,
        )
        return TagVerdict(name, sha, result, (), tagger)

    def tags(self, refs: Mapping[str, str], history: MainHistory) -> list[TagVerdict]:
        """Judge tags given as {name under refs/tags/: object}, oldest first."""
        self._blob_sizes(refs.values())
        verdicts = [self.tag(name, sha, history) for name, sha in refs.items()]
        return sorted(verdicts, key=lambda v: (v.version.tagged_at if v.version else 0, v.name))

    # -- refs --------------------------------------------------------------------------------

    def judge_refs(
        self,
        refs: Mapping[str, str],
        history: MainHistory,
        *,
        amendments: Mapping[str, str] | None = None,
    ) -> dict[str, list[Problem]]:
        """What is wrong with each ref ({full ref name: object}); an empty list when valid.

        Amendments are judged before the events on them (a withdrawal needs the proposer):
        ``amendments`` ({id: tip}) says which amendment tips are in force besides this
        repository's own and those in ``refs``.
        """
        result: dict[str, list[Problem]] = {ref: [] for ref in refs}
        wanted: dict[str, dict[str, str]] = {AMENDMENTS_PREFIX: {}, EVENTS_PREFIX: {}}
        tags: dict[str, str] = {}
        for ref, sha in refs.items():
            prefix = next((p for p in wanted if ref.startswith(p)), None)
            if prefix is not None and AMENDMENT_ID_RE.match(ref[len(prefix) :]):
                wanted[prefix][ref[len(prefix) :]] = sha
            elif ref.startswith(TAGS_PREFIX):
                tags[ref[len(TAGS_PREFIX) :]] = sha
            else:
                result[ref].append(Problem(ref, "not a ref wgtool makes"))
        chains = self.amendment_chains(wanted[AMENDMENTS_PREFIX], history)
        for amendment, chain in chains.items():
            result[AMENDMENTS_PREFIX + amendment] = _problems(
                AMENDMENTS_PREFIX + amendment, chain.problems
            )
        tips = {
            ref[len(AMENDMENTS_PREFIX) :]: sha
            for ref, sha in self.store.refs(AMENDMENTS_PREFIX.rstrip("/")).items()
        }
        tips.update(amendments or {})
        tips.update({a: c.tip for a, c in chains.items() if c.valid})
        events = wanted[EVENTS_PREFIX]
        proposers = self.amendment_chains({a: tips[a] for a in events if a in tips}, history)
        for amendment, verdict in self.event_chains(
            events, history, {a: c.proposer for a, c in proposers.items() if c.valid}
        ).items():
            result[EVENTS_PREFIX + amendment] = _problems(
                EVENTS_PREFIX + amendment, verdict.problems
            )
        for tag in self.tags(tags, history):
            result[TAGS_PREFIX + tag.name] = [
                Problem(TAGS_PREFIX + tag.name, reason, tag.sha, tag.tagger)
                for reason in tag.problems
            ]
        return result


def _problems(ref: str, found: list[tuple[Record | None, str]]) -> list[Problem]:
    return [
        Problem(ref, reason, record.sha if record else None, record.author if record else None)
        for record, reason in found
    ]


@dataclass
class MainState:
    """What is in force while main's history is read forward."""

    config: Config | None = None
    founded: bool = False  # the roster has had a member at some point
    merged: dict[str, str] = field(default_factory=dict)  # amendment -> its draft


# -- small rules -------------------------------------------------------------------------------


def _same_member(
    record: Record, member: Member, problems: list[str], *, author: bool = True
) -> None:
    """The commit's committer (and author) are ``member``, as the roster knows them."""
    email = member.email.lower()
    if author and record.author_email.lower() != email:
        problems.append(f"says {member.handle} but the author is {record.author_email}")
    if record.committer_email.lower() != email:
        problems.append(f"says {member.handle} but the committer is {record.committer_email}")


def _same_group(
    claimed: str | None, member: Member, problems: list[str], *, what: str = "it"
) -> None:
    if claimed is not None and claimed != member.group:
        problems.append(
            f"{what} claims the group {claimed!r}, but {member.handle} is in {member.group!r}"
        )


def _well_formed(event: Event) -> bool:
    """An event wgtool could have written."""
    if event.type not in EVENT_TYPES or not validate.NAME_RE.match(event.member):
        return False
    if event.reply_to is not None and not EVENT_ID_RE.match(event.reply_to):
        return False
    return (event.stance in STANCES) if event.type == "position" else event.stance is None


def _consensus_problems(record: Record, settings: Settings) -> list[str]:
    """The consensus a merge records, when it records one, must be well formed."""
    state = record.trailer(CONSENSUS)
    if state is None:
        return []
    problems = []
    if state not in ("reached", "overridden"):
        problems.append(f"records consensus {state!r}, not reached or overridden")
    if state == "overridden" and not (record.trailer(OVERRIDE_REASON) or "").strip():
        problems.append("overrides the consensus rule without a reason")
    for key in CONSENSUS_GROUPS:
        groups = [g.strip() for g in (record.trailer(key) or "").split(",") if g.strip()]
        unknown = [g for g in groups if g not in settings.groups]
        if unknown:
            problems.append(f"{key} names unknown groups: {', '.join(unknown)}")
    return problems


def _person(line: str) -> tuple[str, str, int]:
    """(email, name, time) of a ``Name <email> time zone`` header."""
    match = re.match(r"^(.*?) ?<([^<>]*)> (\d+)", line)
    if not match:
        return "", line, 0
    return match.group(2), match.group(1), int(match.group(3))
