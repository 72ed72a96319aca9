"""Translations forged with plain git: refused by the guard, left out by sync, named by verify.

Only the secretariat changes a translation, with an ``Action: translate`` commit that names
the draft and the language and changes that one file, whose every unit records the source
text as it is (or as it was for a translation left as it was). An honest commit with one
thing changed, keeping its author, committer and parents, breaks one of those rules.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.conftest import CHAIR, MEMBER_GOV, SECRETARIAT, Clones, agreed, do_sync, git
from tests.forge import Forger, message, rewrite
from wgtool.cli import cli
from wgtool.core import languages
from wgtool.core.desks import WorkingGroup
from wgtool.core.exchange.verify import verify
from wgtool.core.model import Kind, Status

FRENCH = "# Principes\n\n## Préambule\n\nLe Groupe de travail reconnaît.\n\nPremier point.\n"
PATH = "translations/principles.fr.md"


def translate(repo: Path, text: str = FRENCH, lang: str = "fr", slug: str = "principles") -> str:
    """The secretariat translates ``slug`` on ``repo``'s main (not synced); the new main."""
    with WorkingGroup.open(repo, SECRETARIAT) as wg:
        wg.translations.translate(slug, lang, text=text)
        return wg.record.main()


def shared_translation(clones: Clones) -> None:
    """A French translation of principles everyone has."""
    translate(clones.a)
    for repo in (clones.a, clones.b):
        assert not do_sync(repo).problems


def word_in_draft(clones: Clones, honest: str, forger: Forger) -> str:
    text = git(clones.a, "show", f"{honest}:drafts/principles.md")
    assert "Internet" in text
    return forger.tree(honest, {"drafts/principles.md": text.replace("Internet", "Web", 1)})


def other_draft(clones: Clones, honest: str, forger: Forger) -> str:
    data = git(clones.a, "show", f"{honest}:{PATH}").replace("principles", "roles", 1)
    return forger.tree(honest, {"translations/roles.fr.md": data})


def fresh_claim(clones: Clones, honest: str, forger: Forger) -> str:
    """The translation of paragraph 1, edited, still claims the hash it had: a stale
    translation passed off as one of the source as it is now (the source changed)."""
    data = git(clones.a, "show", f"{honest}:{PATH}")
    stored = languages.load(data.encode())
    key, _, text = stored.units[2]
    units = list(stored.units)
    units[2] = (key, "0123456789ab", text)
    forged = languages.Translation(stored.slug, stored.lang, stored.generation, tuple(units))
    return forger.tree(honest, {PATH: forged.dump()})


FORGERIES: dict[str, tuple[Callable[[Clones, str, Forger], str], str]] = {
    "a word of the source draft changed too": (word_in_draft, "drafts/principles.md"),
    "another draft's translation changed too": (other_draft, "translations/roles.fr.md"),
    "a unit claims a source text the draft does not hold": (fresh_claim, "does not hold"),
}


def refused_then_quarantined(clones: Clones, forged: str, before: str, reason: str) -> None:
    """A guarded remote refuses ``forged`` as main; unguarded, sync leaves it out and verify
    names it."""
    assert git(clones.origin, "rev-parse", "main").strip() == before
    forger = Forger(clones.a)
    forger.update_ref("refs/heads/main", forged)
    installed = CliRunner().invoke(cli, ["guard", "install", str(clones.origin)])
    assert installed.exit_code == 0, installed.output
    pushed = forger.push("refs/heads/main")
    assert pushed.returncode != 0 and "push refused" in pushed.stderr, pushed.stderr
    assert reason in pushed.stderr, pushed.stderr
    assert git(clones.origin, "rev-parse", "main").strip() == before

    (clones.origin / "hooks" / "pre-receive").unlink()  # an unguarded remote takes anything
    assert forger.push("refs/heads/main").returncode == 0
    report = do_sync(clones.b)
    assert any(reason in p for p in report.problems), report.problems
    with WorkingGroup.open(clones.b) as wg:
        assert wg.record.main() == before
    with WorkingGroup.open(clones.a) as wg:
        problems = verify(wg).problems
    assert any(forged[:10] in p and reason in p for p in problems), problems


