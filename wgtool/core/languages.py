"""A draft in several languages: language codes, translation files, and their alignment.

A draft's own text is in its authentic language (``en`` unless the secretariat says another);
a translation is kept beside it in ``translations/<slug>.<lang>.md``, one block per translated
unit, each opened by a line naming the unit and a hash of the source text it was translated
from::

    <!-- wgtool translation of principles into fr; labels renumbered 0 time(s) -->

    <!-- h1 from 3f2a9c01b2d4 -->
    # Principes

    <!-- 7bis from a1b2c3d4e5f6 -->
    Le texte du paragraphe 7bis.

A unit is a numbered paragraph (by its stable label, see :mod:`wgtool.core.labels`) or a heading
(``h1`` the title, ``h2``... the others, in order). Paragraphs stay paired with their source by
label through insertions, deletions and renumberings (the file says at which renumbering its
labels were written); a unit whose source text changed since is **stale**, one whose source
paragraph is gone an **orphan**. Pure: no I/O.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass

from wgtool.core import document
from wgtool.core.errors import InvalidInput
from wgtool.core.labels import LABEL_RE, Labels

TRANSLATIONS_DIR = "translations"
DEFAULT_AUTHENTIC = "en"
# BCP 47, as far as working groups use it: a language, then a script and a region if any.
CODE_RE = re.compile(r"^([a-z]{2,3})(-[a-z]{4})?(-(?:[a-z]{2}|\d{3}))?$")
RTL_LANGUAGES = frozenset({"ar", "he", "fa", "ur", "ps", "yi", "dv", "sd", "ug", "ckb"})
RTL_SCRIPTS = frozenset({"Arab", "Hebr", "Thaa", "Syrc", "Nkoo", "Adlm"})
HEADER_RE = re.compile(r"^<!-- wgtool translation of (\S+) into (\S+); labels renumbered (\d+) ")
UNIT_RE = re.compile(r"^<!-- (h\d{1,4}|[0-9][0-9a-z-]{0,15}) from ([0-9a-f]{12}) -->$")
MARKER_RE = re.compile(
    r"^<!-- ?(h\d{1,4}|[0-9][0-9a-z-]{0,15})(?: from [0-9a-f]{12})?(?: stale)? ?-->$"
)


def language_code(value: str) -> str:
    """A language code in its canonical form (``pt-BR``, ``zh-Hans``, ``ar``); InvalidInput
    unless it reads as BCP 47 does."""
    raw = value.strip()
    found = CODE_RE.match(raw.lower())
    if found is None:
        raise InvalidInput(f"{value!r} is not a language code: use one like fr, es, ar, zh, pt-BR")
    language, script, region = found.groups()
    return language + (script.title() if script else "") + (region.upper() if region else "")


def is_rtl(code: str) -> bool:
    """Whether text in language ``code`` runs right to left (Arabic, Hebrew, Persian...)."""
    parts = code.split("-")
    scripts = [p for p in parts[1:] if len(p) == 4]
    if scripts:
        return scripts[0] in RTL_SCRIPTS
    return parts[0] in RTL_LANGUAGES


def translation_path(slug: str, lang: str) -> str:
    return f"{TRANSLATIONS_DIR}/{slug}.{lang}.md"


def authentic_path(slug: str) -> str:
    """Where a draft's authentic language is kept (no file: :data:`DEFAULT_AUTHENTIC`)."""
    return f"{TRANSLATIONS_DIR}/{slug}.authentic"


def of_path(path: str) -> tuple[str, str | None] | None:
    """(slug, language) of a translation file, (slug, None) of an authentic-language file, or
    None for any other path."""
    if not path.startswith(TRANSLATIONS_DIR + "/"):
        return None
    name = path[len(TRANSLATIONS_DIR) + 1 :]
    slug, _, rest = name.partition(".")
    if rest == "authentic":
        return slug, None
    lang = rest.removesuffix(".md")
    if rest.endswith(".md") and CODE_RE.match(lang.lower()) and language_code(lang) == lang:
        return slug, lang
    return None


def read_authentic(data: bytes | None) -> str:
    """The authentic language an ``.authentic`` file names (the default when there is none or
    it does not read as a code)."""
    if data is None:
        return DEFAULT_AUTHENTIC
    try:
        return language_code(data.decode("utf-8"))
    except (UnicodeDecodeError, InvalidInput):
        return DEFAULT_AUTHENTIC


