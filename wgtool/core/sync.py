"""Sync with a git remote: fetch, join, fast-forward, push.

The remote is any ordinary git remote (a bare repository over SSH, GitHub, GitLab, a folder).
One sync runs in rounds:

1. **fetch** the remote's ``main``, ``refs/wg/*`` and tags into remote-tracking refs under
   ``refs/remotes/<remote>/`` (never straight into local refs);
2. **join** them into the local refs, each with a compare-and-swap so that members writing in
   the same repository at the same moment lose nothing:

   * an amendment is created, fast-forwarded, or kept when the local one is ahead; revisions made
     on two machines (a diverged amendment) are reported;
   * an event chain is created or fast-forwarded; two chains that both grew are joined by a merge
     commit (event files have unique names, so the trees never conflict). The join commit is
     deterministic — sorted parents, a fixed identity, the later parent's time — so two machines
     that join the same pair of chains write the same commit and the joins converge;
   * ``main`` only fast-forwards, and only over commits that are chair merges (``Merged-by:`` a
     chair) or secretariat changes (``Member:`` a secretariat member), with roles as in the roster
     at each commit's parent. A diverged main or any other commit is reported, never merged;
   * new tags are taken; a tag that exists on both sides with different targets is reported;
3. **push** what the remote lacks with explicit, non-forced refspecs (``<sha>:refs/heads/main``
   only when main is ahead, ``refs/wg/*:refs/wg/*``, ``<sha>:refs/tags/<name>`` for new tags).
   When the remote moved in the meantime a push is rejected; the next round fetches, joins and
   pushes again (up to ``MAX_ROUNDS``).

The working tree follows main only when it was clean (as for every write to main). Afterwards
the index is refreshed. A :class:`SyncReport` says what came in and went out and lists every
problem in one line.
"""

from __future__ import annotations

import fcntl
import re
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from wgtool.core import config
from wgtool.core.errors import InvalidInput, NotFound, SyncError, WgError
from wgtool.core.gitstore import (
    CommitInfo,
    GitStore,
    LostRace,
    Person,
    format_message,
    parse_message,
    retry_cas,
    run_git,
)
from wgtool.core.index import AMENDMENTS_PREFIX, EVENTS_PREFIX, MAIN_REF
from wgtool.core.model import Role
from wgtool.core.signing import SignatureChecker
from wgtool.core.workgroup import WorkingGroup

TAGS_PREFIX = "refs/tags/"
WG_PREFIX = "refs/wg/"
MAX_ROUNDS = 6
PUSH_BATCH = 400  # refspecs per 'git push', to stay far below the command-line limit

# Remote names end up in refspecs and config keys: keep them plain.
REMOTE_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$")
# Amendment ids as new_id() makes them (hexadecimal); nothing else becomes a local ref.
AMENDMENT_ID_RE = re.compile(r"^[0-9a-f]{4,40}$")
SHA_RE = re.compile(r"^[0-9a-f]{40}$")

# Push rejections that mean "someone else pushed first": fetch, join and try again.
RACE_REASONS = (
    "non-fast-forward",
    "fetch first",
    "stale info",
    "failed to lock",
    "cannot lock",
    "failed to update ref",
    "incorrect old value",
)

# The identity of join commits: the same on every machine, so that joins converge.
JOIN_NAME = "wgtool"
JOIN_EMAIL = "wgtool@localhost"

Progress = Callable[[str], object]  # whatever it returns is ignored


@dataclass
class Traffic:
    """What moved in one direction."""

    new_amendments: int = 0
    revised_amendments: int = 0
    events: int = 0
    main_commits: int = 0
    versions: int = 0

    def describe(self) -> str:
        parts = []
        for count, one, many in (
            (self.new_amendments, "new amendment", "new amendments"),
            (self.revised_amendments, "revised amendment", "revised amendments"),
            (self.events, "event", "events"),
            (self.main_commits, "commit on main", "commits on main"),
            (self.versions, "version", "versions"),
        ):
            if count:
                parts.append(f"{count} {one if count == 1 else many}")
        return ", ".join(parts) or "nothing new"


