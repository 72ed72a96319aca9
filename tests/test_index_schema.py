"""The index's tables: a file of an older schema is rebuilt, and a file refreshed step by step
answers exactly as one rebuilt from the refs (each consensus kept once, ref tips as bytes)."""

from __future__ import annotations

import json
import random
import sqlite3
from dataclasses import asdict
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import CHAIR, SECRETARIAT, propose_sample, wgtool_run
from wgtool.core import document, glance
from wgtool.core.desks import WorkingGroup
from wgtool.core.errors import WgError
from wgtool.core.index import Index
from wgtool.core.model import Kind

INDEX = Path(".git") / "wgtool" / "index.sqlite"


def answers(index: Index) -> dict[str, Any]:
    """Everything the index answers about every amendment and event."""
    return {
        "amendments": [asdict(a) for a in index.amendments()],
        "consensus": index.consensus_states(),
        "some consensus": index.consensus_states(index.amendment_ids()[:2]),
        "events": {k: [e.to_dict() for e in v] for k, v in index.events_for().items()},
        "states": index.states(),
        "numbers": index.numbers(),
    }


def glanced(wg: WorkingGroup) -> object:
    found = glance.listing(wg.record.store)
    assert found is not None
    return [(asdict(a), verdict, states) for a, verdict, states in found]


def unused_consensus_rows(repo: Path) -> int:
    with sqlite3.connect(repo / INDEX) as db:
        (count,) = db.execute(
            "SELECT count(*) FROM consensusrow WHERE key NOT IN "
            "(SELECT consensus_key FROM amendmentrow WHERE consensus_key IS NOT NULL)"
        ).fetchone()
    db.close()
    return int(count)


def random_step(wg: WorkingGroup, rng: random.Random, ids: list[str], step: int) -> None:
    """One thing a member or the chair does, chosen at random (refused ones are skipped)."""
    members = [m.handle for m in wg.secretariat.members()]
    roll = rng.random()
    try:
        if roll < 0.25 or not ids:
            number = rng.choice([2, 3, 5, 7])
            text = document.paragraph(wg.drafts.draft("principles").text, number).text
            wg.record.act_as(rng.choice(members))
            proposed = wg.amendments.propose(
                "principles",
                kind=Kind.REPLACE,
                paragraph=number,
                text=f"{text} Step {step}.",
                rationale=f"Step {step}.",
            )
            ids.append(proposed.id)
            return
        amendment_id = rng.choice(ids)
        if roll < 0.7:
            wg.record.act_as(rng.choice(members))
            stance = rng.choice(["support", "object", "abstain", "no-objection"])
            wg.deliberation.position(amendment_id, stance)
        elif roll < 0.8:
            wg.record.act_as(rng.choice(members))
            wg.deliberation.comment(amendment_id, f"Comment {step}.")
        elif roll < 0.87:
            wg.record.act_as(wg.amendments.amendment(amendment_id).proposer)
            wg.deliberation.withdraw(amendment_id, reason="Not needed.")
        elif roll < 0.94:
            wg.record.act_as(CHAIR)
            wg.merges.merge(amendment_id, override_reason="Time is short.")
        else:
            wg.record.act_as(SECRETARIAT)  # a new rule: every amendment's consensus changes
            wg.secretariat.update_settings(min_supporting_groups=rng.randint(1, 3))
    except WgError:
        pass  # refused (not open any more, a conflict, ...): the history goes on without it


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_a_refreshed_index_answers_as_a_rebuilt_one(example_repo: Path, seed: int) -> None:
    rng = random.Random(seed)
    ids: list[str] = []
    with WorkingGroup.open(example_repo) as wg:
        for step in range(24):
            random_step(wg, rng, ids, step)
            if step % 6 == 5:  # a refresh now and then, so that each reads several changes
                wg.record.index.refresh()
        wg.record.index.refresh()
        refreshed, listed = answers(wg.record.index), glanced(wg)
        assert unused_consensus_rows(example_repo) == 0
        wg.record.index.rebuild()
        assert answers(wg.record.index) == refreshed
        assert glanced(wg) == listed
    assert len(set(refreshed["consensus"].values())) > 1  # amendments at different ones
    assert len(refreshed["amendments"]) >= 3


@pytest.mark.parametrize("older", ["version", "columns"])
def test_an_index_of_an_older_schema_is_rebuilt(example_repo: Path, older: str) -> None:
    propose_sample(example_repo)
    before = wgtool_run(example_repo, "amendments", "--json")
    assert before.returncode == 0 and before.stderr == "", before.stderr
    with sqlite3.connect(example_repo / INDEX) as db:
        if older == "version":
            db.execute("UPDATE meta SET value = ? WHERE key = 'schema'", (str(7),))
        else:  # schema 7 kept each amendment's consensus in its own row, with no such table
            db.execute("DROP TABLE consensusrow")
    db.close()
    after = wgtool_run(example_repo, "amendments", "--json")
    assert after.returncode == 0, after.stderr
    assert "from another version of wgtool: rebuilding it from the refs" in after.stderr
    assert json.loads(after.stdout) == json.loads(before.stdout)
    again = wgtool_run(example_repo, "amendments", "--json")
    assert again.stderr == "" and again.stdout == before.stdout


def test_a_ref_tip_kept_as_text_rebuilds_the_index(example_repo: Path) -> None:
    """Ref tips are kept as bytes; a tip changed by hand to anything else is not trusted."""
    amendment = propose_sample(example_repo)
    before = wgtool_run(example_repo, "amendments", "--json")
    with sqlite3.connect(example_repo / INDEX) as db:
        db.execute("UPDATE reftip SET sha = hex(sha)")
        db.execute("UPDATE meta SET value = 'moved' WHERE key = 'refs'")  # a refresh reads tips
    db.close()
    after = wgtool_run(example_repo, "show", amendment, "--json")
    assert after.returncode == 0, after.stderr
    assert "rebuilding it from the refs" in after.stderr
    assert wgtool_run(example_repo, "amendments", "--json").stdout == before.stdout
