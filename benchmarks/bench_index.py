"""Benchmark: the index with 4,000 amendments (prints figures; not part of the test suite).

Run: ``.venv/bin/python benchmarks/bench_index.py [COUNT]``
"""

from __future__ import annotations

import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from seed import seed  # noqa: E402

from wgtool.core.desks import WorkingGroup  # noqa: E402


def measure(label: str, action: Callable[[], object], repeat: int = 5) -> None:
    times = []
    result: object = None
    for _ in range(repeat):
        start = time.perf_counter()
        result = action()
        times.append(time.perf_counter() - start)
    size = f"{len(result)} rows" if isinstance(result, list) else ""
    print(f"| {label:<46} | {statistics.median(times) * 1000:>9.1f} ms | {size:>10} |")


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 4000
    folder = Path(tempfile.mkdtemp(prefix="wgtool-bench-"))
    try:
        start = time.perf_counter()
        seed(folder / "wg", count)
        print(f"seeded {count} amendments in {time.perf_counter() - start:.1f} s")
        wg = WorkingGroup.open(folder / "wg", "lhaddad")
        print(f"| {'operation':<46} | {'median':>12} | {'result':>10} |")
        print(f"|{'-' * 48}|{'-' * 14}|{'-' * 12}|")
        measure("reindex from scratch (all refs)", wg.record.index.rebuild, repeat=1)
        measure("refresh with nothing new", wg.record.refresh)
        measure("list all amendments", wg.amendments.amendments)
        measure(
            "list + consensus summaries",
            lambda: list(wg.deliberation.consensus_many(wg.amendments.amendments())),
        )
        measure(
            "filter: draft=principles, status=open",
            lambda: wg.amendments.amendments(draft="principles", status="open"),
        )
        measure(
            "filter: group=civil-society", lambda: wg.amendments.amendments(group="civil-society")
        )
        measure("filter: text search 'secure'", lambda: wg.amendments.amendments(text="secure"))
        one = wg.amendments.amendments()[count // 2]
        measure(
            "show one amendment (diff + consensus)",
            lambda: (
                wg.amendments.change(wg.amendments.amendment(one.id)),
                wg.deliberation.consensus(one),
            ),
        )
        wg.close()
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
