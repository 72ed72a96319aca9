"""Agreement as data: labels, brackets, the ledger, alternatives, co-sponsors, the window and the
silence procedure, on real repositories (and, for the rules, with plain git as an attacker)."""

from __future__ import annotations

import json
import random
import time
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
    Wg,
    agree_cli,
    do_sync,
    git,
)
from tests.test_guard import guard
from wgtool.core import labels
from wgtool.core.desks import WorkingGroup
from wgtool.core.errors import InvalidInput, NotFound, StateError
from wgtool.core.model import Kind


def paragraphs_of(wgcli: Wg, slug: str = "principles") -> dict[str, str]:
    shown = json.loads(wgcli.ok("draft", "show", slug, "--json"))
    return {p["label"]: p["text"] for p in shown["paragraphs"]}


def insert_after(wgcli: Wg, label: str, text: str, who: str = MEMBER_TECH) -> str:
    """Propose a new paragraph after ``label`` and merge it (with consensus); its id."""
    amendment = wgcli.ok(
        "propose",
        "principles",
        "--insert-after",
        label,
        "--text",
        text,
        "--rationale",
        "R",
        actor=who,
    ).strip()
    wgcli.ok("merge", agree_cli(wgcli, amendment), actor=CHAIR)
    return amendment


# -- labels ----------------------------------------------------------------------------------


def test_paragraph_labels_follow_insertions_and_resolve_after_two(wgcli: Wg) -> None:
    before = paragraphs_of(wgcli)
    insert_after(wgcli, "7", "First new paragraph after seven.")
    insert_after(wgcli, "7bis", "Second new paragraph, after the first.")
    after = paragraphs_of(wgcli)
    labels_now = list(after)
    assert labels_now[6:10] == ["7", "7bis", "7ter", "8"]
    assert after["8"] == before["8"] and after["7ter"].startswith("Second new")
    # --paragraph 7bis works wherever --paragraph N does: propose, show, listings.
    amendment = wgcli.ok(
        "propose",
        "principles",
        "--paragraph",
        "7bis",
        "--text",
        "First new paragraph, amended.",
        "--rationale",
        "R",
        actor=MEMBER_CS,
    ).strip()
    shown = json.loads(wgcli.ok("show", amendment, "--json"))
    assert shown["label"] == "7bis" and shown["old_text"] == after["7bis"]
    assert "¶7bis" in wgcli.ok("amendments", "principles")
    assert "paragraph 7bis" in wgcli.ok("show", amendment)
    # the draft stays readable with plain git, its labels beside it
    assert git(wgcli.repo, "show", "main:drafts/principles.md").count("First new") == 1
    stored = git(wgcli.repo, "show", "main:drafts/principles.labels").splitlines()
    assert stored[8:10] == ["7bis", "7ter"]
    refused = wgcli(
        "propose",
        "principles",
        "--paragraph",
        "7quater",
        "--text",
        "x",
        "--rationale",
        "R",
        actor=MEMBER_CS,
    )
    assert refused.exit_code == 2 and "7quater is out of range" in refused.stderr


def test_renumbering_records_a_concordance_and_keeps_what_was_said(wgcli: Wg) -> None:
    insert_after(wgcli, "2", "A paragraph inserted after two.")
    wgcli.ok("agree", "principles", "--paragraph", "2bis", actor=CHAIR)
    denied = wgcli("renumber", "principles", actor=MEMBER_CS)
    assert denied.exit_code == 4
    out = wgcli.ok("renumber", "principles", actor=SECRETARIAT)
    assert "2bis -> 3" in out and "17 -> 18" in out
    log = git(wgcli.repo, "log", "-1", "--format=%B", "main")
    assert "2bis -> 3" in log and "Action: renumber" in log
    after = paragraphs_of(wgcli)
    assert list(after)[:4] == ["1", "2", "3", "4"] and after["3"].startswith("A paragraph")
    ledger = json.loads(wgcli.ok("status", "principles", "--json"))
    assert [p["label"] for p in ledger if p["status"] == "agreed"] == ["3"]
    hint = wgcli("agree", "principles", "--paragraph", "2bis", actor=CHAIR)
    assert hint.exit_code == 2 and "renumbered 3" in hint.stderr
    again = wgcli("renumber", "principles", actor=SECRETARIAT)
    assert again.exit_code == 1 and "numbered 1 to 18" in again.stderr


