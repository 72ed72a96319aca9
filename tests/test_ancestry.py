"""Ancestry answered from commits already read, or from one walk of git's: always git's answer."""

from __future__ import annotations

import random
import subprocess
from dataclasses import dataclass
from pathlib import Path

from wgtool.core.exchange.sync.ancestry import Ancestry
from wgtool.core.record.gitstore import GitStore, Person


@dataclass(frozen=True)
class Known:
    parents: tuple[str, ...]


def is_ancestor(repo: Path, ancestor: str, descendant: str) -> bool:
    done = subprocess.run(
        ["git", "--git-dir", str(repo), "merge-base", "--is-ancestor", ancestor, descendant]
    )
    return done.returncode == 0


def test_answers_are_gits_on_random_histories_with_random_commits_known(tmp_path: Path) -> None:
    store = GitStore.init(tmp_path / "repo", bare=True)
    person = Person("A Member", "member@example.org", 1_700_000_000)
    tree = store.write_tree(None, {"a": b"a"})
    rng = random.Random(22)
    parents: dict[str, tuple[str, ...]] = {}
    shas: list[str] = []
    for number in range(40):
        chosen = tuple(sorted(set(rng.sample(shas, min(len(shas), rng.choice([0, 1, 1, 2]))))))
        sha = store.write_commit(tree, chosen, f"Commit {number}", person, person)
        parents[sha] = chosen
        shas.append(sha)
    for _ in range(6):
        known = {sha: Known(parents[sha]) for sha in shas if rng.random() < 0.6}
        main = rng.sample(shas, 2)
        tips = rng.sample(shas, 12)
        ancestry = Ancestry(store, tips, main, known=known)
        for _ in range(25):
            first, second = rng.choice(tips), rng.choice(tips)
            assert ancestry.is_ancestor(first, second) == is_ancestor(
                store.git_dir, first, second
            ), (first, second)
    store.close()
