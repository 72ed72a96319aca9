"""Amendments to amendments, forged with plain git: the rulebook replays who may take a
sub-amendment in (the amendment's proposer, or the chair on its consensus) and what the
revision that takes it in must read, and refuses sub-amendments that amend nothing that may be
amended. Each forgery is refused by a guarded remote, left out by sync and clone, and named by
verify (:func:`tests.test_replay.refused_everywhere`)."""

from __future__ import annotations

from pathlib import Path

from tests import test_replay as replay
from tests.conftest import (
    CHAIR,
    MEMBER_CS,
    MEMBER_GOV,
    MEMBER_PS,
    MEMBER_TECH,
    Clones,
    do_sync,
    git,
)
from tests.forge import Forger, message, rewrite
from tests.test_replay import Forgery, draft_at, with_draft
from wgtool.core import document
from wgtool.core.desks import WorkingGroup
from wgtool.core.exchange.sync import sync
from wgtool.core.model import Status

SUB_TEXT = "Enhanced cooperation involves all stakeholders on an equal footing."


def tabled_sub(clones: Clones, *, supported: bool = False) -> str:
    """mchen's sub-amendment to the clones' sample amendment (kwatanabe's), on every clone
    and the remote; supported by civil society when ``supported``."""
    with WorkingGroup.open(clones.a, MEMBER_TECH) as wg:
        sub = wg.subamendments.propose_to(clones.amendment, text=SUB_TEXT, rationale="Footing.").id
        assert not sync(wg).problems
    if supported:
        with WorkingGroup.open(clones.a, MEMBER_CS) as wg:
            wg.deliberation.position(sub, "support")
            assert not sync(wg).problems
    assert not do_sync(clones.b).problems
    return sub


def refused_everywhere(clones: Clones, forgery: Forgery, tmp_path: Path) -> None:
    """:func:`tests.test_replay.refused_everywhere`, the new clone made before the sync that
    puts the amendment's chain back on the remote as far as it is honest."""
    replay.refused_everywhere(clones, forgery, tmp_path, clone_first=True)


def amendment_ref(amendment: str) -> str:
    return f"refs/wg/amendments/{amendment}"


def test_honest_acceptance_and_merge_pass_everywhere(clones: Clones, tmp_path: Path) -> None:
    """The tool's own acceptance and merge of sub-amendments reach every clone unchanged."""
    sub = tabled_sub(clones, supported=True)
    with WorkingGroup.open(clones.a, CHAIR) as wg:
        wg.subamendments.merge(sub)
        assert not sync(wg).problems
    assert not do_sync(clones.b).problems
    with WorkingGroup.open(clones.b) as wg:
        assert wg.amendments.amendment(sub).status is Status.ACCEPTED
        parent = wg.amendments.amendment(clones.amendment)
        assert parent.revision == 2
        assert SUB_TEXT in wg.amendments.change(parent).new


def test_a_non_proposers_revision_claiming_to_accept_is_refused(
    clones: Clones, tmp_path: Path
) -> None:
    """ndlamini writes, in their own name, the revision kwatanabe's acceptance would be."""
    sub = tabled_sub(clones)
    forger = Forger(clones.a)
    head = forger.rev(amendment_ref(clones.amendment))
    with WorkingGroup.open(clones.a, MEMBER_PS) as wg:
        wg.subamendments.accept(sub)
    honest = forger.rev(amendment_ref(clones.amendment))
    text = git(clones.a, "cat-file", "commit", honest).partition("\n\n")[2]
    text = text.replace(f"Member: {MEMBER_PS}", f"Member: {MEMBER_CS}")
    text = text.replace("Stakeholder-Group: private-sector", "Stakeholder-Group: civil-society")
    forged = forger.commit(forger.rev(f"{honest}^{{tree}}"), [head], text, author=MEMBER_CS)
    forger.update_ref(amendment_ref(clones.amendment), forged)
    reason = f"accepts {sub} by {MEMBER_CS}, not by the proposer {MEMBER_PS}"
    refused_everywhere(clones, Forgery([amendment_ref(clones.amendment)], forged, reason), tmp_path)
    with WorkingGroup.open(clones.b) as wg:
        assert wg.amendments.amendment(sub).status is Status.OPEN


def test_an_acceptance_one_word_off_the_sub_amendment_is_refused(
    clones: Clones, tmp_path: Path
) -> None:
    sub = tabled_sub(clones)
    with WorkingGroup.open(clones.a, MEMBER_PS) as wg:
        wg.subamendments.accept(sub)
    honest = Forger(clones.a).rev(amendment_ref(clones.amendment))
    text = draft_at(clones.a, honest)
    assert SUB_TEXT in text
    changed = text.replace("equal footing", "equal basis", 1)
    forged = rewrite(clones.a, honest, tree=with_draft(clones.a, honest, changed))
    Forger(clones.a).update_ref(amendment_ref(clones.amendment), forged)
    reason = f"reads otherwise than sub-amendment {sub}"
    refused_everywhere(clones, Forgery([amendment_ref(clones.amendment)], forged, reason), tmp_path)


