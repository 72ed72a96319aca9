"""The sync hook (local configuration only; the README's mail example against a real SMTP
server in the test) and the reminders, through the real CLI as a process."""

from __future__ import annotations

import json
import os
import socketserver
import subprocess
import sys
import threading
from collections.abc import Iterator
from email import message_from_bytes
from pathlib import Path

import pytest

from tests.conftest import (
    CHAIR,
    MEMBER_CS,
    MEMBER_GOV,
    MEMBER_PS,
    MEMBER_TECH,
    SECRETARIAT,
    Clones,
    git,
    plant_on_main,
    propose_sample,
)
from tests.test_readme import readme_blocks
from tests.test_reservations import ok, wgtool
from wgtool.core.desks import WorkingGroup


class _Smtp(socketserver.StreamRequestHandler):
    """Just enough SMTP for smtplib: every message is kept whole on the server."""

    def handle(self) -> None:
        self.wfile.write(b"220 test ESMTP\r\n")
        while line := self.rfile.readline():
            verb = line[:4].upper()
            if verb == b"DATA":
                self.wfile.write(b"354 go on\r\n")
                data = b""
                while (chunk := self.rfile.readline()) not in (b".\r\n", b""):
                    data += chunk
                self.server.messages.append(data)  # type: ignore[attr-defined]
                self.wfile.write(b"250 kept\r\n")
            elif verb == b"QUIT":
                self.wfile.write(b"221 bye\r\n")
                return
            else:
                self.wfile.write(b"250 ok\r\n")


@pytest.fixture
def smtp() -> Iterator[socketserver.ThreadingTCPServer]:
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _Smtp)
    server.messages = []  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def mail_script(tmp_path: Path) -> Path:
    """The README's mail hook, exactly as written there."""
    (script,) = [b.text for b in readme_blocks()[0] if b.info == "python"]
    path = tmp_path / "wgtool-mail.py"
    path.write_text(script)
    return path


def sync(repo: Path, env: dict[str, str]) -> tuple[int, str, str]:
    result = subprocess.run(
        [sys.executable, "-m", "wgtool", "--repo", str(repo), "sync"],
        capture_output=True,
        text=True,
        env={**os.environ, **env},
    )
    return result.returncode, result.stdout, result.stderr


def test_the_readme_mail_hook_mails_what_a_sync_brought(
    clones: Clones, smtp: socketserver.ThreadingTCPServer, tmp_path: Path
) -> None:
    script = mail_script(tmp_path)
    git(clones.b, "config", "wgtool.hook.sync", f"{sys.executable} {script}")
    assert f"sync: {sys.executable} {script}" in ok(clones.b, "hooks")
    env = {
        "WGTOOL_MAIL_PORT": str(smtp.server_address[1]),
        "WGTOOL_MAIL_HOST": "127.0.0.1",
        "WGTOOL_MAIL_TO": "group@example.org",
    }
    # Nothing new: no mail.
    assert sync(clones.b, env)[0] == 0
    assert smtp.messages == []  # type: ignore[attr-defined]
    ok(clones.a, "comment", clones.amendment, "Our capital agrees.", actor=MEMBER_GOV)
    assert sync(clones.a, env)[0] == 0
    code, _, stderr = sync(clones.b, env)
    assert code == 0 and "wgtool:" not in stderr, stderr
    (raw,) = smtp.messages  # type: ignore[attr-defined]
    mail = message_from_bytes(raw)
    assert mail["To"] == "group@example.org"
    assert mail["Subject"] == "wgtool: 1 events"
    body = mail.get_payload(decode=True).decode()
    assert f"{clones.amendment} " in body and "comment rsubramanian Our capital agrees." in body
    # Run again by hand, with the same report.
    run = subprocess.run(
        [sys.executable, "-m", "wgtool", "--repo", str(clones.b), "hooks", "run"],
        capture_output=True,
        text=True,
        env={**os.environ, **env},
    )
    assert run.returncode == 0, run.stderr
    assert len(smtp.messages) == 2  # type: ignore[attr-defined]
    kept = json.loads((clones.b / ".git" / "wgtool" / "last-sync.json").read_text())
    assert kept["received"]["events"] == 1


