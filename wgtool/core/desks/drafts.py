"""Drafts and their consensus versions: reading, adding, tagging and comparing them."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from wgtool.core import document, glance, labels, validate
from wgtool.core.adoption import labels_file
from wgtool.core.desks.context import Record
from wgtool.core.errors import InvalidInput, NotFound, Remedy, StateError
from wgtool.core.model import Draft, DraftSummary, Member, Status, Version
from wgtool.core.record.gitstore import retry_cas
from wgtool.core.record.messages import format_message
from wgtool.core.record.rulebook import (
    DRAFTS_DIR,
    MAIN_REF,
    TAGS_PREFIX,
    Rulebook,
    TagVerdict,
    draft_path,
    labels_path,
)


class DraftsDesk:
    """The drafts on main, the versions the secretariat tags, and redlines between them."""

    def __init__(self, record: Record) -> None:
        self.record = record
        # The rulebook's verdicts on the tags, as judged for (main, tags).
        self._verdicts_seen: tuple[object, list[TagVerdict]] | None = None

    def draft_slugs(self, commit: str | None = None) -> list[str]:
        names = self.record.store.list_dir(commit or self.record.main(), DRAFTS_DIR)
        return sorted(n.removesuffix(".md") for n, _ in names if n.endswith(".md"))

    def draft(self, slug: str, version: str | None = None) -> Draft:
        validate.name(slug, "draft")
        if version is not None:
            commit = self.version(slug, version).commit
        else:
            commit = self.record.main()
        data = self.record.store.read_file(commit, draft_path(slug))
        if data is None:
            where = f"at version {version}" if version else "on main"
            raise NotFound(f"no draft {slug!r} {where}", remedy=Remedy.LIST_DRAFTS)
        text = data.decode("utf-8", "replace")
        return Draft(
            slug=slug,
            title=document.title(text) or slug,
            text=text,
            labels=self.labels_at(commit, slug, text).current,
        )

    def draft_text_at(self, commit: str, slug: str) -> str | None:
        data = self.record.store.read_file(commit, draft_path(slug))
        return None if data is None else data.decode("utf-8", "replace")

    def labels_at(self, commit: str, slug: str, text: str | None = None) -> labels.Labels:
        """The paragraph labels of draft ``slug`` at ``commit`` (``text``: its text there)."""
        if text is None:
            text = self.draft_text_at(commit, slug) or ""
        count = len(document.paragraphs(text))
        return labels.load(self.record.store.read_file(commit, labels_path(slug)), count)

    def draft_files(
        self, commit: str, slug: str, new_text: str, new_labels: labels.Labels | None = None
    ) -> dict[str, bytes | None]:
        """The files that change draft ``slug`` from its text at main commit ``commit`` to
        ``new_text``: the text, and its labels (kept for the paragraphs that stay, ``7bis``
        for those inserted; ``new_labels`` when they are decided already)."""
        if new_labels is None:
            old_text = self.draft_text_at(commit, slug) or ""
            dumped = labels_file(old_text, self.labels_at(commit, slug, old_text), new_text)
        else:
            dumped = None if new_labels.is_positional else new_labels.dump()
        files: dict[str, bytes | None] = {draft_path(slug): new_text.encode()}
        if dumped is not None or self.record.store.lookup(commit, labels_path(slug)) is not None:
            files[labels_path(slug)] = dumped
        return files

    def drafts(self) -> list[DraftSummary]:
        """Every draft on main, with its open amendments and consensus versions: at a glance
        when the index is current (it keeps the drafts and the versions the rulebook accepted
        when it last judged the tags: see :mod:`wgtool.core.glance`), else read from main and
        the tags."""
        found = glance.first_screen(self.record.store)
        if found is not None:
            return found
        main = self.record.main()
        open_counts = self.open_by_draft()  # first: it refreshes the index should it be behind
        versions = self.all_versions()
        result = []
        for slug in self.draft_slugs(main):
            title, paragraphs = document.listed(slug, self.draft_text_at(main, slug) or "")
            result.append(
                DraftSummary(
                    slug=slug,
                    title=title,
                    paragraphs=paragraphs,
                    open_amendments=open_counts.get(slug, 0),
                    versions=tuple(v.name for v in versions if v.draft == slug),
                )
            )
        return result

    def open_by_draft(self) -> dict[str, int]:
        """How many amendments to each draft are open: at a glance when the index is current
        (no SQLAlchemy to import, see :mod:`wgtool.core.glance`), else from the refreshed
        index."""
        counts = glance.open_by_draft(self.record.store)
        if counts is None:
            self.record.refresh()
            counts = dict(
                Counter(a.draft for a in self.record.index.amendments(status=Status.OPEN.value))
            )
        return counts

    def add_draft(self, slug: str, *, title: str, text: str, labels: Sequence[str] = ()) -> Draft:
        """Add a draft (secretariat). ``labels``: its paragraphs' labels where they are not 1
        to n (a draft exported from a working group and added again keeps its ``7bis``)."""
        validate.name(slug, "draft")
        title = validate.one_line(title, "title")
        text = validate.draft_text(text, "draft text")
        actor = self.record.require("add draft")
        if slug in self.draft_slugs():
            raise InvalidInput(f"draft {slug!r} already exists: amend it instead")
        text = titled(text, title)
        given = _given_labels(labels, len(document.paragraphs(text)))
        files: dict[str, bytes | None] = {draft_path(slug): text.encode()}
        if not given.is_positional:
            files[labels_path(slug)] = given.dump()

        def build(main: str) -> dict[str, bytes | None]:
            if self.record.store.lookup(main, draft_path(slug)) is not None:
                raise InvalidInput(f"draft {slug!r} already exists: amend it instead")
            return files

        message = format_message(
            f"Add draft {slug}: {title}",
            "",
            self.record.trailers(actor, ("Action", "add-draft"), ("Draft", slug)),
        )
        person = self.record.person(actor)
        self.record.commit_main(build, message, person, person)
        return Draft(slug=slug, title=title, text=text, labels=given.current)

    def import_draft(self, slug: str, *, text: str, title: str | None = None) -> Draft:
        """Replace the whole text of draft ``slug`` (a secretariat's edit, such as a Word
        document read in): the paragraphs that stay keep their labels, new ones get ``7bis``
        labels. The title stays unless ``title`` is given."""
        actor = self.record.require("import a draft")
        current = self.draft(slug)
        title = validate.one_line(title, "title") if title is not None else current.title
        text = titled(validate.draft_text(text, "draft text"), title)
        if text == current.text:
            raise StateError(f"that is already the text of {slug}: nothing to import")
        before = len(document.paragraphs(current.text))
        after = len(document.paragraphs(text))

        def build(main: str) -> dict[str, bytes | None]:
            if self.record.store.lookup(main, draft_path(slug)) is None:
                raise NotFound(f"no draft {slug!r}", remedy=Remedy.LIST_DRAFTS)
            return self.draft_files(main, slug, text)

        message = format_message(
            f"Replace the text of draft {slug}: {title}",
            f"The text as the secretariat imported it: {before} paragraphs before, {after} now.",
            self.record.trailers(actor, ("Action", "import-draft"), ("Draft", slug)),
        )
        person = self.record.person(actor)
        self.record.commit_main(build, message, person, person)
        return self.draft(slug)

    def existing_draft(self, slug: str) -> str:
        """The main commit, after checking that draft ``slug`` is on it."""
        validate.name(slug, "draft")
        main = self.record.main()
        if self.record.store.lookup(main, draft_path(slug)) is None:
            raise NotFound(f"no draft {slug!r}", remedy=Remedy.LIST_DRAFTS)
        return main

    def paragraph(self, main: str, slug: str, label: str) -> tuple[str, document.Block]:
        """The current label and the block of paragraph ``label`` of draft ``slug`` at ``main``."""
        text = self.draft_text_at(main, slug) or ""
        found = self.labels_at(main, slug, text)
        position = found.resolve(label)
        return found.label(position), document.paragraph(text, position)

    # -- versions ------------------------------------------------------------------------------

    def all_versions(self) -> list[Version]:
        """The consensus versions the rulebook accepts (a tag that breaks its rules is left out,
        and ``wgtool verify`` reports it), oldest first."""
        return [v.version for v in self._tag_verdicts() if v.version is not None]

    def version_problems(self) -> dict[str, str]:
        """Tags named like versions that are not versions: tag -> why (verify tells more)."""
        return {
            v.name: "; ".join(v.problems)
            for v in self._tag_verdicts()
            if "/" in v.name and v.version is None and v.problems
        }

    def _tag_verdicts(self) -> list[TagVerdict]:
        """The rulebook's verdict on every tag, judged once for each (main, tags)."""
        main = self.record.main()
        tags = {
            ref[len(TAGS_PREFIX) :]: sha
            for ref, sha in self.record.store.refs(TAGS_PREFIX.rstrip("/")).items()
        }
        key = (main, tuple(sorted(tags.items())))
        if self._verdicts_seen is None or self._verdicts_seen[0] != key:
            self._verdicts_seen = (key, self._judge_tags(tags, main) if tags else [])
        return self._verdicts_seen[1]

    def _judge_tags(self, tags: dict[str, str], main: str) -> list[TagVerdict]:
        book = Rulebook(self.record.store, audit=False)
        # Main's history as the index last stored it, extended by what main gained since (a
        # merge since the last refresh costs its own judgement, not the index's refresh).
        kept = glance.kept_history(self.record.store, book)
        if kept is None:  # no history in the file, or a file the index must heal first
            kept = self.record.index.stored_history(book, main)
        return book.tags(tags, book.history(main, since=kept))

    def versions(self, slug: str) -> list[Version]:
        validate.name(slug, "draft")
        if slug not in self.draft_slugs():
            raise NotFound(f"no draft {slug!r}", remedy=Remedy.LIST_DRAFTS)
        return [v for v in self.all_versions() if v.draft == slug]

    def version(self, slug: str, name: str) -> Version:
        validate.version_name(name)
        for v in self.versions(slug):
            if v.name == name:
                return v
        problem = self.version_problems().get(f"{slug}/{name}")
        if problem is not None:
            raise NotFound(f"{name!r} is not a version of draft {slug!r}: {slug}/{name} {problem}")
        raise NotFound(
            f"no version {name!r} of draft {slug!r}", remedy=Remedy.LIST_VERSIONS, subject=slug
        )

    def write_version(
        self,
        slug: str,
        name: str,
        *,
        message: str,
        extra: Sequence[tuple[str, str]] = (),
        at: str | None = None,
        actor: Member | None = None,
    ) -> Version:
        """Tag main (or ``at``, a commit on main) as version ``name`` of draft ``slug``;
        ``extra`` trailers say more (brackets allowed, the silence it concludes)."""
        actor = actor or self.record.require("tag")
        validate.name(slug, "draft")
        validate.new_version_name(name)
        message = validate.text(message, "message").strip()
        tag_name = f"{slug}/{name}"
        trailers = self.record.trailers(actor, ("Draft", slug), ("Version", name), *extra)
        body = format_message(message, "", trailers)
        person = self.record.person(actor)

        def attempt() -> None:
            # Checked again on every attempt; the tag lands only while main is still the
            # commit it names, so a version is always the text that was current when tagged.
            main = self.record.main()
            target = at or main
            if at is not None and not self.record.store.is_ancestor(at, main):
                raise StateError(f"{at[:10]} is not on main")
            if self.record.store.lookup(target, draft_path(slug)) is None:
                raise NotFound(f"no draft {slug!r}", remedy=Remedy.LIST_DRAFTS)
            if self.record.store.object_at(TAGS_PREFIX + tag_name) is not None:
                raise InvalidInput(
                    f"version {name!r} of {slug} already exists: choose another name"
                )
            if self.record.store.object_at(TAGS_PREFIX + slug) is not None:
                raise InvalidInput(
                    f"a tag named {slug!r} stands where the versions of {slug} go: "
                    "rename it with git"
                )
            sha = self.record.store.write_tag(target, tag_name, body, person)
            self.record.store.update_ref(
                TAGS_PREFIX + tag_name, sha, None, "wgtool tag", verify={MAIN_REF: main}
            )

        retry_cas(attempt)
        return self.version(slug, name)


def _given_labels(given: Sequence[str], count: int) -> labels.Labels:
    """The labels a new draft's ``count`` paragraphs are given (none: 1 to n), refused unless
    there is one valid label per paragraph, each once."""
    if not given:
        return labels.Labels.positional(count)
    if len(given) != count or len(set(given)) != count:
        raise InvalidInput(
            f"{len(given)} paragraph labels for {count} paragraphs: give one label each"
        )
    for label in given:
        if not labels.LABEL_RE.match(label):
            raise InvalidInput(f"{label!r} is not a paragraph label: use 7 or 7bis")
    return labels.Labels(tuple(given), ((),) * count)


def titled(text: str, title: str) -> str:
    """A draft's text with ``title`` as its first heading (in place of a level-1 heading it
    opens with), in the form drafts are stored in."""
    blocks = document.blocks(text)
    if blocks and blocks[0].heading and blocks[0].heading_level == 1:
        text = text[: blocks[0].start] + f"# {title}" + text[blocks[0].end :]
    else:
        text = f"# {title}\n\n" + text
    return document.normalise(text)
