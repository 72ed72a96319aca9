"""The command line end to end: every command of the engine issue, over real git repositories.

Each test drives the real click CLI (``wgcli``) and checks the record with plain git where it
matters: refs, commits, tags and the files on main.
"""

from __future__ import annotations

import json
import re
import subprocess
import tomllib
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from tests.conftest import (
    CHAIR,
    MEMBER_CS,
    MEMBER_GOV,
    MEMBER_PS,
    MEMBER_TECH,
    SECRETARIAT,
    Wg,
    agree_cli,
)
from wgtool.cli import cli
from wgtool.core.consensus import NoConsensus
from wgtool.core.desks import DeliberationDesk, WorkingGroup
from wgtool.core.model import Kind

# ---------------------------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------------------------


def git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-C", str(repo), *args], capture_output=True, text=True, check=True
    ).stdout


def show_file(repo: Path, rev: str, path: str) -> str:
    return git(repo, "show", f"{rev}:{path}")


def draft_json(wgcli: Wg, slug: str, *extra: str) -> dict:
    data = json.loads(wgcli.ok("draft", "show", slug, "--json", *extra))
    assert isinstance(data, dict)
    return data


def paragraph(wgcli: Wg, slug: str, number: int) -> str:
    paras = draft_json(wgcli, slug)["paragraphs"]
    assert paras[number - 1]["number"] == number
    return paras[number - 1]["text"]


def propose_edit(
    wgcli: Wg,
    actor: str,
    slug: str,
    number: int,
    old: str,
    new: str,
    rationale: str = "It reads better.",
) -> str:
    """Propose replacing ``old`` with ``new`` in paragraph ``number``; returns the new id."""
    text = paragraph(wgcli, slug, number)
    assert old in text, (old, text)
    out = wgcli.ok(
        "propose",
        slug,
        "--paragraph",
        str(number),
        "--text",
        text.replace(old, new, 1),
        "--rationale",
        rationale,
        actor=actor,
    )
    amendment_id = out.strip()
    assert len(amendment_id.splitlines()) == 1
    return amendment_id


def show_json(wgcli: Wg, amendment_id: str) -> dict:
    data = json.loads(wgcli.ok("show", amendment_id, "--json"))
    assert isinstance(data, dict)
    return data


def amendments_json(wgcli: Wg, *args: str) -> list[dict]:
    data = json.loads(wgcli.ok("amendments", *args, "--json"))
    assert isinstance(data, list)
    return data


