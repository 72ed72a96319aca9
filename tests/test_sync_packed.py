"""Refs moved in one packed-refs write: git's locks honoured, compare-and-swap per ref, loose
refs that would shadow a moved one removed, and the result exactly what git itself reads.

Real repositories; git's own ``for-each-ref``, ``show-ref`` and ``fsck`` read the result.
"""

from __future__ import annotations

import random
import subprocess
from pathlib import Path

import pytest

from tests.conftest import git
from wgtool.core.record.gitstore import GitStore, Person
from wgtool.core.record.packed import Busy, packed_or_git, write_packed


def repository(tmp_path: Path, commits: int = 4) -> tuple[GitStore, list[str]]:
    store = GitStore.init(tmp_path / "repo", bare=True)
    person = Person("A Member", "member@example.org", 1_700_000_000)
    tree = store.write_tree(None, {"events/a.json": b"{}"})
    shas: list[str] = []
    for number in range(commits):
        shas.append(store.write_commit(tree, shas[-1:], f"Commit {number}", person, person))
    return store, shas


def packed_refs(repo: Path, count: int, sha: str) -> list[str]:
    """``count`` event refs at ``sha``, held only in packed-refs."""
    refs = [f"refs/wg/events/{number:08x}" for number in range(count)]
    for ref in refs:
        git(repo, "update-ref", ref, sha)
    git(repo, "pack-refs", "--all")
    return refs


def listing(repo: Path) -> dict[str, str]:
    out = git(repo, "for-each-ref", "--format=%(refname) %(objectname)")
    return dict(line.split(" ") for line in out.splitlines() if line)


def loose(repo: Path) -> list[str]:
    return sorted(p.relative_to(repo).as_posix() for p in (repo / "refs").rglob("*") if p.is_file())


def test_refs_moved_in_one_write_are_what_git_reads_and_loose_files_are_gone(
    tmp_path: Path,
) -> None:
    store, (a, b, c, _) = repository(tmp_path)
    repo = store.git_dir
    git(repo, "update-ref", "refs/wg/events/00000001", a)
    git(repo, "update-ref", "refs/wg/events/00000002", a)
    git(repo, "update-ref", "refs/wg/events/00000003", a)
    git(repo, "tag", "-a", "-m", "Version 1", "principles/v1", a)
    git(repo, "pack-refs", "--all")
    # Loose copies that shadow packed ones: one moved below, one only folded in.
    git(repo, "update-ref", "refs/wg/events/00000001", b)
    git(repo, "update-ref", "refs/wg/events/00000002", b)
    git(repo, "update-ref", "refs/remotes/origin/wg/events/00000001", c)
    lost = write_packed(
        repo,
        {
            "refs/wg/events/00000001": (c, b),  # loose, moved
            "refs/wg/events/00000003": (b, a),  # packed, moved
            "refs/wg/amendments/00000009": (a, None),  # new
            "refs/wg/events/00000002": (None, b),  # deleted
        },
    )
    assert lost == set()
    refs = listing(repo)
    assert refs["refs/wg/events/00000001"] == c
    assert refs["refs/wg/events/00000003"] == b
    assert refs["refs/wg/amendments/00000009"] == a
    assert "refs/wg/events/00000002" not in refs
    assert refs["refs/remotes/origin/wg/events/00000001"] == c
    assert loose(repo) == []
    assert not (repo / "packed-refs.lock").exists()
    # The annotated tag still peels, and git finds nothing wrong.
    assert f"{a} refs/tags/principles/v1^{{}}" in git(repo, "show-ref", "-d")
    git(repo, "fsck", "--no-progress")
    git(repo, "pack-refs", "--all")  # and git packs it again as it would its own
    assert listing(repo) == refs
    store.close()


def test_packed_refs_locked_by_another_writer_moves_nothing_and_git_moves_them(
    tmp_path: Path,
) -> None:
    store, (a, b, *_) = repository(tmp_path)
    repo = store.git_dir
    git(repo, "update-ref", "refs/wg/events/00000001", a)
    (repo / "packed-refs.lock").write_text("")  # another writer is rewriting packed-refs
    before = listing(repo)
    with pytest.raises(Busy):
        write_packed(repo, {"refs/wg/events/00000001": (b, a)})
    assert listing(repo) == before
    assert (repo / "packed-refs.lock").exists()  # theirs: left alone
    # The store falls back to update-ref transactions (which take no packed-refs lock to move
    # a ref), each ref still compared with its value.
    assert store.adopt_refs({"refs/wg/events/00000001": (b, a)}, "moved") == set()
    assert listing(repo)["refs/wg/events/00000001"] == b
    store.close()


