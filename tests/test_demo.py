"""``wgtool demo`` as a reader starts it: a real process on a real (pseudo-)terminal, the UI
painted, then left with ctrl+q. Its folder is removed when the UI closes, unless ``--keep``
(which says where it is) or ``--path FOLDER`` (made there, and kept), as the README says."""

from __future__ import annotations

import fcntl
import os
import pty
import re
import select
import struct
import subprocess
import sys
import termios
from pathlib import Path

import pytest

from wgtool.core.desks import WorkingGroup

GUARD = 600.0
"""Seconds without a byte from the UI before the test reports it hung (a guard, not a timing
assertion)."""
PICKER = "Act as which member?"
ESCAPES = re.compile(r"\x1b(\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(\x07|\x1b\\)|[@-Z\\-_])")


def on_a_terminal(*args: str, tmp: Path) -> str:
    """Run ``wgtool ARGS`` on a terminal of 80 by 24, wait until the demo's member picker is
    painted, press ctrl+q; what it wrote, escapes taken out. Temporary folders go in ``tmp``."""
    controller, terminal = pty.openpty()
    fcntl.ioctl(terminal, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("WGTOOL_", "PYTEST_"))}
    env.update(TERM="xterm-256color", TMPDIR=str(tmp))
    try:
        process = subprocess.Popen(
            [sys.executable, "-m", "wgtool", *args],
            stdin=terminal,
            stdout=terminal,
            stderr=terminal,
            cwd=tmp,
            env=env,
            start_new_session=True,
        )
    finally:
        os.close(terminal)
    written, pressed = "", False
    try:
        while True:
            ready, _, _ = select.select([controller], [], [], GUARD)
            assert ready, f"nothing from the UI for {GUARD} s:\n{written[-2000:]}"
            try:
                chunk = os.read(controller, 65536)
            except OSError:  # the terminal closed: the process has ended
                break
            if not chunk:
                break
            written += chunk.decode("utf-8", errors="replace")
            if not pressed and PICKER in ESCAPES.sub("", written):
                os.write(controller, b"\x11")  # ctrl+q
                pressed = True
    finally:
        os.close(controller)
        if process.poll() is None and not pressed:
            process.kill()
    assert process.wait(timeout=GUARD) == 0, ESCAPES.sub("", written)[-2000:]
    assert pressed, ESCAPES.sub("", written)[-2000:]
    return ESCAPES.sub("", written)


def is_the_demo(folder: Path) -> None:
    with WorkingGroup.open(folder, "lhaddad") as wg:
        assert wg.record.settings.title == "Working Group on Enhanced Cooperation"
        assert [v.name for v in wg.drafts.versions("principles")][:1] == ["first-reading"]
        assert wg.deliberation.listing()  # the story's amendments


@pytest.fixture
def tmp(tmp_path: Path) -> Path:
    folder = tmp_path / "tmp"
    folder.mkdir()
    return folder


def test_the_demos_folder_is_removed_when_the_ui_closes(tmp: Path) -> None:
    shown = on_a_terminal("demo", tmp=tmp)
    assert "The demo working group is in" not in shown
    assert list(tmp.iterdir()) == []


def test_demo_keep_keeps_the_folder_and_says_where(tmp: Path) -> None:
    shown = on_a_terminal("demo", "--keep", tmp=tmp)
    [kept] = list(tmp.iterdir())
    assert f"The demo working group is in {kept / 'wg'}" in shown
    is_the_demo(kept / "wg")


def test_demo_path_makes_it_there_and_keeps_it(tmp: Path) -> None:
    there = tmp.parent / "my-demo"
    shown = on_a_terminal("demo", "--path", str(there), tmp=tmp)
    assert f"The demo working group is in {there}" in shown
    is_the_demo(there)
    assert list(tmp.iterdir()) == []
