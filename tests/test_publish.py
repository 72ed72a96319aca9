"""`wgtool publish OUT`: the record as a static website for observers, through the real CLI
(a separate process): the same record gives the same bytes, on any clone; what it shows of
deliberation is the group's setting; it never clobbers a folder it did not write; member text
stays text. (The site in a real browser: ``test_publish_browser.py``.)"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest

from tests.conftest import (
    CHAIR,
    MEMBER_CS,
    MEMBER_GOV,
    MEMBER_PS,
    MEMBER_TECH,
    SECRETARIAT,
    Wg,
    git,
    plant_on_main,
)
from tests.conftest import wgtool_ok as ok
from tests.conftest import wgtool_run as wgtool
from tests.test_inert_documents import HOSTILE, SAFE_TAGS, Tags, hostile  # noqa: F401
from wgtool.core.desks import WorkingGroup
from wgtool.core.documents import publish
from wgtool.core.documents.publish import MARKER
from wgtool.core.errors import InvalidInput

ATOM = "{http://www.w3.org/2005/Atom}"
RATIONALE = "Security keeps the network open."
REASON = "Our delegation welcomes the word."
COMMENT = "Could we also say resilient?"
PARAGRAPH_5 = (
    "Enhanced cooperation should preserve and promote a single, open, global, secure and "
    "interoperable Internet. Measures that would fragment the network, impair the free exchange "
    "of information across it or weaken the common technical standards on which it rests "
    "should be avoided."
)


def tree(folder: Path) -> dict[str, str]:
    """Every file under ``folder`` by relative path, with the SHA-256 of its bytes."""
    return {
        str(path.relative_to(folder)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def deliberated(repo: Path) -> tuple[str, str]:
    """On the example group: an amendment with a position and a comment merged and tagged
    ``v1`` (after ``first-reading``), a bracket, a paragraph agreed ad referendum, and an open
    amendment with a position and a comment. The two amendments' ids."""
    ok(repo, "tag", "principles", "first-reading", "--message", "As circulated",
       actor=SECRETARIAT)  # fmt: skip
    merged = ok(repo, "propose", "principles", "--paragraph", "5", "--rationale", RATIONALE,
                "--text", PARAGRAPH_5, actor=MEMBER_TECH).strip()  # fmt: skip
    ok(repo, "position", merged, "support", "--reason", REASON, actor=MEMBER_CS)
    ok(repo, "comment", merged, COMMENT, actor=MEMBER_GOV)
    ok(repo, "merge", merged, actor=CHAIR)
    ok(repo, "tag", "principles", "v1", "--message", "Agreed at the second session",
       actor=SECRETARIAT)  # fmt: skip
    ok(repo, "bracket", "principles", "--paragraph", "6", "--words", "freedom of expression",
       "--reason", "Scope not agreed", "--held-by", "governments", actor=CHAIR)  # fmt: skip
    ok(repo, "agree", "principles", "--paragraph", "7", "--ad-ref", "--pending-on",
       "governments", actor=CHAIR)  # fmt: skip
    text = "Enhanced cooperation should strengthen the security of the Internet."
    opened = ok(repo, "propose", "principles", "--paragraph", "11", "--rationale",
                "Shorter and clearer.", "--text", text, actor=MEMBER_PS).strip()  # fmt: skip
    ok(repo, "position", opened, "object", "--reason", "Too short by half.", actor=MEMBER_GOV)
    return merged, opened


def text_of(site: Path) -> str:
    return "\n".join(p.read_text(encoding="utf-8") for p in sorted(site.rglob("*.html")))


