"""What a newcomer meets in their first hour on the command line, each friction found on a fresh
clone tried as a new user would: the real CLI (click's runner, or real processes where the
shell matters) on real repositories."""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.conftest import (
    CHAIR,
    MEMBER_CS,
    MEMBER_GOV,
    MEMBER_PS,
    MEMBER_TECH,
    SECRETARIAT,
    Wg,
    git,
)
from wgtool.cli import cli
from wgtool.core.agreement import in_words


def one_line_error(result, code: int) -> str:  # type: ignore[no-untyped-def]
    """A refusal: exit ``code``, one line on stderr, nothing on stdout."""
    assert result.exit_code == code, (result.exit_code, result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("wgtool: "), result.stderr
    assert result.stdout == ""
    return lines[0]


def propose(wgcli: Wg, actor: str, old: str, new: str, paragraph: int = 5) -> str:
    with_text = wgcli.ok("draft", "show", "principles", "--paragraph", str(paragraph), "--json")
    text = json.loads(with_text)["text"]
    assert old in text
    return wgcli.ok(
        "propose",
        "principles",
        "--paragraph",
        str(paragraph),
        "--text",
        text.replace(old, new, 1),
        "--rationale",
        "Clearer.",
        actor=actor,
    ).strip()


def merged(wgcli: Wg, actor: str, old: str, new: str, paragraph: int = 5) -> str:
    amendment = propose(wgcli, actor, old, new, paragraph)
    supporter = MEMBER_CS if actor != MEMBER_CS else MEMBER_GOV
    wgcli.ok("position", amendment, "support", actor=supporter)
    wgcli.ok("merge", amendment, actor=CHAIR)
    return amendment


def wgtool_process(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """``wgtool`` as a real process, the way a member types it in a folder."""
    return subprocess.run(
        [sys.executable, "-m", "wgtool", *args], cwd=cwd, capture_output=True, text=True
    )


# -- the example group ----------------------------------------------------------------------------


def test_init_example_circulates_each_draft_as_its_first_reading(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["init", str(tmp_path / "wg"), "--example"])
    assert result.exit_code == 0, result.output
    assert "tagged 'first-reading'" in result.stdout
    wgcli = Wg(tmp_path / "wg")
    for slug in ("principles", "roles"):
        [version] = json.loads(wgcli.ok("versions", slug, "--json"))
        assert version["name"] == "first-reading"
        assert version["tagger"] == "Elena Petrova"  # the example's secretariat
    # What the walkthrough does next: a redline from the first reading.
    amendment = merged(wgcli, MEMBER_TECH, "global and", "global, secure and")
    redline = wgcli.ok("redline", "principles", "first-reading", "main")
    assert redline.startswith("Redline of principles from first-reading to main")
    assert "global{+, secure+} and" in redline and amendment in redline
    assert wgcli.ok("verify").startswith("checked")


# -- who is acting --------------------------------------------------------------------------------


def test_an_unknown_member_is_refused_for_reads_too(wgcli: Wg, snapshot_refs) -> None:
    amendment = propose(wgcli, MEMBER_TECH, "global and", "global, secure and")
    before = snapshot_refs(wgcli.repo)
    for args in (("show", amendment), ("amendments",), ("draft", "show", "principles")):
        assert "no member 'nobody'" in one_line_error(wgcli(*args, actor="nobody"), 1)
    assert snapshot_refs(wgcli.repo) == before
    # The environment names a member the same way --as does.
    result = CliRunner(env={"WGTOOL_MEMBER": "nobody"}).invoke(
        cli, ["--repo", str(wgcli.repo), "show", amendment]
    )
    assert "no member 'nobody'" in one_line_error(result, 1)
    assert wgcli.ok("show", amendment, actor=MEMBER_PS).startswith(f"Amendment {amendment}")


def test_the_first_member_may_name_themselves_before_they_are_in_the_roster(
    tmp_path: Path,
) -> None:
    CliRunner().invoke(cli, ["init", str(tmp_path / "wg")], catch_exceptions=False)
    wgcli = Wg(tmp_path / "wg")
    wgcli.ok(
        "member", "add", "asmith", "--name", "Ada Smith", "--email", "ada@example.org",
        "--group", "governments", "--role", "secretariat", actor="asmith",
    )  # fmt: skip
    assert "asmith" in wgcli.ok("member", "list", actor="asmith")


# -- merging ----------------------------------------------------------------------------------


def test_a_dry_run_on_a_merged_amendment_is_refused_as_the_merge_is(
    wgcli: Wg, snapshot_refs
) -> None:
    amendment = merged(wgcli, MEMBER_TECH, "global and", "global, secure and")
    before = snapshot_refs(wgcli.repo)
    refused = one_line_error(wgcli("merge", amendment, actor=CHAIR), 1)
    assert refused == f"wgtool: cannot merge amendment {amendment}: it is merged"
    for extra in ((), ("--json",)):
        dry = wgcli("merge", amendment, "--dry-run", *extra, actor=MEMBER_PS)
        assert one_line_error(dry, 1) == refused
    assert snapshot_refs(wgcli.repo) == before


def test_consensus_reads_as_words_not_as_consensus_consensus(wgcli: Wg) -> None:
    amendment = propose(wgcli, MEMBER_TECH, "global and", "global, secure and")
    assert "Consensus: not reached yet (" in wgcli.ok("show", amendment)
    wgcli.ok("position", amendment, "object", "--reason", "Too vague.", actor=MEMBER_PS)
    shown = wgcli.ok("show", amendment)
    assert "Consensus: not reached: a group objects (" in shown
    assert "kwatanabe: object: Too vague." in shown
    wgcli.ok("position", amendment, "no-objection", actor=MEMBER_PS)
    wgcli.ok("position", amendment, "support", actor=MEMBER_CS)
    shown = wgcli.ok("show", amendment)
    assert "Consensus: reached (at least 1 supporting group(s), no objection)" in shown
    dry = wgcli.ok("merge", amendment, "--dry-run", actor=CHAIR)
    assert "Consensus: reached; supporting: civil-society; objecting: none;" in dry
    for output in (shown, dry):
        assert "consensus: consensus" not in output.lower()


def test_the_chairs_dry_run_says_why_each_group_objects(wgcli: Wg) -> None:
    amendment = propose(wgcli, MEMBER_TECH, "global and", "global, secure and")
    wgcli.ok("position", amendment, "object", "--reason", "Too vague.", actor=MEMBER_PS)
    wgcli.ok("position", amendment, "object", actor=MEMBER_CS)  # no reason given
    wgcli.ok("position", amendment, "object", "--reason", "Mine.", actor=MEMBER_TECH)
    dry = wgcli("merge", amendment, "--dry-run", actor=CHAIR)
    assert dry.exit_code == 6, dry.output
    objections = [line for line in dry.stdout.splitlines() if line.startswith("Objection")]
    assert objections == [  # in the groups' order; the proposer's own is not counted
        "Objection: kwatanabe (Private sector): Too vague.",
        "Objection: ndlamini (Civil society): no reason given",
    ]
    wgcli.ok("position", amendment, "support", actor=MEMBER_PS)
    wgcli.ok("position", amendment, "support", actor=MEMBER_CS)
    assert "Objection" not in wgcli.ok("merge", amendment, "--dry-run", actor=CHAIR)


# -- redlines ---------------------------------------------------------------------------------


def test_a_redline_names_its_versions_and_says_when_nothing_changed(wgcli: Wg) -> None:
    wgcli.ok("tag", "principles", "v1", "--message", "First", actor=SECRETARIAT)
    same = wgcli.ok("redline", "principles", "v1", "v1")
    assert same == "Redline of principles from v1 to v1\n\nNo changes: v1 and v1 read the same.\n"
    assert "No changes: v1 and main read the same." in wgcli.ok("redline", "principles")
    amendment = merged(wgcli, MEMBER_TECH, "global and", "global, secure and")
    default = wgcli.ok("redline", "principles")
    assert default.startswith("Redline of principles from v1 to main (the current text)\n")
    # main names the current text, as concordance takes it.
    assert wgcli.ok("redline", "principles", "v1", "main") == default
    assert amendment in default and "global{+, secure+} and" in default
    wgcli.ok("tag", "principles", "v2", "--message", "Second", actor=SECRETARIAT)
    both = json.loads(wgcli.ok("redline", "principles", "v1", "main", "--json"))
    assert [e["new_label"] for e in both["entries"] if e["changed"]] == ["5"]
    assert wgcli.ok("concordance", "principles", "v1", "main")


def test_main_cannot_be_a_version_name(wgcli: Wg, snapshot_refs) -> None:
    before = snapshot_refs(wgcli.repo)
    refused = one_line_error(
        wgcli("tag", "principles", "main", "--message", "x", actor=SECRETARIAT), 2
    )
    assert "'main' names the current text" in refused
    silence = wgcli(
        "silence", "start", "principles", "--until", "72h", "--message", "x",
        "--version", "main", actor=CHAIR,
    )  # fmt: skip
    assert "'main' names the current text" in one_line_error(silence, 2)
    assert snapshot_refs(wgcli.repo) == before


# -- blame ------------------------------------------------------------------------------------


def test_blame_keeps_each_groups_whole_label(wgcli: Wg) -> None:
    merged(wgcli, "falsayed", "global and", "global, secure and")
    shown = wgcli.ok("blame", "principles", "--by", "group")
    label = "Intergovernmental and international organisations [intergovernmental]"
    row = next(line for line in shown.splitlines() if line.startswith(label))
    assert row.split()[-2:] == ["1", "(100.0%)"]
    header = next(line for line in shown.splitlines() if line.startswith("group "))
    words_end = header.index("words") + len("words")  # the count ends under its heading
    assert row[:words_end].split()[-1].isdigit() and row[words_end] == " "


# -- silences ---------------------------------------------------------------------------------


def test_a_72_hour_silence_has_3_days_left(wgcli: Wg) -> None:
    wgcli.ok("silence", "start", "principles", "--until", "72h", "--message", "Adopt", actor=CHAIR)
    assert "running (3 days left)" in wgcli.ok("silence", "list")


@pytest.mark.parametrize(
    ("seconds", "words"),
    [
        (72 * 3600 - 5, "3 days"),
        (72 * 3600 - 25 * 60, "3 days"),
        (71 * 3600 + 20 * 60, "2 days 23 hours"),
        (24 * 3600 - 20 * 60, "1 day"),
        (23 * 3600 + 20 * 60, "23 hours 20 minutes"),
        (48 * 3600, "2 days"),
        (5 * 3600 + 12 * 60 + 10, "5 hours 12 minutes"),
        (3600, "1 hour"),
        (89, "1 minute"),
        (59, "59 seconds"),
        (1, "1 second"),
        (-90, "2 minutes"),
    ],
)
def test_durations_in_words(seconds: int, words: str) -> None:
    assert in_words(seconds) == words


# -- documents --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fmt", "name"),
    [
        ("markdown", "text.md"),
        ("html", "text.html"),
        ("redline", "redline.html"),
        ("compilation", "compilation.html"),
        ("akn", "text.xml"),
        ("akn-amendments", "amendments.xml"),
        ("docx", "text.docx"),
    ],
)
def test_every_export_to_a_file_says_where_it_wrote(
    wgcli: Wg, tmp_path: Path, fmt: str, name: str
) -> None:
    wgcli.ok("tag", "principles", "v1", "--message", "First", actor=SECRETARIAT)
    target = tmp_path / name
    said = wgcli.ok("export", "principles", "--format", fmt, "-o", str(target))
    assert said == f"Wrote {target}\n"
    assert target.stat().st_size > 0


# -- verify -----------------------------------------------------------------------------------


def test_verify_prints_one_json_document(wgcli: Wg) -> None:
    merged(wgcli, MEMBER_TECH, "global and", "global, secure and")
    report = json.loads(wgcli.ok("verify", "--json"))
    assert report["ok"] is True and report["problems"] == []
    assert report["merges"] == 1 and report["commits"] >= 4 and report["tags"] == 0
    assert report["overridden"] == [] and report["allowed_signers"] is None
    # A main commit written with plain git by a member who may not move main.
    from tests.conftest import plant_commit

    forged = plant_commit(
        wgcli.repo,
        "refs/heads/main",
        {"drafts/principles.md": b"# Replaced\n"},
        "Rewrite the principles\n\nMember: mchen\n",
        author=("Mei-Ling Chen", "meiling.chen@example.net"),
    )
    failed = wgcli("verify", "--json")
    assert failed.exit_code == 1
    report = json.loads(failed.stdout)
    assert report["ok"] is False
    assert any(forged[:10] in line for line in report["problems"]), report["problems"]


# -- versions and ad referendum ---------------------------------------------------------------


def test_a_version_records_the_paragraphs_pending_ad_referendum(wgcli: Wg) -> None:
    wgcli.ok("agree", "principles", "--paragraph", "5", "--ad-ref", "--pending-on",
             "governments", actor=CHAIR)  # fmt: skip
    wgcli.ok("agree", "principles", "--paragraph", "7", "--ad-ref", "--pending-on",
             "private-sector,ndlamini", actor=CHAIR)  # fmt: skip
    wgcli.ok("agree", "principles", "--paragraph", "9", actor=CHAIR)
    said = wgcli.ok("tag", "principles", "v1", "--message", "Agreed", actor=SECRETARIAT)
    note = "2 pending: ¶5 on governments; ¶7 on private-sector, ndlamini"
    assert f"Agreed ad referendum, recorded in the tag: {note}" in said
    tag = git(wgcli.repo, "cat-file", "-p", "refs/tags/principles/v1")
    assert f"Ad-Referendum: {note}\n" in tag
    # The capital confirms: the next version records nothing pending.
    wgcli.ok("agree", "principles", "--paragraph", "5", actor=CHAIR)
    wgcli.ok("agree", "principles", "--paragraph", "7", actor=CHAIR)
    said = wgcli.ok("tag", "principles", "v2", "--message", "Confirmed", actor=SECRETARIAT)
    assert "ad referendum" not in said
    assert "Ad-Referendum" not in git(wgcli.repo, "cat-file", "-p", "refs/tags/principles/v2")
    assert json.loads(wgcli.ok("verify", "--json"))["ok"] is True


# -- placeholders -----------------------------------------------------------------------------


def test_placeholder_text_is_recorded_with_a_warning(wgcli: Wg) -> None:
    result = wgcli(
        "propose", "principles", "--paragraph", "5", "--text",
        "Enhanced cooperation should ... secure and interoperable Internet. ...",
        "--rationale", "R", actor=MEMBER_TECH,
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    amendment = result.stdout.strip()
    warnings = result.stderr.strip().splitlines()
    assert warnings == [
        "wgtool: warning: --text holds '...', which reads like a placeholder from an example: "
        "it was recorded as written",
        "wgtool: warning: --rationale is 'R', which reads like a placeholder from an example: "
        "it was recorded as written",
    ]
    shown = json.loads(wgcli.ok("show", amendment, "--json"))
    assert shown["new_text"].endswith("Internet. ...") and shown["rationale"] == "R"
    commented = wgcli("comment", amendment, "TEXT", actor=MEMBER_CS)
    assert commented.exit_code == 0
    assert "the text is 'TEXT'" in commented.stderr
    # Real text says nothing; a refusal stays one line, with no warning.
    assert wgcli("comment", amendment, "Fine by us.", actor=MEMBER_PS).stderr.count("warning") == 0
    refused = wgcli("comment", amendment, "...", actor="nobody")
    assert "no member 'nobody'" in one_line_error(refused, 1)


# -- sharing ----------------------------------------------------------------------------------


def test_the_remote_init_bare_prints_is_reached_from_inside_the_group(tmp_path: Path) -> None:
    made = wgtool_process("init", "--bare", "wg.git", cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    add = next(line.strip() for line in made.stdout.splitlines() if "git remote add origin" in line)
    assert wgtool_process("init", "wg", "--example", cwd=tmp_path).returncode == 0
    group = tmp_path / "wg"
    # The line as printed, typed in the working group's own folder.
    subprocess.run(shlex.split(add), cwd=group, check=True)
    synced = wgtool_process("--as", SECRETARIAT, "sync", cwd=group)
    assert synced.returncode == 0, synced.stderr
    assert git(tmp_path / "wg.git", "rev-parse", "main") == git(group, "rev-parse", "main")
    guard = next(line for line in made.stdout.splitlines() if "wgtool guard install" in line)
    assert os.fspath(tmp_path / "wg.git") in guard
