"""`wgtool serve`: the terminal UI served to web browsers, as a real process, over HTTP and its
websocket (the browser's own view is in ``test_serve_browser.py``).

The server is started as a member types it, on a free port it picks (``--port 0``) and prints;
requests are sent the way a browser (or an attacker's page, or a rebound DNS name) sends them,
and each refusal is checked to have started no UI process.
"""

from __future__ import annotations

import asyncio
import os
import re
import socket
import stat
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path

import aiohttp
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.browser import ANSI
from tests.conftest import MEMBER_CS, MEMBER_TECH, PROJECT, SECRETARIAT, Wg, git
from wgtool.core.desks import WorkingGroup
from wgtool.core.errors import InvalidInput
from wgtool.core.exchange.logins import LOGINS_FILE, LoginLinks, digest
from wgtool.core.record.gitstore import GitStore
from wgtool.core.record.rulebook import event_path
from wgtool.web.access import Access, Gate, OwnGate, Sessions, SharedGate, duration, public_address
from wgtool.web.server import HEARTBEAT_SECONDS, WgServer

STARTUP_LINES = 20
"""Lines of the server's output read at most before it says it serves."""

REFUSED = "wgtool: open the link 'wgtool serve' printed"


# -- a server, as a real process -------------------------------------------------------------------


@dataclass
class Served:
    """A running ``wgtool serve``: its process, port and what it printed."""

    process: subprocess.Popen[str]
    port: int
    said: str
    output: list[str] = field(default_factory=list)

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def link(self) -> str:
        """The link with the launch's token that the server printed (``wgtool serve``)."""
        found = re.search(r"https?://\S+\?token=\S+", self.said)
        assert found, self.said
        return found.group(0)

    def children(self) -> list[int]:
        """The processes the server started (a UI per connection) that are still running."""
        found: list[int] = []
        for task in Path(f"/proc/{self.process.pid}/task").iterdir():
            found += [int(pid) for pid in (task / "children").read_text().split()]
        return found


@contextmanager
def serving(repo: Path, *args: str, actor: str | None = None) -> Iterator[Served]:
    """``wgtool [--as ACTOR] serve --port 0 ARGS`` on ``repo``, up and serving."""
    argv = [sys.executable, "-m", "wgtool", "--repo", str(repo)]
    argv += ["--as", actor] if actor else []
    process = subprocess.Popen(
        [*argv, "serve", "--port", "0", *args],
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
            if "Ctrl+C" in line or not line:  # its last line, once it listens
                break
        said = "".join(lines)
        assert "Ctrl+C" in lines[-1], said
        port = re.search(r"http://127\.0\.0\.1:(\d+)", said)
        assert port, said  # 127.0.0.1 by default
        served = Served(process, int(port.group(1)), said)
        # What the UIs write on stopping goes to the server's output: read it, or a full pipe
        # would stall the server.
        drain = threading.Thread(target=served.output.extend, args=(process.stdout,), daemon=True)
        drain.start()
        yield served
    finally:
        process.terminate()
        process.wait(timeout=60)
    assert process.returncode == 0, served.output  # a clean stop, open connections and all


def cli(repo: Path, *args: str, actor: str | None = None) -> subprocess.CompletedProcess[str]:
    """wgtool as a separate process (a server is running meanwhile)."""
    argv = [sys.executable, "-m", "wgtool", "--repo", str(repo)]
    argv += ["--as", actor] if actor else []
    return subprocess.run(
        [*argv, *args], capture_output=True, text=True, cwd=PROJECT, timeout=120, check=False
    )


def issue_link(repo: Path, handle: str, served: Served) -> str:
    """The secretariat issues ``handle``'s login link to the shared server."""
    result = cli(repo, "serve", "token", "issue", handle, "--url", served.origin, actor=SECRETARIAT)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def get(url: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], str]:
    """GET without following redirects: status, headers, body."""

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args: object, **kwargs: object) -> None:
            return None

    opener = urllib.request.build_opener(NoRedirect)
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with opener.open(request, timeout=60) as response:
            return response.status, dict(response.headers), response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read().decode()


