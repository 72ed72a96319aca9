"""Pushing what the remote lacks, judged against main as the remote has it (step 3)."""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass

from wgtool.core.desks.parts import Desks
from wgtool.core.exchange.sync.ancestry import Ancestry
from wgtool.core.exchange.sync.joining import (
    broken_main,
    quarantine_line,
)
from wgtool.core.exchange.sync.remote import (
    git_reason,
    tracking_prefix,
)
from wgtool.core.exchange.sync.report import (
    PUSH_BATCH,
    RACE_REASONS,
    Round,
    SyncReport,
    Traffic,
)
from wgtool.core.record.gitstore import GitStore
from wgtool.core.record.rulebook import (
    AMENDMENTS_PREFIX,
    EVENTS,
    EVENTS_DIR,
    EVENTS_PREFIX,
    MAIN_REF,
    NO_EVENTS,
    TAGS_PREFIX,
    WG_PREFIX,
    MainHistory,
    Rulebook,
    chain_key_valid,
)

# -- push --------------------------------------------------------------------------------------

ATOMIC_FAILED = "atomic push failed"  # what git says of the refs an atomic push left alone


@dataclass
class _Push:
    """One ref to push and what it adds to the report once the remote accepts it."""

    source: str
    target: str
    count: Callable[[Traffic], None]
    # Where the remote's chain ends in a commit that breaks the rules, the one tip it may
    # still be at for this push to replace it (every honest commit of it is in ``source``).
    replaces: str | None = None


def push(wg: Desks, book: Rulebook, remote: str, report: SyncReport, outcome: Round) -> None:
    """Push what the remote lacks, never forced; a rejection caused by a race means retry.

    ``main``, when it is ahead, goes first, all or nothing (``--atomic``) with the event
    chains its new merges name (``Events:``): a merge's events are no parent of it, so
    without them a remote would hold a main that every clone refuses for naming events it
    lacks, whenever another member's push to the same chain won the race. A guarded remote
    judges the merges by the deliberation they name and the amendments and events by the
    main commits they were made against, so each needs the other: the rest follows once main
    is taken. What the rulebook refuses is not sent (a guarded remote would refuse the whole
    push for it). Should the remote refuse main, the rest goes again on its own, judged
    against main as the remote has it.
    """
    store = wg.record.store
    prefix = tracking_prefix(remote)
    theirs = store.resolve(prefix + "main")
    ours = wg.record.main()
    main: list[_Push] = []
    bound: set[str] = set()  # the event chains main's new merges name
    if theirs is None or (ours != theirs and store.is_ancestor(theirs, ours)):
        history = book.history(ours)
        position = -1 if theirs is None else history.position(theirs)
        broken = history.invalid(after=position) if position is not None else []
        if broken:
            outcome.problems.append(broken_main("main here", broken) + ": main was not sent")
        elif position is not None:

            def count_main(t: Traffic, n: int = len(history.commits) - 1 - position) -> None:
                t.main_commits += n

            main.append(_Push(ours, MAIN_REF, count_main))
            bound = {
                EVENTS_PREFIX + commit.amendment
                for commit in history.commits[position + 1 :]
                if commit.amendment and (commit.record.trailer(EVENTS) or NO_EVENTS) != NO_EVENTS
            }
    if main:
        together = Round()
        taken = _send_planned(wg, book, remote, ours, main, report, together, bound=bound)
        outcome.retry = outcome.retry or together.retry
        outcome.notes += together.notes
        if MAIN_REF in taken or together.retry:
            outcome.problems += together.problems
            return
        outcome.problems += [line for line in together.problems if MAIN_REF in line]
    _send_planned(wg, book, remote, theirs, [], report, outcome)