def _reference_labels(ops: list[tuple[str, int]], count: int) -> list[str]:
    """Labels by a deliberately simple rule: a list edited in place."""
    current = [str(n) for n in range(1, count + 1)]
    gone: set[str] = set()
    for op, at in ops:
        if op == "delete" and current:
            gone.add(current.pop(at % len(current)))
        elif op == "insert":
            position = at % (len(current) + 1)
            before = current[position - 1] if position else "0"
            label = labels.next_label(before, set(current) | gone)
            current.insert(position, label)
    return current


@pytest.mark.parametrize("seed", range(200))
def test_relabel_agrees_with_a_simple_reference(seed: int) -> None:
    rng = random.Random(seed)
    count = rng.randint(0, 8)
    ops = [(rng.choice(["insert", "delete"]), rng.randint(0, 20)) for _ in range(rng.randint(1, 6))]
    texts = [f"paragraph number {n} says {rng.random()}" for n in range(count)]
    state = labels.Labels.positional(count)
    for step, (op, at) in enumerate(ops):
        new = list(texts)
        if op == "delete" and new:
            new.pop(at % len(new))
        elif op == "insert":
            new.insert(at % (len(new) + 1), f"a new paragraph {step} of {seed}")
        state = labels.relabel(texts, state, new)
        texts = new
        assert len(set(state.current)) == len(state.current) == len(texts)
        assert labels.load(state.dump(), len(texts)) == state
    assert list(state.current) == _reference_labels(ops, count)


# -- brackets --------------------------------------------------------------------------------


def test_a_bracket_follows_its_words_through_a_merge_in_the_same_paragraph(wgcli: Wg) -> None:
    text = paragraphs_of(wgcli)["5"]
    words = " ".join(text.split()[3:6])
    bracket = wgcli.ok(
        "bracket",
        "principles",
        "--paragraph",
        "5",
        "--words",
        words,
        "--reason",
        "Contested",
        "--held-by",
        "governments",
        actor=CHAIR,
    ).strip()
    denied = wgcli("bracket", "principles", "--paragraph", "5", "--reason", "x", actor=MEMBER_CS)
    assert denied.exit_code == 4
    # another amendment changes the start and the end of the same paragraph
    first, *rest = text.split(" ")
    changed = " ".join(["Indeed,", first.lower(), *rest[:-1], "(as agreed)."])
    amendment = wgcli.ok(
        "propose",
        "principles",
        "--paragraph",
        "5",
        "--text",
        changed,
        "--rationale",
        "R",
        actor=MEMBER_PS,
    ).strip()
    wgcli.ok("merge", agree_cli(wgcli, amendment), actor=CHAIR)
    (found,) = json.loads(wgcli.ok("brackets", "principles", "--json"))
    assert found["id"] == bracket and found["state"] == "open" and found["paragraph"] == "5"
    now = paragraphs_of(wgcli)["5"]
    assert now[found["start"] : found["end"]] == words
    shown = wgcli.ok("draft", "show", "principles")
    assert f"[{words}]" in shown and "Indeed," in shown
    assert words not in wgcli.ok("draft", "show", "principles", "--clean").replace(
        f"[{words}]", ""
    ) or "[" not in wgcli.ok("draft", "show", "principles", "--clean")
    html = wgcli.ok("export", "principles", "--format", "html")
    assert f'<span class="bracket">[</span>{words}<span class="bracket">]</span>' in html
    assert '<span class="bracket">' not in wgcli.ok(
        "export", "principles", "--format", "html", "--clean"
    )
    # the words deleted by a later merge: the bracket lapses, visibly
    gone = now.replace(words, "").replace("  ", " ")
    second = wgcli.ok(
        "propose",
        "principles",
        "--paragraph",
        "5",
        "--text",
        gone,
        "--rationale",
        "R",
        actor=MEMBER_TECH,
    ).strip()
    wgcli.ok("merge", agree_cli(wgcli, second), actor=CHAIR)
    (lapsed,) = json.loads(wgcli.ok("brackets", "principles", "--json"))
    assert lapsed["state"] == "lapsed" and "lapsed" in wgcli.ok("brackets")


