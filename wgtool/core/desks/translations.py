"""A draft in several languages: its authentic language, its translations (the secretariat's),
and the language an amendment was proposed in."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from wgtool.core import document, languages, validate
from wgtool.core.desks.context import Record
from wgtool.core.desks.drafts import DraftsDesk
from wgtool.core.documents.redline import AttributedRedline, attributed_redline
from wgtool.core.errors import InvalidInput, NotFound, StateError
from wgtool.core.model import Amendment, Draft
from wgtool.core.record.messages import format_message, parse_message
from wgtool.core.record.rulebook.layout import (
    DRAFT,
    LANGUAGE,
    LANGUAGE_ACTION,
    TRANSLATE_ACTION,
)


@dataclass(frozen=True)
class LanguageSummary:
    """A draft's languages: the authentic one, and each translation's state."""

    authentic: str
    translations: tuple[languages.Aligned, ...]

    def to_dict(self) -> dict[str, object]:
        return {
            "authentic": self.authentic,
            "translations": [
                {
                    "language": t.lang,
                    "translated": sum(1 for r in t.rows if not r.missing),
                    "stale": t.stale,
                    "missing": t.missing,
                    "orphans": [key for key, _ in t.orphans],
                }
                for t in self.translations
            ],
        }


class TranslationsDesk:
    """The secretariat translates a draft and names its authentic language; anyone reads a
    translation beside its source, stale paragraphs marked."""

    def __init__(self, record: Record, drafts: DraftsDesk) -> None:
        self.record = record
        self.drafts = drafts

    def authentic(self, slug: str, commit: str | None = None) -> str:
        """The language of draft ``slug``'s own text: the one amendments are merged in."""
        data = self.record.store.read_file(
            commit or self.record.main(), languages.authentic_path(slug)
        )
        return languages.read_authentic(data)

    def translation_languages(self, slug: str, commit: str | None = None) -> list[str]:
        names = self.record.store.list_dir(commit or self.record.main(), languages.TRANSLATIONS_DIR)
        found = (languages.of_path(f"{languages.TRANSLATIONS_DIR}/{n}") for n, _ in names)
        return sorted(f[1] for f in found if f is not None and f[0] == slug and f[1] is not None)

    def summary(self, slug: str) -> LanguageSummary:
        self.drafts.existing_draft(slug)
        return LanguageSummary(
            self.authentic(slug),
            tuple(self.aligned(slug, lang) for lang in self.translation_languages(slug)),
        )

    def _commit(self, slug: str, version: str | None) -> str:
        if version is not None:
            return self.drafts.version(slug, version).commit
        return self.drafts.existing_draft(slug)

    def _stored(self, commit: str, slug: str, lang: str) -> languages.Translation | None:
        data = self.record.store.read_file(commit, languages.translation_path(slug, lang))
        return None if data is None else languages.load(data)

    def aligned(self, slug: str, lang: str, version: str | None = None) -> languages.Aligned:
        """The translation of ``slug`` into ``lang`` beside its source (at ``version``)."""
        lang = languages.language_code(lang)
        commit = self._commit(slug, version)
        stored = self._stored(commit, slug, lang)
        if stored is None:
            raise NotFound(
                f"{slug} has no translation into {lang}"
                + (f" at version {version}" if version else "")
            )
        text = self.drafts.draft_text_at(commit, slug) or ""
        found = self.drafts.labels_at(commit, slug, text)
        return languages.align(languages.source_units(text, found), found, stored, lang)

    def translated_draft(self, slug: str, lang: str, version: str | None = None) -> Draft:
        """The draft as it reads in ``lang``: each unit's translation (the authentic text where
        there is none), labelled as the source is, for documents and redlines."""
        aligned = self.aligned(slug, lang, version)
        blocks = [r.text if r.text is not None else r.unit.text for r in aligned.rows]
        source = self.drafts.draft(slug, version)
        text = document.normalise("\n\n".join(blocks))
        return Draft(
            slug=slug, title=aligned.title or source.title, text=text, labels=source.labels
        )

    def redline(self, slug: str, lang: str, old: str | None, new: str | None) -> AttributedRedline:
        """The changes to the translation of ``slug`` into ``lang`` between two versions
        (None: main), paragraph by paragraph by the source's labels; none is attributed (the
        secretariat translates)."""
        texts, found = [], []
        for name in (old, new):
            name = None if name == validate.CURRENT_TEXT else name
            commit = self._commit(slug, name)
            texts.append(self.translated_draft(slug, lang, name).text)
            source = self.drafts.draft_text_at(commit, slug) or ""
            found.append(self.drafts.labels_at(commit, slug, source))
        return attributed_redline(texts[0], texts[1], None, found[0], found[1])

    def translate(
        self, slug: str, lang: str, *, text: str, labels: Sequence[str] = ()
    ) -> languages.Reading:
        """Record ``text`` as the translation of draft ``slug`` into ``lang`` (secretariat),
        paired with the source unit by unit; what did not pair is in the answer."""
        actor = self.record.require("translate")
        lang = languages.language_code(lang)
        text = validate.draft_text(text, "translation")
        main = self.drafts.existing_draft(slug)
        if lang == self.authentic(slug, main):
            raise InvalidInput(f"{lang} is the authentic language of {slug}: amend the draft")

        def read(at: str) -> languages.Reading:
            source = self.drafts.draft_text_at(at, slug) or ""
            found = self.drafts.labels_at(at, slug, source)
            units = languages.source_units(source, found)
            stored = self._stored(at, slug, lang)
            previous = languages.align(units, found, stored, lang) if stored else None
            return languages.read_translation(slug, lang, text, labels, units, found, previous)

        reading = read(main)
        if not reading.translation.units:
            raise InvalidInput(f"nothing in the file pairs with a paragraph of {slug}")
        path = languages.translation_path(slug, lang)

        def build(at: str) -> dict[str, bytes | None]:
            data = read(at).translation.dump()
            if self.record.store.read_file(at, path) == data:
                raise StateError(f"that is already the translation of {slug} into {lang}")
            return {path: data}

        message = format_message(
            f"Translate draft {slug} into {lang}",
            f"{len(reading.translation.units)} units translated.",
            self.record.trailers(
                actor, ("Action", TRANSLATE_ACTION), (DRAFT, slug), (LANGUAGE, lang)
            ),
        )
        person = self.record.person(actor)
        self.record.commit_main(build, message, person, person)
        return reading

    def set_authentic(self, slug: str, lang: str) -> str:
        """Name the language of draft ``slug``'s own text (secretariat)."""
        actor = self.record.require("set the authentic language")
        lang = languages.language_code(lang)
        main = self.drafts.existing_draft(slug)
        if lang in self.translation_languages(slug, main):
            raise StateError(f"{slug} has a translation into {lang}: the authentic text is another")
        if lang == self.authentic(slug, main):
            raise StateError(f"{lang} is already the authentic language of {slug}")
        message = format_message(
            f"The authentic language of draft {slug} is {lang}",
            "",
            self.record.trailers(
                actor, ("Action", LANGUAGE_ACTION), (DRAFT, slug), (LANGUAGE, lang)
            ),
        )
        person = self.record.person(actor)
        data = (lang + "\n").encode()
        self.record.commit_main(
            lambda _: {languages.authentic_path(slug): data}, message, person, person
        )
        return lang

    # -- amendments in a language ------------------------------------------------------------------

    def proposal_language(self, slug: str, lang: str | None) -> str | None:
        """The language to record on a proposal or revision in ``lang`` (None: the authentic
        one); refused unless ``slug`` is in that language."""
        if lang is None:
            return None
        lang = languages.language_code(lang)
        if lang == self.authentic(slug):
            return None
        if lang not in self.translation_languages(slug):
            have = ", ".join([self.authentic(slug), *self.translation_languages(slug)])
            raise InvalidInput(f"{slug} is not in {lang}: propose in one of {have}")
        return lang

    def amendment_language(self, amendment: Amendment) -> str | None:
        """The language ``amendment``'s current revision is in, where it is not the draft's
        authentic one (it then awaits the authentic text before it can be merged)."""
        _, _, trailers = parse_message(self.record.store.commit(amendment.head).message)
        said = trailers.get(LANGUAGE, [None])[-1]
        return None if said is None or said == self.authentic(amendment.draft) else said

    def refuse_unauthentic(self, amendment: Amendment) -> None:
        lang = self.amendment_language(amendment)
        if lang is not None:
            raise StateError(
                f"amendment {amendment.id} is in {lang} and awaits the authentic text "
                f"({self.authentic(amendment.draft)}) from its proposer"
            )
