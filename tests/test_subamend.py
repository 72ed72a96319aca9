"""Amendments to amendments, end to end: the real ``wgtool`` as a subprocess over a real
repository (propose --to, show, the queue, accept, merge), and the core's answers to what a
sub-amendment may change, when it lapses and whose positions count."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.conftest import CHAIR, MEMBER_CS, MEMBER_GOV, MEMBER_PS, MEMBER_TECH, git
from tests.conftest import wgtool_ok as ok
from tests.conftest import wgtool_run as run
from tests.test_golden_documents import word_text
from wgtool.core.desks import WorkingGroup
from wgtool.core.documents.export import produce
from wgtool.core.errors import InvalidInput, PermissionDenied, StateError
from wgtool.core.exchange.verify import verify
from wgtool.core.model import Kind, Status

PARENT_TEXT = "Enhanced cooperation involves all stakeholders."
SUB_TEXT = "Enhanced cooperation involves all stakeholders on an equal footing."


def refused(repo: Path, code: int, *args: str, actor: str | None = None) -> str:
    """A command refused with one line on stderr, exit ``code``, and nothing written."""
    before = git(repo, "for-each-ref")
    done = run(repo, *args, actor=actor)
    assert done.returncode == code, (done.returncode, done.stdout, done.stderr)
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert git(repo, "for-each-ref") == before
    return done.stderr


def parent_amendment(repo: Path) -> str:
    return ok(
        repo,
        "propose",
        "principles",
        "--paragraph",
        "1",
        "--text",
        PARENT_TEXT,
        "--rationale",
        "Say who takes part.",
        actor=MEMBER_PS,
    ).strip()


def sub_amendment_cli(repo: Path, parent: str) -> str:
    """mchen's sub-amendment to ``parent``, proposed with the CLI; its id."""
    return ok(
        repo,
        "propose",
        "--to",
        parent,
        "--text",
        SUB_TEXT,
        "--rationale",
        "Footing.",
        actor=MEMBER_TECH,
    ).strip()


def test_propose_show_queue_and_accept_through_the_cli(example_repo: Path) -> None:
    parent = parent_amendment(example_repo)
    ok(example_repo, "position", parent, "support", actor=MEMBER_GOV)
    sub = ok(
        example_repo,
        "propose",
        "--to",
        parent,
        "--text",
        SUB_TEXT,
        "--rationale",
        "On an equal footing.",
        actor=MEMBER_TECH,
    ).strip()
    assert sub != parent
    # The sub-amendment names its amendment and the revision it was made against.
    message = git(example_repo, "log", "-1", "--format=%B", f"refs/wg/amendments/{sub}")
    assert f"Amends: {parent}" in message
    head = git(example_repo, "rev-parse", f"refs/wg/amendments/{parent}").strip()
    assert f"Amends-Revision: {head}" in message

    shown = ok(example_repo, "show", sub)
    assert f"Amends:    amendment {parent} by {MEMBER_PS} (private-sector)" in shown
    assert "stakeholders{+ on an equal footing+}." in shown  # against the amendment's text
    shown = ok(example_repo, "show", parent)
    assert "Sub-amendments:" in shown
    assert f"{sub}  {MEMBER_TECH} (technical-academic)  open; consensus not reached yet" in shown
    detail = json.loads(ok(example_repo, "show", parent, "--json"))
    assert detail["sub_amendments"][0]["id"] == sub
    assert detail["sub_amendments"][0]["proposer"] == MEMBER_TECH

    queue = ok(example_repo, "amendments").splitlines()
    at = next(i for i, line in enumerate(queue) if line.startswith(parent))
    assert queue[at + 1].startswith(f"  ↳ {sub}  sub-amendment by {MEMBER_TECH}")
    listed = {a["id"]: a for a in json.loads(ok(example_repo, "amendments", "--json"))}
    assert listed[sub]["amends"] == parent and listed[parent]["amends"] is None

    # Only the amendment's proposer accepts (exit 4); then a new revision reads as the sub.
    assert "only the proposer (kwatanabe)" in refused(
        example_repo, 4, "accept", sub, actor=MEMBER_CS
    )
    said = ok(example_repo, "accept", sub, actor=MEMBER_PS)
    assert said.strip() == f"Accepted {sub} into {parent} (revision 2)"
    accepted = git(example_repo, "log", "-1", "--format=%B", f"refs/wg/amendments/{parent}")
    assert f"Accepts: {sub}" in accepted and "Revision: 2" in accepted
    sub_head = git(example_repo, "rev-parse", f"refs/wg/amendments/{sub}").strip()
    assert f"Accepts-Revision: {sub_head}" in accepted
    assert git(example_repo, "show", f"refs/wg/amendments/{parent}:drafts/principles.md") == git(
        example_repo, "show", f"{sub_head}:drafts/principles.md"
    )
    assert "accepted into" in ok(example_repo, "show", sub)
    # The position on revision 1 of the amendment is stale now.
    assert "(stale: on an earlier revision)" in ok(example_repo, "show", parent)
    assert ok(example_repo, "verify").startswith("checked")