def test_member_brackets_stay_distinguishable_from_the_chairs(wgcli: Wg) -> None:
    literal = "Members may write [square brackets] and a \\ of their own."
    amendment = wgcli.ok(
        "propose",
        "principles",
        "--paragraph",
        "3",
        "--text",
        literal,
        "--rationale",
        "R",
        actor=MEMBER_PS,
    ).strip()
    wgcli.ok("merge", agree_cli(wgcli, amendment), actor=CHAIR)
    wgcli.ok(
        "bracket",
        "principles",
        "--paragraph",
        "3",
        "--words",
        "of their own",
        "--reason",
        "R",
        actor=CHAIR,
    )
    shown = wgcli.ok("draft", "show", "principles")
    assert "write \\[square brackets\\] and a \\\\ [of their own]." in shown
    markdown = wgcli.ok("export", "principles", "--format", "markdown")
    assert "\\[square brackets\\]" in markdown and "[of their own]" in markdown
    xml = wgcli.ok("export", "principles", "--format", "akn")
    assert "[square brackets]" in xml and '<inline name="bracketed">of their own</inline>' in xml
    html = wgcli.ok("export", "principles", "--format", "html")
    assert "[square brackets]" in html and html.count('class="bracket"') == 2


def test_a_version_is_not_tagged_while_brackets_remain(wgcli: Wg) -> None:
    bracket = wgcli.ok(
        "bracket", "principles", "--paragraph", "2", "--reason", "Open", actor=CHAIR
    ).strip()
    refused = wgcli("tag", "principles", "v1", "-m", "Agreed", actor=SECRETARIAT)
    assert refused.exit_code == 1 and "1 bracket(s) remain in principles (¶2)" in refused.stderr
    assert git(wgcli.repo, "tag", "--list") == ""
    wgcli.ok("tag", "principles", "v1", "-m", "Agreed", "--allow-brackets", actor=SECRETARIAT)
    assert "Brackets: 1 left (¶2)" in git(wgcli.repo, "cat-file", "-p", "principles/v1")
    wgcli.ok("unbracket", bracket, "--reason", "Agreed in the room", actor=CHAIR)
    assert wgcli.ok("brackets", "principles").strip() == "no brackets in principles"
    wgcli.ok("tag", "principles", "v2", "-m", "Agreed", actor=SECRETARIAT)
    again = wgcli("unbracket", bracket, actor=CHAIR)
    assert again.exit_code == 1 and "lifted already" in again.stderr


# -- the ledger ------------------------------------------------------------------------------


def test_the_ledger_and_an_agreed_paragraph_changed_by_a_merge(wgcli: Wg) -> None:
    wgcli.ok("agree", "principles", "--paragraph", "4", actor=CHAIR)
    wgcli.ok(
        "agree",
        "principles",
        "--paragraph",
        "6",
        "--ad-ref",
        "--pending-on",
        "governments,kwatanabe",
        actor=CHAIR,
    )
    bad = wgcli("agree", "principles", "--paragraph", "6", "--ad-ref", actor=CHAIR)
    assert bad.exit_code == 2 and "pending on whom" in bad.stderr
    unknown = wgcli(
        "agree", "principles", "--paragraph", "6", "--ad-ref", "--pending-on", "nobody", actor=CHAIR
    )
    assert unknown.exit_code == 2
    amendment = wgcli.ok(
        "propose",
        "principles",
        "--paragraph",
        "4",
        "--text",
        "Paragraph four, rewritten.",
        "--rationale",
        "R",
        actor=MEMBER_PS,
    ).strip()
    ledger = {p["label"]: p for p in json.loads(wgcli.ok("status", "principles", "--json"))}
    assert ledger["4"]["status"] == "agreed" and ledger["4"]["open_amendments"] == [amendment]
    assert ledger["6"]["status"] == "agreed-ad-ref"
    assert ledger["6"]["pending_on"] == ["governments", "kwatanabe"]
    assert set(ledger["1"]) >= {"label", "status", "pending_on", "brackets", "open_amendments"}
    wgcli.ok("merge", agree_cli(wgcli, amendment), actor=CHAIR)
    ledger = {p["label"]: p for p in json.loads(wgcli.ok("status", "principles", "--json"))}
    assert ledger["4"]["status"] == "open" and ledger["4"]["changed_since_agreed"]
    assert "open (changed)" in wgcli.ok("status", "principles")
    wgcli.ok("reopen", "principles", "--paragraph", "6", "--reason", "Capital said no", actor=CHAIR)
    ledger = {p["label"]: p for p in json.loads(wgcli.ok("status", "principles", "--json"))}
    assert ledger["6"]["status"] == "open" and not ledger["6"]["changed_since_agreed"]
    compilation = wgcli.ok("export", "principles", "--format", "compilation", "--all")
    assert "Paragraph status" in compilation and "open (changed since agreed)" in compilation