def test_a_failing_hook_is_one_line_and_the_sync_stands(clones: Clones) -> None:
    git(clones.b, "config", "wgtool.hook.sync", f"{sys.executable} -c 'import sys; sys.exit(3)'")
    ok(clones.a, "comment", clones.amendment, "Noted.", actor=MEMBER_GOV)
    assert sync(clones.a, {})[0] == 0
    code, stdout, stderr = sync(clones.b, {})
    assert code == 0 and "Received: 1 event" in stdout
    assert stderr.splitlines()[-1] == "wgtool: the sync hook failed (exit 3)"
    git(clones.b, "config", "wgtool.hook.sync", "/nonexistent/hook")
    result = wgtool(clones.b, "hooks", "run")
    assert result.returncode == 1 and len(result.stderr.strip().splitlines()) == 1


def test_the_record_cannot_configure_a_hook(clones: Clones, tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    command = f"touch {marker}"
    plant_on_main(
        clones.a,
        {
            ".gitconfig": f'[wgtool "hook"]\n\tsync = {command}\n'.encode(),
            ".wgtool/hooks.toml": f'sync = "{command}"\n'.encode(),
            "wgtool.hook.sync": command.encode(),
        },
    )
    ok(clones.a, "comment", clones.amendment, "Noted.", actor=MEMBER_GOV)
    assert sync(clones.a, {})[0] == 0
    code, stdout, _ = sync(clones.b, {})
    assert code in (0, 5) and "Received:" in stdout
    assert ok(clones.b, "hooks") == (
        "No sync hook configured (git config wgtool.hook.sync COMMAND)\n"
    )
    assert not marker.exists()


# -- reminders ---------------------------------------------------------------------------------


def test_reminders_per_group_and_member_with_deadlines(example_repo: Path) -> None:
    first = propose_sample(example_repo, MEMBER_PS)
    second = propose_sample(example_repo, MEMBER_GOV)
    ok(example_repo, "position", first, "support", actor=MEMBER_CS)
    ok(example_repo, "position", first, "support", actor=MEMBER_GOV)
    ok(example_repo, "window", "principles", "close", "--until", "48h", actor=SECRETARIAT)
    silence = ok(
        example_repo, "silence", "start", second, "--until", "24h", "--message", "M", actor=CHAIR
    ).strip()
    found = json.loads(ok(example_repo, "remind", "--json"))
    groups = {g["group"]: g for g in found["groups"]}
    assert list(groups) == [
        "governments",
        "private-sector",
        "civil-society",
        "technical-academic",
        "intergovernmental",
    ]
    assert groups["governments"]["not_heard"] == [second]  # its own proposer does not count
    assert groups["civil-society"]["not_heard"] == [second]
    # Both, as tabled (in the same second, in the order of their ids): the order below too.
    both = groups["technical-academic"]["not_heard"]
    assert sorted(both) == sorted([first, second])
    members = {m["handle"]: m["awaiting"] for g in found["groups"] for m in g["members"]}
    assert [m["handle"] for m in groups["governments"]["members"]] == sorted(
        m["handle"] for m in groups["governments"]["members"]
    )
    assert members[MEMBER_GOV] == []  # supports the first, proposed the second
    assert members[MEMBER_CS] == [second]
    assert members[MEMBER_TECH] == both
    assert [s["id"] for s in found["silences"]] == [silence]
    assert [(w["draft"], w["open"]) for w in found["windows"]] == [("principles", False)]
    text = ok(example_repo, "remind", "principles")
    assert f"Technical and academic community: not heard on {', '.join(both)}" in text
    assert f"  {MEMBER_TECH}: no position on {', '.join(both)}" in text
    assert f"Silence {silence} on amendment {second}" in text
    assert "Amendment window of principles: closed; opens at" in text
    assert ok(example_repo, "remind", "--json") == ok(example_repo, "remind", "--json")
    other = json.loads(ok(example_repo, "remind", "roles", "--json"))
    assert other["silences"] == [] and all(g["not_heard"] == [] for g in other["groups"])
    bad = wgtool(example_repo, "remind", "nosuch")
    assert bad.returncode == 1 and len(bad.stderr.strip().splitlines()) == 1
    with WorkingGroup.open(example_repo) as wg:
        assert wg.reminders.reminders().groups == wg.reminders.reminders().groups
