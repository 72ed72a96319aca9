"""SSH signatures: which key signs a member's writes, and checking signatures against the roster.

Signatures use git's own format (``gpg.format=ssh``), so ``git verify-commit`` and ``git log
--show-signature`` read them with no wgtool installed. The roster holds each member's public key;
the private key stays on the member's machine (``WGTOOL_SIGNING_KEY`` or git's
``user.signingkey``).
"""

from __future__ import annotations

import os
import re
import subprocess
import tempfile
from collections.abc import Iterable
from pathlib import Path

from wgtool.core.errors import InvalidInput, PermissionDenied, WgError
from wgtool.core.gitstore import GitStore
from wgtool.core.model import Member

KEY_RE = re.compile(
    r"^(ssh-[a-z0-9-]+|ecdsa-sha2-[a-z0-9-]+|sk-[a-z0-9@.-]+) [A-Za-z0-9+/=]+( .*)?$"
)
PRINCIPAL_RE = re.compile(r'Good "git" signature for (\S+) with')


def normalise_public_key(text: str) -> str:
    """``type base64`` of an OpenSSH public key line (the comment dropped), or InvalidInput."""
    line = text.strip()
    if "\n" in line or not KEY_RE.match(line):
        raise InvalidInput(
            "not an OpenSSH public key: expected one line like 'ssh-ed25519 AAAA...'"
        )
    return " ".join(line.split()[:2])


def key_for(store: GitStore, member: Member) -> str:
    """The private key file that signs ``member``'s writes, checked against the roster's key."""
    if not member.ssh_key:
        raise PermissionDenied(
            f"this working group requires signed commits, and the roster has no SSH key for "
            f"{member.handle}: the secretariat adds it with 'wgtool member key'"
        )
    path = os.environ.get("WGTOOL_SIGNING_KEY") or store.config_get("user.signingkey")
    if not path:
        raise PermissionDenied(
            "this working group requires signed commits: set WGTOOL_SIGNING_KEY or git's "
            "user.signingkey to your SSH private key file"
        )
    path = os.path.expanduser(path)
    result = subprocess.run(["ssh-keygen", "-y", "-f", path], capture_output=True, timeout=30)
    if result.returncode != 0:
        raise PermissionDenied(f"cannot read the SSH private key {path}: check the file")
    if normalise_public_key(result.stdout.decode()) != normalise_public_key(member.ssh_key):
        raise PermissionDenied(f"the signing key {path} is not {member.handle}'s key in the roster")
    return path


class SignatureChecker:
    """Checks git signatures against the roster's public keys."""

    def __init__(self, store: GitStore, members: Iterable[Member]) -> None:
        self.store = store
        self._dir = tempfile.TemporaryDirectory(prefix="wgtool-signers-")
        self.allowed = Path(self._dir.name) / "allowed_signers"
        lines = [
            f'{m.email} namespaces="git" {normalise_public_key(m.ssh_key)}'
            for m in members
            if m.ssh_key
        ]
        self.allowed.write_text("\n".join(lines) + "\n")

    def close(self) -> None:
        self._dir.cleanup()

    def __enter__(self) -> SignatureChecker:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def principal(self, sha: str, *, tag: bool = False) -> str | None:
        """The roster email whose key made the object's signature, or None if it has none valid."""
        result = self.store.run(
            [
                "-c",
                "gpg.format=ssh",
                "-c",
                f"gpg.ssh.allowedSignersFile={self.allowed}",
                "verify-tag" if tag else "verify-commit",
                "--end-of-options",
                sha,
            ],
            check=False,
        )
        if result.returncode != 0:
            return None
        match = PRINCIPAL_RE.search(result.stderr.decode("utf-8", "replace"))
        return match.group(1) if match else None


def require_ssh_keygen() -> None:
    try:
        subprocess.run(["ssh-keygen", "-?"], capture_output=True, timeout=10)
    except OSError:
        raise WgError("ssh-keygen is not installed: signatures need OpenSSH") from None