def test_refusals_through_the_cli(example_repo: Path) -> None:
    parent = parent_amendment(example_repo)
    sub = sub_amendment_cli(example_repo, parent)
    # One level deep: a sub-amendment to a sub-amendment is bad input.
    line = refused(
        example_repo,
        2,
        "propose",
        "--to",
        sub,
        "--text",
        "Words.",
        "--rationale",
        "R.",
        actor=MEMBER_GOV,
    )
    assert f"amendment {sub} is itself a sub-amendment (to {parent})" in line
    refused(
        example_repo,
        2,
        "propose",
        "principles",
        "--to",
        parent,
        "--text",
        "W.",
        "--rationale",
        "R.",
        actor=MEMBER_GOV,
    )
    refused(
        example_repo,
        2,
        "propose",
        "--to",
        parent,
        "--text",
        PARENT_TEXT,
        "--rationale",
        "R.",
        actor=MEMBER_GOV,
    )  # changes nothing
    refused(example_repo, 1, "propose", "--to", "abcdef12", "--text", "W.", "--rationale", "R.")
    # The chair merges only on consensus (exit 6), and never a sub-amendment into the draft.
    refused(example_repo, 6, "merge", sub, actor=CHAIR)
    refused(example_repo, 2, "merge", sub, "--dry-run", actor=CHAIR)
    # A member merges nothing (exit 4).
    refused(
        example_repo, 4, "merge", sub, "--override-consensus", "--reason", "R.", actor=MEMBER_GOV
    )


def test_the_chair_merges_a_sub_amendment_on_consensus(example_repo: Path) -> None:
    parent = parent_amendment(example_repo)
    sub = sub_amendment_cli(example_repo, parent)
    ok(example_repo, "position", sub, "support", actor=MEMBER_CS)
    said = ok(example_repo, "merge", sub, actor=CHAIR)
    assert said.strip() == f"Merged {sub} into amendment {parent} (revision 2)"
    merged = git(example_repo, "log", "-1", "--format=%ae|%ce|%B", f"refs/wg/amendments/{parent}")
    with WorkingGroup.open(example_repo) as wg:
        email = wg.record.roster.members[CHAIR].email
    assert merged.startswith(f"{email}|{email}|"), merged  # the chair's revision, as the chair
    for trailer in (
        f"Accepts: {sub}",
        f"Proposed-by: {MEMBER_TECH}",
        f"Merged-by: {CHAIR}",
        "Consensus: reached",
        "Supporting-Groups: civil-society",
        f"Events: {git(example_repo, 'rev-parse', f'refs/wg/events/{sub}').strip()}",
    ):
        assert trailer in merged, merged
    assert f"accepted into {parent} (merged by {CHAIR})" in ok(example_repo, "show", sub)
    # Then the amendment itself goes to main as any amendment does.
    ok(example_repo, "position", parent, "support", actor=MEMBER_GOV)
    ok(example_repo, "merge", parent, actor=CHAIR)
    assert SUB_TEXT in git(example_repo, "show", "main:drafts/principles.md")
    assert ok(example_repo, "verify").startswith("checked")


# -- the core ----------------------------------------------------------------------------------


def tabled(repo: Path) -> tuple[str, str]:
    with WorkingGroup.open(repo, MEMBER_PS) as wg:
        parent = wg.amendments.propose(
            "principles", kind=Kind.REPLACE, paragraph=1, text=PARENT_TEXT, rationale="Who."
        ).id
    with WorkingGroup.open(repo, MEMBER_TECH) as wg:
        sub = wg.subamendments.propose_to(parent, text=SUB_TEXT, rationale="Footing.").id
    return parent, sub


