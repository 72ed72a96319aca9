"""Reservations and explanations of position on a consensus version: the real CLI as a
process, and the rules against plain git (a member forging one, or changing an honest one)."""

from __future__ import annotations

import json
import time
from pathlib import Path

import docx
from lxml import etree

from tests.conftest import (
    CHAIR,
    MEMBER_CS,
    MEMBER_GOV,
    MEMBER_PS,
    SECRETARIAT,
    Clones,
    do_sync,
    git,
    refs_snapshot,
)
from tests.conftest import wgtool_ok as ok
from tests.conftest import wgtool_run as wgtool
from tests.forge import Forger, message, rewrite
from tests.test_akn_amendments import SCHEMA
from tests.test_guard import guard
from wgtool.core.desks import WorkingGroup
from wgtool.core.desks.drafts import titled
from wgtool.core.documents.word_in import read_docx

DRAFT_CHAIN = "refs/wg/events/draft-principles"


def adopt(repo: Path, name: str = "first-reading") -> None:
    ok(repo, "tag", "principles", name, "--message", "Agreed", actor=SECRETARIAT)


def adopted_clones(clones: Clones) -> Clones:
    """The clones, with principles tagged first-reading on the guarded remote and both."""
    assert guard("install", str(clones.origin)).exit_code == 0
    adopt(clones.a)
    assert not do_sync(clones.a).problems
    assert not do_sync(clones.b).problems
    return clones


def test_a_group_reserves_explains_and_retracts(example_repo: Path) -> None:
    adopt(example_repo)
    reserved = ok(
        example_repo,
        "reserve",
        "principles",
        "--paragraph",
        "5",
        "--reason",
        "Our capital reads 'access' broadly.",
        actor=MEMBER_GOV,
    ).strip()
    explained = ok(
        example_repo,
        "explain",
        "principles",
        "We join the consensus on the text as a whole.",
        "--version",
        "first-reading",
        actor=MEMBER_CS,
    ).strip()
    found = json.loads(ok(example_repo, "reservations", "principles", "--json"))
    assert [(s["id"], s["kind"], s["group"], s["version"], s["paragraph"]) for s in found] == [
        (reserved, "reservation", "governments", "first-reading", "5"),
        (explained, "explanation", "civil-society", "first-reading", None),
    ]
    # The ledger, the draft and the listing show them.
    ledger = json.loads(ok(example_repo, "status", "principles", "--json"))
    (fifth,) = [p for p in ledger if p["label"] == "5"]
    assert [r["id"] for r in fifth["reservations"]] == [reserved]
    assert "Reservations: ¶5 (governments)" in ok(example_repo, "status", "principles")
    shown = ok(example_repo, "draft", "show", "principles")
    assert "Our capital reads 'access' broadly." in shown
    assert "Explanations of position:" in shown
    fifth = ok(example_repo, "draft", "show", "principles", "--paragraph", "5")
    assert "Reservations:" in fifth and "Our capital reads" in fifth
    assert "Reservations:" not in ok(
        example_repo, "draft", "show", "principles", "--paragraph", "4"
    )
    # Only a member of the reserving group retracts it (the chair is in governments too).
    refused = wgtool(example_repo, "reserve", "--withdraw", reserved, actor=MEMBER_CS)
    assert refused.returncode == 4 and len(refused.stderr.strip().splitlines()) == 1
    ok(example_repo, "reserve", "--withdraw", reserved[:8], actor=CHAIR)
    again = wgtool(example_repo, "reserve", "--withdraw", reserved, actor=MEMBER_GOV)
    assert again.returncode == 1 and "retracted already" in again.stderr
    standing = json.loads(ok(example_repo, "reservations", "principles", "--json"))
    assert [s["id"] for s in standing] == [explained]
    every = json.loads(ok(example_repo, "reservations", "principles", "--all", "--json"))
    assert every[0]["retracted"]["member"] == CHAIR
    assert "every change is attributed" in ok(example_repo, "verify")


