"""`wgtool serve` in a real browser engine: Debian's chromium, driven by Playwright.

Each test starts the real server (see ``test_serve.py``), opens it in chromium with a fresh
profile, types into the terminal page as a member would, and reads what the UI draws from the
page's own websocket. What the member did is then read back from git.
"""

from __future__ import annotations

import re
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tests import browser as engine
from tests.browser import Screen, browsers, chromium
from tests.conftest import MEMBER_CS, MEMBER_TECH, PROJECT, SECRETARIAT, git, propose_sample
from tests.test_serve import REFUSED, cli, event_authors, issue_link, serving
from wgtool.core.desks import WorkingGroup

OPEN_WEBSOCKET = """url => new Promise(resolve => {
    const socket = new WebSocket(url);
    socket.onopen = () => { socket.close(); resolve("open"); };
    socket.onerror = () => resolve("refused");
})"""
"""A page's script that opens a websocket to ``url``: whether it opened."""


def take_position(screen: Screen, amendment: str) -> None:
    """In the UI on the first screen: the queue (a), its one amendment (enter), a position
    (p, support is chosen first) sent (ctrl+s)."""
    screen.page.click("#terminal")  # the terminal takes the keys
    screen.press("a", amendment)  # its row: the queue has loaded
    # Its rationale, drawn once the amendment is read (the queue's legend and the empty
    # consensus table say "not heard" before that: a key pressed then would reach the queue).
    screen.press("Enter", "Say who takes part.")
    screen.press("p", f"Your position on amendment {amendment}")
    screen.press("Control+s", f"Position on {amendment}: support")


def member(repo: Path, handle: str) -> tuple[str, str]:
    with WorkingGroup.open(repo) as wg:
        found = wg.record.roster.get(handle)
    return found.name, found.email


@contextmanager
def another_site() -> Iterator[str]:
    """A page of another origin on this machine (another port of 127.0.0.1): its origin."""

    class Page(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = b"<!doctype html><title>another site</title><p>hello</p>"
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Page)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_the_link_opens_the_ui_as_its_member_who_acts_in_git(
    example_repo: Path, tmp_path: Path
) -> None:
    amendment = propose_sample(example_repo)
    git(example_repo, "config", "user.email", member(example_repo, MEMBER_TECH)[1])
    with serving(example_repo) as served, chromium(tmp_path / "profile") as browser:
        page = browser.new_page()
        screen = Screen(page)
        response = page.goto(served.link)
        assert response is not None and response.status == 200
        assert page.url == served.origin + "/"  # the token left the address bar
        screen.wait_for(f"as {MEMBER_TECH} (member)")
        take_position(screen, amendment)
    assert event_authors(example_repo, amendment, "position") == [
        (MEMBER_TECH, *member(example_repo, MEMBER_TECH))
    ]


def test_a_page_without_the_token_is_refused(example_repo: Path, tmp_path: Path) -> None:
    with serving(example_repo, actor=MEMBER_TECH) as served:
        with chromium(tmp_path / "profile") as browser:
            page = browser.new_page()
            screen = Screen(page)
            for address in (served.origin, served.origin + "/?token=guessed"):
                response = page.goto(address)
                assert response is not None and response.status == 403
                assert page.inner_text("body").startswith(REFUSED)
            assert screen.sockets == [] and browser.cookies() == []
            # The page's own script, run from the refused page, cannot open the websocket.
            url = f"ws://127.0.0.1:{served.port}/ws"
            assert page.evaluate(OPEN_WEBSOCKET, url) == "refused"
        assert served.children() == []


def test_a_page_of_another_origin_cannot_open_the_websocket(
    example_repo: Path, tmp_path: Path
) -> None:
    """The member's browser holds a live session; a page of another local origin (same site, so
    the cookie goes along) tries the websocket: refused, and no UI starts for it."""
    with (
        serving(example_repo, actor=MEMBER_TECH) as served,
        another_site() as elsewhere,
        chromium(tmp_path / "profile") as browser,
    ):
        own = browser.new_page()
        screen = Screen(own)
        own.goto(served.link)
        screen.wait_for(f"as {MEMBER_TECH} (member)")
        url = f"ws://127.0.0.1:{served.port}/ws"
        started = served.children()
        assert len(started) == 1  # the member's own page's UI
        foreign = browser.new_page()
        foreign.goto(elsewhere)
        assert foreign.evaluate(OPEN_WEBSOCKET, url) == "refused"
        assert served.children() == started
        assert own.evaluate(OPEN_WEBSOCKET, url) == "open"  # the same script, from its page


