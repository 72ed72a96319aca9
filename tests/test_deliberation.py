"""Deliberation: positions by stakeholder group, comments and replies, revisions, the consensus
matrix and its rule, decisions as events, and member text shown safely."""

from __future__ import annotations

import json
import subprocess
import tomllib
from pathlib import Path

import pytest
import tomli_w

from tests.conftest import (
    CHAIR,
    MEMBER_CS,
    MEMBER_GOV,
    MEMBER_PS,
    MEMBER_TECH,
    SECRETARIAT,
    Wg,
    written_before_controls_were_refused,
)
from tests.forge import Forger
from wgtool.core import document
from wgtool.core.desks import WorkingGroup
from wgtool.core.errors import NotFound, PermissionDenied, StateError
from wgtool.core.model import GroupState, Kind

GOVERNMENTS = [CHAIR, MEMBER_GOV, "amoreira"]  # three members, one group


def git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-C", str(repo), *args], capture_output=True, text=True, check=True
    ).stdout


def one_line_error(result) -> str:  # type: ignore[no-untyped-def]
    assert result.exit_code != 0, result.stdout
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.output and result.stdout == ""
    return lines[0]


def propose(wg: WorkingGroup, handle: str = MEMBER_PS, number: int = 5) -> str:
    text = document.paragraph(wg.drafts.draft("principles").text, number).text
    wg.record.act_as(handle)
    return wg.amendments.propose(
        "principles",
        kind=Kind.REPLACE,
        paragraph=number,
        text=text.replace("the", "each", 1),
        rationale="Clearer.",
    ).id


def take(wg: WorkingGroup, amendment_id: str, *positions: tuple[str, str]) -> None:
    for handle, stance in positions:
        wg.record.act_as(handle)
        wg.deliberation.position(amendment_id, stance, reason=f"{handle}: {stance}")


def matrix(wg: WorkingGroup, amendment_id: str) -> tuple[str, dict[str, str]]:
    c = wg.deliberation.consensus(wg.amendments.amendment(amendment_id))
    return c.state, {g.group: g.state for g in c.groups}


def set_consensus_rule(repo: Path, **rule: object) -> None:
    """The secretariat changes wg.toml with plain git, as a secretariat member would."""
    settings = tomllib.loads((repo / "wg.toml").read_text())
    settings.setdefault("consensus", {}).update(rule)
    (repo / "wg.toml").write_text(tomli_w.dumps(settings))
    env = ["-c", "user.name=Elena Petrova", "-c", "user.email=elena.petrova@example.org"]
    git(repo, *env, "commit", "-q", "-am", "Change the consensus rule\n\nMember: epetrova")


@pytest.fixture
def amendment(wgcli: Wg) -> str:
    with WorkingGroup.open(wgcli.repo) as wg:
        return propose(wg)


def show_json(wgcli: Wg, amendment_id: str, actor: str | None = None) -> dict:
    return json.loads(wgcli.ok("show", amendment_id, "--json", actor=actor))


# ---------------------------------------------------------------------------------------------
# Positions
# ---------------------------------------------------------------------------------------------


def test_positions_with_reasons_by_group(wgcli: Wg, amendment: str) -> None:
    taken = {
        MEMBER_GOV: ("support", "We like it."),
        MEMBER_CS: ("no-objection", "We can live with it."),
        MEMBER_TECH: ("abstain", ""),
        "falsayed": ("object", "Outside the mandate."),
    }
    for handle, (stance, reason) in taken.items():
        args = ["position", amendment, stance] + (["--reason", reason] if reason else [])
        out = wgcli.ok(*args, actor=handle)
        assert stance in out
    consensus = show_json(wgcli, amendment)["consensus"]
    seen = {
        p["member"]: (p["stance"], p["reason"]) for g in consensus["groups"] for p in g["positions"]
    }
    assert seen == taken
    groups = {g["group"]: g["state"] for g in consensus["groups"]}
    assert groups == {
        "governments": "support",
        "private-sector": "not heard",
        "civil-society": "no-objection",
        "technical-academic": "abstain",
        "intergovernmental": "object",
    }
    assert consensus["state"] == "objection"
    human = wgcli.ok("show", amendment)
    for handle, (stance, reason) in taken.items():
        assert f"{handle}: {stance}" in human
        assert reason in human
    assert "not heard" in human


