"""The demo working group: the example drafts and roster with a dozen amendments in every state.

Everything is written through the same use cases as real work, so the demo's record is what a
real working group's record looks like (``git log`` in the demo folder shows it).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from wgtool.core import document
from wgtool.core.desks import WorkingGroup
from wgtool.core.model import Kind

CHAIR = "lhaddad"
SECRETARIAT = "epetrova"


@dataclass(frozen=True)
class _Edit:
    proposer: str
    draft: str
    paragraph: int
    old: str
    new: str
    rationale: str
    title: str


def _replace(wg: WorkingGroup, edit: _Edit) -> str:
    text = document.paragraph(wg.drafts.draft(edit.draft).text, edit.paragraph).text
    assert edit.old in text, (edit.old, text)
    wg.record.act_as(edit.proposer)
    amendment = wg.amendments.propose(
        edit.draft,
        kind=Kind.REPLACE,
        paragraph=edit.paragraph,
        text=text.replace(edit.old, edit.new, 1),
        rationale=edit.rationale,
        title=edit.title,
    )
    return amendment.id


def _positions(wg: WorkingGroup, amendment_id: str, *stances: tuple[str, str, str]) -> None:
    for handle, stance, reason in stances:
        wg.record.act_as(handle)
        wg.deliberation.position(amendment_id, stance, reason=reason)


FIRST_READING = "first-reading"
"""The version every example draft starts with: the text as circulated."""


def circulate_example(wg: WorkingGroup) -> None:
    """Tag each of the example group's drafts ``first-reading``, as its secretariat circulated
    it: ``wgtool init --example`` gives a group with its first version, so that a redline from
    the first reading works from the start (as the README's walkthrough does)."""
    wg.record.act_as(SECRETARIAT)
    for slug in wg.drafts.draft_slugs():
        wg.procedure.tag(slug, FIRST_READING, message="Text as circulated for the first reading")
    wg.record.act_as(None)


def create_demo(path: Path) -> Path:
    """Create the demo working group at ``path`` (which must not exist or be empty)."""
    wg = WorkingGroup.init(path, title="Working Group on Enhanced Cooperation", example=True)
    try:
        circulate_example(wg)
        _populate(wg)
    finally:
        wg.close()
    return path


def _populate(wg: WorkingGroup) -> None:
    """The example group's story, told in order: long because it is a script, read top to
    bottom, each step one use case."""
    security = _replace(
        wg,
        _Edit(
            "mchen",
            "principles",
            5,
            "single, open, global and interoperable",
            "single, open, global, secure and interoperable",
            "Security is part of what keeps the network single and open; "
            "the principle should say so.",
            "Name security among the core properties of the Internet",
        ),
    )
    _positions(
        wg,
        security,
        ("mchen", "support", ""),
        ("rsubramanian", "support", "Welcome addition."),
        ("ndlamini", "no-objection", "Acceptable, provided paragraph 6 keeps its wording."),
        ("kwatanabe", "support", ""),
    )
    wg.record.act_as(CHAIR)
    wg.merges.merge(security)

    access = _replace(
        wg,
        _Edit(
            "ndlamini",
            "principles",
            6,
            "the right to privacy",
            "the right to privacy, the right to seek, receive and impart information",
            "Access to information is the right most often restricted online and deserves explicit "
            "mention.",
            "Add the right to seek, receive and impart information",
        ),
    )
    _positions(
        wg,
        access,
        ("ndlamini", "support", ""),
        ("therrera", "support", "Essential for civil society."),
        ("oadeyemi", "support", ""),
        ("amoreira", "abstain", "Awaiting instructions from capital."),
    )

    primary = _replace(
        wg,
        _Edit(
            "rsubramanian",
            "principles",
            7,
            "have a legitimate role and responsibility",
            "have the primary role and responsibility",
            "Public policy authority rests with States; the text should reflect this clearly.",
            "Governments' primary role in public policy",
        ),
    )
    _positions(
        wg,
        primary,
        ("rsubramanian", "support", ""),
        ("ndlamini", "object", "This would unbalance the multistakeholder model."),
        ("cdubois", "object", "Not acceptable to the private sector."),
        ("falsayed", "abstain", ""),
    )
    wg.record.act_as("therrera")
    first = wg.deliberation.comment(
        primary,
        "Could the proponent explain how this relates to paragraph 8 "
        "on the roles of other stakeholders?",
    )
    wg.record.act_as("rsubramanian")
    wg.deliberation.comment(
        primary,
        "Paragraph 8 is unaffected: it describes distinct roles, which this "
        "amendment does not diminish.",
        reply_to=first.id,
    )
    wg.record.act_as("mchen")
    wg.deliberation.comment(
        primary, 'Perhaps "respective roles" would bridge the two views?', reply_to=first.id
    )

    competition = _replace(
        wg,
        _Edit(
            "kwatanabe",
            "principles",
            16,
            "fair competition",
            "fair and open competition",
            "Openness of markets is as important as their fairness "
            "for new services to reach users.",
            "Fair and open competition",
        ),
    )
    _positions(
        wg,
        competition,
        ("kwatanabe", "support", ""),
        ("mchen", "support", ""),
        ("rsubramanian", "no-objection", ""),
        ("therrera", "no-objection", ""),
        ("falsayed", "no-objection", ""),
    )

    wg.record.act_as("therrera")
    remote = wg.amendments.propose(
        "principles",
        kind=Kind.INSERT,
        paragraph=9,
        text="Remote participation should be offered in every meeting held under enhanced "
        "cooperation, with the same opportunities to speak and to submit written input as "
        "participants present in the room.",
        rationale="Travel costs exclude many participants from developing countries; remote "
        "participation must be meaningful, not symbolic.",
        title="New paragraph on remote participation",
    ).id
    _positions(wg, remote, ("therrera", "support", ""), ("oadeyemi", "support", ""))
    wg.record.act_as("cdubois")
    question = wg.deliberation.comment(
        remote, 'Does "every meeting" include informal consultations?'
    )
    wg.record.act_as("therrera")
    wg.deliberation.comment(remote, "Yes, wherever documents are negotiated.", reply_to=question.id)

    duplicate = _replace(
        wg,
        _Edit(
            "falsayed",
            "principles",
            12,
            "rather than duplicate it",
            "and avoid duplicating it",
            "Editorial: smoother wording.",
            "Editorial change on existing institutions",
        ),
    )
    wg.record.act_as("falsayed")
    wg.deliberation.withdraw(duplicate, reason="The chair's text is already clear.")

    wg.record.act_as("amoreira")
    review = wg.amendments.propose(
        "principles",
        kind=Kind.DELETE,
        paragraph=17,
        rationale="Periodic review belongs in the modalities, not the principles.",
        title="Delete the review paragraph",
    ).id
    _positions(
        wg,
        review,
        ("amoreira", "support", ""),
        ("mchen", "object", "Review keeps the principles alive."),
    )
    wg.record.act_as(CHAIR)
    wg.deliberation.reject(
        review, reason="No support beyond one delegation; the review clause stays."
    )

    roles_tech = _paragraph_with(wg, "roles", "technical")
    tech_text = document.paragraph(wg.drafts.draft("roles").text, roles_tech).text
    wg.record.act_as("oadeyemi")
    tech = wg.amendments.propose(
        "roles",
        kind=Kind.REPLACE,
        paragraph=roles_tech,
        text=tech_text.rstrip(".") + ", and share research openly.",
        rationale="Open research is how the academic community serves policy.",
        title="Open research by the academic community",
    ).id
    _positions(wg, tech, ("oadeyemi", "support", ""), ("kwatanabe", "no-objection", ""))
    wg.record.act_as("oadeyemi")
    wg.amendments.revise(
        tech,
        text=tech_text.rstrip(".") + ", and make their research openly available.",
        rationale="Open research is how the academic community serves policy; "
        "wording improved after informal consultations.",
    )

    roles_private = _paragraph_with(wg, "roles", "private sector")
    private_text = document.paragraph(wg.drafts.draft("roles").text, roles_private).text
    wg.record.act_as("cdubois")
    wg.amendments.propose(
        "roles",
        kind=Kind.REPLACE,
        paragraph=roles_private,
        text=private_text.rstrip(".") + ", including small and medium-sized enterprises.",
        rationale="Small businesses are most of the sector and are rarely heard.",
        title="Mention small and medium-sized enterprises",
    )

    roles_igo = _paragraph_with(wg, "roles", "intergovernmental")
    igo_text = document.paragraph(wg.drafts.draft("roles").text, roles_igo).text
    wg.record.act_as(SECRETARIAT)
    igo = wg.amendments.propose(
        "roles",
        kind=Kind.REPLACE,
        paragraph=roles_igo,
        text=igo_text.rstrip(".") + ", within their respective mandates.",
        rationale="Clarifies that organisations act within their mandates.",
        title="Within their respective mandates",
    ).id
    _positions(
        wg,
        igo,
        ("epetrova", "support", ""),
        ("rsubramanian", "support", ""),
        ("therrera", "no-objection", ""),
    )
    wg.record.act_as(CHAIR)
    wg.merges.merge(igo)

    proportionate = _replace(
        wg,
        _Edit(
            "mchen",
            "principles",
            11,
            "should be proportionate",
            "should be lawful and proportionate",
            "Security measures need a basis in law.",
            "Lawful and proportionate responses",
        ),
    )
    necessary = _replace(
        wg,
        _Edit(
            "rsubramanian",
            "principles",
            11,
            "should be proportionate",
            "should be necessary and proportionate",
            "The test of necessity is established in international law.",
            "Necessary and proportionate",
        ),
    )
    _positions(wg, proportionate, ("mchen", "support", ""), ("ndlamini", "support", ""))
    _positions(wg, necessary, ("rsubramanian", "support", ""), ("falsayed", "support", ""))
    wg.record.act_as(CHAIR)
    wg.merges.merge(proportionate)
    # ``necessary`` now conflicts with the merged text: merging it opens the conflict view.
    assert necessary
    _agreement(wg)
    wg.record.act_as(None)


def _agreement(wg: WorkingGroup) -> None:
    """Agreement as data: two alternatives (one adopted), a bracket, paragraphs agreed and
    agreed ad referendum, and a silence that runs for three days."""
    text = document.paragraph(wg.drafts.draft("principles").text, 13).text
    wg.record.act_as("rsubramanian")
    first = wg.amendments.propose(
        "principles",
        kind=Kind.REPLACE,
        paragraph=13,
        text=text.rstrip(".") + ", in accordance with national law.",
        rationale="National law frames every such measure.",
        title="In accordance with national law",
    ).id
    wg.record.act_as("ndlamini")
    second = wg.amendments.propose(
        "principles",
        kind=Kind.REPLACE,
        paragraph=13,
        text=text.rstrip(".") + ", consistent with international human rights law.",
        rationale="The common standard is international law.",
        title="Consistent with international human rights law",
        alternative_to=first,
    ).id
    wg.record.act_as("kwatanabe")
    wg.procedure.cosponsor(second)
    _positions(wg, second, ("mchen", "support", ""), ("falsayed", "no-objection", ""))
    wg.record.act_as(CHAIR)
    wg.merges.merge(second)
    wg.agreement.bracket(
        "principles",
        "6",
        words="freedom of peaceful assembly and association",
        reason="Not agreed in the first reading",
        held_by=["governments"],
    )
    wg.agreement.agree("principles", "1")
    wg.agreement.agree("principles", "2")
    wg.agreement.agree("principles", "3", ad_ref=True, pending_on=["governments"])
    smaller = next(
        a.id
        for a in wg.amendments.amendments(status="open")
        if a.title == "Mention small and medium-sized enterprises"
    )
    wg.procedure.silence_start(
        smaller, until=wg.record.clock() + 3 * 86_400, message="Adopted unless a member objects"
    )


def _paragraph_with(wg: WorkingGroup, slug: str, words: str) -> int:
    """The first paragraph after a heading that mentions ``words``."""
    seen_heading = False
    for block in document.blocks(wg.drafts.draft(slug).text):
        if block.heading and words.lower() in block.text.lower():
            seen_heading = True
        elif seen_heading and block.number is not None:
            return block.number
    raise LookupError(f"no section about {words} in {slug}")