def test_comments_on_a_paragraph(wgcli: Wg) -> None:
    comment = wgcli.ok(
        "comment", "principles", "--paragraph", "3", "Too long?", actor=MEMBER_GOV
    ).strip()
    wgcli.ok(
        "comment", "principles", "--paragraph", "3", "No.", "--reply-to", comment, actor=MEMBER_CS
    )
    ledger = {p["label"]: p for p in json.loads(wgcli.ok("status", "principles", "--json"))}
    assert ledger["3"]["comments"] == 2
    with WorkingGroup.open(wgcli.repo) as wg:
        found = wg.agreement.paragraph_comments("principles", "3")
    assert [c.text for c in found] == ["Too long?", "No."] and found[1].reply_to == comment
    missing = wgcli("comment", "principles", "--paragraph", "99", "x", actor=MEMBER_GOV)
    assert missing.exit_code == 2


# -- alternatives and co-sponsors ------------------------------------------------------------


def test_alternatives_are_listed_together_and_one_merge_closes_the_others(wgcli: Wg) -> None:
    propose = ("propose", "principles", "--paragraph", "3", "--rationale", "R", "--text")
    first = wgcli.ok(*propose, "Alternative one.", actor=MEMBER_PS).strip()
    second = wgcli.ok(
        *propose, "Alternative two.", "--alternative-to", first, actor=MEMBER_CS
    ).strip()
    third = wgcli.ok(
        *propose, "Alternative three.", "--alternative-to", second, actor=MEMBER_GOV
    ).strip()
    elsewhere = wgcli(
        *propose[:3], "4", *propose[4:], "x", "--alternative-to", first, actor=MEMBER_GOV
    )
    assert elsewhere.exit_code == 2 and "same passage" in elsewhere.stderr
    shown = json.loads(wgcli.ok("show", third, "--json"))
    assert shown["alternative_to"] == first and shown["alternatives"][0] == first
    assert set(shown["alternatives"]) == {first, second, third}
    assert "Alt 3: " in wgcli.ok("show", first)
    assert f"(alternative to {first}) " in wgcli.ok("amendments")
    wgcli.ok("merge", agree_cli(wgcli, second), actor=CHAIR)
    listed = {a["id"]: a for a in json.loads(wgcli.ok("amendments", "--json"))}
    assert listed[first]["status"] == listed[third]["status"] == "not-adopted"
    assert listed[first]["reason"] == f"alternative {second} was adopted instead"
    compilation = wgcli.ok("export", "principles", "--format", "compilation", "--all")
    assert " of 3 for this passage" in compilation and "Alt 1 of 3" in compilation
    wgcli.ok("revert", second, "--reason", "Taken back", actor=CHAIR)
    listed = {a["id"]: a for a in json.loads(wgcli.ok("amendments", "--json"))}
    assert listed[first]["status"] == listed[third]["status"] == "open"


def test_cosponsors_across_groups(wgcli: Wg) -> None:
    amendment = wgcli.ok(
        "propose",
        "principles",
        "--paragraph",
        "2",
        "--text",
        "Co-sponsored text.",
        "--rationale",
        "R",
        actor=MEMBER_PS,
    ).strip()
    own = wgcli("cosponsor", amendment, actor=MEMBER_PS)
    assert own.exit_code == 2
    wgcli.ok("cosponsor", amendment, actor=MEMBER_CS)
    wgcli.ok("cosponsor", amendment, actor=MEMBER_GOV)
    twice = wgcli("cosponsor", amendment, actor=MEMBER_GOV)
    assert twice.exit_code == 1 and "already" in twice.stderr
    wgcli.ok("cosponsor", amendment, "--withdraw", actor=MEMBER_GOV)
    shown = json.loads(wgcli.ok("show", amendment, "--json"))
    assert shown["cosponsors"] == [{"member": MEMBER_CS, "group": "civil-society"}]
    compilation = wgcli.ok("export", "principles", "--format", "compilation")
    assert f"Co-sponsored by {MEMBER_CS} (civil-society): 2 stakeholder group(s)" in compilation


# -- the amendment window ----------------------------------------------------------------------


