"""Benchmark: the word diff (redline) and the three-way merge on large drafts, beside git.

Prints figures, not pass/fail. For drafts of about 80 KB and 800 KB it measures, in one run:

* ``redline``: wgtool's word diff of the draft against a changed copy, and ``git diff
  --no-index --word-diff`` of the same two files (the anchor);
* ``merge3``: merging a one-paragraph amendment (made against the original) into a main on
  which a fifth of the words have changed since.

Each change is measured with one paragraph changed and with a fifth of the words changed all
through the draft. Run: ``python benchmarks/bench_text.py [--rounds N] [--pure]``
(``--pure`` uses the pure-Python diff engine instead of the C++ accelerator).
"""

from __future__ import annotations

import argparse
import functools
import random
import statistics
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from wgtool.core.text import merge3, word_diff
from wgtool.core.text.engine import Engine, accelerated

WORDS = (
    "cooperation enhanced governments stakeholders internet public policy roles "
    "responsibilities equal footing multistakeholder open transparent inclusive "
    "accountable development security stability resilience rights privacy access "
    "information capacity building dialogue consensus secretariat chair member "
    "group text paragraph amendment principle international organisations private "
    "sector civil society technical academic community network standards"
).split()


def make_draft(size: int, rng: random.Random) -> str:
    """A Markdown draft of about ``size`` characters: headings and paragraphs of prose."""
    blocks = ["# A long draft"]
    length = len(blocks[0])
    section = 0
    while length < size:
        if len(blocks) % 12 == 1:
            section += 1
            blocks.append(f"## Section {section}")
        words = [rng.choice(WORDS) for _ in range(rng.randint(60, 140))]
        sentence_ends = sorted(rng.sample(range(5, len(words) - 1), 4))
        for end in sentence_ends:
            words[end] += "."
        paragraph = " ".join(words).capitalize() + "."
        blocks.append(paragraph)
        length += len(paragraph) + 2
    return "\n\n".join(blocks) + "\n"


def change_words(text: str, fraction: float, rng: random.Random, keep: int = -1) -> str:
    """Replace about ``fraction`` of the words of every paragraph (headings and the paragraph
    with index ``keep`` kept)."""
    out = []
    for number, block in enumerate(text.split("\n\n")):
        if block.startswith("#") or number == keep:
            out.append(block)
            continue
        words = block.split(" ")
        for i in range(len(words)):
            if rng.random() < fraction:
                words[i] = rng.choice(WORDS) + "x"
        out.append(" ".join(words))
    return "\n\n".join(out)


def paragraph_block(text: str, index: int) -> int:
    """The block number of paragraph ``index`` (headings are blocks too)."""
    blocks = text.split("\n\n")
    return [i for i, b in enumerate(blocks) if not b.startswith("#")][index]


def change_paragraph(text: str, index: int) -> str:
    blocks = text.split("\n\n")
    target = paragraph_block(text, index)
    blocks[target] = blocks[target].replace(" ", " amended ", 3)
    return "\n\n".join(blocks)


def timed(actions: list[Callable[[], object]], rounds: int) -> list[float]:
    """The median time of each action; the actions take turns in every round, so that a change
    of load on the machine weighs on all of them alike."""
    samples: list[list[float]] = [[] for _ in actions]
    for _ in range(rounds):
        for action, times in zip(actions, samples, strict=True):
            start = time.perf_counter()
            action()
            times.append(time.perf_counter() - start)
    return [statistics.median(times) for times in samples]


def git_word_diff(old: Path, new: Path) -> None:
    subprocess.run(
        ["git", "diff", "--no-index", "--word-diff=plain", "--", str(old), str(new)],
        capture_output=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--pure", action="store_true", help="pure-Python diff engine")
    args = parser.parse_args()
    if args.pure:
        Engine.use_accelerator = False
    rng = random.Random(7)
    engine = "C++ accelerator" if accelerated() else "pure Python"
    print(f"diff engine: {engine}; median of {args.rounds} rounds\n")
    print("| draft | change | git word diff | wgtool redline | ratio | wgtool merge3 | clean |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    with tempfile.TemporaryDirectory() as folder:
        for size in (80_000, 800_000):
            base = make_draft(size, rng)
            amendment = change_paragraph(base, 7)
            for label, changed in (
                ("one paragraph", change_paragraph(base, 3)),
                (
                    "a fifth of the words",
                    change_words(base, 0.2, rng, keep=paragraph_block(base, 7)),
                ),
            ):
                old, new = Path(folder, "old.md"), Path(folder, "new.md")
                old.write_text(base)
                new.write_text(changed)
                result = merge3(base, changed, amendment)
                git, ours, merge = timed(
                    [
                        functools.partial(git_word_diff, old, new),
                        functools.partial(word_diff, base, changed),
                        functools.partial(merge3, base, changed, amendment),
                    ],
                    args.rounds,
                )
                print(
                    f"| {len(base) // 1000} KB | {label} | {git * 1000:.0f} ms | "
                    f"{ours * 1000:.0f} ms | {ours / git:.1f}x | {merge * 1000:.0f} ms | "
                    f"{'yes' if result.clean else 'NO'} |"
                )


if __name__ == "__main__":
    main()
