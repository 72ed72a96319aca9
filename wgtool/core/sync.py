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
   * ``main`` first, and it only fast-forwards, over commits the rulebook accepts (each judged
     by the settings and roster in force at its first parent). A diverged main, or one with a
     commit that breaks the rules, is reported and main stays where it was;
   * new tags are taken when the rulebook accepts them; a tag that exists on both sides with
     different targets is reported.

   Everything is judged by :mod:`wgtool.core.rulebook` against main as it is here after the
   first step. What breaks a rule is **quarantined**: reported (ref, reason, author) and left
   out, while everything else still comes in;
3. **push** what the remote lacks with explicit, non-forced refspecs: ``<sha>:refs/heads/main``
   first when main is ahead, then ``refs/wg/*:refs/wg/*`` and ``<sha>:refs/tags/<name>`` for new
   tags, each judged against main as the remote then has it (so that a guarded remote accepts
   them; what depends on main commits the remote lacks waits). When the remote moved in the
   meantime a push is rejected; the next round fetches, joins and pushes again (up to
   ``MAX_ROUNDS``).

The working tree follows main only when it was clean (as for every write to main). Afterwards
the index is refreshed. A :class:`SyncReport` says what came in and went out and lists every
problem in one line.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path

from wgtool.core.errors import InvalidInput, NotFound, SyncError, WgError
from wgtool.core.gitstore import GitStore, LostRace, Person, format_message, retry_cas, run_git
from wgtool.core.rulebook import (
    AMENDMENT_ID_RE,
    AMENDMENTS_PREFIX,
    EVENTS_PREFIX,
    JOIN_ACTION,
    JOIN_EMAIL,
    JOIN_NAME,
    MAIN_REF,
    SHA_RE,
    TAGS_PREFIX,
    WG_PREFIX,
    MainCommit,
    MainHistory,
    Problem,
    Rulebook,
)
from wgtool.core.workgroup import WorkingGroup

MAX_ROUNDS = 6
PUSH_BATCH = 400  # refspecs per 'git push', to stay far below the command-line limit

# Remote names end up in refspecs and config keys: keep them plain.
REMOTE_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$")

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
            book = Rulebook(store)
            say("Joining…")
            _join(wg, book, remote, report, outcome)
            say(f"Pushing to {remote}…")
            _push(wg, book, remote, report, outcome)
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


def _sync_lock(store: GitStore) -> AbstractContextManager[None]:
    """One sync at a time per repository (writers are not blocked: they use compare-and-swap)."""
    return store.locked("sync.lock")


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


def _join(
    wg: WorkingGroup, book: Rulebook, remote: str, report: SyncReport, outcome: _Round
) -> None:
    store = wg.store
    _join_main(wg, book, remote, report, outcome)
    history = book.history(wg.main())
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
    incoming = {
        prefix + amendment_id: sha
        for prefix, tips in ((AMENDMENTS_PREFIX, amendments), (EVENTS_PREFIX, events))
        for amendment_id, sha in tips.items()
        if local.get(prefix + amendment_id) != sha
    }
    verdicts = book.judge_refs(incoming, history)
    creations: dict[str, str] = {}
    for ref, sha in sorted(incoming.items()):
        if verdicts[ref]:
            outcome.problems.append(quarantine_line(verdicts[ref], f"not taken from {remote}"))
        elif ref not in local:
            creations[ref] = sha
        elif ref.startswith(AMENDMENTS_PREFIX):
            _join_amendment(store, remote, ref[len(AMENDMENTS_PREFIX) :], sha, report, outcome)
        else:
            _join_events(store, remote, ref[len(EVENTS_PREFIX) :], sha, report, outcome)
    if creations:
        _create_refs(store, remote, creations, report, outcome)
    _join_tags(store, book, history, remote, report, outcome)


def quarantine_line(problems: list[Problem], outcome: str) -> str:
    """One line for a ref the rulebook refuses: ref, commit, author, the first reason."""
    more = f" (and {len(problems) - 1} more problem(s))" if len(problems) > 1 else ""
    return f"{problems[0].line()}{more}: {outcome}"


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
        [("Amendment-Id", amendment_id), ("Action", JOIN_ACTION)],
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


def _join_main(
    wg: WorkingGroup, book: Rulebook, remote: str, report: SyncReport, outcome: _Round
) -> None:
    store = wg.store
    theirs = store.resolve(tracking_prefix(remote) + "main")
    if theirs is None:
        return

    def attempt() -> str:
        ours = wg.main()
        if ours == theirs or store.is_ancestor(theirs, ours):
            return "same"
        history = book.history(theirs)
        position = history.position(ours)
        if position is None:
            return "diverged"
        broken = history.invalid(after=position)
        if broken:
            return _broken_main(f"main on {remote}", broken) + ": main was not updated"
        clean = wg.worktree.is_clean()
        wg.move_main(theirs, ours)
        report.received.main_commits += len(history.commits) - 1 - position
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


def _broken_main(where: str, broken: list[MainCommit]) -> str:
    first = broken[0]
    who = first.member or first.record.author
    return (
        f"{where} has {len(broken)} commit(s) that are neither chair merges nor secretariat "
        f"changes, or that break their rules (first: {first.sha[:10]} "
        f"{first.record.title[:60]!r} by {who}: {first.problems[0]})"
    )


def _count(store: GitStore, new: str, old: str | None) -> int:
    """First-parent commits of ``new`` that ``old`` lacks."""
    args = ["rev-list", "--count", "--first-parent", "--end-of-options", new]
    if old is not None:
        args.append("^" + old)
    return int(store.run(args).stdout.decode().strip() or 0)


def _join_tags(
    store: GitStore,
    book: Rulebook,
    history: MainHistory,
    remote: str,
    report: SyncReport,
    outcome: _Round,
) -> None:
    prefix = tracking_prefix(remote) + "tags/"
    local = store.refs(TAGS_PREFIX.rstrip("/"))
    theirs_refs = {
        TAGS_PREFIX + ref[len(prefix) :]: sha for ref, sha in store.refs(prefix.rstrip("/")).items()
    }
    verdicts = book.judge_refs({r: s for r, s in theirs_refs.items() if r not in local}, history)
    for target, theirs in sorted(theirs_refs.items()):
        name = target[len(TAGS_PREFIX) :]
        ours = local.get(target)
        if ours is None:
            if verdicts[target]:
                line = quarantine_line(verdicts[target], f"not taken from {remote}")
                outcome.problems.append(line)
                continue
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


def _push(
    wg: WorkingGroup, book: Rulebook, remote: str, report: SyncReport, outcome: _Round
) -> None:
    """Push what the remote lacks, never forced; a rejection caused by a race means retry.

    ``main`` goes first, so that the remote has the main commits the rest was made against;
    everything else is judged against main as the remote then has it, and what the rulebook
    refuses is not sent (a guarded remote would refuse the whole push for it).
    """
    store = wg.store
    prefix = tracking_prefix(remote)
    theirs = store.resolve(prefix + "main")
    ours = wg.main()
    if theirs is None or (ours != theirs and store.is_ancestor(theirs, ours)):
        history = book.history(ours)
        position = -1 if theirs is None else history.position(theirs)
        broken = history.invalid(after=position) if position is not None else []
        if broken:
            outcome.problems.append(_broken_main("main here", broken) + ": main was not sent")
        elif position is not None:

            def count_main(t: Traffic, n: int = len(history.commits) - 1 - position) -> None:
                t.main_commits += n

            if MAIN_REF in _send(wg, remote, [_Push(ours, MAIN_REF, count_main)], report, outcome):
                theirs = ours
    plan, refused = _plan_push(wg, book, book.history(theirs), remote)
    # What the remote's main refuses is either waiting for main to go out, or broken here too.
    here = book.judge_refs(refused, book.history(ours))
    for ref in sorted(refused):
        if here[ref]:
            outcome.problems.append(quarantine_line(here[ref], "not sent"))
    waiting = sum(1 for ref in refused if not here[ref])
    if waiting:
        outcome.notes.append(
            f"{waiting} ref(s) wait until {remote} has the main commits they were made against"
        )
    held = any(ref.startswith(WG_PREFIX) for ref in refused)
    _send(wg, remote, plan, report, outcome, pattern=not held)


def _plan_push(
    wg: WorkingGroup, book: Rulebook, history: MainHistory, remote: str
) -> tuple[list[_Push], dict[str, str]]:
    """The wg refs and tags the remote lacks that the rulebook accepts against the remote's
    main (``history``), and those it refuses ({ref: object})."""
    store = wg.store
    prefix = tracking_prefix(remote)
    remote_refs = store.refs(prefix.rstrip("/"))

    def ahead(ours: str, theirs: str | None) -> bool:
        return theirs is None or (ours != theirs and store.is_ancestor(theirs, ours))

    wanted: dict[str, str] = {}
    for ref, ours in sorted(store.refs(WG_PREFIX.rstrip("/")).items()):
        kind, _, amendment_id = ref[len(WG_PREFIX) :].partition("/")
        if kind in ("amendments", "events") and AMENDMENT_ID_RE.match(amendment_id):
            if ahead(ours, remote_refs.get(prefix + "wg/" + ref[len(WG_PREFIX) :])):
                wanted[ref] = ours
    for ref, sha in store.refs(TAGS_PREFIX.rstrip("/")).items():
        if prefix + "tags/" + ref[len(TAGS_PREFIX) :] not in remote_refs:
            wanted[ref] = sha
    verdicts = book.judge_refs(wanted, history)
    plan: list[_Push] = []
    refused: dict[str, str] = {}
    for ref, ours in wanted.items():
        if verdicts[ref]:
            refused[ref] = ours
        elif ref.startswith(AMENDMENTS_PREFIX):
            new = prefix + "wg/" + ref[len(WG_PREFIX) :] not in remote_refs

            def count_amendment(t: Traffic, new: bool = new) -> None:
                if new:
                    t.new_amendments += 1
                else:
                    t.revised_amendments += 1

            plan.append(_Push(ours, ref, count_amendment))
        elif ref.startswith(EVENTS_PREFIX):
            theirs = remote_refs.get(prefix + "wg/" + ref[len(WG_PREFIX) :])
            added = len(_event_names(store, ours) - _event_names(store, theirs))

            def count_events(t: Traffic, n: int = added) -> None:
                t.events += n

            plan.append(_Push(ours, ref, count_events))
        else:

            def count_version(t: Traffic) -> None:
                t.versions += 1

            plan.append(_Push(ours, ref, count_version))
    return plan, refused


def _send(
    wg: WorkingGroup,
    remote: str,
    plan: list[_Push],
    report: SyncReport,
    outcome: _Round,
    *,
    pattern: bool = False,
) -> set[str]:
    """Push ``plan``; returns the refs the remote took.

    ``main`` and tags go by explicit ``<sha>:<ref>`` refspecs. The wg refs go by the one
    refspec ``refs/wg/*:refs/wg/*`` when ``pattern`` says that no wg ref ahead of the remote is
    held back: git matches thousands of explicit refspecs in quadratic time, and the pattern
    costs nothing extra because only the planned refs' results count (a ref that is equal,
    behind or diverged is left as git reports it). Otherwise each wg ref gets its own refspec.
    """
    if not plan:
        return set()
    planned = {p.target: p for p in plan}
    wg_refs = [p for p in plan if p.target.startswith(WG_PREFIX)]
    specs = [f"{p.source}:{p.target}" for p in plan if not p.target.startswith(WG_PREFIX)]
    if wg_refs and pattern:
        specs.insert(0, f"{WG_PREFIX}*:{WG_PREFIX}*")
    else:
        specs += [f"{p.source}:{p.target}" for p in wg_refs]
    taken: set[str] = set()
    for start in range(0, len(specs), PUSH_BATCH):
        result = wg.store.run(
            ["push", "--porcelain", "--end-of-options", remote, *specs[start : start + PUSH_BATCH]],
            check=False,
            network=True,
        )
        statuses = _parse_porcelain(result.stdout.decode("utf-8", "replace"))
        if not statuses and result.returncode != 0:
            outcome.problems.append(f"could not push to {remote}: {_git_reason(result.stderr)}")
            return taken
        for target, (flag, summary) in statuses.items():
            item = planned.get(target)
            if item is None:
                continue
            if flag in (" ", "*", "+"):
                item.count(report.sent)
                taken.add(target)
            elif flag == "!":
                if any(reason in summary for reason in RACE_REASONS):
                    outcome.retry = True
                else:
                    outcome.problems.append(f"{remote} refused {target}: {summary}")
    return taken


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
    store = GitStore.open(path, search_parents=False)
    try:
        _settle_cloned_main(store)
    except WgError:
        shutil.rmtree(path, ignore_errors=True)
        raise
    finally:
        store.close()
    wg = WorkingGroup.open(path)
    try:
        report = sync(wg, "origin")
    except WgError:
        wg.close()
        raise
    return wg, report


def _settle_cloned_main(store: GitStore) -> None:
    """Bring a fresh clone's main back to the last commit before any that breaks the rules.

    ``git clone`` takes the remote's main as it is; the rest of wgtool takes main only from
    the rulebook, so the clone starts from what is valid and its first sync reports the rest.
    """
    main = store.resolve(MAIN_REF)
    history = Rulebook(store).history(main)
    broken = history.invalid()
    if not broken:
        return
    if broken[0].position == 0:
        raise SyncError(
            "the remote's main does not start with a valid working group: " + broken[0].problems[0]
        )
    valid = history.commits[broken[0].position - 1].sha
    store.update_ref(MAIN_REF, valid, main, "wgtool clone: main as far as it is valid")
    store.run(["read-tree", "--reset", "-u", valid])
