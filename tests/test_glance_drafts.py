"""The first screen at a glance: the drafts with their open amendments and consensus versions,
read from the index file with the standard library alone, are what the working group reads
from main and the tags, and a tag forged with plain git never shows as a version."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from pathlib import Path

import pytest

from tests.conftest import MEMBER_TECH, SECRETARIAT, git
from tests.forge import Forger
from tests.pilot import settle
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
