"""Fifty members through one remote: clones in their own processes, writing and syncing at once.

    .venv/bin/python benchmarks/many_members.py [--clones 50] [--rounds 10] [--max-pause 0.5]
                                                [--seed 1] [--json] [--keep DIR]

One bare remote; ``--clones`` members each join it with ``wgtool clone`` in their own process
(clone 0 is the chair's machine, clone 1 the secretariat's, the rest are members; the roster
grows to one member per clone). All wait at a gate (a line on their standard input) and are
released together. Then each does ``--rounds`` rounds of: a random pause, propose an amendment
to a random paragraph, take a position and comment on others' open amendments, and
``wgtool sync`` as a process of its own. In each round the chair also merges up to two open
amendments (``override_reason`` where the consensus rule does not hold; a conflict is skipped)
and the secretariat tags a consensus version. Randomness is seeded: the same seed makes the
same choices (the interleaving is the machine's).

Every process reports what it wrote. Afterwards every clone syncs one last time and is checked:

* every event, amendment, merge and tag written anywhere is on every clone and on the remote,
  and nothing else (written = kept), in git and in the index;
* ``wgtool verify`` passes and ``git fsck`` is clean on every clone and on the remote;
* a push that lost a race was retried (``wgtool sync`` prints ``(N rounds)``), not reported:
  any ``Problem:`` line or non-zero exit of a sync is a failure.

The time to converge runs from the release of the gate until the last clone's last sync.
The exit status is 0 when every check passed; ``--json`` prints the whole result as one JSON
document (the test suite runs a small simulation and reads it).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import PYTHON, WGTOOL, isolated_env  # noqa: E402

HERE = Path(__file__).resolve()
CHAIR, SECRETARIAT = "lhaddad", "epetrova"
STANCES = ("support", "support", "no-objection", "abstain", "object")
WORDS = ("inclusive", "transparent", "timely", "balanced", "secure", "accountable", "open")
ROUNDS_RE = re.compile(r"\((\d+) rounds\)")


# -- one member's process -------------------------------------------------------------------------


@dataclass
class SyncOutcome:
    """What one ``wgtool sync`` process said: its rounds (over 1: it retried) and problems."""

    exit_code: int
    rounds: int
    seconds: float
    problems: list[str]
    received: str = ""
    sent: str = ""
    error: str = ""

    @classmethod
    def of(cls, result: subprocess.CompletedProcess[str], seconds: float) -> SyncOutcome:
        lines = result.stdout.splitlines()
        found = ROUNDS_RE.search(lines[0]) if lines else None

        def line(prefix: str) -> str:
            return next((x[len(prefix) :] for x in lines if x.startswith(prefix)), "")

        return cls(
            exit_code=result.returncode,
            rounds=int(found.group(1)) if found else 1,
            seconds=seconds,
            problems=[x for x in lines if x.startswith("Problem:")],
            received=line("Received: "),
            sent=line("Sent: "),
            error="" if result.returncode == 0 else result.stderr.strip()[-500:],
        )


def run_sync(repo: Path, env: dict[str, str]) -> SyncOutcome:
    start = time.perf_counter()
    result = subprocess.run(
        [*WGTOOL, "--repo", str(repo), "sync"], capture_output=True, text=True, env=env
    )
    return SyncOutcome.of(result, time.perf_counter() - start)


@dataclass
class MemberReport:
    """What one member's process wrote and how its syncs went."""

    clone: int
    handle: str
    proposed: list[str] = field(default_factory=list)
    events: list[tuple[str, str]] = field(default_factory=list)  # (amendment, event id)
    merged: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    merge_conflicts: int = 0
    syncs: list[SyncOutcome] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def member(config: dict[str, Any]) -> None:
    """The process of one clone: join, wait at the gate, then the rounds; prints its report."""
    from wgtool.core import document
    from wgtool.core.consensus import NoConsensus
    from wgtool.core.desks import WorkingGroup
    from wgtool.core.errors import MergeConflict, WgError
    from wgtool.core.model import Kind, Status

    index, handle, path = config["clone"], config["handle"], Path(config["path"])
    rng = random.Random(config["seed"] * 100_003 + index)
    env = dict(os.environ)
    report = MemberReport(index, handle)
    joined, first_sync = WorkingGroup.clone(config["url"], path)
    joined.close()
    report.errors += [f"clone: {p}" for p in first_sync.problems]
    print("ready", flush=True)
    sys.stdin.readline()  # the first gate: every member starts at once

    def pause() -> None:
        if config["max_pause"] > 0:
            time.sleep(rng.uniform(0, config["max_pause"]))

    def propose(wg: WorkingGroup, round_number: int) -> None:
        slug = rng.choice(wg.drafts.draft_slugs())
        paragraphs = document.paragraphs(wg.drafts.draft(slug).text)
        number = rng.randrange(1, len(paragraphs) + 1)
        words = paragraphs[number - 1].text.split(" ")
        words.insert(rng.randrange(1, len(words)), f"{rng.choice(WORDS)}-{index}-{round_number}")
        amendment = wg.amendments.propose(
            slug,
            kind=Kind.REPLACE,
            paragraph=number,
            text=" ".join(words),
            rationale=f"Clone {index} ({handle}), round {round_number}.",
        )
        report.proposed.append(amendment.id)

    def deliberate(wg: WorkingGroup, round_number: int) -> None:
        others = sorted(
            a.id for a in wg.amendments.amendments(status=Status.OPEN.value) if a.proposer != handle
        )
        if not others:
            return
        target = rng.choice(others)
        event = wg.deliberation.position(
            target, rng.choice(STANCES), reason=f"Round {round_number}."
        )
        report.events.append((target, event.id))
        target = rng.choice(others)
        event = wg.deliberation.comment(
            target, f"{handle} in round {round_number}: see the rationale."
        )
        report.events.append((target, event.id))

    def merge_some(wg: WorkingGroup) -> None:
        candidates = sorted(
            wg.amendments.amendments(status=Status.OPEN.value), key=lambda a: (a.created_at, a.id)
        )
        merged = 0
        for amendment in candidates[:4]:
            if merged == 2:
                break
            try:
                try:
                    wg.merges.merge(amendment.id)
                except NoConsensus:
                    wg.merges.merge(
                        amendment.id, override_reason="The chair adopts it for the session."
                    )
            except MergeConflict:
                report.merge_conflicts += 1
                continue
            report.merged.append(amendment.id)
            merged += 1

    for round_number in range(1, config["rounds"] + 1):
        pause()
        try:
            with WorkingGroup.open(path, handle) as wg:
                propose(wg, round_number)
                deliberate(wg, round_number)
                if handle == CHAIR:
                    merge_some(wg)
                if handle == SECRETARIAT:
                    slug = rng.choice(wg.drafts.draft_slugs())
                    version = wg.procedure.tag(
                        slug, f"round-{round_number}", message="Agreed so far."
                    )
                    report.tags.append(version.tag)
        except WgError as error:
            report.errors.append(f"round {round_number}: {error.message}")
        pause()
        report.syncs.append(run_sync(path, env))
    print(json.dumps(asdict(report)), flush=True)
    sys.stdin.readline()  # the second gate: every member has finished its rounds
    print(json.dumps(asdict(run_sync(path, env))), flush=True)
    print(json.dumps(check(path)), flush=True)