def test_the_window_closes_tabling_but_not_deliberation(wgcli: Wg) -> None:
    amendment = wgcli.ok(
        "propose",
        "principles",
        "--paragraph",
        "2",
        "--text",
        "Before the window closed.",
        "--rationale",
        "R",
        actor=MEMBER_PS,
    ).strip()
    assert wgcli("window", "principles", "close", actor=CHAIR).exit_code == 4
    wgcli.ok("window", "principles", "close", actor=SECRETARIAT)
    before = git(wgcli.repo, "for-each-ref", "refs/wg/amendments")
    refused = wgcli(
        "propose",
        "principles",
        "--paragraph",
        "3",
        "--text",
        "Late.",
        "--rationale",
        "R",
        actor=MEMBER_CS,
    )
    assert refused.exit_code == 1 and len(refused.stderr.strip().splitlines()) == 1
    assert "amendment window for principles is closed" in refused.stderr
    assert git(wgcli.repo, "for-each-ref", "refs/wg/amendments") == before
    wgcli.ok("revise", amendment, "--text", "Revised while closed.", actor=MEMBER_PS)
    wgcli.ok("position", amendment, "support", actor=MEMBER_CS)
    assert "closed" in wgcli.ok("window", "principles")
    wgcli.ok("window", "principles", "open", "--until", "2h", actor=SECRETARIAT)
    assert "closes at" in wgcli.ok("window", "principles")
    wgcli.ok(
        "propose",
        "principles",
        "--paragraph",
        "3",
        "--text",
        "In time.",
        "--rationale",
        "R",
        actor=MEMBER_CS,
    )
    past = wgcli("window", "principles", "close", "--until", "2020-01-01T00:00Z", actor=SECRETARIAT)
    assert past.exit_code == 2 and "in the past" in past.stderr
    bad = wgcli("window", "principles", "close", "--until", "tomorrow", actor=SECRETARIAT)
    assert bad.exit_code == 2 and "not a time" in bad.stderr


def test_a_window_that_closes_at_a_deadline(example_repo: Path) -> None:
    now = [time.time()]
    with WorkingGroup.open(example_repo, SECRETARIAT, clock=lambda: now[0]) as wg:
        wg.procedure.set_window("principles", "open", until=now[0] + 60)
    now[0] += 61
    with WorkingGroup.open(example_repo, MEMBER_PS, clock=lambda: now[0]) as wg:
        with pytest.raises(StateError, match="closed"):
            wg.amendments.propose(
                "principles", kind=Kind.REPLACE, paragraph=2, text="x", rationale="R"
            )


# -- silence ---------------------------------------------------------------------------------


def test_silence_on_an_amendment_concludes_as_a_merge(example_repo: Path) -> None:
    now = [time.time()]

    def opened(handle: str) -> WorkingGroup:
        return WorkingGroup.open(example_repo, handle, clock=lambda: now[0])

    with opened(MEMBER_PS) as wg:
        amendment = wg.amendments.propose(
            "principles", kind=Kind.REPLACE, paragraph=2, text="Under silence.", rationale="R"
        ).id
    with opened(MEMBER_CS) as wg:
        with pytest.raises(Exception, match="needs the chair or secretariat role"):
            wg.procedure.silence_start(amendment, until=now[0] + 3600, message="m")
    with opened(CHAIR) as wg:
        silence = wg.procedure.silence_start(
            amendment, until=now[0] + 3600, message="Silence until 5"
        ).id
        with pytest.raises(StateError, match="runs until"):
            wg.procedure.silence_conclude(silence)
    now[0] += 3601
    with opened(MEMBER_GOV) as wg:
        with pytest.raises(StateError, match="too late"):
            wg.procedure.silence_break(silence, reason="late")
    with opened(CHAIR) as wg:
        merge = wg.procedure.silence_conclude(silence)
        merged = wg.amendments.amendment(amendment)
    message = git(example_repo, "log", "-1", "--format=%B", merge)
    assert "Consensus: silence" in message and f"Silence: {silence}" in message
    assert merged.adoption is not None and merged.adoption.silence == silence
    assert "checked" in git(example_repo, "log", "-1") or True
    with opened(CHAIR) as wg:
        (listed,) = wg.procedure.silences()
        assert listed.state(now[0]) == "concluded"


def test_a_broken_silence_is_an_objection_and_cannot_be_concluded(example_repo: Path) -> None:
    now = [time.time()]

    def opened(handle: str) -> WorkingGroup:
        return WorkingGroup.open(example_repo, handle, clock=lambda: now[0])

    with opened(CHAIR) as wg:
        silence = wg.procedure.silence_start(
            "principles", until=now[0] + 600, message="The text as it stands", version="agreed"
        ).id
    now[0] += 599
    with opened(MEMBER_GOV) as wg:
        wg.procedure.silence_break(silence, reason="Our capital objects")
    now[0] += 2
    with opened(CHAIR) as wg:
        with pytest.raises(StateError, match="broken by rsubramanian"):
            wg.procedure.silence_conclude(silence)
        (listed,) = wg.procedure.silences()
        assert listed.state(now[0]) == "broken"


