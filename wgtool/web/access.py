"""Who may reach the served UI, and as whom: addresses, tokens and sessions (no web library).

A request is answered only when its ``Host`` is one of the server's own addresses (which defeats
DNS rebinding: a foreign name that resolves to 127.0.0.1 still arrives with that name) and, when
it has an ``Origin``, that origin is the same address (which defeats cross-site websocket
hijacking: another page in the member's browser opens the websocket with its own origin).

A browser proves who it is with a token once (the link ``wgtool serve`` printed, or a login link
the secretariat issued for the shared server), and gets a session for it: a random id in a cookie,
kept by the server with its member and its expiry. A :class:`Gate` says which member a token
stands for, and whether a session it opened still holds (a shared server's link may have been
revoked or replaced since).
"""

from __future__ import annotations

import hmac
import ipaddress
import re
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol
from urllib.parse import urlsplit

from wgtool.api import InvalidInput

if TYPE_CHECKING:
    from wgtool.api import LoginLinks

WILDCARD_HOSTS = frozenset({"0.0.0.0", "::", ""})
"""Listening addresses that stand for every interface: no Host can be derived from them."""

LOOPBACK_NAMES = ("127.0.0.1", "localhost", "[::1]")
"""The names a browser on this machine reaches a loopback server by."""

SESSION_ID_BYTES = 32


@dataclass(frozen=True)
class Address:
    """One address browsers reach the server at: ``scheme://authority``."""

    scheme: str
    authority: str
    """``host[:port]`` as a browser sends it in ``Host`` (the port left out when default)."""

    @property
    def origin(self) -> str:
        return f"{self.scheme}://{self.authority}"

    @property
    def websocket_origin(self) -> str:
        return f"{'wss' if self.scheme == 'https' else 'ws'}://{self.authority}"


def authority(host: str, port: int, scheme: str = "http") -> str:
    """``host:port`` as ``Host`` has it: IPv6 in brackets, the scheme's default port left out."""
    host = host.lower()
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"
    default = 443 if scheme == "https" else 80
    return host if port == default else f"{host}:{port}"


def public_address(url: str, option: str = "--public-url") -> Address:
    """The address of a public URL (``https://wg.example.org``), or InvalidInput naming the
    ``option`` it came from."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        parts, port = None, None
    if (
        parts is None
        or parts.scheme not in ("http", "https")
        or not parts.hostname
        or parts.path not in ("", "/")
        or parts.query
        or parts.fragment
        or parts.username is not None
    ):
        raise InvalidInput(
            f"{option} must be an http(s) address with no path, like https://wg.example.org "
            f"(got {url!r})"
        )
    default = 443 if parts.scheme == "https" else 80
    return Address(parts.scheme, authority(parts.hostname, port or default, parts.scheme))


def local_addresses(host: str, port: int) -> list[Address]:
    """The addresses browsers reach a server listening on ``host``:``port`` at, directly."""
    if host in WILDCARD_HOSTS:
        return []
    try:
        loopback = ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = host.lower() == "localhost"
    names = [host, *LOOPBACK_NAMES] if loopback else [host]
    found: list[Address] = []
    for name in names:
        address = Address("http", authority(name.strip("[]"), port))
        if address not in found:
            found.append(address)
    return found


class Access:
    """The server's own addresses: what ``Host`` and ``Origin`` must be."""

    def __init__(self, host: str, port: int, public_url: str | None = None) -> None:
        self.host, self.port, self.public_url = host, port, public_url
        self.public = public_address(public_url) if public_url else None
        self.addresses = local_addresses(host, port)
        if self.public is not None and self.public not in self.addresses:
            self.addresses.insert(0, self.public)
        if not self.addresses:
            raise InvalidInput(
                f"listening on every address ({host or '*'}) needs --public-url, the address "
                "browsers use, so that each request's Host and Origin can be checked"
            )
        # Names are case-insensitive; a port is digits.
        self._by_authority = {address.authority: address for address in self.addresses}

    def on_port(self, port: int) -> Access:
        """The same server's addresses once it listens on ``port`` (it asked for any: 0)."""
        return Access(self.host, port, self.public_url)

    @property
    def main(self) -> Address:
        """The address to give members: the public one, else the first local one."""
        return self.addresses[0]

    def address(self, host: str | None) -> Address | None:
        """The server's address a request with this ``Host`` header was sent to, or None."""
        if host is None:
            return None
        return self._by_authority.get(host.strip().lower())

    def same_origin(self, address: Address, origin: str | None) -> bool:
        """Whether a request sent to ``address`` comes from a page of that address (a request
        without ``Origin`` is not a browser's cross-site one: it passes)."""
        return origin is None or origin.strip().lower() == address.origin


