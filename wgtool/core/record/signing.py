"""SSH signatures: which key signs a member's writes, and checking signatures against the roster.

Signatures use git's own format (``gpg.format=ssh``), so ``git verify-commit`` and ``git log
--show-signature`` read them with no wgtool installed. The roster holds each member's public key;
the private key stays on the member's machine (``WGTOOL_SIGNING_KEY`` or git's
``user.signingkey``).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
import re
import subprocess
from collections.abc import Iterable

from wgtool.core.errors import InvalidInput, PermissionDenied, Remedy, WgError
from wgtool.core.model import Member
from wgtool.core.record.gitstore import GitStore
from wgtool.core.record.messages import record_mark

KEY_RE = re.compile(
    r"^(ssh-[a-z0-9-]+|ecdsa-sha2-[a-z0-9-]+|sk-[a-z0-9@.-]+) [A-Za-z0-9+/=]+( .*)?$"
)
GOOD_SIGNATURE_RE = re.compile(
    r'^Good "git" signature (?:for \S+ )?with \S+ key (SHA256:\S+)$', re.MULTILINE
)


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
            f"{member.handle}",
            remedy=Remedy.ADD_SSH_KEY,
            subject=member.handle,
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


def fingerprint(public_key: str) -> str:
    """The ``SHA256:...`` fingerprint of an OpenSSH public key, as ``ssh-keygen -l`` prints it."""
    try:
        blob = base64.b64decode(normalise_public_key(public_key).split()[1], validate=True)
    except binascii.Error:
        raise InvalidInput("not an OpenSSH public key: its key data is not base64") from None
    return "SHA256:" + base64.b64encode(hashlib.sha256(blob).digest()).decode().rstrip("=")


def commit_signers(store: GitStore, shas: Iterable[str]) -> dict[str, str | None]:
    """The fingerprint of the key that made each commit's valid signature (None: none valid).

    One git process for all commits. git checks each signature against the signed payload with
    ``ssh-keygen``; no key is trusted here (the allowed signers are empty): which key is the right
    one is the rulebook's question, answered from the roster in force for each commit.
    """
    wanted = list(dict.fromkeys(shas))
    if not wanted:
        return {}
    mark = record_mark()
    output = store.run(
        [
            "-c",
            f"gpg.ssh.allowedSignersFile={os.devnull}",
            "-c",
            "log.showSignature=false",
            "log",
            "--no-walk=unsorted",
            "--stdin",
            "--format=%H%x00%G?%x00%GF" + mark.replace("\x1e", "%x1e"),
        ],
        input=("\n".join(wanted) + "\n").encode(),
    ).stdout.decode("utf-8", "replace")
    signers: dict[str, str | None] = dict.fromkeys(wanted)
    for record in output.split(mark):
        fields = record.strip("\n").split("\x00")
        if len(fields) == 3 and fields[1] in ("G", "U") and fields[2].startswith("SHA256:"):
            signers[fields[0]] = fields[2]
    return signers


def tag_signer(store: GitStore, sha: str) -> str | None:
    """The fingerprint of the key that made a tag object's valid signature, or None."""
    result = store.run(
        ["-c", f"gpg.ssh.allowedSignersFile={os.devnull}", "verify-tag", "--end-of-options", sha],
        check=False,
    )
    match = GOOD_SIGNATURE_RE.search(result.stderr.decode("utf-8", "replace"))
    return match.group(1) if match else None


def require_ssh_keygen() -> None:
    try:
        subprocess.run(["ssh-keygen", "-?"], capture_output=True, timeout=10)
    except OSError:
        raise WgError("ssh-keygen is not installed: signatures need OpenSSH") from None
