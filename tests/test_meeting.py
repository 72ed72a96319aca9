"""The meeting room's record: the chair's focus (``wgtool focus``), what a room shows of it, and
the rulebook's judgement of focus events written with plain git."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import (
    CHAIR,
    MEMBER_CS,
    MEMBER_TECH,
    SECRETARIAT,
    Clones,
    Wg,
    do_sync,
    git,
    refs_snapshot,
    sign_as,
)
from tests.conftest import wgtool_run as wgtool
from tests.forge import Forger, message, rewrite
from tests.test_guard import guard
from tests.test_replay import Forgery, refused_everywhere
from wgtool.core import document
from wgtool.core.desks import WorkingGroup
from wgtool.core.exchange.sync import sync
from wgtool.core.exchange.verify import verify
from wgtool.core.model import Kind

EVENTS = "refs/wg/events/draft-principles"


def paragraph_text(repo: Path, label: str) -> str:
    with WorkingGroup.open(repo) as wg:
        return document.paragraph(wg.drafts.draft("principles").text, int(label)).text


# -- the chair's focus, on the command line ------------------------------------------------------


def test_the_chair_focuses_the_room_and_the_event_is_in_the_drafts_chain(wgcli: Wg) -> None:
    out = wgcli.ok("focus", "principles", "--paragraph", "5", actor=CHAIR)
    assert out == "The room is on ¶5 of principles\n"
    tip = git(wgcli.repo, "rev-parse", EVENTS).strip()
    body = git(wgcli.repo, "log", "-1", "--format=%B", tip)
    assert "Event: focus" in body and f"Member: {CHAIR}" in body and "Draft: principles" in body
    (name,) = git(wgcli.repo, "show", "--name-only", "--format=", tip).split()
    event = json.loads(git(wgcli.repo, "show", f"{tip}:{name}"))
    assert (event["type"], event["paragraph"], event["text"]) == ("focus", "5", "")
    with WorkingGroup.open(wgcli.repo) as wg:
        room = wg.meeting.room("principles")
        assert verify(wg).problems == []
    assert (room.label, room.orally_revised) == ("5", False)
    assert room.text == paragraph_text(wgcli.repo, "5")
    assert room.focus is not None and room.focus.member == CHAIR


def test_a_focus_where_the_room_already_is_writes_nothing(wgcli: Wg) -> None:
    wgcli.ok("focus", "principles", "--paragraph", "5", actor=CHAIR)
    before = refs_snapshot(wgcli.repo)
    out = wgcli.ok("focus", "principles", "--paragraph", "5", actor=CHAIR)
    assert "already: nothing written" in out
    assert refs_snapshot(wgcli.repo) == before
    # The paragraph read out as it stands is no oral revision either.
    same = paragraph_text(wgcli.repo, "5")
    assert "nothing written" in wgcli.ok(
        "focus", "principles", "--paragraph", "5", "--text", same, actor=CHAIR
    )
    assert refs_snapshot(wgcli.repo) == before
    # Revised orally, it is a new focus; back to the text as it stands, another.
    wgcli.ok("focus", "principles", "--paragraph", "5", "--text", "Said otherwise.", actor=CHAIR)
    wgcli.ok("focus", "principles", "--paragraph", "5", actor=CHAIR)
    count = git(wgcli.repo, "rev-list", "--count", EVENTS).strip()
    assert count == "3"


@pytest.mark.parametrize("who", [MEMBER_TECH, SECRETARIAT])
def test_only_the_chair_focuses_the_room(wgcli: Wg, who: str) -> None:
    before = refs_snapshot(wgcli.repo)
    result = wgcli("focus", "principles", "--paragraph", "5", actor=who)
    assert result.exit_code == 4
    assert result.stderr == f"wgtool: focus the room needs the chair role; {who} is " + (
        "member\n" if who == MEMBER_TECH else "member, secretariat\n"
    )
    assert result.stdout == ""
    assert refs_snapshot(wgcli.repo) == before


@pytest.mark.parametrize(
    ("args", "code", "said"),
    [
        (["--paragraph", "99"], 2, "paragraph 99 is out of range"),
        (["--paragraph", "../5"], 2, "is not a paragraph label"),
        (["--paragraph", "5", "--text", "One.\n\nTwo."], 2, "more than one paragraph"),
        (["--paragraph", "5", "--text", "bad \x1b[31m"], 2, "the text as orally revised"),
        (["--paragraph", "5", "--text", "  "], 2, "is empty"),
    ],
)
def test_a_bad_focus_is_one_line_and_writes_nothing(
    wgcli: Wg, args: list[str], code: int, said: str
) -> None:
    before = refs_snapshot(wgcli.repo)
    result = wgcli("focus", "principles", *args, actor=CHAIR)
    assert result.exit_code == code, result.output
    assert said in result.stderr and result.stderr.count("\n") == 1, result.stderr
    assert refs_snapshot(wgcli.repo) == before


def test_a_focus_on_a_draft_that_is_not_there_is_not_found(wgcli: Wg) -> None:
    before = refs_snapshot(wgcli.repo)
    result = wgcli("focus", "nosuch", "--paragraph", "1", actor=CHAIR)
    assert result.exit_code == 1 and "no draft 'nosuch'" in result.stderr
    result = wgcli("present", "nosuch")
    assert result.exit_code == 1 and "no draft 'nosuch'" in result.stderr
    assert refs_snapshot(wgcli.repo) == before


# -- what the room shows ----------------------------------------------------------------------


def test_the_room_shows_the_oral_revision_with_the_brackets_that_survive_it(
    example_repo: Path,
) -> None:
    text = paragraph_text(example_repo, "5")
    words = "free exchange of information"
    assert words in text
    with WorkingGroup.open(example_repo, CHAIR) as wg:
        bracket = wg.agreement.bracket("principles", "5", words=words, reason="Scope")
        wg.agreement.agree("principles", "4")
        room = wg.meeting.room("principles")
        assert room.focus is None and room.label is None  # the chair has not focused yet
        wg.meeting.focus("principles", "5")
        room = wg.meeting.room("principles")
        ((start, end, bracket_id),) = room.brackets
        assert (room.text[start:end], bracket_id) == (words, bracket.id)
        assert room.state is not None and len(room.state.brackets) == 1
        revised = text.replace("fragment the network", "split the network apart")
        wg.meeting.focus("principles", "5", text=revised)
        room = wg.meeting.room("principles")
        assert (room.text, room.orally_revised) == (revised, True)
        ((start, end, _),) = room.brackets
        assert room.text[start:end] == words
        wg.meeting.focus("principles", "5", text="Measures should be avoided.")
        assert wg.meeting.room("principles").brackets == ()  # its words were dropped orally
        wg.meeting.focus("principles", "4")
        room = wg.meeting.room("principles")
        assert room.state is not None and room.state.status.value == "agreed"
        assert room.text == paragraph_text(example_repo, "4")


def test_the_room_follows_its_paragraph_through_a_renumbering(example_repo: Path) -> None:
    with WorkingGroup.open(example_repo, CHAIR) as wg:
        wg.meeting.focus("principles", "5")
    with WorkingGroup.open(example_repo, MEMBER_CS) as wg:
        inserted = wg.amendments.propose(
            "principles",
            kind=Kind.INSERT,
            paragraph=2,
            text="A paragraph inserted after the second.",
            rationale="More.",
        ).id
    with WorkingGroup.open(example_repo, CHAIR) as wg:
        wg.merges.merge(inserted, override_reason="Agreed in the room")
        assert wg.meeting.room("principles").label == "5"  # 2bis is new; 5 stays 5
    with WorkingGroup.open(example_repo, SECRETARIAT) as wg:
        wg.procedure.renumber("principles")
    with WorkingGroup.open(example_repo, CHAIR) as wg:
        room = wg.meeting.room("principles")
        assert room.label == "6" and room.text == paragraph_text(example_repo, "6")
        # Focusing on the paragraph by its new label is where the room already is.
        assert wg.meeting.focus("principles", "6")[1] is False


# -- forgeries with plain git -----------------------------------------------------------------


def honest_focus(clones: Clones, label: str = "5", text: str | None = None) -> str:
    """A focus the chair made with wgtool in clone a (not synced yet): its commit."""
    with WorkingGroup.open(clones.a, CHAIR) as wg:
        wg.meeting.focus("principles", label, text=text)
    return git(clones.a, "rev-parse", EVENTS).strip()


def event_file(repo: Path, commit: str) -> tuple[str, dict[str, object]]:
    (name,) = git(repo, "show", "--name-only", "--format=", commit).split()
    return name, json.loads(git(repo, "show", f"{commit}:{name}"))


def with_event(repo: Path, commit: str, **fields: object) -> str:
    """``commit``'s tree with its event file's ``fields`` changed, everything else kept."""
    name, data = event_file(repo, commit)
    data.update(fields)
    body = json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True) + "\n"
    return Forger(repo).tree(commit, {name: body})


def test_a_focus_by_a_member_who_is_not_chair_is_refused_everywhere(
    clones: Clones, tmp_path: Path
) -> None:
    forger = Forger(clones.a)
    main = forger.rev("main")
    group = forger.roster()[MEMBER_TECH]["group"]
    data = {
        "id": "1a2b3c4d5e6-f0c0s1",
        "draft": "principles",
        "type": "focus",
        "member": MEMBER_TECH,
        "group": group,
        "at": 1_800_000_000.0,
        "revision": 1,
        "text": "",
        "paragraph": "5",
        "anchor": main,
    }
    tree = forger.tree(None, {"events/1a2b3c4d5e6-f0c0s1.json": json.dumps(data, indent=1)})
    trailers = [
        ("Draft", "principles"),
        ("Event", "focus"),
        ("Event-Id", "1a2b3c4d5e6-f0c0s1"),
        ("Member", MEMBER_TECH),
        ("Stakeholder-Group", str(group)),
        ("Main", main),
    ]
    commit = forger.commit(
        tree, [], message("Focus on paragraph 5 of draft principles", trailers), author=MEMBER_TECH
    )
    forger.update_ref(EVENTS, commit)
    refused_everywhere(
        clones,
        Forgery([EVENTS], commit, f"a focus event by {MEMBER_TECH}, who is not chair"),
        tmp_path,
    )


@pytest.mark.parametrize(
    ("oral", "fields", "trailer", "reason"),
    [
        # A paragraph the draft does not have.
        (
            None,
            {"paragraph": "99"},
            None,
            "a focus on paragraph 99, which draft principles does not have",
        ),
        # A second paragraph read out orally.
        (
            "Said otherwise.",
            {"text": "Said otherwise.\n\nAnd a paragraph more."},
            None,
            "text as orally revised is more than one paragraph",
        ),
        # The chair's own commit, its event file claiming another member's words.
        (
            None,
            {"member": MEMBER_TECH},
            None,
            f"does not name {CHAIR} as its author but {MEMBER_TECH}",
        ),
        # Its commit says it is another type of event.
        (None, {}, ("Event: focus", "Event: status"), "is not a well-formed status"),
    ],
    ids=["label-not-there", "two-paragraphs", "another-member", "another-type"],
)
def test_an_honest_focus_with_one_thing_changed_is_refused_everywhere(
    clones: Clones,
    tmp_path: Path,
    oral: str | None,
    fields: dict[str, object],
    trailer: tuple[str, str] | None,
    reason: str,
) -> None:
    """A focus the chair made with wgtool, one thing changed with plain git, author, committer
    and parents kept: the guard refuses it, sync leaves it out, verify names it."""
    honest = honest_focus(clones, text=oral)
    tree = with_event(clones.a, honest, **fields) if fields else None
    forged = rewrite(clones.a, honest, tree=tree, replace=trailer)
    Forger(clones.a).update_ref(EVENTS, forged)
    refused_everywhere(clones, Forgery([EVENTS], forged, reason), tmp_path)


def test_a_signed_focus_moved_to_another_paragraph_keeps_no_valid_signature(
    signed_clones: Clones, keys: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Where signatures are required, the chair's signed focus moved to another paragraph that
    exists (its signature kept, as its author, committer and parents) is the chair's no more."""
    clones = signed_clones
    sign_as(monkeypatch, keys[CHAIR])
    honest = honest_focus(clones, "5")
    raw = git(clones.a, "cat-file", "commit", honest)
    tree = with_event(clones.a, honest, paragraph="6")
    headers, _, text = raw.partition("\n\n")
    assert "gpgsig" in headers
    lines = [f"tree {tree}" if h.startswith("tree ") else h for h in headers.split("\n")]
    body = "\n".join(lines) + "\n\n" + text
    forged = Forger(clones.a).git("hash-object", "-t", "commit", "-w", "--stdin", input=body)
    Forger(clones.a).update_ref(EVENTS, forged)
    assert Forger(clones.a).push(f"{EVENTS}:{EVENTS}").returncode == 0
    report = do_sync(clones.b)
    assert any(forged[:10] in p and "signature" in p for p in report.problems), report.problems
    with WorkingGroup.open(clones.b) as wg:
        assert wg.meeting.latest_focus("principles") is None
    with WorkingGroup.open(clones.a) as wg:
        problems = verify(wg).problems
    assert any(forged[:10] in p and "signature" in p for p in problems), problems