def test_a_new_position_replaces_the_old_and_history_stays(wgcli: Wg, amendment: str) -> None:
    wgcli.ok("position", amendment, "object", "--reason", "Too broad.", actor=MEMBER_CS)
    assert show_json(wgcli, amendment)["consensus"]["state"] == "objection"
    wgcli.ok("position", amendment, "support", "--reason", "Convinced.", actor=MEMBER_CS)
    data = show_json(wgcli, amendment)
    civil = next(g for g in data["consensus"]["groups"] if g["group"] == "civil-society")
    assert [(p["member"], p["stance"], p["reason"]) for p in civil["positions"]] == [
        (MEMBER_CS, "support", "Convinced.")
    ]
    assert data["consensus"]["state"] == "consensus"
    # The record keeps both: two position events, two files under refs/wg/events/<id>.
    positions = [e for e in data["events"] if e["type"] == "position"]
    assert [(e["member"], e["stance"]) for e in positions] == [
        (MEMBER_CS, "object"),
        (MEMBER_CS, "support"),
    ]
    files = git(wgcli.repo, "ls-tree", "--name-only", f"refs/wg/events/{amendment}", "events/")
    assert len(files.split()) == 2
    assert int(git(wgcli.repo, "rev-list", "--count", f"refs/wg/events/{amendment}")) == 2


def test_positions_are_refused_on_closed_amendments(
    wgcli: Wg, amendment: str, snapshot_refs
) -> None:
    wgcli.ok("reject", amendment, "--reason", "No.", actor=CHAIR)
    before = snapshot_refs(wgcli.repo)
    assert "rejected" in one_line_error(wgcli("position", amendment, "support", actor=MEMBER_CS))
    assert snapshot_refs(wgcli.repo) == before


# ---------------------------------------------------------------------------------------------
# The consensus matrix and its rule
# ---------------------------------------------------------------------------------------------


def test_governments_count_once_whatever_their_number(open_wg) -> None:
    wg = open_wg(MEMBER_PS)
    a = propose(wg)
    take(wg, a, *[(h, "support") for h in GOVERNMENTS])
    state, groups = matrix(wg, a)
    assert (state, groups["governments"]) == ("consensus", "support")
    c = wg.deliberation.consensus(wg.amendments.amendment(a))
    gov = next(g for g in c.groups if g.group == "governments")
    assert sorted(p.member for p in gov.positions) == sorted(GOVERNMENTS)
    assert c.counts()[GroupState.SUPPORT] == 1  # three governments, one supporting group
    # One objecting group outweighs any number of supporting governments.
    take(wg, a, (MEMBER_TECH, "object"))
    assert matrix(wg, a)[0] == "objection"
    # One government objecting puts the governments' group at "object".
    b = propose(wg, number=6)
    take(wg, b, (CHAIR, "support"), (MEMBER_GOV, "support"), ("amoreira", "object"))
    assert matrix(wg, b) == ("objection", {**matrix(wg, b)[1], "governments": "object"})


def test_default_rule(open_wg) -> None:
    wg = open_wg(MEMBER_PS)
    a = propose(wg)
    assert matrix(wg, a)[0] == "pending"  # nobody heard yet
    take(wg, a, (MEMBER_CS, "no-objection"), (MEMBER_TECH, "abstain"))
    assert matrix(wg, a)[0] == "pending"  # no supporting group
    take(wg, a, (MEMBER_PS, "support"))
    assert matrix(wg, a)[0] == "pending"  # the proposer alone is no consensus
    take(wg, a, ("cdubois", "support"))  # another member of the proposer's group
    assert matrix(wg, a)[0] == "consensus"
    take(wg, a, ("falsayed", "object"))
    assert matrix(wg, a)[0] == "objection"
    take(wg, a, ("falsayed", "no-objection"))
    assert matrix(wg, a)[0] == "consensus"


