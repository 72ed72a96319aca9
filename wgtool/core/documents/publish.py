"""A static website of the record, for observers: ``wgtool publish OUT``.

The site is built from what the record holds at main, its consensus versions and (as the
working group's ``publish`` setting allows) its amendments and deliberation, with the
secretariat's own documents (:mod:`wgtool.core.documents.export` and the templates of
:mod:`wgtool.core.documents.pages`): an index of the drafts; each draft's text with its labels
and its paragraph ledger; each consensus version with its redline against the one before and its
tag's message; the compilation of amendments; an Atom feed of the versions.

The same record gives the same bytes: nothing on the site says when it was built, everything is
in a stable order, and every date comes from the record (the versions' tags). Every page names
the git objects it was read from and the plain-git command that shows them. Links are relative,
so the folder can be served from anywhere, or opened from disk; there is no script.

Writing never clobbers: the site is written to a sibling folder and swapped in, and a folder
that holds something other than an earlier site (its marker file says so) is refused.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import tempfile
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING
from xml.etree import ElementTree as ET

from wgtool.core import validate
from wgtool.core.documents import export, pages
from wgtool.core.documents.papers import CleanText
from wgtool.core.errors import InvalidInput, NotFound, Remedy
from wgtool.core.record.config import PUBLISH_LEVELS
from wgtool.core.safe import xml_text

if TYPE_CHECKING:
    from wgtool.core.desks.parts import Desks
    from wgtool.core.model import Draft, Version

MARKER = ".wgtool-publish"
"""The file that marks a folder as a site ``publish`` wrote, which it may replace."""
MARKER_TEXT = "This folder is a website wgtool publish wrote; the next publish replaces it whole.\n"
FEED = "feed.atom"
ATOM_NS = "http://www.w3.org/2005/Atom"
LANGUAGE = "en"
"""The language pages declare (``lang``) while neither the group nor a draft names one."""
_FEED_NAMESPACE = uuid.UUID("6f0c8a52-5a1e-4bd0-9d6e-3b1f4f1b2a70")
"""Atom ids are UUIDs derived from git object ids under this namespace: stable everywhere."""


@dataclass(frozen=True)
class Proof:
    """What a page was read from, and the plain-git commands that show it."""

    objects: tuple[tuple[str, str], ...]  # (what, object id)
    commands: tuple[str, ...]


@dataclass(frozen=True)
class Published:
    """A site written: where, what it shows, and of which main commit."""

    out: Path
    level: str
    commit: str
    drafts: tuple[str, ...]
    versions: int
    files: int


def level_shows(level: str) -> dict[str, bool]:
    """What a site at ``level`` shows beyond texts, versions and ledgers."""
    rank = PUBLISH_LEVELS.index(level)
    return {"amendments": rank >= 1, "positions": rank >= 2}


def _uuid_urn(name: str) -> str:
    return f"urn:uuid:{uuid.uuid5(_FEED_NAMESPACE, name)}"


def _iso(seconds: int) -> str:
    return dt.datetime.fromtimestamp(seconds, dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class SiteBuilder:
    """The pages of one site, as bytes by relative path, from one reading of the record."""

    def __init__(self, wg: Desks, slugs: Sequence[str] | None = None) -> None:
        self.wg = wg
        self.settings = wg.record.settings
        self.level = self.settings.publish
        self.shows = level_shows(self.level)
        self.main = wg.record.main()
        available = wg.drafts.draft_slugs(self.main)
        if slugs:
            for slug in slugs:
                validate.name(slug, "draft")
                if slug not in available:
                    raise NotFound(f"no draft {slug!r}", remedy=Remedy.LIST_DRAFTS)
            available = sorted(set(slugs))
        self.slugs = tuple(available)
        self.tags = wg.record.store.refs("refs/tags")
        self.events = wg.record.store.refs("refs/wg/events")
        self.versions = {
            slug: sorted(wg.drafts.versions(slug), key=lambda v: (v.tagged_at, v.name))
            for slug in self.slugs
        }
        self.signed = self.settings.signatures == "required"
        self.files: dict[str, bytes] = {}

    def build(self) -> dict[str, bytes]:
        drafts = [self.wg.drafts.draft(slug) for slug in self.slugs]
        self._index(drafts)
        for draft in drafts:
            self._draft(draft)
            previous: Version | None = None
            for version in self.versions[draft.slug]:
                self._version(draft, version, previous)
                previous = version
            if self.shows["amendments"]:
                self._compilation(draft)
        self.files[FEED] = self._feed()
        self.files[MARKER] = MARKER_TEXT.encode()
        return dict(sorted(self.files.items()))

    # -- pages -------------------------------------------------------------------------------

    def _page(
        self, path: str, template: str, title: str, *, lang: str = LANGUAGE, **context: object
    ) -> None:
        root = "../" * path.count("/")
        html = pages.render(
            template,
            None,
            lang=lang,
            page_title=title,
            site_title=self.settings.title,
            root=root,
            level=self.level,
            shows=self.shows,
            feed=FEED,
            **context,
        )
        self.files[path] = html.encode("utf-8")

    def _main_proof(self, *paths: str, chain: str | None = None) -> Proof:
        """Main's commit and the files of it a page shows; ``chain``: the draft's event chain
        (brackets, paragraph status), where it has one."""
        objects = [("main commit", self.main)]
        commands = [f"git cat-file -p {self.main}"]
        commands += [f"git show {self.main}:{path}" for path in paths]
        tip = self.events.get(chain or "")
        if chain is not None and tip is not None:
            objects.append((chain, tip))
            commands.append(f"git log --format=fuller {tip}")
        return Proof(tuple(objects), tuple(commands))

    def _index(self, drafts: list[Draft]) -> None:
        entries = [
            {"draft": d, "href": f"drafts/{d.slug}/index.html", "versions": self.versions[d.slug]}
            for d in drafts
        ]
        self._page(
            "index.html",
            "publish/index.html.j2",
            self.settings.title,
            drafts=entries,
            proof=self._main_proof("wg.toml"),
        )

    def _draft(self, draft: Draft) -> None:
        spans = self.wg.agreement.bracket_spans(draft.slug, None)
        paper = CleanText(draft.title, draft.text, None, draft.labels, spans)
        ledger = self.wg.agreement.ledger(draft.slug, amendments=self.shows["amendments"])
        self._page(
            f"drafts/{draft.slug}/index.html",
            "publish/draft.html.j2",
            draft.title,
            lang=self.wg.translations.authentic(draft.slug),
            draft=draft,
            paper=paper,
            blocks=_under_title(pages.clean_blocks(paper)),
            ledger=ledger,
            versions=self.versions[draft.slug],
            proof=self._main_proof(
                f"drafts/{draft.slug}.md", chain=f"refs/wg/events/draft-{draft.slug}"
            ),
        )

    def _version(self, draft: Draft, version: Version, previous: Version | None) -> None:
        at = self.wg.drafts.draft(draft.slug, version.name)
        context: dict[str, object]
        if previous is None:
            spans = self.wg.agreement.bracket_spans(draft.slug, version.name)
            paper = CleanText(at.title, at.text, version.name, at.labels, spans)
            context = {"parent": "clean.html.j2", "blocks": _under_title(pages.clean_blocks(paper))}
        else:
            redline = export.redline_paper(self.wg, at, version.name, previous.name)
            paper = replace(redline, attributed=self.shows["amendments"])  # type: ignore[assignment]
            context = {"parent": "redline.html.j2", "top_heading": 2}
        tag = self.tags.get(f"refs/tags/{version.tag}", "")
        check = f"git verify-tag {version.tag}" if self.signed else f"git cat-file -p {version.tag}"
        proof = Proof(
            (("tag", version.tag), ("tag object", tag), ("commit", version.commit)),
            (
                check,
                f"git rev-parse {version.tag}",
                f"git show {version.tag}:drafts/{draft.slug}.md",
            ),
        )
        self._page(
            f"drafts/{draft.slug}/versions/{version.name}.html",
            "publish/version.html.j2",
            f"{at.title} — {version.name}",
            lang=self.wg.translations.authentic(draft.slug, version.commit),
            # Reservations and explanations of position on the version, as its exports have
            # them: statements a group makes for the record, shown at every publish level.
            notes=export.version_notes(self.wg, draft.slug, version.name, at.labels),
            draft=at,
            version=version,
            previous=previous,
            paper=paper,
            proof=proof,
            **context,
        )

    def _compilation(self, draft: Draft) -> None:
        paper = export.compilation_paper(self.wg, draft, None, True)
        items = paper.amendments
        if self.shows["positions"]:
            comments = self.wg.deliberation.comments
            items = [replace(item, thread=comments(item.amendment.id)) for item in items]
        paper = replace(
            paper,
            title=f"{draft.title} — amendments",
            amendments=items,
            deliberation=self.shows["positions"],
            positions=self.shows["positions"],
        )
        refs = {**self.wg.record.store.refs("refs/wg/amendments"), **self.events}
        ids = sorted(item.amendment.id for item in items)
        read = [
            (name, refs[name])
            for a in ids
            for name in (f"refs/wg/amendments/{a}", f"refs/wg/events/{a}")
            if name in refs
        ]
        chain = f"refs/wg/events/draft-{draft.slug}"
        if chain in refs:
            read.append((chain, refs[chain]))
        commands = [f"git cat-file -p {self.main}"]
        commands += [f"git log --format=fuller {sha}" for _, sha in read]
        proof = Proof((("main commit", self.main), *read), tuple(commands))
        self._page(
            f"drafts/{draft.slug}/amendments.html",
            "publish/amendments.html.j2",
            paper.title,
            lang=self.wg.translations.authentic(draft.slug),
            draft=draft,
            paper=paper,
            proof=proof,
        )

    def _feed(self) -> bytes:
        """The Atom feed of the versions, newest first; ids from the tags' objects, dates from
        the tags."""
        ET.register_namespace("", ATOM_NS)

        def el(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
            node = ET.SubElement(parent, f"{{{ATOM_NS}}}{tag}", attrs)
            if text is not None:
                node.text = xml_text(text)
            return node

        versions = sorted(
            (v for slug in self.slugs for v in self.versions[slug]),
            key=lambda v: (-v.tagged_at, v.tag),
        )
        roots = self.wg.record.store.run(["rev-list", "--max-parents=0", self.main])
        first = min(roots.stdout.decode().split(), default=self.main)  # the group's first commit
        feed = ET.Element(f"{{{ATOM_NS}}}feed")
        el(feed, "title", f"{self.settings.title}: consensus versions")
        el(feed, "id", _uuid_urn(f"feed {first}"))
        store = self.wg.record.store
        updated = versions[0].tagged_at if versions else store.commit(self.main).committed_at
        el(feed, "updated", _iso(updated))
        el(feed, "link", href="index.html")
        el(feed, "link", rel="self", href=FEED)
        el(el(feed, "author"), "name", self.settings.title)
        el(feed, "generator", "wgtool")
        titles = {slug: self.wg.drafts.draft(slug).title for slug in self.slugs}
        for version in versions:
            entry = el(feed, "entry")
            el(entry, "title", f"{titles[version.draft]}: {version.name}")
            tag = self.tags.get(f"refs/tags/{version.tag}", version.commit)
            el(entry, "id", _uuid_urn(f"version {tag}"))
            el(entry, "updated", _iso(version.tagged_at))
            el(entry, "published", _iso(version.tagged_at))
            el(el(entry, "author"), "name", version.tagger)
            el(entry, "link", href=f"drafts/{version.draft}/versions/{version.name}.html")
            el(entry, "summary", version.message or version.name)
        ET.indent(feed)
        text = ET.tostring(feed, encoding="unicode")
        return ('<?xml version="1.0" encoding="utf-8"?>\n' + text + "\n").encode("utf-8")


def _under_title(blocks: list[dict[str, object]]) -> list[dict[str, object]]:
    """A draft's blocks on a page whose ``h1`` is the draft's title: its own title heading left
    out, its other headings no higher than ``h2``."""
    if blocks and blocks[0]["heading"] and blocks[0]["level"] == 1:
        blocks = blocks[1:]
    return [{**b, "level": max(int(str(b["level"])), 2)} if b["heading"] else b for b in blocks]


def build(wg: Desks, slugs: Sequence[str] | None = None) -> dict[str, bytes]:
    """Every file of the site, by path relative to its folder, in sorted order."""
    return SiteBuilder(wg, slugs).build()


def check_out(out: Path) -> bool:
    """Whether ``out`` may take the site: absent, empty, or a site published before (True
    then: it is replaced). Anything else is refused."""
    if not out.exists() and not out.is_symlink():
        return False
    if out.is_symlink() or not out.is_dir():
        raise InvalidInput(f"{out} is not a folder: give a new or empty folder")
    if (out / MARKER).is_file():
        return True
    if any(out.iterdir()):
        raise InvalidInput(
            f"{out} is not empty and holds no earlier site: give a new or empty folder"
        )
    return False


def write(files: dict[str, bytes], out: Path) -> None:
    """Write the site into ``out``: into a sibling folder first, then swapped in, so ``out``
    is the earlier site or the new one, never half of either."""
    earlier = check_out(out)
    parent = out.parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=parent))
    except OSError as error:
        raise InvalidInput(f"cannot write {out}: {error.strerror or error}") from None
    try:
        for name, data in files.items():
            path = staging / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        os.chmod(staging, 0o755)
        if earlier:
            old = Path(tempfile.mkdtemp(prefix=f".{out.name}.old.", dir=parent))
            old.rmdir()
            out.rename(old)
            staging.rename(out)
            shutil.rmtree(old)
        else:
            if out.exists():
                out.rmdir()  # empty, by check_out
            staging.rename(out)
    except OSError as error:
        shutil.rmtree(staging, ignore_errors=True)
        raise InvalidInput(f"cannot write {out}: {error.strerror or error}") from None
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def publish(wg: Desks, out: Path, slugs: Sequence[str] | None = None) -> Published:
    """Build the site from the record and write it to ``out``."""
    check_out(out)  # refuse before reading the whole record
    builder = SiteBuilder(wg, slugs)
    files = builder.build()
    write(files, out)
    count = sum(len(v) for v in builder.versions.values())
    return Published(out, builder.level, builder.main, builder.slugs, count, len(files))
