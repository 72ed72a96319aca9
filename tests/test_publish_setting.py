"""The ``publish`` setting (what a published site shows of deliberation) is the secretariat's,
judged by the rulebook like every setting: an honest secretariat change with its value forged,
and the same change written by a member who is not the secretariat, are refused by the guarded
remote, left out by sync and named by verify."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.conftest import MEMBER_TECH, SECRETARIAT, Clones, do_sync, git
from tests.forge import Forger, message, rewrite
from wgtool.cli import cli
from wgtool.core.desks import WorkingGroup
from wgtool.core.exchange.verify import verify


@pytest.mark.parametrize("forgery", ["a level that does not exist", "written by a member"])
def test_a_forged_publish_setting_is_refused_left_out_and_named(
    clones: Clones, tmp_path: Path, forgery: str
) -> None:
    before = git(clones.a, "rev-parse", "main").strip()
    with WorkingGroup.open(clones.a, SECRETARIAT) as wg:
        wg.secretariat.update_settings(publish="amendments")
        honest = wg.record.main()
    forger = Forger(clones.a)
    settings = forger.git("show", f"{honest}:wg.toml") + "\n"
    assert 'publish = "amendments"' in settings
    if forgery == "a level that does not exist":
        forged_text = settings.replace('publish = "amendments"', 'publish = "everything"')
        forged = rewrite(clones.a, honest, tree=forger.tree(honest, {"wg.toml": forged_text}))
    else:
        forged = forger.commit(
            forger.tree(before, {"wg.toml": settings}),
            [before],
            message(
                "Change the working group's settings",
                [("Member", MEMBER_TECH), ("Action", "settings")],
            ),
            author=MEMBER_TECH,
        )
    # A guarded copy of the remote refuses the push and stays as it was.
    guarded = tmp_path / "guarded.git"
    git(tmp_path, "clone", "--quiet", "--bare", str(clones.origin), str(guarded))
    installed = CliRunner().invoke(cli, ["guard", "install", str(guarded)])
    assert installed.exit_code == 0, installed.output
    forger.update_ref("refs/heads/main", forged)
    git(clones.a, "remote", "add", "guarded", str(guarded))
    pushed = forger.git("push", "--porcelain", "guarded", "refs/heads/main", check=False)
    assert "[remote rejected]" in pushed, pushed
    assert git(guarded, "rev-parse", "main").strip() == before
    # The unguarded remote takes it; a sync leaves it out, verify names it.
    assert forger.push("refs/heads/main").returncode == 0
    report = do_sync(clones.b)
    assert any(forged[:10] in p for p in report.problems), report.problems
    with WorkingGroup.open(clones.b) as wg:
        assert wg.record.main() == before
        assert wg.record.settings.publish == "texts"
    with WorkingGroup.open(clones.a) as wg:
        problems = verify(wg).problems
    assert any(forged[:10] in p for p in problems), problems