@pytest.mark.parametrize("decision", ["withdraw", "reject", "merge", "revise"])
def test_a_sub_amendment_lapses_with_its_amendment(example_repo: Path, decision: str) -> None:
    parent, sub = tabled(example_repo)
    if decision == "withdraw":
        with WorkingGroup.open(example_repo, MEMBER_PS) as wg:
            wg.deliberation.withdraw(parent)
    elif decision == "reject":
        with WorkingGroup.open(example_repo, CHAIR) as wg:
            wg.deliberation.reject(parent, reason="Out of scope.")
    elif decision == "merge":
        with WorkingGroup.open(example_repo, CHAIR) as wg:
            wg.merges.merge(parent, override_reason="Agreed in the room.")
    else:
        with WorkingGroup.open(example_repo, MEMBER_PS) as wg:
            wg.amendments.revise(parent, text="Enhanced cooperation involves every stakeholder.")
    with WorkingGroup.open(example_repo, MEMBER_PS) as wg:
        assert wg.amendments.amendment(sub).status is Status.LAPSED
        with pytest.raises(StateError, match="it has lapsed"):
            wg.subamendments.accept(sub)
    assert "lapsed (amendment" in ok(example_repo, "show", sub)


def test_accepting_one_lapses_the_others_made_against_the_same_revision(
    example_repo: Path,
) -> None:
    parent, first = tabled(example_repo)
    with WorkingGroup.open(example_repo, MEMBER_GOV) as wg:
        second = wg.subamendments.propose_to(
            parent, text="Enhanced cooperation involves States.", rationale="States."
        ).id
    for member in (MEMBER_TECH, MEMBER_GOV):
        ok(example_repo, "inbox", actor=member)  # their last look, before the acceptance
    with WorkingGroup.open(example_repo, MEMBER_PS) as wg:
        wg.subamendments.accept(first)
        assert wg.amendments.amendment(first).status is Status.ACCEPTED
        assert wg.amendments.amendment(second).status is Status.LAPSED
        # A new sub-amendment is made against the new revision, and can be accepted.
        with WorkingGroup.open(example_repo, MEMBER_CS) as other:
            third = other.subamendments.propose_to(
                parent, text=SUB_TEXT.replace("equal", "fair"), rationale="Fair."
            ).id
        assert wg.subamendments.accept(third).revision == 3
        listed = wg.subamendments.sub_amendments(wg.amendments.amendment(parent))
        assert sorted(s.id for s in listed) == sorted([first, second, third])
        assert verify(wg).problems == []
    # Each proposer hears what became of their sub-amendment.
    assert f"accepted into its amendment by {MEMBER_PS}" in ok(
        example_repo, "inbox", actor=MEMBER_TECH
    )
    assert "lapsed: its amendment was decided or revised since" in ok(
        example_repo, "inbox", actor=MEMBER_GOV
    )


def test_what_a_sub_amendment_may_change(example_repo: Path) -> None:
    """Only the amendment's own text: not another paragraph of a whole-draft amendment, and
    nothing at all of a deletion."""
    with WorkingGroup.open(example_repo, MEMBER_PS) as wg:
        text = wg.drafts.draft("principles").text
        whole = wg.amendments.propose(
            "principles",
            kind=Kind.DOCUMENT,
            text=text.replace("Working Group", "Group", 1),
            rationale="Shorter.",
        ).id
        deletion = wg.amendments.propose(
            "principles", kind=Kind.DELETE, paragraph=3, rationale="Not needed."
        ).id
    with WorkingGroup.open(example_repo, MEMBER_TECH) as wg:
        with pytest.raises(InvalidInput, match="no text to amend"):
            wg.subamendments.propose_to(deletion, text="Words.", rationale="R.")
        amended = wg.drafts.draft_text_at(wg.amendments.amendment(whole).head, "principles")
        assert amended is not None
        outside = amended.rsplit("\n\n", 1)
        changed_last = outside[0] + "\n\n" + "A last paragraph of our own.\n"
        with pytest.raises(InvalidInput, match="changes only what amendment"):
            wg.subamendments.propose_to(whole, text=changed_last, rationale="R.")
        inside = amended.replace("Group", "Group of Experts", 1)
        sub = wg.subamendments.propose_to(whole, text=inside, rationale="Experts.")
        assert sub.amends == whole and sub.status is Status.OPEN


