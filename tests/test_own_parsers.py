"""What wgtool reads of git objects by its own parsers is what the reference parsers read: the
file names of a tree object (GitPython's), a commit's title (parse_message's)."""

from __future__ import annotations

import subprocess
from pathlib import Path

from git.objects.fun import tree_entries_from_data
from hypothesis import given, settings
from hypothesis import strategies as st

from wgtool.core.record.messages import TRAILER_RE, parse_message
from wgtool.core.record.objects import TREE_MODE
from wgtool.core.record.reading import file_names_in_tree
from wgtool.core.record.rulebook.records import Record

NAME = st.text(
    alphabet=st.characters(blacklist_characters="/\0", blacklist_categories=("Cs",)),
    min_size=1,
    max_size=12,
).filter(lambda name: name not in (".", "..", ".git") and name.strip(" .") == name)
MODE = st.sampled_from([b"100644", b"100755", b"120000", b"160000", b"40000"])


def tree_bytes(entries: list[tuple[bytes, str, bytes]]) -> bytes:
    return b"".join(mode + b" " + name.encode() + b"\0" + sha for mode, name, sha in entries)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(MODE, NAME, st.binary(min_size=20, max_size=20)), max_size=12))
def test_the_names_are_gitpythons_on_random_trees(entries: list[tuple[bytes, str, bytes]]) -> None:
    data = tree_bytes(entries)
    try:
        reference = {name for _, mode, name in tree_entries_from_data(data) if mode != TREE_MODE}
    except ValueError:
        return  # a name GitPython refuses: its own rules, not the tree's layout
    assert file_names_in_tree(data) == reference


@given(st.binary(max_size=60))
def test_any_bytes_gitpython_reads_as_a_tree_read_the_same(data: bytes) -> None:
    try:
        entries = tree_entries_from_data(data)
    except ValueError:
        return
    assert file_names_in_tree(data) == {name for _, mode, name in entries if mode != TREE_MODE}


def test_the_names_of_a_tree_git_wrote(tmp_path: Path) -> None:
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    for name in ("a.json", "b c.json", "é.json"):
        (tmp_path / name).write_text(name)
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "x").write_text("x")
    subprocess.run(["git", "-C", str(tmp_path), "add", "-A"], check=True)
    tree = subprocess.run(
        ["git", "-C", str(tmp_path), "write-tree"], check=True, capture_output=True, text=True
    ).stdout.strip()
    data = subprocess.run(
        ["git", "-C", str(tmp_path), "cat-file", "tree", tree], check=True, capture_output=True
    ).stdout
    assert file_names_in_tree(data) == {"a.json", "b c.json", "é.json"}


@given(
    st.lists(
        st.sampled_from(["Title", "Body line", "Key: value", "Amendment-Id: 0001", "", "\n"]),
        max_size=8,
    )
)
def test_a_records_title_is_parse_messages(lines: list[str]) -> None:
    message = "\n".join(lines)
    record = Record(
        sha="0" * 40,
        parents=(),
        tree="0" * 40,
        author_name="",
        author_email="",
        authored_at=0,
        committer_name="",
        committer_email="",
        committed_at=0,
        message=message,
    )
    assert record.title == parse_message(message)[0]


def reference_parse(message: str) -> tuple[str, str, dict[str, list[str]]]:
    """parse_message as first written: each line of the last paragraph matched twice."""
    paragraphs = message.strip("\n").split("\n\n")
    trailers: dict[str, list[str]] = {}
    if len(paragraphs) > 1:
        last = paragraphs[-1].splitlines()
        if last and all(TRAILER_RE.match(line) for line in last):
            for line in last:
                match = TRAILER_RE.match(line)
                assert match
                trailers.setdefault(match.group(1), []).append(match.group(2))
            paragraphs = paragraphs[:-1]
    return paragraphs[0], "\n\n".join(paragraphs[1:]), trailers


@settings(max_examples=500, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.sampled_from(["", "Member: ana", "Event: position", "Key:no-space", "\r", " "]),
            # Every character str.splitlines() ends a line at, besides "\n".
            st.text(alphabet="Ab: -\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029", max_size=10),
        ),
        max_size=10,
    )
)
def test_parse_message_is_the_reference_on_random_messages(lines: list[str]) -> None:
    message = "\n".join(lines)
    assert parse_message(message) == reference_parse(message)


# Every character str.splitlines() ends a line at, found by asking it (not listed by hand).
LINE_ENDS = [c for c in map(chr, range(0x110000)) if len(f"a{c}b".splitlines()) == 2]


def test_trailers_split_at_every_line_end_as_the_reference_splits_them() -> None:
    assert "\n" in LINE_ENDS and "\u2029" in LINE_ENDS
    for end in LINE_ENDS:
        for message in (
            f"Title\n\nMember: ana{end}Event: position",
            f"Title\n\nMember: ana{end}not a trailer",
            f"Title\n\nBody{end}more\n\nKey: a{end}Other: b\n",
        ):
            assert parse_message(message) == reference_parse(message), repr(end)
