"""A real browser engine for the tests of what wgtool serves: Debian's chromium, driven by
Playwright (its Python package; never its own browser download).

Without chromium or Playwright a browser test is skipped with the reason, unless
:data:`REQUIRED` is set in the environment (``.ci/run`` sets it), which turns the skip into a
failure: CI can never skip them silently.

The page draws the terminal on a canvas, so its text is read where the browser receives it: the
frames of its websocket, as :class:`Screen` collects them (Playwright reports each one).
"""

from __future__ import annotations

import importlib.util
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from playwright.sync_api import BrowserContext, Page, Playwright, WebSocket

CHROMIUM = Path("/usr/bin/chromium")
REQUIRED = "WGTOOL_REQUIRE_BROWSER"
"""When set (to anything but empty), a missing browser fails the browser tests instead of
skipping them."""

FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

WAIT_MS = 60_000
"""How long a page or the UI in it may take to answer (the suite runs on busy machines)."""

ANSI = re.compile(
    rb"\x1b\[[0-9;?<>=]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(\x07|\x1b\\)|\x1b[=>()][0-9A-Za-z]?"
)


def missing() -> str | None:
    """Why no browser test can run here, or None."""
    if not CHROMIUM.exists():
        return f"no {CHROMIUM}: install Debian's chromium (apt-get install chromium)"
    if importlib.util.find_spec("playwright") is None:
        return "no Playwright: pip install -e '.[dev]'"
    return None


def require_browser(*tools: Path) -> None:
    """Skip the calling test when no browser (or one of the other ``tools`` it needs) can run,
    or fail it where the browser tests are required."""
    reason = missing() or next(
        (
            f"no {tool}: install it (apt-get install {tool.name})"
            for tool in tools
            if not tool.exists()
        ),
        None,
    )
    if reason is None:
        return
    if os.environ.get(REQUIRED):
        pytest.fail(f"{REQUIRED} is set and the browser tests cannot run: {reason}")
    pytest.skip(reason)


class Browsers:
    """Chromium browsers, each with a fresh profile of its own (a member each)."""

    def __init__(self, playwright: Playwright, folder: Path, flags: list[str]) -> None:
        self.playwright = playwright
        self.folder = folder
        self.flags = flags
        self.opened: list[BrowserContext] = []

    def open(self, name: str = "profile") -> BrowserContext:
        context = self.playwright.chromium.launch_persistent_context(
            str(self.folder / name),
            executable_path=str(CHROMIUM),
            headless=True,
            args=self.flags,
        )
        context.set_default_timeout(WAIT_MS)
        self.opened.append(context)
        return context


@contextmanager
def browsers(folder: Path, *extra_flags: str) -> Iterator[Browsers]:
    """Chromium, as many browsers as :meth:`Browsers.open` asks for, each profile in
    ``folder``; closed at the end."""
    require_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        found = Browsers(playwright, folder, [*FLAGS, *extra_flags])
        try:
            yield found
        finally:
            for context in found.opened:
                context.close()


@contextmanager
def chromium(folder: Path, *extra_flags: str) -> Iterator[BrowserContext]:
    """One chromium with a fresh profile in ``folder``."""
    with browsers(folder, *extra_flags) as opened:
        yield opened.open()


class Screen:
    """What the UI in one page drew: the terminal output its websocket brought, as text."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.sockets: list[WebSocket] = []
        self.received = bytearray()
        page.on("websocket", self._opened)

    def _opened(self, socket: WebSocket) -> None:
        self.sockets.append(socket)
        socket.on("framereceived", self._received)

    def _received(self, payload: str | bytes) -> None:
        if isinstance(payload, bytes):  # terminal output (text frames are the UI's notes)
            self.received += payload

    @property
    def socket(self) -> WebSocket:
        if not self.sockets:
            with self.page.expect_websocket(timeout=WAIT_MS):
                pass
        return self.sockets[-1]

    def mark(self) -> int:
        """Where the output stands now: :meth:`wait_for` after it looks only at what came
        later."""
        return len(self.received)

    def text(self, since: int = 0) -> str:
        return ANSI.sub(b"", bytes(self.received[since:])).decode("utf-8", "replace")

    def wait_for(self, wanted: str, since: int = 0) -> str:
        """Wait until the UI drew ``wanted`` (after ``since``); the text drawn."""
        from playwright.sync_api import TimeoutError as Timeout

        if wanted not in self.text(since):
            try:
                self.socket.wait_for_event(
                    "framereceived", lambda _: wanted in self.text(since), timeout=WAIT_MS
                )
            except Timeout:
                drawn = self.text(since)[-3000:]
                raise AssertionError(f"the UI never drew {wanted!r}: {drawn}") from None
        return self.text(since)

    def press(self, key: str, then: str) -> None:
        """Press ``key`` in the terminal, and wait until the UI drew ``then``."""
        since = self.mark()
        self.page.keyboard.press(key)
        self.wait_for(then, since)