def source_hash(text: str) -> str:
    """What a translated unit records of the source text it was translated from."""
    return hashlib.sha256(" ".join(text.split()).encode()).hexdigest()[:12]


@dataclass(frozen=True)
class Unit:
    """A translatable piece of the source: a paragraph (``key`` its label) or a heading."""

    key: str
    text: str
    heading: bool

    @property
    def hash(self) -> str:
        return source_hash(self.text)


def source_units(text: str, labels: Labels) -> list[Unit]:
    """The units of a draft, in order: its headings (``h1``...) and paragraphs (by label)."""
    units, headings = [], 0
    for block in document.blocks(text):
        if block.heading:
            headings += 1
            units.append(Unit(f"h{headings}", block.text, True))
        else:
            units.append(Unit(labels.label(block.number or 0), block.text, False))
    return units


@dataclass(frozen=True)
class Translation:
    """A translation as stored: its units' keys (labels as of ``generation``), texts and the
    hash of the source text each was translated from."""

    slug: str
    lang: str
    generation: int
    units: tuple[tuple[str, str, str], ...]  # (key, source hash, text)

    def dump(self) -> bytes:
        lines = [
            f"<!-- wgtool translation of {self.slug} into {self.lang}; labels renumbered "
            f"{self.generation} time(s) -->"
        ]
        for key, digest, text in self.units:
            lines.append(f"<!-- {key} from {digest} -->\n{text}")
        return ("\n\n".join(lines) + "\n").encode()


