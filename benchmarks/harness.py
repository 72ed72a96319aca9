"""What the benchmark command and the many-members simulation share: processes timed from spawn.

Every figure is a real process measured from outside: the clock starts just before the process
is spawned and stops when it has been reaped, and the kernel's resource usage of that one child
(``os.wait4``) gives its peak memory (the largest resident set of the process and of the git
processes it waited for). Nothing here imports wgtool, so the harness itself stays light.
"""

from __future__ import annotations

import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
# This checkout's wgtool, not whichever one the interpreter has installed (for what the
# simulation reads in-process; the processes it spawns get it through PYTHONPATH).
sys.path.insert(0, str(PROJECT))
PYTHON = sys.executable
WGTOOL = [PYTHON, "-m", "wgtool"]


@dataclass(frozen=True)
class Run:
    """One finished process: its wall time from spawn, peak memory and output."""

    argv: tuple[str, ...]
    seconds: float
    max_rss_mb: float
    returncode: int
    stdout: str
    stderr: str

    def check(self) -> Run:
        """This run, or an error that shows the command and what it wrote."""
        if self.returncode != 0:
            raise RuntimeError(
                f"{' '.join(self.argv)} exited {self.returncode}:\n{self.stdout}{self.stderr}"
            )
        return self


def spawn(
    argv: Sequence[str],
    *,
    cwd: str | os.PathLike[str] | None = None,
    env: Mapping[str, str] | None = None,
    extra_env: Mapping[str, str] | None = None,
) -> Run:
    """Run ``argv`` to completion; the time covers spawning, importing, working and exiting."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        environment = dict(env if env is not None else os.environ)
        environment.update(extra_env or {})
        start = time.perf_counter()
        process = subprocess.Popen(
            list(argv), cwd=cwd, env=environment, stdin=subprocess.DEVNULL, stdout=out, stderr=err
        )
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return Run(
            tuple(argv),
            seconds,
            usage.ru_maxrss / 1024,  # Linux reports kilobytes
            process.returncode,
            out.read().decode("utf-8", "replace"),
            err.read().decode("utf-8", "replace"),
        )


SPAWN_CLOCK_VARIABLE = "WGTOOL_BENCH_SPAWNED_AT"
"""The parent's ``time.perf_counter()`` just before spawning (a system-wide monotonic clock on
Linux, so a child can subtract it from its own readings)."""


def spawn_stamped(argv: Sequence[str], *, env: Mapping[str, str]) -> Run:
    """:func:`spawn`, telling the child the moment it was spawned."""
    return spawn(argv, env=env, extra_env={SPAWN_CLOCK_VARIABLE: repr(time.perf_counter())})


def isolated_env(home: Path) -> dict[str, str]:
    """The environment of every process: a git identity of its own, nothing from this user."""
    home.mkdir(parents=True, exist_ok=True)
    (home / ".gitconfig").write_text(
        "[user]\n\tname = Benchmark Runner\n\temail = runner@example.invalid\n"
        "[init]\n\tdefaultBranch = main\n"
        # Automatic gc in the foreground: sizes do not depend on a detached gc still running.
        "[gc]\n\tautoDetach = false\n"
    )
    keep = ("PATH", "LANG", "LC_ALL", "TMPDIR", "VIRTUAL_ENV")
    env = {name: os.environ[name] for name in keep if name in os.environ}
    env.update(
        HOME=str(home),
        XDG_CONFIG_HOME=str(home / ".config"),
        GIT_CONFIG_NOSYSTEM="1",
        GIT_TERMINAL_PROMPT="0",
        NO_COLOR="1",
        PYTHONPATH=str(PROJECT),
    )
    return env


def git_version() -> str:
    return subprocess.run(["git", "--version"], capture_output=True, text=True).stdout.strip()


def machine() -> str:
    """One line: cores, CPU, system, Python, git and the load when the run started."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return (
        f"Machine: {os.cpu_count()} cores ({cpu}), {platform.system()} {platform.release()}, "
        f"Python {platform.python_version()}, {git_version()}, load average {load:.1f} at start"
    )


def disk_usage(path: Path) -> int:
    """Bytes on disk under ``path`` (allocated blocks, as ``du`` counts: a 41-byte loose ref
    file takes a whole block)."""
    total = 0
    for root, dirs, files in os.walk(path):
        for name in dirs + files:
            try:
                total += os.lstat(os.path.join(root, name)).st_blocks * 512
            except FileNotFoundError:
                continue
    return total


