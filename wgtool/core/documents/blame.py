"""Who wrote which words: every character of a draft traced to the step of main that wrote it.

A draft's history on main is a sequence of *steps*: the text the draft had after each commit
that changed it, with the :class:`Source` of that change (the base text the secretariat added,
a merged amendment, a secretariat edit, a revert, or a commit the rulebook does not accept).
:class:`Tracer` carries an attribution forward through the steps: each step's text is diffed
with the minimal word diff of the text engine
(:func:`~wgtool.core.text.minimal_word_diff`); what stays equal keeps its attribution, what is
inserted is the step's. A revert restores what the reverted merge replaced with the
attribution it had before that merge. :func:`shares` sums words and merged amendments by group,
member or amendment.

Attribution is kept as *runs* ``(source, origin, length)``: ``length`` characters written by
source number ``source``, starting at offset ``origin`` of the text that source wrote. For the
first source of a tracer (the text it starts from) the origin is an offset in that text, so a
redline can tell who deleted which of its characters (:attr:`Attribution.deletions`).

Carrying an attribution through a step needs only the lengths of the step's diff (a
:data:`Delta`), never the texts: :meth:`Tracer.apply` replays a history from its texts (the
reference), :meth:`Tracer.advance` folds deltas the index keeps (:mod:`wgtool.core.index`).
"""

from __future__ import annotations

import bisect
import functools
import itertools
import operator
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Literal

from wgtool.core.text import minimal_word_diff
from wgtool.core.text.tokens import is_word, tokenize

SourceKind = Literal["base", "amendment", "secretariat", "revert", "unverified", "older"]
By = Literal["group", "member", "amendment"]
BY: tuple[By, ...] = ("group", "member", "amendment")

# Rows that are no stakeholder's: their key in every breakdown, and their label.
OTHER_LABELS: dict[str, str] = {
    "base": "base text",
    "secretariat": "secretariat edits",
    "revert": "reverts",
    "unverified": "changes the rulebook does not accept",
    "older": "the older version",
}
OTHER_KEYS = frozenset(OTHER_LABELS)
_DELTA_PIECE = re.compile(r"([=+-])(\d+)")


@dataclass(frozen=True)
class Source:
    """Who wrote a step of a draft's history.

    Attributes:
        kind: ``base`` (the draft as first added), ``amendment`` (a merged amendment),
            ``secretariat`` (a secretariat edit), ``revert`` (a chair's revert),
            ``unverified`` (a commit the rulebook does not accept) or ``older`` (the text a
            redline starts from).
        commit: The main commit of the step.
        amendment: The merged (or, for a revert, the reverted) amendment.
        member: The proposer of a merged amendment; else who made the commit.
        group: The proposer's stakeholder group (merged amendments only).
        revised: The chair merged the amendment as orally revised (known to redlines only).
    """

    kind: SourceKind
    commit: str = ""
    amendment: str | None = None
    member: str | None = None
    group: str | None = None
    revised: bool = False

    def key(self, by: By) -> str:
        """The row of a breakdown by ``by`` that this source's words count in."""
        if self.kind != "amendment":
            return self.kind
        if by == "group":
            return self.group or "unknown"
        if by == "member":
            return self.member or "unknown"
        return self.amendment or "unknown"

    def describe(self, groups: Mapping[str, str]) -> str:
        """One phrase for people: 'amendment 1a2b by mchen (Civil society)', then ', as orally
        revised' when the chair merged it so."""
        if self.kind == "amendment":
            group = groups.get(self.group or "", self.group or "unknown group")
            revised = ", as orally revised" if self.revised else ""
            return f"amendment {self.amendment} by {self.member} ({group}){revised}"
        if self.kind == "secretariat":
            return f"secretariat edit by {self.member or 'the secretariat'}"
        if self.kind == "revert":
            return f"revert of amendment {self.amendment} by {self.member}"
        if self.kind == "base":
            return "base text"
        return OTHER_LABELS[self.kind]

    def to_dict(self) -> dict[str, object]:
        return {
            "kind": self.kind,
            "commit": self.commit,
            "amendment": self.amendment,
            "member": self.member,
            "group": self.group,
            "revised": self.revised,
        }


def key_label(key: str, by: By, groups: Mapping[str, str]) -> str:
    """The label of a breakdown's row (a group's name, a member's handle, an amendment id)."""
    if key in OTHER_LABELS:
        return OTHER_LABELS[key]
    return groups.get(key, key) if by == "group" else key


@dataclass(frozen=True)
class Step:
    """The draft after one commit that changed it (``text`` None: the draft was removed)."""

    text: str | None
    source: Source


Run = tuple[int, int, int]  # (source index, origin, length)

