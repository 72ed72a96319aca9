"""Audit the record: is every change attributed to someone entitled to make it?

``verify`` reads the whole history: main's commits were made by chair merges and secretariat
changes (roles as in the roster at the time); each amendment revision is by its proposer; each
event is by the member it names; each consensus version was tagged by the secretariat. Where the
working group requires signatures, each of those commits and tags must also carry a valid SSH
signature by the key the roster holds for that member.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from wgtool.core import config
from wgtool.core.gitstore import CommitInfo, GitStore, parse_message
from wgtool.core.index import AMENDMENTS_PREFIX, EVENTS_PREFIX, MAIN_REF
from wgtool.core.model import Role
from wgtool.core.signing import SignatureChecker
from wgtool.core.sync import JOIN_EMAIL, foreign_main_commits
from wgtool.core.workgroup import TAGS_PREFIX, WorkingGroup


@dataclass
class VerifyReport:
    commits: int = 0
    tags: int = 0
    signatures: int = 0
    problems: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        checked = f"checked {self.commits} commits and {self.tags} versions"
        if self.signatures:
            checked += f", {self.signatures} signatures"
        if not self.problems:
            return [f"{checked}: every change is attributed to a member entitled to make it"]
        return [f"{checked}: {len(self.problems)} problem(s)", *self.problems]


def verify(wg: WorkingGroup) -> VerifyReport:
    store = wg.store
    report = VerifyReport()
    roster = wg.roster
    signed = wg.settings.signatures == "required"
    checker = SignatureChecker(store, roster) if signed else None
    try:
        main = wg.main()
        root = store.run(["rev-list", "--max-parents=0", "--first-parent", main]).stdout.split()
        if root:
            report.problems += [
                f"main: {line}" for line in foreign_main_commits(store, root[-1].decode(), main)
            ]
        commits = _all_commits(store)
        report.commits = len(commits)
        for info in commits.values():
            report.problems += _check_commit(store, roster, info, commits)
            if checker is not None and _needs_signature(store, info):
                report.signatures += 1
                principal = checker.principal(info.sha)
                if principal is None or principal.lower() != info.committer_email.lower():
                    report.problems.append(
                        f"{info.sha[:10]}: no valid signature by {info.committer_email}'s key "
                        "in the roster"
                    )
        report.problems += [
            f"tag {tag} {problem}: it is not a version"
            for tag, problem in wg.version_problems().items()
        ]
        for version in wg.all_versions():
            report.tags += 1
            tagger = config.roster_at(store, version.commit) or roster
            member = next((m for m in tagger if m.name == version.tagger), None)
            if member is None or not member.has(Role.SECRETARIAT):
                report.problems.append(
                    f"version {version.tag}: tagged by {version.tagger}, not the secretariat"
                )
            if checker is not None:
                report.signatures += 1
                principal = checker.principal(TAGS_PREFIX + version.tag, tag=True)
                if principal is None or member is None or principal.lower() != member.email.lower():
                    report.problems.append(
                        f"version {version.tag}: no valid signature by the "
                        "secretariat's key in the roster"
                    )
    finally:
        if checker is not None:
            checker.close()
    return report


def _all_commits(store: GitStore) -> dict[str, CommitInfo]:
    """Every commit reachable from main and the wg refs, read in one git process."""
    refs = list(store.refs(MAIN_REF, AMENDMENTS_PREFIX.rstrip("/"), EVENTS_PREFIX.rstrip("/")))
    shas = (
        store.run(["rev-list", "--stdin"], input=("\n".join(refs) + "\n").encode())
        .stdout.decode()
        .split()
    )
    return store.commits(shas)


def _needs_signature(store: GitStore, info: CommitInfo) -> bool:
    """Commits made once signatures were required (their parent's settings say so)."""
    if not info.parents or info.committer_email == JOIN_EMAIL:
        return False
    for parent in info.parents:
        data = store.read_file(parent, config.SETTINGS_PATH)
        if data is not None:
            try:
                return config.parse_settings(data.decode("utf-8")).signatures == "required"
            except (ValueError, UnicodeDecodeError):
                return False
    return False


def _check_commit(
    store: GitStore, roster: config.Roster, info: CommitInfo, commits: dict[str, CommitInfo]
) -> list[str]:
    _, _, trailers = parse_message(info.message)
    handle = trailers.get("Member", [None])[-1]
    short = info.sha[:10]
    if trailers.get("Revision"):
        amendment = trailers.get("Amendment-Id", ["?"])[-1]
        problems = _check_author(roster, handle, info, f"amendment {amendment} revision {short}")
        parent = commits.get(info.parents[0]) if info.parents else None
        if parent is not None:
            _, _, parent_trailers = parse_message(parent.message)
            if (
                parent_trailers.get("Amendment-Id", [None])[-1] == amendment
                and parent_trailers.get("Member", [None])[-1] != handle
            ):
                problems.append(
                    f"amendment {amendment} revision {short}: revised by {handle}, "
                    "who did not propose it"
                )
        return problems
    if trailers.get("Event"):
        amendment = trailers.get("Amendment-Id", ["?"])[-1]
        where = f"event on {amendment} ({short})"
        problems = _check_author(roster, handle, info, where)
        event_id = trailers.get("Event-Id", [""])[-1]
        data = store.read_file(info.sha, f"events/{event_id}.json") if event_id else None
        try:
            event = json.loads(data.decode("utf-8")) if data is not None else None
        except ValueError:
            event = None
        if event is None or event.get("member") != handle:
            problems.append(f"{where}: its event file does not name {handle} as its author")
        return problems
    if trailers.get("Action", [None])[-1] == "join-events":
        first, second = (info.parents + ("", ""))[:2]
        if len(info.parents) != 2 or store.merge_trees(first, second) != info.tree:
            return [f"{short}: a join of event chains that adds something of its own"]
    return []


def _check_author(
    roster: config.Roster, handle: str | None, info: CommitInfo, where: str
) -> list[str]:
    member = roster.members.get(handle or "")
    if member is None:
        return [f"{where}: made by {handle!r}, who is not in the roster"]
    if member.email.lower() != info.author_email.lower():
        return [f"{where}: says {handle} but the author is {info.author_email}"]
    return []
