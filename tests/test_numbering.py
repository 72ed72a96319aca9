"""Official amendment numbers: derived from the record, the same in every clone, said when a
late arrival moves them, and accepted as ``SLUG/N`` wherever an amendment id goes."""

from __future__ import annotations

import json
import random
import sqlite3
from pathlib import Path

import pytest

from tests.conftest import (
    CHAIR,
    MEMBER_CS,
    MEMBER_GOV,
    MEMBER_PS,
    MEMBER_TECH,
    SECRETARIAT,
    Clones,
    do_sync,
    git,
    refs_snapshot,
)
from tests.conftest import wgtool_run as wgtool
from wgtool.core.desks import WorkingGroup
from wgtool.core.model import Kind
from wgtool.core.numbering import NUMBER_OF_SQL, PLACES_SQL, numbered

PROJECT = Path(__file__).resolve().parents[1]


def reference_numbers(rows: list[tuple[str, str, str, int]], main: list[str]) -> dict[str, int]:
    """Per draft, 1, 2, 3... in order of (the base's place on main, or after all of it; the
    first revision's time; the id): the README's rule, by a plain sort."""
    place = {sha: i for i, sha in enumerate(main)}
    numbers: dict[str, int] = {}
    for draft in sorted({r[1] for r in rows}):
        mine = [r for r in rows if r[1] == draft]
        mine.sort(key=lambda r: (place.get(r[2], len(main) + 10**9), r[3], r[0]))
        numbers.update({r[0]: n for n, r in enumerate(mine, 1)})
    return numbers


@pytest.mark.parametrize("seed", range(40))
def test_the_numbers_agree_with_a_plain_sort(seed: int) -> None:
    """The places read in SQL and numbered, and one amendment's number counted in SQL, on
    random rows in a real SQLite database: bases on main or not, equal times, several drafts."""
    rng = random.Random(seed)
    main = [f"m{i:03d}" for i in range(rng.randint(1, 8))]
    rows = [
        (
            f"{rng.getrandbits(32):08x}",
            rng.choice(["a", "b", "c"]),
            rng.choice([*main, "elsewhere"]),
            rng.randint(0, 5),
        )
        for _ in range(rng.randint(0, 30))
    ]
    db = sqlite3.connect(":memory:")
    db.execute(
        "CREATE TABLE amendmentrow (id TEXT PRIMARY KEY, draft TEXT, base TEXT, created_at INT)"
    )
    db.execute("CREATE TABLE mainrow (position INT PRIMARY KEY, sha TEXT)")
    db.executemany("INSERT OR REPLACE INTO amendmentrow VALUES (?, ?, ?, ?)", rows)
    db.executemany("INSERT INTO mainrow VALUES (?, ?)", list(enumerate(main)))
    expected = reference_numbers(list({r[0]: r for r in rows}.values()), main)
    got = numbered(db.execute(PLACES_SQL))
    assert {i: n for i, (_, n) in got.items()} == expected
    assert all(got[r[0]][0] == r[1] for r in rows)
    for amendment_id, number in expected.items():
        assert db.execute(NUMBER_OF_SQL, {"id": amendment_id}).fetchone() == (number,)


def numbers_from_git(repo: Path) -> dict[str, int]:
    """The numbers read with plain git, as the reference: each amendment's first revision (the
    commit of its chain whose parent is on main), its author time, its draft trailer."""
    main = git(repo, "rev-list", "--first-parent", "--reverse", "main").split()
    rows = []
    for ref in git(repo, "for-each-ref", "--format=%(refname)", "refs/wg/amendments/").split():
        chain = [c for c in git(repo, "rev-list", "--reverse", ref).split() if c not in main]
        first = chain[0]
        base = git(repo, "rev-parse", f"{first}^").strip()
        when = int(git(repo, "log", "-1", "--format=%at", first))
        draft = git(repo, "log", "-1", "--format=%(trailers:key=Draft,valueonly)", first).strip()
        rows.append((ref.rsplit("/", 1)[1], draft, base, when))
    return reference_numbers(rows, main)


TICKS = iter(range(1_900_000_000, 2_000_000_000, 10))
"""Tabling times ten seconds apart: numbers follow them (the id decides only within a second)."""


def propose(repo: Path, member: str, paragraph: int, words: str, slug: str = "principles") -> str:
    at = next(TICKS)
    with WorkingGroup.open(repo, member, clock=lambda: at) as wg:
        return wg.amendments.propose(
            slug,
            kind=Kind.REPLACE,
            paragraph=paragraph,
            text=f"Enhanced cooperation {words}.",
            rationale="Why.",
        ).id


def numbers(repo: Path) -> dict[str, tuple[str, int]]:
    with WorkingGroup.open(repo) as wg:
        wg.record.refresh()
        return wg.record.index.numbers()


