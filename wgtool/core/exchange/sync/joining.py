"""Joining what was fetched into the local refs, judged by the rulebook (step 2)."""

from __future__ import annotations

from collections.abc import Mapping

from wgtool.core.desks.parts import Desks
from wgtool.core.errors import Remedy, WgError
from wgtool.core.exchange.sync.ancestry import Ancestry
from wgtool.core.exchange.sync.remote import (
    tracking_prefix,
)
from wgtool.core.exchange.sync.replay import describe, local_only
from wgtool.core.exchange.sync.report import (
    Round,
    SyncReport,
)
from wgtool.core.record.gitstore import GitStore, Person, retry_cas
from wgtool.core.record.messages import format_message
from wgtool.core.record.rulebook import (
    AMENDMENTS_PREFIX,
    DRAFT,
    EVENTS_DIR,
    EVENTS_PREFIX,
    JOIN_ACTION,
    JOIN_EMAIL,
    JOIN_NAME,
    SHA_RE,
    TAGS_PREFIX,
    WG_PREFIX,
    MainCommit,
    MainHistory,
    Problem,
    Record,
    Rulebook,
    chain_key_valid,
    chain_trailer,
)

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
            or not chain_key_valid(kind, amendment_id)
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


def join(wg: Desks, book: Rulebook, remote: str, report: SyncReport, outcome: Round) -> None:
    store = wg.record.store
    _join_main(wg, book, remote, report, outcome)
    history = book.history(wg.record.main())
    amendments, events, ignored = _remote_wg_refs(store, remote)
    if ignored:
        outcome.notes.append(
            f"Ignored {ignored} ref(s) under refs/wg/ on {remote} that are not "
            "amendments or events wgtool makes"
        )
    # One look at every local ref first: a ref that already matches costs nothing, and the
    # others are joined together (a new clone has thousands, a busy group hundreds per sync).
    local = store.refs(WG_PREFIX.rstrip("/"))
    incoming = {
        prefix + amendment_id: sha
        for prefix, tips in ((AMENDMENTS_PREFIX, amendments), (EVENTS_PREFIX, events))
        for amendment_id, sha in tips.items()
        if local.get(prefix + amendment_id) != sha
    }
    # An event chain that grew from the tip here is judged from that tip on (when this
    # repository judged the tip valid before: see Rulebook.event_chains).
    grew = {ref: local[ref] for ref in incoming if ref.startswith(EVENTS_PREFIX) and ref in local}
    verdicts = book.judge_refs(incoming, history, since=grew)
    taken: dict[str, tuple[str, str | None]] = {}
    problems: dict[str, list[str]] = {}  # by ref: reported in the order of the refs
    for ref, sha in sorted(incoming.items()):
        if not verdicts[ref]:
            taken[ref] = (sha, local.get(ref))
            continue
        # What others wrote honestly before or beside the bad commit still comes in.
        honest = _honest_tip(store, ref, book.honest_part(ref, sha, history), local.get(ref))
        around = "; what it holds of others' work was" if honest is not None else ""
        problems[ref] = [quarantine_line(verdicts[ref], f"not taken from {remote}{around}")]
        if honest is not None:
            taken[ref] = (honest, local.get(ref))
    if taken:
        _join_refs(wg, remote, taken, report, problems, book.commits_read)
    outcome.problems += [line for ref in sorted(problems) for line in problems[ref]]
    _join_tags(store, book, history, remote, report, outcome)


