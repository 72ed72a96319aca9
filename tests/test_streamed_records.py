"""The rulebook reads commits as git writes them (:meth:`GitStore.stream`): the records are
the same however git's output is cut into pieces, member text in any script included, and a
git that fails is one error."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import MEMBER_GOV, propose_sample
from wgtool.core.desks import WorkingGroup
from wgtool.core.errors import WgError
from wgtool.core.record import gitstore
from wgtool.core.record.gitstore import GitStore
from wgtool.core.record.rulebook import WG_PREFIX
from wgtool.core.record.rulebook.records import read_records


def all_records(store: GitStore) -> list[object]:
    tips = sorted(set(store.refs(WG_PREFIX.rstrip("/")).values()) | {store.resolve("main")})
    return list(read_records(store, [], [tip for tip in tips if tip]))


def test_the_records_are_the_same_whatever_the_pieces(
    example_repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    amendment = propose_sample(example_repo)
    with WorkingGroup.open(example_repo, MEMBER_GOV) as wg:
        # Characters of two, three and four bytes, which small pieces cut in the middle.
        wg.deliberation.comment(amendment, "Ça marche — 合意できます 🤝 مقبول")
        wg.deliberation.position(amendment, "support", reason="Ελληνικά: συμφωνούμε.")
    store = GitStore.open(example_repo)
    try:
        whole = all_records(store)
        assert len(whole) >= 4
        for size in (1, 7, 64, 4096):
            monkeypatch.setattr(gitstore, "STREAM_PIECE", size)
            assert all_records(store) == whole, size
    finally:
        store.close()


def test_a_git_that_fails_is_one_error(example_repo: Path) -> None:
    store = GitStore.open(example_repo)
    try:
        with pytest.raises(WgError, match="git log failed"):
            read_records(store, [], ["0" * 40])
        with pytest.raises(ValueError, match="only reads"):
            list(store.stream(["update-ref", "refs/heads/x", "HEAD"], input=b""))
    finally:
        store.close()


def test_object_infos_are_the_same_asked_of_either_git(
    example_repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A few objects are asked of the ``cat-file`` GitPython keeps running, more of a git
    process of their own: the same answer for commits, trees, blobs, a tag and objects that
    are not there, whichever way."""
    from tests.conftest import SECRETARIAT, git
    from wgtool.core.record import reading

    with WorkingGroup.open(example_repo, SECRETARIAT) as wg:
        wg.procedure.tag("principles", "v1", message="A reading.")
    listed = git(example_repo, "rev-list", "--objects", "--all").split("\n")
    shas = sorted({line.split(" ")[0] for line in listed if line})
    tag = git(example_repo, "rev-parse", "refs/tags/principles/v1").strip()
    wanted = [tag, *shas[:20], "ab" * 20, "0" * 40]
    store = GitStore.open(example_repo)
    try:
        by_process = store.object_infos(wanted)
        monkeypatch.setattr(reading, "FEW", len(wanted))
        by_gitpython = store.object_infos(wanted)
    finally:
        store.close()
    assert by_process == by_gitpython
    assert by_process[tag][0] == "tag" and "ab" * 20 not in by_process
    assert {kind for kind, _ in by_process.values()} >= {"commit", "tree", "blob", "tag"}
    for sha in shas[:20]:
        kind = git(example_repo, "cat-file", "-t", sha).strip()
        size = int(git(example_repo, "cat-file", "-s", sha))
        assert by_process[sha] == (kind, size)