def test_a_rebound_dns_name_is_refused(example_repo: Path, tmp_path: Path) -> None:
    """A name of the attacker's that now resolves to 127.0.0.1 reaches the server with that
    name as Host: refused, even with the right token."""
    rules = "--host-resolver-rules=MAP rebound.test 127.0.0.1"
    with serving(example_repo, actor=MEMBER_TECH) as served:
        with chromium(tmp_path / "profile", rules) as browser:
            page = browser.new_page()
            rebound = served.link.replace("127.0.0.1", "rebound.test")
            response = page.goto(rebound)
            assert response is not None and response.status == 403
            assert "does not answer to that address" in page.inner_text("body")
            assert browser.cookies() == []
            response = page.goto(served.link)  # the same browser, at the real address
            assert response is not None and response.status == 200


def test_on_the_shared_server_each_member_acts_only_as_themselves(
    example_repo: Path, tmp_path: Path
) -> None:
    amendment = propose_sample(example_repo)
    with serving(example_repo, "--shared") as served:
        tech = issue_link(example_repo, MEMBER_TECH, served)
        civil = issue_link(example_repo, MEMBER_CS, served)
        with browsers(tmp_path) as chromium:
            tech_screen = Screen(chromium.open("tech").new_page())
            tech_screen.page.goto(tech)
            tech_screen.wait_for(f"as {MEMBER_TECH} (member)")
            # The second member's link, asking in every way to act as the first: still them.
            civil_screen = Screen(chromium.open("civil").new_page())
            civil_screen.page.goto(civil + f"&as={MEMBER_TECH}&member={MEMBER_TECH}")
            civil_screen.wait_for(f"as {MEMBER_CS} (member)")
            take_position(civil_screen, amendment)
            take_position(tech_screen, amendment)
    assert sorted(event_authors(example_repo, amendment, "position")) == sorted(
        [
            (MEMBER_TECH, *member(example_repo, MEMBER_TECH)),
            (MEMBER_CS, *member(example_repo, MEMBER_CS)),
        ]
    )


def test_a_revoked_link_ends_its_sessions(example_repo: Path, tmp_path: Path) -> None:
    amendment = propose_sample(example_repo)
    with serving(example_repo, "--shared") as served:
        link = issue_link(example_repo, MEMBER_TECH, served)
        with chromium(tmp_path / "profile") as browser:
            screen = Screen(browser.new_page())
            screen.page.goto(link)
            screen.wait_for(f"as {MEMBER_TECH} (member)")
            socket = screen.socket
            screen.page.click("#terminal")  # the terminal takes the keys (the click is sent too)
            revoked = cli(example_repo, "serve", "token", "revoke", MEMBER_TECH, actor=SECRETARIAT)
            assert revoked.returncode == 0, revoked.stderr
            # The next key the page sends ends the connection instead of reaching the UI (unless
            # the server's own look, every 30 s, came first).
            if not socket.is_closed():
                with socket.expect_event("close"):
                    screen.page.keyboard.press("a")
            response = screen.page.reload()
            assert response is not None and response.status == 403
            response = screen.page.goto(link)
            assert response is not None and response.status == 403
    with WorkingGroup.open(example_repo) as wg:
        assert [e for e in wg.deliberation.events(amendment) if e.member == MEMBER_TECH] == []


def test_an_expired_session_is_refused(example_repo: Path, tmp_path: Path) -> None:
    with serving(example_repo, "--shared", "--session-lifetime", "2s") as served:
        link = issue_link(example_repo, MEMBER_TECH, served)
        with chromium(tmp_path / "profile") as browser:
            page = browser.new_page()
            # The browser's own request: it keeps the cookie, without opening the page yet.
            assert page.request.get(link, max_redirects=0).status == 303
            opened = time.time()  # the session opened before this: it ends by opened + 2 s
            assert [c["name"] for c in browser.cookies()] == [f"wgtool-session-{served.port}"]
            # Waiting out the lifetime is what is under test: the session ends by itself.
            time.sleep(max(0.0, opened + 2.0 - time.time()) + 0.1)
            response = page.goto(served.origin)
            assert response is not None and response.status == 403
            assert page.inner_text("body").startswith(REFUSED)
            assert browser.cookies() != []  # the browser still sent it: the server refused
        assert served.children() == []


