"""The checks a face runs before it asks the core to write an amendment, on real repositories:
each agrees with what the core then does (the diff shown is what is written, a refusal shown is
the one the core gives)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import CHAIR, MEMBER_CS, MEMBER_GOV, MEMBER_TECH, agreed
from wgtool.core import amending, document, merging
from wgtool.core.desks import WorkingGroup
from wgtool.core.errors import InvalidInput, WgError
from wgtool.core.model import Kind, Status
from wgtool.core.text import DiffOp

OLD = "The network should be single, open and free."


def changed(ops: list[DiffOp]) -> list[tuple[str, str]]:
    return [(op.op, op.text.strip()) for op in ops if op.op != "equal"]


def test_a_proposal_diff_shows_each_kind_of_change() -> None:
    replace = amending.proposal_diff(OLD, Kind.REPLACE, OLD.replace("open", "secure"), "Why.")
    assert ("delete", "open") in changed(replace) and ("insert", "secure") in changed(replace)
    insert = amending.proposal_diff(OLD, Kind.INSERT, "A new paragraph.\n\n", "Why.")
    assert changed(insert) == [("insert", "A new paragraph.")]
    delete = amending.proposal_diff(OLD, Kind.DELETE, "ignored", "Why.")
    assert [op.op for op in delete] == ["delete"] * len(delete) and delete


@pytest.mark.parametrize(
    ("kind", "text", "rationale", "refusal"),
    [
        (Kind.REPLACE, OLD + "  ", "Why.", "changes nothing"),
        (Kind.REPLACE, "New text.", "   ", "rationale"),
        (Kind.INSERT, "", "Why.", "paragraph text"),
        (Kind.DELETE, "", "bad \x1b[31m", "rationale"),
    ],
)
def test_a_proposal_the_core_refuses_is_refused_before_sending(
    kind: Kind, text: str, rationale: str, refusal: str
) -> None:
    with pytest.raises(InvalidInput, match=refusal):
        amending.proposal_diff(OLD, kind, text, rationale)


def test_the_proposal_diff_is_what_the_core_writes(example_repo: Path) -> None:
    with WorkingGroup.open(example_repo, MEMBER_TECH) as wg:
        old = document.paragraph(wg.drafts.draft("principles").text, 5).text
        new = old.replace("single, open", "single, secure, open")
        shown = amending.proposal_diff(old, Kind.REPLACE, new, "Clearer.")
        amendment = wg.amendments.propose(
            "principles", kind=Kind.REPLACE, paragraph=5, text=new, rationale="Clearer."
        )
        assert changed(shown) == changed(list(wg.amendments.change(amendment).diff))
        # The same text again is refused by both, with the same words.
        with pytest.raises(InvalidInput) as by_core:
            wg.amendments.propose(
                "principles", kind=Kind.REPLACE, paragraph=5, text=old, rationale="r"
            )
    with pytest.raises(InvalidInput) as by_check:
        amending.proposal_diff(old, Kind.REPLACE, old, "r")
    assert by_check.value.message == by_core.value.message


def test_a_revision_diff_keeps_a_whole_draft_as_it_is() -> None:
    draft = "# Title\n\nOne.\n\nTwo."
    ops = amending.revision_diff(draft, Kind.DOCUMENT, draft + "\n\nThree.", "Why.")
    assert changed(ops) == [("insert", "Three.")]
    with pytest.raises(InvalidInput, match="text"):
        amending.revision_diff(OLD, Kind.REPLACE, " \n ", "Why.")


def test_why_an_action_is_unavailable_matches_the_core(example_repo: Path) -> None:
    with WorkingGroup.open(example_repo, MEMBER_TECH) as wg:
        text = document.paragraph(wg.drafts.draft("principles").text, 5).text
        amendment = wg.amendments.propose(
            "principles",
            kind=Kind.REPLACE,
            paragraph=5,
            text=text.replace("single, open", "single, secure, open"),
            rationale="r",
        )
        proposer = wg.record.actor()
        wg.record.act_as(MEMBER_GOV)
        other = wg.record.actor()
        assert amending.unavailable(amendment, proposer, "withdraw") is None
        assert amending.unavailable(amendment, proposer, "revert") == (
            f"cannot revert amendment {amendment.id}: it is open, not merged"
        )
        assert amending.unavailable(amendment, proposer, "reply", has_comments=False) == (
            f"amendment {amendment.id} has no comment to reply to"
        )
        refusal = amending.unavailable(amendment, other, "withdraw")
        assert refusal == f"only the proposer (mchen) can withdraw amendment {amendment.id}"
        with pytest.raises(WgError) as by_core:
            wg.deliberation.withdraw(amendment.id)
        assert by_core.value.message == refusal
        wg.record.act_as(CHAIR)
        wg.merges.merge(agreed(wg, amendment.id))
        merged = wg.amendments.amendment(amendment.id)
        assert merged.status is Status.MERGED
        for action in ("position", "merge", "reject"):
            assert amending.unavailable(merged, other, action) == (
                f"cannot {amending.VERBS[action]} amendment {amendment.id}: it is merged"
            )
        assert amending.unavailable(merged, other, "revert") is None


def test_the_queue_of_one_paragraph(example_repo: Path) -> None:
    ids = {}
    with WorkingGroup.open(example_repo, MEMBER_CS) as wg:
        text = wg.drafts.draft("principles").text
        for number in (5, 6):
            old = document.paragraph(text, number).text
            ids[number] = wg.amendments.propose(
                "principles",
                kind=Kind.REPLACE,
                paragraph=number,
                text=old + " Indeed.",
                rationale="r",
            ).id
        assert {a.id for a, _ in wg.deliberation.listing(draft="principles")} == set(ids.values())
        assert [a.id for a, _ in wg.deliberation.listing(draft="principles", paragraph=6)] == [
            ids[6]
        ]
        assert wg.deliberation.listing(draft="principles", paragraph=6, status="merged") == []
        assert wg.deliberation.listing(paragraph=2) == []


def test_resolution_changes_are_those_the_merge_makes(example_repo: Path) -> None:
    with WorkingGroup.open(example_repo, MEMBER_TECH) as wg:
        text = wg.drafts.draft("principles").text
        p5 = document.paragraph(text, 5).text
        first = wg.amendments.propose(
            "principles",
            kind=Kind.REPLACE,
            paragraph=5,
            text=p5.replace("single, open", "single, secure, open"),
            rationale="r",
        ).id
        second = wg.amendments.propose(
            "principles",
            kind=Kind.REPLACE,
            paragraph=5,
            text=p5.replace("single, open", "single, free, open"),
            rationale="r",
        ).id
        wg.record.act_as(CHAIR)
        wg.merges.merge(agreed(wg, first))
        agreed(wg, second)
        plan = wg.merges.plan_merge(second)
        assert plan.places() and not merging.resolution_spans_paragraphs(plan)
        resolution = plan.conflicting_text().replace("secure, open", "secure, free, open")
        changes = merging.resolution_changes(plan, resolution)
        assert [c.label for c in changes] == ["¶5"]
        assert ("insert", "free,") in changed(list(changes[0].ops))
        with pytest.raises(InvalidInput, match="paragraph"):
            merging.resolution_changes(plan, resolution + "\n\nAnother paragraph.")
        wg.merges.merge(second, resolved_text=resolution, expected_main=plan.main)
        assert resolution.strip() in wg.drafts.draft("principles").text
