"""Writing objects: blobs, trees, commits and tags straight into the object database, in this
process (GitPython's own store spawns a git per object); signed with SSH when a key is set."""

from __future__ import annotations

import subprocess
from collections.abc import Callable, Iterable, Mapping
from io import BytesIO
from pathlib import Path

from git.objects.fun import tree_to_stream
from gitdb import LooseObjectDB
from gitdb.base import IStream
from gitdb.util import bin_to_hex, hex_to_bin

from wgtool.core.errors import WgError
from wgtool.core.record.objects import FILE_MODE, TREE_MODE, Person, RunGit


class ObjectWriter:
    """The store's writes of objects, given its object folder, the reader of the trees it
    writes on, its way of running git, and the signing key in force (None: unsigned)."""

    def __init__(
        self,
        objects: Path,
        tree_entries: Callable[[str], list[tuple[str, int, str]]],
        run: RunGit,
        signing_key: Callable[[], str | None],
    ) -> None:
        self._loose = LooseObjectDB(str(objects))
        self.tree_entries = tree_entries
        self.run = run
        self.signing_key = signing_key

    def _store(self, kind: bytes, data: bytes) -> str:
        istream = self._loose.store(IStream(kind, len(data), BytesIO(data)))
        sha: bytes = bin_to_hex(istream.binsha)
        return sha.decode()

    def write_blob(self, data: bytes) -> str:
        return self._store(b"blob", data)

    def write_tree(self, base_tree: str | None, changes: Mapping[str, bytes | None]) -> str:
        """A new tree: ``base_tree`` with each path set to its bytes, or removed when None."""
        entries: dict[str, tuple[int, str]] = {}
        if base_tree:
            entries = {name: (mode, sha) for name, mode, sha in self.tree_entries(base_tree)}
        nested: dict[str, dict[str, bytes | None]] = {}
        for path, content in changes.items():
            head, _, rest = path.partition("/")
            if rest:
                nested.setdefault(head, {})[rest] = content
            elif content is None:
                entries.pop(head, None)
            else:
                entries[head] = (FILE_MODE, self.write_blob(content))
        for name, sub_changes in nested.items():
            existing = entries.get(name)
            sub_base = existing[1] if existing and existing[0] == TREE_MODE else None
            sub_tree = self.write_tree(sub_base, sub_changes)
            if self.tree_entries(sub_tree):
                entries[name] = (TREE_MODE, sub_tree)
            else:
                entries.pop(name, None)
        return self._write_tree_entries(entries)

    def _write_tree_entries(self, entries: Mapping[str, tuple[int, str]]) -> str:
        # git sorts tree entries by name, with directories compared as if they ended in "/".
        def sort_key(name: str) -> bytes:
            mode = entries[name][0]
            return (name + "/" if mode == TREE_MODE else name).encode()

        items = [
            (hex_to_bin(entries[name][1]), entries[name][0], name)
            for name in sorted(entries, key=sort_key)
        ]
        buffer = BytesIO()
        tree_to_stream(items, buffer.write)
        return self._store(b"tree", buffer.getvalue())

    def write_commit(
        self,
        tree: str,
        parents: Iterable[str],
        message: str,
        author: Person,
        committer: Person,
    ) -> str:
        headers = [f"tree {tree}"]
        headers += [f"parent {p}" for p in parents]
        headers += [f"author {author.signature()}", f"committer {committer.signature()}"]
        if not message.endswith("\n"):
            message += "\n"
        payload = "\n".join(headers) + "\n\n" + message
        if self.signing_key():
            # git's layout for a signed commit: a gpgsig header over the unsigned payload.
            signature = self.sign(payload.encode("utf-8")).decode().rstrip("\n")
            headers.append("gpgsig " + signature.replace("\n", "\n "))
            payload = "\n".join(headers) + "\n\n" + message
        return self._store(b"commit", payload.encode("utf-8"))

    def write_tag(self, target: str, name: str, message: str, tagger: Person) -> str:
        """An annotated tag object (signed when a signing key is set); the ref is the caller's."""
        if not message.endswith("\n"):
            message += "\n"
        payload = (
            f"object {target}\ntype commit\ntag {name}\ntagger {tagger.signature()}\n\n{message}"
        ).encode("utf-8")
        if self.signing_key():
            payload += self.sign(payload)
        return self._store(b"tag", payload)

    def sign(self, payload: bytes) -> bytes:
        """An SSH signature of ``payload`` in git's namespace, as git's ``gpg.format=ssh``."""
        key = self.signing_key()
        assert key
        try:
            result = subprocess.run(
                ["ssh-keygen", "-Y", "sign", "-n", "git", "-f", key, "-q"],
                input=payload,
                capture_output=True,
                timeout=60,
            )
        except (OSError, subprocess.TimeoutExpired) as error:
            raise WgError(f"cannot sign with ssh-keygen: {error}") from None
        if result.returncode != 0:
            reason = result.stderr.decode("utf-8", "replace").strip().splitlines()
            raise WgError(
                f"signing with {key} failed: {reason[-1] if reason else 'no reason given'}"
            )
        return result.stdout

    def merge_trees(self, ours: str, theirs: str) -> str:
        """The tree of a merge of two commits whose changes never touch the same file."""
        # Event chains started on two machines share no history: that is expected, not an error.
        result = self.run(
            [
                "merge-tree",
                "--write-tree",
                "--allow-unrelated-histories",
                "--end-of-options",
                ours,
                theirs,
            ],
            check=False,
        )
        if result.returncode != 0:
            raise WgError("two event chains could not be joined: they touch the same file")
        return result.stdout.decode().split("\n", 1)[0].strip()