# -- checking one clone ---------------------------------------------------------------------------


def tree_names(data: bytes) -> list[str]:
    """The entry names of a raw git tree object."""
    names, at = [], 0
    while at < len(data):
        space = data.index(b" ", at)
        nul = data.index(b"\0", space)
        names.append(data[space + 1 : nul].decode())
        at = nul + 21
    return names


def git(repo: Path, *args: str, input: bytes | None = None) -> bytes:
    return subprocess.run(
        ["git", "-C", str(repo), *args], input=input, capture_output=True, check=True
    ).stdout


def record_in_git(repo: Path) -> dict[str, Any]:
    """Amendments, events by amendment, tags and main, read from the refs with plain git."""
    listing = git(repo, "for-each-ref", "--format=%(refname) %(objectname)").decode().split("\n")
    refs = dict(line.split(" ") for line in listing if line)
    amendments = sorted(r.rsplit("/", 1)[1] for r in refs if r.startswith("refs/wg/amendments/"))
    event_refs = sorted(r for r in refs if r.startswith("refs/wg/events/"))
    events: dict[str, list[str]] = {}
    if event_refs:
        # One cat-file process reads every events/ tree.
        batch = git(
            repo, "cat-file", "--batch", input="".join(f"{r}:events\n" for r in event_refs).encode()
        )
        at = 0
        for ref in event_refs:
            header_end = batch.index(b"\n", at)
            _, _, size = batch[at:header_end].split(b" ")
            body = batch[header_end + 1 : header_end + 1 + int(size)]
            at = header_end + 1 + int(size) + 1
            events[ref.rsplit("/", 1)[1]] = sorted(
                n.removesuffix(".json") for n in tree_names(body)
            )
    return {
        "amendments": amendments,
        "events": events,
        "tags": sorted(r[len("refs/tags/") :] for r in refs if r.startswith("refs/tags/")),
        "main": refs.get("refs/heads/main"),
    }