def test_only_the_proposer_accepts_and_only_the_chair_merges(example_repo: Path) -> None:
    parent, sub = tabled(example_repo)
    with WorkingGroup.open(example_repo, MEMBER_GOV) as wg:
        with pytest.raises(PermissionDenied):
            wg.subamendments.accept(sub)
        with pytest.raises(PermissionDenied):
            wg.subamendments.merge(sub, override_reason="R.")
    with WorkingGroup.open(example_repo, CHAIR) as wg:
        with pytest.raises(PermissionDenied):
            wg.subamendments.accept(sub)  # the chair merges, and only on consensus
        wg.subamendments.merge(sub, override_reason="Agreed in the room.")
        parent_now = wg.amendments.amendment(parent)
        assert parent_now.revision == 2
        assert wg.amendments.amendment(sub).merged_by == CHAIR
        assert verify(wg).problems == []


def test_the_compilation_and_exports_show_sub_amendments_under_their_amendment(
    example_repo: Path,
) -> None:
    """HTML and Word compilations and the Akoma Ntoso list put each sub-amendment right after
    its amendment (though tabled after another amendment to the paragraph), attributed, its
    change shown against the amendment's text."""
    with WorkingGroup.open(example_repo, MEMBER_PS) as wg:
        parent = wg.amendments.propose(
            "principles", kind=Kind.REPLACE, paragraph=1, text=PARENT_TEXT, rationale="Who."
        ).id
    with WorkingGroup.open(example_repo, MEMBER_GOV) as wg:
        other = wg.amendments.propose(
            "principles",
            kind=Kind.REPLACE,
            paragraph=1,
            text="Enhanced cooperation involves governments.",
            rationale="States.",
        ).id
    with WorkingGroup.open(example_repo, MEMBER_TECH) as wg:
        sub = wg.subamendments.propose_to(parent, text=SUB_TEXT, rationale="Footing.").id
    with WorkingGroup.open(example_repo, MEMBER_PS) as wg:
        html = str(produce(wg, "principles", "compilation"))
        word = word_text(bytes(produce(wg, "principles", "docx-compilation")))
        xml = str(produce(wg, "principles", "akn-amendments"))
    ids = re.findall(r'id="amendment-([0-9a-f]+)"', html)
    assert sorted(ids) == sorted([parent, sub, other])
    assert ids.index(sub) == ids.index(parent) + 1, ids  # right under its amendment
    start = html.index(f'id="amendment-{sub}"')
    block = html[start : html.index("</div>", start)]
    assert f'class="amendment sub-amendment" id="amendment-{sub}"' in html
    assert f"<h3>Sub-amendment {sub} to amendment {parent}</h3>\n" in block
    assert f"Proposed by {MEMBER_TECH} (Technical and academic community)" in block
    assert "stakeholders<ins> on an equal footing</ins>." in block  # against the amendment
    assert f"Amends amendment {parent}, proposed by {MEMBER_PS} (private-sector)" in block
    assert f"Sub-amendments: {sub} ({MEMBER_TECH}, technical-academic: open)" in html
    lines = word.splitlines()
    headings = [line for line in lines if line.startswith("[Heading")]
    # An amendment's heading ends with its number and id ("— Am. 1 (id)").
    at = next(i for i, h in enumerate(headings) if h.endswith(f"({parent})"))
    assert headings[at + 1] == f"[Heading 3] Sub-amendment {sub} to amendment {parent}"
    assert any(h.endswith(f"({other})") for h in headings)
    listed = list(dict.fromkeys(re.findall(r"amd_([0-9a-f]+)__", xml)))
    assert listed.index(sub) == listed.index(parent) + 1, listed


def test_a_sub_amendment_is_revised_by_its_proposer_and_accepted_as_revised(
    example_repo: Path,
) -> None:
    parent, sub = tabled(example_repo)
    revised = "Enhanced cooperation involves all stakeholders, on an equal footing."
    with WorkingGroup.open(example_repo, MEMBER_TECH) as wg:
        again = wg.amendments.revise(sub, text=revised, rationale="With a comma.")
        assert again.revision == 2 and again.amends == parent and again.status is Status.OPEN
        assert wg.amendments.change(again).new == revised
    message = git(example_repo, "log", "-1", "--format=%B", f"refs/wg/amendments/{sub}")
    assert f"Amends: {parent}" in message and "Revision: 2" in message
    with WorkingGroup.open(example_repo, MEMBER_PS) as wg:
        assert wg.amendments.change(wg.subamendments.accept(sub)).new == revised
        assert verify(wg).problems == []
