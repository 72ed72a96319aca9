"""The desks that run the engines beside the others, on real repositories and remotes: syncing
through ``wg.exchange``, exports through ``wg.documents``, participation and concordance through
``wg.reports``, verifying through ``wg.audit``, joining through ``WorkingGroup.clone`` and the
shared remote through ``SharedRemote``."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.conftest import MEMBER_PS, SECRETARIAT, Clones, git, propose_sample
from wgtool.core.desks import WorkingGroup
from wgtool.core.errors import InvalidInput, NotFound
from wgtool.core.exchange.guard import MARK, SharedRemote


def test_sync_through_the_exchange_desk_carries_an_amendment_between_clones(
    clones: Clones,
) -> None:
    amendment = propose_sample(clones.a)
    with WorkingGroup.open(clones.a) as wg:
        assert wg.exchange.remotes() == ["origin"]
        lines: list[str] = []
        sent = wg.exchange.sync(progress=lines.append)
        assert not sent.problems and sent.sent.new_amendments == 1
        assert any(line.startswith("Fetching from origin") for line in lines)
    with WorkingGroup.open(clones.b) as wg:
        received = wg.exchange.sync("origin")
        assert not received.problems and received.received.new_amendments == 1
        assert received.arrived is not None
        assert [n.amendment.id for n in received.arrived.amendments] == [amendment]
        assert wg.amendments.amendment(amendment).proposer == MEMBER_PS


def test_the_exchange_desk_refuses_an_unknown_remote(example_repo: Path) -> None:
    with WorkingGroup.open(example_repo) as wg:
        assert wg.exchange.remotes() == []
        with pytest.raises(NotFound, match="no git remote 'elsewhere'"):
            wg.exchange.sync("elsewhere")


def test_clone_joins_a_group_and_opens_it(clones: Clones, tmp_path: Path) -> None:
    wg, report = WorkingGroup.clone(str(clones.origin), tmp_path / "newcomer")
    with wg:
        assert not report.problems and report.received.new_amendments == 1
        assert wg.amendments.amendment(clones.amendment).proposer == MEMBER_PS
        assert wg.exchange.remotes() == ["origin"]
        assert (tmp_path / "newcomer" / "drafts").is_dir()  # the working tree is checked out
    taken = tmp_path / "taken"
    (taken / "something").mkdir(parents=True)
    with pytest.raises(InvalidInput, match=f"{taken} exists and is not empty"):
        WorkingGroup.clone(str(clones.origin), taken)


def test_export_through_the_documents_desk(example_repo: Path) -> None:
    with WorkingGroup.open(example_repo) as wg:
        title = wg.drafts.draft("principles").title
        markdown = wg.documents.export("principles", "markdown")
        assert isinstance(markdown, str) and title in markdown
        page = wg.documents.export("principles", "html")
        assert isinstance(page, str) and page.lstrip().lower().startswith("<!doctype html")
        word = wg.documents.export("principles", "docx")
        assert isinstance(word, bytes) and word.startswith(b"PK")  # a zip: a Word document
        with pytest.raises(InvalidInput, match="unknown format 'pdf'"):
            wg.documents.export("principles", "pdf")


def test_participation_and_concordance_through_the_reports_desk(example_repo: Path) -> None:
    amendment = propose_sample(example_repo)
    with WorkingGroup.open(example_repo, SECRETARIAT) as wg:
        balance = wg.reports.participation("principles")
        proposer = wg.record.roster.get(MEMBER_PS).group
        rows = {row.group: row for row in balance.groups}
        assert rows[proposer].counts["proposed"] == 1
        assert balance.total.counts["proposed"] == 1
        assert amendment in balance.open_amendments
        wg.procedure.tag("principles", "v1", message="First reading")
        found = wg.reports.concordance("principles", "v1", "main")
        assert found.draft == "principles" and found.rows
        assert all(row.old == row.new and not row.text_changed for row in found.rows)


def test_verify_through_the_audit_desk(example_repo: Path) -> None:
    propose_sample(example_repo)
    with WorkingGroup.open(example_repo) as wg:
        report = wg.audit.verify()
        assert report.problems == []
        assert wg.audit.verify(full=True).problems == []
    git(example_repo, "commit", "--allow-empty", "--quiet", "-m", "By hand, past the rules")
    with WorkingGroup.open(example_repo) as wg:
        assert wg.audit.verify().problems


def test_the_shared_remote_is_made_empty_guarded_and_judges_a_push(tmp_path: Path) -> None:
    remote = SharedRemote.create(tmp_path / "origin.git")
    hook = remote.install_guard()
    assert os.access(hook, os.X_OK) and MARK in hook.read_text()
    assert hook.read_text() == SharedRemote.hook_text()
    assert remote.check("") == []  # nothing pushed, nothing wrong
    with pytest.raises(InvalidInput, match="not a ref update"):
        remote.check("not a line git writes\n")
    with pytest.raises(InvalidInput, match="exists and is not an empty folder"):
        SharedRemote.create(tmp_path / "origin.git")