def test_the_same_record_gives_the_same_site_here_again_and_on_a_fresh_clone(
    example_repo: Path, tmp_path: Path
) -> None:
    deliberated(example_repo)
    ok(example_repo, "settings", "--publish", "positions", actor=SECRETARIAT)
    origin = tmp_path / "origin.git"
    ok(tmp_path, "init", "--bare", str(origin))
    git(example_repo, "remote", "add", "origin", str(origin))
    ok(example_repo, "sync", actor=SECRETARIAT)

    first, again = tmp_path / "site", tmp_path / "again"
    said = ok(example_repo, "publish", str(first))
    assert said.startswith("Published 2 draft(s) and 2 version(s) into "), said
    ok(example_repo, "publish", str(again))
    clone = tmp_path / "clone"
    ok(tmp_path, "clone", str(origin), str(clone))
    on_clone = tmp_path / "on-clone"
    ok(clone, "publish", str(on_clone))

    files = tree(first)
    assert files == tree(again) == tree(on_clone)
    assert {
        ".wgtool-publish",
        "index.html",
        "feed.atom",
        "drafts/principles/index.html",
        "drafts/principles/amendments.html",
        "drafts/principles/versions/first-reading.html",
        "drafts/principles/versions/v1.html",
        "drafts/roles/index.html",
        "drafts/roles/amendments.html",
    } == set(files)
    # Publishing again over the site replaces it whole: nothing of the earlier one stays, and
    # nothing of the swap stays beside it.
    (first / "stray.html").write_text("left from before")
    ok(example_repo, "publish", str(first))
    assert tree(first) == files
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


def test_pages_name_what_they_were_built_from_and_how_to_check_it(
    example_repo: Path, tmp_path: Path
) -> None:
    deliberated(example_repo)
    site = tmp_path / "site"
    ok(example_repo, "publish", str(site))
    main = git(example_repo, "rev-parse", "main").strip()
    tag = git(example_repo, "rev-parse", "refs/tags/principles/v1").strip()
    tagged = git(example_repo, "rev-parse", "principles/v1^{commit}").strip()
    index = (site / "index.html").read_text()
    assert f"git cat-file -p {main}" in index
    draft = (site / "drafts/principles/index.html").read_text()
    command = f"git show {main}:drafts/principles.md"
    assert command in draft
    shown = git(example_repo, "show", f"{main}:drafts/principles.md")
    assert "single, open, global, secure and interoperable" in shown  # the command works
    version = (site / "drafts/principles/versions/v1.html").read_text()
    assert tag in version and tagged in version
    assert "git cat-file -p principles/v1" in version
    assert "git show principles/v1:drafts/principles.md" in version
    assert "Agreed at the second session" in version  # the tag's message
    assert 'href="first-reading.html"' in version  # the redline names the version before
    assert "<ins>" in version and "secure" in version
    # The ledger: agreed ad referendum, pending on governments; a bracket.
    ledger = draft[draft.index("Paragraph status") :]
    assert re.search(r"<td>7</td><td>agreed-ad-ref</td><td>governments</td>", ledger)
    assert re.search(r"<td>6</td><td>open</td><td></td><td>1</td>", ledger)
    assert '<span class="bracket">[</span>freedom of expression' in draft
    # No script, a language, real headings: one h1 per page.
    for page in site.rglob("*.html"):
        html = page.read_text()
        assert "<script" not in html.lower(), page
        assert re.search(r'<html lang="en">', html), page
        assert len(re.findall(r"<h1[ >]", html)) == 1, page
        assert "@media print" in html, page
        assert not re.search(r'(href|src)="(/|[a-z]+:)', html.replace(":drafts", "")), page