def _join_refs(
    wg: Desks,
    remote: str,
    taken: dict[str, tuple[str, str | None]],
    report: SyncReport,
    problems: dict[str, list[str]],
    read: Mapping[str, Record],
) -> None:
    """Join the refs the rulebook accepted (``{ref: (theirs, ours as read)}``) in a few git
    processes: their ancestry from one walk, event counts from one read, and every move in one
    ``packed-refs`` write that checks each ref is still as read. A ref another writer moved
    meanwhile is left out of it (see :meth:`GitStore.adopt_refs`) and joined on
    its own, with a compare-and-swap of its own (as a writer racing with it would be); the
    others are still joined together."""
    store = wg.record.store
    mains = [
        sha for sha in (wg.record.main(), store.resolve(tracking_prefix(remote) + "main")) if sha
    ]
    tips = [sha for pair in taken.values() for sha in pair if sha is not None]
    ancestry = Ancestry(store, tips, mains, known=read)
    moves: dict[str, tuple[str, str | None]] = {}
    revised: list[str] = []
    for ref, (theirs, ours) in taken.items():
        amendment_id = ref.rpartition("/")[2]
        if ours is not None and ancestry.is_ancestor(theirs, ours):
            continue  # ours is ahead
        if ours is None or ancestry.is_ancestor(ours, theirs):
            moves[ref] = (theirs, ours)
            if ours is not None and ref.startswith(AMENDMENTS_PREFIX):
                revised.append(ref)
        elif ref.startswith(AMENDMENTS_PREFIX):
            problems[ref] = [diverged_amendment(amendment_id, remote)]
        else:
            moves[ref] = (join_commit(store, amendment_id, ours, theirs), ours)
    lost = store.adopt_refs(moves, f"wgtool sync from {remote}")
    for ref in sorted(lost):
        alone = Round()  # the problems of this ref
        theirs, name = taken[ref][0], ref.rpartition("/")[2]
        if ref.startswith(AMENDMENTS_PREFIX):
            _join_amendment(store, remote, name, theirs, report, alone)
        else:
            _join_events(store, remote, name, theirs, report, alone)
        problems[ref] = alone.problems or problems.get(ref, [])
    moves = {ref: move for ref, move in moves.items() if ref not in lost}
    report.received.new_amendments += sum(
        1 for ref, (_, ours) in moves.items() if ours is None and ref.startswith(AMENDMENTS_PREFIX)
    )
    report.received.revised_amendments += sum(1 for ref in revised if ref not in lost)
    events = {ref: move for ref, move in moves.items() if ref.startswith(EVENTS_PREFIX)}
    names = store.file_names(
        [sha for pair in events.values() for sha in pair if sha is not None], EVENTS_DIR
    )
    for new, ours in events.values():
        report.received.events += len(names[new] - (names[ours] if ours else set()))


def _honest_tip(store: GitStore, ref: str, tips: list[str], ours: str | None) -> str | None:
    """One commit holding every honest tip of a chain that is not here yet (an event chain's
    several tips joined), or None when there is nothing new."""
    new = [tip for tip in tips if ours is None or not store.is_ancestor(tip, ours)]
    if not new:
        return None
    if ref.startswith(AMENDMENTS_PREFIX):
        return new[0]
    combined = new[0]
    for tip in new[1:]:
        if store.is_ancestor(tip, combined):
            continue
        if store.is_ancestor(combined, tip):
            combined = tip
        else:
            combined = join_commit(store, ref[len(EVENTS_PREFIX) :], combined, tip)
    return combined


def diverged_amendment(amendment_id: str, remote: str) -> str:
    return (
        f"amendment {amendment_id} was revised both here and on {remote}: kept the revisions "
        "made here; its proposer should revise it again on one machine and sync"
    )


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
    outcome: Round,
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
        outcome.problems.append(diverged_amendment(amendment_id, remote))
    elif result != "same":
        outcome.problems.append(result)


def _event_names(store: GitStore, commit: str | None) -> set[str]:
    if commit is None:
        return set()
    return {name for name, _ in store.list_dir(commit, EVENTS_DIR)}


