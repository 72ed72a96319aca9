"""``wgtool serve``: textual-serve's server, with every request checked (see :mod:`.access`).

textual-serve answers a page and a websocket; for each websocket it starts the app's command in a
new process and relays keys and screen between them. Here the command is the terminal UI acting
as the connection's member (``wgtool --as HANDLE tui``), so one server can serve several members,
each connection in its own process under its own name: what a member does is written by that
process, as that member, exactly as if they had run wgtool in their own terminal.

Every request passes :meth:`WgServer.guard` first: a ``Host`` that is not the server's, a foreign
``Origin``, or no valid session (nor token to open one) gets 403 and starts nothing.
"""

from __future__ import annotations

import asyncio
import errno
import shlex
import signal
import sys
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp_jinja2
import jinja2
from aiohttp import WSCloseCode, WSMsgType, web
from textual_serve.app_service import AppService
from textual_serve.server import Server, to_int

from wgtool.api import StateError
from wgtool.web.access import Access, Address, Gate, Session, Sessions, authority

SESSION_CHECK_SECONDS = 30.0
"""How often an open connection checks that its session still holds (expired, revoked): it also
checks before each key it relays, so no action ever passes an ended session."""

HEARTBEAT_SECONDS = 15.0
"""How often the server pings each websocket: a quiet page still crosses a reverse proxy's idle
timeout (nginx's is 60 s) with traffic, and a browser gone without a word is noticed."""

SHUTDOWN_SECONDS = 30.0
"""How long a stopping server waits for its UIs to quit (each saves nothing: the record is
already written; a busy machine may take some seconds to end them all)."""

SECURITY_HEADERS = {
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",  # no other page may frame the UI and steer its keys
    "Content-Security-Policy": "frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "no-store",
}

REFUSED_ADDRESS = "wgtool: this server does not answer to that address"
REFUSED_ORIGIN = "wgtool: a page of another site may not use this server"
REFUSED_SESSION = (
    "wgtool: open the link 'wgtool serve' printed (or your login link from the secretariat); "
    "a link that was revoked, replaced or expired no longer opens a session"
)

ADDRESS = web.RequestKey("address", Address)
"""The server's address a guarded request was sent to."""
SESSION = web.RequestKey("session", Session)
"""The session a guarded request belongs to."""

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def refuse(text: str) -> web.Response:
    return web.Response(status=403, text=text + "\n", content_type="text/plain")


class UiService(AppService):
    """textual-serve's link to one UI process, which on stopping also waits for the process to
    end (textual-serve stops reading it, but never reaps it)."""

    async def stop(self) -> None:
        await super().stop()
        process = self._process  # textual-serve's own, as it started it
        if process is not None:
            await process.wait()


