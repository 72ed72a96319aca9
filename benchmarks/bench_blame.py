"""Benchmark: who wrote an 800 KB draft (blame) and its redline across 300 merged amendments,
beside git.

Prints figures, not pass/fail. Builds a real working group through the core's use cases: an
800 KB draft (headings and paragraphs of prose) added and tagged ``v1`` by the secretariat, then
300 amendments proposed by members of every stakeholder group (most change a few words of a
paragraph, one in ten inserts a paragraph: 7bis), each supported by another group and merged by
the chair, and the result tagged ``v2``. Then it measures, as processes from spawn and in
alternation (A B B A ...) so that the load of a shared machine hits both alike:

* ``wgtool blame SLUG`` beside ``git blame`` of the same file at the same commit;
* ``wgtool redline SLUG v1 v2`` beside the same redline naming no one
  (``benchmarks/plain_redline.py``: the price of attribution), and beside ``git diff
  --word-diff`` between the two tags.

Each ratio is printed raw and with the import floor (``python -c "import click, git,
sqlmodel"``, its median over the run) taken off wgtool's time.

Run: ``python benchmarks/bench_blame.py [--rounds N] [--amendments N] [--size BYTES]
[--keep DIR] [--profile]`` (``--keep``: build there, or measure what was built there before;
``--profile``: also profile one blame in this process, with the standard library's cProfile).
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_text import make_draft  # noqa: E402
from harness import (  # noqa: E402
    PYTHON,
    WGTOOL,
    Row,
    Run,
    alternate,
    isolated_env,
    machine,
    seconds_label,
    spawn,
    table,
)

SLUG = "long"
CHAIR = "lhaddad"
SECRETARIAT = "epetrova"


def amended_paragraph(text: str, rng: random.Random, n: int) -> str:
    """A paragraph with a few of its words replaced and one added, as a member would amend it."""
    words = text.split(" ")
    for _ in range(rng.randint(1, 3)):
        words[rng.randrange(len(words))] = rng.choice(("effective", "meaningful", "inclusive"))
    words.insert(rng.randrange(1, len(words)), f"amendment-{n}")
    return " ".join(words)


def build(repo: Path, size: int, amendments: int, rng: random.Random) -> None:
    """The working group: the draft, v1, the merged amendments, v2 (through the use cases)."""
    from wgtool.core import document
    from wgtool.core.desks import WorkingGroup
    from wgtool.core.model import Kind

    started = time.perf_counter()
    WorkingGroup.init(repo, title="Blame benchmark", example=True).close()
    with WorkingGroup.open(repo, SECRETARIAT) as wg:
        wg.drafts.add_draft(SLUG, title="A long draft", text=make_draft(size, rng))
        wg.procedure.tag(SLUG, "v1", message="First reading")
        members = [m for m in wg.record.roster if m.handle != CHAIR]
        for n in range(amendments):
            proposer = rng.choice(members)
            draft = wg.drafts.draft(SLUG)
            paragraphs = document.paragraphs(draft.text)
            number = rng.randrange(1, len(paragraphs) + 1)
            wg.record.act_as(proposer.handle)
            if n % 10 == 9:
                kind, text = Kind.INSERT, f"A paragraph added by amendment {n}, as agreed."
            else:
                kind, text = Kind.REPLACE, amended_paragraph(paragraphs[number - 1].text, rng, n)
            amendment = wg.amendments.propose(
                SLUG, kind=kind, paragraph=draft.label(number), text=text, rationale=f"Reason {n}."
            )
            wg.record.act_as(rng.choice([m for m in members if m.group != proposer.group]).handle)
            wg.deliberation.position(amendment.id, "support")
            wg.record.act_as(CHAIR)
            wg.merges.merge(amendment.id)
            if n % 50 == 49:
                print(f"  {n + 1} merged, {time.perf_counter() - started:.0f} s", flush=True)
        wg.record.act_as(SECRETARIAT)
        wg.procedure.tag(SLUG, "v2", message="Second reading")
    print(f"built in {time.perf_counter() - started:.0f} s", flush=True)


def measure(repo: Path, env: dict[str, str], rounds: int) -> list[Row]:
    """Blame and redline, each beside its anchor, ``rounds`` times in alternation; each ratio
    also with the import floor's median time taken off wgtool's."""
    path = f"drafts/{SLUG}.md"
    floor_runs: list[float] = []

    def floor() -> float:
        seconds = spawn([PYTHON, "-c", "import click, git, sqlmodel"], env=env).check().seconds
        floor_runs.append(seconds)
        return seconds

    def git(*args: str) -> Callable[[], float]:
        return lambda: spawn(["git", "-C", str(repo), *args], env=env).check().seconds

    def wgtool(*args: str) -> Callable[[], Run]:
        return lambda: spawn([*WGTOOL, "--repo", str(repo), *args], env=env).check()

    plain = [PYTHON, str(Path(__file__).resolve().parent / "plain_redline.py")]
    cases: list[tuple[str, str, Callable[[], float], Callable[[], Run], str, float | None]] = [
        (
            "`wgtool blame` (by group)",
            "`git blame` of the file",
            git("blame", "main", "--", path),
            wgtool("blame", SLUG),
            "≤ 1.5x",
            1.5,
        ),
        (
            "`wgtool redline` v1 to v2",
            "the same redline naming no one (`benchmarks/plain_redline.py`)",
            lambda: spawn([*plain, str(repo), SLUG, "v1", "v2"], env=env).check().seconds,
            wgtool("redline", SLUG, "v1", "v2"),
            "≤ 2x",
            2.0,
        ),
        (
            "`wgtool redline` v1 to v2",
            "`git diff --word-diff` v1 to v2",
            git("diff", "--word-diff", f"{SLUG}/v1", f"{SLUG}/v2", "--", path),
            wgtool("redline", SLUG, "v1", "v2"),
            "figures only",
            None,
        ),
    ]
    measured = []
    for what, anchor, anchor_run, wgtool_run, target, limit in cases:
        pair = alternate(anchor_run, wgtool_run, rounds)
        measured.append((what, anchor, pair, target, limit))
        print(f"  {what} ({anchor}): {seconds_label(pair.wgtool_median)}", flush=True)
    for _ in range(rounds):
        floor()
    median = statistics.median(floor_runs)
    print(f"import floor: {seconds_label(median)}", flush=True)
    return [Row.measured(*row, floor=median) for row in measured]


def profile(repo: Path) -> None:
    """One blame in this process, under cProfile: where its time goes (the 25 functions with
    the most cumulative time)."""
    import cProfile
    import pstats

    from wgtool.core.desks import WorkingGroup

    with WorkingGroup.open(repo) as wg:
        wg.documents.blame(SLUG)  # the index refreshed first
        with cProfile.Profile() as profiler:
            wg.documents.blame(SLUG)
    pstats.Stats(profiler, stream=sys.stdout).sort_stats("cumulative").print_stats(25)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--amendments", type=int, default=300)
    parser.add_argument("--size", type=int, default=800_000, help="the draft's size in bytes")
    parser.add_argument("--keep", type=Path, help="build (or find the group built) there")
    parser.add_argument("--profile", action="store_true", help="also profile one blame")
    options = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="wgtool-blame-") as scratch:
        folder = options.keep or Path(scratch)
        folder.mkdir(parents=True, exist_ok=True)
        repo = folder / "wg"
        env = isolated_env(folder / "home")
        os.environ.update(env)  # the build's own git runs as the measured processes do
        print(machine(), flush=True)
        if not (repo / ".git").exists():
            build(repo, options.size, options.amendments, random.Random(11))
        size = (repo / "drafts" / f"{SLUG}.md").stat().st_size
        print(f"draft: {size / 1000:.0f} KB; medians of {options.rounds} rounds", flush=True)
        rows = measure(repo, env, options.rounds)
        print(table(rows))
        if options.profile:
            profile(repo)


if __name__ == "__main__":
    main()
