"""A new member who looks like another is added only on purpose: a handle, display name or email
that Unicode's confusables make a look-alike of an existing member's (Cyrillic ``а`` for Latin
``a``, ``1`` for ``l``, ``rn`` for ``m``, the chair's very name) needs ``--force``, or a second
Save in the terminal UI."""

from __future__ import annotations

import functools
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from textual.widgets import Select

from tests.conftest import SECRETARIAT, Wg, refs_snapshot
from tests.test_tui import notifications, press
from tests.test_tui_desk import at_the_desk, fill
from wgtool.core.desks import WorkingGroup
from wgtool.core.lookalike import _prototypes, look_alike, skeleton
from wgtool.tui.screens.desk import MemberDialog

# The example roster's chair.
CHAIR_NAME, CHAIR_EMAIL = "Laila Haddad", "laila.haddad@example.org"
FORCE = "if they are different people, add them with --force"


def add(wgcli: Wg, handle: str, name: str, email: str, *more: str):  # type: ignore[no-untyped-def]
    return wgcli(
        "member", "add", handle, "--name", name, "--email", email, "--group", "governments",
        *more, actor=SECRETARIAT,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("handle", "name", "email", "refusal"),
    [
        (
            "lhaddad2",
            "L\u0430ila Haddad",  # a Cyrillic a
            "someone@example.net",
            "the name 'L\u0430ila Haddad' can be mistaken for that of lhaddad (Laila Haddad): "
            "it has U+0430 (CYRILLIC SMALL LETTER A) at position 2 where theirs has "
            "U+0061 (LATIN SMALL LETTER A)",
        ),
        (
            "lhaddad2",
            CHAIR_NAME,  # the chair's very name, with an email that looks like theirs
            "laila.haddad@examp1e.org",
            "the name 'Laila Haddad' can be mistaken for that of lhaddad (Laila Haddad): "
            "it is theirs exactly",
        ),
        (
            "lh",
            "L. H.",
            "laila.haddad@examp1e.org",
            "the email 'laila.haddad@examp1e.org' can be mistaken for that of lhaddad "
            "(Laila Haddad): it has U+0031 (DIGIT ONE) at position 19 where theirs has "
            "U+006C (LATIN SMALL LETTER L)",
        ),
        (
            "lh",
            "LAILA  HADDAD",
            "lh@example.net",
            "the name 'LAILA  HADDAD' can be mistaken for that of lhaddad (Laila Haddad)",
        ),
        (
            "rnchen",
            "R. N. Chen",
            "rn@example.net",
            "the handle 'rnchen' can be mistaken for that of mchen (Mei-Ling Chen): it has "
            "U+0072 (LATIN SMALL LETTER R) at position 1 where theirs has "
            "U+006D (LATIN SMALL LETTER M)",
        ),
    ],
    ids=["cyrillic", "same-name", "email", "case-and-space", "handle"],
)
def test_a_look_alike_needs_force(
    example_repo: Path, wgcli: Wg, handle: str, name: str, email: str, refusal: str
) -> None:
    before = refs_snapshot(example_repo)
    result = add(wgcli, handle, name, email)
    assert result.exit_code == 2, result.output
    assert result.stderr.count("\n") == 1, result.stderr
    assert result.stderr.startswith(f"wgtool: {refusal}") and FORCE in result.stderr
    assert refs_snapshot(example_repo) == before
    assert add(wgcli, handle, name, email, "--force").exit_code == 0
    with WorkingGroup.open(example_repo) as wg:
        added = wg.record.roster.get(handle)
    assert (added.name, added.email) == (name, email)


def test_names_that_only_share_letters_are_not_look_alikes(example_repo: Path, wgcli: Wg) -> None:
    assert add(wgcli, "lhadid", "Laila Hadid", "laila.hadid@example.org").exit_code == 0
    assert add(wgcli, "mcheng", "Mei-Ling Cheng", "mcheng@example.net").exit_code == 0


# -- the skeleton, against the pairs of confusables.txt ------------------------------------------


@functools.cache
def _classes() -> dict[str, list[str]]:
    classes: dict[str, list[str]] = {}
    for char, prototype in sorted(_prototypes().items()):
        classes.setdefault(prototype, []).append(char)
    return classes


def look_alike_of(char: str) -> list[str]:
    """Every single character that confusables.txt maps to the same prototype as ``char``."""
    target = _prototypes().get(char, char)
    return [c for c in _classes().get(target, []) if c != char]


LETTERS = st.text(alphabet="abcdeghiknopqrstuvwxyz", min_size=1, max_size=12)


# deadline=None: timing is not what these check, and a loaded machine stretches any example.
@settings(deadline=None)
@given(LETTERS, st.data())
def test_swapping_characters_for_their_look_alikes_keeps_the_skeleton(
    word: str, data: st.DataObject
) -> None:
    swapped = "".join(
        data.draw(st.sampled_from([c, *look_alike_of(c)[:40]]), label=f"for {c}") for c in word
    )
    assert skeleton(swapped) == skeleton(word) and look_alike(swapped, word)
    assert look_alike(word.upper(), swapped)  # case aside


@settings(deadline=None)
@given(LETTERS, LETTERS)
def test_words_that_read_differently_have_different_skeletons(a: str, b: str) -> None:
    """Among letters with no look-alike in the alphabet (no l, j, f or m here), equality is
    the only confusion: a plain reference."""
    assert look_alike(a, b) == (a == b)


# -- in the terminal UI ------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_the_desk_adds_a_look_alike_on_a_second_save(example_repo: Path) -> None:
    async with at_the_desk(example_repo) as (app, pilot):
        roster = app.screen
        await press(pilot, "n")
        dialog = app.screen
        assert isinstance(dialog, MemberDialog)
        fill(
            dialog,
            member_handle="lhaddad2",
            member_name="L\u0430ila Haddad",
            member_email="someone@example.net",
        )
        dialog.query_one("#member-group", Select).value = "governments"
        await press(pilot, "ctrl+s")
        assert app.screen is dialog  # refused, every field kept
        said = notifications(app)[-1]
        assert said.startswith("the name 'L\u0430ila Haddad' can be mistaken for that of lhaddad")
        assert said.endswith("if they are different people, save again to add them")
        fill(dialog, member_email="other@example.net")  # changed: asked again
        await press(pilot, "ctrl+s")
        assert app.screen is dialog
        await press(pilot, "ctrl+s")  # the same fields again: the secretariat means it
        assert app.screen is roster
        with WorkingGroup.open(example_repo) as wg:
            assert wg.record.roster.get("lhaddad2").email == "other@example.net"