def load(data: bytes) -> Translation:
    """A stored translation; InvalidInput when the file is not one wgtool could write."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise InvalidInput("the translation file is not UTF-8") from None
    blocks = [m.group(0).rstrip("\n") for m in document.BLOCK_RE.finditer(text)]
    header = HEADER_RE.match(blocks[0]) if blocks else None
    if header is None:
        raise InvalidInput("the translation file has no wgtool header line")
    units, seen = [], set()
    for block in blocks[1:]:
        first, _, body = block.partition("\n")
        found = UNIT_RE.match(first)
        if found is None or not body.strip() or found.group(1) in seen:
            raise InvalidInput(f"the translation file has a block that is no unit: {first[:40]!r}")
        key = found.group(1)
        if not key.startswith("h") and not LABEL_RE.match(key):
            raise InvalidInput(f"the translation file names {key!r}, which is no label")
        seen.add(key)
        units.append((key, found.group(2), body))
    return Translation(header.group(1), header.group(2), int(header.group(3)), tuple(units))


@dataclass(frozen=True)
class Row:
    """One unit of the source beside its translation.

    Attributes:
        unit: The source unit (its key is its label now).
        text: The translated text, or None where the unit is not translated.
        stale: Whether the source text changed since it was translated.
    """

    unit: Unit
    text: str | None
    stale: bool
    digest: str | None = None  # the hash of the source text it was translated from

    @property
    def missing(self) -> bool:
        return self.text is None


@dataclass(frozen=True)
class Aligned:
    """A translation aligned with the source: a row per source unit, and the orphans
    (translated units whose source is gone: (the key they were stored under, their text))."""

    lang: str
    rows: tuple[Row, ...]
    orphans: tuple[tuple[str, str], ...]

    @property
    def stale(self) -> list[str]:
        return [r.unit.key for r in self.rows if r.stale]

    @property
    def missing(self) -> list[str]:
        return [r.unit.key for r in self.rows if r.missing]

    @property
    def title(self) -> str | None:
        first = next((r for r in self.rows if r.unit.key == "h1"), None)
        return first.text.lstrip("#").strip() if first and first.text else None


def pair_key(key: str, generation: int, labels: Labels) -> str | None:
    """The label now of the paragraph stored as ``key`` when the draft had been renumbered
    ``generation`` times (a heading's key is its own), or None when it is gone."""
    if key.startswith("h"):
        return key
    position = labels.as_of(key, generation)
    return None if position is None else labels.label(position)


def align(units: Sequence[Unit], labels: Labels, stored: Translation | None, lang: str) -> Aligned:
    """The source's ``units`` (labelled by ``labels``) beside the ``stored`` translation."""
    by_key = {u.key: u for u in units}
    paired: dict[str, tuple[str, str]] = {}
    orphans = []
    for key, digest, text in stored.units if stored else ():
        now = pair_key(key, stored.generation, labels) if stored else None
        if now is None or now not in by_key or now in paired:
            orphans.append((key, text))
        else:
            paired[now] = (digest, text)
    rows = []
    for unit in units:
        found = paired.get(unit.key)
        if found is None:
            rows.append(Row(unit, None, False))
        else:
            rows.append(Row(unit, found[1], found[0] != unit.hash, found[0]))
    return Aligned(lang, tuple(rows), tuple(orphans))


@dataclass(frozen=True)
class Reading:
    """A translator's file read against the source: the translation to store, and what did
    not pair (``orphans``: the file's units with no source; ``missing``: source units the file
    does not translate)."""

    translation: Translation
    orphans: tuple[str, ...]
    missing: tuple[str, ...]


def read_translation(
    slug: str,
    lang: str,
    text: str,
    given_labels: Sequence[str],
    units: Sequence[Unit],
    labels: Labels,
    previous: Aligned | None,
) -> Reading:
    """The translation a translator's ``text`` gives of the source ``units``.

    Its blocks are paired by the marker line each opens with (``<!-- 7bis -->``, as stored,
    or ``<!-- 7bis stale -->`` as the translator's export marks a stale one),
    else by ``given_labels`` (a Word document wgtool exported), else in order: headings with
    headings, paragraphs with paragraphs. A unit whose translation reads as before keeps the
    hash of the text it was translated from (it stays stale if it was); any other records the
    source text as it is now. A unit that reads as its source is not translated.
    """
    blocks = [b for b in document.blocks(text) if b.text.strip()]
    marked = [MARKER_RE.match(b.text.partition("\n")[0]) for b in blocks]
    keys: list[str] = []
    bodies: list[str] = []
    if blocks and all(marked):
        for block, found in zip(blocks, marked, strict=True):
            assert found is not None
            keys.append(found.group(1))
            bodies.append(block.text.partition("\n")[2].strip())
    else:
        headings = paragraphs = 0
        paragraph_labels = [u.key for u in units if not u.heading]
        for block in blocks:
            if block.heading:
                headings += 1
                keys.append(f"h{headings}")
            else:
                paragraphs += 1
                if given_labels and paragraphs <= len(given_labels):
                    keys.append(given_labels[paragraphs - 1])
                elif not given_labels and paragraphs <= len(paragraph_labels):
                    keys.append(paragraph_labels[paragraphs - 1])
                else:
                    keys.append(f"paragraph {paragraphs} of the file")
            bodies.append(block.text.strip())
    by_key = {u.key: u for u in units}
    before = {r.unit.key: r for r in previous.rows} if previous else {}
    taken: dict[str, tuple[str, str]] = {}
    orphans = []
    for key, body in zip(keys, bodies, strict=True):
        unit = by_key.get(key)
        if unit is None or key in taken or not body:
            orphans.append(key)
            continue
        if unit.heading and not body.startswith("#"):
            body = "#" * max(1, len(unit.text) - len(unit.text.lstrip("#"))) + " " + body
        if body == unit.text:
            continue  # still the authentic words (a document shows them where none is)
        old = before.get(key)
        kept = old.digest if old is not None and old.text == body else None
        taken[key] = (kept or unit.hash, body)
    stored = tuple((u.key, *taken[u.key]) for u in units if u.key in taken)
    missing = tuple(u.key for u in units if u.key not in taken)
    return Reading(Translation(slug, lang, labels.generation, stored), tuple(orphans), missing)


def replay_problems(
    new: Translation,
    slug: str,
    lang: str,
    units: Sequence[Unit],
    labels: Labels,
    previous: Aligned | None,
) -> list[str]:
    """What is wrong with ``new``, written as the translation of ``slug`` into ``lang`` over a
    source of ``units``: each unit it translates is one of the source's now, and records the
    source text as it is now, or the hash it recorded before for the very same translation."""
    if (new.slug, new.lang, new.generation) != (slug, lang, labels.generation):
        return [
            f"says it translates {new.slug} into {new.lang} with labels renumbered "
            f"{new.generation} time(s), not {slug} into {lang} renumbered {labels.generation}"
        ]
    by_key = {u.key: u for u in units}
    before = {r.unit.key: r for r in previous.rows} if previous else {}
    problems = []
    for key, digest, text in new.units:
        unit = by_key.get(key)
        if unit is None:
            problems.append(f"translates {key}, which {slug} does not have")
            continue
        old = before.get(key)
        if digest != unit.hash and not (old and old.text == text and old.digest == digest):
            problems.append(f"says {key} was translated from a text {slug} does not hold")
    return problems