@dataclass
class SyncReport:
    """The outcome of one sync: counts in both directions, notes and problems (one line each)."""

    remote: str
    received: Traffic = field(default_factory=Traffic)
    sent: Traffic = field(default_factory=Traffic)
    rounds: int = 0
    notes: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        rounds = f" ({self.rounds} rounds)" if self.rounds > 1 else ""
        lines = [
            f"Synced with {self.remote}{rounds}",
            f"Received: {self.received.describe()}",
            f"Sent: {self.sent.describe()}",
        ]
        lines += self.notes
        lines += [f"Problem: {p}" for p in self.problems]
        return lines


@dataclass
class _Round:
    """Problems and notes of one round; only the last round's are reported."""

    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    retry: bool = False


# -- the use case ------------------------------------------------------------------------------


def sync(wg: WorkingGroup, remote: str = "origin", progress: Progress | None = None) -> SyncReport:
    """Exchange work with ``remote``: fetch, join, fast-forward main, push; retry on races."""
    say: Progress = progress or (lambda _line: None)
    store = wg.store
    remote = check_remote(store, remote)
    report = SyncReport(remote)
    with _sync_lock(store):
        configure_remote(store, remote)
        outcome = _Round()
        for round_number in range(1, MAX_ROUNDS + 1):
            report.rounds = round_number
            outcome = _Round()
            say(f"Fetching from {remote}…")
            _fetch(store, remote)
            refused = unsigned_incoming(wg, remote)
            if refused:
                raise SyncError(
                    f"{remote} holds history without valid signatures ({refused[0]}"
                    f"{f' and {len(refused) - 1} more' if len(refused) > 1 else ''}): "
                    "nothing was taken; run 'wgtool verify' on a clone of it"
                )
            say("Joining…")
            _join(wg, remote, report, outcome)
            say(f"Pushing to {remote}…")
            _push(wg, remote, report, outcome)
            if not outcome.retry:
                break
            say(f"{remote} changed while pushing; trying again")
        else:
            outcome.problems.append(
                f"{remote} kept changing while pushing: some work was not sent; sync again"
            )
        report.problems = outcome.problems
        report.notes += [n for n in outcome.notes if n not in report.notes]
    say("Updating the index…")
    wg.refresh()
    return report


def unsigned_incoming(wg: WorkingGroup, remote: str) -> list[str]:
    """Fetched commits that lack a valid signature, where the working group requires them.

    main's new commits are checked against the roster this machine trusts (its own main); once
    they pass, the roster at the remote's main (which may add members and keys) checks the rest.
    Join commits of event chains are unsigned by design and are checked to add nothing.
    """
    if wg.settings.signatures != "required":
        return []
    store = wg.store
    prefix = tracking_prefix(remote)
    theirs = list(store.refs(prefix.rstrip("/")).values())
    # What this machine already has (not --all: that would include the tracking refs too).
    ours = ["^" + sha for sha in store.refs("refs/heads", "refs/wg", "refs/tags").values()]
    incoming = (
        store.run(
            ["rev-list", "--topo-order", "--reverse", "--stdin"],
            input=("\n".join([*theirs, *ours]) + "\n").encode(),
        )
        .stdout.decode()
        .split()
    )
    if not incoming:
        return []
    infos = store.commits(incoming)
    remote_main = store.resolve(prefix + "main")
    main_new = (
        set(
            store.run(["rev-list", "--first-parent", remote_main, "--not", wg.main()])
            .stdout.decode()
            .split()
        )
        if remote_main
        else set()
    )
    problems: list[str] = []
    with SignatureChecker(store, wg.roster) as trusted:
        for sha in incoming:
            if sha in main_new and not _signed_by_committer(trusted, infos[sha]):
                problems.append(f"{sha[:10]} on main")
    if problems:
        return problems
    roster = (config.roster_at(store, remote_main) if remote_main else None) or wg.roster
    with SignatureChecker(store, roster) as checker:
        for sha in incoming:
            info = infos[sha]
            if sha in main_new:
                continue
            if info.committer_email == JOIN_EMAIL and len(info.parents) == 2:
                if store.merge_trees(info.parents[0], info.parents[1]) == info.tree:
                    continue
            if not _signed_by_committer(checker, info):
                problems.append(sha[:10])
    return problems