def record_in_index(repo: Path) -> dict[str, Any]:
    """The same, as the index answers (what the commands show)."""
    from wgtool.core.desks import WorkingGroup

    with WorkingGroup.open(repo) as wg:
        amendments = wg.amendments.amendments()
        return {
            "amendments": sorted(a.id for a in amendments),
            "events": {
                a.id: sorted(e.id for e in wg.deliberation.events(a.id)) for a in amendments
            },
            "merged": sorted(a.id for a in amendments if a.status.value == "merged"),
        }


def fsck(repo: Path) -> str:
    """'' when ``git fsck`` is clean, else what it said."""
    result = subprocess.run(
        ["git", "-C", str(repo), "fsck", "--no-dangling", "--no-progress"],
        capture_output=True,
        text=True,
    )
    said = (result.stdout + result.stderr).strip()
    if result.returncode == 0 and "error" not in said.lower() and "missing" not in said.lower():
        return ""
    return said or f"exit {result.returncode}"


def check(repo: Path) -> dict[str, Any]:
    """The record as git and the index hold it, what ``verify`` found and ``git fsck`` said."""
    from wgtool.core.desks import WorkingGroup
    from wgtool.core.exchange.verify import verify

    with WorkingGroup.open(repo) as wg:
        problems = verify(wg).problems
    return {
        "git": record_in_git(repo),
        "index": record_in_index(repo),
        "verify": "; ".join(problems),
        "fsck": fsck(repo),
    }


# -- the simulation -------------------------------------------------------------------------------


def setup(folder: Path, clones: int) -> tuple[str, list[str]]:
    """A working group on a bare remote with one roster member per clone; (URL, handles)."""
    from wgtool.core.desks import WorkingGroup
    from wgtool.core.exchange.sync import sync

    seed, origin = folder / "seed", folder / "origin.git"
    WorkingGroup.init(seed, title="Many members", example=True).close()
    with WorkingGroup.open(seed, SECRETARIAT) as wg:
        handles = [CHAIR, SECRETARIAT]
        handles += [m.handle for m in wg.secretariat.members() if m.handle not in handles]
        groups = sorted(wg.record.settings.groups)
        for number in range(len(handles), clones):
            handle = f"member{number:02d}"
            wg.secretariat.add_member(
                handle,
                name=f"Member {number:02d}",
                email=f"{handle}@example.org",
                group=groups[number % len(groups)],
            )
            handles.append(handle)
        subprocess.run(
            ["git", "init", "--quiet", "--bare", "--initial-branch=main", str(origin)], check=True
        )
        subprocess.run(["git", "-C", str(seed), "remote", "add", "origin", str(origin)], check=True)
        problems = sync(wg).problems
        if problems:
            raise SystemExit(f"could not fill the remote: {problems}")
    shutil.rmtree(seed)
    return f"file://{origin}", handles[:clones]


@dataclass
class Result:
    clones: int
    rounds: int
    seconds: dict[str, float]
    written: dict[str, int]
    kept: dict[str, Any]
    syncs: dict[str, Any]
    failures: list[str]

    @property
    def ok(self) -> bool:
        return not self.failures


