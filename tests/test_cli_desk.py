"""The frictions a new user hits on the command line, each on real repositories: empty
listings, comment confirmations, $EDITOR, completion, the roster by group, one paragraph,
the next step after clone, the sync reminder after tag, init --bare and stale tracking refs."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import (
    MEMBER_CS,
    MEMBER_PS,
    MEMBER_TECH,
    PROJECT,
    SECRETARIAT,
    Wg,
    git,
    propose_sample,
    refs_snapshot,
)
from wgtool.core.desks import WorkingGroup


def one_line_error(result, code: int | None = None) -> str:  # type: ignore[no-untyped-def]
    assert result.exit_code != 0, result.stdout
    if code is not None:
        assert result.exit_code == code, (result.exit_code, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("wgtool: "), result.stderr
    assert result.stdout == ""
    return lines[0]


# -- empty listings ----------------------------------------------------------------------------


def test_empty_listings_say_so(tmp_path: Path, wgcli: Wg) -> None:
    empty = Wg(tmp_path / "empty")
    Wg(tmp_path).ok("init", str(tmp_path / "empty"))
    assert empty.ok("amendments") == "No amendments yet\n"
    assert empty.ok("draft", "list").startswith("No drafts yet")
    assert empty.ok("member", "list") == "No members yet\n"
    for args in (("amendments",), ("draft", "list"), ("member", "list")):
        assert json.loads(empty.ok(*args, "--json")) == []
    assert wgcli.ok("amendments", "--status", "merged") == "No amendments match\n"
    assert json.loads(wgcli.ok("amendments", "--status", "merged", "--json")) == []


def test_member_list_groups_by_stakeholder_group_and_filters(wgcli: Wg) -> None:
    out = wgcli.ok("member", "list").splitlines()
    headings = [line for line in out if not line.startswith("    ")]
    assert headings[:2] == ["Governments (governments)", "Private sector (private-sector)"]
    start = out.index("Civil society (civil-society)")
    assert out[start + 1].split()[0] == MEMBER_CS
    only = wgcli.ok("member", "list", "--group", "civil-society").splitlines()
    assert only[0] == "Civil society (civil-society)"
    assert len(only) == 3 and all(line.startswith("    ") for line in only[1:])
    members = json.loads(wgcli.ok("member", "list", "--group", "civil-society", "--json"))
    assert {m["group"] for m in members} == {"civil-society"} and len(members) == 2
    assert "martians" in one_line_error(wgcli("member", "list", "--group", "martians"), 2)


# -- comment, and $EDITOR ----------------------------------------------------------------------


def test_comment_prints_the_id_and_confirms_on_stderr(wgcli: Wg, example_repo: Path) -> None:
    amendment = propose_sample(example_repo)
    result = wgcli("comment", amendment, "Which stakeholders?", actor=MEMBER_CS)
    assert result.exit_code == 0
    event_id = result.stdout.strip()
    assert result.stdout == f"{event_id}\n"
    assert result.stderr == f"Commented on {amendment} as {MEMBER_CS} (civil-society)\n"
    reply = wgcli("comment", amendment, "All.", "--reply-to", event_id, actor=MEMBER_TECH)
    assert reply.stderr.startswith(f"Replied to {event_id} on {amendment} as {MEMBER_TECH}")


@pytest.fixture
def editor(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Path]:
    """$EDITOR is a real program: it keeps what it was opened on in ``saw`` and leaves the
    file holding what ``writes`` holds (or fails, when ``writes`` is missing)."""
    saw, writes = tmp_path / "editor-saw", tmp_path / "editor-writes"
    script = tmp_path / "editor.sh"
    script.write_text(f'#!/bin/sh\ncp "$1" "{saw}" && cat "{writes}" > "$1"\n')
    script.chmod(0o755)
    monkeypatch.delenv("VISUAL", raising=False)
    monkeypatch.setenv("EDITOR", str(script))
    return {"saw": saw, "writes": writes}


def test_propose_edit_opens_the_paragraph(wgcli: Wg, editor: dict[str, Path]) -> None:
    current = json.loads(wgcli.ok("draft", "show", "principles", "--paragraph", "5", "--json"))
    editor["writes"].write_text("Enhanced cooperation keeps the Internet open.\n")
    amendment = wgcli.ok(
        "propose",
        "principles",
        "--paragraph",
        "5",
        "--edit",
        "--rationale",
        "Open.",
        actor=MEMBER_TECH,
    ).strip()
    assert editor["saw"].read_text() == current["text"] + "\n"
    shown = json.loads(wgcli.ok("show", amendment, "--json"))
    assert shown["new_text"] == "Enhanced cooperation keeps the Internet open."

    editor["writes"].write_text("Revised: it stays open.\n")
    wgcli.ok("revise", amendment, "--edit", actor=MEMBER_TECH)
    assert editor["saw"].read_text() == "Enhanced cooperation keeps the Internet open.\n"
    assert json.loads(wgcli.ok("show", amendment, "--json"))["revision"] == 2


def test_an_empty_edit_writes_nothing(
    wgcli: Wg, example_repo: Path, editor: dict[str, Path]
) -> None:
    amendment = propose_sample(example_repo)
    before = refs_snapshot(example_repo)
    editor["writes"].write_text("\n  \n")
    propose = wgcli(
        "propose",
        "principles",
        "--insert-after",
        "2",
        "--edit",
        "--rationale",
        "r",
        actor=MEMBER_TECH,
    )
    assert one_line_error(propose, 1) == "wgtool: the paragraph is empty: nothing was written"
    assert editor["saw"].read_text() == ""
    assert "comment is empty" in one_line_error(wgcli("comment", amendment, actor=MEMBER_CS))
    assert "revision is empty" in one_line_error(
        wgcli("revise", amendment, "--edit", actor=MEMBER_PS)
    )
    editor["writes"].unlink()  # the editor fails
    assert "cannot edit the comment" in one_line_error(wgcli("comment", amendment, actor=MEMBER_CS))
    assert refs_snapshot(example_repo) == before


def test_comment_without_text_opens_the_editor(
    wgcli: Wg, example_repo: Path, editor: dict[str, Path]
) -> None:
    amendment = propose_sample(example_repo)
    editor["writes"].write_text("Written in my editor.\nOn two lines.\n")
    event_id = wgcli.ok("comment", amendment, actor=MEMBER_CS).strip()
    events = json.loads(wgcli.ok("show", amendment, "--json"))["events"]
    assert [(e["id"], e["text"]) for e in events] == [
        (event_id, "Written in my editor.\nOn two lines.")
    ]


def test_edit_refusals_come_before_the_editor(wgcli: Wg, editor: dict[str, Path]) -> None:
    editor["writes"].write_text("Anything.\n")
    both = wgcli(
        "propose",
        "principles",
        "--paragraph",
        "5",
        "--edit",
        "--text",
        "x",
        "--rationale",
        "r",
        actor=MEMBER_TECH,
    )
    assert "--edit" in one_line_error(both, 2)
    assert "no amendment" in one_line_error(wgcli("comment", "ffffffff", actor=MEMBER_CS))
    assert not editor["saw"].exists()


# -- completion --------------------------------------------------------------------------------


def test_completion_scripts_complete_commands() -> None:
    for shell in ("bash", "zsh", "fish"):
        done = subprocess.run(
            [sys.executable, "-m", "wgtool", "completion", shell],
            capture_output=True,
            text=True,
            cwd=PROJECT,
            check=True,
        )
        assert "_WGTOOL_COMPLETE" in done.stdout, shell
    env = {
        **os.environ,
        "_WGTOOL_COMPLETE": "bash_complete",
        "COMP_WORDS": "wgtool inb",
        "COMP_CWORD": "1",
    }
    done = subprocess.run(
        [sys.executable, "-m", "wgtool"], capture_output=True, text=True, cwd=PROJECT, env=env
    )
    assert done.stdout.split() == ["plain,inbox"]


def test_completion_refuses_an_unknown_shell(wgcli: Wg) -> None:
    assert "tcsh" in one_line_error(wgcli("completion", "tcsh"), 2)


# -- one paragraph -----------------------------------------------------------------------------


def test_draft_show_one_paragraph(wgcli: Wg) -> None:
    whole = json.loads(wgcli.ok("draft", "show", "principles", "--json"))
    fifth = whole["paragraphs"][4]
    assert wgcli.ok("draft", "show", "principles", "--paragraph", "5") == (
        f"{fifth['label']:>5}. {fifth['text']}\n"
    )
    one = json.loads(wgcli.ok("draft", "show", "principles", "--paragraph", "5", "--json"))
    assert one == {"slug": "principles", "version": None, **fifth, "comments": []}
    last = len(whole["paragraphs"])
    assert "out of range" in one_line_error(
        wgcli("draft", "show", "principles", "--paragraph", str(last + 1)), 2
    )
    assert "give a paragraph's label" in one_line_error(
        wgcli("draft", "show", "principles", "--paragraph", "fifth"), 2
    )


# -- clone, tag, verify, reindex ---------------------------------------------------------------


def test_clone_says_who_acts_or_what_to_do(tmp_path: Path, example_repo: Path) -> None:
    here = Wg(tmp_path)
    out = here.ok("clone", str(example_repo), str(tmp_path / "anon"))
    assert "Next: say who you are" in out and "--as HANDLE" in out
    assert f"git -C {tmp_path / 'anon'} config user.email EMAIL" in out
    email = json.loads(Wg(example_repo).ok("member", "list", "--json"))
    mchen = next(m for m in email if m["handle"] == MEMBER_TECH)
    git(tmp_path, "config", "--global", "user.email", mchen["email"])
    out = here.ok("clone", str(example_repo), str(tmp_path / "known"))
    assert f"You act here as {MEMBER_TECH} (Technical and academic community)" in out


def test_tag_reminds_to_sync_only_with_a_remote(tmp_path: Path, wgcli: Wg) -> None:
    out = wgcli.ok("tag", "principles", "v1", "--message", "First", actor=SECRETARIAT)
    assert "sync" not in out
    git(tmp_path, "init", "--quiet", "--bare", str(tmp_path / "origin.git"))
    git(wgcli.repo, "remote", "add", "origin", str(tmp_path / "origin.git"))
    out = wgcli.ok("tag", "principles", "v2", "--message", "Second", actor=SECRETARIAT)
    assert out.splitlines()[-1] == "Others see it after 'wgtool sync'"


def test_verify_and_reindex_count_in_words(wgcli: Wg, example_repo: Path) -> None:
    wgcli.ok("tag", "principles", "v1", "--message", "First", actor=SECRETARIAT)
    assert wgcli.ok("verify").startswith("checked 1 commit and 1 tag:")
    propose_sample(example_repo)
    assert wgcli.ok("reindex") == "Indexed 1 amendment\n"


# -- init --bare and stale tracking refs -------------------------------------------------------


def test_init_bare_makes_an_empty_remote_a_group_can_use(tmp_path: Path, wgcli: Wg) -> None:
    remote = tmp_path / "wg.git"
    out = Wg(tmp_path).ok("init", "--bare", str(remote))
    assert out.startswith(f"Created an empty remote in {remote}\n")
    assert git(remote, "rev-parse", "--is-bare-repository").strip() == "true"
    assert git(remote, "for-each-ref") == ""  # no commit of its own
    git(wgcli.repo, "remote", "add", "origin", str(remote))
    out = wgcli.ok("sync", actor=MEMBER_TECH)
    assert "Problem" not in out
    assert git(remote, "rev-parse", "main") == git(wgcli.repo, "rev-parse", "main")


def test_init_bare_refuses_a_title_and_writes_nothing(tmp_path: Path) -> None:
    refused = Wg(tmp_path)("init", "--bare", "--title", "X", str(tmp_path / "wg.git"))
    assert "--bare" in one_line_error(refused, 2)
    assert not (tmp_path / "wg.git").exists()


def test_a_stale_tracking_main_is_pruned(tmp_path: Path, wgcli: Wg) -> None:
    old, new = tmp_path / "old.git", tmp_path / "new.git"
    WorkingGroup.init(old, title="Someone else's group", bare=True).close()
    git(tmp_path, "init", "--quiet", "--bare", "--initial-branch=main", str(new))
    git(wgcli.repo, "remote", "add", "origin", str(old))
    diverged = wgcli("sync", actor=MEMBER_TECH)
    assert "main has diverged" in diverged.stdout  # a main of its own: rightly refused
    # What to do about it, in the command line's words (the core's line names no command).
    assert "the chair runs 'wgtool sync origin --replay-merges'" in diverged.stdout
    git(wgcli.repo, "remote", "set-url", "origin", str(new))
    out = wgcli.ok("sync", actor=MEMBER_TECH)
    assert "diverged" not in out and "Problem" not in out
    main = git(wgcli.repo, "rev-parse", "main")
    assert git(new, "rev-parse", "main") == main
    assert git(wgcli.repo, "rev-parse", "refs/remotes/origin/main") == main
