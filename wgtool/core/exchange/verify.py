"""Audit the record: is every change made by a member entitled to it?

``verify`` asks the rulebook (:mod:`wgtool.core.record.rulebook`) about the whole record: main's
first-parent history from its first commit, every amendment, every event chain and every tag,
each judged by the settings and roster in force when it was made, signatures included where the
working group requires them. It also writes an ``allowed_signers`` file with every key the roster
has ever held and when, so that plain ``git log --show-signature`` checks the signatures too.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from wgtool.core.agreement import Window, utc_iso
from wgtool.core.desks.parts import Desks
from wgtool.core.exchange.kept_report import (
    ALLOWED_SIGNERS,
    LISTING,
    VerifyReport,
    keep_report,
    kept_report,
    record_key,
)
from wgtool.core.model import DRAFT_CHAIN, Event, Version
from wgtool.core.record import signing
from wgtool.core.record.messages import parse_message
from wgtool.core.record.rulebook import (
    AMENDMENTS_PREFIX,
    CONSENSUS,
    EVENTS_PREFIX,
    MAIN_REF,
    MERGE,
    OVERRIDE_REASON,
    SILENCE,
    TAGS_PREFIX,
    WG_PREFIX,
    MainCommit,
    MainHistory,
    Problem,
    Rulebook,
)


def verify(wg: Desks, *, full: bool = False) -> VerifyReport:
    """Judge the whole record; ``full`` judges every commit again, ignoring the verdicts kept
    from earlier runs (see :mod:`wgtool.core.record.rulebook.kept`) and the report kept on a
    record unchanged since a clean run (see :mod:`wgtool.core.exchange.kept_report`)."""
    store = wg.record.store
    listing = store.run(LISTING).stdout
    if not full:
        kept = kept_report(store.wgtool_dir, record_key(listing))
        if kept is not None:
            return kept
    report = _judge(wg, full=full)
    if store.run(LISTING).stdout == listing:  # no ref moved while it was judged
        keep_report(store.wgtool_dir, record_key(listing), report)
    return report


def _judge(wg: Desks, *, full: bool) -> VerifyReport:
    store = wg.record.store
    book = Rulebook(store, kept=not full)
    report = VerifyReport()
    history = book.history(store.resolve(MAIN_REF))
    for commit in history.invalid():
        for reason in commit.problems:
            report.problems.append(Problem("main", reason, commit.sha, commit.record.author).line())
    refs = store.refs(WG_PREFIX.rstrip("/"), TAGS_PREFIX.rstrip("/"))
    verdicts = book.judge_refs(refs, history)
    for ref in sorted(verdicts):
        report.problems += [problem.line() for problem in verdicts[ref]]
    for commit in history.commits:
        if commit.valid and commit.kind == MERGE:
            report.merges += 1
            if commit.record.trailer(CONSENSUS) == "overridden":
                report.overridden.append(_overridden_line(commit))
    tags = {
        ref[len(TAGS_PREFIX) :]: sha for ref, sha in refs.items() if ref.startswith(TAGS_PREFIX)
    }
    versions = [v.version for v in book.tags(tags, history) if v.version is not None]
    report.problems += silence_problems(wg, history, versions)
    report.problems += window_problems(book, history, refs)
    report.commits = book.commits_judged
    report.tags = sum(1 for ref in refs if ref.startswith(TAGS_PREFIX))
    report.signatures = book.signatures_checked
    report.allowed_signers = write_allowed_signers(store.wgtool_dir, history)
    return report


def silence_problems(wg: Desks, history: MainHistory, versions: list[Version]) -> list[str]:
    """Adoptions under silence (a merge with ``Consensus: silence``, a version whose tag names a
    ``Silence``) whose silence is not in the record, had not ended, or was broken in time."""
    adopted: list[tuple[str, str, int, str]] = []  # (where, silence id, when, subject)
    for commit in history.commits:
        if commit.valid and commit.kind == MERGE and commit.record.trailer(CONSENSUS) == "silence":
            adopted.append(
                (
                    f"main: {commit.sha[:10]}",
                    commit.record.trailer(SILENCE) or "",
                    commit.record.committed_at,
                    commit.amendment or "",
                )
            )
    # Only the tags the rulebook accepts as versions: an odd tag is reported as such already.
    for version in versions:
        shown = wg.record.store.run(["cat-file", "tag", version.tag], check=False)
        trailers = parse_message(shown.stdout.decode("utf-8", "replace").partition("\n\n")[2])[2]
        silence_id = trailers.get(SILENCE, [""])[-1].strip()
        if silence_id:
            adopted.append((f"tag {version.tag}", silence_id, version.tagged_at, version.draft))
    if not adopted:
        return []
    silences = {s.id: s for s in wg.procedure.silences()}
    problems = []
    for where, silence_id, moment, subject in adopted:
        silence = silences.get(silence_id)
        if silence is None or silence.subject != subject:
            problems.append(f"{where}: adopted under silence {silence_id}, which is not on record")
        elif moment < int(silence.until):  # commit times are whole seconds
            problems.append(f"{where}: adopted under silence {silence_id} before its deadline")
        elif silence.breaks:
            who = ", ".join(f"{b.member} ({b.group})" for b in silence.breaks)
            problems.append(f"{where}: adopted under silence {silence_id}, which {who} broke")
    return problems


def window_problems(book: Rulebook, history: MainHistory, refs: dict[str, str]) -> list[str]:
    """Amendments dated while their draft's amendment window was closed, by the record's own
    dates (a guarded remote refuses them by its clock as they arrive; without one, the record
    is all there is, and a member's clock may be wrong either way)."""
    chains = {
        ref[len(EVENTS_PREFIX) :]: sha
        for ref, sha in refs.items()
        if ref.startswith(EVENTS_PREFIX + DRAFT_CHAIN)
    }
    judged = book.event_chains(chains, history, {})
    windows = {
        key[len(DRAFT_CHAIN) :]: sorted(
            (e for e in chain.events if e.type == "window"), key=Event.sort_key
        )
        for key, chain in judged.items()
    }
    if not any(windows.values()):
        return []
    tips = {
        ref[len(AMENDMENTS_PREFIX) :]: sha
        for ref, sha in refs.items()
        if ref.startswith(AMENDMENTS_PREFIX)
    }
    problems = []
    for amendment, chain in sorted(book.amendment_chains(tips, history).items()):
        if not chain.valid or not windows.get(chain.draft or ""):
            continue
        created = chain.revisions[0].authored_at
        earlier = [e for e in windows[chain.draft or ""] if e.at <= created]
        if not Window(earlier[-1] if earlier else None).is_open(created):
            problems.append(
                f"amendment {amendment}: proposed to {chain.draft} at {utc_iso(created)}, "
                "while its amendment window was closed (by the record's dates)"
            )
    return problems


def _overridden_line(commit: MainCommit) -> str:
    record = commit.record
    day = dt.datetime.fromtimestamp(record.committed_at, dt.timezone.utc).date().isoformat()
    reason = (record.trailer(OVERRIDE_REASON) or "").strip()
    amendment = (commit.amendment or "?")[:8]
    return f"  amendment {amendment}, {record.sha[:10]}, {day}, by {commit.member}: {reason}"


SignerKey = tuple[str, str]  # (email, public key)


@dataclass(frozen=True)
class SignerWindow:
    """The commit times at which a key checks as its member's: from ``after`` (None: from the
    start) to ``before`` (None: still held), both included, as ssh-keygen reads them."""

    key: SignerKey
    after: int | None
    before: int | None


def write_allowed_signers(directory: Path, history: MainHistory) -> Path | None:
    """Write every key the roster has held, each with the times of the main commits it was in
    force for (:func:`signer_windows`); git checks a signature at its commit's time."""
    windows = signer_windows(
        (
            commit.record.committed_at,
            {
                (member.email, signing.normalise_public_key(member.ssh_key))
                for member in commit.config.roster
                if member.ssh_key
            },
        )
        for commit in history.commits
        if commit.valid and commit.config is not None
    )
    if not windows:
        return None
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / ALLOWED_SIGNERS
    path.write_text("".join(_signer_line(window) + "\n" for window in windows))
    return path


def signer_windows(steps: Iterable[tuple[int, set[SignerKey]]]) -> list[SignerWindow]:
    """The window of each key over main's valid commits (``steps``: each commit's time and the
    keys its roster holds), in the order the windows close.

    A key is in force from the commit that records it through the commit that replaces or
    removes it (judged by the roster before it, that commit is still signed with the old key).
    Its window runs from the earliest to the latest time of those commits, so that clocks that
    disagree between commits never turn it inside out; keys of the first commit hold from the
    start. ssh-keygen refuses a window whose two ends are the same second (it ignores that
    line, and every signature by the key then fails): a key recorded and replaced within one
    second is given that second and the next.
    """
    held: dict[SignerKey, tuple[bool, int, int]] = {}  # key: (from the start, earliest, latest)
    closed: list[SignerWindow] = []
    first = True
    for when, keys in steps:
        for key, (start, low, high) in held.items():
            held[key] = (start, min(low, when), max(high, when))
        for key in sorted(set(held) - keys):
            closed.append(_window(key, *held.pop(key), still_held=False))
        for key in sorted(keys - set(held)):
            held[key] = (first, when, when)
        first = False
    return closed + [_window(key, *held[key], still_held=True) for key in sorted(held)]


def _window(
    key: SignerKey, from_start: bool, low: int, high: int, *, still_held: bool
) -> SignerWindow:
    after = None if from_start else low
    before = None if still_held else high
    if after is not None and before is not None and before <= after:
        before = after + 1
    return SignerWindow(key, after, before)


def _signer_line(window: SignerWindow) -> str:
    email, public_key = window.key
    options = 'namespaces="git"'
    if window.after is not None:
        options += f',valid-after="{_stamp(window.after)}"'
    if window.before is not None:
        options += f',valid-before="{_stamp(window.before)}"'
    return f"{email} {options} {public_key}"


def _stamp(when: int) -> str:
    return dt.datetime.fromtimestamp(when, dt.timezone.utc).strftime("%Y%m%d%H%M%SZ")