def log_in(link: str, headers: dict[str, str] | None = None) -> tuple[str, str]:
    """Open ``link``: the session cookie it sets (``name=value``) and its attributes."""
    status, response_headers, _ = get(link, headers)
    assert status == 303, (status, response_headers)
    assert "token" not in response_headers["Location"]
    cookie = SimpleCookie(response_headers["Set-Cookie"])
    [(name, morsel)] = cookie.items()
    return f"{name}={morsel.value}", response_headers["Set-Cookie"]


async def handshake(url: str, headers: dict[str, str]) -> int:
    """The status a websocket handshake gets (101 when it opens; closed at once)."""
    async with aiohttp.ClientSession() as session:
        try:
            async with session.ws_connect(url, headers=headers):
                return 101
        except aiohttp.WSServerHandshakeError as error:
            return error.status


async def screen_until(url: str, headers: dict[str, str], wanted: str) -> str:
    """Open the websocket as the page does and read the UI's output until it shows ``wanted``."""
    seen = b""
    async with (
        aiohttp.ClientSession() as session,
        session.ws_connect(url, headers=headers) as websocket,
        asyncio.timeout(60),
    ):
        while True:
            message = await websocket.receive()
            if message.type is aiohttp.WSMsgType.BINARY:  # terminal output, as xterm.js gets it
                seen += message.data
                text = ANSI.sub(b"", seen).decode("utf-8", "replace")
                if wanted in text:
                    return text
            else:
                assert message.type is aiohttp.WSMsgType.TEXT, message  # meta: JSON


def event_authors(repo: Path, amendment: str, kind: str) -> list[tuple[str, str, str]]:
    """(member, author name, author email) of each ``kind`` event on ``amendment``, from the
    commit that wrote its file."""
    with WorkingGroup.open(repo) as wg:
        events = [e for e in wg.deliberation.events(amendment) if e.type == kind]
    found = []
    for event in events:
        log = git(repo, "log", "--all", "--format=%an%x00%ae", "--", event_path(event.id))
        name, email = log.splitlines()[-1].split("\0")
        found.append((event.member, name, email))
    return found


# -- one's own server ------------------------------------------------------------------------------


def test_a_page_without_the_token_is_refused_and_starts_nothing(example_repo: Path) -> None:
    with serving(example_repo, actor=MEMBER_TECH) as served:
        assert f"acting as {MEMBER_TECH}" in served.said
        for path in ("/", "/static/js/textual.js", "/?token=guessed", "/?token="):
            status, headers, body = get(served.origin + path)
            assert status == 403 and body.startswith(REFUSED), (path, status)
            assert "Set-Cookie" not in headers
        assert asyncio.run(handshake(f"ws://127.0.0.1:{served.port}/ws", {})) == 403
        assert served.children() == []


def test_the_token_opens_a_session_and_leaves_the_address_bar(example_repo: Path) -> None:
    with serving(example_repo, actor=MEMBER_TECH) as served:
        status, headers, _ = get(served.link + "&fontsize=20")
        assert status == 303 and headers["Location"] == "/?fontsize=20"
        cookie, attributes = log_in(served.link)
        assert cookie.startswith(f"wgtool-session-{served.port}=")
        assert "HttpOnly" in attributes and "SameSite=Lax" in attributes
        assert "Path=/" in attributes and "Secure" not in attributes  # plain http here
        assert served.link.split("token=")[1] not in cookie  # a session id, not the token
        status, headers, page = get(served.origin + "/", {"Cookie": cookie})
        assert status == 200
        assert f'data-session-websocket-url="ws://127.0.0.1:{served.port}/ws"' in page
        assert headers["X-Frame-Options"] == "DENY" and headers["Referrer-Policy"] == "no-referrer"
        status, _, script = get(served.origin + "/static/js/textual.js", {"Cookie": cookie})
        assert status == 200 and script
        # Reached at localhost, the page opens its websocket there too, where its cookie goes.
        local = f"localhost:{served.port}"
        cookie, _ = log_in(served.link.replace(f"127.0.0.1:{served.port}", local))
        status, _, page = get(f"http://{local}/", {"Cookie": cookie})
        assert status == 200 and f'data-session-websocket-url="ws://{local}/ws"' in page