@pytest.mark.parametrize("forgery", sorted(FORGERIES))
def test_an_honest_translation_with_one_thing_changed_is_refused(
    clones: Clones, forgery: str
) -> None:
    shared_translation(clones)
    before = git(clones.origin, "rev-parse", "main").strip()
    honest = translate(clones.a, FRENCH.replace("Premier point.", "Le premier point."))
    forger = Forger(clones.a)
    make, reason = FORGERIES[forgery]
    forged = rewrite(clones.a, honest, tree=make(clones, honest, forger))
    refused_then_quarantined(clones, forged, before, reason)


def test_a_member_who_is_not_secretariat_cannot_change_a_translation(clones: Clones) -> None:
    shared_translation(clones)
    before = git(clones.origin, "rev-parse", "main").strip()
    forger = Forger(clones.a)
    data = git(clones.a, "show", f"main:{PATH}").replace("Premier point.", "Un autre point.")
    tree = forger.tree("main", {PATH: data})
    trailers = [
        ("Action", "translate"),
        ("Draft", "principles"),
        ("Language", "fr"),
        ("Member", MEMBER_GOV),
        ("Stakeholder-Group", "governments"),
    ]
    forged = forger.commit(
        tree, [before], message("Translate draft principles into fr", trailers), author=MEMBER_GOV
    )
    refused_then_quarantined(clones, forged, before, "who is not secretariat")


def test_a_translation_changed_without_declaring_it_is_refused(clones: Clones) -> None:
    shared_translation(clones)
    before = git(clones.origin, "rev-parse", "main").strip()
    with WorkingGroup.open(clones.a, SECRETARIAT) as wg:
        wg.drafts.add_draft("charter", title="Charter", text="One paragraph.\n")
        honest = wg.record.main()
    forger = Forger(clones.a)
    data = git(clones.a, "show", f"main:{PATH}").replace("Premier point.", "Autre.")
    forged = rewrite(clones.a, honest, tree=forger.tree(honest, {PATH: data}))
    refused_then_quarantined(clones, forged, before, "without declaring it")


def test_a_merge_of_a_revision_in_another_language_is_refused_by_the_rulebook(
    example_repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A chair whose copy of wgtool skips the check merges an amendment in French: the record
    names the merge, and main as every clone judges it stays before it."""
    translate(example_repo)
    with WorkingGroup.open(example_repo, "kwatanabe") as wg:
        amendment = wg.amendments.propose(
            "principles",
            kind=Kind.REPLACE,
            paragraph=1,
            text="Le Groupe de travail reconnaît tout.",
            rationale="Plus clair.",
            language="fr",
        ).id
    with WorkingGroup.open(example_repo, CHAIR) as wg:
        agreed(wg, amendment)
        with pytest.raises(Exception, match="awaits the authentic text"):
            wg.merges.merge(amendment)
        monkeypatch.setattr(type(wg.translations), "refuse_unauthentic", lambda self, a: None)
        merge = wg.merges.merge(amendment)
    with WorkingGroup.open(example_repo) as wg:
        problems = verify(wg).problems
        assert any(merge[:10] in p and "not in principles's authentic" in p for p in problems)
        assert wg.amendments.amendment(amendment).status is not Status.MERGED


def test_an_honest_authentic_language_change_naming_another_language_is_refused(
    clones: Clones,
) -> None:
    shared_translation(clones)
    before = git(clones.origin, "rev-parse", "main").strip()
    with WorkingGroup.open(clones.a, SECRETARIAT) as wg:
        wg.translations.set_authentic("principles", "es")
        honest = wg.record.main()
    forger = Forger(clones.a)
    # The file names French (which has a translation), the trailer Spanish.
    tree = forger.tree(honest, {"translations/principles.authentic": "fr\n"})
    forged = rewrite(clones.a, honest, tree=tree)
    refused_then_quarantined(clones, forged, before, "does not say es")