def test_two_clones_give_the_same_numbers_and_a_late_arrival_is_said(clones: Clones) -> None:
    """b tables an amendment offline against the main of the moment; meanwhile main moves on
    a and two more are tabled there and synced. When b syncs, its amendment (based on the
    older main) comes before those two, on every clone, and a's sync says which moved."""
    late = propose(clones.b, MEMBER_GOV, 3, "late but older")
    with WorkingGroup.open(clones.a, SECRETARIAT) as wg:
        wg.secretariat.add_member(
            "newcomer", name="New Comer", email="new@example.org", group="civil-society"
        )
    early = [propose(clones.a, MEMBER_CS, 2, "first here"), propose(clones.a, MEMBER_TECH, 4, "x")]
    propose(clones.a, MEMBER_PS, 1, "to another draft", slug="roles")
    assert not do_sync(clones.a).problems
    before = numbers(clones.a)
    assert [before[i][1] for i in early] == [2, 3]
    assert not do_sync(clones.b).problems
    report = do_sync(clones.a)
    assert numbers(clones.a) == numbers(clones.b)
    after = numbers(clones.a)
    assert (after[late], after[early[0]], after[early[1]]) == (
        ("principles", 2),
        ("principles", 3),
        ("principles", 4),
    )
    assert (
        {i: n for i, (_, n) in after.items()}
        == numbers_from_git(clones.a)
        == numbers_from_git(clones.b)
    )
    assert [n for n in report.notes if "numbers" in n] == [
        f"Amendment numbers of principles moved (tabled against an older main: Am. 2 ({late})): "
        f"Am. 2 ({early[0]}) is now Am. 3, Am. 3 ({early[1]}) is now Am. 4"
    ]


def test_slug_and_number_work_wherever_an_id_does(example_repo: Path) -> None:
    first = propose(example_repo, MEMBER_PS, 1, "one")
    second = propose(example_repo, MEMBER_CS, 2, "two")
    listed = json.loads(wgtool(example_repo, "amendments", "--json").stdout)
    assert [(a["id"], a["number"]) for a in listed] == [(first, 1), (second, 2)]
    shown = wgtool(example_repo, "show", "principles/2")
    assert shown.stdout.startswith(f"Amendment {second} (Am. 2): ")
    assert json.loads(wgtool(example_repo, "show", "principles/1", "--json").stdout)["number"] == 1
    assert " Am. 2 " in wgtool(example_repo, "amendments").stdout.splitlines()[1]
    for args, actor in (
        (("position", "principles/1", "support"), MEMBER_GOV),
        (("comment", "principles/1", "Agreed."), MEMBER_TECH),
        (("cosponsor", "principles/2"), MEMBER_GOV),
        (("revise", "principles/2", "--text", "Enhanced cooperation two, revised."), MEMBER_CS),
        (("withdraw", "principles/2", "--reason", "Merged into the first."), MEMBER_CS),
        (("merge", "principles/1", "--dry-run"), CHAIR),
    ):
        result = wgtool(example_repo, *args, actor=actor)
        assert result.returncode == 0, (args, result.stderr)
    compilation = wgtool(example_repo, "export", "principles", "--format", "compilation").stdout
    assert f"<h2>Paragraph 1 — Am. 1 ({first})</h2>" in compilation
    akn = wgtool(example_repo, "export", "principles", "--format", "akn-amendments").stdout
    assert f"Amendment <docNumber>1</docNumber> ({first}) to " in akn
    detail = json.loads(wgtool(example_repo, "show", second, "--json").stdout)
    assert (detail["status"], detail["revision"]) == ("withdrawn", 2)


@pytest.mark.parametrize(
    ("name", "code", "says"),
    [
        ("principles/999", 1, "wgtool: no amendment 'principles/999': see 'wgtool amendments'"),
        ("nodraft/1", 1, "wgtool: no amendment 'nodraft/1': see 'wgtool amendments'"),
        ("principles/x", 2, "wgtool: invalid amendment 'principles/x': give an id"),
        ("principles/-1", 2, "wgtool: invalid amendment 'principles/-1'"),
        ("../x/1", 2, "wgtool: invalid amendment '../x/1'"),
    ],
)
def test_a_bad_number_is_one_line_and_writes_nothing(
    example_repo: Path, name: str, code: int, says: str
) -> None:
    propose(example_repo, MEMBER_PS, 1, "one")
    before = refs_snapshot(example_repo)
    for args in (("show", name), ("position", name, "support")):
        result = wgtool(example_repo, *args, actor=MEMBER_GOV)
        assert (result.returncode, result.stdout) == (code, "")
        assert len(result.stderr.splitlines()) == 1 and result.stderr.startswith(says)
    assert refs_snapshot(example_repo) == before
