"""The first screen at a glance: the drafts with their open amendments and consensus versions,
read from the index file with the standard library alone, are what the working group reads
from main and the tags, and a tag forged with plain git never shows as a version."""

from __future__ import annotations

import asyncio
import random
import sqlite3
import threading
from pathlib import Path

import pytest

from tests.conftest import CHAIR, MEMBER_TECH, SECRETARIAT, agreed, git, wgtool_ok
from tests.forge import Forger
from tests.pilot import settle
from tests.test_deliberation import propose
from tests.test_glance import busy  # noqa: F401 (a fixture)
from tests.test_import_hygiene import loaded_after
from wgtool.core import glance
from wgtool.core.desks import WorkingGroup
from wgtool.core.model import DraftSummary
from wgtool.tui.app import make_app
from wgtool.tui.screens.drafts import DraftsScreen
from wgtool.tui.screens.queue import QueueScreen
from wgtool.tui.session import FirstGlance, Session
from wgtool.tui.widgets import RecordTable


def read_from_the_record(repo: Path, monkeypatch: pytest.MonkeyPatch) -> list[DraftSummary]:
    """The drafts as the working group reads them without the glance: from main, with the
    tags judged by the rulebook."""
    with monkeypatch.context() as patched:
        patched.setattr(glance, "first_screen", lambda store: None)
        with WorkingGroup.open(repo) as wg:
            return wg.drafts.drafts()


def refreshed(repo: Path) -> None:
    with WorkingGroup.open(repo) as wg:
        wg.record.refresh()


def forge_versions(repo: Path) -> None:
    """Two tags made with plain git: one by a member who is not the secretariat; one a copy of
    the secretariat's v1 with its message and name changed (the object still calls itself v1)."""
    forger = Forger(repo)
    forger.tag("principles/v2", forger.rev("main"), tagger=MEMBER_TECH)
    v1 = git(repo, "cat-file", "tag", "refs/tags/principles/v1")
    changed = forger.git("mktag", input=v1.replace("First reading", "Final text, agreed"))
    forger.update_ref("refs/tags/principles/v3", changed)