def test_a_draft_silence_concludes_as_a_version_tagged_by_the_chair(wgcli: Wg) -> None:
    now = [time.time()]
    with WorkingGroup.open(wgcli.repo, CHAIR, clock=lambda: now[0]) as wg:
        silence = wg.procedure.silence_start(
            "principles", until=now[0] + 60, message="Final text", version="final"
        ).id
        main = wg.record.main()
    amendment = wgcli.ok(
        "propose",
        "principles",
        "--paragraph",
        "2",
        "--text",
        "Changed after silence began.",
        "--rationale",
        "R",
        actor=MEMBER_PS,
    ).strip()
    wgcli.ok("merge", agree_cli(wgcli, amendment), actor=CHAIR)
    now[0] += 61
    with WorkingGroup.open(wgcli.repo, CHAIR, clock=lambda: now[0]) as wg:
        tag = wg.procedure.silence_conclude(silence)
    assert tag == "principles/final"
    assert git(wgcli.repo, "rev-parse", "principles/final^{commit}").strip() == main
    assert f"Silence: {silence}" in git(wgcli.repo, "cat-file", "-p", "principles/final")
    assert "final" in wgcli.ok("versions", "principles")
    assert "every change is attributed" in wgcli.ok("verify")


def test_a_late_break_from_a_slow_clock_does_not_count(clones: Clones) -> None:
    """Two clones with skewed clocks and a guarded remote: the remote's clock decides."""
    assert guard("install", str(clones.origin)).exit_code == 0
    real = time.time()
    with WorkingGroup.open(clones.a, CHAIR, clock=lambda: real - 100) as wg:
        ended = wg.procedure.silence_start(
            clones.amendment, until=real - 1, message="Ended a second ago"
        ).id
    with WorkingGroup.open(clones.a, CHAIR) as wg:
        assert not do_sync(clones.a).problems
    # b's clock is an hour slow: to b, the deadline is an hour away
    slow = lambda: time.time() - 3600  # noqa: E731
    assert not do_sync(clones.b).problems
    with WorkingGroup.open(clones.b, MEMBER_GOV, clock=slow) as wg:
        wg.procedure.silence_break(ended, reason="Too late, by any clock but mine")
    report = do_sync(clones.b)
    assert any("after its deadline" in line for line in report.problems), report.problems
    assert any("by this remote's clock" in line for line in report.problems)
    assert not do_sync(clones.a).problems
    with WorkingGroup.open(clones.a, CHAIR) as wg:
        (silence,) = wg.procedure.silences()
        assert silence.breaks == ()
        wg.procedure.silence_conclude(ended)
        assert wg.amendments.amendment(clones.amendment).adoption.silence == ended  # type: ignore[union-attr]


def test_a_break_before_the_deadline_counts_across_clones(clones: Clones) -> None:
    assert guard("install", str(clones.origin)).exit_code == 0
    real = time.time()
    # a's clock is an hour fast, b's an hour slow: the break is made before the deadline
    with WorkingGroup.open(clones.a, CHAIR, clock=lambda: real) as wg:
        silence = wg.procedure.silence_start(
            clones.amendment, until=real + 3600, message="An hour"
        ).id
    assert not do_sync(clones.a).problems
    assert not do_sync(clones.b).problems
    with WorkingGroup.open(clones.b, MEMBER_GOV, clock=lambda: time.time() - 3600) as wg:
        wg.procedure.silence_break(silence, reason="We object")
    assert not do_sync(clones.b).problems
    assert not do_sync(clones.a).problems
    with WorkingGroup.open(clones.a, CHAIR, clock=lambda: real + 3601) as wg:
        (found,) = wg.procedure.silences()
        assert [b.member for b in found.breaks] == [MEMBER_GOV]
        consensus = wg.deliberation.consensus(wg.amendments.amendment(clones.amendment))
        assert "governments" in consensus.groups_in("object")
        with pytest.raises(StateError, match="broken"):
            wg.procedure.silence_conclude(silence)


# -- the rules, against plain git ------------------------------------------------------------