def _send_planned(
    wg: Desks,
    book: Rulebook,
    remote: str,
    against: str | None,
    first: list[_Push],
    report: SyncReport,
    outcome: Round,
    *,
    bound: Collection[str] = (),
) -> set[str]:
    """Plan the wg refs and tags against main commit ``against`` (main as the remote will
    have it) and push them after ``first``, which goes all or nothing with the planned refs
    in ``bound``; returns the refs the remote took."""
    plan, refused = _plan_push(wg, book, book.history(against), remote)
    # What the remote's main refuses is either waiting for main to go out, or broken here too.
    here = book.judge_refs(refused, book.history(wg.record.main()))
    for ref in sorted(refused):
        if here[ref]:
            outcome.problems.append(quarantine_line(here[ref], "not sent"))
    waiting = sum(1 for ref in refused if not here[ref])
    if waiting:
        outcome.notes.append(
            f"{waiting} ref(s) wait until {remote} has the main commits they were made against"
        )
    held = any(ref.startswith(WG_PREFIX) for ref in refused)
    taken: set[str] = set()
    if first:
        together = [*first, *(p for p in plan if p.target in bound)]
        taken = _send(wg, remote, together, report, outcome, atomic=True)
        if not taken:
            return taken
        plan = [p for p in plan if p.target not in bound]
    return taken | _send(wg, remote, plan, report, outcome, pattern=not held)


def _plan_push(
    wg: Desks, book: Rulebook, history: MainHistory, remote: str
) -> tuple[list[_Push], dict[str, str]]:
    """The wg refs and tags the remote lacks that the rulebook accepts against the remote's
    main (``history``), and those it refuses ({ref: object}). Long because amendments, event
    chains and tags are each planned here in turn, from one batched reading of the refs."""
    store = wg.record.store
    prefix = tracking_prefix(remote)
    remote_refs = store.refs(prefix.rstrip("/"))

    differing: dict[str, tuple[str, str | None]] = {}
    for ref, ours in sorted(store.refs(WG_PREFIX.rstrip("/")).items()):
        kind, _, amendment_id = ref[len(WG_PREFIX) :].partition("/")
        theirs = remote_refs.get(prefix + "wg/" + ref[len(WG_PREFIX) :])
        if chain_key_valid(kind, amendment_id):
            if ours != theirs:
                differing[ref] = (ours, theirs)
    # Which of them are ahead here: from one walk of their history off main (not a git
    # process per ref).
    mains = [sha for sha in (wg.record.main(), remote_refs.get(prefix + "main")) if sha]
    tips = [sha for pair in differing.values() for sha in pair if sha is not None]
    ancestry = Ancestry(store, tips, mains)
    wanted = {
        ref: ours
        for ref, (ours, theirs) in differing.items()
        if theirs is None or ancestry.is_ancestor(theirs, ours)
    }
    replaced = _replaceable(
        store, book, history, {r: pair for r, pair in differing.items() if r not in wanted}
    )
    wanted.update({ref: differing[ref][0] for ref in replaced})
    for ref, sha in store.refs(TAGS_PREFIX.rstrip("/")).items():
        if prefix + "tags/" + ref[len(TAGS_PREFIX) :] not in remote_refs:
            wanted[ref] = sha
    verdicts = book.judge_refs(wanted, history)
    events = [ref for ref in wanted if ref.startswith(EVENTS_PREFIX) and not verdicts[ref]]
    names = store.file_names(
        [sha for ref in events for sha in (wanted[ref], differing[ref][1]) if sha], EVENTS_DIR
    )
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

            plan.append(_Push(ours, ref, count_amendment, replaced.get(ref)))
        elif ref.startswith(EVENTS_PREFIX):
            theirs = differing[ref][1]
            added = len(names[ours] - (names[theirs] if theirs else set()))

            def count_events(t: Traffic, n: int = max(added, 0)) -> None:
                t.events += n

            plan.append(_Push(ours, ref, count_events, replaced.get(ref)))
        else:

            def count_version(t: Traffic) -> None:
                t.versions += 1

            plan.append(_Push(ours, ref, count_version))
    return plan, refused