# -- sessions --------------------------------------------------------------------------------------

DURATION = re.compile(r"^(\d+(?:\.\d+)?)([smhd])$")
UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def duration(text: str) -> float:
    """Seconds in ``90s``, ``30m``, ``12h`` or ``7d``, or InvalidInput."""
    match = DURATION.match(text.strip())
    seconds = float(match.group(1)) * UNITS[match.group(2)] if match else 0.0
    if seconds <= 0:
        raise InvalidInput(f"not a duration: {text!r} (say 90s, 30m, 12h or 7d)")
    return seconds


@dataclass(frozen=True)
class Session:
    """A browser's session: the member it acts as, until when, and the login it came from."""

    id: str
    handle: str
    expires: float
    login: str | None
    """The digest of the shared server's login link that opened it (None on one's own)."""


class Sessions:
    """The open sessions, by id, each ending ``lifetime`` seconds after it was opened."""

    def __init__(self, lifetime: float, clock: Callable[[], float] = time.time) -> None:
        self.lifetime = lifetime
        self.clock = clock
        self._open: dict[str, Session] = {}

    def open(self, handle: str, login: str | None) -> Session:
        now = self.clock()
        # The ended ones go when a new one comes: the table stays as small as the live ones.
        for ended in [s.id for s in self._open.values() if s.expires <= now]:
            del self._open[ended]
        session_id = secrets.token_urlsafe(SESSION_ID_BYTES)
        session = Session(session_id, handle, now + self.lifetime, login)
        self._open[session.id] = session
        return session

    def get(self, session_id: str | None) -> Session | None:
        """The live session with this id, or None (unknown, or expired: then it is dropped)."""
        session = self._open.get(session_id) if session_id else None
        if session is not None and session.expires <= self.clock():
            del self._open[session.id]
            return None
        return session

    def end(self, session: Session) -> None:
        self._open.pop(session.id, None)


# -- who a token stands for ------------------------------------------------------------------------


class Gate(Protocol):
    """Which member a token stands for, and whether a session opened with one still holds."""

    def login(self, token: str) -> tuple[str, str | None] | None:
        """The member (handle) and login digest a token stands for, or None."""

    def holds(self, session: Session) -> bool:
        """Whether the login that opened ``session`` still stands."""


class OwnGate:
    """``wgtool serve``: one secret token for this launch, standing for the member who started
    it."""

    def __init__(self, handle: str, token: str | None = None) -> None:
        self.handle = handle
        self.token = token or secrets.token_urlsafe(SESSION_ID_BYTES)

    def login(self, token: str) -> tuple[str, str | None] | None:
        same = hmac.compare_digest(token.encode("utf-8"), self.token.encode("utf-8"))
        return (self.handle, None) if same else None

    def holds(self, session: Session) -> bool:
        return session.handle == self.handle


class SharedGate:
    """``wgtool serve --shared``: each member's login link, as the secretariat issued it; a
    session holds while its link is neither revoked nor replaced."""

    def __init__(self, links: LoginLinks) -> None:
        self.links = links

    def login(self, token: str) -> tuple[str, str | None] | None:
        login = self.links.holder(token)
        return None if login is None else (login.handle, login.digest)

    def holds(self, session: Session) -> bool:
        current = self.links.current(session.handle)
        return current is not None and current.digest == session.login