@dataclass
class Pair:
    """Medians of an anchor and of wgtool measured in alternation in the same stretch of time."""

    anchor: list[float] = field(default_factory=list)
    wgtool: list[float] = field(default_factory=list)
    wgtool_rss_mb: list[float] = field(default_factory=list)

    @property
    def anchor_median(self) -> float:
        return statistics.median(self.anchor)

    @property
    def wgtool_median(self) -> float:
        return statistics.median(self.wgtool)

    @property
    def ratio(self) -> float:
        return self.wgtool_median / self.anchor_median

    @property
    def peak_mb(self) -> float:
        return max(self.wgtool_rss_mb, default=0.0)


def alternate(
    anchor: Callable[[], float],
    wgtool: Callable[[], Run | tuple[float, float]],
    rounds: int,
    *,
    warm_up: bool = True,
) -> Pair:
    """Measure both ``rounds`` times, in the order A B B A A B ... so drift hits both alike.

    ``anchor`` returns seconds; ``wgtool`` returns a :class:`Run` or (seconds, peak MB).
    """
    pair = Pair()

    def measure_wgtool() -> None:
        result = wgtool()
        seconds, rss = (result.seconds, result.max_rss_mb) if isinstance(result, Run) else result
        pair.wgtool.append(seconds)
        pair.wgtool_rss_mb.append(rss)

    if warm_up:
        anchor()
        wgtool()
    for number in range(rounds):
        if number % 2:
            measure_wgtool()
            pair.anchor.append(anchor())
        else:
            pair.anchor.append(anchor())
            measure_wgtool()
    return pair


@dataclass(frozen=True)
class Row:
    """One line of the results table."""

    what: str
    anchor: str
    anchor_time: str
    wgtool_time: str
    ratio: float | None
    target: str
    limit: float | None  # the ratio (or size) the target allows; None: informative only
    peak_mb: float | None = None
    # The ratio with the import floor's time taken off wgtool's: what wgtool costs beyond
    # starting an interpreter with its libraries (None: not a time, or no more than the floor).
    less_floor: float | None = None
    # The ratio with a bare interpreter's start (``python -c pass``) taken off wgtool's: what
    # wgtool costs beyond starting Python at all, for rows whose anchor starts no interpreter.
    less_start: float | None = None

    @classmethod
    def measured(
        cls,
        what: str,
        anchor: str,
        pair: Pair,
        target: str,
        limit: float | None,
        floor: float | None = None,
        start: float | None = None,
    ) -> Row:
        """The row of a pair measured in alternation: medians, their ratio, peak memory, and
        with the floor's median ``floor`` (seconds) the ratio less the floor, with a bare
        interpreter's median start ``start`` the ratio less that."""
        return cls(
            what,
            anchor,
            seconds_label(pair.anchor_median),
            seconds_label(pair.wgtool_median),
            pair.ratio,
            target,
            limit,
            pair.peak_mb,
            _ratio_beyond(pair, floor),
            _ratio_beyond(pair, start),
        )


def _ratio_beyond(pair: Pair, taken_off: float | None) -> float | None:
    """wgtool's median less ``taken_off`` seconds, over the anchor's median (None where nothing
    is taken off, or nothing is left)."""
    if taken_off is None or pair.wgtool_median <= taken_off:
        return None
    return (pair.wgtool_median - taken_off) / pair.anchor_median


def seconds_label(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms" if seconds < 1 else f"{seconds:.2f} s"


def size_label(size: int) -> str:
    return f"{size / 1e6:.1f} MB"


def ratio_label(ratio: float | None, limit: float | None) -> str:
    if ratio is None:
        return "—"
    verdict = "" if limit is None else (" ✓" if ratio <= limit else " ✗")
    return f"{ratio:.2f}x{verdict}"


def _beyond_label(ratio: float | None) -> str:
    return "—" if ratio is None else f"{ratio:.2f}x"


def table(rows: Sequence[Row]) -> str:
    """The results as one Markdown table (✓ within target, ✗ above it; the ratios less the
    floor and less the interpreter's start are for reading, the target is the raw ratio's). The
    column of the ratio less the interpreter's start is left out where no row has one."""
    with_start = any(row.less_start is not None for row in rows)
    header = [
        "what",
        "anchor",
        "anchor time",
        "wgtool time",
        "ratio",
        "ratio less the floor",
        *(["ratio less the interpreter's start"] if with_start else []),
        "target",
        "peak memory",
    ]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for row in rows:
        starts = [_beyond_label(row.less_start)] if with_start else []
        cells = [
            row.what,
            row.anchor,
            row.anchor_time,
            row.wgtool_time,
            ratio_label(row.ratio, row.limit),
            _beyond_label(row.less_floor),
            *starts,
            row.target,
            "—" if row.peak_mb is None else f"{row.peak_mb:.0f} MB",
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)
