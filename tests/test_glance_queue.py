"""The amendment queue at a glance: read from the index file with the standard library alone,
it is what the working group lists (amendments, consensus, the filters' choices), in the core
and in the terminal UI; an index behind the refs, or a kept rule or row edited by hand, is never
shown as the queue: the UI reads the working group instead, which refreshes its index."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from tests.conftest import CHAIR, MEMBER_GOV, git
from tests.pilot import settle
from tests.test_glance import busy  # noqa: F401 (a fixture)
from tests.test_import_hygiene import loaded_after
from tests.test_tui import open_queue
from wgtool.core import glance
from wgtool.core.desks import WorkingGroup
from wgtool.core.desks.deliberation import DeliberationDesk
from wgtool.core.glance_queue import GlancedQueue, QueueFilters, queue_at
from wgtool.core.indexed import CONSENSUS_SETTINGS
from wgtool.tui import app as tui_app
from wgtool.tui.app import make_app
from wgtool.tui.session import Session

FILTERS = [
    {},
    {"draft": "principles"},
    {"status": "open"},
    {"status": "merged"},
    {"group": "civil-society"},
    {"text": "CLEARER"},
    {"draft": "principles", "paragraph": 2},
    {"draft": "principles", "status": "rejected", "text": "clear"},
    {"draft": "nothing-like-it"},
]


def fully_read(repo: Path, monkeypatch: pytest.MonkeyPatch, **filters: object) -> GlancedQueue:
    """The queue as the working group reads it without any glance: from the index, refreshed,
    and main's settings."""
    with monkeypatch.context() as patched:
        patched.setattr(glance, "listing", lambda *args, **kwargs: None)
        with WorkingGroup.open(repo) as wg:
            listed = wg.deliberation.listing(**filters)  # type: ignore[arg-type]
            groups = dict(wg.record.settings.groups)
            return GlancedQueue(listed, wg.drafts.draft_slugs(), groups)


@pytest.mark.parametrize("filters", FILTERS)
def test_the_queue_at_a_glance_is_what_the_working_group_lists(
    busy: Path,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
    filters: dict[str, object],
) -> None:
    glanced = queue_at(busy, QueueFilters(**filters))  # type: ignore[arg-type]
    assert glanced is not None
    assert glanced == fully_read(busy, monkeypatch, **filters)
    assert glanced.listed or filters.get("draft") == "nothing-like-it"
    assert glanced.drafts and glanced.groups


def test_the_queue_at_a_glance_imports_neither_gitpython_nor_sqlalchemy(
    busy: Path,  # noqa: F811
) -> None:
    loaded = loaded_after(
        f"""
        from wgtool.core.glance_queue import QueueFilters, queue_at
        assert len(queue_at({str(busy)!r}, QueueFilters("principles")).listed) == 5
        """,
        ("git", "sqlalchemy", "sqlmodel"),
    )
    assert loaded == []


@pytest.mark.parametrize(
    "filters", [{"status": "adopted"}, {"group": "nobody"}, {"draft": "../principles"}]
)
def test_a_filter_naming_nothing_is_left_to_the_working_group_to_refuse(
    busy: Path,  # noqa: F811
    filters: dict[str, str],
) -> None:
    assert queue_at(busy, QueueFilters(**filters)) is None


def index_file(repo: Path) -> Path:
    return repo / ".git" / "wgtool" / glance.INDEX_FILE


def move_a_ref(repo: Path) -> str:
    """Plain git deletes an open amendment's ref, as a fetch by hand could: the index has not
    seen it. Returns the amendment's id."""
    with WorkingGroup.open(repo) as wg:
        gone = next(a.id for a, _ in wg.deliberation.listing(status="open"))
    git(repo, "update-ref", "-d", f"refs/wg/amendments/{gone}")
    return gone