def test_a_changed_rule_in_wg_toml_changes_the_state(wgcli: Wg, example_repo: Path) -> None:
    with WorkingGroup.open(example_repo) as wg:
        a = propose(wg)
        take(wg, a, *[(h, "support") for h in GOVERNMENTS], ("falsayed", "object"))

    def state() -> str:
        return show_json(wgcli, a)["consensus"]["state"]

    assert state() == "objection"
    set_consensus_rule(example_repo, max_objecting_groups=1)
    assert state() == "consensus"
    # Two supporting groups needed: three governments are still one group.
    set_consensus_rule(example_repo, min_supporting_groups=2)
    assert state() == "pending"
    assert "2 supporting" in show_json(wgcli, a)["consensus"]["rule"]
    wgcli.ok("position", a, "support", actor=MEMBER_TECH)
    assert state() == "consensus"
    # Every group must be heard.
    set_consensus_rule(example_repo, require_all_groups_heard=True)
    assert state() == "pending"
    wgcli.ok("position", a, "abstain", actor=MEMBER_CS)
    assert state() == "pending"
    wgcli.ok("position", a, "no-objection", actor=MEMBER_PS)
    assert state() == "pending"  # the proposer's own position does not count
    wgcli.ok("position", a, "no-objection", actor="cdubois")
    assert state() == "consensus"
    # The listing uses the same rule.
    listed = json.loads(wgcli.ok("amendments", "--json"))
    assert [x["consensus"] for x in listed] == ["consensus"]


# ---------------------------------------------------------------------------------------------
# Revisions and stale positions
# ---------------------------------------------------------------------------------------------


def test_revision_by_the_proposer_makes_positions_stale(
    wgcli: Wg, amendment: str, snapshot_refs
) -> None:
    repo = wgcli.repo
    wgcli.ok("position", amendment, "support", "--reason", "Good.", actor=MEMBER_CS)
    assert show_json(wgcli, amendment)["consensus"]["state"] == "consensus"
    # Only the proposer revises.
    before = snapshot_refs(repo)
    for other in (MEMBER_CS, CHAIR, SECRETARIAT):
        error = one_line_error(wgcli("revise", amendment, "--text", "Other text.", actor=other))
        assert "proposer" in error
    assert snapshot_refs(repo) == before
    first_head = git(repo, "rev-parse", f"refs/wg/amendments/{amendment}").strip()
    wgcli.ok(
        "revise",
        amendment,
        "--text",
        "A wholly revised paragraph.",
        "--rationale",
        "Reworked after comments.",
        actor=MEMBER_PS,
    )
    data = show_json(wgcli, amendment)
    assert (data["revision"], data["new_text"], data["rationale"]) == (
        2,
        "A wholly revised paragraph.",
        "Reworked after comments.",
    )
    assert git(repo, "rev-parse", f"refs/wg/amendments/{amendment}^").strip() == first_head
    # The old position is kept, shown as stale, and no longer counts.
    civil = next(g for g in data["consensus"]["groups"] if g["group"] == "civil-society")
    assert [(p["member"], p["stale"], p["revision"]) for p in civil["positions"]] == [
        (MEMBER_CS, True, 1)
    ]
    assert data["consensus"]["state"] == "pending"
    assert "stale" in wgcli.ok("show", amendment)
    # Confirming it makes it current again.
    wgcli.ok("position", amendment, "support", actor=MEMBER_CS)
    data = show_json(wgcli, amendment)
    civil = next(g for g in data["consensus"]["groups"] if g["group"] == "civil-society")
    assert [(p["stale"], p["revision"]) for p in civil["positions"]] == [(False, 2)]
    assert data["consensus"]["state"] == "consensus"
    # Merging takes the revised text.
    wgcli.ok("merge", amendment, actor=CHAIR)
    texts = [
        p["text"]
        for p in json.loads(wgcli.ok("draft", "show", "principles", "--json"))["paragraphs"]
    ]
    assert texts[4] == "A wholly revised paragraph."


def test_revise_refusals(wgcli: Wg, amendment: str, snapshot_refs) -> None:
    before = snapshot_refs(wgcli.repo)
    current = show_json(wgcli, amendment)["new_text"]
    assert "same" in one_line_error(wgcli("revise", amendment, "--text", current, actor=MEMBER_PS))
    assert "nobody" in one_line_error(wgcli("revise", amendment, "--text", "x", actor="nobody"))
    assert snapshot_refs(wgcli.repo) == before
    wgcli.ok("withdraw", amendment, actor=MEMBER_PS)
    assert "withdrawn" in one_line_error(
        wgcli("revise", amendment, "--text", "Again.", actor=MEMBER_PS)
    )