def _replaceable(
    store: GitStore,
    book: Rulebook,
    history: MainHistory,
    stuck: dict[str, tuple[str, str | None]],
) -> dict[str, str]:
    """The refs here that the remote's cannot take as they are, because the remote's chain
    ends in a commit that breaks the rules, and that hold every honest commit of it: they
    replace it ({ref: the remote's tip}). One author's bad commit holds back no one else."""
    theirs = {ref: pair[1] for ref, pair in stuck.items() if pair[1] is not None}
    verdicts = book.judge_refs(theirs, history)
    replaced = {}
    for ref, tip in theirs.items():
        if not verdicts[ref]:
            continue  # an honest chain that diverged: joined when fetched, or reported
        ours = stuck[ref][0]
        if all(store.is_ancestor(t, ours) for t in book.honest_part(ref, tip, history)):
            replaced[ref] = tip
    return replaced


def _send(
    wg: Desks,
    remote: str,
    plan: list[_Push],
    report: SyncReport,
    outcome: Round,
    *,
    pattern: bool = False,
    atomic: bool = False,
) -> set[str]:
    """Push ``plan``; returns the refs the remote took. ``atomic``: all or nothing; where the
    refspecs take several batches, ``main`` goes in the last and no batch follows one the
    remote refused in part.

    ``main`` and tags go by explicit ``<sha>:<ref>`` refspecs. The wg refs go by the one
    refspec ``refs/wg/*:refs/wg/*`` when ``pattern`` says that no wg ref ahead of the remote is
    held back: git matches thousands of explicit refspecs in quadratic time, and the pattern
    costs nothing extra because only the planned refs' results count (a ref that is equal,
    behind or diverged is left as git reports it). Otherwise each wg ref gets its own refspec.
    """
    if not plan:
        return set()
    planned = {p.target: p for p in plan}
    # Replacing a chain that ends in a bad commit: forced, only while it is still that commit.
    leases = {f"+{p.source}:{p.target}": f"{p.target}:{p.replaces}" for p in plan if p.replaces}
    wg_refs = [p for p in plan if p.target.startswith(WG_PREFIX) and not p.replaces]
    specs = [*leases]
    others = [f"{p.source}:{p.target}" for p in plan if not p.target.startswith(WG_PREFIX)]
    if wg_refs and pattern and not leases:  # the pattern would also name the replaced refs
        specs += [f"{WG_PREFIX}*:{WG_PREFIX}*", *others]
    else:
        specs += [f"{p.source}:{p.target}" for p in wg_refs]
        specs = [*specs, *others] if atomic else [*others, *specs]
    taken: set[str] = set()
    for start in range(0, len(specs), PUSH_BATCH):
        if atomic and start and len(taken) < start:
            break  # a batch before was refused in part: main must not go without it
        batch = specs[start : start + PUSH_BATCH]
        leased = [f"--force-with-lease={leases[spec]}" for spec in batch if spec in leases]
        result = wg.record.store.run(
            ["push", "--porcelain", *(["--atomic"] if atomic else []), *leased]
            + ["--end-of-options", remote, *batch],
            check=False,
            network=True,
        )
        statuses = _parse_porcelain(result.stdout.decode("utf-8", "replace"))
        said = _remote_said(result.stderr.decode("utf-8", "replace"))
        if not statuses and result.returncode != 0:
            outcome.problems.append(f"could not push to {remote}: {git_reason(result.stderr)}")
            return taken
        for target, (flag, summary) in statuses.items():
            item = planned.get(target)
            if item is None:
                continue
            if flag in (" ", "*", "+"):
                item.count(report.sent)
                taken.add(target)
            elif flag == "!":
                if ATOMIC_FAILED in summary:
                    continue  # refused for another ref's sake, which says why
                if any(reason in summary for reason in RACE_REASONS):
                    outcome.retry = True
                else:
                    why = next((line for line in said if target in line), None)
                    outcome.problems.append(f"{remote} refused {target}: {why or summary}")
    return taken


def _remote_said(stderr: str) -> list[str]:
    """What the remote's hooks said (git prefixes their lines with ``remote:``), for the refs
    a guarded remote refuses: its reason, rather than git's "pre-receive hook declined"."""
    return [
        line.removeprefix("remote:").strip()
        for line in stderr.splitlines()
        if line.startswith("remote:") and line.removeprefix("remote:").strip()
    ]


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