def _signed_by_committer(checker: SignatureChecker, info: CommitInfo) -> bool:
    principal = checker.principal(info.sha)
    return principal is not None and principal.lower() == info.committer_email.lower()


def check_remote(store: GitStore, remote: str) -> str:
    """The name of a configured remote, or a one-line error."""
    if not remote or remote.startswith("-") or not REMOTE_NAME_RE.match(remote):
        raise InvalidInput(
            f"invalid remote name {remote!r}: give the name of a configured git remote, like origin"
        )
    configured = store.run(["remote"]).stdout.decode("utf-8", "replace").split()
    if remote not in configured:
        raise NotFound(f"no git remote {remote!r}: add it with 'git remote add {remote} URL'")
    return remote


def tracking_prefix(remote: str) -> str:
    return f"refs/remotes/{remote}/"


def fetch_refspecs(remote: str) -> list[str]:
    """The refspecs that carry the wg refs and tags into ``refs/remotes/<remote>/``."""
    prefix = tracking_prefix(remote)
    return [f"+{WG_PREFIX}*:{prefix}wg/*", f"+{TAGS_PREFIX}*:{prefix}tags/*"]


def configure_remote(store: GitStore, remote: str) -> None:
    """Add the wg refspecs to ``remote.<remote>.fetch`` once: plain ``git fetch`` carries them."""
    key = f"remote.{remote}.fetch"
    result = store.run(["config", "--get-all", key], check=False)
    existing = set(result.stdout.decode("utf-8", "replace").split())
    for spec in fetch_refspecs(remote):
        if spec not in existing:
            store.run(["config", "--add", key, spec])