def join_commit(store: GitStore, amendment_id: str, ours: str, theirs: str) -> str:
    """The commit joining two event chains: deterministic, so every machine writes the same one."""
    first, second = sorted((ours, theirs))
    tree = store.merge_trees(first, second)
    when = max(store.commit(first).committed_at, store.commit(second).committed_at)
    person = Person(JOIN_NAME, JOIN_EMAIL, when)
    subject = chain_trailer(amendment_id)
    what = "draft" if subject[0] == DRAFT else "amendment"
    message = format_message(
        f"Join the events on {what} {subject[1]}",
        "Events were recorded on two machines at the same time; this commit joins both "
        "chains and adds nothing of its own.",
        [subject, ("Action", JOIN_ACTION)],
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
    outcome: Round,
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


def _join_main(wg: Desks, book: Rulebook, remote: str, report: SyncReport, outcome: Round) -> None:
    store = wg.record.store
    theirs = store.resolve(tracking_prefix(remote) + "main")
    if theirs is None:
        return

    def attempt() -> str:
        ours = wg.record.main()
        if ours == theirs or store.is_ancestor(theirs, ours):
            return "same"
        history = book.history(theirs)
        position = history.position(ours)
        if position is None:
            return "diverged"
        broken = history.invalid(after=position)
        if broken:
            return broken_main(f"main on {remote}", broken) + ": main was not updated"
        clean = wg.record.worktree.is_clean()
        wg.record.move_main(theirs, ours)
        report.received.main_commits += len(history.commits) - 1 - position
        if store.work_tree is not None and not clean:
            report.notes.append(
                "main moved, but the working tree has local changes (or is not "
                "on main) and was left as it was"
            )
        return "moved"

    result = retry_cas(attempt)
    if result == "diverged":
        ours = wg.record.main()
        here = local_only(store, book, remote) or []
        outcome.problems.append(
            f"main has diverged from {remote}: {count_commits(store, ours, theirs)} commit(s) "
            f"here ({describe(here)}) and {count_commits(store, theirs, ours)} there; nothing "
            f"was merged (compare with 'git log main...{remote}/main')"
        )
        outcome.remedies.append(Remedy.REPLAY_MERGES)
    elif result not in ("same", "moved"):
        outcome.problems.append(result)


def broken_main(where: str, broken: list[MainCommit]) -> str:
    first = broken[0]
    who = first.member or first.record.author
    return (
        f"{where} has {len(broken)} commit(s) that are neither chair merges nor secretariat "
        f"changes, or that break their rules (first: {first.sha[:10]} "
        f"{first.record.title[:60]!r} by {who}: {first.problems[0]})"
    )


def count_commits(store: GitStore, new: str, old: str | None) -> int:
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
    outcome: Round,
) -> None:
    prefix = tracking_prefix(remote) + "tags/"
    local = store.refs(TAGS_PREFIX.rstrip("/"))
    theirs_refs = {
        TAGS_PREFIX + ref[len(prefix) :]: sha for ref, sha in store.refs(prefix.rstrip("/")).items()
    }
    verdicts = book.judge_refs({r: s for r, s in theirs_refs.items() if r not in local}, history)
    # The new tags the rulebook accepts are taken in one transaction; one made here meanwhile
    # (under the same name) is left out of it and compared below, as a tag found here is.
    new = {t: (sha, None) for t, sha in theirs_refs.items() if t not in local and not verdicts[t]}
    lost = store.adopt_refs(new, f"wgtool sync from {remote}")
    report.received.versions += len(new) - len(lost)
    now = store.refs(TAGS_PREFIX.rstrip("/")) if lost else local
    for target, theirs in sorted(theirs_refs.items()):
        name = target[len(TAGS_PREFIX) :]
        ours = local.get(target)
        if ours is None:
            if verdicts[target]:
                line = quarantine_line(verdicts[target], f"not taken from {remote}")
                outcome.problems.append(line)
                continue
            if target not in lost:
                continue
            ours = now.get(target)
        if ours is not None and ours != theirs:
            outcome.problems.append(
                f"tag {name} differs here and on {remote}: kept the one here; the secretariat "
                "should keep one of them"
            )