def test_a_chairs_merge_into_the_amendment_with_consensus_altered_is_refused(
    clones: Clones, tmp_path: Path
) -> None:
    sub = tabled_sub(clones, supported=True)
    with WorkingGroup.open(clones.a, CHAIR) as wg:
        wg.subamendments.merge(sub)
    honest = Forger(clones.a).rev(amendment_ref(clones.amendment))
    supporting = "Supporting-Groups: civil-society"
    forged = rewrite(clones.a, honest, replace=(supporting, supporting + ", governments"))
    Forger(clones.a).update_ref(amendment_ref(clones.amendment), forged)
    reason = "says Supporting-Groups: 'civil-society, governments', but the events it names give"
    refused_everywhere(clones, Forgery([amendment_ref(clones.amendment)], forged, reason), tmp_path)


def test_a_member_merging_a_sub_amendment_as_if_chair_is_refused(
    clones: Clones, tmp_path: Path
) -> None:
    """The chair's merge into the amendment, written by rsubramanian in their own name."""
    sub = tabled_sub(clones, supported=True)
    forger = Forger(clones.a)
    head = forger.rev(amendment_ref(clones.amendment))
    with WorkingGroup.open(clones.a, CHAIR) as wg:
        wg.subamendments.merge(sub)
    honest = forger.rev(amendment_ref(clones.amendment))
    text = git(clones.a, "cat-file", "commit", honest).partition("\n\n")[2]
    chair = forger.roster()[CHAIR]
    text = text.replace(f"Merged-by: {CHAIR}", f"Merged-by: {MEMBER_GOV}")
    text = text.replace(f"Member: {CHAIR}", f"Member: {MEMBER_GOV}")
    text = text.replace(f"Stakeholder-Group: {chair['group']}", "Stakeholder-Group: governments")
    forged = forger.commit(forger.rev(f"{honest}^{{tree}}"), [head], text, author=MEMBER_GOV)
    forger.update_ref(amendment_ref(clones.amendment), forged)
    reason = f"merged by {MEMBER_GOV}, who is not the chair"
    refused_everywhere(clones, Forgery([amendment_ref(clones.amendment)], forged, reason), tmp_path)


def forged_sub(clones: Clones, amends: str, against: str) -> tuple[str, str]:
    """rsubramanian's sub-amendment written with plain git, amending ``amends`` at revision
    ``against``: its id and its commit (on a ref in clone a)."""
    forger = Forger(clones.a)
    base = forger.rev(f"{amendment_ref(clones.amendment)}~0^")  # the sample's base on main
    text = draft_at(clones.a, base)
    first = document.paragraphs(text)[0].text
    text = text.replace(first, "Enhanced cooperation involves all States.")
    sub = "0badc0de"
    trailers = [
        ("Amendment-Id", sub),
        ("Draft", "principles"),
        ("Kind", "replace"),
        ("Paragraph", "1"),
        ("Revision", "1"),
        ("Amends", amends),
        ("Amends-Revision", against),
        ("Member", MEMBER_GOV),
        ("Stakeholder-Group", "governments"),
    ]
    commit = forger.commit(
        with_draft(clones.a, base, text),
        [base],
        message("Amending", trailers, "States only."),
        author=MEMBER_GOV,
    )
    forger.update_ref(amendment_ref(sub), commit)
    return sub, commit


def test_a_sub_amendment_to_a_sub_amendment_is_refused(clones: Clones, tmp_path: Path) -> None:
    sub = tabled_sub(clones)
    head = Forger(clones.a).rev(amendment_ref(sub))
    forged_id, forged = forged_sub(clones, sub, head)
    reason = f"amends {sub}, which is itself a sub-amendment"
    refused_everywhere(clones, Forgery([amendment_ref(forged_id)], forged, reason), tmp_path)


def test_a_sub_amendment_to_an_amendment_that_does_not_exist_is_refused(
    clones: Clones, tmp_path: Path
) -> None:
    forged_id, forged = forged_sub(clones, "deadbeef", "1" * 40)
    reason = "amends deadbeef at 1111111111, which is no valid revision of it"
    refused_everywhere(clones, Forgery([amendment_ref(forged_id)], forged, reason), tmp_path)


def test_a_sub_amendment_merged_into_main_is_refused(clones: Clones, tmp_path: Path) -> None:
    """The chair merges a supported sub-amendment straight into the draft, with the trailers
    a merge into main would carry."""
    sub = tabled_sub(clones, supported=True)
    forger = Forger(clones.a)
    main, head = forger.rev("main"), forger.rev(amendment_ref(sub))
    events = forger.rev(f"refs/wg/events/{sub}")
    trailers = [
        ("Amendment-Id", sub),
        ("Proposed-by", MEMBER_TECH),
        ("Stakeholder-Group", "technical-academic"),
        ("Merged-by", CHAIR),
        ("Consensus", "reached"),
        ("Supporting-Groups", "civil-society"),
        ("Objecting-Groups", ""),
        ("Not-Heard", "governments, private-sector, intergovernmental"),
        ("Events", events),
    ]
    text = draft_at(clones.a, main).replace(
        document.paragraphs(draft_at(clones.a, main))[0].text, SUB_TEXT
    )
    forged = forger.commit(
        with_draft(clones.a, main, text),
        [main, head],
        message(f"Merge amendment {sub}", trailers),
        author=MEMBER_TECH,
        committer=CHAIR,
    )
    forger.update_ref("refs/heads/main", forged)
    reason = f"{sub} is a sub-amendment: it is merged into its amendment"
    refused_everywhere(clones, Forgery(["refs/heads/main"], forged, reason), tmp_path)