@contextmanager
def _sync_lock(store: GitStore) -> Iterator[None]:
    """One sync at a time per repository (writers are not blocked: they use compare-and-swap)."""
    directory = store.git_dir / "wgtool"
    directory.mkdir(parents=True, exist_ok=True)
    with open(directory / "sync.lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


# -- fetch -------------------------------------------------------------------------------------


def _fetch(store: GitStore, remote: str) -> None:
    main_spec = f"+{MAIN_REF}:{tracking_prefix(remote)}main"
    specs = [main_spec, *fetch_refspecs(remote)]
    base = [
        "fetch",
        "--quiet",
        "--no-tags",
        "--prune",
        "--no-write-fetch-head",
        "--end-of-options",
        remote,
    ]
    result = store.run([*base, *specs], check=False, network=True)
    if result.returncode != 0 and b"couldn't find remote ref" in result.stderr:
        # A new, empty remote has no main yet: fetch the rest; main is pushed below.
        result = store.run([*base, *specs[1:]], check=False, network=True)
    if result.returncode != 0:
        raise SyncError(f"could not fetch from {remote}: {_git_reason(result.stderr)}")


def _git_reason(stderr: bytes) -> str:
    """The first fatal or error line git wrote (its first line says what went wrong)."""
    lines = [
        line.strip() for line in stderr.decode("utf-8", "replace").splitlines() if line.strip()
    ]
    for line in lines:
        for prefix in ("fatal: ", "error: "):
            if line.startswith(prefix):
                return line[len(prefix) :]
    return lines[-1] if lines else "git gave no reason"


# -- join --------------------------------------------------------------------------------------


def _remote_wg_refs(store: GitStore, remote: str) -> tuple[dict[str, str], dict[str, str], int]:
    """Remote amendment tips and event tips by amendment id, and how many refs were ignored.

    Only commits count: a ref with a tag, tree or blob, or a name wgtool would not make, is
    ignored, so a careless or hostile remote cannot plant something the index cannot read.
    """
    prefix = tracking_prefix(remote) + "wg/"
    amendments: dict[str, str] = {}
    events: dict[str, str] = {}
    ignored = 0
    listing = store.run(
        ["for-each-ref", "--format=%(objectname) %(objecttype) %(refname)", prefix.rstrip("/")]
    ).stdout.decode("utf-8", "replace")
    for line in listing.splitlines():
        sha, objecttype, ref = line.split(" ", 2)
        kind, _, amendment_id = ref[len(prefix) :].partition("/")
        if (
            objecttype != "commit"
            or not AMENDMENT_ID_RE.match(amendment_id)
            or not SHA_RE.match(sha)
        ):
            ignored += 1
        elif kind == "amendments":
            amendments[amendment_id] = sha
        elif kind == "events":
            events[amendment_id] = sha
        else:
            ignored += 1
    return amendments, events, ignored


def _join(wg: WorkingGroup, remote: str, report: SyncReport, outcome: _Round) -> None:
    store = wg.store
    amendments, events, ignored = _remote_wg_refs(store, remote)
    if ignored:
        outcome.notes.append(
            f"Ignored {ignored} ref(s) under refs/wg/ on {remote} that are not "
            "wgtool amendments or events"
        )
    # One look at every local ref first: a ref that already matches costs no git process, and
    # refs this machine lacks are created together in one transaction (a new clone has
    # thousands); only refs that moved on both sides are joined one by one.
    local = store.refs(WG_PREFIX.rstrip("/"))
    creations: dict[str, str] = {}
    for amendment_id, sha in sorted(amendments.items()):
        ref = AMENDMENTS_PREFIX + amendment_id
        if ref not in local:
            problem = _check_amendment_chain(store, amendment_id, sha)
            if problem:
                outcome.problems.append(problem)
            else:
                creations[ref] = sha
        elif local[ref] != sha:
            _join_amendment(store, remote, amendment_id, sha, report, outcome)
    for amendment_id, sha in sorted(events.items()):
        ref = EVENTS_PREFIX + amendment_id
        if ref not in local:
            creations[ref] = sha
        elif local[ref] != sha:
            _join_events(store, remote, amendment_id, sha, report, outcome)
    if creations:
        _create_refs(store, remote, creations, report, outcome)
    _join_main(wg, remote, report, outcome)
    _join_tags(store, remote, report, outcome)


def _join_amendment(
    store: GitStore,
    remote: str,
    amendment_id: str,
    theirs: str,
    report: SyncReport,
    outcome: _Round,
) -> None:
    ref = AMENDMENTS_PREFIX + amendment_id

    def attempt() -> str:
        ours = store.resolve(ref)
        if ours == theirs or (ours is not None and store.is_ancestor(theirs, ours)):
            return "same"
        if ours is not None and not store.is_ancestor(ours, theirs):
            return "diverged"
        problem = _check_amendment_chain(store, amendment_id, theirs)
        if problem:
            return problem
        store.update_ref(ref, theirs, ours, f"wgtool sync from {remote}")
        return "new" if ours is None else "revised"

    try:
        result = retry_cas(attempt)
    except WgError as error:
        result = f"amendment {amendment_id}: {error.message}"
    if result == "new":
        report.received.new_amendments += 1
    elif result == "revised":
        report.received.revised_amendments += 1
    elif result == "diverged":
        outcome.problems.append(
            f"amendment {amendment_id} was revised both here and on {remote}: kept the revisions "
            "made here; its proposer should revise it again on one machine and sync"
        )
    elif result != "same":
        outcome.problems.append(result)


def _create_refs(
    store: GitStore, remote: str, creations: dict[str, str], report: SyncReport, outcome: _Round
) -> None:
    """Create refs this machine lacks, all at once; one by one if a writer got there first."""
    commands = "".join(f"create {ref} {sha}\n" for ref, sha in creations.items())
    result = store.run(
        ["update-ref", "-m", f"wgtool sync from {remote}", "--stdin"],
        input=commands.encode(),
        check=False,
    )
    if result.returncode == 0:
        for ref, sha in creations.items():
            if ref.startswith(AMENDMENTS_PREFIX):
                report.received.new_amendments += 1
            else:
                report.received.events += len(_event_names(store, sha))
        return
    for ref, sha in creations.items():  # nothing was written: join each ref on its own
        if ref.startswith(AMENDMENTS_PREFIX):
            _join_amendment(store, remote, ref[len(AMENDMENTS_PREFIX) :], sha, report, outcome)
        else:
            _join_events(store, remote, ref[len(EVENTS_PREFIX) :], sha, report, outcome)


def _check_amendment_chain(store: GitStore, amendment_id: str, tip: str) -> str | None:
    """None when every revision of the chain names the amendment and its proposer, else why not."""
    members: list[str] = []
    sha: str | None = tip
    while sha is not None:
        info = store.commit(sha)
        _, _, trailers = parse_message(info.message)
        if trailers.get("Amendment-Id", [None])[-1] != amendment_id or not trailers.get("Revision"):
            break
        members.append(trailers.get("Member", [""])[-1])
        sha = info.parents[0] if info.parents else None
    if not members:
        return f"the ref of amendment {amendment_id} on the remote holds no amendment: not taken"
    proposer = members[-1]
    others = sorted({m for m in members if m != proposer})
    if others:
        return (
            f"amendment {amendment_id} was revised on the remote by {', '.join(others)}, "
            f"not by its proposer {proposer}: not taken"
        )
    return None


def _event_names(store: GitStore, commit: str | None) -> set[str]:
    if commit is None:
        return set()
    return {name for name, _ in store.list_dir(commit, "events")}


def join_commit(store: GitStore, amendment_id: str, ours: str, theirs: str) -> str:
    """The commit joining two event chains: deterministic, so every machine writes the same one."""
    first, second = sorted((ours, theirs))
    tree = store.merge_trees(first, second)
    when = max(store.commit(first).committed_at, store.commit(second).committed_at)
    person = Person(JOIN_NAME, JOIN_EMAIL, when)
    message = format_message(
        f"Join the events on amendment {amendment_id}",
        "Events were recorded on two machines at the same time; this commit joins both "
        "chains and adds nothing of its own.",
        [("Amendment-Id", amendment_id), ("Action", "join-events")],
    )
    # Never signed, even when the member's key is armed: a signature would make each machine's
    # join different. verify accepts a join only when its tree is exactly the merge of its parents.
    key, store.signing_key = store.signing_key, None
    try:
        return store.write_commit(tree, [first, second], message, person, person)
    finally:
        store.signing_key = key


def _join_events(
    store: GitStore,
    remote: str,
    amendment_id: str,
    theirs: str,
    report: SyncReport,
    outcome: _Round,
) -> None:
    ref = EVENTS_PREFIX + amendment_id

    def attempt() -> int:
        ours = store.resolve(ref)
        if ours == theirs or (ours is not None and store.is_ancestor(theirs, ours)):
            return 0
        if ours is None or store.is_ancestor(ours, theirs):
            new = theirs
        else:
            new = join_commit(store, amendment_id, ours, theirs)
        store.update_ref(ref, new, ours, f"wgtool sync from {remote}")
        return len(_event_names(store, new) - _event_names(store, ours))

    try:
        report.received.events += retry_cas(attempt)
    except WgError as error:
        outcome.problems.append(f"events on amendment {amendment_id}: {error.message}")


def _join_main(wg: WorkingGroup, remote: str, report: SyncReport, outcome: _Round) -> None:
    store = wg.store
    theirs = store.resolve(tracking_prefix(remote) + "main")
    if theirs is None:
        return

    def attempt() -> str:
        ours = wg.main()
        if ours == theirs or store.is_ancestor(theirs, ours):
            return "same"
        if not store.is_ancestor(ours, theirs):
            return "diverged"
        foreign = foreign_main_commits(store, ours, theirs)
        if foreign:
            return (
                f"main on {remote} has {len(foreign)} commit(s) that are neither chair merges "
                f"nor secretariat changes (first: {foreign[0]}): main was not updated"
            )
        clean = wg._worktree_clean()
        count = _count(store, theirs, ours)
        wg._move_main(theirs, ours)
        report.received.main_commits += count
        if store.work_tree is not None and not clean:
            report.notes.append(
                "main moved, but the working tree has local changes (or is not "
                "on main) and was left as it was"
            )
        return "moved"

    result = retry_cas(attempt)
    if result == "diverged":
        ours = wg.main()
        outcome.problems.append(
            f"main has diverged from {remote}: {_count(store, ours, theirs)} commit(s) here and "
            f"{_count(store, theirs, ours)} there; nothing was merged (compare with "
            f"'git log main...{remote}/main')"
        )
    elif result not in ("same", "moved"):
        outcome.problems.append(result)


def _count(store: GitStore, new: str, old: str | None) -> int:
    """First-parent commits of ``new`` that ``old`` lacks."""
    args = ["rev-list", "--count", "--first-parent", "--end-of-options", new]
    if old is not None:
        args.append("^" + old)
    return int(store.run(args).stdout.decode().strip() or 0)


def foreign_main_commits(store: GitStore, old: str, new: str) -> list[str]:
    """The commits of main between ``old`` and ``new`` that main may not take, described.

    Main moves only by chair merges (a merge commit whose ``Merged-by:`` names a chair) and by
    secretariat changes (``Member:`` names a secretariat member), with roles as in the roster at
    the commit's parent and the committer's email as in that roster. While the roster is still
    empty anyone may found it.
    """
    shas = (
        store.run(["rev-list", "--first-parent", "--end-of-options", new, "^" + old])
        .stdout.decode()
        .split()
    )
    rosters: dict[str, config.Roster | None] = {}
    foreign = []
    for sha in shas:
        info = store.commit(sha)
        title, _, trailers = parse_message(info.message)
        parent = info.parents[0] if info.parents else None
        if parent is not None and parent not in rosters:
            rosters[parent] = config.roster_at(store, parent)
        roster = rosters.get(parent) if parent is not None else None
        if roster is not None and _allowed_on_main(
            roster, info.parents, info.committer_email, trailers
        ):
            continue
        who = (trailers.get("Merged-by") or trailers.get("Member") or [info.committer_email])[-1]
        foreign.append(f"{sha[:10]} {title[:60]!r} by {who}")
    return foreign


def _allowed_on_main(
    roster: config.Roster,
    parents: tuple[str, ...],
    committer_email: str,
    trailers: dict[str, list[str]],
) -> bool:
    if not len(roster):
        return True  # founding the roster: anyone may add the first member

    def holds(handle: str | None, role: Role) -> bool:
        member = roster.members.get(handle or "")
        return (
            member is not None
            and member.has(role)
            and member.email.lower() == committer_email.lower()
        )

    merged_by = trailers.get("Merged-by", [None])[-1]
    if len(parents) > 1 and holds(merged_by, Role.CHAIR):
        return True
    return holds(trailers.get("Member", [None])[-1], Role.SECRETARIAT)


def _join_tags(store: GitStore, remote: str, report: SyncReport, outcome: _Round) -> None:
    prefix = tracking_prefix(remote) + "tags/"
    local = store.refs(TAGS_PREFIX.rstrip("/"))
    for ref, theirs in sorted(store.refs(prefix.rstrip("/")).items()):
        name = ref[len(prefix) :]
        target = TAGS_PREFIX + name
        ours = local.get(target)
        if ours is None:
            try:
                store.update_ref(target, theirs, None, f"wgtool sync from {remote}")
                report.received.versions += 1
                continue
            except LostRace:
                ours = store.refs(target).get(target)
        if ours is not None and ours != theirs:
            outcome.problems.append(
                f"tag {name} differs here and on {remote}: kept the one here; the secretariat "
                "should keep one of them"
            )


# -- push --------------------------------------------------------------------------------------


@dataclass
class _Push:
    """One ref to push and what it adds to the report once the remote accepts it."""

    source: str
    target: str
    count: Callable[[Traffic], None]


def _plan_push(wg: WorkingGroup, remote: str) -> list[_Push]:
    store = wg.store
    prefix = tracking_prefix(remote)
    remote_refs = store.refs(prefix.rstrip("/"))
    plan: list[_Push] = []

    def ahead(ours: str, theirs: str | None) -> bool:
        return theirs is None or (ours != theirs and store.is_ancestor(theirs, ours))

    ours_main = wg.main()
    theirs_main = remote_refs.get(prefix + "main")
    if ahead(ours_main, theirs_main):
        commits = _count(store, ours_main, theirs_main)

        def count_main(t: Traffic, n: int = commits) -> None:
            t.main_commits += n

        plan.append(_Push(ours_main, MAIN_REF, count_main))

    for ref, ours in sorted(store.refs(WG_PREFIX.rstrip("/")).items()):
        kind, _, amendment_id = ref[len(WG_PREFIX) :].partition("/")
        if kind not in ("amendments", "events") or not AMENDMENT_ID_RE.match(amendment_id):
            continue
        theirs = remote_refs.get(prefix + "wg/" + ref[len(WG_PREFIX) :])
        if not ahead(ours, theirs):
            continue
        if kind == "amendments":

            def count_amendment(t: Traffic, new: bool = theirs is None) -> None:
                if new:
                    t.new_amendments += 1
                else:
                    t.revised_amendments += 1

            plan.append(_Push(ours, ref, count_amendment))
        else:
            added = len(_event_names(store, ours) - _event_names(store, theirs))

            def count_events(t: Traffic, n: int = added) -> None:
                t.events += n

            plan.append(_Push(ours, ref, count_events))

    for ref, ours in sorted(store.refs(TAGS_PREFIX.rstrip("/")).items()):
        if prefix + "tags/" + ref[len(TAGS_PREFIX) :] not in remote_refs:

            def count_version(t: Traffic) -> None:
                t.versions += 1

            plan.append(_Push(ours, ref, count_version))
    return plan


def _push(wg: WorkingGroup, remote: str, report: SyncReport, outcome: _Round) -> None:
    """Push what the remote lacks, never forced; a rejection caused by a race means retry.

    ``main`` and new tags go by explicit ``<sha>:<ref>`` refspecs. The wg refs go by the one
    refspec ``refs/wg/*:refs/wg/*``: git matches thousands of explicit refspecs in quadratic
    time, and the pattern costs nothing extra because only the planned refs' results count —
    a ref that is equal, behind or diverged (and so not planned) is left as git reports it.
    """
    plan = {p.target: p for p in _plan_push(wg, remote)}
    specs = [f"{p.source}:{p.target}" for p in plan.values() if not p.target.startswith(WG_PREFIX)]
    if any(target.startswith(WG_PREFIX) for target in plan):
        specs.insert(0, f"{WG_PREFIX}*:{WG_PREFIX}*")
    for start in range(0, len(specs), PUSH_BATCH):
        result = wg.store.run(
            ["push", "--porcelain", "--end-of-options", remote, *specs[start : start + PUSH_BATCH]],
            check=False,
            network=True,
        )
        statuses = _parse_porcelain(result.stdout.decode("utf-8", "replace"))
        if not statuses and result.returncode != 0:
            outcome.problems.append(f"could not push to {remote}: {_git_reason(result.stderr)}")
            return
        for target, (flag, summary) in statuses.items():
            item = plan.get(target)
            if item is None:
                continue
            if flag in (" ", "*", "+"):
                item.count(report.sent)
            elif flag == "!":
                if any(reason in summary for reason in RACE_REASONS):
                    outcome.retry = True
                else:
                    outcome.problems.append(f"{remote} refused {target}: {summary}")


def _parse_porcelain(output: str) -> dict[str, tuple[str, str]]:
    """``git push --porcelain`` lines as {target ref: (flag, summary)}."""
    statuses: dict[str, tuple[str, str]] = {}
    for line in output.splitlines():
        parts = line.split("\t")
        if len(parts) < 3 or len(parts[0]) != 1:
            continue
        flag, refs, summary = parts[0], parts[1], parts[2]
        statuses[refs.rsplit(":", 1)[-1]] = (flag, summary)
    return statuses


def clone(url: str, path: Path) -> tuple[WorkingGroup, SyncReport]:
    """Join a working group: clone its repository from ``url`` and fetch every wg ref."""
    if not url or url.startswith("-"):
        raise InvalidInput(f"invalid repository address {url!r}")
    if path.exists() and any(path.iterdir()):
        raise InvalidInput(f"{path} exists and is not empty: choose a new folder")
    created = not path.exists()
    try:
        result = run_git(
            ["clone", "--quiet", "--origin", "origin", "--branch", "main", "--", url, str(path)],
            network=True,
        )
    except SyncError:
        # Stopped (timed out), git could not clean up: leave the folder as it was before.
        leftovers = [path] if created else list(path.iterdir()) if path.is_dir() else []
        for leftover in leftovers:
            if leftover.is_dir() and not leftover.is_symlink():
                shutil.rmtree(leftover, ignore_errors=True)
            else:
                leftover.unlink(missing_ok=True)
        raise
    if result.returncode != 0:
        raise SyncError(f"cannot clone {url}: {_git_reason(result.stderr)}")
    wg = WorkingGroup.open(path)
    try:
        report = sync(wg, "origin")
    except WgError:
        wg.close()
        raise
    return wg, report