def test_a_foreign_host_is_refused_as_dns_rebinding_sends_it(example_repo: Path) -> None:
    """A page of rebound.test, its name now resolving to 127.0.0.1, reaches the server with its
    own name in Host: refused, token or not."""
    with serving(example_repo, actor=MEMBER_TECH) as served:
        cookie, _ = log_in(served.link)
        for headers in (
            {"Host": f"rebound.test:{served.port}"},
            {"Host": f"rebound.test:{served.port}", "Cookie": cookie},
            {"Host": f"127.0.0.1.rebound.test:{served.port}", "Cookie": cookie},
            {"Host": "127.0.0.1", "Cookie": cookie},  # the right name, another port
        ):
            status, response_headers, body = get(served.link, headers)
            assert status == 403 and "does not answer to that address" in body
            assert "Set-Cookie" not in response_headers
            status, _, _ = get(served.origin + "/", headers)
            assert status == 403
        url = f"ws://127.0.0.1:{served.port}/ws"
        assert asyncio.run(handshake(url, {"Host": "rebound.test", "Cookie": cookie})) == 403
        assert served.children() == []


def test_the_websocket_refuses_another_origin_and_acts_as_its_member(example_repo: Path) -> None:
    with serving(example_repo, actor=MEMBER_TECH) as served:
        cookie, _ = log_in(served.link)
        url = f"ws://127.0.0.1:{served.port}/ws?width=100&height=30"
        # Another page in the same browser sends the cookie (same site) but its own origin.
        for origin in (
            f"http://127.0.0.1:{served.port + 1}",
            f"http://localhost:{served.port}",  # the server's too, but not this address's
            f"https://127.0.0.1:{served.port}",
            "null",
        ):
            headers = {"Cookie": cookie, "Origin": origin}
            assert asyncio.run(handshake(url, headers)) == 403, origin
        assert served.children() == []
        headers = {"Cookie": cookie, "Origin": served.origin}
        screen = asyncio.run(screen_until(url, headers, f"as {MEMBER_TECH} (member)"))
        assert "choose a member" not in screen  # no picker: the member is who started it


def test_the_member_is_whom_wgtool_acts_as_else_one_line(example_repo: Path) -> None:
    """--as, WGTOOL_MEMBER or git's user.email, as any command; nobody: one line, exit 1."""
    nobody = cli(example_repo, "serve", "--port", "0")
    assert nobody.returncode == 1 and nobody.stdout == ""
    assert nobody.stderr.splitlines() == [
        "wgtool: who is acting? give --as HANDLE or set WGTOOL_MEMBER "
        "(or set git's user.email to a roster member's email)"
    ]
    unknown = cli(example_repo, "serve", "--port", "0", actor="nobody")
    assert unknown.returncode == 1 and unknown.stdout == ""
    assert unknown.stderr.startswith("wgtool: no member 'nobody' in the roster")
    git(example_repo, "config", "user.email", "NOMVULA.dlamini@example.net")
    with serving(example_repo) as served:
        assert f"acting as {MEMBER_CS}." in served.said


