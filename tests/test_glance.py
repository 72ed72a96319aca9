"""The glance at the index (standard library only) answers as the refreshed index would, and
declines, so that the index is asked instead, whenever it could not."""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from tests.conftest import (
    CHAIR,
    MEMBER_CS,
    MEMBER_GOV,
    MEMBER_PS,
    MEMBER_TECH,
    SECRETARIAT,
    agreed,
    git,
)
from tests.test_deliberation import propose
from wgtool.core import glance
from wgtool.core.desks import WorkingGroup
from wgtool.core.model import Kind
from wgtool.core.record.rulebook import Rulebook


@pytest.fixture
def busy(example_repo: Path) -> Path:
    """A group with amendments in every state: open (with positions and an alternative),
    merged with a consensus version after it, rejected, withdrawn; the index refreshed."""
    with WorkingGroup.open(example_repo) as wg:
        opened = propose(wg, MEMBER_PS, 2)
        wg.record.act_as(MEMBER_CS)
        wg.amendments.propose(
            "principles",
            kind=Kind.REPLACE,
            paragraph=2,
            text="Another text for the same passage.",
            rationale="Says it otherwise.",
            alternative_to=opened,
        )
        for handle, stance in ((MEMBER_GOV, "support"), (MEMBER_TECH, "object")):
            wg.record.act_as(handle)
            wg.deliberation.position(opened, stance)
        merged = propose(wg, MEMBER_TECH, 3)
        agreed(wg, merged)
        wg.record.act_as(CHAIR)
        wg.merges.merge(merged)
        rejected = propose(wg, MEMBER_GOV, 5)
        wg.record.act_as(CHAIR)
        wg.deliberation.reject(rejected, reason="Out of scope.")
        withdrawn = propose(wg, MEMBER_CS, 7)
        wg.deliberation.withdraw(withdrawn)
        wg.record.act_as(SECRETARIAT)
        wg.procedure.tag("principles", "v1", message="First reading")
        wg.record.refresh()
    return example_repo


def index_listing(wg: WorkingGroup, **filters: str) -> list[glance.Listed]:
    amendments = wg.record.index.amendments(**filters)
    states = wg.record.index.consensus_states()
    return [(a, *states[a.id]) for a in amendments]


@pytest.mark.parametrize(
    "filters",
    [
        {},
        {"draft": "principles"},
        {"status": "open"},
        {"status": "merged"},
        {"group": "civil-society"},
        {"text": "CLEARER"},
        {"text": MEMBER_GOV},
        {"draft": "principles", "status": "rejected", "text": "clear"},
        {"draft": "nothing-like-it"},
    ],
)
def test_the_glance_lists_what_the_index_lists(busy: Path, filters: dict[str, str]) -> None:
    with WorkingGroup.open(busy) as wg:
        found = glance.listing(wg.record.store, **filters)
        assert found == index_listing(wg, **filters)
        assert found or filters.get("draft") == "nothing-like-it"
        if not filters:
            assert {a.status.value for a, _, _ in found or []} == {
                "open",
                "merged",
                "rejected",
                "withdrawn",
            }


def test_the_glance_counts_open_amendments_and_restores_mains_history(busy: Path) -> None:
    with WorkingGroup.open(busy) as wg:
        open_ones = Counter(a.draft for a in wg.record.index.amendments(status="open"))
        assert glance.open_by_draft(wg.record.store) == open_ones == {"principles": 2}
        book = Rulebook(wg.record.store, audit=False)
        main = wg.record.main()
        restored = glance.stored_history(wg.record.store, book, main)
        stored = wg.record.index.stored_history(book, main)
        assert restored is not None and stored is not None
        assert [vars(c.stored()) for c in restored.commits] == [
            vars(c.stored()) for c in stored.commits
        ]
        assert [d.versions for d in wg.drafts.drafts() if d.slug == "principles"] == [("v1",)]


def test_the_glance_declines_an_index_behind_the_refs(busy: Path) -> None:
    with WorkingGroup.open(busy) as wg:
        gone = next(a.id for a, _ in wg.deliberation.listing(status="open"))
        # Plain git moves a ref (as a fetch by hand would): the index has not seen it.
        git(busy, "update-ref", "-d", f"refs/wg/amendments/{gone}")
        assert glance.listing(wg.record.store) is None
        assert glance.open_by_draft(wg.record.store) is None
        # The working group then asks the index, which refreshes itself first.
        assert gone not in {a.id for a, _ in wg.deliberation.listing()}
        assert [d.open_amendments for d in wg.drafts.drafts() if d.slug == "principles"] == [1]
        assert glance.listing(wg.record.store) == index_listing(wg)


def _other_schema(path: Path) -> None:
    # Written through to the file itself: a connection of this process not yet collected
    # would otherwise move it there from the journal at a moment of its own, after the read
    # that the test compares with.
    db = sqlite3.connect(path)
    try:
        with db:
            db.execute("UPDATE meta SET value = '1' WHERE key = 'schema'")
        assert db.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0] == 0
    finally:
        db.close()