def test_honest_focuses_travel_through_a_guarded_remote(clones: Clones) -> None:
    assert guard("install", str(clones.origin)).exit_code == 0
    honest_focus(clones, "3")
    honest_focus(clones, "5", text="Said otherwise.")
    with WorkingGroup.open(clones.a) as wg:
        report = sync(wg)
        assert not report.problems, report.problems
    assert not do_sync(clones.b).problems
    with WorkingGroup.open(clones.b) as wg:
        room = wg.meeting.room("principles")
        assert verify(wg).problems == []
    assert (room.label, room.text, room.orally_revised) == ("5", "Said otherwise.", True)


# -- the chair sends the focus; a follower only takes --------------------------------------------


def test_focus_sync_sends_it_and_a_follower_sends_nothing(clones: Clones) -> None:
    sent = wgtool(
        clones.a, "focus", "principles", "--paragraph", "4", "--sync", "origin", actor=CHAIR
    )
    assert sent.returncode == 0, sent.stderr
    assert "The room is on ¶4 of principles" in sent.stdout and "Synced with origin" in sent.stderr
    assert git(clones.origin, "rev-parse", EVENTS) == git(clones.a, "rev-parse", EVENTS)
    # The follower has work of its own not sent yet: following takes, and sends nothing.
    with WorkingGroup.open(clones.b, MEMBER_CS) as wg:
        wg.deliberation.comment(clones.amendment, "Not sent by a follower.")
    before = refs_snapshot(clones.origin)
    with WorkingGroup.open(clones.b) as wg:
        refs = wg.meeting.room_refs("principles")
        assert wg.exchange.peek("origin", refs) != ""
        report = wg.exchange.sync("origin", news=False, push=False)
        assert not report.problems and report.sent.describe() == "nothing new"
        assert wg.meeting.room("principles").label == "4"
    assert refs_snapshot(clones.origin) == before
    bad = wgtool(clones.b, "present", "principles", "--follow", "nowhere")
    assert bad.returncode == 1 and "no git remote 'nowhere'" in bad.stderr
