"""The meeting room in a real browser engine (Debian's chromium, driven by Playwright): the
served room (``wgtool serve --present SLUG``) shows the paragraph the chair focuses on within
2 s of ``wgtool focus``, and its keys write nothing."""

from __future__ import annotations

import time
from pathlib import Path

from tests.browser import Screen, chromium
from tests.conftest import CHAIR, MEMBER_TECH, refs_snapshot
from tests.test_serve import cli, serving
from wgtool.core.desks import WorkingGroup

FOLLOW_MS = 2_000
"""The target: a follower's browser shows a new focus within 2 s of ``wgtool focus``."""


def drawn_within(screen: Screen, mark: int, wanted: str) -> None:
    """Wait at most :data:`FOLLOW_MS` for the page to draw ``wanted`` (after ``mark``)."""
    from playwright.sync_api import TimeoutError as Timeout  # where a browser runs at all

    try:
        screen.socket.wait_for_event(
            "framereceived", lambda _: wanted in screen.text(mark), timeout=FOLLOW_MS
        )
    except Timeout:
        if wanted not in screen.text(mark):
            raise AssertionError(
                f"the room did not draw {wanted!r} within {FOLLOW_MS} ms: "
                f"{screen.text(mark)[-2000:]}"
            ) from None


def test_the_served_room_shows_a_new_focus_within_two_seconds(
    example_repo: Path, tmp_path: Path
) -> None:
    first = cli(example_repo, "focus", "principles", "--paragraph", "3", actor=CHAIR)
    assert first.returncode == 0, first.stderr
    with (
        serving(example_repo, "--present", "principles", actor=MEMBER_TECH) as served,
        chromium(tmp_path / "profile") as browser,
    ):
        assert "meeting room of principles" in served.said and "read only" in served.said
        page = browser.new_page()
        screen = Screen(page)
        response = page.goto(served.link)
        assert response is not None and response.status == 200
        screen.wait_for("¶3")
        screen.wait_for("Following the chair")

        # The follower's keys write nothing (the served command has no write path).
        before = refs_snapshot(example_repo)
        page.click("#terminal")
        for key in ["p", "f", "a", "Enter", "Control+s", "F2", "Escape"]:
            page.keyboard.press(key)
        mark = screen.mark()
        started = time.monotonic()
        focused = cli(example_repo, "focus", "principles", "--paragraph", "7", actor=CHAIR)
        assert focused.returncode == 0, focused.stderr
        written = time.monotonic()
        drawn_within(screen, mark, "¶7")
        print(
            f"browser room: ¶7 drawn {time.monotonic() - written:+.2f} s after wgtool focus "
            f"returned ({time.monotonic() - started:.2f} s after it started)"
        )
        # The same through the core, timed from the moment the focus is written.
        mark = screen.mark()
        with WorkingGroup.open(example_repo, CHAIR) as wg:
            wg.meeting.focus("principles", "9", text="The ninth, as the chair reads it.")
            written = time.monotonic()
        drawn_within(screen, mark, "the chair reads it")
        print(f"browser room: ¶9 drawn {time.monotonic() - written:.2f} s after it was written")
        assert refs_snapshot(example_repo) != before  # the chair's focus, and only that:
        after = refs_snapshot(example_repo).splitlines()
        changed = set(after) - set(before.splitlines())
        assert [line.split()[-1] for line in changed] == ["refs/wg/events/draft-principles"]
