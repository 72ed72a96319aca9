"""Judging translations: only the secretariat changes one, one file at a time, replayed; and
a merge takes an amendment only in its draft's authentic language."""

from __future__ import annotations

from wgtool.core import languages
from wgtool.core.errors import InvalidInput
from wgtool.core.record.rulebook.base import Reader
from wgtool.core.record.rulebook.layout import (
    ACTION,
    DRAFT,
    FILE_MODES,
    LANGUAGE,
    LANGUAGE_ACTION,
    TRANSLATE_ACTION,
)
from wgtool.core.record.rulebook.records import Record

ACTIONS = (TRANSLATE_ACTION, LANGUAGE_ACTION)


def authentic_at(reads: Reader, commit: str, slug: str) -> str:
    """The authentic language of draft ``slug`` at main commit ``commit``."""
    return languages.read_authentic(reads.file_at(commit, languages.authentic_path(slug)))


def stored_at(reads: Reader, commit: str, slug: str, lang: str) -> languages.Translation | None:
    """The translation of ``slug`` into ``lang`` at ``commit`` (None: none, or unreadable)."""
    data = reads.file_at(commit, languages.translation_path(slug, lang))
    if data is None:
        return None
    try:
        return languages.load(data)
    except InvalidInput:
        return None


def translation_problems(reads: Reader, record: Record) -> list[str]:
    """What is wrong with a secretariat commit as a change of translations: one that touches
    ``translations/`` declares it (``Action: translate`` or ``authentic-language``, with
    ``Draft:`` and ``Language:``) and changes that one file and nothing else, which replays."""
    touched = [c for c in record.changes if c.path.startswith(languages.TRANSLATIONS_DIR + "/")]
    action = record.trailer(ACTION)
    if not touched and action not in ACTIONS:
        return []
    slug, lang = record.trailer(DRAFT) or "", record.trailer(LANGUAGE) or ""
    if action not in ACTIONS:
        return [
            f"changes {touched[0].path} without declaring it "
            f"(Action: {' or '.join(ACTIONS)}, Draft: <slug>, Language: <code>)"
        ]
    try:
        code = languages.language_code(lang)
    except InvalidInput:
        return [f"says Language: {lang!r}, which is not a language code"]
    path = (
        languages.translation_path(slug, code)
        if action == TRANSLATE_ACTION
        else languages.authentic_path(slug)
    )
    for change in record.changes:
        if change.path != path or change.status == "D" or change.mode not in FILE_MODES:
            return [f"a change of translations may change only {path}, not {change.path}"]
    if not record.changes:
        return [f"declares a change of {path} and changes nothing"]
    parent = record.parents[0]
    text = reads.text_at(parent, slug)
    if text is None:
        return [f"changes translations of draft {slug}, which main does not have"]
    data = reads.file_at(record.sha, path) or b""
    authentic = authentic_at(reads, parent, slug)
    if action == LANGUAGE_ACTION:
        if data != (code + "\n").encode():
            return [f"{path} does not say {code}"]
        if reads.file_at(parent, languages.translation_path(slug, code)) is not None:
            return [f"makes {code} authentic for {slug}, which has a translation into {code}"]
        return []
    if code == authentic:
        return [f"translates {slug} into {code}, its authentic language"]
    try:
        new = languages.load(data)
    except InvalidInput as error:
        return [f"{path}: {error}"]
    found = reads.labels_at(parent, slug, text)
    units = languages.source_units(text, found)
    old = stored_at(reads, parent, slug, code)
    previous = languages.align(units, found, old, code) if old else None
    return languages.replay_problems(new, slug, code, units, found, previous)


def merged_language_problems(reads: Reader, parent: str, slug: str, revision: Record) -> list[str]:
    """A merge takes the authentic text: the revision it merges is in the draft's authentic
    language (no ``Language:`` trailer, or that language)."""
    said = revision.trailer(LANGUAGE)
    authentic = authentic_at(reads, parent, slug)
    if said is not None and said != authentic:
        return [f"merges a revision in {said}, not in {slug}'s authentic language {authentic}"]
    return []