# ---------------------------------------------------------------------------------------------
# Comments and replies
# ---------------------------------------------------------------------------------------------


def test_comments_and_replies_in_thread_order(wgcli: Wg, amendment: str) -> None:
    first = wgcli.ok("comment", amendment, "First point.", actor=MEMBER_TECH).strip()
    second = wgcli.ok("comment", amendment, "Second point.", actor=MEMBER_CS).strip()
    reply = wgcli.ok(
        "comment", amendment, "Answer to the first.", "--reply-to", first, actor=MEMBER_PS
    ).strip()
    nested = wgcli.ok(
        "comment", amendment, "Answer to the answer.", "--reply-to", reply[:12], actor=MEMBER_TECH
    ).strip()
    late = wgcli.ok(
        "comment", amendment, "Another answer to the first.", "--reply-to", first, actor=MEMBER_GOV
    ).strip()
    with WorkingGroup.open(wgcli.repo) as wg:
        threads = wg.deliberation.comments(amendment)

        def shape(ts):  # type: ignore[no-untyped-def]
            return [(t.comment.id, shape(t.replies)) for t in ts]

        assert shape(threads) == [(first, [(reply, [(nested, [])]), (late, [])]), (second, [])]
    human = wgcli.ok("show", amendment)
    order = [
        human.index(text)
        for text in (
            "First point.",
            "Answer to the first.",
            "Answer to the answer.",
            "Another answer",
            "Second point.",
        )
    ]
    assert order == sorted(order)
    # Replies are indented under what they answer.
    line_of = {
        t: next(line for line in human.splitlines() if t in line)
        for t in ("First point.", "Answer to the first.", "Answer to the answer.")
    }
    indents = [len(v) - len(v.lstrip()) for v in line_of.values()]
    assert indents[0] < indents[1] < indents[2]
    events = show_json(wgcli, amendment)["events"]
    assert {e["id"]: e.get("reply_to") for e in events} == {
        first: None,
        second: None,
        reply: first,
        nested: reply,
        late: first,
    }


def test_comment_refusals(wgcli: Wg, amendment: str, snapshot_refs) -> None:
    before = snapshot_refs(wgcli.repo)
    assert "nobody" in one_line_error(wgcli("comment", amendment, "Hi", actor="nobody"))
    assert "no comment" in one_line_error(
        wgcli("comment", amendment, "Hi", "--reply-to", "ffff", actor=MEMBER_CS)
    )
    result = wgcli("comment", amendment, "Hi")  # nobody identified at all
    assert "--as" in one_line_error(result)
    assert snapshot_refs(wgcli.repo) == before


def test_positions_and_comments_need_a_roster_member(
    open_wg, example_repo: Path, snapshot_refs
) -> None:
    wg = open_wg(MEMBER_PS)
    a = propose(wg)
    before = snapshot_refs(example_repo)
    stranger = WorkingGroup.open(example_repo, "stranger")
    try:
        with pytest.raises(NotFound, match="stranger"):
            stranger.deliberation.position(a, "support")
        with pytest.raises(NotFound, match="stranger"):
            stranger.deliberation.comment(a, "hello")
    finally:
        stranger.close()
    assert snapshot_refs(example_repo) == before


