"""Text that reads the same is the same text: characters that show nothing are refused wherever
member text enters, with one line naming the character and where it is, and shown as
``<U+200B>`` in every view and export of what the record already holds (written with plain git,
or before the rule). What scripts need is kept: the joiners of Persian, Arabic and the Indic
scripts where they join, direction marks in right-to-left lines, emoji sequences."""

from __future__ import annotations

import contextlib
import json
import re
import unicodedata
from collections.abc import Iterator
from pathlib import Path

import docx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import html as lxml_html

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
    propose_sample,
    refs_snapshot,
)
from tests.pilot import settle
from tests.test_tui import SIZE, open_draft, paragraph_texts
from wgtool.core import safe, validate
from wgtool.core.desks import WorkingGroup
from wgtool.core.errors import InvalidInput
from wgtool.tui.app import make_app

PERSIAN = "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645"  # "I want": the ZWNJ breaks a join
DEVANAGARI = "\u0915\u094d\u200d\u0937"  # a half form: the ZWJ after the virama
ARABIC_WITH_MARK = "\u0645\u0631\u062d\u0628\u0627 (WSIS)\u200f."  # the mark places the stop
FAMILY = "\U0001f469\u200d\U0001f469\u200d\U0001f467"
WALES = "\U0001f3f4\U000e0067\U000e0062\U000e0077\U000e006c\U000e0073\U000e007f"