def one_line_error(result: Result) -> str:
    """A refusal: non-zero exit, one line on stderr, nothing on stdout, no traceback."""
    assert result.exit_code != 0, (result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.output and "Traceback" not in result.stderr
    assert result.stdout == "", result.stdout
    assert lines[0].startswith("wgtool: ")
    return lines[0]


# The starter draft's paragraph 5 has two sentences; tests edit one or the other.
P5 = 5
FIRST_SENTENCE_WORDS = "preserve and promote"
SECOND_SENTENCE_WORDS = "should be avoided"


# ---------------------------------------------------------------------------------------------
# init, members, drafts
# ---------------------------------------------------------------------------------------------


def test_init_creates_an_empty_working_group(tmp_path: Path) -> None:
    runner = CliRunner()
    path = tmp_path / "fresh"
    result = runner.invoke(
        cli, ["init", str(path), "--title", "Test group on tides"], catch_exceptions=False
    )
    assert result.exit_code == 0, result.output
    settings = tomllib.loads(show_file(path, "main", "wg.toml"))
    assert settings["title"] == "Test group on tides"
    assert "governments" in settings["groups"]
    wg = Wg(path)
    assert json.loads(wg.ok("member", "list", "--json")) == []
    assert json.loads(wg.ok("draft", "list", "--json")) == []
    # The checkout holds what main holds.
    assert (path / "wg.toml").read_text() == show_file(path, "main", "wg.toml")
    assert git(path, "status", "--porcelain") == ""


def test_init_example_has_drafts_and_roster(tmp_path: Path) -> None:
    path = tmp_path / "example"
    result = CliRunner().invoke(cli, ["init", str(path), "--example"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    wg = Wg(path)
    drafts = {d["slug"]: d for d in json.loads(wg.ok("draft", "list", "--json"))}
    assert set(drafts) == {"principles", "roles"}
    assert all(d["paragraphs"] > 5 for d in drafts.values())
    members = {m["handle"]: m for m in json.loads(wg.ok("member", "list", "--json"))}
    assert "chair" in members[CHAIR]["roles"]
    assert "secretariat" in members[SECRETARIAT]["roles"]
    assert members[MEMBER_GOV]["roles"] == ["member"]
    assert git(path, "ls-tree", "--name-only", "main", "drafts/").split() == [
        "drafts/principles.md",
        "drafts/roles.md",
    ]


def test_init_refuses_a_folder_that_is_not_empty(tmp_path: Path) -> None:
    (tmp_path / "busy").mkdir()
    (tmp_path / "busy" / "notes.txt").write_text("mine")
    result = CliRunner().invoke(cli, ["init", str(tmp_path / "busy")], catch_exceptions=False)
    assert "not empty" in one_line_error(result)
    assert not (tmp_path / "busy" / ".git").exists()


def test_first_member_by_anyone_then_only_the_secretariat(tmp_path: Path, snapshot_refs) -> None:
    path = tmp_path / "wg"
    CliRunner().invoke(cli, ["init", str(path)], catch_exceptions=False)
    wg = Wg(path)
    # Nobody is in the roster yet: anyone may found it (here without --as at all).
    wg.ok(
        "member",
        "add",
        "asmith",
        "--name",
        "Ada Smith",
        "--email",
        "runner@example.invalid",
        "--group",
        "intergovernmental",
        "--role",
        "secretariat",
    )
    # Now git's user.email identifies asmith, who is secretariat.
    wg.ok(
        "member",
        "add",
        "bjones",
        "--name",
        "Ben Jones",
        "--email",
        "ben@example.org",
        "--group",
        "civil-society",
    )
    # A plain member cannot change the roster.
    before = snapshot_refs(path)
    result = wg(
        "member",
        "add",
        "cwu",
        "--name",
        "Cy Wu",
        "--email",
        "cy@example.org",
        "--group",
        "governments",
        actor="bjones",
    )
    assert "secretariat" in one_line_error(result)
    assert snapshot_refs(path) == before
    members = json.loads(wg.ok("member", "list", "--json"))
    assert [(m["handle"], m["group"], m["roles"]) for m in members] == [
        ("asmith", "intergovernmental", ["member", "secretariat"]),
        ("bjones", "civil-society", ["member"]),
    ]
    roster = tomllib.loads(show_file(path, "main", "roster.toml"))
    assert [m["email"] for m in roster["member"]] == ["runner@example.invalid", "ben@example.org"]
    # The second addition is attributed to the secretariat member who made it.
    log = git(path, "log", "-1", "--format=%an%n%B", "main")
    assert log.startswith("Ada Smith\n")
    assert "Added-Member: bjones" in log
    # A duplicate handle is refused.
    again = wg(
        "member",
        "add",
        "bjones",
        "--name",
        "B J",
        "--email",
        "bj@example.org",
        "--group",
        "civil-society",
        actor="asmith",
    )
    assert "already" in one_line_error(again)


def test_member_list_human_output(wgcli: Wg) -> None:
    members = json.loads(wgcli.ok("member", "list", "--json"))
    out = wgcli.ok("member", "list")
    roster = tomllib.loads(show_file(wgcli.repo, "main", "roster.toml"))["member"]
    assert [m["handle"] for m in members] == [m["handle"] for m in roster]
    rows = [line.split()[0] for line in out.splitlines() if line.startswith("    ")]
    assert sorted(rows) == sorted(m["handle"] for m in members)  # under their groups' headings


def test_draft_add_list_and_show(wgcli: Wg, tmp_path: Path) -> None:
    source = tmp_path / "charter.md"
    source.write_text("The group meets twice a year.\n\nIt reports to the plenary.\n")
    wgcli.ok(
        "draft",
        "add",
        "charter",
        "--title",
        "Charter of the group",
        "--file",
        str(source),
        actor=SECRETARIAT,
    )
    listed = {d["slug"]: d for d in json.loads(wgcli.ok("draft", "list", "--json"))}
    assert listed["charter"]["title"] == "Charter of the group"
    assert listed["charter"]["paragraphs"] == 2
    shown = draft_json(wgcli, "charter")
    assert shown["text"].startswith("# Charter of the group\n")
    assert [p["text"] for p in shown["paragraphs"]] == [
        "The group meets twice a year.",
        "It reports to the plenary.",
    ]
    assert show_file(wgcli.repo, "main", "drafts/charter.md") == shown["text"]
    human = wgcli.ok("draft", "show", "charter")
    assert "1. The group meets twice a year." in human
    assert "2. It reports to the plenary." in human
    # The same slug twice is refused.
    again = wgcli(
        "draft", "add", "charter", "--title", "Again", "--file", str(source), actor=SECRETARIAT
    )
    assert "already exists" in one_line_error(again)
    # A file with its own top heading gets the given title in its place.
    headed = tmp_path / "headed.md"
    headed.write_text("# Old heading\n\nOnly paragraph.\n")
    wgcli.ok(
        "draft", "add", "headed", "--title", "New heading", "--file", str(headed), actor=SECRETARIAT
    )
    assert draft_json(wgcli, "headed")["text"] == "# New heading\n\nOnly paragraph.\n"


# ---------------------------------------------------------------------------------------------
# Proposing
# ---------------------------------------------------------------------------------------------


def test_propose_replace_with_text(wgcli: Wg) -> None:
    old = paragraph(wgcli, "principles", P5)
    amendment_id = propose_edit(
        wgcli, MEMBER_TECH, "principles", P5, FIRST_SENTENCE_WORDS, "protect and promote"
    )
    assert git(wgcli.repo, "rev-parse", f"refs/wg/amendments/{amendment_id}")
    proposed = show_file(wgcli.repo, f"refs/wg/amendments/{amendment_id}", "drafts/principles.md")
    assert old.replace(FIRST_SENTENCE_WORDS, "protect and promote") in proposed
    assert old not in proposed
    data = show_json(wgcli, amendment_id)
    assert (data["kind"], data["paragraph"], data["proposer"], data["group"], data["status"]) == (
        "replace",
        P5,
        MEMBER_TECH,
        "technical-academic",
        "open",
    )
    assert data["rationale"] == "It reads better."
    assert {"op": "delete", "text": "preserve"} in data["diff"]
    assert {"op": "insert", "text": "protect"} in data["diff"]
    # main did not move: a proposal is not a change to the draft.
    assert paragraph(wgcli, "principles", P5) == old


def test_propose_replace_with_text_file_and_title(wgcli: Wg, tmp_path: Path) -> None:
    new_text = "Enhanced cooperation should keep the Internet whole."
    source = tmp_path / "p.txt"
    source.write_text(new_text + "\n")
    out = wgcli.ok(
        "propose",
        "principles",
        "--paragraph",
        "6",
        "--text-file",
        str(source),
        "--rationale",
        "Shorter.",
        "--title",
        "Shorten paragraph 6",
        actor=MEMBER_CS,
    )
    data = show_json(wgcli, out.strip())
    assert data["title"] == "Shorten paragraph 6"
    assert data["new_text"] == new_text
    assert data["old_text"] == paragraph(wgcli, "principles", 6)


def test_propose_insert_after(wgcli: Wg) -> None:
    before = draft_json(wgcli, "principles")["paragraphs"]
    new = "Enhanced cooperation should take account of the environmental footprint of networks."
    out = wgcli.ok(
        "propose",
        "principles",
        "--insert-after",
        "3",
        "--text",
        new,
        "--rationale",
        "Missing topic.",
        actor=MEMBER_PS,
    )
    amendment_id = out.strip()
    proposed = show_file(wgcli.repo, f"refs/wg/amendments/{amendment_id}", "drafts/principles.md")
    wgcli.ok("merge", agree_cli(wgcli, amendment_id), actor=CHAIR)
    after = draft_json(wgcli, "principles")["paragraphs"]
    assert [p["text"] for p in after] == (
        [p["text"] for p in before[:3]] + [new] + [p["text"] for p in before[3:]]
    )
    assert show_file(wgcli.repo, "main", "drafts/principles.md") == proposed


def test_propose_insert_before_the_first_paragraph(wgcli: Wg) -> None:
    before = [p["text"] for p in draft_json(wgcli, "roles")["paragraphs"]]
    out = wgcli.ok(
        "propose",
        "roles",
        "--insert-after",
        "0",
        "--text",
        "A new opening.",
        "--rationale",
        "Context.",
        actor=MEMBER_GOV,
    )
    wgcli.ok("merge", agree_cli(wgcli, out.strip()), actor=CHAIR)
    assert [p["text"] for p in draft_json(wgcli, "roles")["paragraphs"]] == [
        "A new opening.",
        *before,
    ]


def test_propose_delete(wgcli: Wg) -> None:
    before = [p["text"] for p in draft_json(wgcli, "principles")["paragraphs"]]
    out = wgcli.ok(
        "propose", "principles", "--delete", "7", "--rationale", "Redundant.", actor=MEMBER_PS
    )
    data = show_json(wgcli, out.strip())
    assert (data["kind"], data["paragraph"]) == ("delete", 7)
    assert data["old_text"] == before[6]
    wgcli.ok("merge", agree_cli(wgcli, data["id"]), actor=CHAIR)
    assert [p["text"] for p in draft_json(wgcli, "principles")["paragraphs"]] == (
        before[:6] + before[7:]
    )


def test_propose_whole_draft_from_file(wgcli: Wg, tmp_path: Path) -> None:
    text = draft_json(wgcli, "roles")["text"]
    paras = draft_json(wgcli, "roles")["paragraphs"]
    edited = text.replace(paras[0]["text"], paras[0]["text"] + " Extra sentence one.").replace(
        paras[-1]["text"], "Last paragraph rewritten."
    )
    source = tmp_path / "roles.md"
    source.write_text(edited)
    out = wgcli.ok(
        "propose", "roles", "--from-file", str(source), "--rationale", "Two fixes.", actor=MEMBER_CS
    )
    data = show_json(wgcli, out.strip())
    assert data["kind"] == "document" and data["paragraph"] is None
    wgcli.ok("merge", agree_cli(wgcli, data["id"]), actor=CHAIR)
    assert draft_json(wgcli, "roles")["text"] == edited


def test_propose_option_combinations_are_usage_errors(wgcli: Wg, snapshot_refs) -> None:
    before = snapshot_refs(wgcli.repo)
    for args in (
        ["propose", "principles", "--text", "x", "--rationale", "r"],  # no target
        ["propose", "principles", "--paragraph", "1", "--delete", "2", "--rationale", "r"],
        ["propose", "principles", "--delete", "2", "--text", "x", "--rationale", "r"],
        ["propose", "principles", "--paragraph", "2", "--rationale", "r"],  # no text
        [
            "propose",
            "principles",
            "--paragraph",
            "2",
            "--text",
            "x",
            "--text-file",
            "f",
            "--rationale",
            "r",
        ],
    ):
        result = wgcli(*args, actor=MEMBER_TECH)
        assert result.exit_code == 2, (args, result.stderr)
        one_line_error(result)
    assert snapshot_refs(wgcli.repo) == before


# ---------------------------------------------------------------------------------------------
# Listing and showing
# ---------------------------------------------------------------------------------------------


@pytest.fixture
def several(wgcli: Wg) -> dict[str, str]:
    """Amendments in every state, by members of different groups, on both drafts."""
    ids = {
        "merged": propose_edit(
            wgcli, MEMBER_TECH, "principles", P5, FIRST_SENTENCE_WORDS, "protect and promote"
        ),
        "rejected": propose_edit(
            wgcli,
            MEMBER_CS,
            "principles",
            6,
            "freedom of expression",
            "freedom of opinion and expression",
        ),
        "withdrawn": propose_edit(wgcli, MEMBER_PS, "roles", 2, "the", "each"),
        "open_cs": propose_edit(wgcli, MEMBER_CS, "roles", 3, "the", "THE"),
        "open_gov": propose_edit(wgcli, MEMBER_GOV, "principles", 8, "the", "THE"),
    }
    wgcli.ok("merge", agree_cli(wgcli, ids["merged"]), actor=CHAIR)
    wgcli.ok("reject", ids["rejected"], "--reason", "Not agreed.", actor=CHAIR)
    wgcli.ok("withdraw", ids["withdrawn"], actor=MEMBER_PS)
    return ids


def test_amendments_filters(wgcli: Wg, several: dict[str, str]) -> None:
    everything = amendments_json(wgcli)
    assert {a["id"] for a in everything} == set(several.values())
    statuses = {a["id"]: a["status"] for a in everything}
    assert statuses == {
        several["merged"]: "merged",
        several["rejected"]: "rejected",
        several["withdrawn"]: "withdrawn",
        several["open_cs"]: "open",
        several["open_gov"]: "open",
    }

    def ids(*args: str) -> set[str]:
        return {a["id"] for a in amendments_json(wgcli, *args)}

    assert ids("principles") == {several[k] for k in ("merged", "rejected", "open_gov")}
    assert ids("roles") == {several["withdrawn"], several["open_cs"]}
    assert ids("--status", "open") == {several["open_cs"], several["open_gov"]}
    assert ids("--status", "merged") == {several["merged"]}
    assert ids("--status", "rejected") == {several["rejected"]}
    assert ids("--status", "withdrawn") == {several["withdrawn"]}
    assert ids("--group", "civil-society") == {several["rejected"], several["open_cs"]}
    assert ids("--group", "governments") == {several["open_gov"]}
    assert ids("principles", "--group", "civil-society") == {several["rejected"]}
    assert ids("roles", "--status", "open", "--group", "civil-society") == {several["open_cs"]}
    assert ids("--group", "intergovernmental") == set()
    # The human listing shows one line per amendment.
    human = wgcli.ok("amendments", "--status", "open")
    assert len(human.strip().splitlines()) == 2
    assert several["open_cs"] in human and several["open_gov"] in human


def test_show_json_and_prefix(wgcli: Wg, several: dict[str, str]) -> None:
    full = several["rejected"]
    data = show_json(wgcli, full)
    assert data["id"] == full
    assert data["status"] == "rejected" and data["reason"] == "Not agreed."
    assert isinstance(data["consensus"], dict) and isinstance(data["events"], list)
    # A unique prefix finds the same amendment (ids are shown and accepted like git's).
    others = [i for i in several.values() if i != full]
    prefix = next(full[:n] for n in range(1, 9) if not any(o.startswith(full[:n]) for o in others))
    assert show_json(wgcli, prefix) == data
    assert show_json(wgcli, full.upper()) == data
    human = wgcli.ok("show", prefix)
    assert f"Amendment {full}" in human
    assert "[-expression-]" not in human  # only changed words are marked
    assert "{+opinion and +}" in human or "{+opinion+}" in human
    assert "Not agreed." in human


def test_listing_and_show_commands_print_one_json_document(
    wgcli: Wg, several: dict[str, str]
) -> None:
    wgcli.ok("tag", "principles", "v1", "--message", "First", actor=SECRETARIAT)
    for args in (
        ("member", "list"),
        ("draft", "list"),
        ("amendments",),
        ("versions", "principles"),
    ):
        assert isinstance(json.loads(wgcli.ok(*args, "--json")), list), args
    for args in (("show", several["open_cs"]), ("draft", "show", "roles")):
        assert isinstance(json.loads(wgcli.ok(*args, "--json")), dict), args


# ---------------------------------------------------------------------------------------------
# Merging, rejecting, withdrawing
# ---------------------------------------------------------------------------------------------


def test_merge_as_proposed(wgcli: Wg) -> None:
    old = paragraph(wgcli, "principles", P5)
    amendment_id = propose_edit(
        wgcli, MEMBER_TECH, "principles", P5, FIRST_SENTENCE_WORDS, "protect and promote"
    )
    amendment_head = git(wgcli.repo, "rev-parse", f"refs/wg/amendments/{amendment_id}").strip()
    old_main = git(wgcli.repo, "rev-parse", "main").strip()
    out = wgcli.ok("merge", agree_cli(wgcli, amendment_id), actor=CHAIR)
    assert amendment_id in out
    new_main = git(wgcli.repo, "rev-parse", "main").strip()
    assert new_main != old_main
    assert git(wgcli.repo, "rev-parse", "main^1", "main^2").split() == [old_main, amendment_head]
    assert paragraph(wgcli, "principles", P5) == old.replace(
        FIRST_SENTENCE_WORDS, "protect and promote"
    )
    data = show_json(wgcli, amendment_id)
    assert (data["status"], data["merged_by"], data["merge_commit"]) == ("merged", CHAIR, new_main)
    # Merging twice is refused and moves nothing.
    again = wgcli("merge", amendment_id, actor=CHAIR)
    assert "merged" in one_line_error(again)
    assert git(wgcli.repo, "rev-parse", "main").strip() == new_main


def test_merge_as_orally_revised(wgcli: Wg, tmp_path: Path) -> None:
    amendment_id = propose_edit(
        wgcli, MEMBER_TECH, "principles", P5, FIRST_SENTENCE_WORDS, "protect and promote"
    )
    original = paragraph(wgcli, "principles", P5)
    revised = original.replace(FIRST_SENTENCE_WORDS, "uphold and promote")
    source = tmp_path / "oral.txt"
    source.write_text(revised + "\n")
    wgcli.ok("merge", agree_cli(wgcli, amendment_id), "--text-file", str(source), actor=CHAIR)
    assert paragraph(wgcli, "principles", P5) == revised
    message = git(wgcli.repo, "log", "-1", "--format=%s%n%(trailers:key=Orally-Revised)", "main")
    assert "as orally revised" in message
    assert "Orally-Revised: yes" in message
    assert show_json(wgcli, amendment_id)["status"] == "merged"


def test_conflict_then_merge_with_resolved_file(wgcli: Wg, tmp_path: Path, snapshot_refs) -> None:
    first = propose_edit(
        wgcli, MEMBER_TECH, "principles", P5, FIRST_SENTENCE_WORDS, "protect and promote"
    )
    second = propose_edit(
        wgcli, MEMBER_CS, "principles", P5, FIRST_SENTENCE_WORDS, "defend and promote"
    )
    wgcli.ok("merge", agree_cli(wgcli, first), actor=CHAIR)
    agree_cli(wgcli, second)
    before = snapshot_refs(wgcli.repo)
    conflict = wgcli("merge", second, actor=CHAIR)
    assert conflict.exit_code == 3
    assert "conflict" in conflict.stderr
    assert snapshot_refs(wgcli.repo) == before
    # The chair resolves the conflict by hand and merges the whole draft.
    text = draft_json(wgcli, "principles")["text"]
    resolved = text.replace("protect and promote", "protect, defend and promote")
    source = tmp_path / "resolved.md"
    source.write_text(resolved)
    wgcli.ok("merge", second, "--resolved-file", str(source), "--whole-draft", actor=CHAIR)
    assert draft_json(wgcli, "principles")["text"] == resolved
    trailers = git(wgcli.repo, "log", "-1", "--format=%(trailers:only)", "main")
    assert f"Amendment-Id: {second}" in trailers
    assert f"Resolved-by: {CHAIR}" in trailers
    assert show_json(wgcli, second)["status"] == "merged"


def test_reject_with_reason(wgcli: Wg) -> None:
    amendment_id = propose_edit(wgcli, MEMBER_PS, "roles", 3, "the", "each")
    main_before = git(wgcli.repo, "rev-parse", "main")
    missing = wgcli("reject", amendment_id, actor=CHAIR)  # --reason is required
    assert missing.exit_code != 0
    wgcli.ok("reject", amendment_id, "--reason", "Out of scope for this reading.", actor=CHAIR)
    data = show_json(wgcli, amendment_id)
    assert (data["status"], data["reason"]) == ("rejected", "Out of scope for this reading.")
    assert [e["type"] for e in data["events"]] == ["reject"]
    assert data["events"][0]["member"] == CHAIR
    assert git(wgcli.repo, "rev-parse", "main") == main_before
    # A rejected amendment cannot be merged or withdrawn any more.
    assert "rejected" in one_line_error(wgcli("merge", amendment_id, actor=CHAIR))
    assert "rejected" in one_line_error(wgcli("withdraw", amendment_id, actor=MEMBER_PS))


def test_withdraw_by_the_proposer_only(wgcli: Wg, snapshot_refs) -> None:
    amendment_id = propose_edit(wgcli, MEMBER_PS, "roles", 3, "the", "each")
    before = snapshot_refs(wgcli.repo)
    for other in (MEMBER_CS, CHAIR, SECRETARIAT):
        error = one_line_error(wgcli("withdraw", amendment_id, actor=other))
        assert "proposer" in error and MEMBER_PS in error
    assert snapshot_refs(wgcli.repo) == before
    wgcli.ok("withdraw", amendment_id, actor=MEMBER_PS)
    assert show_json(wgcli, amendment_id)["status"] == "withdrawn"
    assert "withdrawn" in one_line_error(wgcli("merge", amendment_id, actor=CHAIR))


# ---------------------------------------------------------------------------------------------
# Consensus versions
# ---------------------------------------------------------------------------------------------


def test_tag_versions_and_draft_show_version(wgcli: Wg) -> None:
    before_text = draft_json(wgcli, "principles")["text"]
    tagged_main = git(wgcli.repo, "rev-parse", "main").strip()
    assert json.loads(wgcli.ok("versions", "principles", "--json")) == []
    wgcli.ok(
        "tag", "principles", "v1", "--message", "Agreed at the first meeting", actor=SECRETARIAT
    )
    # An annotated tag principles/v1 on main, with the secretariat member as tagger.
    repo = wgcli.repo
    assert git(repo, "cat-file", "-t", "refs/tags/principles/v1").strip() == "tag"
    tag_info = git(
        repo,
        "for-each-ref",
        "--format=%(taggername)|%(taggeremail)|%(*objectname)",
        "refs/tags/principles/v1",
    ).strip()
    assert tag_info == f"Elena Petrova|<elena.petrova@example.org>|{tagged_main}"
    assert "Agreed at the first meeting" in git(repo, "tag", "-l", "-n5", "principles/v1")
    # The text moves on; the version keeps the text it had.
    amendment_id = propose_edit(
        wgcli, MEMBER_TECH, "principles", P5, FIRST_SENTENCE_WORDS, "protect and promote"
    )
    wgcli.ok("merge", agree_cli(wgcli, amendment_id), actor=CHAIR)
    wgcli.ok("tag", "principles", "v2", "--message", "Second reading", actor=SECRETARIAT)
    versions = json.loads(wgcli.ok("versions", "principles", "--json"))
    assert [v["name"] for v in versions] == ["v1", "v2"]
    assert versions[0]["commit"] == tagged_main
    assert versions[0]["tagger"] == "Elena Petrova"
    assert "v1" in wgcli.ok("versions", "principles")
    assert json.loads(wgcli.ok("versions", "roles", "--json")) == []
    at_v1 = draft_json(wgcli, "principles", "--version", "v1")
    assert at_v1["text"] == before_text
    assert draft_json(wgcli, "principles", "--version", "v2")["text"] != before_text
    assert (
        draft_json(wgcli, "principles")["text"]
        == draft_json(wgcli, "principles", "--version", "v2")["text"]
    )
    assert FIRST_SENTENCE_WORDS in wgcli.ok("draft", "show", "principles", "--version", "v1")
    # The same version twice is refused; a missing one is not found.
    assert "already exists" in one_line_error(
        wgcli("tag", "principles", "v1", "--message", "again", actor=SECRETARIAT)
    )
    assert "no version" in one_line_error(wgcli("draft", "show", "principles", "--version", "v9"))


# ---------------------------------------------------------------------------------------------
# git log alone tells who proposed and who merged
# ---------------------------------------------------------------------------------------------


def test_git_log_main_shows_attribution_and_trailers(wgcli: Wg) -> None:
    proposals = {
        propose_edit(
            wgcli, MEMBER_TECH, "principles", P5, FIRST_SENTENCE_WORDS, "protect and promote"
        ): (MEMBER_TECH, "Mei-Ling Chen", "technical-academic"),
        propose_edit(wgcli, MEMBER_CS, "roles", 3, "the", "each"): (
            MEMBER_CS,
            "Nomvula Dlamini",
            "civil-society",
        ),
    }
    for amendment_id in proposals:
        wgcli.ok("merge", agree_cli(wgcli, amendment_id), actor=CHAIR)
    # Plain git, no wgtool: one record per merge commit on main.
    log = subprocess.run(
        [
            "git",
            "-C",
            str(wgcli.repo),
            "log",
            "main",
            "--merges",
            "--format=%H%x00%an%x00%ae%x00%cn%x00%ce%x00%B%x1e",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    records = [r.strip("\n") for r in log.split("\x1e") if r.strip("\n")]
    assert len(records) == len(proposals)
    seen = set()
    for record in records:
        sha, author, author_email, committer, committer_email, body = record.split("\x00")
        parsed = subprocess.run(
            ["git", "interpret-trailers", "--parse"],
            input=body,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        trailers = dict(line.split(": ", 1) for line in parsed.splitlines())
        amendment_id = trailers["Amendment-Id"]
        handle, name, group = proposals[amendment_id]
        assert (author, committer) == (name, "Laila Haddad")
        assert committer_email == "laila.haddad@example.org"
        assert trailers["Proposed-by"] == handle
        assert trailers["Stakeholder-Group"] == group
        assert trailers["Merged-by"] == CHAIR
        seen.add(amendment_id)
    assert seen == set(proposals)
    # git's own trailer formatting sees them too.
    ids = git(wgcli.repo, "log", "main", "--format=%(trailers:key=Amendment-Id,valueonly)")
    assert set(ids.split()) == set(proposals)
    # The proposals themselves are in main's history, authored by their proposers.
    authors = git(
        wgcli.repo, "log", "main", "--no-merges", "--format=%an|%(trailers:key=Member,valueonly)"
    )
    for handle, name, _ in proposals.values():
        assert f"{name}|{handle}" in authors


# ---------------------------------------------------------------------------------------------
# Word-level merges: disjoint edits combine, overlapping ones conflict
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("order", ["first-sentence-first", "second-sentence-first"])
def test_edits_to_different_sentences_of_one_paragraph_both_merge(wgcli: Wg, order: str) -> None:
    original = paragraph(wgcli, "principles", P5)
    a = propose_edit(
        wgcli, MEMBER_TECH, "principles", P5, FIRST_SENTENCE_WORDS, "protect and promote"
    )
    b = propose_edit(
        wgcli, MEMBER_PS, "principles", P5, SECOND_SENTENCE_WORDS, "should be firmly resisted"
    )
    for amendment_id in [a, b] if order == "first-sentence-first" else [b, a]:
        wgcli.ok("merge", agree_cli(wgcli, amendment_id), actor=CHAIR)
    expected = original.replace(FIRST_SENTENCE_WORDS, "protect and promote").replace(
        SECOND_SENTENCE_WORDS, "should be firmly resisted"
    )
    assert paragraph(wgcli, "principles", P5) == expected
    assert {show_json(wgcli, i)["status"] for i in (a, b)} == {"merged"}
    assert len(git(wgcli.repo, "rev-list", "--merges", "main").split()) == 2


def test_edits_to_the_same_words_conflict(wgcli: Wg, snapshot_refs) -> None:
    a = propose_edit(
        wgcli, MEMBER_TECH, "principles", P5, FIRST_SENTENCE_WORDS, "protect and promote"
    )
    b = propose_edit(wgcli, MEMBER_CS, "principles", P5, FIRST_SENTENCE_WORDS, "uphold and promote")
    wgcli.ok("merge", agree_cli(wgcli, a), actor=CHAIR)
    agree_cli(wgcli, b)
    merged_text = show_file(wgcli.repo, "main", "drafts/principles.md")
    before = snapshot_refs(wgcli.repo)
    result = wgcli("merge", b, actor=CHAIR)
    assert result.exit_code == 3
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    # The conflicting words: what main has now, what the amendment wants.
    assert "protect" in result.stderr and "uphold" in result.stderr
    assert f"¶{P5}" in result.stderr
    assert snapshot_refs(wgcli.repo) == before
    assert show_file(wgcli.repo, "main", "drafts/principles.md") == merged_text
    assert (wgcli.repo / "drafts" / "principles.md").read_text() == merged_text
    assert show_json(wgcli, b)["status"] == "open"


# ---------------------------------------------------------------------------------------------
# Roles: refusals name the role needed and move nothing
# ---------------------------------------------------------------------------------------------


@pytest.fixture
def open_amendment(wgcli: Wg) -> str:
    return propose_edit(wgcli, MEMBER_PS, "roles", 3, "the", "each")


@pytest.mark.parametrize("actor", [MEMBER_TECH, SECRETARIAT, MEMBER_PS])
@pytest.mark.parametrize("action", ["merge", "reject"])
def test_only_the_chair_merges_or_rejects(
    wgcli: Wg, open_amendment: str, snapshot_refs, actor: str, action: str
) -> None:
    before = snapshot_refs(wgcli.repo)
    args = (
        ["merge", open_amendment]
        if action == "merge"
        else ["reject", open_amendment, "--reason", "No."]
    )
    result = wgcli(*args, actor=actor)
    error = one_line_error(result)
    assert "chair" in error and actor in error
    assert result.exit_code == 4
    assert snapshot_refs(wgcli.repo) == before
    assert show_json(wgcli, open_amendment)["status"] == "open"


@pytest.mark.parametrize("actor", [CHAIR, MEMBER_TECH])
@pytest.mark.parametrize("action", ["tag", "member add", "draft add"])
def test_only_the_secretariat_tags_or_changes_roster_and_drafts(
    wgcli: Wg, tmp_path: Path, snapshot_refs, actor: str, action: str
) -> None:
    source = tmp_path / "d.md"
    source.write_text("One paragraph.\n")
    args = {
        "tag": ["tag", "principles", "v1", "--message", "m"],
        "member add": [
            "member",
            "add",
            "newbie",
            "--name",
            "New Bie",
            "--email",
            "newbie@example.org",
            "--group",
            "civil-society",
        ],
        "draft add": ["draft", "add", "extra", "--title", "Extra", "--file", str(source)],
    }[action]
    before = snapshot_refs(wgcli.repo)
    result = wgcli(*args, actor=actor)
    error = one_line_error(result)
    assert "secretariat" in error
    assert result.exit_code == 4
    assert snapshot_refs(wgcli.repo) == before


# ---------------------------------------------------------------------------------------------
# Bad input: one line, non-zero exit, nothing written
# ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def refusing_repo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Wg, dict[str, str]]:
    """One repository for every bad-input case: none of them may change it, so they can share it.

    Built module-wide (for speed) with the same hermetic git identity as ``isolated_git``.
    """
    with pytest.MonkeyPatch.context() as mp:
        home = tmp_path_factory.mktemp("refusing-home")
        (home / ".gitconfig").write_text(
            "[user]\n\tname = Test Runner\n\temail = runner@example.invalid\n"
        )
        mp.setenv("HOME", str(home))
        mp.setenv("GIT_CONFIG_NOSYSTEM", "1")
        for name in ("WGTOOL_REPO", "WGTOOL_MEMBER"):
            mp.delenv(name, raising=False)
        folder = tmp_path_factory.mktemp("refusing")
        WorkingGroup.init(folder / "wg", title="Refusals", example=True).close()
        wgcli = Wg(folder / "wg")
        amendment_id = propose_edit(wgcli, MEMBER_PS, "roles", 3, "the", "each")
    latin1 = folder / "latin1.txt"
    latin1.write_bytes("Coopération renforcée\n".encode("latin-1"))
    big = folder / "big.txt"
    big.write_text(("word " * 210_000) + "\n")  # a little over 1 MB
    (folder / "folder").mkdir()
    good = folder / "good.md"
    good.write_text("A fine paragraph.\n")
    values = {
        "NONUTF8": str(latin1),
        "BIG": str(big),
        "MISSING": str(folder / "nope.txt"),
        "FOLDER": str(folder / "folder"),
        "GOOD": str(good),
        "ID": amendment_id,
        "P2": paragraph(wgcli, "principles", 2),
        "ROLES3": paragraph(wgcli, "roles", 3),
    }
    return wgcli, values


P = ["propose", "principles"]
R = ["--rationale", "Because."]
FILE_CASES = [
    (["propose", "principles", "--paragraph", "2", "--text-file", "{F}", *R], MEMBER_TECH),
    (["propose", "principles", "--from-file", "{F}", *R], MEMBER_TECH),
    (["draft", "add", "newdraft", "--title", "New", "--file", "{F}"], SECRETARIAT),
    (["merge", "{ID}", "--text-file", "{F}"], CHAIR),
    (["merge", "{ID}", "--resolved-file", "{F}"], CHAIR),
    (["revise", "{ID}", "--text-file", "{F}"], MEMBER_PS),
]
BAD_INPUT = [
    # unknown member
    ([*P, "--paragraph", "2", "--text", "x", *R], "nobody", "nobody"),
    (["comment", "{ID}", "hello"], "nobody", "nobody"),
    (["position", "{ID}", "support"], "nobody", "nobody"),
    (["merge", "{ID}"], "nobody", "nobody"),
    ([*P, "--paragraph", "2", "--text", "x", *R], "../x", "../x"),
    # unknown group
    (
        [
            "member",
            "add",
            "zed",
            "--name",
            "Zed",
            "--email",
            "zed@example.org",
            "--group",
            "martians",
        ],
        SECRETARIAT,
        "martians",
    ),
    (["amendments", "--group", "martians"], None, "martians"),
    # unknown draft
    (["propose", "nodraft", "--paragraph", "1", "--text", "x", *R], MEMBER_TECH, "nodraft"),
    (["draft", "show", "nodraft"], None, "nodraft"),
    (["versions", "nodraft"], None, "nodraft"),
    (["tag", "nodraft", "v1", "--message", "m"], SECRETARIAT, "nodraft"),
    # unknown amendment / malformed id
    (["show", "deadbeef"], None, "deadbeef"),
    (["merge", "deadbeef"], CHAIR, "deadbeef"),
    (["reject", "deadbeef", "--reason", "r"], CHAIR, "deadbeef"),
    (["withdraw", "deadbeef"], MEMBER_PS, "deadbeef"),
    (["comment", "deadbeef", "hi"], MEMBER_TECH, "deadbeef"),
    (["position", "deadbeef", "object"], MEMBER_TECH, "deadbeef"),
    (["show", "../x"], None, "../x"),
    (["show", "--", "--foo"], None, "--foo"),
    (["show", ""], None, "id"),
    # paragraph out of range
    ([*P, "--paragraph", "0", "--text", "x", *R], MEMBER_TECH, "out of range"),
    ([*P, "--paragraph", "999", "--text", "x", *R], MEMBER_TECH, "out of range"),
    ([*P, "--paragraph", "-1", "--text", "x", *R], MEMBER_TECH, "out of range"),
    ([*P, "--delete", "0", *R], MEMBER_TECH, "out of range"),
    ([*P, "--delete", "999", *R], MEMBER_TECH, "out of range"),
    ([*P, "--insert-after", "999", "--text", "x", *R], MEMBER_TECH, "out of range"),
    ([*P, "--insert-after", "-1", "--text", "x", *R], MEMBER_TECH, "out of range"),
    # empty text
    ([*P, "--paragraph", "2", "--text", "", *R], MEMBER_TECH, "empty"),
    ([*P, "--paragraph", "2", "--text", "  \n ", *R], MEMBER_TECH, "empty"),
    ([*P, "--insert-after", "2", "--text", "", *R], MEMBER_TECH, "empty"),
    ([*P, "--paragraph", "2", "--text", "x", "--rationale", " "], MEMBER_TECH, "empty"),
    (["comment", "{ID}", "   "], MEMBER_TECH, "empty"),
    (["reject", "{ID}", "--reason", ""], CHAIR, "empty"),
    (["revise", "{ID}", "--text", ""], MEMBER_PS, "empty"),
    # two paragraphs where one is expected
    ([*P, "--paragraph", "2", "--text", "One.\n\nTwo.", *R], MEMBER_TECH, "paragraph"),
    # unchanged amendment
    ([*P, "--paragraph", "2", "--text", "{P2}", *R], MEMBER_TECH, "changes nothing"),
    ([*P, "--paragraph", "2", "--text", "  {P2}  ", *R], MEMBER_TECH, "changes nothing"),
    (["revise", "{ID}", "--text", "{ROLES3}"], MEMBER_PS, "changes nothing"),
    # names like ../x and --foo: draft slugs, handles, version names
    (["draft", "add", "--title", "T", "--file", "{GOOD}", "--", "../x"], SECRETARIAT, "../x"),
    (["draft", "add", "--title", "T", "--file", "{GOOD}", "--", "--foo"], SECRETARIAT, "--foo"),
    (["draft", "add", "--title", "T", "--file", "{GOOD}", "--", "Caps"], SECRETARIAT, "Caps"),
    (
        [
            "member",
            "add",
            "--name",
            "N",
            "--email",
            "n@example.org",
            "--group",
            "governments",
            "--",
            "../x",
        ],
        SECRETARIAT,
        "../x",
    ),
    (
        [
            "member",
            "add",
            "--name",
            "N",
            "--email",
            "n@example.org",
            "--group",
            "governments",
            "--",
            "--foo",
        ],
        SECRETARIAT,
        "--foo",
    ),
    (
        [
            "member",
            "add",
            "okname",
            "--name",
            "N",
            "--email",
            "--upload-pack=x",
            "--group",
            "governments",
        ],
        SECRETARIAT,
        "email",
    ),
    (["tag", "principles", "--message", "m", "--", "../x"], SECRETARIAT, "../x"),
    (["tag", "principles", "--message", "m", "--", "--foo"], SECRETARIAT, "--foo"),
    (["tag", "principles", "v1.lock", "--message", "m"], SECRETARIAT, "v1.lock"),
    (["tag", "--message", "m", "--", "../x", "v1"], SECRETARIAT, "../x"),
    (["draft", "show", "principles", "--version", "../x"], None, "../x"),
    (["draft", "show", "principles", "--version=--foo"], None, "--foo"),
    (["draft", "show", "--", "--foo"], None, "--foo"),
    (["versions", "--", "../x"], None, "../x"),
    (["amendments", "--", "../x"], None, "../x"),
    ([*P[:1], "--paragraph", "1", "--text", "x", *R, "--", "--foo"], MEMBER_TECH, "--foo"),
    (["comment", "{ID}", "hi", "--reply-to", "../x"], MEMBER_TECH, "../x"),
    # text that is not valid Unicode (undecodable bytes from a terminal in another encoding)
    ([*P, "--paragraph", "2", "--text", "x", *R, "--title", "caf\udce9"], MEMBER_TECH, "Unicode"),
    ([*P, "--paragraph", "2", "--text", "caf\udce9", *R], MEMBER_TECH, "Unicode"),
    ([*P, "--paragraph", "2", "--text", "x", "--rationale", "caf\udce9"], MEMBER_TECH, "Unicode"),
    (
        [
            "member",
            "add",
            "zed",
            "--name",
            "Z\udce9",
            "--email",
            "zed@example.org",
            "--group",
            "governments",
        ],
        SECRETARIAT,
        "Unicode",
    ),
    (
        [
            "member",
            "add",
            "zed",
            "--name",
            "Zed",
            "--email",
            "z\udce9@example.org",
            "--group",
            "governments",
        ],
        SECRETARIAT,
        "Unicode",
    ),
    (["tag", "principles", "v1", "--message", "caf\udce9"], SECRETARIAT, "Unicode"),
    (["comment", "{ID}", "caf\udce9"], MEMBER_TECH, "Unicode"),
    # not a choice
    (["position", "{ID}", "maybe"], MEMBER_TECH, "maybe"),
    (["amendments", "--status", "pending"], None, "pending"),
    # files: non-UTF-8, over 1 MB, missing, a folder
    *[
        (args, actor, "UTF-8")
        for args, actor in [
            ([a.replace("{F}", "{NONUTF8}") for a in args], actor) for args, actor in FILE_CASES
        ]
    ],
    *[
        (args, actor, "1 MB")
        for args, actor in [
            ([a.replace("{F}", "{BIG}") for a in args], actor) for args, actor in FILE_CASES
        ]
    ],
    *[
        (args, actor, "nope.txt")
        for args, actor in [
            ([a.replace("{F}", "{MISSING}") for a in args], actor) for args, actor in FILE_CASES
        ]
    ],
    *[
        (args, actor, "folder")
        for args, actor in [
            ([a.replace("{F}", "{FOLDER}") for a in args], actor) for args, actor in FILE_CASES
        ]
    ],
]


@pytest.mark.parametrize(
    ("args", "actor", "expected"),
    BAD_INPUT,
    ids=[f"{i}-{' '.join(c[0])[:60]}" for i, c in enumerate(BAD_INPUT)],
)
def test_bad_input_is_refused_with_one_line(
    refusing_repo: tuple[Wg, dict[str, str]],
    snapshot_refs,
    args: list[str],
    actor: str | None,
    expected: str,
) -> None:
    wgcli, values = refusing_repo
    argv = []
    for arg in args:
        for key, value in values.items():
            arg = arg.replace("{" + key + "}", value)
        argv.append(arg)
    before = snapshot_refs(wgcli.repo)
    result = wgcli(*argv, actor=actor)
    error = one_line_error(result)
    assert expected in error, error
    assert snapshot_refs(wgcli.repo) == before
    assert git(wgcli.repo, "status", "--porcelain") == ""  # the checkout is untouched too


def test_ambiguous_prefix(wgcli: Wg, snapshot_refs) -> None:
    ids = iter(["abc00001", "abc00002", "abd00003"])

    def propose_with_fixed_id(actor: str, slug: str, number: int, old: str, new: str) -> str:
        # The id source is injected where the group is opened: no module global is patched.
        text = paragraph(wgcli, slug, number).replace(old, new, 1)
        with WorkingGroup.open(wgcli.repo, actor, ids=lambda: next(ids)) as wg:
            proposed = wg.amendments.propose(
                slug, kind=Kind.REPLACE, paragraph=number, text=text, rationale="Clearer."
            )
        return proposed.id

    a = propose_with_fixed_id(
        MEMBER_TECH, "principles", P5, FIRST_SENTENCE_WORDS, "protect and promote"
    )
    b = propose_with_fixed_id(
        MEMBER_CS, "principles", 6, "freedom of expression", "free expression"
    )
    c = propose_with_fixed_id(MEMBER_PS, "roles", 3, "the", "each")
    assert (a, b, c) == ("abc00001", "abc00002", "abd00003")
    before = snapshot_refs(wgcli.repo)
    for args, actor in (
        (["show", "abc"], None),
        (["merge", "ab"], CHAIR),
        (["position", "abc0", "support"], MEMBER_GOV),
    ):
        error = one_line_error(wgcli(*args, actor=actor))
        assert "ambiguous" in error and a in error and b in error, error
    assert snapshot_refs(wgcli.repo) == before
    assert show_json(wgcli, "abd")["id"] == c
    assert show_json(wgcli, "abc00002")["id"] == b


def test_identity_from_option_environment_or_git_email(example_repo: Path) -> None:
    runner = CliRunner()
    base = ["--repo", str(example_repo)]
    args = [
        "propose",
        "roles",
        "--paragraph",
        "3",
        "--text",
        "Changed text.",
        "--rationale",
        "r",
        "--json",
    ]

    def proposer(*extra: str, env: dict[str, str] | None = None) -> str | None:
        result = runner.invoke(cli, [*base, *extra, *args], env=env, catch_exceptions=False)
        return json.loads(result.stdout)["proposer"] if result.exit_code == 0 else None

    # Nobody: git's user.email (runner@example.invalid) is not in the roster.
    result = runner.invoke(cli, [*base, *args], catch_exceptions=False)
    assert "--as" in one_line_error(result)
    assert proposer(env={"WGTOOL_MEMBER": MEMBER_CS}) == MEMBER_CS
    assert proposer("--as", MEMBER_GOV, env={"WGTOOL_MEMBER": MEMBER_CS}) == MEMBER_GOV
    git(example_repo, "config", "user.email", "Kenji.Watanabe@example.net")
    assert proposer() == MEMBER_PS
    # Without --repo: the working group around the current folder.
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(example_repo / "drafts")
        result = runner.invoke(cli, ["--as", MEMBER_TECH, *args], catch_exceptions=False)
        assert json.loads(result.stdout)["proposer"] == MEMBER_TECH
    # WGTOOL_REPO finds the repository without --repo.
    result = runner.invoke(
        cli,
        ["--as", MEMBER_TECH, *args],
        env={"WGTOOL_REPO": str(example_repo)},
        catch_exceptions=False,
    )
    assert json.loads(result.stdout)["proposer"] == MEMBER_TECH


def test_not_a_working_group(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        cli, ["--repo", str(tmp_path), "amendments"], catch_exceptions=False
    )
    assert "init" in one_line_error(result)
    subprocess.run(["git", "init", "-q", str(tmp_path / "plain")], check=True)
    result = CliRunner().invoke(
        cli, ["--repo", str(tmp_path / "plain"), "draft", "list"], catch_exceptions=False
    )
    assert "wg.toml" in one_line_error(result)


# ---------------------------------------------------------------------------------------------
# One label per kind and status, in every face
# ---------------------------------------------------------------------------------------------

KIND_FACES = {
    # option, paragraph: the amendments table's target, show's place, the compilation's heading
    "--paragraph": ("¶3", "paragraph 3", "Paragraph 3"),
    "--insert-after": ("+3", "new paragraph after 3", "New paragraph after 3"),
    "--delete": ("-3", "deletion of paragraph 3", "Deletion of paragraph 3"),
    "--from-file": ("-", "whole draft", "Whole draft"),
}


def test_every_kind_has_one_target_and_place_in_list_show_and_compilation(
    wgcli: Wg, tmp_path: Path
) -> None:
    from wgtool.core.model import Kind
    from wgtool.tui.screens.queue import target_label

    whole = tmp_path / "whole.md"
    whole.write_text(draft_json(wgcli, "principles")["text"] + "\nA closing paragraph.\n")
    ids = {}
    for option, _ in KIND_FACES.items():
        args = ["propose", "principles", option]
        if option == "--from-file":
            args.append(str(whole))
        else:
            args.append("3")
            if option != "--delete":
                args += ["--text", "A paragraph of its own."]
        ids[option] = wgcli.ok(*args, "--rationale", "Because.", actor=MEMBER_TECH).strip()
    table = {line.split()[0]: line.split()[2] for line in wgcli.ok("amendments").splitlines()}
    compilation = wgcli.ok("export", "principles", "--format", "compilation")
    with WorkingGroup.open(wgcli.repo) as wg:
        found = {a.id: a for a in wg.amendments.amendments()}
    for option, (target, place, heading) in KIND_FACES.items():
        amendment_id = ids[option]
        assert table[amendment_id] == target
        assert f"Draft:     principles ({place})\n" in wgcli.ok("show", amendment_id)
        number = found[amendment_id].number
        assert f"<h2>{heading} — Am. {number} ({amendment_id})</h2>" in compilation
        a = found[amendment_id]
        assert a.place == place
        assert target_label(a) == (target if target != "-" else "doc")
        # The title an amendment gets without one: what the core writes today.
        number = None if a.kind is Kind.DOCUMENT else 3
        assert a.title == a.kind.default_title(number, "principles")


def test_a_lapsed_amendment_says_why_in_show_and_compilation(wgcli: Wg) -> None:
    from wgtool.core.model import Status

    deletion = wgcli.ok(
        "propose", "principles", "--delete", "2", "--rationale", "Gone.", actor=MEMBER_TECH
    ).strip()
    other = wgcli.ok(
        "propose",
        "principles",
        "--paragraph",
        "2",
        "--text",
        "Another wording.",
        "--rationale",
        "Better.",
        actor=MEMBER_PS,
    ).strip()
    wgcli.ok("merge", agree_cli(wgcli, deletion), actor=CHAIR)
    assert amendments_json(wgcli, "--status", "lapsed")[0]["id"] == other
    phrase = "lapsed (its paragraph is no longer in the draft)"
    assert Status.LAPSED.label == "lapsed"
    assert f"Status:    {phrase}\n" in wgcli.ok("show", other)
    assert f"status: {phrase};" in wgcli.ok("export", "principles", "--format", "compilation")


def test_json_documents_keep_their_fields_in_order(wgcli: Wg) -> None:
    """The --json documents the model types write (to_dict) are the ones scripts rely on."""
    amendment_id = propose_edit(wgcli, MEMBER_TECH, "principles", 5, "global", "truly global")
    wgcli.ok("position", amendment_id, "support", actor=MEMBER_CS)
    wgcli.ok("tag", "principles", "v1", "--message", "First reading.", actor=SECRETARIAT)

    shown = draft_json(wgcli, "principles", "--version", "v1")
    # "statements": the reservations and explanations of position standing on the version
    assert list(shown) == ["slug", "title", "version", "text", "paragraphs", "statements"]
    assert shown["version"] == "v1" and list(shown["paragraphs"][0]) == [
        "number",
        "label",
        "text",
        "brackets",
    ]
    assert draft_json(wgcli, "principles")["version"] is None

    (version,) = json.loads(wgcli.ok("versions", "principles", "--json"))
    assert list(version) == ["draft", "name", "tag", "commit", "message", "tagger", "tagged_at"]
    assert (version["name"], version["tag"]) == ("v1", "principles/v1")

    settings = json.loads(wgcli.ok("settings", "--json"))
    assert list(settings) == ["title", "groups", "signatures", "publish", "consensus"]
    assert list(settings["consensus"]) == [
        "rule",
        "min_supporting_groups",
        "max_objecting_groups",
        "require_all_groups_heard",
    ]
    assert settings["consensus"]["rule"].startswith("at least 1 supporting group(s)")

    (listed,) = amendments_json(wgcli)
    assert list(listed)[-2:] == ["consensus", "consensus_summary"]
    assert (listed["consensus"], listed["consensus_summary"]) == ("consensus", "S1 N0 O0 ?4")

    shown_amendment = show_json(wgcli, amendment_id)
    assert list(shown_amendment)[-8:] == [
        "old_text",
        "new_text",
        "diff",
        "consensus",
        "events",
        "alternatives",
        "cosponsors",
        "language",
    ]
    assert shown_amendment["language"] == "en"
    assert any(op["op"] == "insert" and "truly" in op["text"] for op in shown_amendment["diff"])
    assert all(list(op) == ["op", "text"] for op in shown_amendment["diff"])


# ---------------------------------------------------------------------------------------------
# Errors: one hierarchy in the core, one table of exit codes at the command line's edge
# ---------------------------------------------------------------------------------------------


def test_every_error_of_the_core_exits_with_the_code_the_readme_documents() -> None:
    """The README's line of exit codes is the contract: each error of the core exits with the
    code documented for what it means (an error is what its nearest documented base is)."""
    import inspect

    from wgtool.cli import EXIT_CODES, exit_code_of
    from wgtool.core import errors

    readme = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    line = re.search(r"Exit codes: (.*?)\.\n\S", readme, re.S)
    assert line, "the README documents the exit codes"
    documented = {
        " ".join(meaning.split()): int(code)
        for code, meaning in re.findall(r"(\d) ([^,]+)", line.group(1))
    }
    # What each documented meaning is in the core's error family.
    meaning_of = {
        errors.WgError: "not possible now",
        errors.NotFound: "not found",
        errors.StateError: "not possible now",
        errors.InvalidInput: "bad input",
        errors.MergeConflict: "merge conflict",
        errors.PermissionDenied: "role or ownership missing",
        errors.SyncError: "sync problem",
        NoConsensus: "no consensus",
        errors.ConcurrentUpdate: "the record kept changing while writing",
        errors.LostRace: "the record kept changing while writing",
    }

    def documented_code(kind: type[errors.WgError]) -> int:
        for base in kind.__mro__:
            if base in meaning_of:
                phrase = meaning_of[base]
                codes = {code for text, code in documented.items() if phrase in text}
                assert len(codes) == 1, f"the README documents {phrase!r} once: {documented}"
                return codes.pop()
        raise AssertionError(f"{kind.__name__} means nothing the README documents")

    def family(kind: type[errors.WgError]) -> set[type[errors.WgError]]:
        return {kind}.union(*(family(sub) for sub in kind.__subclasses__()))

    # The core's whole error family, wherever an error is defined (NoConsensus lives beside
    # the consensus it carries).
    kinds = [kind for kind in family(errors.WgError) if kind.__module__.startswith("wgtool.")]
    assert {kind for _, kind in inspect.getmembers(errors, inspect.isclass)} & set(kinds)
    assert NoConsensus in kinds
    assert set(EXIT_CODES) <= set(kinds)
    for kind in kinds:
        assert exit_code_of(kind) == documented_code(kind), kind.__name__
    # Every documented failure is some error's code, and 0 is success.
    assert {exit_code_of(kind) for kind in kinds} == set(documented.values()) - {0}


def test_a_race_lost_outside_the_retries_is_one_line_and_exit_7(
    wgcli: Wg, monkeypatch: pytest.MonkeyPatch, snapshot_refs
) -> None:
    from wgtool.core.errors import LostRace

    amendment_id = propose_edit(wgcli, MEMBER_TECH, "principles", 5, "global", "truly global")
    before = snapshot_refs(wgcli.repo)

    def lose(self: DeliberationDesk, *args: object, **kwargs: object) -> None:
        raise LostRace("refs/heads/main")

    monkeypatch.setattr(DeliberationDesk, "reject", lose)
    result = wgcli("reject", amendment_id, "--reason", "No.", actor=CHAIR)
    assert result.exit_code == 7
    assert result.stderr == (
        "wgtool: refs/heads/main moved while this was being written: try again\n"
    )
    assert result.stdout == ""
    assert snapshot_refs(wgcli.repo) == before


def test_a_race_lost_inside_a_write_is_retried_on_top_of_the_winner(
    example_repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.conftest import plant_on_main
    from wgtool.core.errors import LostRace, WgError
    from wgtool.core.record.gitstore import GitStore

    assert issubclass(LostRace, WgError)
    real_update_ref = GitStore.update_ref
    lost: list[str] = []

    def update_ref_after_a_rival(self: GitStore, ref: str, *args: object, **kwargs: object) -> None:
        if ref == "refs/heads/main" and not lost:
            lost.append(plant_on_main(example_repo, {"notes.md": b"The rival was first.\n"}))
        real_update_ref(self, ref, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(GitStore, "update_ref", update_ref_after_a_rival)
    with WorkingGroup.open(example_repo, SECRETARIAT) as wg:
        wg.secretariat.update_settings(min_supporting_groups=2)
        main = wg.record.main()
    assert lost and git(example_repo, "rev-parse", f"{main}^").strip() == lost[0]
    assert "min_supporting_groups = 2" in show_file(example_repo, main, "wg.toml")
    assert show_file(example_repo, main, "notes.md") == "The rival was first.\n"