def test_the_feed_lists_the_versions_newest_first_with_dates_from_their_tags(
    example_repo: Path, tmp_path: Path
) -> None:
    deliberated(example_repo)
    site = tmp_path / "site"
    ok(example_repo, "publish", str(site))
    feed = ET.parse(site / "feed.atom").getroot()
    assert feed.tag == f"{ATOM}feed"
    entries = feed.findall(f"{ATOM}entry")
    links = [e.find(f"{ATOM}link").get("href") for e in entries]  # type: ignore[union-attr]
    assert links[0] == "drafts/principles/versions/v1.html"
    assert links == [
        "drafts/principles/versions/v1.html",
        "drafts/principles/versions/first-reading.html",
    ]
    dates = [e.findtext(f"{ATOM}updated") for e in entries]
    assert dates == sorted(dates, reverse=True)  # type: ignore[type-var]
    tagged_at = git(example_repo, "for-each-ref", "--format=%(taggerdate:unix)",
                    "refs/tags/principles/v1").strip()  # fmt: skip
    expected = dt.datetime.fromtimestamp(int(tagged_at), dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert dates[0] == expected
    ids = [e.findtext(f"{ATOM}id") for e in entries]
    assert len(set(ids)) == 2 and all(i and i.startswith("urn:uuid:") for i in ids)
    # A new version adds an entry; the ids of the others stay.
    ok(example_repo, "tag", "roles", "v2", "--message", "Second", actor=SECRETARIAT)
    ok(example_repo, "publish", str(site))
    again = ET.parse(site / "feed.atom").getroot().findall(f"{ATOM}entry")
    assert [e.findtext(f"{ATOM}id") for e in again][1:] == ids
    assert again[0].findtext(f"{ATOM}title", "").endswith(": v2")


def test_what_the_site_shows_of_deliberation_is_the_groups_setting(
    example_repo: Path, tmp_path: Path
) -> None:
    merged, opened = deliberated(example_repo)
    site = tmp_path / "site"
    ok(example_repo, "publish", str(site))  # texts, by default
    shown = text_of(site)
    assert not (site / "drafts/principles/amendments.html").exists()
    for private in (RATIONALE, REASON, COMMENT, opened, "Too short by half."):
        assert private not in shown, private

    by_a_member = wgtool(example_repo, "settings", "--publish", "amendments", actor=MEMBER_CS)
    assert by_a_member.returncode == 4, by_a_member.stderr
    bad = wgtool(example_repo, "settings", "--publish", "everything", actor=SECRETARIAT)
    assert bad.returncode == 2 and "everything" in bad.stderr
    ok(example_repo, "settings", "--publish", "amendments", actor=SECRETARIAT)
    assert 'publish = "amendments"' in git(example_repo, "show", "main:wg.toml")
    assert "Published:   amendments" in ok(example_repo, "settings")
    ok(example_repo, "publish", str(site))
    shown = text_of(site)
    compiled = (site / "drafts/principles/amendments.html").read_text()
    for public in (RATIONALE, merged, opened, "Shorter and clearer.", MEMBER_PS, "merged"):
        assert public in compiled, public
    for private in (REASON, COMMENT, "Too short by half."):
        assert private not in shown, private

    ok(example_repo, "settings", "--publish", "positions", actor=SECRETARIAT)
    ok(example_repo, "publish", str(site))
    compiled = (site / "drafts/principles/amendments.html").read_text()
    for public in (REASON, COMMENT, "Too short by half."):
        assert public in compiled, public


def test_a_folder_that_holds_anything_else_is_refused_and_left_alone(
    example_repo: Path, tmp_path: Path
) -> None:
    taken = tmp_path / "taken"
    taken.mkdir()
    (taken / "notes.txt").write_text("mine")
    refused = wgtool(example_repo, "publish", str(taken))
    assert refused.returncode == 2, refused.stderr
    assert len(refused.stderr.strip().splitlines()) == 1 and "not empty" in refused.stderr
    assert [p.name for p in taken.iterdir()] == ["notes.txt"]
    a_file = tmp_path / "file.html"
    a_file.write_text("mine")
    refused = wgtool(example_repo, "publish", str(a_file))
    assert refused.returncode == 2 and a_file.read_text() == "mine"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file.html", "taken", "wg"]
    empty = tmp_path / "empty"
    empty.mkdir()
    ok(example_repo, "publish", str(empty))
    assert (empty / "index.html").is_file()
    unknown = wgtool(example_repo, "publish", str(tmp_path / "new"), "--drafts", "nothing")
    assert unknown.returncode == 1 and not (tmp_path / "new").exists()
    ok(example_repo, "publish", str(tmp_path / "new" / "site"), "--drafts", "roles")
    assert tree(tmp_path / "new" / "site").keys() == {
        ".wgtool-publish",
        "index.html",
        "feed.atom",
        "drafts/roles/index.html",
    }


def test_member_text_is_inert_on_every_page(
    hostile: Wg,  # noqa: F811
    tmp_path: Path,
) -> None:
    hostile.ok("settings", "--publish", "positions", actor=SECRETARIAT)
    site = tmp_path / "site"
    hostile.ok("publish", str(site))
    pages = sorted(site.rglob("*.html"))
    assert len(pages) >= 5
    for page in pages:
        parser = Tags()
        parser.feed(page.read_text())
        allowed = SAFE_TAGS | {"nav", "section", "ul", "li", "ol"}
        assert {tag for tag, _ in parser.tags} <= allowed, page
        for tag, attrs in parser.tags:
            for name, value in attrs:
                assert not name.startswith("on"), (page, tag, name)
                assert not re.match(r"\s*(javascript|data|vbscript):", value or "", re.I), value
                assert tag == "a" or "tracker.example" not in (value or ""), (tag, name)
    compiled = (site / "drafts/hostile/amendments.html").read_text()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in compiled
    ET.parse(site / "feed.atom")  # the tags' hostile messages are text in the feed too


def test_control_characters_already_in_the_record_are_shown_not_sent(
    example_repo: Path, tmp_path: Path
) -> None:
    with WorkingGroup.open(example_repo, SECRETARIAT) as wg:
        main = wg.record.main()
    text = git(example_repo, "show", f"{main}:drafts/roles.md")
    hostile_text = text.replace("Effective cooperation", "Effective \x1b[31m\u202ecooperation", 1)
    plant_on_main(example_repo, {"drafts/roles.md": hostile_text.encode()}, "Edit by hand")
    site = tmp_path / "site"
    ok(example_repo, "publish", str(site), "--drafts", "roles")
    page = (site / "drafts/roles/index.html").read_text()
    assert "\x1b" not in page and "\u202e" not in page
    assert "Effective" in page


@pytest.mark.parametrize("level", ["texts", "amendments", "positions"])
def test_the_setting_is_kept_in_wg_toml_and_read_back(example_repo: Path, level: str) -> None:
    cli = Wg(example_repo)
    if level != "texts":
        cli.ok("settings", "--publish", level, actor=SECRETARIAT)
    with WorkingGroup.open(example_repo) as wg:
        assert wg.record.settings.publish == level
    assert f'"publish": "{level}"' in cli.ok("settings", "--json")


def test_a_site_that_cannot_be_written_leaves_the_earlier_one_whole(
    example_repo: Path, tmp_path: Path
) -> None:
    site = tmp_path / "site"
    ok(example_repo, "publish", str(site))
    earlier = tree(site)
    # A file and a folder of the same name: the second write fails half-way.
    with pytest.raises(InvalidInput, match="cannot write"):
        publish.write({MARKER: b"x", "index.html": b"new", "index.html/x": b"y"}, site)
    assert tree(site) == earlier
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site", "wg"]  # nothing left beside


def test_a_versions_page_carries_its_reservations_and_pages_their_drafts_language(
    example_repo: Path, tmp_path: Path
) -> None:
    """Statements a group makes on an adopted text are for the record: the version's page
    shows them at every publish level, as the version's exports number them; a draft whose
    authentic language is not English says so in its pages' ``lang``."""
    deliberated(example_repo)
    reason = "Our capital reads <b>access</b> broadly."
    ok(example_repo, "reserve", "principles", "--paragraph", "5", "--reason", reason,
       "--version", "v1", actor=MEMBER_GOV)  # fmt: skip
    ok(example_repo, "explain", "principles", "We join the consensus.", "--version", "v1",
       actor=MEMBER_CS)  # fmt: skip
    ok(example_repo, "draft", "language", "roles", "--authentic", "fr", actor=SECRETARIAT)
    site = tmp_path / "site"
    ok(example_repo, "publish", str(site))  # the default level: texts
    v1 = (site / "drafts/principles/versions/v1.html").read_text(encoding="utf-8")
    assert "<h2>Reservations and explanations of position</h2>" in v1
    assert "¶5" in v1 and "Our capital reads &lt;b&gt;access&lt;/b&gt; broadly." in v1
    assert "We join the consensus." in v1 and "<b>access" not in v1
    first = (site / "drafts/principles/versions/first-reading.html").read_text(encoding="utf-8")
    assert "Reservations and explanations" not in first  # they are on v1 only
    assert '<html lang="fr"' in (site / "drafts/roles/index.html").read_text(encoding="utf-8")
    principles = (site / "drafts/principles/index.html").read_text(encoding="utf-8")
    assert '<html lang="en"' in principles
