"""The verdicts ``verify`` keeps between runs: a record changed with plain git is judged again,
and a kept verdict that is damaged or edited by hand never crashes verify nor hides a forgery
from ``verify --full``."""

from __future__ import annotations

import json
import sqlite3
import subprocess
from pathlib import Path

from tests.conftest import wgtool_ok, wgtool_run
from wgtool.core.desks import WorkingGroup
from wgtool.core.exchange.kept_report import LISTING, VERDICTS, record_key
from wgtool.core.model import Kind
from wgtool.core.record.kept_codes import decode_key, encode_key

CLEAN = "every change is attributed to a member entitled to make it"


def _git(repo: Path, *args: str, data: bytes | None = None) -> bytes:
    return subprocess.run(
        ["git", "-C", str(repo), *args], input=data, capture_output=True, check=True
    ).stdout


def _propose(repo: Path) -> str:
    with WorkingGroup.open(repo, "mchen") as wg:
        return wg.amendments.propose(
            "principles", kind=Kind.DELETE, paragraph=3, rationale="Shorter."
        ).id


def _rewrite(repo: Path, ref: str, old: bytes, new: bytes) -> str:
    """The commit at ``ref`` changed with plain git: ``old`` replaced by ``new`` in its object,
    author, committer, parents and tree kept; ``ref`` moved to it."""
    body = _git(repo, "cat-file", "commit", ref)
    assert old in body
    forged = _git(repo, "hash-object", "-t", "commit", "-w", "--stdin", data=body.replace(old, new))
    sha = forged.decode().strip()
    _git(repo, "update-ref", ref, sha)
    return sha


def _rows(repo: Path) -> sqlite3.Connection:
    return sqlite3.connect(repo / ".git" / "wgtool" / VERDICTS, isolation_level=None)


def _record_key(repo: Path) -> bytes | None:
    """The key of the record's kept report as the file holds it."""
    return encode_key(record_key(_git(repo, *LISTING)))


def test_a_record_unchanged_since_a_clean_run_is_answered_from_the_kept_report(
    example_repo: Path,
) -> None:
    _propose(example_repo)
    first = wgtool_ok(example_repo, "verify")
    assert CLEAN in first
    with _rows(example_repo) as db:
        kept = db.execute("SELECT verdict FROM kept WHERE key = ?", (_record_key(example_repo),))
        assert json.loads(kept.fetchone()[0])["ok"] is True
    assert wgtool_ok(example_repo, "verify") == first
    assert wgtool_ok(example_repo, "verify", "--full") == first


def test_a_commit_changed_with_plain_git_is_reported_after_a_clean_run(
    example_repo: Path,
) -> None:
    amendment = _propose(example_repo)
    assert CLEAN in wgtool_ok(example_repo, "verify")
    ref = f"refs/wg/amendments/{amendment}"
    honest = _git(example_repo, "rev-parse", ref).decode().strip()
    forged = _rewrite(example_repo, ref, b"Member: mchen", b"Member: ndlamini")
    for args in (("verify",), ("verify", "--full")):
        done = wgtool_run(example_repo, *args)
        assert done.returncode == 1 and forged[:10] in done.stdout, (args, done.stdout)
    # One word of the amendment's kind, the member left as it was: another id, judged again.
    _git(example_repo, "update-ref", ref, honest)
    assert CLEAN in wgtool_ok(example_repo, "verify")
    forged = _rewrite(example_repo, ref, b"Kind: delete", b"Kind: deleted")
    done = wgtool_run(example_repo, "verify")
    assert done.returncode == 1 and forged[:10] in done.stdout, done.stdout


def test_a_damaged_or_hand_edited_record_verdict_hides_nothing(example_repo: Path) -> None:
    amendment = _propose(example_repo)
    assert CLEAN in wgtool_ok(example_repo, "verify")
    with _rows(example_repo) as db:
        clean = db.execute(
            "SELECT verdict FROM kept WHERE key = ?", (_record_key(example_repo),)
        ).fetchone()[0]
    forged = _rewrite(
        example_repo, f"refs/wg/amendments/{amendment}", b"Member: mchen", b"Member: ndlamini"
    )
    key = _record_key(example_repo)
    damaged = [
        "not json",
        json.dumps({**json.loads(clean), "commits": "many"}),
        json.dumps({**json.loads(clean), "ok": False}),
        json.dumps([1, 2]),
    ]
    for verdict in damaged:
        with _rows(example_repo) as db:
            db.execute("INSERT OR REPLACE INTO kept VALUES (?, ?)", (key, verdict))
        done = wgtool_run(example_repo, "verify")
        assert done.returncode == 1 and forged[:10] in done.stdout, (verdict, done.stderr)
    # A clean row written under the forged record's own key is believed by plain verify (the
    # store is as trustworthy as .git/wgtool); verify --full, the audit, ignores it.
    with _rows(example_repo) as db:
        db.execute("INSERT OR REPLACE INTO kept VALUES (?, ?)", (key, clean))
    done = wgtool_run(example_repo, "verify", "--full")
    assert done.returncode == 1 and forged[:10] in done.stdout, done.stdout


def test_damaged_kept_verdicts_of_commits_are_judged_again(example_repo: Path) -> None:
    """Rows of the rulebook's kept verdicts (main commits, events) that are not what it wrote
    are judged again: never a crash, never a pass."""
    amendment = _propose(example_repo)
    with WorkingGroup.open(example_repo, "ndlamini") as wg:
        wg.deliberation.position(amendment, "support")
    assert CLEAN in wgtool_ok(example_repo, "verify")
    with _rows(example_repo) as db:
        codes = [code for (code,) in db.execute("SELECT key FROM kept")]
        keys = {code: str(decode_key(code)) for code in codes}
        assert any(k.startswith("main:") for k in keys.values())
        assert any(k.startswith("event:") for k in keys.values())
        # Every field there but one of the wrong type, as well as rows of other shapes.
        fields = '"kind": "merge", "member": null, "amendment": null, "draft": null, "deadline": '
        damaged = [
            '{"kind": 5}',
            "[]",
            '{"id": 1}',
            "{}",
            "{" + fields + 'null, "config": ["x"], "founded": true}',
            "{" + fields + '"soon", "config": null, "founded": "yes"}',
        ]
        for number, (code, k) in enumerate(keys.items()):
            if ":record:" in k:
                db.execute("DELETE FROM kept WHERE key = ?", (code,))
            else:
                row = damaged[number % len(damaged)]
                db.execute("UPDATE kept SET verdict = ? WHERE key = ?", (row, code))
    assert CLEAN in wgtool_ok(example_repo, "verify")
    # A forged event on top, with every kept row damaged: still reported.
    events = f"refs/wg/events/{amendment}"
    forged = _rewrite(example_repo, events, b"Member: ndlamini", b"Member: mchen")
    with _rows(example_repo) as db:
        db.execute("UPDATE kept SET verdict = 'null'")
    done = wgtool_run(example_repo, "verify")
    assert done.returncode == 1 and forged[:10] in done.stdout, done.stdout