def test_without_chromium_the_browser_tests_skip_unless_required(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A newcomer's laptop without chromium skips them with the reason; CI (which sets
    WGTOOL_REQUIRE_BROWSER) fails instead."""
    monkeypatch.setattr(engine, "CHROMIUM", tmp_path / "no-chromium")
    monkeypatch.delenv(engine.REQUIRED, raising=False)
    with pytest.raises(pytest.skip.Exception, match="install Debian's chromium"):
        engine.require_browser()
    monkeypatch.setenv(engine.REQUIRED, "1")
    with pytest.raises(pytest.fail.Exception, match="WGTOOL_REQUIRE_BROWSER is set"):
        engine.require_browser()


NGINX = Path("/usr/sbin/nginx")
NGINX_TRIES = 5
"""Ports tried for nginx, which cannot pick a free one itself: another process may take the
one found free before nginx binds it."""


def readme_nginx_site() -> str:
    """The nginx site the README gives for TLS in front of ``wgtool serve``."""
    readme = (PROJECT / "README.md").read_text(encoding="utf-8")
    [site] = re.findall(r"```nginx\n(.*?)```", readme, re.DOTALL)
    return str(site)


@contextmanager
def nginx(folder: Path, site: str, port: int) -> Iterator[subprocess.Popen[bytes] | None]:
    """nginx serving ``site`` from ``folder`` on 127.0.0.1:``port``, in the foreground as one
    process; None when the port was taken meanwhile."""
    temporary = ""
    for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"):  # nginx's own files
        (folder / kind).mkdir(exist_ok=True)
        temporary += f"    {kind}_temp_path {folder / kind};\n"
    config = folder / "nginx.conf"
    config.write_text(
        f"daemon off;\nmaster_process off;\npid {folder / 'nginx.pid'};\n"
        f"error_log {folder / 'error.log'};\nevents {{}}\n"
        f"http {{\n    access_log off;\n{temporary}{site}}}\n"
    )
    process = subprocess.Popen(
        [str(NGINX), "-p", str(folder), "-c", str(config), "-e", str(folder / "error.log")],
        stderr=subprocess.DEVNULL,  # it writes to its error log
    )
    try:
        for _ in range(600):  # until it listens, or has given up
            if process.poll() is not None:
                assert b"Address already in use" in (folder / "error.log").read_bytes()
                yield None
                return
            try:
                socket.create_connection(("127.0.0.1", port), timeout=5).close()
                break
            except ConnectionRefusedError:
                time.sleep(0.05)
        yield process
    finally:
        process.terminate()
        process.wait(timeout=30)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_behind_the_readmes_nginx_the_ui_works_over_tls(example_repo: Path, tmp_path: Path) -> None:
    """The README's nginx site, as written (its certificate, port and upstream set for this
    machine), in front of the server: the browser reaches the UI over https and wss at the
    public name, and the member acts."""
    engine.require_browser(NGINX)
    amendment = propose_sample(example_repo)
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-subj", "/CN=wg.example.org", "-addext", "subjectAltName=DNS:wg.example.org",
         "-keyout", str(tmp_path / "key.pem"), "-out", str(tmp_path / "cert.pem")],
        check=True, capture_output=True,
    )  # fmt: skip
    for _ in range(NGINX_TRIES):
        port = free_port()
        public = f"https://wg.example.org:{port}"
        with serving(example_repo, "--public-url", public, actor=MEMBER_TECH) as served:
            site = (
                readme_nginx_site()
                .replace("listen 443 ssl;", f"listen 127.0.0.1:{port} ssl;")
                .replace(
                    "/etc/letsencrypt/live/wg.example.org/fullchain.pem", str(tmp_path / "cert.pem")
                )
                .replace(
                    "/etc/letsencrypt/live/wg.example.org/privkey.pem", str(tmp_path / "key.pem")
                )
                .replace("http://127.0.0.1:8000;", f"http://127.0.0.1:{served.port};")
            )
            assert str(served.port) in site and str(tmp_path) in site
            with nginx(tmp_path, site, port) as proxy:
                if proxy is None:
                    continue
                rules = (
                    "--host-resolver-rules=MAP wg.example.org 127.0.0.1",
                    "--ignore-certificate-errors",
                )
                with chromium(tmp_path / "profile", *rules) as browser:
                    page = browser.new_page()
                    screen = Screen(page)
                    response = page.goto(served.link)
                    assert served.link.startswith(public + "/?token=")
                    assert response is not None and response.status == 200
                    assert page.url == public + "/"
                    assert screen.socket.url.startswith(f"wss://wg.example.org:{port}/ws?")
                    [cookie] = browser.cookies()
                    assert cookie["secure"] and cookie["httpOnly"]
                    screen.wait_for(f"as {MEMBER_TECH} (member)")
                    take_position(screen, amendment)
            break
    else:
        raise AssertionError(f"no free port for nginx in {NGINX_TRIES} tries")
    assert event_authors(example_repo, amendment, "position") == [
        (MEMBER_TECH, *member(example_repo, MEMBER_TECH))
    ]