def test_a_ref_held_or_moved_by_another_writer_is_left_out_and_the_others_moved(
    tmp_path: Path,
) -> None:
    store, (a, b, c, _) = repository(tmp_path)
    repo = store.git_dir
    refs = packed_refs(repo, 5, a)
    git(repo, "update-ref", refs[1], c, a)  # moved by another writer after it was read
    (repo / f"{refs[2]}.lock").write_text("")  # being moved by another writer
    lost = write_packed(repo, {ref: (b, a) for ref in refs})
    assert lost == {refs[1], refs[2]}
    now = listing(repo)
    assert now[refs[1]] == c  # the other writer's value stands
    assert now[refs[2]] == a
    assert [now[ref] for ref in (refs[0], refs[3], refs[4])] == [b, b, b]
    assert (repo / f"{refs[2]}.lock").exists()  # their lock, not ours to remove
    # A ref that must not exist yet but does is left out too.
    assert write_packed(repo, {refs[0]: (c, None)}) == {refs[0]}
    assert listing(repo)[refs[0]] == b
    git(repo, "fsck", "--no-progress")
    store.close()


def test_a_packed_ref_another_writer_takes_while_packed_refs_is_written_is_not_moved(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A ref held only in packed-refs is moved without a lock of its own: a writer that locks
    it or writes it loose before the new packed-refs is in place makes it come back as not
    moved (that writer's compare-and-swap decides), and its value stands."""
    import wgtool.core.record.packed as packed

    store, (a, b, c, _) = repository(tmp_path)
    repo = store.git_dir
    refs = packed_refs(repo, 3, a)
    real = packed.os.replace

    def others_first(source: str | Path, target: str | Path) -> None:
        git(repo, "update-ref", refs[0], c, a)  # read a from packed-refs: its swap succeeds
        (repo / f"{refs[1]}.lock").write_text("")  # another writer is moving it
        real(source, target)

    monkeypatch.setattr(packed.os, "replace", others_first)
    lost = write_packed(repo, {ref: (b, a) for ref in refs})
    monkeypatch.setattr(packed.os, "replace", real)
    assert lost == {refs[0], refs[1]}
    now = listing(repo)
    assert now[refs[0]] == c  # the other writer's loose value wins over the packed one
    assert now[refs[2]] == b
    assert (repo / f"{refs[1]}.lock").exists()  # theirs: left alone
    # A writer that locks a ref after packed-refs was replaced reads the new value: its swap
    # from the old one fails.
    done = git_status(repo, "update-ref", refs[2], c, a)
    assert done != 0 and listing(repo)[refs[2]] == b
    git(repo, "fsck", "--no-progress")
    store.close()


def test_the_lock_of_a_loose_ref_is_honoured_by_git_and_gone_afterwards(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Folding loose refs in locks each as a hard link to its file: git cannot move the ref
    meanwhile, and no lock is left once packed-refs is written."""
    import wgtool.core.record.packed as packed

    store, (a, b, *_) = repository(tmp_path)
    repo = store.git_dir
    refs = [f"refs/remotes/origin/wg/events/{number:08x}" for number in range(3)]
    for ref in refs:
        git(repo, "update-ref", ref, a)  # loose, as a fetch writes them
    (repo / f"{refs[2]}.lock").write_text("")  # another writer is moving this one
    real = packed._prune_loose
    refused: list[int] = []

    def git_tries_first(base: str, name: str, sha: str) -> bool:
        if name == refs[0]:
            lock = f"{base}/{name}.lock"
            assert packed._lock_loose(f"{base}/{name}", lock)
            refused.append(git_status(repo, "update-ref", name, b, a))
            packed._unlink(lock)
        return real(base, name, sha)

    monkeypatch.setattr(packed, "_prune_loose", git_tries_first)
    assert write_packed(repo, {}) == set()
    assert refused and refused[0] != 0
    assert listing(repo) == {ref: a for ref in refs}
    assert loose(repo) == [f"{refs[2]}", f"{refs[2]}.lock"]  # held: its loose file stays
    store.close()


def test_folders_of_folded_loose_refs_left_empty_are_removed(tmp_path: Path) -> None:
    store, (a, b, *_) = repository(tmp_path)
    repo = store.git_dir
    for name in ("events/00000001", "events/00000002", "amendments/00000001"):
        git(repo, "update-ref", f"refs/remotes/origin/wg/{name}", a)
    git(repo, "update-ref", "refs/wg/events/00000001", a)
    assert write_packed(repo, {"refs/wg/events/00000001": (b, a)}) == set()
    assert loose(repo) == []
    assert not (repo / "refs" / "remotes" / "origin").exists()
    assert not (repo / "refs" / "wg" / "events").exists()
    assert (repo / "refs" / "wg").is_dir()  # refs/<kind> stays, as git leaves it
    assert listing(repo)["refs/wg/events/00000001"] == b
    store.close()


def git_status(repo: Path, *args: str) -> int:
    return subprocess.run(["git", "-C", str(repo), *args], capture_output=True).returncode


def test_a_loose_ref_moved_while_it_is_folded_in_keeps_its_new_value(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A writer moves a loose ref after it was read and packed: its loose file is not deleted
    (it holds the newer value, which git reads before the packed one)."""
    import wgtool.core.record.packed as packed

    store, (a, b, *_) = repository(tmp_path)
    repo = store.git_dir
    ref = "refs/remotes/origin/wg/events/00000001"
    git(repo, "update-ref", ref, a)
    real = packed._prune_loose

    def moved_first(base: str, name: str, sha: str) -> bool:
        if name == ref:
            git(repo, "update-ref", ref, b, a)
        return real(base, name, sha)

    monkeypatch.setattr(packed, "_prune_loose", moved_first)
    assert write_packed(repo, {}) == set()
    assert listing(repo)[ref] == b
    assert loose(repo) == [ref]
    store.close()


def test_packed_writes_match_update_ref_on_random_moves(tmp_path: Path) -> None:
    """Random refs, packed and loose, random moves with right and wrong old values: the refs
    afterwards are those ``git update-ref`` moved one at a time would give, every time."""
    rng = random.Random(22)
    store, shas = repository(tmp_path, commits=5)
    twin, _ = repository(tmp_path / "twin", commits=5)  # same objects: same shas
    names = [f"refs/wg/{kind}/{n:08x}" for kind in ("events", "amendments") for n in range(12)]
    for round_number in range(8):
        for repo in (store.git_dir, twin.git_dir):
            for ref in names:
                git(repo, "update-ref", "-d", ref, check=False)
        state = {ref: rng.choice(shas) for ref in names if rng.random() < 0.7}
        shadowed = [ref for ref in state if rng.random() < 0.3]
        for repo in (store.git_dir, twin.git_dir):
            for ref, sha in state.items():
                git(repo, "update-ref", ref, sha)
            git(repo, "pack-refs", "--all")
            for ref in shadowed:  # loose again, shadowing the packed one
                git(repo, "update-ref", ref, shas[round_number % 5])
        current = listing(store.git_dir)
        moves: dict[str, tuple[str | None, str | None]] = {}
        for ref in rng.sample(names, 10):
            old = current.get(ref) if rng.random() < 0.8 else rng.choice([None, *shas])
            moves[ref] = (rng.choice([None, *shas]) if ref in current else rng.choice(shas), old)
        lost = write_packed(store.git_dir, moves)
        # The reference: each move whose old value holds, made by git alone.
        expected_lost = {ref for ref, (_, old) in moves.items() if current.get(ref) != old}
        for ref, (new, old) in moves.items():
            if ref in expected_lost:
                continue
            if new is None:
                git(twin.git_dir, "update-ref", "-d", ref, old or "")
            else:
                git(twin.git_dir, "update-ref", ref, new, old or "0" * 40)
        assert listing(store.git_dir) == listing(twin.git_dir), round_number
        assert lost == expected_lost, round_number
        git(store.git_dir, "fsck", "--no-progress")
    store.close()
    twin.close()


def test_names_left_to_git_are_moved_by_git(tmp_path: Path) -> None:
    store, (a, *_) = repository(tmp_path)
    calls: list[dict[str, tuple[str | None, str | None]]] = []

    def with_git(moves: object) -> set[str]:
        calls.append(dict(moves))  # type: ignore[call-overload]
        return set()

    moves = {"refs/tags/été": (a, None), "refs/wg/events/00000001": (a, None)}
    assert packed_or_git(store.git_dir, moves, with_git) == set()
    assert calls == [{"refs/tags/été": (a, None)}]
    assert listing(store.git_dir)["refs/wg/events/00000001"] == a
    store.close()


def test_refs_answered_from_one_listing_are_what_git_lists_for_each_prefix(
    tmp_path: Path,
) -> None:
    """A sync lists every ref once and answers each prefix from that listing: the same refs,
    in the same order, as ``git for-each-ref`` with the prefixes gives, whatever the names."""
    store, shas = repository(tmp_path)
    rng = random.Random(18)
    parts = ["wg", "events", "amendments", "tags", "a", "a-b", "a.b", "ab", "é", "z", "0", "ü1"]
    names = {
        "refs/"
        + "/".join(rng.choice(parts) + rng.choice(["", "x", "-2", "é"]) for _ in range(depth))
        for depth in (rng.randint(1, 4) for _ in range(300))
    }
    # A name that is also the folder of another cannot be (git refuses): keep the longer ones.
    names = {n for n in names if not any(other.startswith(n + "/") for other in names)}
    commands = "".join(f"create {name} {rng.choice(shas)}\n" for name in sorted(names))
    subprocess.run(
        ["git", "--git-dir", str(store.git_dir), "update-ref", "--stdin"],
        input=commands.encode(),
        check=True,
    )
    folders = sorted({name.rsplit("/", k)[0] for name in names for k in (1, 2)})
    candidates = [*folders, *rng.sample(sorted(names), 20), "refs/a", "refs/é/", "refs/w", "refs/"]
    for _ in range(60):
        patterns = tuple(rng.sample(candidates, rng.randint(1, 3)))
        store.snapshot_refs = False
        listed = store.refs(*patterns)  # git's own matching, one process per call
        store.snapshot_refs = True
        answered = store.refs(*patterns)  # from the one listing
        assert list(answered.items()) == list(listed.items()), patterns
    assert any(store.refs(*rng.sample(folders, 2)) for _ in range(5))
