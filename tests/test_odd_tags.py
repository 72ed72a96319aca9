"""Tags that are not versions: plain git can tag a blob, a tree or another tag, or write a tag
object that lies about its target's type. Each is one line; everything else keeps working."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from tests.conftest import SECRETARIAT, Wg, git


def plain_git(repo: Path, *args: str, data: str | None = None) -> str:
    return subprocess.run(
        ["git", "-C", str(repo), *args],
        input=data,
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "GIT_COMMITTER_NAME": "Someone", "GIT_COMMITTER_EMAIL": "s@x.org"},
    ).stdout.strip()


# Each odd tag and what the rulebook says of it.
ODD = {
    "v9": "not an annotated tag: it points straight at a blob",  # git tag principles/v9 BLOB
    "v8": "tags a tree, not a commit",  # an annotated tag of main's tree
    "v7": "tags a blob, not a commit",  # git mktag: an annotated tag of a blob
    "v6": "which is not on main",  # a tag object claiming "type commit" for a blob
    "v5": "tags a tag, not a commit",  # an annotated tag of the tag of v1
}


@pytest.fixture
def odd_tags(example_repo: Path, wgcli: Wg, tmp_path: Path) -> Wg:
    wgcli.ok("tag", "principles", "v1", "--message", "First reading.", actor=SECRETARIAT)
    note = tmp_path / "note.txt"
    note.write_text("Not a draft.\n")
    blob = plain_git(example_repo, "hash-object", "-w", str(note))
    plain_git(example_repo, "tag", "principles/v9", blob)
    plain_git(example_repo, "tag", "-a", "principles/v8", "-m", "A tree.", "main^{tree}")
    tagger = "tagger Someone <s@x.org> 1760000000 +0000"
    mktag = plain_git(
        example_repo,
        "mktag",
        data=f"object {blob}\ntype blob\ntag principles/v7\n{tagger}\n\nA blob.\n",
    )
    plain_git(example_repo, "update-ref", "refs/tags/principles/v7", mktag)
    lie = tmp_path / "lie"
    lie.write_text(f"object {blob}\ntype commit\ntag principles/v6\n{tagger}\n\nA lie.\n")
    liar = plain_git(example_repo, "hash-object", "-t", "tag", "--literally", "-w", str(lie))
    plain_git(example_repo, "update-ref", "refs/tags/principles/v6", liar)
    plain_git(example_repo, "tag", "-a", "principles/v5", "-m", "Nested.", "principles/v1")
    return wgcli


def test_versions_lists_the_real_versions_and_one_line_per_odd_tag(odd_tags: Wg) -> None:
    result = odd_tags("versions", "principles")
    assert result.exit_code == 0, result.output
    assert [line.split()[0] for line in result.stdout.splitlines()] == ["v1"]
    lines = sorted(result.stderr.splitlines())
    assert len(lines) == len(ODD)
    for line, (name, why) in zip(lines, sorted(ODD.items()), strict=True):
        assert line.startswith(f"wgtool: ignored the tag principles/{name}: ") and why in line
    listed = json.loads(odd_tags("versions", "principles", "--json").stdout)
    assert [v["name"] for v in listed] == ["v1"]
    assert json.loads(odd_tags.ok("draft", "list", "--json"))[0]["versions"] == ["v1"]


def test_export_of_an_odd_tag_is_one_line_and_the_real_version_exports(
    odd_tags: Wg,
) -> None:
    for name, why in ODD.items():
        result = odd_tags("export", "principles", "--format", "markdown", "--version", name)
        assert result.exit_code == 1
        assert result.stderr.startswith(
            f"wgtool: '{name}' is not a version of draft 'principles': principles/{name} "
        )
        assert why in result.stderr and result.stderr.count("\n") == 1
    assert odd_tags.ok("export", "principles", "--format", "akn", "--version", "v1")
    assert odd_tags.ok("redline", "principles")
    shown = odd_tags("draft", "show", "principles", "--version", "v9")
    assert shown.exit_code == 1 and shown.stderr.count("\n") == 1


def test_verify_reports_odd_tags_and_checks_the_rest(odd_tags: Wg, example_repo: Path) -> None:
    result = odd_tags("verify")
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    # Every tag is judged (six), five of them are no versions.
    assert lines[0].startswith("checked ") and " and 6 tags: 5 problems" in lines[0]
    for line, (name, why) in zip(sorted(lines[1:]), sorted(ODD.items()), strict=True):
        assert line.startswith(f"refs/tags/principles/{name} ") and why in line
    assert git(example_repo, "cat-file", "-t", "principles/v1").strip() == "tag"


def test_a_plain_tag_in_the_way_of_versions_is_named_not_taken_for_a_version(
    example_repo: Path, wgcli: Wg, snapshot_refs
) -> None:
    """A tag ``principles`` (made with plain git) leaves no room for ``principles/v1``."""
    plain_git(example_repo, "tag", "principles", "main")
    before = snapshot_refs(example_repo)
    result = wgcli("tag", "principles", "v1", "--message", "First reading.", actor=SECRETARIAT)
    assert result.exit_code == 2
    assert result.stderr == (
        "wgtool: a tag named 'principles' stands where the versions of principles go: "
        "rename it with git\n"
    )
    assert snapshot_refs(example_repo) == before
