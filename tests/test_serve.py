"""`wgtool serve`: the terminal UI served to web browsers by textual-serve, as a real process.

The page is fetched over HTTP, then the websocket a browser page opens is driven the way the
page drives it (its JSON messages: keys on "stdin"), and what the UI sends back is read: each
connection starts its own UI, which asks which member is acting. No browser engine runs here:
one cannot be installed from PyPI alone (Playwright downloads its browsers separately).
"""

from __future__ import annotations

import asyncio
import re
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import aiohttp
import pytest

from tests.conftest import PROJECT

STARTUP_LINES = 50
"""Lines of the server's output read at most before it says it is serving."""

ANSI = re.compile(
    rb"\x1b\[[0-9;?<>=]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(\x07|\x1b\\)|\x1b[=>()][0-9A-Za-z]?"
)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


LISTEN_TRIES = 600
"""Connection attempts, 0.05 s apart, before the server must listen (it says it serves just
before it binds its socket)."""


def listening(port: int) -> None:
    """Wait until something accepts connections on 127.0.0.1:``port`` (at most 30 s)."""
    for _ in range(LISTEN_TRIES):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=5).close()
            return
        except ConnectionRefusedError:
            time.sleep(0.05)
    raise AssertionError(f"nothing listens on port {port}")


@pytest.fixture
def server(example_repo: Path) -> Iterator[int]:
    """``wgtool serve`` on a free port of 127.0.0.1, up and serving; its port."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "wgtool", "--repo", str(example_repo), "serve", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        cwd=PROJECT,
        text=True,
    )
    try:
        assert process.stdout is not None
        lines = []
        for _ in range(STARTUP_LINES):
            line = process.stdout.readline()
            lines.append(line)
            if "Ctrl+C" in line or not line:  # its last line before it serves
                break
        said = "".join(lines)
        assert "Ctrl+C" in lines[-1], said
        assert f"http://127.0.0.1:{port}" in said.replace("\n", "")  # 127.0.0.1 by default
        listening(port)
        yield port
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_serve_answers_with_the_textual_serve_page(server: int) -> None:
    with urllib.request.urlopen(f"http://127.0.0.1:{server}/", timeout=30) as response:
        page = response.read().decode()
    assert response.status == 200
    assert f'data-session-websocket-url="ws://127.0.0.1:{server}/ws"' in page
    assert "js/textual.js" in page and 'class="textual-terminal"' in page
    with urllib.request.urlopen(f"http://127.0.0.1:{server}/static/js/textual.js") as script:
        assert script.status == 200 and script.read()


async def screen_until(websocket: aiohttp.ClientWebSocketResponse, wanted: str) -> str:
    """Read what the UI sends until the screen text shows ``wanted``; that text."""
    seen = b""
    async with asyncio.timeout(60):
        while True:
            message = await websocket.receive()
            if message.type is aiohttp.WSMsgType.BINARY:  # terminal output, as xterm.js gets it
                seen += message.data
                text = ANSI.sub(b"", seen).decode("utf-8", "replace")
                if wanted in text:
                    return text
            else:
                assert message.type is aiohttp.WSMsgType.TEXT, message  # meta: JSON


@pytest.mark.asyncio
async def test_each_connection_picks_its_member(server: int) -> None:
    url = f"ws://127.0.0.1:{server}/ws?width=80&height=24"
    async with aiohttp.ClientSession() as session, session.ws_connect(url) as websocket:
        await screen_until(websocket, "Laila Haddad (lhaddad)")  # the picker, its roster read
        await websocket.send_json(["stdin", "\r"])  # the first member, highlighted
        await screen_until(websocket, "as lhaddad (chair)")