Delta = tuple[tuple[str, int], ...]
"""A step's minimal word diff as lengths: ``("=", n)`` kept, ``("-", n)`` deleted, ``("+", n)``
inserted characters, in order (what carrying an attribution needs of the diff)."""

_MARKS = {"equal": "=", "delete": "-", "insert": "+"}


def word_delta(old: str, new: str) -> Delta:
    """The :data:`Delta` of the minimal word diff from ``old`` to ``new``."""
    return tuple((_MARKS[op.op], len(op.text)) for op in minimal_word_diff(old, new))


def delta_text(delta: Delta) -> str:
    """A delta as the index keeps it: ``=120-4+9=3000``."""
    return "".join(f"{mark}{length}" for mark, length in delta)


def parse_delta(text: str) -> Delta:
    """The delta :func:`delta_text` wrote."""
    return tuple((mark, int(length)) for mark, length in _DELTA_PIECE.findall(text))


@dataclass(frozen=True)
class Attribution:
    """A text with the source of each of its characters.

    Attributes:
        text: The text.
        sources: Every source seen; runs refer to them by index (0: where the trace started).
        runs: ``(source, origin, length)`` runs covering ``text`` in order.
        deletions: ``(origin, length, by)``: characters of the starting text (source 0) that
            the step of source ``by`` deleted.
    """

    text: str
    sources: tuple[Source, ...]
    runs: tuple[Run, ...]
    deletions: tuple[tuple[int, int, int], ...] = ()

    def per_token(self) -> list[tuple[int, int, int]]:
        """``(start, end, source)`` of every token; a token's source is its first character's
        (cut once: a blame's shares and its spans both read them)."""
        return self._per_token

    @functools.cached_property
    def _per_token(self) -> list[tuple[int, int, int]]:
        result: list[tuple[int, int, int]] = []
        runs = iter(self.runs)
        run_source, _, run_length = next(runs, (0, 0, 0))
        run_end = run_length
        position = 0
        for token in tokenize(self.text):
            while position >= run_end:
                run_source, _, run_length = next(runs)
                run_end += run_length
            result.append((position, position + len(token), run_source))
            position += len(token)
        return result

    def word_sources(self) -> list[int]:
        """The source of every word (one entry per word token, in order)."""
        return [s for start, end, s in self.per_token() if is_word(self.text[start:end])]

    def written_between(self, start: int, end: int) -> set[int]:
        """The sources of the characters in ``[start, end)``."""
        ends = self._run_ends
        first = bisect.bisect_right(ends, start)  # the first run that ends after ``start``
        last = bisect.bisect_left(ends, end)  # the last run that starts before ``end``
        return {run[0] for run in self.runs[first : last + 1]} if end > 0 else set()

    @functools.cached_property
    def _run_ends(self) -> list[int]:
        return list(itertools.accumulate(run[2] for run in self.runs))

    def deleted_between(self, start: int, end: int) -> set[int]:
        """Who deleted characters of the starting text in ``[start, end)`` of that text."""
        return {by for at, length, by in self.deletions if at < end and at + length > start}


class _Cursor:
    """Reads runs in order, a given number of characters at a time (the runs wholly inside a
    stretch are found by bisection and copied as one slice: a step of a long draft's history
    costs about its change, not the number of runs)."""

    def __init__(self, runs: list[Run]) -> None:
        self.runs = runs
        self.ends = list(itertools.accumulate(map(operator.itemgetter(2), runs)))
        self.index = 0  # the run the next character is in
        self.used = 0  # characters of that run already taken
        self.at = 0  # characters taken in all

    def take(self, count: int) -> list[Run]:
        if count <= 0:
            return []
        runs, ends = self.runs, self.ends
        pieces: list[Run] = []
        if self.used:  # the rest of a run started before
            source, origin, length = runs[self.index]
            part = min(count, length - self.used)
            pieces.append((source, origin + self.used, part))
            count, self.used, self.at = count - part, self.used + part, self.at + part
            if self.used == length:
                self.index, self.used = self.index + 1, 0
            if count == 0:
                return pieces
        target = self.at + count
        whole = bisect.bisect_right(ends, target, self.index)  # the runs that end by then
        pieces.extend(runs[self.index : whole])
        self.index = whole
        rest = target - (ends[whole - 1] if whole else 0)
        if rest > 0:  # the start of a run that goes on
            source, origin, _ = runs[whole]
            pieces.append((source, origin, rest))
            self.used = rest
        self.at = target
        return pieces


def _push(runs: list[Run], run: Run) -> None:
    """Append a run, joining it to the last when it continues it."""
    if run[2] == 0:
        return
    if runs:
        source, origin, length = runs[-1]
        if source == run[0] and origin + length == run[1]:
            runs[-1] = (source, origin, length + run[2])
            return
    runs.append(run)