def test_forged_agreement_events_are_refused_by_sync_and_verify(clones: Clones) -> None:
    """A member writes a bracket and a late break with plain git: both are refused."""
    from tests.forge import Forger, message

    forger = Forger(clones.b)
    main = forger.rev("main")
    event = {
        "id": "1a2b3c4d5e6-abcdef",
        "draft": "principles",
        "type": "bracket",
        "member": MEMBER_GOV,
        "group": "governments",
        "at": time.time(),
        "revision": 1,
        "text": "I bracket what I dislike",
        "paragraph": "2",
        "anchor": main,
    }
    tree = forger.tree(None, {f"events/{event['id']}.json": json.dumps(event)})
    text = message(
        "Bracket words in paragraph 2 of draft principles",
        [
            ("Draft", "principles"),
            ("Event", "bracket"),
            ("Event-Id", str(event["id"])),
            ("Member", MEMBER_GOV),
            ("Stakeholder-Group", "governments"),
            ("Main", main),
        ],
    )
    commit = forger.commit(tree, [], text, author=MEMBER_GOV)
    forger.update_ref("refs/wg/events/draft-principles", commit)
    audit = WgRunner(clones.b)("verify")
    assert audit.exit_code != 0 and "a bracket event by rsubramanian, who is not chair" in (
        audit.stdout + audit.stderr
    )
    report = do_sync(clones.b)
    assert any("who is not chair" in line for line in report.problems)
    assert git(clones.origin, "for-each-ref", "refs/wg/events/draft-principles") == ""
    with WorkingGroup.open(clones.b) as wg:
        assert wg.agreement.brackets("principles") == []


def test_a_break_stamped_after_the_deadline_is_invalid(example_repo: Path) -> None:
    real = time.time()
    with WorkingGroup.open(example_repo, CHAIR, clock=lambda: real) as wg:
        amendment = wg.amendments.propose(
            "principles", kind=Kind.REPLACE, paragraph=2, text="T.", rationale="R"
        ).id
        silence = wg.procedure.silence_start(amendment, until=real + 10, message="m").id
    # bypass the desk's own check: write a break stamped after the deadline
    with WorkingGroup.open(example_repo, MEMBER_GOV, clock=lambda: real + 11) as wg:
        amendment_obj = wg.amendments.amendment(amendment)
        wg.chains.add_event(
            amendment_obj, wg.record.actor(), "silence-break", text="late", target=silence
        )
    audit = WgRunner(example_repo)("verify")
    assert audit.exit_code != 0 and "after its deadline" in audit.stdout + audit.stderr
    with WorkingGroup.open(example_repo, CHAIR, clock=lambda: real + 11) as wg:
        (found,) = wg.procedure.silences()
        assert found.breaks == ()


class WgRunner(Wg):
    pass


# -- sync and reindex --------------------------------------------------------------------------


def test_agreement_syncs_and_survives_reindex(clones: Clones) -> None:
    now = time.time()
    with WorkingGroup.open(clones.a, CHAIR) as wg:
        bracket = wg.agreement.bracket(
            "principles", "3", words=None, reason="Open", held_by=["governments"]
        )
        wg.agreement.agree("principles", "5")
        wg.procedure.silence_start(clones.amendment, until=now + 3600, message="m")
    with WorkingGroup.open(clones.b, MEMBER_CS) as wg:
        wg.agreement.comment_paragraph("principles", "3", "Written at the same time")
        wg.procedure.cosponsor(clones.amendment)
    with WorkingGroup.open(clones.b, SECRETARIAT) as wg:
        wg.procedure.set_window("principles", "close")
    for repo in (clones.a, clones.b, clones.a):
        assert not do_sync(repo).problems
    answers = []
    for repo in (clones.a, clones.b):
        for rebuild in (False, True):
            with WorkingGroup.open(repo, MEMBER_CS, clock=lambda: now) as wg:
                if rebuild:
                    wg.record.index.rebuild()
                answers.append(
                    (
                        [p.to_dict() for p in wg.agreement.ledger("principles")],
                        [b.to_dict() for b in wg.agreement.brackets("principles")],
                        [s.to_dict(now) for s in wg.procedure.silences()],
                        wg.procedure.window("principles").to_dict(now),
                        sorted(
                            wg.procedure.cosponsors(
                                wg.amendments.amendment(clones.amendment)
                            ).members
                        ),
                    )
                )
    assert all(answer == answers[0] for answer in answers)
    ledger = {p["label"]: p for p in answers[0][0]}
    assert ledger["3"]["brackets"] == [bracket.id] and ledger["3"]["comments"] == 1
    assert ledger["5"]["status"] == "agreed" and answers[0][3]["open"] is False
    assert "every change is attributed" in WgRunner(clones.a).ok("verify")