def test_a_busy_port_is_one_line(example_repo: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = cli(example_repo, "serve", "--port", str(port), actor=MEMBER_TECH)
    assert result.returncode == 1 and result.stdout == ""  # no banner
    assert result.stderr.splitlines() == [
        f"wgtool: port {port} on 127.0.0.1 is in use: choose another with --port"
    ]


@pytest.mark.parametrize(
    ("args", "line"),
    [
        (
            ["--host", "0.0.0.0"],
            "wgtool: listening on every address (0.0.0.0) needs --public-url, the address "
            "browsers use, so that each request's Host and Origin can be checked",
        ),
        (
            ["--public-url", "https://wg.example.org/wg"],
            "wgtool: --public-url must be an http(s) address with no path, like "
            "https://wg.example.org (got 'https://wg.example.org/wg')",
        ),
        (
            ["--session-lifetime", "forever"],
            "wgtool: not a duration: 'forever' (say 90s, 30m, 12h or 7d)",
        ),
    ],
)
def test_bad_serve_options_are_one_line(example_repo: Path, args: list[str], line: str) -> None:
    result = cli(example_repo, "serve", "--port", "0", *args, actor=MEMBER_TECH)
    assert (result.returncode, result.stdout, result.stderr.splitlines()) == (2, "", [line])


def test_behind_a_reverse_proxy_its_public_address_is_the_servers_own(example_repo: Path) -> None:
    """A proxy for https://wg.example.org passes the browser's Host and Origin on: they are
    accepted, the cookie is Secure and the page connects with wss; plain http is not that
    origin."""
    public = "https://wg.example.org"
    with serving(example_repo, "--public-url", public, actor=MEMBER_TECH) as served:
        assert f"{public}/?token=" in served.said  # the address to open is the public one
        link = served.link.replace(public, served.origin)  # where the proxy sends it
        forwarded = {"Host": "wg.example.org"}
        cookie, attributes = log_in(link, forwarded)
        assert "Secure" in attributes
        status, _, page = get(served.origin + "/", {**forwarded, "Cookie": cookie})
        assert status == 200
        assert 'data-session-websocket-url="wss://wg.example.org/ws"' in page
        url = f"ws://127.0.0.1:{served.port}/ws"
        for origin in ("http://wg.example.org", "https://wg.example.org:8443", "https://evil.org"):
            headers = {**forwarded, "Cookie": cookie, "Origin": origin}
            assert asyncio.run(handshake(url, headers)) == 403, origin
        headers = {**forwarded, "Cookie": cookie, "Origin": public}
        asyncio.run(screen_until(url, headers, f"as {MEMBER_TECH} (member)"))


# -- the group's shared server ---------------------------------------------------------------------


def test_the_secretariat_issues_and_revokes_login_links(example_repo: Path) -> None:
    wg = Wg(example_repo)
    refs = git(example_repo, "for-each-ref")
    refused = wg("serve", "token", "issue", MEMBER_TECH, actor=MEMBER_CS)
    assert refused.exit_code == 4 and refused.stdout == ""
    assert refused.stderr == (
        "wgtool: issuing a login link needs the secretariat role; ndlamini is member\n"
    )
    assert not (example_repo / ".git" / "wgtool" / LOGINS_FILE).exists()
    unknown = wg("serve", "token", "issue", "nobody", actor=SECRETARIAT)
    assert unknown.exit_code == 1 and unknown.stderr.startswith("wgtool: no member 'nobody'")

    issued = wg("serve", "token", "issue", MEMBER_TECH, actor=SECRETARIAT)
    assert issued.exit_code == 0
    [link] = issued.stdout.splitlines()
    assert link.startswith("http://127.0.0.1:8000/?token=")
    assert f"acts as {MEMBER_TECH} until it is revoked" in issued.stderr
    token = link.split("token=")[1]
    kept = example_repo / ".git" / "wgtool" / LOGINS_FILE
    assert token not in kept.read_text() and digest(token) in kept.read_text()
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600
    assert git(example_repo, "for-each-ref") == refs  # outside the record
    links = LoginLinks(GitStore.open(example_repo))
    holder = links.holder(token)
    assert holder is not None and holder.handle == MEMBER_TECH
    again = wg.ok(
        "serve", "token", "issue", MEMBER_TECH, "--url", "https://wg.example.org", actor=SECRETARIAT
    )
    assert again.startswith("https://wg.example.org/?token=")
    assert links.holder(token) is None  # issued again: the old link is void

    assert wg("serve", "token", "revoke", MEMBER_TECH, actor=MEMBER_CS).exit_code == 4
    assert "Revoked mchen's login link" in wg.ok(
        "serve", "token", "revoke", MEMBER_TECH, actor=SECRETARIAT
    )
    assert links.holder(again.strip().split("token=")[1]) is None
    gone = wg("serve", "token", "revoke", MEMBER_TECH, actor=SECRETARIAT)
    assert (gone.exit_code, gone.stderr) == (1, "wgtool: mchen has no login link to revoke\n")
    bad_url = wg("serve", "token", "issue", MEMBER_TECH, "--url", "ftp://x", actor=SECRETARIAT)
    assert bad_url.exit_code == 2 and bad_url.stderr.startswith("wgtool: --url must be")


def test_a_damaged_login_file_lets_nobody_in_and_issuing_heals_it(example_repo: Path) -> None:
    notes: list[str] = []
    store = GitStore.open(example_repo)
    links = LoginLinks(store, notes.append)
    token = links.issue(MEMBER_TECH)
    links.path.write_text('{"format": 1, "logins": {"mchen": {"sha256": 3}}}')
    assert links.holder(token) is None
    links.path.write_text("not json")
    assert links.holder(token) is None and "no login link works until reissued" in notes[-1]
    token = links.issue(MEMBER_TECH)
    assert links.holder(token) is not None
    links.path.unlink()
    links.path.mkdir()
    assert links.holder(token) is None
    result = Wg(example_repo)("serve", "token", "issue", MEMBER_TECH, actor=SECRETARIAT)
    assert result.exit_code == 1 and len(result.stderr.splitlines()) >= 1
    assert result.stderr.splitlines()[-1].startswith(f"wgtool: cannot write {links.path}")


def test_on_the_shared_server_each_link_acts_as_its_own_member(example_repo: Path) -> None:
    with serving(example_repo, "--shared") as served:
        assert "opens their own login link" in served.said and "token=" not in served.said
        tech = issue_link(example_repo, MEMBER_TECH, served)
        civil = issue_link(example_repo, MEMBER_CS, served)
        url = f"ws://127.0.0.1:{served.port}/ws"
        own = {"Origin": served.origin}
        cookie, _ = log_in(tech)
        asyncio.run(screen_until(url, {**own, "Cookie": cookie}, f"as {MEMBER_TECH} (member)"))
        # Nothing but the link says who: a second member's link never acts as the first.
        cookie, _ = log_in(civil + f"&as={MEMBER_TECH}&member={MEMBER_TECH}")
        asyncio.run(
            screen_until(url + f"?as={MEMBER_TECH}", {**own, "Cookie": cookie}, f"as {MEMBER_CS}")
        )
        # What the login file keeps is no key: a token's digest opens nothing.
        assert get(served.origin + "/?token=" + digest(tech.split("token=")[1]))[0] == 403


def test_a_revoked_or_expired_session_is_refused(example_repo: Path) -> None:
    with serving(example_repo, "--shared", "--session-lifetime", "2s") as served:
        link = issue_link(example_repo, MEMBER_TECH, served)
        cookie, _ = log_in(link)
        revoked = cli(example_repo, "serve", "token", "revoke", MEMBER_TECH, actor=SECRETARIAT)
        assert revoked.returncode == 0
        assert get(served.origin + "/", {"Cookie": cookie})[0] == 403
        assert get(link)[0] == 403
        link = issue_link(example_repo, MEMBER_TECH, served)
        cookie, _ = log_in(link)
        opened = time.time()  # the session opened before this, so it ends by opened + 2 s
        # Waiting out the lifetime is what is under test: the session must end by itself.
        time.sleep(max(0.0, opened + 2.0 - time.time()) + 0.1)
        assert get(served.origin + "/", {"Cookie": cookie})[0] == 403
        url = f"ws://127.0.0.1:{served.port}/ws"
        headers = {"Cookie": cookie, "Origin": served.origin}
        assert asyncio.run(handshake(url, headers)) == 403
        assert get(link)[0] == 303  # the link itself still opens a new session
        assert served.children() == []


# -- the rules, without a server -------------------------------------------------------------------


def test_sessions_end_after_their_lifetime() -> None:
    now = [1000.0]
    sessions = Sessions(lifetime=60, clock=lambda: now[0])
    first = sessions.open(MEMBER_TECH, None)
    assert sessions.get(first.id) == first and sessions.get("forged") is None
    now[0] += 59.9
    assert sessions.get(first.id) == first
    second = sessions.open(MEMBER_CS, "d")
    now[0] += 0.1
    assert sessions.get(first.id) is None and sessions.get(second.id) == second
    sessions.end(second)
    assert sessions.get(second.id) is None and sessions.get(None) is None
    assert [duration(d) for d in ("90s", "30m", "12h", "7d", "0.5h")] == [
        90,
        1800,
        43200,
        604800,
        1800,
    ]
    for bad in ("0s", "12", "-1h", "1w", ""):
        with pytest.raises(InvalidInput):
            duration(bad)


def test_the_servers_own_addresses() -> None:
    assert [a.origin for a in Access("127.0.0.1", 8000).addresses] == [
        "http://127.0.0.1:8000",
        "http://localhost:8000",
        "http://[::1]:8000",
    ]
    assert [a.origin for a in Access("::1", 80).addresses] == [
        "http://[::1]",
        "http://127.0.0.1",
        "http://localhost",
    ]
    assert [a.origin for a in Access("192.0.2.7", 8000).addresses] == ["http://192.0.2.7:8000"]
    behind = Access("0.0.0.0", 8000, "https://WG.example.org:443/")
    assert [a.origin for a in behind.addresses] == ["https://wg.example.org"]
    assert behind.address("wg.example.org:443") is None  # a browser leaves the default out
    assert public_address("http://wg.example.org:8080").authority == "wg.example.org:8080"
    for bad in ("wg.example.org", "https://u:p@wg.example.org", "https://x/?a=1", "http://:80"):
        with pytest.raises(InvalidInput):
            public_address(bad)


@given(
    host=st.one_of(
        st.sampled_from(["127.0.0.1", "LocalHost", "[::1]", "wg.example.org", "evil.test"]),
        st.text(max_size=20),
    ),
    port=st.sampled_from([None, 80, 443, 8000, 8001]),
    origin_scheme=st.sampled_from(["http", "https", "ws"]),
)
def test_host_and_origin_match_a_plain_reference(
    host: str, port: int | None, origin_scheme: str
) -> None:
    """Against the plain rule: Host is one of the listed names with the server's port (or the
    public name), compared without case; Origin is that same address."""
    access = Access("127.0.0.1", 8000, "https://wg.example.org")
    header = host if port is None else f"{host}:{port}"
    allowed = {"127.0.0.1:8000", "localhost:8000", "[::1]:8000", "wg.example.org"}
    sent = header.strip().lower()
    address = access.address(header)
    assert (address is not None) == (sent in allowed)
    if address is not None:
        scheme = "https" if sent.startswith("wg.") else "http"
        origin = f"{origin_scheme}://{sent}"
        assert access.same_origin(address, origin) == (origin_scheme == scheme)
        assert access.same_origin(address, None)


def test_the_serve_path_alone_loads_the_web_libraries(example_repo: Path) -> None:
    """Other commands, and issuing a link, start without aiohttp or textual-serve."""
    script = f"""
import sys, wgtool.cli
for argv in (["--help"], ["serve", "--help"], ["serve", "token", "issue", "mchen"]):
    try:
        wgtool.cli.cli.main(["--repo", {str(example_repo)!r}, "--as", "epetrova", *argv])
    except SystemExit as exit:
        assert exit.code in (0, None), (argv, exit.code)
print(sorted({{m.split(".")[0] for m in sys.modules}} & {{"aiohttp", "textual_serve"}}))
"""
    result = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        cwd=PROJECT,
        timeout=60,
        env={**os.environ},
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "[]"


@asynccontextmanager
async def serving_here(
    repo: Path, gate: Gate, **knobs: float
) -> AsyncIterator[tuple[WgServer, str]]:
    """The server itself, in this process and its loop (``knobs``: its intervals, made
    frequent): the server and its origin, served until the block ends."""
    server = WgServer(
        str(repo),
        host="127.0.0.1",
        port=0,
        access=Access("127.0.0.1", 0),
        gate=gate,
        sessions=Sessions(3600),
        **knobs,
    )
    listening: asyncio.Future[str] = asyncio.get_running_loop().create_future()
    stop = asyncio.Event()
    serving = asyncio.create_task(server.serve_until(stop, lambda _, at: listening.set_result(at)))
    try:
        yield server, await asyncio.wait_for(listening, 60)
    finally:
        stop.set()
        await serving
    assert server.sockets == set()


@asynccontextmanager
async def page_socket(
    origin: str, token: str, autoping: bool = True
) -> AsyncIterator[aiohttp.ClientWebSocketResponse]:
    """A page's websocket, its session opened with ``token`` as a browser opens it."""
    # The cookie jar keeps the session's cookie as a browser does (for an IP address too).
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as session:
        async with session.get(f"{origin}/?token={token}", allow_redirects=False) as answer:
            assert answer.status == 303
        async with session.ws_connect(
            f"{origin.replace('http', 'ws')}/ws", headers={"Origin": origin}, autoping=autoping
        ) as websocket:
            yield websocket


@pytest.mark.asyncio
async def test_an_idle_page_is_closed_once_its_link_is_revoked(example_repo: Path) -> None:
    """A page that sends nothing is closed once its member's link is revoked (the server's look
    at open sessions made frequent)."""
    links = LoginLinks(GitStore.open(example_repo))
    token = links.issue(MEMBER_TECH)
    async with (
        serving_here(example_repo, SharedGate(links), check_every=0.2) as (server, origin),
        page_socket(origin, token) as ws,
    ):
        seen = b""
        async with asyncio.timeout(60):
            while f"as {MEMBER_TECH}" not in ANSI.sub(b"", seen).decode("utf-8", "replace"):
                message = await ws.receive()
                if message.type is aiohttp.WSMsgType.BINARY:
                    seen += message.data
            assert len(server.sockets) == 1
            links.revoke(MEMBER_TECH)
            while (await ws.receive()).type is not aiohttp.WSMsgType.CLOSE:
                pass  # the UI's last frames
        assert ws.close_code == aiohttp.WSCloseCode.POLICY_VIOLATION


@pytest.mark.asyncio
async def test_the_server_pings_a_quiet_page(example_repo: Path) -> None:
    """The server pings each websocket (every 15 s; here made frequent), so a page that sends
    nothing still has traffic for a reverse proxy's idle timeout."""
    gate = OwnGate(MEMBER_TECH)
    async with (
        serving_here(example_repo, gate, heartbeat=0.5) as (_, origin),
        page_socket(origin, gate.token, autoping=False) as ws,
        asyncio.timeout(60),
    ):
        kinds: list[
            aiohttp.WSMsgType
        ] = []  # what arrives, until the first ping (the page sends nothing meanwhile)
        while not kinds or kinds[-1] is not aiohttp.WSMsgType.PING:
            kinds.append((await ws.receive()).type)
        assert set(kinds) <= {
            aiohttp.WSMsgType.BINARY,
            aiohttp.WSMsgType.TEXT,
            aiohttp.WSMsgType.PING,
        }
        await ws.pong()
    assert HEARTBEAT_SECONDS == 15
