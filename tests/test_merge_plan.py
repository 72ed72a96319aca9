"""Where a chair's resolution of a conflict starts: the conflicting paragraphs of the current
text, in the form ``merging.resolve`` takes (the terminal UI's conflict editor is filled with it).
"""

from __future__ import annotations

from tests.conftest import CHAIR, MEMBER_PS, MEMBER_TECH, agreed
from wgtool.core import document, merging
from wgtool.core.model import Kind


def test_conflicting_text_is_the_conflicting_paragraphs_as_they_read_now(open_wg) -> None:
    wg = open_wg(MEMBER_TECH)
    text = wg.drafts.draft("principles").text
    p5, p7 = document.paragraph(text, 5).text, document.paragraph(text, 7).text
    first = wg.amendments.propose(
        "principles",
        kind=Kind.DOCUMENT,
        paragraph=None,
        text=text.replace(p5, p5.replace("single, open", "single, secure, open")).replace(
            p7, p7 + " Now."
        ),
        rationale="Security; emphasis.",
    ).id
    wg.record.act_as(MEMBER_PS)
    # Conflicts with the first in paragraphs 5 and 7; changes paragraph 6 cleanly.
    p6 = document.paragraph(text, 6).text
    second = wg.amendments.propose(
        "principles",
        kind=Kind.DOCUMENT,
        paragraph=None,
        text=text.replace(p5, p5.replace("single, open", "single, free, open"))
        .replace(p6, p6.replace("right to privacy", "right to privacy and data"))
        .replace(p7, p7 + " Today."),
        rationale="Freedom; data; emphasis.",
    ).id
    wg.record.act_as(CHAIR)
    wg.merges.merge(agreed(wg, first))
    current = wg.drafts.draft("principles").text
    plan = wg.merges.plan_merge(second)
    assert not plan.clean and plan.conflict_summary() == "¶5 and ¶7"
    now5, now7 = document.paragraph(current, 5).text, document.paragraph(current, 7).text
    assert plan.conflicting_text() == f"{now5}\n\n{now7}"
    # Given back unchanged, it keeps the current text there and takes the rest of the merge.
    kept = merging.resolve(plan, plan.conflicting_text())
    assert document.paragraph(kept, 5).text == now5
    assert document.paragraph(kept, 7).text == now7
    assert "right to privacy and data" in document.paragraph(kept, 6).text
    assert len(document.paragraphs(kept)) == len(document.paragraphs(current))


def test_a_clean_plan_has_no_conflicting_text(open_wg) -> None:
    wg = open_wg(MEMBER_TECH)
    text = document.paragraph(wg.drafts.draft("principles").text, 5).text
    amendment = wg.amendments.propose(
        "principles",
        kind=Kind.REPLACE,
        paragraph=5,
        text=text.replace("single, open", "single, secure, open"),
        rationale="Security.",
    ).id
    plan = wg.merges.plan_merge(amendment)
    assert plan.clean and plan.conflicting_text() == ""