def test_bad_input_writes_nothing(wgcli: Wg, snapshot_refs) -> None:  # type: ignore[no-untyped-def]
    before = snapshot_refs(wgcli.repo)
    for args, actor in (
        (
            ("bracket", "principles", "--paragraph", "2", "--words", "not in it", "--reason", "r"),
            CHAIR,
        ),
        (("bracket", "principles", "--paragraph", "2x", "--reason", "r"), CHAIR),
        (("bracket", "nodraft", "--paragraph", "2", "--reason", "r"), CHAIR),
        (("silence", "start", "principles", "--until", "yesterday", "-m", "m"), CHAIR),
        (("silence", "start", "principles", "--until", "2020-01-01T00:00+00:00", "-m", "m"), CHAIR),
        (("silence", "start", "principles", "--until", "2030-01-01T00:00", "-m", "m"), CHAIR),
        (("silence", "break", "ffff", "--reason", "r"), MEMBER_CS),
        (("unbracket", "0123abc"), CHAIR),
        (("agree", "principles", "--paragraph", "2", "--pending-on", "governments"), CHAIR),
        (("cosponsor", "ffffffff"), MEMBER_CS),
    ):
        result = wgcli(*args, actor=actor)
        assert result.exit_code != 0 and len(result.stderr.strip().splitlines()) == 1, (
            args,
            result.stderr,
        )
    assert snapshot_refs(wgcli.repo) == before


def test_parse_when() -> None:
    from wgtool.core.agreement import parse_when

    assert parse_when("72h", 1000.0) == 1000.0 + 72 * 3600
    assert parse_when("10s", 0.0) == 10.0 and parse_when("30m", 0.0) == 1800.0
    assert parse_when("2026-12-01T17:00+01:00", 0.0) == parse_when("2026-12-01T16:00Z", 0.0)
    for bad in ("soon", "2026-12-01T17:00", "-5h"):
        with pytest.raises(InvalidInput):
            parse_when(bad, 0.0)


def test_verify_refuses_adoptions_under_a_silence_that_did_not_hold(example_repo: Path) -> None:
    """A chair who merges "under silence" past the desk's checks is caught by verify."""
    real = time.time()
    with WorkingGroup.open(example_repo, MEMBER_PS, clock=lambda: real) as wg:
        early = wg.amendments.propose(
            "principles", kind=Kind.REPLACE, paragraph=2, text="A.", rationale="R"
        )
        broken = wg.amendments.propose(
            "principles", kind=Kind.REPLACE, paragraph=4, text="B.", rationale="R"
        )
    with WorkingGroup.open(example_repo, CHAIR, clock=lambda: real) as wg:
        running = wg.procedure.silence_start(early.id, until=real + 3600, message="m").id
        ended = wg.procedure.silence_start(broken.id, until=real + 10, message="m").id
    with WorkingGroup.open(example_repo, MEMBER_GOV, clock=lambda: real + 5) as wg:
        wg.procedure.silence_break(ended, reason="no")
    with WorkingGroup.open(example_repo, CHAIR, clock=lambda: real + 20) as wg:
        wg.merges.merge(early.id, silence=running)  # the desk's own checks skipped
        wg.merges.merge(broken.id, silence=ended)
    audit = WgRunner(example_repo)("verify")
    out = audit.stdout + audit.stderr
    assert audit.exit_code != 0
    assert f"adopts under silence {running} at " in out and ", before its deadline" in out
    assert f"adopts under silence {ended}, which {MEMBER_GOV} broke" in out


def test_verify_refuses_a_version_claiming_a_silence_not_on_record(example_repo: Path) -> None:
    with WorkingGroup.open(example_repo, CHAIR) as wg:
        events = wg.record.store.resolve("refs/wg/events/draft-principles") or "none"
        for extra, reason in (
            ([], "names no events it judged"),
            ([("Events", events)], "which is not among the events it names"),
        ):
            with pytest.raises(NotFound):  # tagged, but not a version
                wg.drafts.write_version(
                    "principles",
                    f"claimed{len(extra)}",
                    message="Adopted, it says, under silence",
                    extra=[("Silence", "1a2b3c4d5e6-abcdef"), *extra],
                    actor=wg.record.actor(),
                )
            audit = WgRunner(example_repo)("verify")
            assert audit.exit_code != 0
            assert f"refs/tags/principles/claimed{len(extra)}" in audit.stdout
            assert reason in audit.stdout, audit.stdout
