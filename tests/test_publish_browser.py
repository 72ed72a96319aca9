"""The published site in a real browser engine (Debian's chromium, driven by Playwright):
opened from disk, every link from the index followed, each page with one h1 and its language,
the feed an XML document with the versions; and member text that tries to run a script, show
a dialog or load something from elsewhere does none of it."""

from __future__ import annotations

from collections import deque
from pathlib import Path
from urllib.parse import unquote, urldefrag, urlparse
from xml.etree import ElementTree as ET

from tests.browser import chromium
from tests.conftest import (
    CHAIR,
    MEMBER_CS,
    MEMBER_GOV,
    SECRETARIAT,
    Wg,
    written_before_controls_were_refused,
)
from tests.test_inert_documents import hostile  # noqa: F401

ATOM = "{http://www.w3.org/2005/Atom}"
PWN = (
    '<script>window.__pwned = 1</script> <img src=x onerror="window.__pwned = 2"> '
    '[go](javascript:window.__pwned=3) <svg onload="window.__pwned = 4"></svg> '
    "![beacon](http://tracker.example/pixel.png) \u202egnp.exe"
)


def test_the_site_in_a_browser_links_resolve_and_member_text_stays_inert(
    hostile: Wg,  # noqa: F811
    tmp_path: Path,
) -> None:
    cli = hostile
    with written_before_controls_were_refused():  # the record may hold them: shown, not sent
        opened = cli.ok(
            "propose", "hostile", "--paragraph", "1", "--text", f"First. {PWN}",
            "--rationale", PWN, "--title", "Scripted", actor=MEMBER_CS,
        ).strip()  # fmt: skip
        cli.ok("position", opened, "object", "--reason", PWN, actor=MEMBER_GOV)
        cli.ok("comment", opened, PWN, actor=SECRETARIAT)
        cli.ok("merge", opened, "--override-consensus", "--reason", "In the room", actor=CHAIR)
        cli.ok("tag", "hostile", "v2", "-m", PWN, "--allow-brackets", actor=SECRETARIAT)
    cli.ok("settings", "--publish", "positions", actor=SECRETARIAT)
    site = tmp_path / "site"
    cli.ok("publish", str(site))
    versions = cli.ok("versions", "hostile")
    assert "v1" in versions and "v2" in versions

    with chromium(tmp_path / "browser") as browser:
        page = browser.new_page()
        dialogs: list[str] = []
        requests: list[str] = []
        page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
        page.on("request", lambda request: requests.append(request.url))
        start = (site / "index.html").as_uri()
        seen: set[str] = set()
        queue = deque([start])
        feeds: set[Path] = set()
        while queue:
            url = queue.popleft()
            if url in seen:
                continue
            seen.add(url)
            response = page.goto(url)
            assert response is not None and response.ok, url
            assert page.evaluate("document.documentElement.lang") == "en", url
            assert page.locator("h1").count() == 1, url
            assert page.locator("script").count() == 0, url
            assert page.evaluate("window.__pwned") is None, url
            for href in page.eval_on_selector_all("a[href]", "links => links.map(a => a.href)"):
                target, _ = urldefrag(href)
                if urlparse(target).scheme != "file":
                    continue  # a link in member text: to click, never loaded
                path = Path(unquote(urlparse(target).path))
                assert path.is_file(), (url, href)  # no link of the site's leads nowhere
                assert site in path.parents, (url, href)
                if path.suffix == ".html":
                    queue.append(target)
                else:
                    feeds.add(path)
        pages = {Path(unquote(urlparse(u).path)) for u in seen}
        assert pages == set(site.rglob("*.html"))  # every page is reached from the index
        assert dialogs == []
        outside = [u for u in requests if not u.startswith(site.as_uri())]
        assert outside == [], outside  # nothing loaded from anywhere else

    assert feeds == {site / "feed.atom"}
    feed = ET.parse(site / "feed.atom").getroot()
    titles = [e.findtext(f"{ATOM}title") for e in feed.findall(f"{ATOM}entry")]
    assert len(titles) == 2 and titles[0] and titles[0].endswith(": v2")
