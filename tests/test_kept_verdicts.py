"""The kept-verdict store: compact keys that never collide, an older store replaced rather than
misread, and damaged or hand-edited rows that are judged again, never trusted or a crash.

Real SQLite files, real clones and a real bare remote.
"""

from __future__ import annotations

import random
import sqlite3
from pathlib import Path

from tests.conftest import CHAIR, MEMBER_CS, MEMBER_TECH, Clones, do_sync, git
from tests.forge import Forger
from wgtool.core.desks import WorkingGroup
from wgtool.core.exchange.verify import verify
from wgtool.core.record.rulebook.kept import (
    FILE,
    VERSION,
    KeptVerdicts,
    decode_key,
    encode_key,
)


def random_key(rng: random.Random) -> str:
    parts = []
    for _ in range(rng.randint(1, 6)):
        kind = rng.random()
        if kind < 0.4:
            parts.append("".join(rng.choice("0123456789abcdef") for _ in range(40)))
        elif kind < 0.5:
            parts.append("".join(rng.choice("0123456789abcdef") for _ in range(rng.randint(0, 41))))
        else:
            parts.append("".join(rng.choice("abcé-_.0Z9") for _ in range(rng.randint(0, 12))))
    return ":".join(parts)


def test_compact_keys_decode_to_what_was_encoded_and_keep_prefixes_and_distinctness() -> None:
    rng = random.Random(22)
    keys = {random_key(rng) for _ in range(3000)}
    codes = {key: encode_key(key) for key in keys}
    assert all(code is not None and decode_key(code) == key for key, code in codes.items())
    assert len(set(codes.values())) == len(keys)  # the text key itself is the reference
    for key in rng.sample(sorted(keys), 300):
        parts = key.split(":")
        prefix = ":".join(parts[: rng.randint(1, len(parts))])
        start = encode_key(prefix)
        assert start is not None
        for other, code in codes.items():
            assert code is not None
            assert code.startswith(start) == (other == prefix or other.startswith(prefix + ":"))
    assert encode_key("main:1:\x00") is None
    assert decode_key(b"\x02abc") is None and decode_key(b"\x01abc") is None
    assert decode_key(b"\x07") is None


def test_keys_begun_by_a_commit_are_those_a_whole_read_lists(tmp_path: Path) -> None:
    """``starts`` (a look-up per commit) against ``load_all`` (every verdict read), on random
    event keys: a commit begins a kept key after the prefix exactly when the whole read lists
    a key that begins with it."""
    rng = random.Random(18)
    commits = ["".join(rng.choice("0123456789abcdef") for _ in range(40)) for _ in range(60)]
    kept = KeptVerdicts(tmp_path)
    assert kept.starts("event:1:", commits) == set()  # nothing kept yet
    verdicts: dict[str, object] = {}
    for commit in rng.sample(commits, 25):
        for _ in range(rng.randint(1, 3)):
            rest = ":".join(random_key(rng).split(":")[:3]) or "x"
            verdicts[f"{rng.choice(['event:1', 'event:0', 'event:1x'])}:{commit}:{rest}"] = {}
    kept.keep(verdicts)
    kept.close()
    again = KeptVerdicts(tmp_path)
    listed = {key.partition(":")[0] for key in again.load_all("event:1:")}
    assert again.starts("event:1:", commits) == listed & set(commits)
    assert listed  # the random keys above hold some
    again.close()


def test_an_older_store_is_replaced_and_never_misread(tmp_path: Path) -> None:
    sha = "ab" * 20
    with sqlite3.connect(tmp_path / FILE) as db:  # the layout of an older wgtool
        db.execute("CREATE TABLE kept (key TEXT PRIMARY KEY, verdict TEXT)")
        db.execute("INSERT INTO kept VALUES (?, ?)", (f"2:main:1:{sha}", '{"kind": "merge"}'))
    db.close()
    kept = KeptVerdicts(tmp_path)
    assert kept.load([f"main:1:{sha}"]) == {}
    assert kept.load_all("main:1:") == set()
    kept.keep({f"main:1:{sha}": {"kind": "init"}})
    kept.close()
    with sqlite3.connect(tmp_path / FILE) as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == VERSION
        assert db.execute("SELECT count(*) FROM kept").fetchone()[0] == 1
    db.close()
    again = KeptVerdicts(tmp_path)
    assert again.load([f"main:1:{sha}"]) == {f"main:1:{sha}": {"kind": "init"}}
    assert again.load_all("main:1:") == {sha}
    again.close()


def test_rows_that_cannot_be_read_are_left_out(tmp_path: Path) -> None:
    good, bad = "cd" * 20, "ef" * 20
    kept = KeptVerdicts(tmp_path)
    kept.keep({f"main:1:{good}": {"kind": "init"}, f"main:1:{bad}": {"kind": "init"}})
    kept.close()
    with sqlite3.connect(tmp_path / FILE) as db:
        db.execute(
            "UPDATE kept SET verdict = '{not json' WHERE key = ?", (encode_key(f"main:1:{bad}"),)
        )
        db.execute("INSERT INTO kept VALUES (?, ?)", (b"\x09garbage", "{}"))
        db.execute("INSERT INTO kept VALUES (?, ?)", ("a text key", "{}"))
    db.close()
    again = KeptVerdicts(tmp_path)
    assert again.load([f"main:1:{good}", f"main:1:{bad}"]) == {f"main:1:{good}": {"kind": "init"}}
    assert again.load_all("main:1:") == {good, bad}  # listed; its verdict is left out below
    assert again.load([f"main:1:{bad}"]) == {}
    again.close()


def test_a_store_with_every_row_damaged_still_refuses_a_forged_event_and_does_not_crash(
    clones: Clones,
) -> None:
    """Every kept verdict here is replaced by one of the right shape but wrong content (an
    event without its fields, a main commit of no kind): each is judged again, the honest
    record still passes, and a forged event is still refused."""
    amendment = clones.amendment
    with WorkingGroup.open(clones.b, MEMBER_CS) as wg:
        wg.deliberation.comment(amendment, "An honest comment")
        assert not do_sync(clones.b).problems
    store = clones.b / ".git" / "wgtool" / FILE
    with sqlite3.connect(store) as db:
        codes = [code for (code,) in db.execute("SELECT key FROM kept")]
        assert codes
        for number, code in enumerate(codes):
            damaged = ['{"kind": null}', '{"id": 5}', "[1, 2]", '"nothing"', "{"][number % 5]
            db.execute("UPDATE kept SET verdict = ? WHERE key = ?", (damaged, code))
    db.close()
    with WorkingGroup.open(clones.b) as wg:
        assert verify(wg).problems == []

    assert not do_sync(clones.a).problems  # a has the honest comment: the forgery is on top
    forger = Forger(clones.a)
    forged = forger.event(amendment, member=CHAIR, type_="comment", committer=MEMBER_TECH)
    assert forger.push(f"refs/wg/events/{amendment}").returncode == 0
    before = git(clones.b, "rev-parse", f"refs/wg/events/{amendment}").strip()
    report = do_sync(clones.b)
    assert any(forged[:10] in line for line in report.problems), report.problems
    assert git(clones.b, "rev-parse", f"refs/wg/events/{amendment}").strip() == before
    with WorkingGroup.open(clones.b) as wg:
        texts = [e.text for e in wg.deliberation.events(amendment)]
        assert "An honest comment" in texts and "Forged words" not in texts