@dataclass
class Tracer:
    """Carries an attribution through the steps of a draft's history.

    ``keep`` names the amendments whose revert is coming: the attribution before their merge is
    kept, so the revert can restore it.
    """

    text: str
    start: Source
    keep: frozenset[str] = frozenset()
    sources: list[Source] = field(default_factory=list)
    runs: list[Run] = field(default_factory=list)
    deletions: list[tuple[int, int, int]] = field(default_factory=list)
    _before: dict[str, tuple[list[Run], int]] = field(default_factory=dict)
    _before_text: dict[str, str] = field(default_factory=dict)
    _length: int = 0  # of the text attributed so far

    def __post_init__(self) -> None:
        self.sources = [self.start]
        self.runs = [(0, 0, len(self.text))] if self.text else []
        self._length = len(self.text)

    def apply(self, step: Step) -> None:
        """The draft as ``step`` left it, its new words attributed to ``step.source`` (the
        step's diff computed from the texts: the replay every stored attribution must equal)."""
        new = step.text or ""
        source = step.source
        if source.kind == "amendment" and source.amendment in self.keep:
            self._before_text[source.amendment] = self.text
        before = self._before_text.get(source.amendment or "") if source.kind == "revert" else None
        back = None if before is None else word_delta(before, new)
        self.advance(source, word_delta(self.text, new), back)
        self.text = new

    def advance(self, source: Source, delta: Delta, back: Delta | None = None) -> None:
        """The attribution after a step whose diff is ``delta``, its inserted characters
        attributed to ``source``. A revert whose merge this tracer saw gives the characters back
        by ``back``, the diff from the text before that merge to the reverted text.

        :attr:`text` is left as it was: the caller that has the new text sets it.

        Raises:
            ValueError: A delta that does not start from the text attributed so far (or a
                ``back`` not from the text before the merge): the tracer is of no further use.
        """
        if _length(delta, "=-") != self._length:
            raise ValueError("the step does not start from the text attributed so far")
        index = len(self.sources)
        self.sources.append(source)
        if source.kind == "amendment" and source.amendment in self.keep:
            self._before[source.amendment] = (list(self.runs), self._length)
        before = self._before.get(source.amendment or "") if source.kind == "revert" else None
        if before is None or back is None:
            self.runs = self._carry(self.runs, delta, index, record=True)
        elif _length(back, "=-") != before[1]:
            raise ValueError("the revert does not start from the text before its merge")
        else:
            self.runs = self._restore(before[0], back, delta, index)
        self._length = _length(delta, "=+")

    def finish(self, text: str) -> None:
        """The text the steps folded by :meth:`advance` lead to.

        Raises:
            ValueError: The steps do not lead to a text of that length.
        """
        if len(text) != self._length:
            raise ValueError("the steps do not lead to this text")
        self.text = text

    def _carry(self, runs: list[Run], delta: Delta, index: int, *, record: bool) -> list[Run]:
        """The runs of the new text of a diff from the text ``runs`` attribute."""
        cursor = _Cursor(runs)
        result: list[Run] = []
        offset = 0  # in the new text
        for mark, count in delta:
            if mark == "+":
                _push(result, (index, offset, count))
                offset += count
            elif mark == "=":
                taken = cursor.take(count)
                if taken:  # runs taken whole were joined already: only the first may join
                    _push(result, taken[0])
                    result.extend(taken[1:])
                offset += count
            else:
                for source, origin, length in cursor.take(count):
                    if record and source == 0:
                        self.deletions.append((origin, length, index))
        return result

    def _restore(self, before: list[Run], back: Delta, delta: Delta, index: int) -> list[Run]:
        """A revert: each character takes its attribution from before the reverted merge
        where it is that text's, else the current one, else the revert's."""
        restored = _per_char(self._carry(before, back, -1, record=False))
        current = _per_char(self._carry(self.runs, delta, -1, record=True))
        result: list[Run] = []
        for position, (mine, theirs) in enumerate(zip(restored, current, strict=True)):
            chosen = mine if mine[0] >= 0 else theirs if theirs[0] >= 0 else (index, position)
            _push(result, (chosen[0], chosen[1], 1))
        return result

    def attribution(self) -> Attribution:
        return Attribution(self.text, tuple(self.sources), tuple(self.runs), tuple(self.deletions))


def _length(delta: Delta, marks: str) -> int:
    """How long the text a delta starts from (``marks`` ``=-``) or ends at (``=+``) is."""
    return sum(length for mark, length in delta if mark in marks)


