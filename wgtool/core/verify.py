"""Audit the record: is every change made by a member entitled to it?

``verify`` asks the rulebook (:mod:`wgtool.core.rulebook`) about the whole record: main's
first-parent history from its first commit, every amendment, every event chain and every tag,
each judged by the settings and roster in force when it was made, signatures included where the
working group requires them. It also writes an ``allowed_signers`` file with every key the roster
has ever held and when, so that plain ``git log --show-signature`` checks the signatures too.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from wgtool.core import signing
from wgtool.core.agreement import Window, utc_iso
from wgtool.core.messages import parse_message
from wgtool.core.model import Event, Version
from wgtool.core.rulebook import (
    CONSENSUS,
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
from wgtool.core.workgroup import WorkingGroup

ALLOWED_SIGNERS = "allowed_signers"


@dataclass
class VerifyReport:
    commits: int = 0
    tags: int = 0
    signatures: int = 0
    problems: list[str] = field(default_factory=list)
    allowed_signers: Path | None = None
    merges: int = 0
    overridden: list[str] = field(default_factory=list)  # one line per merge without consensus

    def lines(self) -> list[str]:
        checked = f"checked {_count(self.commits, 'commit')} and {_count(self.tags, 'tag')}"
        if self.signatures:
            checked += f", {_count(self.signatures, 'signature')}"
        if not self.problems:
            lines = [f"{checked}: every change is attributed to a member entitled to make it"]
        else:
            lines = [f"{checked}: {_count(len(self.problems), 'problem')}", *self.problems]
        if self.merges:
            lines.append(
                f"{_count(self.merges, 'merge')} on main, "
                f"{len(self.overridden)} adopted with consensus overridden by the chair"
                + (":" if self.overridden else "")
            )
            lines += self.overridden
        if self.allowed_signers is not None:
            lines.append(
                f"The roster's keys over time are in {self.allowed_signers}; to let plain git "
                f"check signatures: git config gpg.ssh.allowedSignersFile {self.allowed_signers}"
            )
        return lines


def verify(wg: WorkingGroup) -> VerifyReport:
    store = wg.store
    book = Rulebook(store)
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
    report.problems += window_problems(wg)
    report.commits = book.commits_judged
    report.tags = sum(1 for ref in refs if ref.startswith(TAGS_PREFIX))
    report.signatures = book.signatures_checked
    report.allowed_signers = write_allowed_signers(store.wgtool_dir, history)
    return report


def silence_problems(wg: WorkingGroup, history: MainHistory, versions: list[Version]) -> list[str]:
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
        shown = wg.store.run(["cat-file", "tag", version.tag], check=False)
        trailers = parse_message(shown.stdout.decode("utf-8", "replace").partition("\n\n")[2])[2]
        silence_id = trailers.get(SILENCE, [""])[-1].strip()
        if silence_id:
            adopted.append((f"tag {version.tag}", silence_id, version.tagged_at, version.draft))
    if not adopted:
        return []
    silences = {s.id: s for s in wg.silences()}
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


def window_problems(wg: WorkingGroup) -> list[str]:
    """Amendments dated while their draft's amendment window was closed, by the record's own
    dates (a guarded remote refuses them by its clock as they arrive; without one, the record
    is all there is, and a member's clock may be wrong either way)."""
    problems = []
    windows: dict[str, list[Event]] = {}
    for amendment in wg.amendments():
        if amendment.draft not in windows:
            events = wg.draft_events(amendment.draft, ("window",))
            windows[amendment.draft] = sorted(events, key=Event.sort_key)
        earlier = [e for e in windows[amendment.draft] if e.at <= amendment.created_at]
        if not Window(earlier[-1] if earlier else None).is_open(amendment.created_at):
            problems.append(
                f"amendment {amendment.id}: proposed to {amendment.draft} at "
                f"{utc_iso(amendment.created_at)}, while its amendment window was closed "
                "(by the record's dates)"
            )
    return problems


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


def _overridden_line(commit: MainCommit) -> str:
    record = commit.record
    day = dt.datetime.fromtimestamp(record.committed_at, dt.timezone.utc).date().isoformat()
    reason = (record.trailer(OVERRIDE_REASON) or "").strip()
    amendment = (commit.amendment or "?")[:8]
    return f"  amendment {amendment}, {record.sha[:10]}, {day}, by {commit.member}: {reason}"


def write_allowed_signers(directory: Path, history: MainHistory) -> Path | None:
    """Write every key the roster has held, valid from the main commit that recorded it until
    the one that replaced or removed it (git checks a signature at its commit's time)."""
    open_since: dict[tuple[str, str], int | None] = {}
    lines: list[str] = []
    for commit in history.commits:
        if not commit.valid or commit.config is None:
            continue
        held = {
            (member.email, signing.normalise_public_key(member.ssh_key))
            for member in commit.config.roster
            if member.ssh_key
        }
        when = commit.record.committed_at if commit.position else None
        for key in sorted(set(open_since) - held):
            lines.append(_signer_line(key, open_since.pop(key), commit.record.committed_at))
        for key in sorted(held - set(open_since)):
            open_since[key] = when
    lines += [_signer_line(key, since, None) for key, since in sorted(open_since.items())]
    if not lines:
        return None
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / ALLOWED_SIGNERS
    path.write_text("".join(line + "\n" for line in lines))
    return path


def _signer_line(key: tuple[str, str], since: int | None, until: int | None) -> str:
    email, public_key = key
    options = 'namespaces="git"'
    if since is not None:
        options += f',valid-after="{_stamp(since)}"'
    if until is not None:
        options += f',valid-before="{_stamp(until)}"'
    return f"{email} {options} {public_key}"


def _stamp(when: int) -> str:
    return dt.datetime.fromtimestamp(when, dt.timezone.utc).strftime("%Y%m%d%H%M%SZ")