def test_bad_reservations_are_one_line_and_write_nothing(example_repo: Path) -> None:
    adopt(example_repo)
    text = example_repo / "new.md"
    text.write_text("# New\n\nOne paragraph.\n")
    ok(
        example_repo,
        "draft",
        "add",
        "fresh",
        "--title",
        "New",
        "--file",
        str(text),
        actor=SECRETARIAT,
    )
    before = refs_snapshot(example_repo)
    cases = [
        (("reserve", "fresh", "--paragraph", "1", "--reason", "R1"), 1, "no consensus version"),
        (("explain", "fresh", "Our view"), 1, "no consensus version"),
        (("reserve", "principles", "--paragraph", "99", "--reason", "R1"), 2, "out of range"),
        (("reserve", "principles", "--paragraph", "5", "--reason", " "), 2, "empty"),
        (("reserve", "principles", "--paragraph", "5", "--reason", "a\x1bb"), 2, "control"),
        (("reserve", "principles", "--paragraph", "5"), 2, "--reason"),
        (
            ("reserve", "principles", "--paragraph", "5", "--reason", "R", "--version", "v9"),
            1,
            "no version",
        ),
        (("reserve", "--withdraw", "ffffffff"), 1, "no reservation"),
        (("explain", "nosuch", "Our view"), 1, "no draft"),
    ]
    for args, code, words in cases:
        result = wgtool(example_repo, *args, actor=MEMBER_GOV)
        assert result.returncode == code, (args, result.stderr)
        assert words in result.stderr and len(result.stderr.strip().splitlines()) == 1, args
    assert refs_snapshot(example_repo) == before
    assert ok(example_repo, "reservations", "principles") == (
        "No reservations or explanations of position\n"
    )


# -- the rules, against plain git ------------------------------------------------------------


def _tag_object(repo: Path, name: str = "principles/first-reading") -> str:
    return git(repo, "rev-parse", f"refs/tags/{name}").strip()


def _forge(
    forger: Forger,
    *,
    member: str = MEMBER_GOV,
    group: str = "governments",
    type_: str = "reservation",
    fields: dict[str, object] | None = None,
) -> str:
    """A reservation (or other statement) written with plain git on the draft's chain."""
    main = forger.rev("main")
    tip = git(forger.repo, "rev-parse", "--verify", "-q", DRAFT_CHAIN, check=False).strip()
    event: dict[str, object] = {
        "id": f"{int(time.time() * 1000):x}-f0f0f0",
        "draft": "principles",
        "type": type_,
        "member": member,
        "group": group,
        "at": time.time(),
        "revision": 1,
        "text": "We reserve our position",
        "paragraph": "5",
        "target": "first-reading",
        "anchor": _tag_object(forger.repo),
        **(fields or {}),
    }
    event = {k: v for k, v in event.items() if v is not None}
    tree = forger.tree(tip or None, {f"events/{event['id']}.json": json.dumps(event)})
    text = message(
        f"Reservation on paragraph 5 of draft principles ({type_})",
        [
            ("Draft", "principles"),
            ("Event", type_),
            ("Event-Id", str(event["id"])),
            ("Member", member),
            ("Stakeholder-Group", group),
            ("Main", main),
        ],
    )
    commit = forger.commit(tree, [tip] if tip else [], text, author=member)
    forger.update_ref(DRAFT_CHAIN, commit)
    return commit


def _refused_everywhere(clones: Clones, words: str, standing_ids: tuple[str, ...] = ()) -> None:
    """verify names it, sync leaves it out, and the guarded remote refuses a plain push."""
    audit = wgtool(clones.b, "verify")
    assert audit.returncode == 1 and words in audit.stdout, audit.stdout
    report = do_sync(clones.b)
    assert any(words in line for line in report.problems), report.problems
    pushed = Forger(clones.b).push(f"{DRAFT_CHAIN}:{DRAFT_CHAIN}")
    assert pushed.returncode != 0 and words in pushed.stderr, pushed.stderr
    assert not do_sync(clones.a).problems
    with WorkingGroup.open(clones.a, MEMBER_GOV) as wg:
        standing = [s.event.id for s in wg.reservations.statements("principles") if s.active]
    assert standing == list(standing_ids)