def _garbage(path: Path) -> None:
    for suffix in ("-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    path.write_bytes(b"not a database\n" * 500)


def _gone(path: Path) -> None:
    path.unlink()


def _directory(path: Path) -> None:
    path.unlink()
    path.mkdir()


@pytest.mark.parametrize("spoil", [_other_schema, _garbage, _gone, _directory])
def test_the_glance_declines_a_file_it_cannot_trust_and_leaves_it_to_the_index(
    busy: Path, spoil: object
) -> None:
    with WorkingGroup.open(busy) as wg:
        expected = [(a.id, c.state) for a, c in wg.deliberation.listing()]
        wg.record.index.close()
    path = busy / ".git" / "wgtool" / glance.INDEX_FILE
    spoil(path)  # type: ignore[operator]
    spoiled = path.read_bytes() if path.is_file() else None
    with WorkingGroup.open(busy) as wg:
        assert glance.listing(wg.record.store) is None
        assert glance.open_by_draft(wg.record.store) is None
        assert (
            glance.stored_history(
                wg.record.store, Rulebook(wg.record.store, audit=False), wg.record.main()
            )
            is None
        )
        if spoiled is not None:
            assert path.read_bytes() == spoiled  # the glance never writes
        else:
            assert not path.exists() or path.is_dir()  # nor creates a file
        # The index heals the file (or reads the refs in memory) and answers the same.
        assert [(a.id, c.state) for a, c in wg.deliberation.listing()] == expected
    if path.is_dir():
        shutil.rmtree(path)


def test_a_glance_reads_one_amendment_as_the_index_does(busy: Path) -> None:
    """What ``show`` reads (an id from its prefix, the amendment, its events, the events of a
    type, its alternatives) is the same from the glance as from the refreshed index."""
    with WorkingGroup.open(busy) as wg:
        wg.record.act_as(MEMBER_GOV)
        some = [a.id for a, _ in wg.deliberation.listing()]
        opened = [a for a, _ in wg.deliberation.listing(status="open")]
        wg.procedure.cosponsor(next(a.id for a in opened if a.proposer != MEMBER_GOV))
        index = wg.record.index
        index.refresh()
        seen = glance.Glance.current(wg.record.store)
        assert seen is not None
        try:
            for amendment_id in some:
                for prefix in (amendment_id, amendment_id[:4], amendment_id[:1]):
                    assert seen.resolve_prefix(prefix) == index.resolve_prefix(prefix)
                assert seen.amendment(amendment_id) == index.amendment(amendment_id)
                assert seen.events(amendment_id) == index.events(amendment_id)
                for types in (["cosponsor"], ["position", "silence-break"], None):
                    assert seen.chain_events([amendment_id], types) == index.chain_events(
                        [amendment_id], types
                    )
                found = index.amendment(amendment_id)
                assert found is not None
                family = found.alternative_to or found.id
                assert seen.amendments(draft=found.draft, family=family) == index.amendments(
                    draft=found.draft, family=family
                )
            assert seen.amendment("ffffffff") is None and seen.resolve_prefix("fffff") == []
            assert any(seen.chain_events([a], ["cosponsor"]) for a in some)
            roots = {found.alternative_to for found in map(index.amendment, some) if found}
            root = next(r for r in roots if r)
            assert len(seen.amendments(draft="principles", family=root)) == 2
        finally:
            seen.close()


def test_a_row_the_glance_cannot_take_is_read_from_the_index_which_heals_it(busy: Path) -> None:
    with WorkingGroup.open(busy) as wg:
        # An amendment with events (its positions): one of their rows is spoilt below.
        first = next(a.id for a, _ in wg.deliberation.listing() if wg.deliberation.events(a.id))
        expected = wg.amendment_detail(first).to_dict()
        wg.record.index.close()
    with sqlite3.connect(busy / ".git" / "wgtool" / glance.INDEX_FILE) as db:
        db.execute("UPDATE eventrow SET revision = 'two' WHERE amendment = ?", (first,))
    with WorkingGroup.open(busy) as wg:
        wg.record.snapshot_reads = True
        assert wg.amendment_detail(first).to_dict() == expected
        assert "index" in wg.record.__dict__  # asked once the glance met the row


def test_show_and_amendments_import_no_sqlalchemy_while_the_index_is_current(
    busy: Path,
) -> None:
    """The CLI's reads of one amendment and of the queue take the glance: they run faster
    than importing SQLModel, the index's schema, would let them."""
    with WorkingGroup.open(busy) as wg:
        # One with events: moving its event chain below puts the index behind the refs.
        first = next(a.id for a, _ in wg.deliberation.listing() if wg.deliberation.events(a.id))
    program = (
        "import sys\n"
        "from wgtool.cli import cli\n"
        "for args in (['show', sys.argv[1]], ['amendments'], ['show', '--json', sys.argv[1]]):\n"
        "    try:\n"
        "        cli.main(['--repo', sys.argv[2], *args], standalone_mode=False)\n"
        "    except SystemExit as stop:\n"
        "        assert not stop.code, stop.code\n"
        "loaded = sorted(m for m in sys.modules if m.split('.')[0] in ('sqlalchemy', 'sqlmodel'))\n"
        "print('LOADED', loaded)\n"
    )
    ran = subprocess.run(
        [sys.executable, "-c", program, first, str(busy)], capture_output=True, text=True
    )
    assert ran.returncode == 0, ran.stderr
    assert f"Amendment {first}" in ran.stdout and "LOADED []" in ran.stdout, ran.stdout
    # Behind the refs, the same commands bring the file up to date through sqlite3 (see
    # wgtool.core.indexing), and import neither library still: the events are gone from it.
    git(busy, "update-ref", "-d", f"refs/wg/events/{first}")
    ran = subprocess.run(
        [sys.executable, "-c", program, first, str(busy)], capture_output=True, text=True
    )
    assert ran.returncode == 0 and "LOADED []" in ran.stdout, ran.stdout + ran.stderr
    shown = json.loads(ran.stdout[ran.stdout.index("\n{") : ran.stdout.rindex("}") + 1])
    assert shown["id"] == first and shown["events"] == []