def edit_kept_rule(repo: Path) -> None:
    """Main's groups and rule, as the index keeps them, edited by hand (a group renamed)."""
    with sqlite3.connect(index_file(repo)) as db:
        (value,) = db.execute(
            "SELECT value FROM meta WHERE key = ?", (CONSENSUS_SETTINGS,)
        ).fetchone()
        kept = json.loads(value)
        kept["main"] = "0" * 40
        db.execute(
            "UPDATE meta SET value = ? WHERE key = ?",
            (json.dumps(kept), CONSENSUS_SETTINGS),
        )


def edit_a_verdict(repo: Path) -> None:
    """A consensus row edited by hand to a verdict wgtool never writes."""
    with sqlite3.connect(index_file(repo)) as db:
        db.execute("UPDATE consensusrow SET verdict = 'agreed-by-hand'")


def test_an_index_behind_the_refs_gives_no_queue_at_a_glance(
    busy: Path,  # noqa: F811
) -> None:
    assert queue_at(busy, QueueFilters()) is not None
    move_a_ref(busy)
    assert queue_at(busy, QueueFilters()) is None


@pytest.mark.parametrize("edit", [edit_kept_rule, edit_a_verdict])
def test_a_kept_rule_or_verdict_edited_by_hand_gives_no_queue_at_a_glance(
    busy: Path,  # noqa: F811
    edit: object,
) -> None:
    edit(busy)  # type: ignore[operator]
    assert queue_at(busy, QueueFilters()) is None


def shown(app: object) -> list[tuple[str, str]]:
    """The queue's rows as the UI shows them: each id with its consensus cell."""
    table = app.screen.query_one("#queue")  # type: ignore[attr-defined]
    return [
        (str(table.get_row_at(row)[0]), str(table.get_row_at(row)[4]))
        for row in range(table.row_count)
    ]


async def queue_shown(repo: Path) -> list[tuple[str, str]]:
    """The queue of the first draft as the UI shows it once at rest."""
    app = make_app(repo, MEMBER_GOV)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        await open_queue(pilot)
        await settle(pilot)
        return shown(app)


@pytest.mark.asyncio
async def test_the_ui_shows_the_queue_at_a_glance_as_the_working_group_lists_it(
    busy: Path,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    glances: list[GlancedQueue | None] = []
    glancing = Session.queue

    def counted(session: Session, filters: QueueFilters) -> GlancedQueue | None:
        glances.append(glancing(session, filters))
        return glances[-1]

    monkeypatch.setattr(Session, "queue", counted)
    at_a_glance = await queue_shown(busy)
    assert [found is not None for found in glances] == [True]  # the working group not asked
    monkeypatch.setattr(Session, "queue", lambda session, filters: None)
    assert await queue_shown(busy) == at_a_glance  # read from the working group


@pytest.mark.asyncio
async def test_after_a_ref_moved_with_plain_git_the_ui_lists_what_the_refs_hold(
    busy: Path,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    listings: list[str | None] = []
    listing = DeliberationDesk.listing

    def asked(desk: DeliberationDesk, **filters: object) -> object:
        listings.append(filters.get("draft"))  # type: ignore[arg-type]
        return listing(desk, **filters)  # type: ignore[arg-type]

    # Nothing reads the record meanwhile: the app looks at the refs only when the test asks.
    monkeypatch.setattr(tui_app, "WATCH_INTERVAL", 3600)
    app = make_app(busy, MEMBER_GOV)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)  # the working group open, its index current
        gone = move_a_ref(busy)
        monkeypatch.setattr(DeliberationDesk, "listing", asked)
        await open_queue(pilot)
        await settle(pilot)
        rows = shown(app)
    assert listings == ["principles"]  # the glance declined: the working group was asked
    assert gone not in [amendment for amendment, _ in rows]
    with WorkingGroup.open(busy, CHAIR) as wg:
        listed = wg.deliberation.listing(draft="principles")
        assert [amendment for amendment, _ in rows] == [a.id for a, _ in listed]