def test_the_first_screen_at_a_glance_is_what_the_record_gives(
    busy: Path,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    seen = glance.first_screen_at(busy)
    assert seen is not None
    assert seen == read_from_the_record(busy, monkeypatch)
    assert [(d.slug, d.open_amendments, d.versions) for d in seen] == [
        ("principles", 2, ("v1",)),
        ("roles", 0, ()),
    ]
    with WorkingGroup.open(busy) as wg:
        assert wg.drafts.drafts() == seen


def test_a_tag_forged_with_plain_git_is_no_version_at_a_glance(
    busy: Path,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    forge_versions(busy)
    # The tags moved since the index was refreshed: the glance declines.
    assert glance.first_screen_at(busy) is None
    expected = read_from_the_record(busy, monkeypatch)
    assert [d.versions for d in expected if d.slug == "principles"] == [("v1",)]
    # The refresh judges the tags as every command does: the forged ones get no row.
    refreshed(busy)
    assert glance.first_screen_at(busy) == expected
    # A version whose tag is moved with plain git after the refresh: declined again.
    forger = Forger(busy)
    forger.update_ref("refs/tags/principles/v1", forger.rev("refs/tags/principles/v2"))
    assert glance.first_screen_at(busy) is None
    refreshed(busy)
    found = glance.first_screen_at(busy)
    assert found is not None and [d.versions for d in found if d.slug == "principles"] == [()]


def test_a_versions_row_edited_by_hand_is_not_taken(busy: Path) -> None:  # noqa: F811
    with sqlite3.connect(busy / ".git" / "wgtool" / glance.INDEX_FILE) as db:
        db.execute("UPDATE versionrow SET name = x'7631'")  # bytes, not text
    assert glance.first_screen_at(busy) is None  # a row wgtool never writes: ask the index


def test_the_first_screen_reads_neither_gitpython_nor_sqlalchemy(busy: Path) -> None:  # noqa: F811
    loaded = loaded_after(
        f"""
        from wgtool import api
        drafts = api.first_screen_at({str(busy)!r})
        assert [d.versions for d in drafts if d.slug == "principles"] == [("v1",)], drafts
        """,
        ("git", "gitdb", "sqlalchemy", "sqlmodel"),
    )
    assert loaded == []


def versions_shown(table: RecordTable) -> list[str]:
    return [str(table.get_row_at(row)[4]) for row in range(table.row_count)]


def hold_opening(monkeypatch: pytest.MonkeyPatch) -> tuple[threading.Event, threading.Event]:
    """The working group opens only once the test has looked at the first screen: (set when
    the app is about to open it, to set when it may)."""
    reached, may_open = threading.Event(), threading.Event()
    opening = Session._opened

    def held(session: Session):  # type: ignore[no-untyped-def]
        reached.set()
        assert may_open.wait(60)
        return opening(session)

    monkeypatch.setattr(Session, "_opened", held)
    return reached, may_open


@pytest.mark.asyncio
@pytest.mark.parametrize("index", ["current", "behind the tags"])
async def test_the_ui_fills_its_first_screen_before_opening_the_group_and_shows_no_forgery(
    busy: Path,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
    index: str,
) -> None:
    forge_versions(busy)
    if index == "current":
        refreshed(busy)
    reached, may_open = hold_opening(monkeypatch)
    app = make_app(busy, SECRETARIAT)
    async with app.run_test(size=(100, 30)) as pilot:
        assert await asyncio.get_running_loop().run_in_executor(None, reached.wait, 60)
        await pilot.pause()
        table = app.screen.query_one("#drafts", RecordTable)
        assert not app.opened
        if index == "current":
            assert versions_shown(table) == ["v1", "—"]  # filled at a glance
        else:
            assert table.row_count == 0  # the glance declined: the screen waits for the group
        may_open.set()
        await settle(pilot)
        assert app.opened
        assert versions_shown(table) == ["v1", "—"]


@pytest.mark.parametrize(
    ("column", "value"), [("status", "adopted-by-hand"), ("kind", "rewrite"), ("status", b"open")]
)
def test_an_amendment_row_of_a_status_or_kind_wgtool_never_writes_is_not_listed(
    busy: Path,  # noqa: F811
    column: str,
    value: object,
) -> None:
    with WorkingGroup.open(busy) as wg:
        assert glance.listing(wg.record.store)
        wg.record.index.close()
    with sqlite3.connect(busy / ".git" / "wgtool" / glance.INDEX_FILE) as db:
        db.execute(f"UPDATE amendmentrow SET {column} = ?", (value,))
    with WorkingGroup.open(busy) as wg:
        assert glance.listing(wg.record.store) is None  # the index is asked, and heals it


# -- a tag changes the versions only ---------------------------------------------------------------

HEAVY = ("sqlalchemy", "sqlmodel")


def cli_loads(repo: Path, *commands: list[str]) -> list[str]:
    """The heavy packages (:data:`HEAVY`) running ``commands`` through the CLI in one new
    interpreter loaded, each command having succeeded."""
    return loaded_after(
        f"""
        import contextlib, io, wgtool.cli
        for argv in {commands!r}:
            with contextlib.redirect_stdout(io.StringIO()):
                try:
                    wgtool.cli.cli.main(["--repo", {str(repo)!r}, *argv], prog_name="wgtool")
                except SystemExit as exit:
                    assert exit.code in (0, None), (argv, exit.code)
        """,
        HEAVY,
    )


def principles_versions(drafts: list[DraftSummary] | None) -> tuple[str, ...] | None:
    return None if drafts is None else next(d.versions for d in drafts if d.slug == "principles")


def test_a_tag_leaves_the_amendments_at_a_glance_but_not_the_versions(
    busy: Path,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Only the versions depend on the tags: after a tag made by wgtool, or one made, moved or
    deleted with plain git, show and amendments still read the index at a glance, while the
    versions are never shown as the index last judged them: the first screen declines until a
    refresh judges the tags again, and then shows what the record gives."""
    with WorkingGroup.open(busy) as wg:
        some = next(a.id for a, _ in wg.deliberation.listing())
    reads = [["show", some], ["amendments"], ["amendments", "--status", "open"]]
    v1 = git(busy, "rev-parse", "refs/tags/principles/v1").strip()

    def made() -> None:
        wgtool_ok(busy, "tag", "principles", "v2", "--message", "Second", actor=SECRETARIAT)

    def moved() -> None:  # v1 now names v2's tag object: the rulebook refuses it
        v2 = git(busy, "rev-parse", "refs/tags/principles/v2").strip()
        git(busy, "update-ref", "refs/tags/principles/v1", v2)

    def deleted() -> None:
        git(busy, "update-ref", "-d", "refs/tags/principles/v2")

    def restored() -> None:
        git(busy, "update-ref", "refs/tags/principles/v1", v1)

    for change, versions in (
        (made, ("v1", "v2")),
        (moved, ("v2",)),
        (deleted, ()),
        (restored, ("v1",)),
    ):
        change()
        assert cli_loads(busy, *reads) == [], change.__name__
        assert glance.first_screen_at(busy) is None, change.__name__
        expected = read_from_the_record(busy, monkeypatch)
        assert principles_versions(expected) == versions, change.__name__
        with WorkingGroup.open(busy) as wg:
            assert principles_versions(wg.drafts.drafts()) == versions
        refreshed(busy)
        assert glance.first_screen_at(busy) == expected, change.__name__


def test_tagging_after_a_merge_the_index_has_not_read_imports_no_sqlalchemy(
    busy: Path,  # noqa: F811
) -> None:
    """The version a tag made is judged on main's history as the index stored it, extended by
    the merge made since (not by importing the index to refresh it), and is the same as the
    refreshed index judges it."""
    with WorkingGroup.open(busy) as wg:
        opened = propose(wg, MEMBER_TECH, 4)
        agreed(wg, opened)
        wg.record.act_as(CHAIR)
        wg.merges.merged(opened)  # the index is left behind main
    tag = ["--as", SECRETARIAT, "tag", "principles", "v2", "--message", "After the merge"]
    assert cli_loads(busy, tag) == []
    with WorkingGroup.open(busy) as wg:
        main = wg.record.main()
        assert [(v.name, v.commit) for v in wg.drafts.versions("principles")] == [
            ("v1", git(busy, "rev-parse", "principles/v1^{commit}").strip()),
            ("v2", main),
        ]
    refreshed(busy)
    assert principles_versions(glance.first_screen_at(busy)) == ("v1", "v2")


def test_the_fingerprints_cut_the_tags_out_of_a_listing_as_line_by_line() -> None:
    """:func:`glance.fingerprints` cuts the tags out as one run of a sorted listing: the same
    as picking them line by line, on random listings (and for the tips of :func:`listing_of`)."""
    rng = random.Random(22)
    names = ("refs/heads/main", "refs/tags/p/v{}", "refs/tags/t{}", "refs/wg/events/{:08x}")
    names += ("refs/wg/amendments/{:08x}", "refs/wg/events/draft-p{}")
    for _ in range(2000):
        refs = {rng.choice(names).format(rng.randrange(60)) for _ in range(rng.randrange(14))}
        tips = {ref: f"{rng.getrandbits(160):040x}" for ref in refs}
        listing = glance.listing_of(tips)
        assert glance.tips_of(listing) == tips
        lines = listing.splitlines(keepends=True)
        tags = [line for line in lines if line.split(" ", 1)[1].startswith("refs/tags/")]
        rest = [line for line in lines if line not in tags]
        assert glance.fingerprints(listing) == {
            "refs": glance.listing_fingerprint("".join(rest)),
            "tags": glance.listing_fingerprint("".join(tags)),
        }


@pytest.mark.asyncio
@pytest.mark.parametrize("read_by_mount", [True, False])
async def test_the_command_lines_glance_fills_the_first_screen_and_keys_wait_for_the_member(
    busy: Path,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
    read_by_mount: bool,
) -> None:
    """The command line starts the glance before Textual is imported: read by the time the
    screen mounts, its rows are in the first frame, else the first worker shows them. A key
    typed before the member is known waits for them, then acts on the rows."""
    refreshed(busy)
    reached, may_open = hold_opening(monkeypatch)
    first = FirstGlance(busy)
    assert first.drafts() is not None  # read (joined), and read again by the app
    first = FirstGlance(busy)
    if read_by_mount:
        first.drafts()
    else:
        monkeypatch.setattr(FirstGlance, "ready", property(lambda glance: False))
    app = make_app(busy, SECRETARIAT, glance=first)
    async with app.run_test(size=(100, 30)) as pilot:
        table = app.screen.query_one("#drafts", RecordTable)
        if read_by_mount:
            assert versions_shown(table) == ["v1", "—"]  # in the first frame
        assert await asyncio.get_running_loop().run_in_executor(None, reached.wait, 60)
        await pilot.pause()
        assert not app.opened and versions_shown(table) == ["v1", "—"]
        await pilot.press("a")  # held: the member is not known yet
        await pilot.pause()
        assert isinstance(app.screen, DraftsScreen)
        may_open.set()
        await settle(pilot)
        assert app.opened and isinstance(app.screen, QueueScreen)
        assert app.screen.filters.draft == "principles"
        assert app.screen.query_one("#queue", RecordTable).row_count == 5


def test_the_versions_at_a_glance_are_those_the_rulebook_judges(
    busy: Path,  # noqa: F811
) -> None:
    """What a sync's news reads of the versions (``glance_inbox.versions``) is what
    ``DraftsDesk.all_versions`` judges, with forged tags beside the honest one; and nothing
    once a tag moved since the refresh."""
    from wgtool.core import glance_inbox

    with WorkingGroup.open(busy) as wg:
        wg.record.act_as(SECRETARIAT)
        wg.procedure.tag("roles", "v1", message="Roles, a first reading.\n\nWith a body.")
        wg.record.refresh()
        judged = wg.drafts.all_versions()
        assert glance_inbox.versions(wg.record.store) == judged
        assert [v.tag for v in judged] == ["principles/v1", "roles/v1"]
    forge_versions(busy)
    with WorkingGroup.open(busy) as wg:
        assert glance_inbox.versions(wg.record.store) is None  # the tags moved
        wg.record.refresh()
        assert glance_inbox.versions(wg.record.store) == wg.drafts.all_versions() == judged
