"""The rulebook's classification of main commits, including the merges that record consensus
and the chair's reverts (written here with plain git, as another wgtool would write them)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import CHAIR, MEMBER_PS, MEMBER_TECH, SECRETARIAT, agreed, git
from tests.forge import Forger, message
from wgtool.core import document
from wgtool.core.desks import WorkingGroup
from wgtool.core.exchange.verify import verify
from wgtool.core.model import Kind, Status
from wgtool.core.record.rulebook import FOUNDING, INIT, MERGE, REVERT, Rulebook
from wgtool.core.record.rulebook import SECRETARIAT as SECRETARIAT_CHANGE


def history(repo: Path):  # type: ignore[no-untyped-def]
    with WorkingGroup.open(repo) as wg:
        return Rulebook(wg.record.store).history(wg.record.main())


def test_main_commits_are_classified(tmp_path: Path) -> None:
    repo = tmp_path / "wg"
    WorkingGroup.init(repo, title="New group").close()
    with WorkingGroup.open(repo) as wg:
        wg.secretariat.add_member(
            "anna",
            name="Anna",
            email="anna@example.org",
            group="governments",
            roles=["secretariat"],
        )
        wg.record.act_as("anna")
        wg.secretariat.add_member(
            "ben", name="Ben", email="ben@example.org", group="civil-society", roles=["chair"]
        )
        wg.drafts.add_draft("charter", title="Charter", text="One paragraph.\n\nAnother one.\n")
        wg.record.act_as("ben")
        amendment = wg.amendments.propose(
            "charter", kind=Kind.REPLACE, paragraph=1, text="One better paragraph.", rationale="R"
        ).id
        wg.merges.merge(agreed(wg, amendment))
    commits = history(repo).commits
    assert [(c.kind, c.member, c.amendment) for c in commits] == [
        (INIT, None, None),
        (FOUNDING, "anna", None),
        (SECRETARIAT_CHANGE, "anna", None),
        (SECRETARIAT_CHANGE, "anna", None),
        (MERGE, "ben", amendment),
    ]
    assert all(c.valid for c in commits)
    assert commits[-1].draft == "charter"


@pytest.fixture
def merged(open_wg, example_repo: Path) -> tuple[str, str]:
    """An amendment merged by the chair with plain git, recording the consensus it was taken on;
    returns (amendment id, the main commit before the merge)."""
    wg = open_wg(MEMBER_PS)
    text = document.paragraphs(wg.drafts.draft("principles").text)[0].text
    amendment = wg.amendments.propose(
        "principles", kind=Kind.REPLACE, paragraph=1, text=text + " Amended.", rationale="R"
    )
    forger = Forger(example_repo)
    before = forger.rev("main")
    draft = git(example_repo, "show", f"{amendment.head}:drafts/principles.md")
    merge = forger.commit(
        forger.tree("main", {"drafts/principles.md": draft}),
        [before, amendment.head],
        message(
            f"Merge amendment {amendment.id}",
            [
                ("Amendment-Id", amendment.id),
                ("Proposed-by", MEMBER_PS),
                ("Stakeholder-Group", "private-sector"),
                ("Merged-by", CHAIR),
                ("Consensus", "overridden"),
                ("Supporting-Groups", ""),
                ("Objecting-Groups", ""),
                ("Not-Heard", ", ".join(wg.record.settings.groups)),  # no positions were taken
                ("Override-Reason", "Agreed in the room"),
                ("Events", "none"),
            ],
        ),
        author=MEMBER_PS,
        committer=CHAIR,
    )
    forger.update_ref("refs/heads/main", merge)
    return amendment.id, before


def revert(
    repo: Path, amendment: str, *, by: str = CHAIR, draft: str = "principles", **trailers: str
) -> str:
    forger = Forger(repo)
    base = git(repo, "rev-parse", "main~1").strip()
    restored = git(repo, "show", f"{base}:drafts/{draft}.md") + (
        "\nChanged.\n" if draft != "principles" else ""
    )
    fields = {
        "Action": "revert",
        "Reverts-Amendment": amendment,
        "Reverted-by": by,
        "Member": by,
        "Stakeholder-Group": "governments",
        **trailers,
    }
    commit = forger.commit(
        forger.tree("main", {f"drafts/{draft}.md": restored}),
        [forger.rev("main")],
        message(f"Revert amendment {amendment}", list(fields.items())),
        author=by,
    )
    forger.update_ref("refs/heads/main", commit)
    return commit


def test_merges_recording_consensus_and_reverts_by_the_chair_are_valid(
    merged: tuple[str, str], example_repo: Path
) -> None:
    amendment, _ = merged
    with WorkingGroup.open(example_repo) as wg:
        assert wg.amendments.amendment(amendment).status is Status.MERGED
    revert(example_repo, amendment)
    main = history(example_repo)
    assert [(c.kind, c.valid, c.amendment) for c in main.commits[-2:]] == [
        (MERGE, True, amendment),
        (REVERT, True, amendment),
    ]
    assert main.commits[-1].draft == "principles" and amendment not in main.merged()
    with WorkingGroup.open(example_repo) as wg:
        assert verify(wg).problems == []


@pytest.mark.parametrize(
    "how, reason",
    [
        ({"by": MEMBER_TECH}, "mchen, who is not chair"),
        ({"Member": SECRETARIAT}, "says Member epetrova but Reverted-by lhaddad"),
        ({"Reverts-Amendment": "0badc0de"}, "which is not merged on main"),
        ({"draft": "roles"}, "may change only drafts/principles.md, not drafts/roles.md"),
    ],
)
def test_reverts_that_break_the_rules(
    merged: tuple[str, str], example_repo: Path, how: dict[str, str], reason: str
) -> None:
    amendment, _ = merged
    commit = revert(example_repo, amendment, **how)
    last = history(example_repo).commits[-1]
    assert last.sha == commit and not last.valid
    assert any(reason in p for p in last.problems), last.problems
    with WorkingGroup.open(example_repo) as wg:
        assert any(commit[:10] in p and reason in p for p in verify(wg).problems)


@pytest.mark.parametrize(
    "trailer, value, reason",
    [
        ("Consensus", "maybe", "records consensus 'maybe'"),
        ("Override-Reason", " ", "overrides the consensus rule without a reason"),
        (
            "Supporting-Groups",
            "governments, martians",
            "Supporting-Groups names unknown groups: martians",
        ),
    ],
)
def test_merges_recording_a_malformed_consensus_are_invalid(
    merged: tuple[str, str], example_repo: Path, trailer: str, value: str, reason: str
) -> None:
    amendment, before = merged
    forger = Forger(example_repo)
    merge = forger.rev("main")
    text = git(example_repo, "cat-file", "commit", merge).split("\n\n", 1)[1]
    lines = [
        f"{trailer}: {value}" if line.startswith(f"{trailer}:") else line
        for line in text.splitlines()
    ]
    forged = forger.commit(
        forger.rev("main^{tree}"),
        [before, forger.rev("main^2")],
        "\n".join(lines) + "\n",
        author=MEMBER_PS,
        committer=CHAIR,
    )
    forger.update_ref("refs/heads/main", forged)
    last = history(example_repo).commits[-1]
    assert not last.valid and any(reason in p for p in last.problems), last.problems
    with WorkingGroup.open(example_repo) as wg:
        assert (
            wg.amendments.amendment(amendment).status is Status.OPEN
        )  # "merged" needs a valid merge


def test_an_amendment_is_merged_once(merged: tuple[str, str], example_repo: Path) -> None:
    amendment, _ = merged
    forger = Forger(example_repo)
    again = forger.commit(
        forger.rev("main^{tree}"),
        [forger.rev("main"), forger.rev("main^2")],
        git(example_repo, "log", "-1", "--format=%B", "main"),
        author=MEMBER_PS,
        committer=CHAIR,
    )
    forger.update_ref("refs/heads/main", again)
    last = history(example_repo).commits[-1]
    assert last.problems == [f"amendment {amendment} is merged already"]


def test_mains_first_parent_line_is_read_from_memory_as_git_lists_it(tmp_path: Path) -> None:
    """Main's first-parent line, whole or after a commit, is taken from the commits read
    already where it can be (the index after a clone or a sync), else from ``git log``: on
    random commit graphs, with nothing, everything or a part read before, it is what a plain
    walk of first parents gives (None where the line does not pass through the commit)."""
    import random

    from wgtool.core.record.gitstore import GitStore
    from wgtool.core.record.rulebook.records import read_records

    rng = random.Random(22)
    repo = tmp_path / "graphs"
    git(tmp_path, "init", "--quiet", str(repo))
    empty = git(repo, "hash-object", "-t", "tree", "-w", "/dev/null").strip()
    parents_of: dict[str, list[str]] = {}
    graphs: list[list[str]] = []
    for graph in range(12):
        commits: list[str] = []
        for number in range(rng.randint(1, 10)):
            chosen = rng.sample(commits, min(len(commits), rng.choice([1, 1, 1, 2])))
            if commits and not chosen or rng.random() < 0.1:
                chosen = []  # a second root now and then
            args = [arg for parent in chosen for arg in ("-p", parent)]
            sha = git(repo, "commit-tree", empty, *args, "-m", f"{graph}.{number}").strip()
            parents_of[sha] = chosen
            commits.append(sha)
        graphs.append(commits)

    def reference(tip: str, after: str | None) -> list[str] | None:
        line = [tip]
        while parents_of[line[-1]]:
            line.append(parents_of[line[-1]][0])
        if after is None:
            return line[::-1]
        return line[: line.index(after)][::-1] if after in line else None

    every = [sha for commits in graphs for sha in commits]
    store = GitStore.open(repo)
    try:
        for commits in graphs:
            for _ in range(12):
                tip = rng.choice(commits)
                after = rng.choice([None, rng.choice(commits), rng.choice(every)])
                expected = reference(tip, after)
                assert git(repo, "rev-list", "--first-parent", "--reverse", tip).split() == (
                    reference(tip, None)
                )
                for known in ([], every, rng.sample(every, len(every) // 2)):
                    store.memo.clear()
                    book = Rulebook(store)
                    for record in read_records(store, ["--no-walk=unsorted"], known):
                        book.reads.records[record.sha] = record
                    found = book.mainline._first_parents(tip, after)
                    assert (None if found is None else [r.sha for r in found]) == expected, (
                        tip,
                        after,
                        len(known),
                    )
    finally:
        store.close()
