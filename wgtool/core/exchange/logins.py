"""Login links to a group's shared server (``wgtool serve --shared``), one per member.

The secretariat issues a member's link (``wgtool serve token issue HANDLE``) and gives it to
that member alone; the link holds a secret token, and whoever opens it acts as that member. Only
a digest of each token is kept, in ``.git/wgtool/logins.json`` (outside the record: never
committed, never synced; readable by its owner only), so reading the file gives no way in.
Issuing a member's link again replaces the old one; revoking it removes it, and the server
refuses both the old link and every session opened with it from then on.

Tokens are 256 random bits, so one SHA-256 is enough to keep them: there is no password to
guess from its digest.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from wgtool.core.errors import NotFound, PermissionDenied, StateError
from wgtool.core.model import Role
from wgtool.core.record.gitstore import GitStore

if TYPE_CHECKING:
    from wgtool.core.desks import WorkingGroup

LOGINS_FILE = "logins.json"
LOGINS_FORMAT = 1
TOKEN_BYTES = 32


def digest(token: str) -> str:
    """What is kept of a token: its SHA-256, in hex."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Login:
    """A member's current login link, as kept: whose it is, its token's digest, when issued."""

    handle: str
    digest: str
    issued: int


class LoginLinks:
    """The login links of one clone's shared server (see the module's docstring).

    Reading needs only the store's folder (a server keeps reading after closing the store);
    issuing and revoking hold the store's lock for the file.
    """

    def __init__(self, store: GitStore, notify: Callable[[str], object] = lambda _: None) -> None:
        self.store = store
        self.path = store.wgtool_dir / LOGINS_FILE
        self.notify = notify

    def holder(self, token: str) -> Login | None:
        """The login whose token is ``token``, or None (never issued, revoked or replaced)."""
        wanted = digest(token)
        found = None
        for login in self._load().values():
            # Compared in constant time, and every one: the time taken tells nothing.
            if hmac.compare_digest(login.digest, wanted):
                found = login
        return found

    def current(self, handle: str) -> Login | None:
        """``handle``'s current login link, or None."""
        return self._load().get(handle)

    def issue(self, handle: str) -> str:
        """A new login link's token for ``handle``, replacing any earlier one."""
        token = secrets.token_urlsafe(TOKEN_BYTES)
        with self.store.locked("logins.lock"):
            logins = self._load()
            logins[handle] = Login(handle, digest(token), int(time.time()))
            self._write(logins)
        return token

    def revoke(self, handle: str) -> None:
        """Remove ``handle``'s login link (NotFound when there is none)."""
        with self.store.locked("logins.lock"):
            logins = self._load()
            if logins.pop(handle, None) is None:
                raise NotFound(f"{handle} has no login link to revoke")
            self._write(logins)

    def _load(self) -> dict[str, Login]:
        """The links kept; none when the file is missing or unreadable (refusing everyone is
        the safe way to fail: the secretariat issues the links again)."""
        try:
            data = json.loads(self.path.read_bytes())
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as error:
            self.notify(f"cannot read {self.path} ({error}): no login link works until reissued")
            return {}
        logins: dict[str, Login] = {}
        members = data.get("logins") if isinstance(data, dict) else None
        if not isinstance(members, dict) or data.get("format") != LOGINS_FORMAT:
            self.notify(f"{self.path} is not a login file: no login link works until reissued")
            return {}
        for handle, kept in members.items():
            if (
                isinstance(kept, dict)
                and isinstance(kept.get("sha256"), str)
                and isinstance(kept.get("issued"), int)
            ):
                logins[handle] = Login(handle, kept["sha256"], kept["issued"])
        return logins

    def _write(self, logins: dict[str, Login]) -> None:
        """The whole file at once (a reader sees the old one or the new one), owner-only."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        data = {
            "format": LOGINS_FORMAT,
            "logins": {
                login.handle: {"sha256": login.digest, "issued": login.issued}
                for login in logins.values()
            },
        }
        handle, temporary = tempfile.mkstemp(prefix=".logins.", dir=self.path.parent)  # 0600
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                json.dump(data, out, separators=(",", ":"), sort_keys=True)
                out.flush()
                os.fsync(out.fileno())
            os.replace(temporary, self.path)
        except OSError as error:
            os.unlink(temporary)
            raise StateError(
                f"cannot write {self.path} ({error.strerror or error}): move it out of the way"
            ) from None
        except BaseException:
            os.unlink(temporary)
            raise


def require_secretariat(wg: WorkingGroup, verb: str) -> None:
    """Refuse unless the acting member holds the secretariat role."""
    actor = wg.record.actor()
    if not actor.has(Role.SECRETARIAT):
        roles = ", ".join(role.value for role in actor.roles)
        raise PermissionDenied(f"{verb} needs the secretariat role; {actor.handle} is {roles}")


def issue(wg: WorkingGroup, handle: str) -> str:
    """The secretariat issues ``handle``'s login link (a roster member's): its new token."""
    require_secretariat(wg, "issuing a login link")
    member = wg.record.roster.get(handle)
    return LoginLinks(wg.record.store, wg.record.notify).issue(member.handle)


def revoke(wg: WorkingGroup, handle: str) -> None:
    """The secretariat revokes ``handle``'s login link (a member no longer on the roster too)."""
    require_secretariat(wg, "revoking a login link")
    LoginLinks(wg.record.store, wg.record.notify).revoke(handle)