def test_forged_reservations_are_refused_by_verify_sync_and_the_guard(clones: Clones) -> None:
    adopted_clones(clones)
    forger = Forger(clones.b)
    honest = git(clones.b, "rev-parse", "main").strip()
    # another group's name
    _forge(forger, group="civil-society")
    _refused_everywhere(clones, "claims the group 'civil-society'")
    git(clones.b, "update-ref", "-d", DRAFT_CHAIN)
    # a paragraph the version does not have
    _forge(forger, fields={"paragraph": "99"})
    _refused_everywhere(clones, "reserves paragraph 99, which first-reading lacks")
    git(clones.b, "update-ref", "-d", DRAFT_CHAIN)
    # a version the member tagged themselves
    forger.tag("principles/mine", honest, tagger=MEMBER_GOV)
    _forge(forger, fields={"target": "mine", "anchor": _tag_object(clones.b, "principles/mine")})
    _refused_everywhere(clones, "names version mine of principles, which is none")
    git(clones.b, "update-ref", "-d", DRAFT_CHAIN)
    git(clones.b, "tag", "-d", "principles/mine")
    # a reservation with no reason
    _forge(forger, fields={"text": ""})
    _refused_everywhere(clones, "is empty")


def test_an_honest_reservation_changed_by_one_word_or_trailer_is_refused(clones: Clones) -> None:
    adopted_clones(clones)
    with WorkingGroup.open(clones.b, MEMBER_GOV) as wg:
        event = wg.reservations.reserve("principles", "5", reason="We reserve on scope")
    commit = git(clones.b, "rev-parse", DRAFT_CHAIN).strip()
    changes = [
        ("Stakeholder-Group: governments", "Stakeholder-Group: civil-society", "claims the group"),
        ("Event: reservation", "Event: explanation", "not a well-formed explanation"),
    ]
    for old, new, words in changes:
        forged = rewrite(clones.b, commit, replace=(old, new))
        git(clones.b, "update-ref", DRAFT_CHAIN, forged)
        _refused_everywhere(clones, words)
    # one word of the event file: the paragraph, to one the version lacks
    tree = git(clones.b, "rev-parse", f"{commit}^{{tree}}").strip()
    data = json.loads(git(clones.b, "show", f"{commit}:events/{event.id}.json"))
    data["paragraph"] = "99"
    forged_tree = Forger(clones.b).tree(tree, {f"events/{event.id}.json": json.dumps(data)})
    git(clones.b, "update-ref", DRAFT_CHAIN, rewrite(clones.b, commit, tree=forged_tree))
    _refused_everywhere(clones, "reserves paragraph 99")
    # the honest one goes through
    git(clones.b, "update-ref", DRAFT_CHAIN, commit)
    assert not do_sync(clones.b).problems
    assert not do_sync(clones.a).problems
    with WorkingGroup.open(clones.a, MEMBER_CS) as wg:
        (found,) = wg.reservations.statements("principles")
        assert (found.event.id, found.event.group) == (event.id, "governments")


def test_a_retraction_by_another_group_is_refused(clones: Clones) -> None:
    adopted_clones(clones)
    with WorkingGroup.open(clones.b, MEMBER_GOV) as wg:
        event = wg.reservations.reserve("principles", "5", reason="We reserve on scope")
    assert not do_sync(clones.b).problems
    forger = Forger(clones.b)
    _forge(
        forger,
        member=MEMBER_CS,
        group="civil-society",
        type_="retract",
        fields={"target": event.id, "paragraph": None, "anchor": None, "text": ""},
    )
    _refused_everywhere(clones, f"retracts {event.id} of group 'governments'", (event.id,))


