"""The benchmark's table (``benchmarks/harness.py``): the ratios its rows print beside the raw one.

The README's performance tables are this table as a run printed it; what each column takes off
wgtool's time is checked here against the arithmetic done by hand on random medians.
"""

from __future__ import annotations

import random
import statistics
import sys
from pathlib import Path

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"
sys.path.insert(0, str(BENCHMARKS))

from harness import Pair, Row, table  # noqa: E402

START_COLUMN = "ratio less the interpreter's start"


def cells(rendered: str) -> list[dict[str, str]]:
    header, _rule, *lines = rendered.splitlines()
    names = [cell.strip() for cell in header.strip("|").split(" | ")]
    return [
        dict(zip(names, (cell.strip() for cell in line.strip("|").split(" | ")), strict=True))
        for line in lines
    ]


def test_each_ratio_takes_off_what_its_column_names_on_random_medians() -> None:
    rng = random.Random(22)
    for _ in range(300):
        anchor = [rng.uniform(0.005, 3.0) for _ in range(rng.choice((1, 3, 7)))]
        wgtool = [rng.uniform(0.01, 12.0) for _ in range(len(anchor))]
        floor, start = rng.uniform(0.5, 1.2), rng.uniform(0.03, 0.08)
        row = Row.measured("r", "a", Pair(anchor, wgtool, [40.0]), "≤ 3x", 3.0, floor, start)
        a, w = statistics.median(anchor), statistics.median(wgtool)
        assert row.ratio == w / a
        assert row.less_floor == ((w - floor) / a if w > floor else None)
        assert row.less_start == ((w - start) / a if w > start else None)
        [printed] = cells(table([row]))
        assert printed["ratio"] == f"{w / a:.2f}x " + ("✓" if w / a <= 3.0 else "✗")
        expected = "—" if row.less_start is None else f"{(w - start) / a:.2f}x"
        assert printed[START_COLUMN] == expected


def test_the_start_column_is_printed_only_where_a_row_has_a_start() -> None:
    pair = Pair([0.033] * 3, [0.108] * 3, [18.0])
    alone = table([Row.measured("show", "floor", pair, "≤ 1.3x", 1.3, 1.09)])
    assert START_COLUMN not in alone
    both = cells(
        table(
            [
                Row.measured("show", "floor", pair, "≤ 1.3x", 1.3, 1.09),
                Row.measured("verify", "git", pair, "≤ 3x", 3.0, 1.09, 0.055),
            ]
        )
    )
    # The floor (1.09 s) is longer than the command: nothing is left, so only the start says.
    assert [row[START_COLUMN] for row in both] == ["—", "1.61x"]
    assert [row["ratio less the floor"] for row in both] == ["—", "—"]
    assert [row["ratio"] for row in both] == ["3.27x ✗", "3.27x ✗"]
