"""The benchmark command: every target of the scale issue, measured as processes from spawn.

    .venv/bin/python benchmarks/run.py [--amendments 40,400,4000] [--rounds 7] [--quick]

For each size a working group is seeded (``benchmarks/seed.py``) and every row is measured next
to its anchor, in alternation (A B B A ...) in the same stretch of time, so that the load of a
shared machine hits both alike: the ratios count, not the times. Each figure is the median of
the rounds; peak memory is the largest resident set of any wgtool run in the row.

* single-amendment commands and listings, next to the floor ``python -c "import click, git,
  sqlmodel"``;
* ``verify``, next to one raw pass of ``git log --all`` plus ``git cat-file --batch`` over every
  reachable object;
* ``clone`` (with its first sync), next to ``git clone --mirror`` of the same remote;
* ``sync`` receiving 500 events, next to ``git fetch`` of the same refs into a copy of the same
  clone;
* the size of ``.git`` of a clone after 50 syncs, next to the record of a copy after
  ``git gc --aggressive`` (the index left out);
* the terminal UI, next to a bare Textual app with the same widgets loading the same rows, from
  spawn (see ``benchmarks/tui_child.py``).

The table is for the largest size; the last column gives the ratios at the smaller sizes. The
machine and the load at the start are printed above it.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
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
# What verify reads: every commit, and the event file each event commit adds.
VERIFY_ANCHOR = (
    "git log --all --format=raw >/dev/null && git rev-list --all --objects "
    "| grep ' events/' | cut -c1-40 | git cat-file --batch >/dev/null"
)
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
    """One seeded working group and the processes that measure it."""

    def __init__(self, size: int, folder: Path, options: Options) -> None:
        self.size = size
        self.folder = folder
        self.options = options
        self.env = isolated_env(folder / "home")
        self.repo = folder / "wg"
        self.rows: list[Row] = []
        self.notes: list[str] = []
        self.peaks: dict[str, float] = {}
        self._counter = 0

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

    def add(
        self,
        what: str,
        anchor: str,
        pair: Pair,
        target: str,
        limit: float,
        peak_of: str | None = None,
    ) -> None:
        self.rows.append(Row.measured(what, anchor, pair, target, limit))
        self.peaks[peak_of or what] = max(pair.peak_mb, self.peaks.get(peak_of or what, 0.0))
        log(
            f"[{self.size:,}] {what}: {seconds_label(pair.wgtool_median)} vs "
            f"{seconds_label(pair.anchor_median)} ({pair.ratio:.2f}x), {pair.peak_mb:.0f} MB"
        )

    # -- the rows --------------------------------------------------------------------------------

    def seed(self) -> None:
        """Seed the group, or reuse the one a run with ``--keep`` seeded in this folder."""
        start = time.perf_counter()
        seeded = self.folder / "seeded"
        if seeded.exists() and self.repo.is_dir():
            what = "reused (seeded by an earlier run) and indexed"
        else:
            shutil.rmtree(self.repo, ignore_errors=True)  # what a run cut short left
            self.run([PYTHON, str(BENCHMARKS / "seed.py"), str(self.repo), str(self.size)])
            seeded.touch()
            what = "seeded and indexed"
        # The index as any earlier command would have left it (rebuilt for this checkout's
        # schema where an earlier run's was another).
        self.run(self.wg("amendments"))
        log(f"[{self.size:,}] {what} in {time.perf_counter() - start:.1f} s")

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
        floor: Callable[[], float] = lambda: self.seconds(FLOOR)  # noqa: E731
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
                        f"bench-{self.next_number()}",
                        "--message",
                        "Measured",
                        actor=SECRETARIAT,
                    )
                ),
            ),
        ]
        for what, command in commands:
            self.add(what, FLOOR_LABEL, alternate(floor, command, rounds), target, 1.3)

    def listings(self) -> None:
        floor: Callable[[], float] = lambda: self.seconds(FLOOR)  # noqa: E731
        for what, args in (
            ("`amendments` (all)", ()),
            ("`amendments principles --status open`", ("principles", "--status", "open")),
            ("`amendments --group civil-society`", ("--group", "civil-society")),
            ("`amendments --search secure`", ("--search", "secure")),
        ):
            pair = alternate(
                floor, partial(self.run, self.wg("amendments", *args)), self.options.rounds
            )
            self.add(what, FLOOR_LABEL, pair, "≤ 1.5x the floor", 1.5)

    def verify(self) -> None:
        pair = alternate(
            lambda: self.seconds(["sh", "-c", VERIFY_ANCHOR], cwd=self.repo),
            lambda: self.run(self.wg("verify")),
            self.options.rounds,
        )
        self.add(
            "`verify`",
            "`git log --all` + `git cat-file --batch` of every event file",
            pair,
            "≤ 3x",
            3.0,
        )

    def tui(self) -> None:
        drafts = json.loads(self.run(self.wg("draft", "list", "--json")).stdout)
        first = drafts[0]["slug"]
        queue = self.amendments(first)
        drafts_file, queue_file = self.folder / "drafts.json", self.folder / "queue.json"
        drafts_file.write_text(json.dumps(drafts))
        queue_file.write_text(json.dumps(queue))
        counts = [str(len(drafts)), str(len(queue))]
        bare = [PYTHON, str(BENCHMARKS / "tui_child.py"), *counts, "bare"]
        bare += [str(drafts_file), str(queue_file)]
        real = [PYTHON, str(BENCHMARKS / "tui_child.py"), *counts, "wgtool"]
        real += [str(self.repo), CHAIR]
        marks = ("paint", "filled", "queue")
        pairs = {mark: Pair() for mark in marks}

        def measure(argv: list[str]) -> tuple[dict[str, float], float]:
            run = spawn_stamped(argv, env=self.env).check()
            return json.loads(run.stdout.splitlines()[-1]), run.max_rss_mb

        measure(bare)
        measure(real)
        for number in range(self.options.rounds):
            order = [(False, bare), (True, real)]
            for is_wgtool, argv in reversed(order) if number % 2 else order:
                found, rss = measure(argv)
                for mark in marks:
                    if is_wgtool:
                        pairs[mark].wgtool.append(found[mark])
                        pairs[mark].wgtool_rss_mb.append(rss)
                    else:
                        pairs[mark].anchor.append(found[mark])
        anchor = "bare Textual app, same widgets, same rows"
        self.notes.append(
            f"TUI at {self.size:,} amendments: the first screen holds {len(drafts)} drafts, the "
            f"queue of {first} {len(queue):,} amendments; headless at 100x32"
        )
        self.add("TUI first paint, from spawn", anchor, pairs["paint"], "≤ 1.5x", 1.5, "the TUI")
        self.add(
            "TUI first screen filled, from spawn",
            anchor,
            pairs["filled"],
            "≤ 2x",
            2.0,
            "the TUI",
        )
        self.add(
            "TUI queue of the first draft filled, from spawn",
            anchor,
            pairs["queue"],
            "≤ 2x",
            2.0,
            "the TUI",
        )

    def remote(self) -> str:
        """A bare remote holding the group, packed as a server keeps it; its file:// URL."""
        origin = self.folder / "origin.git"
        self.git("clone", "--quiet", "--mirror", f"file://{self.repo}", str(origin))
        self.git("-C", str(origin), "remote", "remove", "origin")
        self.git("-C", str(origin), "gc", "--quiet")
        return f"file://{origin}"

    def clone(self, url: str) -> Path:
        """Clone rounds; returns one wgtool clone for the sync rows."""
        clones: list[Path] = []

        def wgtool_clone() -> Run:
            path = self.folder / f"clone-{self.next_number()}"
            clones.append(path)
            return self.run([*WGTOOL, "clone", url, str(path)])

        def mirror() -> float:
            path = self.folder / f"mirror-{self.next_number()}"
            seconds = self.seconds(["git", "clone", "--quiet", "--mirror", url, str(path)])
            shutil.rmtree(path)
            return seconds

        pair = alternate(mirror, wgtool_clone, self.options.heavy_rounds, warm_up=False)
        self.add("`clone` and its first sync", "`git clone --mirror`", pair, "≤ 3x", 3.0)
        for extra in clones[1:]:
            shutil.rmtree(extra)
        return clones[0]

    def sync(self, receiver: Path) -> None:
        """A sender writes the events and pushes them; copies of the receiver fetch them."""
        sender = self.folder / "sender"
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
        shutil.copytree(receiver, packed, symlinks=True)
        # The record alone: what git keeps after gc once the reflogs (a local history of ref
        # moves, not part of the record) are expired.
        self.git("-C", str(packed), "reflog", "expire", "--expire=now", "--all")
        self.git("-C", str(packed), "gc", "--quiet", "--aggressive", "--prune=now")
        shutil.rmtree(packed / ".git" / "wgtool")
        ours, theirs = disk_usage(git_dir), disk_usage(packed / ".git")
        self.rows.append(
            Row(
                f"`.git` of a clone after {syncs} syncs",
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
        only = self.options.only
        self.seed()
        if not only or "commands" in only:
            self.single_commands()
        if not only or "listings" in only:
            self.listings()
        if not only or "verify" in only:
            self.verify()
        if not only or "tui" in only:
            self.tui()
        if not only or {"clone", "sync"} & only:
            receiver = self.clone(self.remote())
            if not only or "sync" in only:
                self.sync(receiver)
        return self.rows


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
        default="40,400,4000",
        help="sizes of the seeded groups, comma-separated (the table is for the largest)",
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
        help="work in DIR and keep it afterwards; a group seeded there by an earlier run is "
        "reused (rows that write, such as propose or merge, have changed it since)",
    )
    parser.add_argument(
        "--only",
        metavar="ROWS",
        help=f"measure only these rows, comma-separated: {', '.join(ROW_GROUPS)} "
        "(sync includes the clone and the size of .git after the syncs)",
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
    header = machine()
    log(header)
    measured: dict[int, list[Row]] = {}
    notes: list[str] = []
    peaks: dict[str, float] = {}
    try:
        for size in options.sizes:
            folder = options.work / f"n{size}"
            folder.mkdir(parents=True, exist_ok=True)
            bench = Bench(size, folder, options)
            measured[size] = bench.measure()
            notes += bench.notes
            peaks = bench.peaks  # the largest size's, once the loop is done
            if not options.keep:
                shutil.rmtree(folder, ignore_errors=True)
    finally:
        if not options.keep:
            shutil.rmtree(options.work, ignore_errors=True)
    largest, smaller = options.sizes[-1], options.sizes[:-1]
    rows = [
        replace(
            row,
            smaller=tuple(
                (size, other.ratio)
                for size in smaller
                for other in measured[size]
                if other.what == row.what and other.ratio is not None
            ),
        )
        for row in measured[largest]
    ]
    if peaks:
        rows.append(memory_row(peaks))
    print(header)
    print(
        f"\n{largest:,} amendments seeded by benchmarks/seed.py; medians of {options.rounds} "
        f"rounds ({options.heavy_rounds} for clone and sync), anchor and wgtool alternating; "
        "✓ within target, ✗ above it.\n"
    )
    print(table(rows, smaller))
    for note in notes:
        print(f"\n{note}")


if __name__ == "__main__":
    main()