def test_a_version_and_a_reservation_on_it_reach_a_guarded_remote_in_one_sync(
    clones: Clones,
) -> None:
    assert guard("install", str(clones.origin)).exit_code == 0
    adopt(clones.a, "second-reading")
    with WorkingGroup.open(clones.a, CHAIR) as wg:
        event = wg.reservations.reserve("principles", "5", reason="At once")
    report = do_sync(clones.a)
    assert not report.problems, report.problems
    assert not do_sync(clones.b).problems
    with WorkingGroup.open(clones.b, MEMBER_CS) as wg:
        (found,) = wg.reservations.statements("principles")
    assert (found.event.id, found.version) == (event.id, "second-reading")
    assert "every change is attributed" in ok(clones.b, "verify")


def test_a_versions_exports_carry_its_reservations_as_notes(example_repo: Path) -> None:
    adopt(example_repo)
    ok(
        example_repo,
        "reserve",
        "principles",
        "--paragraph",
        "5",
        "--reason",
        "Scope <b>not</b> agreed & more",
        actor=MEMBER_GOV,
    )
    ok(example_repo, "explain", "principles", "We join the consensus.", actor=MEMBER_CS)
    # Recorded later, numbered first: the notes follow the text.
    ok(
        example_repo,
        "reserve",
        "principles",
        "--paragraph",
        "2",
        "--reason",
        "Too broad.",
        actor=MEMBER_PS,
    )
    out = example_repo / "out"
    out.mkdir()
    for fmt in ("akn", "docx", "compilation"):
        ok(
            example_repo,
            "export",
            "principles",
            "--format",
            fmt,
            "--version",
            "first-reading",
            "-o",
            str(out / f"p.{fmt}"),
        )
    schema = etree.XMLSchema(etree.parse(str(SCHEMA)))
    root = etree.parse(str(out / "p.akn")).getroot()
    assert schema.validate(root), schema.error_log
    ns = {"a": "http://docs.oasis-open.org/legaldocml/ns/akn/3.0"}
    notes = root.findall(".//a:meta/a:notes/a:note", ns)
    assert [n.get("eId") for n in notes] == ["note_1", "note_2", "note_3"]
    assert notes[1].findtext("a:p", namespaces=ns) == (
        "Reservation by Governments (rsubramanian) on paragraph 5: Scope <b>not</b> agreed & more"
    )
    (ref,) = root.findall(".//a:paragraph[@eId='para_5']//a:noteRef", ns)
    assert (ref.get("href"), ref.get("marker")) == ("#note_2", "2")
    assert root.find(".//a:paragraph[@eId='para_2']//a:noteRef", ns).get("href") == "#note_1"
    assert root.find(".//a:preface//a:noteRef", ns).get("href") == "#note_3"
    word = docx.Document(str(out / "p.docx"))
    texts = [p.text for p in word.paragraphs]
    assert texts[-4:] == [
        "Notes",
        "1. Reservation by Private sector (kwatanabe) on paragraph 2: Too broad.",
        "2. Reservation by Governments (rsubramanian) on paragraph 5: "
        "Scope <b>not</b> agreed & more",
        "3. Explanation of position by Civil society (ndlamini): We join the consensus.",
    ]
    (fifth,) = [p for p in word.paragraphs if p.text.startswith("5. ")]
    assert fifth.runs[-1].text == "2" and fifth.runs[-1].style.name == "wgtool note reference"
    assert fifth.runs[-1].style.font.superscript
    # Read back, the notes and their numbers are no part of the text.
    found = read_docx(out / "p.docx")
    assert found.left_out == []
    with WorkingGroup.open(example_repo) as wg:
        adopted = wg.drafts.draft("principles", "first-reading")
    assert titled(found.text, adopted.title) == adopted.text
    assert found.labels == list(adopted.labels)
    html = (out / "p.compilation").read_text()
    assert "Reservations and explanations of position" in html
    assert "Scope &lt;b&gt;not&lt;/b&gt; agreed &amp; more" in html