class MemberProcess:
    """A member's process as the simulation drives it: lines in (gates), lines out (reports)."""

    def __init__(self, config: dict[str, Any], log: Path, env: dict[str, str]) -> None:
        self.number = config["clone"]
        self.log = log
        self._log_file = open(log, "w")
        self.process = subprocess.Popen(
            [PYTHON, str(HERE), "member", json.dumps(config)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._log_file,
            text=True,
            env=env,
        )

    def read(self) -> Any:
        """The next line it prints, as JSON (None once it has ended)."""
        assert self.process.stdout is not None
        line = self.process.stdout.readline().strip()
        return json.loads(line) if line and line != "ready" else line or None

    def release(self) -> None:
        """Open its next gate."""
        assert self.process.stdin is not None
        try:
            self.process.stdin.write("go\n")
            self.process.stdin.flush()
        except BrokenPipeError:
            pass  # it has ended: reported where its output is missing

    def finish(self) -> int:
        assert self.process.stdin is not None
        self.process.stdin.close()
        code = self.process.wait()
        self._log_file.close()
        return code


def simulate(
    folder: Path, clones: int, rounds: int, max_pause: float, seed: int, env: dict[str, str]
) -> Result:
    start = time.perf_counter()
    url, handles = setup(folder, clones)
    origin = Path(url.removeprefix("file://"))
    members = [
        MemberProcess(
            {
                "clone": n,
                "handle": handles[n],
                "path": str(folder / f"clone-{n:02d}"),
                "url": url,
                "rounds": rounds,
                "max_pause": max_pause,
                "seed": seed,
            },
            folder / f"clone-{n:02d}.log",
            env,
        )
        for n in range(clones)
    ]
    failures: list[str] = []

    def collect(what: str) -> dict[int, Any]:
        """The next line of every member still running, by clone number."""
        found = {m.number: m.read() for m in members}
        failures.extend(
            f"clone {n} ended before {what}: see {members[n].log}"
            for n, line in found.items()
            if line is None
        )
        return {n: line for n, line in found.items() if line is not None}

    collect("joining")
    joined = time.perf_counter()
    for m in members:
        m.release()
    reports: list[dict[str, Any]] = list(collect("its rounds were done").values())
    worked = time.perf_counter()
    # One last sync everywhere, all at once; the record has converged when the last is done.
    for m in members:
        m.release()
    last_syncs = {n: SyncOutcome(**s) for n, s in collect("its last sync").items()}
    converged = time.perf_counter()
    checked: dict[str, dict[str, Any]] = {"remote": check(origin)}
    checked.update((f"clone {n}", found) for n, found in collect("checking").items())
    failures += [f"clone {m.number} exited {code}" for m in members if (code := m.finish())]
    done = time.perf_counter()

    # What was written, by everyone.
    events: dict[str, set[str]] = {}
    for report in reports:
        for amendment, event_id in report["events"]:
            events.setdefault(amendment, set()).add(event_id)
    proposed = {a for r in reports for a in r["proposed"]}
    merged = {a for r in reports for a in r["merged"]}
    tags = {t for r in reports for t in r["tags"]}
    written_events = sum(len(r["events"]) for r in reports)
    failures += [f"clone {r['clone']}: {e}" for r in reports for e in r["errors"]]

    # What every copy kept.
    kept_counts: list[int] = []
    for name, found in checked.items():
        record = found["git"]
        for view, seen in (("git", record), ("index", found["index"])):
            kept = {a: set(ids) for a, ids in seen["events"].items() if ids}
            count = sum(len(ids) for ids in kept.values())
            if view == "git":
                kept_counts.append(count)
            missing = sum(len(ids - kept.get(a, set())) for a, ids in events.items())
            extra = sum(len(ids - events.get(a, set())) for a, ids in kept.items())
            if missing or extra:
                failures.append(
                    f"{name} ({view}): {count} events kept of {written_events} written "
                    f"({missing} missing, {extra} unknown)"
                )
            if set(seen["amendments"]) != proposed:
                failures.append(
                    f"{name} ({view}): {len(seen['amendments'])} amendments, "
                    f"{len(proposed)} proposed"
                )
            if view == "index" and set(seen["merged"]) != merged:
                failures.append(f"{name}: {len(seen['merged'])} merged, {len(merged)} merges")
        if set(record["tags"]) != tags:
            failures.append(f"{name}: {len(record['tags'])} tags of {len(tags)}")
        if found["verify"]:
            failures.append(f"{name}: verify: {found['verify'][:500]}")
        if found["fsck"]:
            failures.append(f"{name}: fsck: {found['fsck'][:500]}")
    mains = {found["git"]["main"] for found in checked.values()}
    if len(mains) != 1:
        failures.append(f"main differs between the copies: {len(mains)} different commits")

    # How the syncs went.
    all_syncs = [SyncOutcome(**s) for r in reports for s in r["syncs"]]
    for n, outcome in last_syncs.items():
        if outcome.sent != "nothing new":
            failures.append(f"clone {n}: its last sync still sent {outcome.sent}")
    for outcome in [*all_syncs, *last_syncs.values()]:
        if outcome.exit_code != 0 or outcome.problems:
            failures.append(
                f"a sync failed (exit {outcome.exit_code}): "
                + "; ".join(outcome.problems or [outcome.error])
            )
    rounds_seen = Counter(s.rounds for s in all_syncs)
    return Result(
        clones=clones,
        rounds=rounds,
        seconds={
            "setup_and_clones": round(joined - start, 2),
            "rounds": round(worked - joined, 2),
            "last_syncs": round(converged - worked, 2),
            "converge": round(converged - joined, 2),
            "checks": round(done - converged, 2),
            "mean_sync": round(sum(s.seconds for s in all_syncs) / max(len(all_syncs), 1), 2),
        },
        written={
            "events": written_events,
            "amendments": len(proposed),
            "merges": len(merged),
            "tags": len(tags),
            "merge_conflicts_skipped": sum(r["merge_conflicts"] for r in reports),
        },
        kept={
            "events_min": min(kept_counts, default=0),
            "events_max": max(kept_counts, default=0),
            "copies_checked": len(kept_counts),
        },
        syncs={
            "count": len(all_syncs) + len(last_syncs),
            "retried": sum(1 for s in all_syncs if s.rounds > 1),
            "retries": sum(s.rounds - 1 for s in all_syncs),
            "rounds_histogram": {str(k): v for k, v in sorted(rounds_seen.items())},
            "problems": sum(len(s.problems) for s in [*all_syncs, *last_syncs.values()]),
        },
        failures=failures,
    )


def describe(result: Result) -> str:
    s, w, k, y = result.seconds, result.written, result.kept, result.syncs
    lines = [
        f"{result.clones} clones x {result.rounds} rounds through one bare remote",
        f"converged in {s['converge']:.1f} s after the gate ({s['rounds']:.1f} s of rounds, "
        f"{s['last_syncs']:.1f} s for the last syncs; joining took {s['setup_and_clones']:.1f} s,"
        f" checking {s['checks']:.1f} s; a sync took {s['mean_sync']:.2f} s on average)",
        f"written: {w['events']} events, {w['amendments']} amendments, {w['merges']} merges "
        f"({w['merge_conflicts_skipped']} conflicting amendments skipped), {w['tags']} tags",
        f"kept: {k['events_min']}..{k['events_max']} events on each of {k['copies_checked']} "
        "copies (the remote and every clone)",
        f"syncs: {y['count']}, of which {y['retried']} retried after losing a race "
        f"({y['retries']} extra rounds; rounds per sync: {y['rounds_histogram']}), "
        f"{y['problems']} problems reported",
    ]
    if result.failures:
        lines.append(f"FAILED: {len(result.failures)} failure(s)")
        lines += [f"  {f}" for f in result.failures[:50]]
    else:
        lines.append("every check passed: written = kept everywhere, verify and fsck clean")
    return "\n".join(lines)


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "member":
        member(json.loads(sys.argv[2]))
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clones", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--max-pause", type=float, default=0.5, help="seconds; 0: no pauses")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    parser.add_argument("--keep", metavar="DIR", help="work in DIR and keep it afterwards")
    args = parser.parse_args()
    if args.clones < 2:
        parser.error("--clones: at least 2 (the chair's and the secretariat's machines)")
    folder = Path(args.keep or tempfile.mkdtemp(prefix="wgtool-members-"))
    folder.mkdir(parents=True, exist_ok=True)
    env = isolated_env(folder / "home")
    os.environ.clear()
    os.environ.update(env)  # this process sets up the group with the same identity
    try:
        result = simulate(folder, args.clones, args.rounds, args.max_pause, args.seed, env)
    finally:
        if not args.keep:
            shutil.rmtree(folder, ignore_errors=True)
    print(json.dumps({**asdict(result), "ok": result.ok}) if args.json else describe(result))
    sys.exit(0 if result.ok else 1)


if __name__ == "__main__":
    main()