class WgServer(Server):
    """textual-serve's server for one working group, its requests guarded and each websocket's
    UI acting as the member of its session."""

    def __init__(
        self,
        repo: str,
        *,
        host: str,
        port: int,
        access: Access,
        gate: Gate,
        sessions: Sessions,
        check_every: float = SESSION_CHECK_SECONDS,
        heartbeat: float = HEARTBEAT_SECONDS,
        ui: tuple[str, ...] = ("tui",),
    ) -> None:
        super().__init__("wgtool", host=host, port=port, title="wgtool")
        self.repo = repo
        self.ui = ui
        """The wgtool command each connection runs: the terminal UI, or a meeting room's
        read-only screen (``("present", SLUG)``), which has no way to write."""
        self.access = access
        self.gate = gate
        self.sessions = sessions
        self.check_every = check_every
        self.heartbeat = heartbeat
        self.sockets: set[web.WebSocketResponse] = set()

    @property
    def cookie(self) -> str:
        """The session cookie's name: cookies ignore ports, so one name per server."""
        return f"wgtool-session-{self.port}"

    def command_for(self, handle: str) -> str:
        """The UI acting as ``handle`` (textual-serve runs it through the shell: all quoted)."""
        return shlex.join(
            [sys.executable, "-m", "wgtool", "--repo", self.repo, "--as", handle, *self.ui]
        )

    # -- the application -------------------------------------------------------------------------

    def make_app(self) -> web.Application:
        @web.middleware
        async def guard(request: web.Request, handler: Handler) -> web.StreamResponse:
            return await self.guard(request, handler)

        app = web.Application(middlewares=[guard])
        aiohttp_jinja2.setup(app, loader=jinja2.FileSystemLoader(self.templates_path))
        app.add_routes(
            [
                web.get("/", self.handle_index, name="index"),
                web.get("/ws", self.handle_websocket, name="websocket"),
                web.static("/static", self.statics_path, name="static"),
            ]
        )
        app.on_response_prepare.append(self.add_security_headers)
        app.on_shutdown.append(self.close_sockets)
        return app

    async def add_security_headers(
        self, request: web.Request, response: web.StreamResponse
    ) -> None:
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)

    async def guard(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        """Let a request through only to the server's own address, from its own pages, with a
        session; a token in the query opens a session and sends the browser on without it."""
        address = self.access.address(request.headers.get("Host"))
        if address is None:
            return refuse(REFUSED_ADDRESS)
        if not self.access.same_origin(address, request.headers.get("Origin")):
            return refuse(REFUSED_ORIGIN)
        token = request.query.get("token")
        if token is not None:
            return self.log_in(request, address, token)
        session = self.sessions.get(request.cookies.get(self.cookie))
        if session is None or not self.gate.holds(session):
            return refuse(REFUSED_SESSION)
        request[ADDRESS] = address
        request[SESSION] = session
        return await handler(request)

    def log_in(self, request: web.Request, address: Address, token: str) -> web.Response:
        """Open a session for a valid token, and send the browser to the same page without the
        token (out of the address bar and the history); refuse any other token."""
        login = self.gate.login(token)
        if login is None:
            return refuse(REFUSED_SESSION)
        session = self.sessions.open(*login)
        query = [(name, value) for name, value in request.query.items() if name != "token"]
        location = request.rel_url.with_query(query)
        response = web.Response(status=303, headers={"Location": str(location)})
        response.set_cookie(
            self.cookie,
            session.id,
            path="/",
            httponly=True,
            samesite="Lax",
            secure=address.scheme == "https",
        )
        return response

    def holds(self, session: Session) -> bool:
        """Whether ``session`` still stands: not expired, its login neither revoked nor
        replaced."""
        if self.sessions.get(session.id) is None:
            return False
        if not self.gate.holds(session):
            self.sessions.end(session)
            return False
        return True

    # -- the page and the websocket --------------------------------------------------------------

    async def handle_index(self, request: web.Request) -> web.Response:
        """textual-serve's page, its URLs on the address the browser used (a page opened on
        ``localhost`` opens its websocket there too, where its cookie goes)."""
        address = request[ADDRESS]
        context = {
            "font_size": to_int(request.query.get("fontsize", "16"), 16),
            "app_websocket_url": f"{address.websocket_origin}/ws",
            "config": {"static": {"url": f"{address.origin}/static/"}},
            "application": {"name": self.title},
        }
        return aiohttp_jinja2.render_template("app_index.html", request, context)

    async def handle_websocket(self, request: web.Request) -> web.WebSocketResponse:
        """The websocket of one browser page: a new UI process acting as its session's member,
        for as long as the page is open and the session holds."""
        session = request[SESSION]
        websocket = web.WebSocketResponse(heartbeat=self.heartbeat)
        width = to_int(request.query.get("width", "80"), 80)
        height = to_int(request.query.get("height", "24"), 24)
        await websocket.prepare(request)
        self.sockets.add(websocket)

        async def close() -> None:  # the UI ended: so does the page's connection
            await websocket.close()

        service = UiService(
            self.command_for(session.handle),
            write_bytes=websocket.send_bytes,
            write_str=websocket.send_str,
            close=close,
            download_manager=self.download_manager,
        )
        watch = asyncio.create_task(self.watch(session, websocket))
        try:
            await service.start(width, height)
            await self.relay(websocket, service, session)
        finally:
            watch.cancel()
            self.sockets.discard(websocket)
            await service.stop()  # the UI quits and ends (on stopping, within SHUTDOWN_SECONDS)
        return websocket

    async def relay(
        self, websocket: web.WebSocketResponse, service: AppService, session: Session
    ) -> None:
        """The page's messages to the UI process (keys, size, focus), each only while the
        session holds; malformed messages are dropped."""
        async for message in websocket:
            if not self.holds(session):
                await self.end(websocket)
                return
            if message.type is not WSMsgType.TEXT:
                continue
            try:
                envelope = message.json()
            except ValueError:
                continue
            if not isinstance(envelope, list) or not envelope:
                continue
            kind, data = envelope[0], envelope[1] if len(envelope) > 1 else None
            if kind == "stdin" and isinstance(data, str):
                await service.send_bytes(data.encode("utf-8"))
            elif kind == "resize" and isinstance(data, dict):
                width, height = data.get("width"), data.get("height")
                if isinstance(width, int) and isinstance(height, int):
                    await service.set_terminal_size(width, height)
            elif kind == "ping":
                await websocket.send_json(["pong", data])
            elif kind == "blur":
                await service.blur()
            elif kind == "focus":
                await service.focus()

    async def watch(self, session: Session, websocket: web.WebSocketResponse) -> None:
        """End the connection once its session no longer holds, even if the page sends
        nothing."""
        while not websocket.closed:
            await asyncio.sleep(self.check_every)
            if not self.holds(session):
                await self.end(websocket)

    async def end(self, websocket: web.WebSocketResponse) -> None:
        await websocket.close(code=WSCloseCode.POLICY_VIOLATION, message=b"session ended")

    async def close_sockets(self, app: web.Application) -> None:
        """On stopping: close every connection, which ends its UI process."""
        for websocket in list(self.sockets):
            await websocket.close(code=WSCloseCode.GOING_AWAY, message=b"server stopped")

    # -- running ---------------------------------------------------------------------------------

    def run(self, announce: Callable[[Address, str], Any]) -> None:
        """Serve (see :meth:`serve`) until SIGINT or SIGTERM."""

        async def until_signalled() -> None:
            stop = asyncio.Event()
            loop = asyncio.get_running_loop()
            for signum in (signal.SIGINT, signal.SIGTERM):
                loop.add_signal_handler(signum, stop.set)
            await self.serve_until(stop, announce)

        asyncio.run(until_signalled())

    async def serve_until(
        self, stop: asyncio.Event, announce: Callable[[Address, str], Any]
    ) -> None:
        """Listen, call ``announce`` with the address to give members and the one listened on
        (``http://host:port``: the port asked for, or any free one for port 0), and serve until
        ``stop`` is set. A port in use (or an address that is not this machine's) is a
        StateError, before anything is announced."""
        runner = web.AppRunner(
            self.make_app(),
            handle_signals=False,
            access_log=None,  # a request line would carry a token into the log
            shutdown_timeout=SHUTDOWN_SECONDS,
        )
        await runner.setup()
        try:
            await web.TCPSite(runner, self.host, self.port).start()
        except OSError as error:
            await runner.cleanup()
            where = f"{self.host}:{self.port}"
            if error.errno == errno.EADDRINUSE:
                raise StateError(
                    f"port {self.port} on {self.host} is in use: choose another with --port"
                ) from None
            raise StateError(f"cannot listen on {where}: {error.strerror or error}") from None
        if self.port == 0:
            self.port = int(runner.addresses[0][1])
            self.access = self.access.on_port(self.port)
        try:
            announce(self.access.main, f"http://{authority(self.host, self.port)}")
            await stop.wait()
        finally:
            await runner.cleanup()