def _per_char(runs: list[Run]) -> list[tuple[int, int]]:
    """``(source, origin)`` of every character (source -1: inserted, no attribution yet)."""
    result: list[tuple[int, int]] = []
    for source, origin, length in runs:
        result.extend((source, origin + k) for k in range(length))
    return result


def trace(steps: Iterable[Step], keep: Iterable[str] = ()) -> Attribution:
    """The attribution of the text the last step leaves, from an empty draft."""
    tracer = Tracer("", Source("base"), frozenset(keep))
    for step in steps:
        tracer.apply(step)
    return tracer.attribution()


def percentages(counts: list[int]) -> list[float]:
    """Each count's share in percent, to one decimal, summing to exactly 100 (when any is
    non-zero): the largest-remainder method."""
    total = sum(counts)
    if total == 0:
        return [0.0 for _ in counts]
    exact = [count * 1000 / total for count in counts]
    tenths = [int(value) for value in exact]
    order = sorted(range(len(counts)), key=lambda i: (tenths[i] - exact[i], i))
    for i in order[: 1000 - sum(tenths)]:
        tenths[i] += 1
    return [t / 10 for t in tenths]


@dataclass(frozen=True)
class Share:
    """One row of a breakdown: a group's (member's, amendment's) words and merged amendments."""

    key: str
    label: str
    words: int
    share: float  # percent of the words
    amendments: int  # merged amendments (not reverted) of this row
    amendment_share: float  # percent of the merged amendments

    def to_dict(self) -> dict[str, object]:
        return {
            "key": self.key,
            "label": self.label,
            "words": self.words,
            "share": self.share,
            "amendments": self.amendments,
            "amendment_share": self.amendment_share,
        }


def shares(
    attribution: Attribution,
    merged: Iterable[Source],
    by: By,
    groups: Mapping[str, str],
) -> list[Share]:
    """Words and merged amendments per row of a breakdown, most words first.

    Every word counts once, in the row of its source; ``merged`` are the amendments merged
    and not reverted (one source each), counted whether or not any of their words remain.
    """
    words: dict[str, int] = {}
    for source in attribution.word_sources():
        key = attribution.sources[source].key(by)
        words[key] = words.get(key, 0) + 1
    amendments: dict[str, int] = {}
    for merged_source in merged:
        key = merged_source.key(by)
        amendments[key] = amendments.get(key, 0) + 1
    keys = sorted(set(words) | set(amendments), key=lambda k: (-words.get(k, 0), k))
    word_shares = percentages([words.get(k, 0) for k in keys])
    amendment_shares = percentages([amendments.get(k, 0) for k in keys])
    return [
        Share(
            key=k,
            label=key_label(k, by, groups),
            words=words.get(k, 0),
            share=word_shares[i],
            amendments=amendments.get(k, 0),
            amendment_share=amendment_shares[i],
        )
        for i, k in enumerate(keys)
    ]


@dataclass(frozen=True)
class Blame:
    """Who wrote which words of a draft (at main or at a version), by group, member or
    amendment."""

    slug: str
    version: str | None
    by: By
    attribution: Attribution
    shares: tuple[Share, ...]
    groups: Mapping[str, str]

    @functools.cached_property
    def _tokens(self) -> tuple[list[int], list[tuple[int, int, str]]]:
        """Where each token ends, and ``(start, end, key)`` of each: for :meth:`spans`."""
        keys = [source.key(self.by) for source in self.attribution.sources]
        tokens = [(start, end, keys[s]) for start, end, s in self.attribution.per_token()]
        return [end for _, end, _ in tokens], tokens

    def spans(self, start: int = 0, end: int | None = None) -> list[tuple[str, str]]:
        """``(text, key)`` for the text in ``[start, end)``: tokens of one row joined (and
        blanks with the row before them)."""
        text = self.attribution.text
        end = len(text) if end is None else end
        ends, tokens = self._tokens
        pieces: list[list[str]] = []
        keys: list[str] = []
        for index in range(bisect.bisect_right(ends, start), len(tokens)):
            token_start, token_end, key = tokens[index]
            if token_start >= end:
                break
            piece = text[max(token_start, start) : min(token_end, end)]
            if keys and (keys[-1] == key or not piece.strip()):
                pieces[-1].append(piece)
            else:
                pieces.append([piece])
                keys.append(key)
        return [("".join(joined), key) for joined, key in zip(pieces, keys, strict=True)]

    def to_dict(self) -> dict[str, object]:
        return {
            "draft": self.slug,
            "version": self.version,
            "by": self.by,
            "words": sum(s.words for s in self.shares),
            "summary": [s.to_dict() for s in self.shares],
            "spans": [{"text": t, "key": k} for t, k in self.spans()],
        }