def write(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8"))
    return str(path)


@contextlib.contextmanager
def written_before_invisible_characters_were_refused() -> Iterator[None]:
    """Write member text as wgtool did before it refused invisible characters: the record may
    hold such text (from then, or written with plain git)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(validate, "refuse_hidden", lambda value, what: None)
        yield


# -- refused on the way in ---------------------------------------------------------------------

SHOWS_NOTHING = "it shows nothing, yet makes text that reads the same differ"
JOINS_NOTHING = "a joiner may stand only where it changes how the letters around it join"
MARKS_NOTHING = "a direction mark may stand only in a line with right-to-left letters"


def refusals(tmp_path: Path, amendment: str) -> list[tuple[str, list[str], str]]:
    para = "Enhanced cooperation involves all {} stakeholders."
    return [
        (
            SECRETARIAT,
            [
                "draft",
                "add",
                "annex",
                "--title",
                "Annex",
                "--file",
                write(tmp_path, "d.md", "# Annex\n\nOne paragraph.\n\nAnother\u2060 one.\n"),
            ],
            f"U+2060 (WORD JOINER) at line 5, column 8: remove it ({SHOWS_NOTHING})",
        ),
        (
            MEMBER_TECH,
            ["propose", "principles", "--paragraph", "1", "--text", para.format("\u200b")],
            f"U+200B (ZERO WIDTH SPACE) at position 35: remove it ({SHOWS_NOTHING})",
        ),
        (
            MEMBER_TECH,
            [
                "propose",
                "principles",
                "--insert-after",
                "1",
                "--text-file",
                write(tmp_path, "p.txt", "\ufeff" + para.format("\ufeff")),  # the first is dropped
                "--rationale",
                "R.",
            ],
            f"U+FEFF (ZERO WIDTH NO-BREAK SPACE) at position 35: remove it ({SHOWS_NOTHING})",
        ),
        (
            MEMBER_TECH,
            ["propose", "principles", "--delete", "2", "--rationale", "Co\u00adoperation."],
            f"U+00AD (SOFT HYPHEN) at position 3: remove it ({SHOWS_NOTHING})",
        ),
        (
            MEMBER_TECH,
            [
                "propose",
                "principles",
                "--delete",
                "2",
                "--rationale",
                "R.",
                "--title",
                "Pa\u200cyPal",
            ],
            f"U+200C (ZERO WIDTH NON-JOINER) at position 3: remove it ({JOINS_NOTHING})",
        ),
        (
            MEMBER_PS,
            ["revise", amendment, "--text", para.format("1\u200f 2")],
            f"U+200F (RIGHT-TO-LEFT MARK) at position 36: remove it ({MARKS_NOTHING})",
        ),
        (
            MEMBER_CS,
            ["comment", amendment, "Look\u2800here"],
            f"U+2800 (BRAILLE PATTERN BLANK) at position 5: remove it ({SHOWS_NOTHING})",
        ),
        (
            MEMBER_CS,
            ["position", amendment, "object", "--reason", "Ignore\U000e0041\U000e0042 this"],
            f"U+E0041 (TAG LATIN CAPITAL LETTER A) at position 7: remove it ({SHOWS_NOTHING})",
        ),
        (CHAIR, ["reject", amendment, "--reason", "No\u3164pe"], "U+3164 (HANGUL FILLER)"),
        (
            SECRETARIAT,
            ["tag", "principles", "v1", "--message", "Agreed\u061c."],
            f"U+061C (ARABIC LETTER MARK) at position 7: remove it ({MARKS_NOTHING})",
        ),
        (
            SECRETARIAT,
            ["member", "add", "zz", "--name", "Laura\u200dHaddad", "--email", "z@example.org"]
            + ["--group", "governments"],
            f"U+200D (ZERO WIDTH JOINER) at position 6: remove it ({JOINS_NOTHING})",
        ),
        (
            SECRETARIAT,
            ["member", "add", "zz", "--name", "Zed", "--email", "z\u200b@example.org"]
            + ["--group", "governments"],
            "U+200B (ZERO WIDTH SPACE) at position 2",
        ),
    ]


def test_every_way_of_writing_text_refuses_invisible_characters_in_one_line(
    example_repo: Path, wgcli: Wg, tmp_path: Path
) -> None:
    amendment = propose_sample(example_repo)
    before = refs_snapshot(example_repo)
    for actor, args, named in refusals(tmp_path, amendment):
        if args[0] == "propose" and "--rationale" not in args:
            args = [*args, "--rationale", "R."]
        result = wgcli(*args, actor=actor)
        assert result.exit_code == 2, (args, result.output)
        assert result.stderr.count("\n") == 1, result.stderr
        assert f"holds the invisible character {named}" in result.stderr, result.stderr
        assert refs_snapshot(example_repo) == before, args


def test_what_scripts_need_is_accepted_and_kept(example_repo: Path, wgcli: Wg, tmp_path: Path):
    text = f"{PERSIAN} {DEVANAGARI} {ARABIC_WITH_MARK} {FAMILY} {WALES}"
    path = write(tmp_path, "p.txt", "\ufeff" + text + "\n")  # an editor's byte order mark
    amendment = wgcli.ok(
        "propose", "principles", "--paragraph", "2", "--text-file", path, "--rationale", "R.",
        actor=MEMBER_TECH,
    ).strip()  # fmt: skip
    wgcli.ok("comment", amendment, f"{FAMILY} {PERSIAN}", actor=MEMBER_CS)
    with WorkingGroup.open(example_repo) as wg:
        revision = wg.amendments.amendment(amendment).head
    assert text in git(example_repo, "show", f"{revision}:drafts/principles.md")
    shown = wgcli.ok("show", amendment)
    assert text in shown and f"{FAMILY} {PERSIAN}" in shown and "<U+" not in shown


# -- shown on the way out ------------------------------------------------------------------------

PLANTED = (
    "# Hidden\u200b title\n\n"
    "First paragraph with a zero\u200bwidth space, a soft hyph\u00aden and a mark\u200e 1 2.\n\n"
    f"Second, in Persian: {PERSIAN}, where a mark is at home: {ARABIC_WITH_MARK}\n"
)


@pytest.fixture
def planted(example_repo: Path, wgcli: Wg) -> Wg:
    """A draft and a roster name planted with plain git, and a comment written before the
    rule, each holding characters that show nothing."""
    roster = git(example_repo, "show", "main:roster.toml").replace(
        'name = "Mei-Ling Chen"', 'name = "Mei-Ling\u200b Chen"'
    )
    plant_on_main(
        example_repo,
        {"drafts/hidden.md": PLANTED.encode(), "roster.toml": roster.encode()},
        "Add a draft by hand",
    )
    amendment = propose_sample(example_repo)
    with WorkingGroup.open(example_repo, MEMBER_GOV) as wg:
        with written_before_invisible_characters_were_refused():
            wg.deliberation.comment(amendment, "Agreed\u2060, with a word joiner.")
    wgcli.amendment = amendment  # type: ignore[attr-defined]
    return wgcli


def test_every_view_shows_what_shows_nothing(planted: Wg, tmp_path: Path) -> None:
    shown = planted.ok("draft", "show", "hidden")
    assert "Hidden<U+200B> title" in shown
    assert "zero<U+200B>width space, a soft hyph<U+00AD>en and a mark<U+200E> 1 2." in shown
    assert f"in Persian: {PERSIAN}, where a mark is at home: {ARABIC_WITH_MARK}" in shown
    assert "Mei-Ling<U+200B> Chen" in planted.ok("member", "list")
    thread = planted.ok("show", planted.amendment)  # type: ignore[attr-defined]
    assert "Agreed<U+2060>, with a word joiner." in thread
    as_json = planted.ok("draft", "show", "hidden", "--json")
    assert "\\u200b" in as_json and "\u200b" not in as_json
    assert json.loads(as_json)["title"] == "Hidden\u200b title"  # the same string to a reader
    for args in (["--format", "markdown"], ["--format", "akn"], ["--format", "html"]):
        exported = planted.ok("export", "hidden", *args)
        hidden = [c for c in exported if c in "\u200b\u00ad\u200e\u2060"]
        assert hidden == [], args
        mark = "<U+200B>" if args[1] == "markdown" else "&lt;U+200B&gt;"  # XML escapes it
        assert f"zero{mark}width" in exported and PERSIAN in exported, args
    page = lxml_html.fromstring(planted.ok("export", "hidden", "--format", "html"))
    assert "zero<U+200B>width" in page.text_content()  # escaped, never a tag
    word = tmp_path / "hidden.docx"
    planted.ok("export", "hidden", "--format", "docx", "-o", str(word))
    text = "\n".join(p.text for p in docx.Document(str(word)).paragraphs)
    assert "zero<U+200B>width" in text and "\u200b" not in text and PERSIAN in text


@pytest.mark.asyncio
async def test_the_reader_shows_what_shows_nothing(planted: Wg, example_repo: Path) -> None:
    app = make_app(example_repo, MEMBER_TECH)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        reader = await open_draft(pilot, "hidden")
        texts = paragraph_texts(reader)
        assert (
            "zero<U+200B>width space, a soft hyph<U+00AD>en and a mark<U+200E> 1 2." in (texts[1])
        )
        assert PERSIAN in texts[2] and ARABIC_WITH_MARK in texts[2]
        assert "\u200b" not in app.export_screenshot()


def test_the_policy_against_a_plain_reference() -> None:
    """Each kind of character, alone and in the context that makes it show."""
    cases = {
        "pa\u200bypal": [2],
        "pa\u200cypal": [2],
        PERSIAN: [],
        DEVANAGARI: [],
        FAMILY: [],
        WALES: [],
        "x\U000e0067y": [1],
        "abc\u200f 1 2": [3],
        ARABIC_WITH_MARK: [],
        "English\u200e\n\u05e9\u05dc\u05d5\u05dd\u200f": [7],  # only the Hebrew line's mark
        "\u1820\u180e\u1821": [],
        "a\u180eb": [1],
        "\u00ad\u034f\u115f\u3164\uffa0\u2800\u2061\u206a\ufff9\U0001bca0\U0001d173": list(
            range(11)
        ),
        "\u0600\u06dd 12": [],  # number signs show themselves
        # the letters a joiner stands between, however many marks away
        "\u0628" + "\u064b" * 40 + "\u200c\u0645": [],
        "\U0001f469" + "\ufe0f" * 40 + "\u200d\U0001f467": [],
    }
    for text, positions in cases.items():
        assert list(safe.hidden(text)) == positions, text
        assert safe.show_hidden(text).count("<U+") == len(positions)


def reference_hidden(text: str) -> list[int]:
    """The policy spelled out one character at a time, each rule reading the whole text: the
    positions of the characters that show nothing where they stand."""
    import idna

    flag, cancel = "\U0001f3f4", "\U000e007f"
    modifiers = "\ufe0f" + "".join(map(chr, range(0x1F3FB, 0x1F400)))  # variation, skin tones

    def is_tag(char: str) -> bool:
        return "\U000e0020" <= char <= "\U000e007e"

    def mongolian(char: str) -> bool:
        return "\u1820" <= char <= "\u1878"

    def kept(i: int) -> bool:
        char = text[i]
        if char in "\u200c\u200d":
            try:
                if idna.valid_contextj(text, i):
                    return True
            except ValueError:
                return False
            before = i - 1
            while before >= 0 and text[before] in modifiers:
                before -= 1
            return (
                char == "\u200d"
                and before >= 0
                and i + 1 < len(text)
                and unicodedata.category(text[before]) == "So"
                and unicodedata.category(text[i + 1]) == "So"
            )
        if char in "\u200e\u200f\u061c":
            line = text[: i + 1].split("\n")[-1] + text[i:].split("\n")[0]
            return any(
                unicodedata.bidirectional(c) in ("R", "AL") and c not in "\u200e\u200f\u061c"
                for c in line
            )
        if char == "\u180e":
            return 0 < i < len(text) - 1 and mongolian(text[i - 1]) and mongolian(text[i + 1])
        if is_tag(char) or char == cancel:
            start = i
            while start > 0 and is_tag(text[start - 1]):
                start -= 1
            end = i + 1 if is_tag(char) else i
            while end < len(text) and is_tag(text[end]):
                end += 1
            return (
                start > 0
                and text[start - 1] == flag
                and end > start
                and end < len(text)
                and text[end] == cancel
                and (char == cancel) == (end == i)
            )
        return False

    return [i for i, c in enumerate(text) if safe.HIDDEN_RE.fullmatch(c) and not kept(i)]


# Letters of each script that joins, marks, emoji and the characters the policy is about, with
# an unassigned code point (it has no name, which the joiner rules must survive).
POLICY_ALPHABET = (
    "ab 1\n."
    "\u0628\u0645\u0627\u064b\u0644"  # Arabic: dual-, right-joining, a transparent mark, lam
    "\u05e9\u06cc"  # Hebrew shin, Farsi yeh
    "\u0915\u094d\u0937"  # Devanagari ka, virama, ssa
    "\u1820\u1821"  # Mongolian
    "\U0001f469\U0001f467\ufe0f\U0001f3fb\U0001f3f4\U000e0067\U000e0062\U000e007f\U000e0001"
    "\u200b\u200c\u200d\u200e\u200f\u061c\u180e\u00ad\ufeff\u2060\u0378"
)


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=POLICY_ALPHABET, max_size=60))
def test_the_policy_against_a_plain_reference_on_random_text(text: str) -> None:
    positions = list(safe.hidden(text))
    assert positions == reference_hidden(text)
    shown = safe.show_hidden(text)
    assert re.sub(r"<U\+([0-9A-F]{4,6})>", lambda m: chr(int(m.group(1), 16)), shown) == text
    assert shown.count("<U+") == len(positions)
    if positions:
        with pytest.raises(InvalidInput, match="invisible character"):
            validate.refuse_hidden(text, "the text")
    else:
        validate.refuse_hidden(text, "the text")
