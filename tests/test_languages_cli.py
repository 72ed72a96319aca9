"""A draft in several languages through the real command line, run as a process."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from tests.conftest import CHAIR, MEMBER_GOV, MEMBER_PS, SECRETARIAT, git
from tests.conftest import wgtool_ok as ok
from tests.conftest import wgtool_run as wgtool

SCHEMA = Path(__file__).parent / "schemas" / "akoma-ntoso" / "akomantoso30.xsd"
FRENCH = """# Principes généraux

## Préambule

Le Groupe de travail reconnaît qu'Internet est devenu une ressource mondiale.

Reconnaissant qu'Internet est un réseau décentralisé de réseaux.
"""
ARABIC_WORDS = "يعترف الفريق العامل بأن الإنترنت أصبحت موردا عالميا."
ARABIC = f"# مبادئ\n\n## ديباجة\n\n{ARABIC_WORDS}\n"


def refused(repo: Path, code: int, *args: str, actor: str | None = None) -> str:
    """The command exits ``code`` with one line on stderr and writes nothing."""
    before = git(repo, "for-each-ref")
    done = wgtool(repo, *args, actor=actor)
    assert done.returncode == code, (args, done.stdout, done.stderr)
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert git(repo, "for-each-ref") == before
    return done.stderr


def translated(repo: Path, tmp_path: Path, text: str = FRENCH, lang: str = "fr") -> str:
    source = tmp_path / f"{lang}.md"
    source.write_text(text)
    done = wgtool(repo, "draft", "translate", "principles", "--lang", lang, "--file", str(source),
                  actor=SECRETARIAT)  # fmt: skip
    assert done.returncode == 0, done.stderr
    return done.stderr


def test_a_translation_is_recorded_paired_by_label_and_shown(
    example_repo: Path, tmp_path: Path
) -> None:
    stderr = translated(
        example_repo,
        tmp_path,
        FRENCH.replace("\n\nReconnaissant", "\n\nExtra.\n\nEncore.\n\nReconnaissant"),
    )
    # The paragraphs of the file pair in order; what did not pair is one line each.
    assert "wgtool: " in stderr and "5 of principles is not translated" in stderr
    assert len([line for line in stderr.splitlines() if "not translated" in line]) > 5
    body = git(example_repo, "log", "-1", "--format=%B", "main")
    for trailer in ("Action: translate", "Draft: principles", "Language: fr", "Member: epetrova"):
        assert trailer in body
    assert git(example_repo, "show", "--stat", "--format=", "main").count("|") == 1
    shown = ok(example_repo, "draft", "show", "principles", "--lang", "fr")
    assert "    1. Le Groupe de travail reconnaît" in shown
    assert "    2. Extra." in shown and "    5. (not translated)" in shown
    assert "[stale]" not in shown

    # A file with more paragraphs than the draft: the extra ones are orphans, one line each.
    long = tmp_path / "long.md"
    long.write_text("\n\n".join(f"Paragraphe {n}." for n in range(1, 30)) + "\n")
    done = wgtool(example_repo, "draft", "translate", "principles", "--lang", "fr", "--file",
                  str(long), actor=SECRETARIAT)  # fmt: skip
    assert done.returncode == 0, done.stderr
    orphans = [line for line in done.stderr.splitlines() if "pairs with no paragraph" in line]
    assert orphans and all(line.startswith("wgtool: ") for line in orphans)
    assert "paragraph 29 of the file pairs with no paragraph of principles" in done.stderr


def test_a_translation_goes_stale_when_its_source_changes_and_back_when_updated(
    example_repo: Path, tmp_path: Path
) -> None:
    translated(example_repo, tmp_path)
    amendment = ok(
        example_repo, "propose", "principles", "--paragraph", "1", "--text",
        "The Working Group recognises the Internet as a global resource.",
        "--rationale", "Shorter.", actor=MEMBER_PS,
    ).strip()  # fmt: skip
    ok(example_repo, "position", amendment, "support", actor=MEMBER_GOV)
    ok(example_repo, "merge", amendment, actor=CHAIR)

    shown = ok(example_repo, "draft", "show", "principles", "--lang", "fr")
    assert (
        "1. Le Groupe de travail reconnaît qu'Internet est devenu une ressource mondiale. [stale]"
        in shown
    )
    assert "2. Reconnaissant qu'Internet est un réseau décentralisé de réseaux.\n" in shown
    data = json.loads(ok(example_repo, "draft", "show", "principles", "--lang", "fr", "--json"))
    assert [u["key"] for u in data["units"] if u["stale"]] == ["1"]
    assert "stale: 1 " in ok(example_repo, "draft", "language", "principles")
    html = ok(example_repo, "export", "principles", "--lang", "fr", "--format", "html")
    assert '<html lang="fr">' in html and '<p id="para-1" class="stale">' in html

    # The translator's Markdown marks it; read back unchanged, it is still stale.
    marked = tmp_path / "marked.md"
    marked.write_text(
        ok(example_repo, "export", "principles", "--lang", "fr", "--format", "markdown")
    )
    assert "<!-- 1 stale -->\nLe Groupe de travail" in marked.read_text()
    assert "<!-- 2 -->\nReconnaissant" in marked.read_text()
    assert "already the translation" in refused(
        example_repo, 1, "draft", "translate", "principles", "--lang", "fr", "--file",
        str(marked), actor=SECRETARIAT,
    )  # fmt: skip

    # The same file again changes nothing stale; a new translation of 1 makes it fresh.
    again = tmp_path / "again.md"
    again.write_text(FRENCH)
    refused(example_repo, 1, "draft", "translate", "principles", "--lang", "fr", "--file",
            str(again), actor=SECRETARIAT)  # fmt: skip
    translated(
        example_repo,
        tmp_path,
        FRENCH.replace("reconnaît qu'Internet est devenu", "voit dans Internet"),
    )
    assert "[stale]" not in ok(example_repo, "draft", "show", "principles", "--lang", "fr")
    assert ok(example_repo, "verify")


def test_who_may_translate_and_bad_input(example_repo: Path, tmp_path: Path) -> None:
    source = tmp_path / "fr.md"
    source.write_text(FRENCH)
    args = ("draft", "translate", "principles", "--file", str(source))
    assert "translate needs the secretariat role" in refused(
        example_repo, 4, *args, "--lang", "fr", actor=MEMBER_GOV
    )
    for bad in ("french", "../fr", "fr_FR", "--upload-pack=x"):
        line = refused(example_repo, 2, *args, f"--lang={bad}", actor=SECRETARIAT)
        assert "is not a language code" in line
    assert "authentic language of principles" in refused(
        example_repo, 2, *args, "--lang", "en", actor=SECRETARIAT
    )
    assert "no draft 'nothing'" in refused(
        example_repo, 1, "draft", "translate", "nothing", "--lang", "fr", "--file", str(source),
        actor=SECRETARIAT,
    )  # fmt: skip
    assert "no translation into es" in refused(
        example_repo, 1, "draft", "show", "principles", "--lang", "es"
    )


def test_the_authentic_language(example_repo: Path, tmp_path: Path) -> None:
    assert "principles: authentic language en" in ok(
        example_repo, "draft", "language", "principles"
    )
    translated(example_repo, tmp_path)
    assert "has a translation into fr" in refused(
        example_repo, 1, "draft", "language", "principles", "--authentic", "fr",
        actor=SECRETARIAT,
    )  # fmt: skip
    assert "needs the secretariat role" in refused(
        example_repo, 4, "draft", "language", "roles", "--authentic", "es", actor=MEMBER_GOV
    )
    ok(example_repo, "draft", "language", "roles", "--authentic", "ES", actor=SECRETARIAT)
    body = git(example_repo, "log", "-1", "--format=%B", "main")
    assert "Action: authentic-language" in body and "Language: es" in body
    data = json.loads(ok(example_repo, "draft", "language", "roles", "--json"))
    assert data == {"authentic": "es", "translations": []}
    assert "problem" not in ok(example_repo, "verify")


def test_an_amendment_in_another_language_awaits_the_authentic_text(
    example_repo: Path, tmp_path: Path
) -> None:
    translated(example_repo, tmp_path)
    assert "principles is not in de" in refused(
        example_repo, 2, "propose", "principles", "--paragraph", "2", "--lang", "de",
        "--text", "Anerkennend.", "--rationale", "Kürzer.", actor=MEMBER_PS,
    )  # fmt: skip
    amendment = ok(
        example_repo, "propose", "principles", "--paragraph", "2", "--lang", "fr",
        "--text", "Reconnaissant qu'Internet est un réseau ouvert.", "--rationale", "Plus court.",
        actor=MEMBER_PS,
    ).strip()  # fmt: skip
    assert "Language: fr" in git(
        example_repo, "log", "-1", "--format=%B", f"refs/wg/amendments/{amendment}"
    )
    assert "Language:  fr: awaits the authentic text (en)" in ok(example_repo, "show", amendment)
    assert json.loads(ok(example_repo, "show", amendment, "--json"))["language"] == "fr"
    ok(example_repo, "position", amendment, "support", actor=MEMBER_GOV)
    line = refused(example_repo, 1, "merge", amendment, actor=CHAIR)
    assert f"amendment {amendment} is in fr and awaits the authentic text (en)" in line
    assert "awaits the authentic text" in refused(example_repo, 1, "merge", amendment, "--dry-run")

    # The proposer gives the authentic text: the revision has no language, and it merges.
    authentic = "Acknowledging that the Internet is an open network of networks."
    ok(example_repo, "revise", amendment, "--text", authentic, actor=MEMBER_PS)
    revision = git(example_repo, "log", "-1", "--format=%B", f"refs/wg/amendments/{amendment}")
    assert "Language:" not in revision
    assert "awaits" not in ok(example_repo, "show", amendment)
    ok(example_repo, "position", amendment, "support", actor=MEMBER_GOV)
    ok(example_repo, "merge", amendment, actor=CHAIR)
    assert "problem" not in ok(example_repo, "verify")


def test_arabic_reads_right_to_left_in_every_document(example_repo: Path, tmp_path: Path) -> None:
    translated(example_repo, tmp_path, ARABIC, "ar")
    shown = ok(example_repo, "draft", "show", "principles", "--lang", "ar")
    assert f"    1. {ARABIC_WORDS}\n" in shown  # logical order, no control character added
    data = json.loads(ok(example_repo, "draft", "show", "principles", "--lang", "ar", "--json"))
    assert data["rtl"] is True and data["units"][2]["text"] == ARABIC_WORDS

    html = ok(example_repo, "export", "principles", "--lang", "ar", "--format", "html")
    assert '<html lang="ar" dir="rtl">' in html and ARABIC_WORDS in html
    assert '<html lang="en">' in ok(example_repo, "export", "principles", "--format", "html")

    target = tmp_path / "ar.docx"
    ok(example_repo, "export", "principles", "--lang", "ar", "--format", "docx", "-o", str(target))
    with zipfile.ZipFile(target) as archive:
        body = etree.fromstring(archive.read("word/document.xml"))
    w = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    paragraphs = body.iter(f"{w}p")
    texts = {"".join(t.text or "" for t in p.iter(f"{w}t")): p for p in paragraphs}
    arabic = next(p for text, p in texts.items() if ARABIC_WORDS in text)
    assert arabic.find(f"{w}pPr/{w}bidi") is not None
    assert all(r.find(f"{w}rPr/{w}rtl") is not None for r in arabic.iter(f"{w}r"))

    # Read back, the Word document is the same translation: nothing to record.
    line = refused(example_repo, 1, "draft", "translate", "principles", "--lang", "ar", "--file",
                   str(target), actor=SECRETARIAT)  # fmt: skip
    assert "already the translation" in line


@pytest.mark.parametrize("lang", ["fr", "ar"])
def test_akoma_ntoso_in_each_language_is_valid(
    example_repo: Path, tmp_path: Path, lang: str
) -> None:
    translated(example_repo, tmp_path, FRENCH if lang == "fr" else ARABIC, lang)
    schema = etree.XMLSchema(etree.parse(str(SCHEMA)))
    xml = ok(example_repo, "export", "principles", "--lang", lang, "--format", "akn")
    document = etree.fromstring(xml.encode())
    schema.assertValid(document)
    ns = {"a": "http://docs.oasis-open.org/legaldocml/ns/akn/3.0"}
    code = {"fr": "fra", "ar": "ara"}[lang]
    assert document.find(".//a:FRBRlanguage", ns).get("language") == code
    assert document.find(".//a:FRBRtranslation", ns).get("fromLanguage") == "eng"
    english = etree.fromstring(ok(example_repo, "export", "principles", "--format", "akn").encode())
    schema.assertValid(english)
    assert english.find(".//a:FRBRlanguage", ns).get("language") == "eng"


def test_a_redline_of_a_translation_between_versions(example_repo: Path, tmp_path: Path) -> None:
    translated(example_repo, tmp_path)
    ok(example_repo, "tag", "principles", "fr1", "-m", "With French", "--allow-brackets",
       actor=SECRETARIAT)  # fmt: skip
    translated(example_repo, tmp_path, FRENCH.replace("réseau décentralisé", "réseau ouvert"))
    out = ok(example_repo, "redline", "principles", "fr1", "--lang", "fr", "--changed-only")
    assert "Redline of principles in fr from fr1 to main" in out
    assert "[-décentralisé-]{+ouvert+}" in out
    data = json.loads(ok(example_repo, "redline", "principles", "fr1", "--lang", "fr", "--json"))
    assert data["language"] == "fr" and [
        e["new_label"] for e in data["entries"] if e["changed"]
    ] == ["2"]
    html = ok(example_repo, "export", "principles", "--lang", "fr", "--format", "redline",
              "--against", "fr1")  # fmt: skip
    assert '<html lang="fr">' in html and "ouvert" in html
    assert "authentic language only" in refused(
        example_repo, 2, "export", "principles", "--lang", "fr", "--format", "compilation"
    )


def test_a_word_export_of_a_translation_comes_back_paired_by_its_labels(
    example_repo: Path, tmp_path: Path
) -> None:
    """A translator completes the secretariat's Word export of a translation: its labels pair
    every paragraph, and the paragraphs still in the authentic words are not translations."""
    translated(example_repo, tmp_path)
    amendment = ok(
        example_repo, "propose", "principles", "--insert-after", "1", "--text",
        "A new second paragraph.", "--rationale", "More.", actor=MEMBER_PS,
    ).strip()  # fmt: skip
    ok(example_repo, "position", amendment, "support", actor=MEMBER_GOV)
    ok(example_repo, "merge", amendment, actor=CHAIR)
    target = tmp_path / "principles.fr.docx"
    ok(example_repo, "export", "principles", "--lang", "fr", "--format", "docx", "-o", str(target))
    done = wgtool(example_repo, "draft", "translate", "principles", "--lang", "fr-ca", "--file",
                  str(target), actor=SECRETARIAT)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "Translated principles into fr-CA: 4 of " in done.stdout
    assert "wgtool: " in done.stderr and "1bis of principles is not translated" in done.stderr
    assert "pairs with no" not in done.stderr
    shown = ok(example_repo, "draft", "show", "principles", "--lang", "fr-CA")
    assert "    1. Le Groupe de travail reconnaît" in shown
    assert " 1bis. (not translated)" in shown
    assert "    2. Reconnaissant qu'Internet est un réseau décentralisé de réseaux.\n" in shown