# ---------------------------------------------------------------------------------------------
# Decisions are events
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("decision", ["reject", "withdraw"])
def test_reject_and_withdraw_are_events(wgcli: Wg, amendment: str, decision: str) -> None:
    repo = wgcli.repo
    main_before = git(repo, "rev-parse", "main")
    if decision == "reject":
        wgcli.ok("reject", amendment, "--reason", "Not in scope.", actor=CHAIR)
        who, reason = CHAIR, "Not in scope."
    else:
        wgcli.ok("withdraw", amendment, "--reason", "Overtaken.", actor=MEMBER_PS)
        who, reason = MEMBER_PS, "Overtaken."
    ref = f"refs/wg/events/{amendment}"
    names = git(repo, "ls-tree", "--name-only", ref, "events/").split()
    assert len(names) == 1
    stored = json.loads(git(repo, "show", f"{ref}:{names[0]}"))
    assert (stored["type"], stored["member"], stored["text"], stored["amendment"]) == (
        decision,
        who,
        reason,
        amendment,
    )
    trailers = git(repo, "log", "-1", "--format=%(trailers:only)", ref)
    assert f"Event: {decision}" in trailers and f"Member: {who}" in trailers
    assert git(repo, "rev-parse", "main") == main_before
    data = show_json(wgcli, amendment)
    assert data["status"] == {"reject": "rejected", "withdraw": "withdrawn"}[decision]
    assert data["reason"] == reason


def test_only_own_amendments_are_withdrawn_or_revised(open_wg) -> None:
    wg = open_wg(MEMBER_PS)
    mine = propose(wg, MEMBER_PS)
    theirs = propose(wg, MEMBER_CS, number=6)
    wg.record.act_as(MEMBER_PS)
    for call in (
        lambda: wg.deliberation.withdraw(theirs),
        lambda: wg.amendments.revise(theirs, text="Mine now."),
    ):
        with pytest.raises(PermissionDenied, match="proposer"):
            call()
    wg.deliberation.withdraw(mine)
    with pytest.raises(StateError):
        wg.deliberation.withdraw(mine)
    assert wg.amendments.amendment(theirs).status.value == "open"


# ---------------------------------------------------------------------------------------------
# Member text is data: stored exactly, shown safely
# ---------------------------------------------------------------------------------------------

NASTY = "[bold]loud[/bold] <script>alert(1)</script> \x1b[31mred\x1b[0m \x1b]0;title\x07 \\n & done"


def test_member_text_in_the_record_is_read_exactly_and_shown_safely(
    wgcli: Wg, example_repo: Path
) -> None:
    """Control characters are refused in new text now (see test_hostile_text), but the record
    may hold text written before: it reads back exactly and is shown safely."""
    text = document.paragraph(
        json.loads(wgcli.ok("draft", "show", "principles", "--json"))["text"], 5
    ).text
    with written_before_controls_were_refused():
        amendment = wgcli.ok(
            "propose",
            "principles",
            "--paragraph",
            "5",
            "--text",
            text.replace("the", "\x1b[2Jthe", 1),
            "--rationale",
            NASTY,
            actor=MEMBER_PS,
        ).strip()
        comment = wgcli.ok("comment", amendment, NASTY, actor=MEMBER_TECH).strip()
        wgcli.ok("comment", amendment, "re: " + NASTY, "--reply-to", comment, actor=MEMBER_GOV)
        wgcli.ok("position", amendment, "object", "--reason", NASTY, actor=MEMBER_CS)
    # Exactly as typed, in JSON and in the record.
    data = show_json(wgcli, amendment)
    assert data["rationale"] == NASTY
    texts = {e["type"] + str(bool(e.get("reply_to"))): e["text"] for e in data["events"]}
    assert texts == {"commentFalse": NASTY, "commentTrue": "re: " + NASTY, "positionFalse": NASTY}
    civil = next(g for g in data["consensus"]["groups"] if g["group"] == "civil-society")
    assert civil["positions"][0]["reason"] == NASTY
    ref = f"refs/wg/events/{amendment}"
    stored = [
        json.loads(git(example_repo, "show", f"{ref}:events/{name}"))["text"]
        for name in git(example_repo, "ls-tree", "--name-only", ref, "events/").split()
        for name in [name.removeprefix("events/")]
    ]
    assert sorted(stored) == sorted([NASTY, "re: " + NASTY, NASTY])
    # Shown: literally, with the escapes made visible and no raw control byte.
    human = wgcli.ok("show", amendment)
    assert "\x1b" not in human and "\x07" not in human
    assert "\\x1b[31mred" in human and "\\x07" in human
    assert "[bold]loud[/bold]" in human and "<script>alert(1)</script>" in human
    assert human.count("[bold]loud[/bold]") == 4  # rationale, two comments, one reason
    # Listings and the draft too.
    for args in (("amendments",), ("draft", "show", "principles"), ("member", "list")):
        assert "\x1b" not in wgcli.ok(*args)


