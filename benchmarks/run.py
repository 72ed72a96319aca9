"""The benchmark command: every target of the scale issue, measured as processes from spawn.

    .venv/bin/python benchmarks/run.py [--amendments 400,4000] [--rounds 7] [--quick]
    .venv/bin/python benchmarks/run.py --amendments 10000   # the 10,000 run, on its own

For each size a working group is seeded (``benchmarks/seed.py``), served from a bare remote
(packed by ``git gc``, as a server keeps it) and cloned with ``wgtool clone``: the rows run on
that clone, packed as a member's clone is. Every row is measured next to its anchor, in
alternation (A B B A ...) in the same stretch of time, so that the load of a shared machine hits
both alike: the ratios count, not the times. Each figure is the median of the rounds; peak
memory is the largest resident set of any wgtool run in the row.

* single-amendment commands and listings, next to the floor ``python -c "import click, git,
  sqlmodel"``;
* ``verify`` (and ``verify --full`` where the command has it), next to ``git rev-list --all
  --objects | git cat-file --batch-check``: every reachable object found once;
* the terminal UI from spawn: its first frame next to a minimal ``App().run()`` (a Textual app
  with no widgets, in its own process), and its first frame, first screen filled and queue
  filled next to a Textual app with the same widgets loading the same rows (``tui_child.py``);
* ``clone`` (with its first sync), next to ``git clone --mirror`` of the same remote;
* ``sync`` receiving 500 events, next to ``git fetch`` of the same refs into a copy of the same
  clone;
* the size of ``.git`` of the clone after 50 syncs, next to the record of a copy after
  ``git gc --aggressive`` (the index left out).

Each ratio is printed raw (what the targets judge), with the import floor's median time taken
off wgtool's (what wgtool costs beyond starting an interpreter with its libraries; not for the
TUI, whose anchors start an interpreter and Textual themselves), and, where the anchor is git
(verify, clone, sync), with a bare interpreter's median start (``python -c pass``) taken off:
the floor imports SQLModel, which those commands do not, so taking it off flatters them.
One table per size, each with the machine, the load at its start and how long it took.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import (  # noqa: E402
    PYTHON,
    WGTOOL,
    Pair,
    Row,
    Run,
    alternate,
    disk_usage,
    isolated_env,
    machine,
    seconds_label,
    size_label,
    spawn,
    spawn_stamped,
    table,
)

BENCHMARKS = Path(__file__).resolve().parent
FLOOR = [PYTHON, "-c", "import click, git, sqlmodel"]
FLOOR_LABEL = "`python -c 'import click, git, sqlmodel'`"
# A bare interpreter's start, with the same site-packages: what any Python command pays first.
START = [PYTHON, "-c", "pass"]
# Every reachable object found once: the least a check of the whole record does.
VERIFY_ANCHOR = "git rev-list --all --objects | git cat-file --batch-check >/dev/null"
VERIFY_LABEL = "`git rev-list --all --objects \\| git cat-file --batch-check`"
CHAIR, SECRETARIAT = "lhaddad", "epetrova"
ROW_GROUPS = ("commands", "listings", "verify", "tui", "clone", "sync")
MEMBERS = ("mchen", "ndlamini", "therrera")


@dataclass(frozen=True)
class Options:
    sizes: tuple[int, ...]
    rounds: int
    heavy_rounds: int
    events: int
    syncs: int
    work: Path
    keep: bool
    only: frozenset[str]


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


class Bench:
    """One seeded working group, a member's clone of it, and the processes that measure it."""

    def __init__(self, size: int, folder: Path, options: Options) -> None:
        self.size = size
        self.folder = folder
        self.options = options
        self.env = isolated_env(folder / "home")
        self.seeded = folder / "wg"
        self.origin = folder / "origin.git"
        self.repo = folder / "member"  # the clone every row runs on
        # Rows in order: rows, or measured pairs that become rows once the floor's median is
        # known (with whether the floor is taken off wgtool's time: not where the anchor starts
        # an interpreter too, as the TUI's anchors do).
        self.rows: list[Row | tuple[tuple[str, str, Pair, str, float | None], bool]] = []
        self.notes: list[str] = []
        self.peaks: dict[str, float] = {}
        self.floor_runs: list[float] = []
        self.start_runs: list[float] = []
        self._counter = 0
        # Names made here (tags, comments) differ between runs on a group kept (--keep).
        self._run_id = int(time.time())

    # -- running ---------------------------------------------------------------------------------

    def next_number(self) -> int:
        self._counter += 1
        return self._counter

    def wg(self, *args: str, actor: str | None = None, repo: Path | None = None) -> list[str]:
        who = ["--as", actor] if actor else []
        return [*WGTOOL, "--repo", str(repo or self.repo), *who, *args]

    def run(self, argv: list[str], cwd: Path | None = None) -> Run:
        return spawn(argv, env=self.env, cwd=cwd).check()

    def seconds(self, argv: list[str], cwd: Path | None = None) -> float:
        return self.run(argv, cwd).seconds

    def git(self, *args: str) -> str:
        return self.run(["git", *args]).stdout

    def floor(self) -> float:
        """One run of the import floor (every one counts towards the floor's median)."""
        seconds = self.seconds(FLOOR)
        self.floor_runs.append(seconds)
        return seconds

    @property
    def floor_median(self) -> float:
        return statistics.median(self.floor_runs)

    def start(self) -> float:
        """One start of a bare interpreter (every one counts towards its median)."""
        seconds = self.seconds(START)
        self.start_runs.append(seconds)
        return seconds

    def add(
        self,
        what: str,
        anchor: str,
        pair: Pair,
        target: str,
        limit: float | None,
        peak_of: str | None = None,
        *,
        less_floor: bool = True,
    ) -> None:
        self.rows.append(((what, anchor, pair, target, limit), less_floor))
        self.peaks[peak_of or what] = max(pair.peak_mb, self.peaks.get(peak_of or what, 0.0))
        log(
            f"[{self.size:,}] {what}: {seconds_label(pair.wgtool_median)} vs "
            f"{seconds_label(pair.anchor_median)} ({pair.ratio:.2f}x), {pair.peak_mb:.0f} MB"
        )

    # -- the group and the member's clone --------------------------------------------------------

    def prepare(self) -> None:
        """Seed the group, serve it from a bare remote and clone it as a member does; or reuse
        what a run with ``--keep`` left in this folder."""
        start = time.perf_counter()
        ready = self.folder / "prepared"
        if ready.exists() and self.repo.is_dir():
            what = "reused (prepared by an earlier run)"
        else:
            for path in (self.seeded, self.origin, self.repo):  # what a run cut short left
                shutil.rmtree(path, ignore_errors=True)
            self.run([PYTHON, str(BENCHMARKS / "seed.py"), str(self.seeded), str(self.size)])
            self.git("clone", "--quiet", "--mirror", f"file://{self.seeded}", str(self.origin))
            self.git("-C", str(self.origin), "remote", "remove", "origin")
            self.git("-C", str(self.origin), "gc", "--quiet")
            self.run([*WGTOOL, "clone", self.url, str(self.repo)])
            ready.touch()
            what = "seeded, served and cloned"
        # The index as any earlier command would have left it (rebuilt for this checkout's
        # schema where an earlier run's was another).
        self.run(self.wg("amendments"))
        log(f"[{self.size:,}] {what} in {time.perf_counter() - start:.1f} s")

    @property
    def url(self) -> str:
        return f"file://{self.origin}"

    # -- the rows --------------------------------------------------------------------------------

    def amendments(self, *args: str) -> list[dict[str, object]]:
        listing: list[dict[str, object]] = json.loads(
            self.run(self.wg("amendments", *args, "--json")).stdout
        )
        return listing

    def single_commands(self) -> None:
        listing = self.amendments("--status", "open")
        shown = str(listing[len(listing) // 2]["id"])
        # Amendments on distinct paragraphs merge cleanly in any order, one per round.
        by_place: dict[tuple[object, object], str] = {}
        for a in listing:
            by_place.setdefault((a["draft"], a["paragraph"]), str(a["id"]))
        mergeable = iter([i for i in by_place.values() if i != shown])
        rounds = self.options.rounds
        target = "≤ 1.3x the floor"

        commands: list[tuple[str, Callable[[], Run]]] = [
            ("`show` one amendment", lambda: self.run(self.wg("show", shown))),
            (
                "`propose`",
                lambda: self.run(
                    self.wg(
                        "propose",
                        "principles",
                        "--paragraph",
                        "1",
                        "--text",
                        f"Benchmark text number {self.next_number()}.",
                        "--rationale",
                        "Measured.",
                        actor=MEMBERS[0],
                    )
                ),
            ),
            (
                "`position`",
                lambda: self.run(self.wg("position", shown, "support", actor=MEMBERS[1])),
            ),
            (
                "`comment`",
                lambda: self.run(
                    self.wg("comment", shown, f"Comment {self.next_number()}", actor=MEMBERS[2])
                ),
            ),
            (
                "`merge --override-consensus`",
                lambda: self.run(
                    self.wg(
                        "merge",
                        next(mergeable),
                        "--override-consensus",
                        "--reason",
                        "x",
                        actor=CHAIR,
                    )
                ),
            ),
            (
                "`tag`",
                lambda: self.run(
                    self.wg(
                        "tag",
                        "principles",
                        f"bench-{self._run_id}-{self.next_number()}",
                        "--message",
                        "Measured",
                        actor=SECRETARIAT,
                    )
                ),
            ),
        ]
        for what, command in commands:
            self.add(what, FLOOR_LABEL, alternate(self.floor, command, rounds), target, 1.3)

    def listings(self) -> None:
        for what, args in (
            ("`amendments` (all)", ()),
            ("`amendments principles --status open`", ("principles", "--status", "open")),
            ("`amendments --group civil-society`", ("--group", "civil-society")),
            ("`amendments --search secure`", ("--search", "secure")),
        ):
            pair = alternate(
                self.floor, partial(self.run, self.wg("amendments", *args)), self.options.rounds
            )
            self.add(what, FLOOR_LABEL, pair, "≤ 1.5x the floor", 1.5)

    def verify(self) -> None:
        """``verify`` on the member's clone (packed as a clone is), and ``verify --full`` where
        the command has it."""
        commands: list[tuple[str, tuple[str, ...]]] = [("`verify` on a clone", ("verify",))]
        if "--full" in self.run(self.wg("verify", "--help")).stdout:
            commands.append(("`verify --full` on a clone", ("verify", "--full")))
        for what, args in commands:
            pair = alternate(
                lambda: self.seconds(["sh", "-c", VERIFY_ANCHOR], cwd=self.repo),
                partial(self.run, self.wg(*args)),
                self.options.rounds,
            )
            self.add(what, VERIFY_LABEL, pair, "≤ 3x", 3.0)

    def tui(self) -> None:
        drafts = json.loads(self.run(self.wg("draft", "list", "--json")).stdout)
        first = drafts[0]["slug"]
        queue = self.amendments(first)
        drafts_file, queue_file = self.folder / "drafts.json", self.folder / "queue.json"
        drafts_file.write_text(json.dumps(drafts))
        queue_file.write_text(json.dumps(queue))
        child = [PYTHON, str(BENCHMARKS / "tui_child.py")]
        counts = [str(len(drafts)), str(len(queue))]
        minimal = [*child, "0", "0", "minimal"]
        bare = [*child, *counts, "bare", str(drafts_file), str(queue_file)]
        real = [*child, *counts, "wgtool", str(self.repo), CHAIR]
        marks = ("paint", "filled", "queue")
        pairs = {mark: Pair() for mark in marks}
        to_minimal = Pair()

        def measure(argv: list[str]) -> tuple[dict[str, float], float]:
            run = spawn_stamped(argv, env=self.env).check()
            return json.loads(run.stdout.splitlines()[-1]), run.max_rss_mb

        for argv in (minimal, bare, real):
            measure(argv)
        for number in range(self.options.rounds):
            order = [minimal, bare, real]
            for argv in reversed(order) if number % 2 else order:
                found, rss = measure(argv)
                if argv is minimal:
                    to_minimal.anchor.append(found["paint"])
                    continue
                for mark in marks:
                    if argv is real:
                        pairs[mark].wgtool.append(found[mark])
                        pairs[mark].wgtool_rss_mb.append(rss)
                    else:
                        pairs[mark].anchor.append(found[mark])
        to_minimal.wgtool = pairs["paint"].wgtool
        to_minimal.wgtool_rss_mb = pairs["paint"].wgtool_rss_mb
        anchor = "Textual app, same widgets, same rows"
        self.notes.append(
            f"TUI at {self.size:,} amendments: the first screen holds {len(drafts)} drafts, the "
            f"queue of {first} {len(queue):,} amendments; headless at 100x32"
        )
        rows: list[tuple[str, str, Pair, str, float | None]] = [
            ("TUI first paint, from spawn", "minimal `App().run()`", to_minimal, "≤ 1.5x", 1.5),
            ("TUI first paint, from spawn", anchor, pairs["paint"], "—", None),
            ("TUI first screen filled, from spawn", anchor, pairs["filled"], "≤ 2x", 2.0),
            (
                "TUI queue of the first draft filled, from spawn",
                anchor,
                pairs["queue"],
                "≤ 2x",
                2.0,
            ),
        ]
        for what, against, pair, target, limit in rows:
            self.add(what, against, pair, target, limit, "the TUI", less_floor=False)

    def clone(self) -> None:
        """Clones of the remote, each removed after its round."""

        def wgtool_clone() -> Run:
            path = self.folder / f"clone-{self.next_number()}"
            run = self.run([*WGTOOL, "clone", self.url, str(path)])
            shutil.rmtree(path)
            return run

        def mirror() -> float:
            path = self.folder / f"mirror-{self.next_number()}"
            seconds = self.seconds(["git", "clone", "--quiet", "--mirror", self.url, str(path)])
            shutil.rmtree(path)
            return seconds

        pair = alternate(mirror, wgtool_clone, self.options.heavy_rounds, warm_up=False)
        self.add("`clone` and its first sync", "`git clone --mirror`", pair, "≤ 3x", 3.0)

    def sync(self) -> None:
        """A sender writes the events and pushes them; copies of the member's clone fetch them;
        then the clone syncs with the sender's stream of events and its `.git` is measured."""
        receiver = self.repo
        # What the rows before wrote in the clone is sent first, as a member's next sync would.
        self.run(self.wg("sync"))
        sender = self.folder / "sender"
        shutil.rmtree(sender, ignore_errors=True)
        shutil.copytree(receiver, sender, symlinks=True)
        workload = [PYTHON, str(BENCHMARKS / "workload.py")]
        log(
            self.run(
                [*workload, "events", str(sender), str(self.options.events), "1"]
            ).stdout.strip()
        )
        sent = self.run(self.wg("sync", repo=sender)).stdout
        if f"Sent: {self.options.events} events" not in sent:
            log(f"warning: the sender's sync said {sent!r}")
        specs = [
            "+refs/heads/main:refs/remotes/origin/main",
            "+refs/wg/*:refs/remotes/origin/wg/*",
            "+refs/tags/*:refs/remotes/origin/tags/*",
        ]

        def copy() -> Path:
            target = self.folder / f"receiver-{self.next_number()}"
            shutil.copytree(receiver, target, symlinks=True)
            return target

        def fetch() -> float:
            target = copy()
            fetch_args = ["fetch", "--quiet", "--no-tags", "--prune", "--no-write-fetch-head"]
            seconds = self.seconds(["git", "-C", str(target), *fetch_args, "origin", *specs])
            shutil.rmtree(target)
            return seconds

        def wgtool_sync() -> Run:
            target = copy()
            run = self.run(self.wg("sync", repo=target))
            if f"Received: {self.options.events} events" not in run.stdout:
                log(f"warning: the receiver's sync said {run.stdout!r}")
            shutil.rmtree(target)
            return run

        pair = alternate(fetch, wgtool_sync, self.options.heavy_rounds, warm_up=False)
        self.add(
            f"`sync` receiving {self.options.events} events",
            "`git fetch` of the same refs",
            pair,
            "≤ 2x",
            2.0,
        )
        self.size_after_syncs(sender, receiver)

    def size_after_syncs(self, sender: Path, receiver: Path) -> None:
        syncs = self.options.syncs
        self.run(
            [
                PYTHON,
                str(BENCHMARKS / "workload.py"),
                "churn",
                str(sender),
                str(receiver),
                str(syncs),
                "10",
                "2",
            ]
        )
        git_dir = receiver / ".git"
        packed = self.folder / "packed"
        shutil.rmtree(packed, ignore_errors=True)
        shutil.copytree(receiver, packed, symlinks=True)
        # The record alone: what git keeps after gc once the reflogs (a local history of ref
        # moves, not part of the record) are expired.
        self.git("-C", str(packed), "reflog", "expire", "--expire=now", "--all")
        self.git("-C", str(packed), "gc", "--quiet", "--aggressive", "--prune=now")
        shutil.rmtree(packed / ".git" / "wgtool")
        ours, theirs = disk_usage(git_dir), disk_usage(packed / ".git")
        shutil.rmtree(packed)
        self.rows.append(
            Row(
                f"`.git` of the clone after {syncs} syncs",
                "`git gc --aggressive` of a copy (reflogs expired, no index)",
                size_label(theirs),
                size_label(ours),
                ours / theirs,
                "≤ 2x",
                2.0,
            )
        )
        parts = {
            "loose refs": disk_usage(git_dir / "refs"),
            "reflogs": disk_usage(git_dir / "logs"),
            "objects": disk_usage(git_dir / "objects"),
            "index": disk_usage(git_dir / "wgtool"),
        }
        self.notes.append(
            f".git after {syncs} syncs at {self.size:,} amendments: "
            + ", ".join(f"{name} {size_label(size)}" for name, size in parts.items())
        )
        log(f"[{self.size:,}] .git {size_label(ours)} vs {size_label(theirs)}; {self.notes[-1]}")

    def measure(self) -> list[Row]:
        """Every row asked for; the rows that change the clone (sync and its churn) last."""
        only = self.options.only
        self.prepare()
        for _ in range(self.options.rounds):  # the floor and a bare start, whatever rows run
            self.floor()
            self.start()
        for group, measure in (
            ("commands", self.single_commands),
            ("listings", self.listings),
            ("verify", self.verify),
            ("tui", self.tui),
            ("clone", self.clone),
            ("sync", self.sync),
        ):
            if not only or group in only:
                measure()
        floor, start = self.floor_median, statistics.median(self.start_runs)
        self.notes.insert(
            0,
            f"import floor at {self.size:,} amendments: {seconds_label(floor)}; a bare "
            f"interpreter's start (`python -c pass`): {seconds_label(start)}",
        )
        rows = []
        for row in self.rows:
            if isinstance(row, Row):
                rows.append(row)
                continue
            (what, anchor, pair, target, limit), less_floor = row
            # A row measured next to the floor has the floor's own median of its stretch of time
            # (and an interpreter's start on both sides: none is taken off).
            next_to_floor = anchor == FLOOR_LABEL
            taken_off = pair.anchor_median if next_to_floor else floor
            rows.append(
                Row.measured(
                    what,
                    anchor,
                    pair,
                    target,
                    limit,
                    taken_off if less_floor else None,
                    start if less_floor and not next_to_floor else None,
                )
            )
        return rows


def memory_row(peaks: dict[str, float]) -> Row:
    what, peak = max(peaks.items(), key=lambda item: item[1])
    verdict = "✓" if peak < 200 else "✗"
    return Row(
        "peak memory, any command or the TUI",
        "—",
        "—",
        f"{peak:.0f} MB ({what}) {verdict}",
        None,
        "< 200 MB",
        None,
        peak,
    )


def parse_args(argv: list[str] | None = None) -> Options:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--amendments",
        default="400,4000",
        help="sizes of the seeded groups, comma-separated (one table each); the 10,000 run is "
        "its own command: --amendments 10000",
    )
    parser.add_argument("--rounds", type=int, default=7, help="rounds of each quick row")
    parser.add_argument(
        "--heavy-rounds", type=int, default=3, help="rounds of clone and sync (minutes at 4,000)"
    )
    parser.add_argument("--events", type=int, default=500, help="events the measured sync receives")
    parser.add_argument("--syncs", type=int, default=50, help="syncs before measuring .git")
    parser.add_argument(
        "--quick", action="store_true", help="a small run: 40 amendments, few rounds"
    )
    parser.add_argument(
        "--keep",
        metavar="DIR",
        help="work in DIR and keep it afterwards; a group prepared there by an earlier run is "
        "reused (rows that write, such as propose, merge or sync, have changed it since)",
    )
    parser.add_argument(
        "--only",
        metavar="ROWS",
        help=f"measure only these rows, comma-separated: {', '.join(ROW_GROUPS)} "
        "(sync includes the size of .git after the syncs)",
    )

    args = parser.parse_args(argv)
    if args.quick:
        args.amendments, args.rounds, args.heavy_rounds = "40", 3, 1
        args.events, args.syncs = 50, 10
    unknown = set(args.only.split(",")) - set(ROW_GROUPS) if args.only else set()
    if unknown:
        parser.error(f"--only: unknown rows {', '.join(sorted(unknown))}")
    work = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="wgtool-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    return Options(
        sizes=tuple(sorted(int(n) for n in args.amendments.split(","))),
        rounds=args.rounds,
        heavy_rounds=args.heavy_rounds,
        events=args.events,
        syncs=args.syncs,
        work=work,
        keep=bool(args.keep),
        only=frozenset(args.only.split(",")) if args.only else frozenset(),
    )


def main(argv: list[str] | None = None) -> None:
    options = parse_args(argv)
    reports: list[str] = []
    try:
        for size in options.sizes:
            header = machine()
            log(header)
            started = time.perf_counter()
            folder = options.work / f"n{size}"
            folder.mkdir(parents=True, exist_ok=True)
            bench = Bench(size, folder, options)
            rows = bench.measure()
            if bench.peaks:
                rows.append(memory_row(bench.peaks))
            minutes = (time.perf_counter() - started) / 60
            report = [
                header,
                f"\n{size:,} amendments seeded by benchmarks/seed.py, every row on a `wgtool "
                f"clone` of it; medians of {options.rounds} rounds ({options.heavy_rounds} for "
                f"clone and sync), anchor and wgtool alternating; measured in {minutes:.0f} "
                "min; ✓ within target, ✗ above it.\n",
                table(rows),
                *(f"\n{note}" for note in bench.notes),
            ]
            reports.append("\n".join(report))
            print(reports[-1] + "\n", flush=True)
            if not options.keep:
                shutil.rmtree(folder, ignore_errors=True)
    finally:
        if not options.keep:
            shutil.rmtree(options.work, ignore_errors=True)


if __name__ == "__main__":
    main()