def test_ids_and_stances_from_argv_are_not_echoed_raw(wgcli: Wg, amendment: str) -> None:
    result = wgcli("show", "\x1b[31m")
    assert result.exit_code != 0 and "\x1b" not in result.stderr
    result = wgcli("draft", "show", "\x1b]0;x\x07")
    assert result.exit_code != 0 and "\x1b" not in result.stderr and "\x07" not in result.stderr
    result = wgcli("position", amendment, "\x1b[2J", actor=MEMBER_CS)
    assert result.exit_code != 0 and "\x1b" not in result.stderr


# ---------------------------------------------------------------------------------------------
# A forged record (anyone can push refs to a shared remote) is data too
# ---------------------------------------------------------------------------------------------


def forge_amendment(
    repo: Path,
    amendment_id: str,
    *,
    member: str,
    group: str,
    draft: str = "principles",
    kind: str = "replace",
) -> None:
    tree = git(repo, "rev-parse", "main^{tree}").strip()
    message = (
        f"Forged \x1b[5mtitle\n\nForged \x1b[31mrationale\n\nAmendment-Id: {amendment_id}\n"
        f"Draft: {draft}\nKind: {kind}\nParagraph: 5\nRevision: 1\nMember: {member}\n"
        f"Stakeholder-Group: {group}\n"
    )
    sha = subprocess.run(
        ["git", "-C", str(repo), "commit-tree", tree, "-p", "main"],
        input=message,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    git(repo, "update-ref", f"refs/wg/amendments/{amendment_id}", sha)


def forge_event(repo: Path, amendment_id: str, event: dict[str, object]) -> None:
    ref = f"refs/wg/events/{amendment_id}"
    old = subprocess.run(
        ["git", "-C", str(repo), "rev-parse", "--verify", "-q", ref], capture_output=True, text=True
    ).stdout.strip()
    blob = subprocess.run(
        ["git", "-C", str(repo), "hash-object", "-w", "--stdin"],
        input=json.dumps(event),
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    entries = ""
    if old:
        entries = git(repo, "ls-tree", f"{old}:events")
    entries += f"100644 blob {blob}\t{event['id']}.json\n"
    events_tree = subprocess.run(
        ["git", "-C", str(repo), "mktree"],
        input=entries,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    root = subprocess.run(
        ["git", "-C", str(repo), "mktree"],
        input=f"040000 tree {events_tree}\tevents\n",
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    args = ["commit-tree", root, "-m", "forged event"] + (["-p", old] if old else [])
    sha = git(repo, *args).strip()
    git(repo, "update-ref", ref, sha)


def test_forged_records_never_break_listings_or_reach_the_terminal(
    wgcli: Wg, amendment: str, example_repo: Path
) -> None:
    forge_amendment(example_repo, "dead0001", member="\x1b[31mmallory", group="governments")
    forge_amendment(example_repo, "dead0002", member="mallory", group="\x1b]0;pwned\x07")
    forge_amendment(
        example_repo, "dead0003", member="mallory", group="governments", draft="principles\x1b[2J"
    )
    forge_amendment(example_repo, "dead0004", member="mallory", group="governments", kind="bogus")
    forge_amendment(example_repo, "dead0005", member="mallory", group="civil-society")
    base = {"amendment": amendment, "at": 1.0, "revision": 1, "text": "x"}
    forge_event(
        example_repo,
        amendment,
        {**base, "id": "e1", "type": "comment", "member": "mallory", "group": "\x1b[41mgroup"},
    )
    forge_event(
        example_repo,
        amendment,
        {
            **base,
            "id": "e2",
            "type": "position",
            "member": "mallory",
            "group": "governments",
            "stance": "bogus",
        },
    )
    forge_event(
        example_repo,
        amendment,
        {
            **base,
            "id": "e3",
            "type": "position",
            "member": "\x1b[2Jmallory",
            "group": "civil-society",
            "stance": "support",
        },
    )
    listing = wgcli.ok("amendments")
    assert "\x1b" not in listing and "\x07" not in listing
    listed = {a["id"] for a in json.loads(wgcli.ok("amendments", "--json"))}
    # Only what the rulebook accepts is listed: "mallory" is in no roster.
    assert listed == {amendment}
    audit = wgcli("verify")
    assert audit.exit_code == 1 and "refs/wg/amendments/dead0005" in audit.stdout
    assert "\x1b" not in audit.stdout
    for amendment_id in listed:
        shown = wgcli.ok("show", amendment_id)
        assert "\x1b" not in shown and "\x07" not in shown
    assert "\x1b" not in wgcli.ok("draft", "list")
    # The genuine amendment and its genuine events are unharmed.
    wgcli.ok("position", amendment, "support", actor=MEMBER_CS)
    assert show_json(wgcli, amendment)["consensus"]["state"] == "consensus"


def test_group_names_from_wg_toml_are_shown_safely(
    wgcli: Wg, amendment: str, example_repo: Path
) -> None:
    settings = tomllib.loads((example_repo / "wg.toml").read_text())
    settings["groups"]["governments"] = "Governments \x1b[31m(all)\x1b[0m"
    (example_repo / "wg.toml").write_text(tomli_w.dumps(settings))
    git(
        example_repo,
        "-c",
        "user.name=Elena Petrova",
        "-c",
        "user.email=elena.petrova@example.org",
        "commit",
        "-q",
        "-am",
        "Rename a group",
    )
    wgcli.ok("position", amendment, "support", actor=MEMBER_GOV)
    shown = wgcli.ok("show", amendment)
    assert "\x1b" not in shown
    assert "Governments \\x1b[31m(all)" in shown
    data = show_json(wgcli, amendment)
    assert data["consensus"]["groups"][0]["name"] == settings["groups"]["governments"]


def test_a_decision_counts_only_from_someone_entitled_to_it(open_wg) -> None:
    """A reject written by a non-chair, or a withdraw by someone else, behind the use cases'
    back (say, pushed from another machine), does not close the amendment."""
    wg = open_wg(MEMBER_TECH)
    amendment = wg.amendments.amendment(propose(wg, MEMBER_TECH))
    # Written with plain git by a member who is neither the chair nor the proposer.
    forger = Forger(wg.record.store.git_dir.parent)
    main = forger.rev("main")
    forger.event(amendment.id, member=MEMBER_CS, type_="reject", event_id="forged-1", main=main)
    forger.event(amendment.id, member=MEMBER_CS, type_="withdraw", event_id="forged-2", main=main)
    assert wg.amendments.amendment(amendment.id).status.value == "open"
    # The same write by the chair decides it: what counted was who wrote it.
    forger.event(
        amendment.id,
        member=CHAIR,
        type_="reject",
        event_id="chair-1",
        main=main,
        text="Out of scope",
    )
    rejected = wg.amendments.amendment(amendment.id)
    assert (rejected.status.value, rejected.decided_reason) == ("rejected", "Out of scope")
    wg.record.index.rebuild()
    assert wg.amendments.amendment(amendment.id).status.value == "rejected"


def test_the_first_member_must_be_able_to_keep_the_roster(tmp_path: Path) -> None:
    from wgtool.core.errors import InvalidInput

    with WorkingGroup.init(tmp_path / "wg", title="New group") as wg:
        with pytest.raises(InvalidInput, match="secretariat"):
            wg.secretariat.add_member(
                "ana", name="Ana", email="ana@example.org", group="governments"
            )
        assert len(wg.record.roster) == 0
        wg.secretariat.add_member(
            "ana", name="Ana", email="ana@example.org", group="governments", roles=["secretariat"]
        )
        assert wg.record.roster.get("ana").roles[-1].value == "secretariat"


def test_json_output_escapes_what_a_terminal_would_act_on(wgcli: Wg, amendment: str) -> None:
    text = "C1 control \x9b31m and line separator \u2028 and é"
    with written_before_controls_were_refused():  # the record may hold it from back then
        wgcli.ok("comment", amendment, text, actor=MEMBER_GOV)
    out = wgcli.ok("show", amendment, "--json")
    assert "\x9b" not in out and "\u2028" not in out
    assert "\\u009b31m" in out and "é" in out
    assert any(e["text"] == text for e in json.loads(out)["events"])


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_consensus_kept_in_the_index_is_the_consensus_the_rule_gives(open_wg, seed: int) -> None:
    """Listings read each amendment's verdict and group states from the index, kept by every
    refresh; on random positions, revisions, a changed rule and a reindex they are what the
    consensus rule computes from the events, amendment by amendment."""
    import random

    rng = random.Random(seed)
    wg = open_wg()
    members = [m.handle for m in wg.secretariat.members()]
    ids = [propose(wg, rng.choice(members), number) for number in (2, 3, 5, 7)]

    def check() -> None:
        amendments = wg.amendments.amendments()
        full = {a.id: wg.deliberation.consensus(a) for a in amendments}
        briefs = wg.deliberation.consensus_briefs(amendments)
        for a in amendments:
            assert briefs[a.id].state == full[a.id].state, a.id
            assert [(g.group, g.state) for g in briefs[a.id].groups] == [
                (g.group, g.state) for g in full[a.id].groups
            ]
            assert briefs[a.id].counts() == full[a.id].counts()
            assert briefs[a.id].rule == full[a.id].rule

    for step in range(12):
        amendment = rng.choice(ids)
        roll = rng.random()
        if roll < 0.75:
            handle = rng.choice(members)
            wg.record.act_as(handle)
            try:
                wg.deliberation.position(
                    amendment, rng.choice(["support", "object", "abstain", "no-objection"])
                )
            except StateError:
                pass  # not open any more
        elif roll < 0.9:
            proposer = wg.amendments.amendment(amendment).proposer
            wg.record.act_as(proposer)
            draft = wg.drafts.draft("principles").text
            number = wg.amendments.amendment(amendment).paragraph or 2
            text = document.paragraph(draft, number).text + f" Step {step}."
            try:
                wg.amendments.revise(amendment, text=text)
            except StateError:
                pass
        else:
            wg.record.act_as(SECRETARIAT)
            rule = wg.record.settings.consensus
            wg.secretariat.update_settings(
                min_supporting_groups=rule.min_supporting_groups % 3 + 1,
                max_objecting_groups=rng.randint(0, 1),
            )
        check()
    verdicts = {a.id: wg.deliberation.consensus(a).state for a in wg.amendments.amendments()}
    wg.record.index.rebuild()
    assert {
        i: c.state for i, c in wg.deliberation.consensus_briefs(wg.amendments.amendments()).items()
    } == verdicts


def test_a_merge_recomputes_the_consensus_of_the_amendments_it_touched_only(
    open_wg, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The index keeps consensus per amendment: when main moves without changing the groups or
    the rule (a merge), a refresh computes it again for what changed, not for every amendment;
    when the rule changes, for every one."""
    from tests.conftest import agreed
    from wgtool.core.indexing import consensus_rows as refresh

    wg = open_wg()
    ids = [propose(wg, MEMBER_PS, number) for number in (2, 3, 5, 7)]
    agreed(wg, ids[0])
    wg.record.refresh()
    computed: list[str] = []  # the proposer of each amendment computed
    real = refresh.consensus_states

    def counting(settings, proposer, revision, positions):  # type: ignore[no-untyped-def]
        computed.append(proposer)
        return real(settings, proposer, revision, positions)

    monkeypatch.setattr(refresh, "consensus_states", counting)
    wg.record.act_as(CHAIR)
    wg.merges.merge(ids[0])
    wg.record.refresh()
    assert len(computed) <= 1, computed
    computed.clear()
    wg.record.act_as(SECRETARIAT)
    wg.secretariat.update_settings(min_supporting_groups=2)
    # Every amendment, a batch at a time (here batches of 3): each computed once, and each
    # stands where a whole reindex puts it.
    monkeypatch.setattr(refresh, "BATCH", 3)
    wg.record.refresh()
    assert computed == [MEMBER_PS] * len(ids)

    def stored() -> dict[str, object]:
        return wg.record.index.consensus_states(None)  # type: ignore[no-any-return]

    batched = stored()
    assert sorted(batched) == sorted(ids)
    monkeypatch.undo()
    wg.record.index.rebuild()
    assert stored() == batched
