"""The git store: reads objects through GitPython, writes with plumbing and compare-and-swap.

Writes never touch the working tree or the index. Blobs, trees and commits are written straight
into the object database; a ref then moves with ``git update-ref REF NEW OLD``, which fails when
another process moved the ref first. Callers re-read and retry (see :func:`retry_cas`). A crash at
any point leaves each ref at its old or its new value: unreferenced objects are only garbage.
"""

from __future__ import annotations

import fcntl
import os
import re
import shutil
import subprocess
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path
from typing import TypeVar

import git
from git.objects.fun import tree_entries_from_data, tree_to_stream
from gitdb import LooseObjectDB
from gitdb.base import IStream
from gitdb.util import bin_to_hex, hex_to_bin

from wgtool.core.errors import (
    ConcurrentUpdate,
    LocalFileError,
    LostRace,
    NotFound,
    Remedy,
    WgError,
)
from wgtool.core.record.messages import record_mark
from wgtool.core.record.transport import run_git

ZERO_SHA = "0" * 40
FILE_MODE = 0o100644
TREE_MODE = 0o040000


# Reflogs are kept for branches only (main): the thousands of amendment and event refs, their
# remote-tracking copies and tags would each get a log file that grows with every sync.
NO_REFLOG = {"core.logAllRefUpdates": "false"}

T = TypeVar("T")


def reflog_config(ref: str) -> dict[str, str]:
    """The configuration for a command that moves ``ref``: no reflog unless it is a branch."""
    return {} if ref.startswith("refs/heads/") else NO_REFLOG


@dataclass(frozen=True)
class Person:
    """A git identity with the moment of the action."""

    name: str
    email: str
    timestamp: int
    offset_seconds: int = 0

    def signature(self) -> str:
        sign = "-" if self.offset_seconds > 0 else "+"
        minutes = abs(self.offset_seconds) // 60
        zone = f"{sign}{minutes // 60:02d}{minutes % 60:02d}"
        return f"{self.name} <{self.email}> {self.timestamp} {zone}"


@dataclass(frozen=True)
class CommitInfo:
    """What wgtool needs to know of a commit."""

    sha: str
    parents: tuple[str, ...]
    tree: str
    author_name: str
    author_email: str
    authored_at: int
    committer_name: str
    committer_email: str
    committed_at: int
    message: str


@dataclass(frozen=True)
class TagInfo:
    """A tag ref as it is, whatever it points at (plain git can tag a blob or a tree)."""

    ref: str
    target: str  # the object the tag names (a lightweight tag: the one its ref points at)
    target_type: str  # that object's real type: commit, tree, blob, tag, or missing
    annotated: bool
    tagger_name: str  # empty for a lightweight tag
    tagger_email: str
    tagged_at: int
    message: str  # for an annotated tag, without its signature


_TAGGER_RE = re.compile(r"^(.*?) <(.*)> (\d+) [+-]\d{4}$")
_SIGNATURE_RE = re.compile(r"^-----BEGIN (?:SSH|PGP) SIGNATURE-----$", re.MULTILINE)


def retry_cas(attempt: Callable[[], T], *, tries: int = 50) -> T:
    """Run ``attempt`` until it does not lose a compare-and-swap race.

    ``attempt`` re-reads whatever it depends on each time; it raises :class:`LostRace` when its
    final ``update-ref`` was refused.
    """
    for round_number in range(tries):
        try:
            return attempt()
        except LostRace:
            # Back off a little, more each time, so that a crowd of writers spreads out.
            time.sleep(min(0.005 * (round_number + 1), 0.1))
    raise ConcurrentUpdate("the record kept changing while writing; try again")


# git commands that never move a ref (any other one run through a store counts as a write).
READ_ONLY_COMMANDS = frozenset(
    {
        "cat-file",
        "config",
        "count-objects",
        "diff-files",
        "diff-index",
        "for-each-ref",
        "log",
        "ls-tree",
        "merge-base",
        "rev-list",
        "rev-parse",
        "status",
        "verify-tag",
    }
)


class GitStore:
    """Access to one git repository (bare or not)."""

    def __init__(self, repo: git.Repo) -> None:
        self.repo = repo
        self.git_dir = Path(repo.git_dir)
        self.work_tree = None if repo.bare else Path(repo.working_tree_dir or "")
        # Objects are written in-process (GitPython's own store spawns a git per object).
        self._loose = LooseObjectDB(str(self.git_dir / "objects"))
        # Set by the use cases when the working group requires signatures: every commit and tag
        # written through this store is then SSH-signed with this private key file.
        self.signing_key: str | None = None
        # Counts the git commands run through this store that may have moved a ref: a reader
        # that caches what it read from the refs knows by this whether it may still be current.
        self.generation = 0
        # What readers of this store keep of objects, which never change once written (keyed by
        # reader; see the rulebook's SharedReads).
        self.memo: dict[str, object] = {}
        # With ``snapshot_refs`` (a sync under its lock), :meth:`refs` lists every ref once per
        # generation and answers each prefix from that listing: a write compares and swaps, and
        # any command that may move a ref starts a new generation.
        self.snapshot_refs = False
        self._ref_listing: tuple[int, dict[str, str]] | None = None
        # One line about wgtool's own files repaired in passing (the working group's handle
        # passes its own notices on here).
        self.notify: Callable[[str], object] = lambda _message: None

    @property
    def wgtool_dir(self) -> Path:
        """wgtool's own files in this repository (the index, locks, notes): never the record."""
        return self.git_dir / "wgtool"

    def wgtool_folder(self) -> Path:
        """:attr:`wgtool_dir`, made if missing. Whatever else is in its place (a file, a link)
        is not wgtool's and holds nothing of the record: it is removed, and said in one line."""
        folder = self.wgtool_dir
        if folder.is_symlink() or (os.path.lexists(folder) and not folder.is_dir()):
            what = "a symbolic link" if folder.is_symlink() else "a file"
            folder.unlink(missing_ok=True)  # another process may have cleared it first
            self.notify(f"{folder} was {what}, not wgtool's folder: made the folder afresh")
        folder.mkdir(parents=True, exist_ok=True)
        return folder

    def clear_way(self, path: Path) -> None:
        """Make room for a file of wgtool's own at ``path``: a folder or a link in its place
        (never followed) is removed, and said in one line."""
        if path.is_symlink():
            path.unlink(missing_ok=True)
            self.notify(f"{path} was a symbolic link, not wgtool's file: replaced it")
        elif path.is_dir():
            shutil.rmtree(path, ignore_errors=True)
            self.notify(f"{path} was a folder, not wgtool's file: replaced it")

    @contextmanager
    def locked(self, name: str) -> Iterator[None]:
        """Hold the lock file ``name`` in :attr:`wgtool_dir`, waiting for any other holder
        (one process at a time; the lock goes with the process should it die)."""
        path = self.wgtool_folder() / name
        self.clear_way(path)
        try:
            handle = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o644)
        except OSError as error:
            raise LocalFileError(
                f"cannot use the lock file {path}: {error.strerror or error} "
                "(wgtool's own files in .git/wgtool must be writable)"
            ) from None
        try:
            fcntl.flock(handle, fcntl.LOCK_EX)
            yield
        finally:
            os.close(handle)  # closing the file releases the lock

    # -- opening -------------------------------------------------------------------------------

    @classmethod
    def open(cls, path: str | os.PathLike[str], *, search_parents: bool = True) -> GitStore:
        try:
            repo = git.Repo(os.fspath(path), search_parent_directories=search_parents)
        except (git.InvalidGitRepositoryError, git.NoSuchPathError):
            raise NotFound(
                f"no git repository at {os.fspath(path)}", remedy=Remedy.CHOOSE_REPOSITORY
            ) from None
        return cls(repo)

    @classmethod
    def init(cls, path: Path, *, bare: bool = False) -> GitStore:
        path.mkdir(parents=True, exist_ok=True)
        repo = git.Repo.init(path, bare=bare, initial_branch="main")
        return cls(repo)

    def close(self) -> None:
        self.repo.close()

    # -- running git ---------------------------------------------------------------------------

    def run(
        self,
        args: list[str],
        *,
        input: bytes | None = None,
        env: Mapping[str, str] | None = None,
        check: bool = True,
        network: bool = False,
        config: Mapping[str, str] | None = None,
    ) -> subprocess.CompletedProcess[bytes]:
        """Run a git command in this repository. Arguments are a list, never a shell string.

        ``network`` marks a command that talks to a remote: only the allowed transports, and a
        time limit (see :func:`run_git`). ``config`` sets git configuration for this command
        only (``git -c key=value``).
        """
        if args[0] not in READ_ONLY_COMMANDS:
            self.generation += 1
        options = [arg for item in (config or {}).items() for arg in ("-c", "=".join(item))]
        result = run_git(
            args,
            options=options,
            git_dir=self.git_dir,
            input=input,
            env=env,
            cwd=self.work_tree or self.git_dir,
            network=network,
        )
        if check and result.returncode != 0:
            message = result.stderr.decode("utf-8", "replace").strip().splitlines()
            raise WgError(f"git {args[0]} failed: {message[-1] if message else 'no message'}")
        return result

    def config_get(self, key: str) -> str | None:
        result = self.run(["config", "--get", key], check=False)
        return result.stdout.decode().strip() or None if result.returncode == 0 else None

    # -- refs ----------------------------------------------------------------------------------

    def resolve(self, ref: str) -> str | None:
        """The commit sha a ref points at, or None."""
        result = self.run(
            ["rev-parse", "--verify", "--quiet", "--end-of-options", ref + "^{commit}"], check=False
        )
        sha = result.stdout.decode().strip()
        return sha or None

    def object_at(self, ref: str) -> str | None:
        """The object a ref points at, whatever its type, or None when there is no such ref."""
        result = self.run(
            ["rev-parse", "--verify", "--quiet", "--end-of-options", ref], check=False
        )
        return result.stdout.decode().strip() or None

    def refs(self, *patterns: str) -> dict[str, str]:
        """Every ref under the given prefixes, mapped to the object it points at."""
        if self.snapshot_refs and patterns and not any(set("*?[") & set(p) for p in patterns):
            if self._ref_listing is None or self._ref_listing[0] != self.generation:
                self._ref_listing = (self.generation, self._list_refs())
            listing = self._ref_listing[1]
            folders = tuple(p.rstrip("/") + "/" for p in patterns)
            return {
                name: sha
                for name, sha in listing.items()
                if name in patterns or name.startswith(folders)
            }
        return self._list_refs(*patterns)

    def _list_refs(self, *patterns: str) -> dict[str, str]:
        result = self.run(["for-each-ref", "--format=%(objectname) %(refname)", *patterns])
        refs: dict[str, str] = {}
        for line in result.stdout.decode().splitlines():
            sha, name = line.split(" ", 1)
            refs[name] = sha
        return refs

    def update_ref(
        self,
        ref: str,
        new: str,
        old: str | None,
        message: str = "wgtool",
        *,
        verify: Mapping[str, str | None] | None = None,
    ) -> None:
        """Move ``ref`` from ``old`` (None: must not exist) to ``new``, or raise LostRace.

        ``verify`` names other refs and the values they must still have (None: must not exist):
        they are checked and locked in the same transaction, so a write whose preconditions
        were read from several refs cannot land after one of them moved.
        """
        config = reflog_config(ref)
        if not verify:
            args = ["update-ref", "-m", message, ref, new, old or ZERO_SHA]
            result = self.run(args, check=False, config=config)
        else:
            commands = [f"update {ref} {new} {old or ZERO_SHA}"]
            commands += [f"verify {name} {sha or ZERO_SHA}" for name, sha in verify.items()]
            result = self.run(
                ["update-ref", "-m", message, "--stdin"],
                input=("\n".join(commands) + "\n").encode(),
                check=False,
                config=config,
            )
        if result.returncode != 0:
            raise LostRace(ref)

    def update_refs(self, moves: Mapping[str, tuple[str | None, str | None]], message: str) -> bool:
        """Move many refs (none of them a branch) in one transaction: ``{ref: (new, old)}``,
        old None for a ref that must not exist yet, new None to delete it. False, and nothing
        moved, when any of them was not at its old value (another writer got there first)."""
        if not moves:
            return True
        commands = "".join(
            f"update {ref} {new or ZERO_SHA} {old or ZERO_SHA}\n"
            for ref, (new, old) in moves.items()
        )
        result = self.run(
            ["update-ref", "-m", message, "--stdin"],
            input=commands.encode(),
            check=False,
            config=NO_REFLOG,
        )
        return result.returncode == 0

    def delete_ref(self, ref: str, old: str) -> None:
        result = self.run(["update-ref", "-d", ref, old], check=False, config=reflog_config(ref))
        if result.returncode != 0:
            raise LostRace(ref)

    def is_ancestor(self, ancestor: str, descendant: str) -> bool:
        result = self.run(["merge-base", "--is-ancestor", ancestor, descendant], check=False)
        return result.returncode == 0

    # -- reading objects -----------------------------------------------------------------------

    def commit(self, sha: str) -> CommitInfo:
        c = self.repo.commit(sha)
        message = c.message if isinstance(c.message, str) else c.message.decode("utf-8", "replace")
        return CommitInfo(
            sha=c.hexsha,
            parents=tuple(p.hexsha for p in c.parents),
            tree=c.tree.hexsha,
            author_name=c.author.name or "",
            author_email=c.author.email or "",
            authored_at=c.authored_date,
            committer_name=c.committer.name or "",
            committer_email=c.committer.email or "",
            committed_at=c.committed_date,
            message=message,
        )

    def commits(self, shas: list[str]) -> dict[str, CommitInfo]:
        """Many commits in one git process (for reading thousands of refs quickly)."""
        if not shas:
            return {}
        records = self.records(
            ["log", "--no-walk=unsorted", "--stdin"],
            ["%H", "%P", "%T", "%an", "%ae", "%at", "%cn", "%ce", "%ct", "%B"],
            input=("\n".join(dict.fromkeys(shas)) + "\n").encode(),
        )
        result: dict[str, CommitInfo] = {}
        for sha, parents, tree, an, ae, at, cn, ce, ct, message in records:
            result[sha] = CommitInfo(
                sha, tuple(parents.split()), tree, an, ae, int(at), cn, ce, int(ct), message
            )
        return result

    def records(
        self, args: list[str], fields: list[str], *, input: bytes | None = None
    ) -> list[list[str]]:
        """Run ``git log``-like or ``for-each-ref`` with a format printing ``fields``.

        Returns one list of field values per record. Fields are separated by NUL and records by
        a random mark (see :func:`record_mark`), so member text in a message cannot split them.
        """
        mark = record_mark()
        if args[0] == "for-each-ref":
            nul, mark_format = "%00", mark.replace("\x1e", "%1e")
        else:
            nul, mark_format = "%x00", mark.replace("\x1e", "%x1e")
        output = self.run(
            [*args[:1], f"--format={nul.join(fields)}{mark_format}", *args[1:]], input=input
        ).stdout.decode("utf-8", "replace")
        result = []
        for record in output.split(mark):
            record = record.lstrip("\n")
            if record:
                result.append(record.split("\x00", len(fields) - 1))
        return result

    def tags(self) -> list[TagInfo]:
        """Every tag, oldest first, read without trusting what a tag says about its target.

        git's own formatted output (``for-each-ref`` with ``%(*objecttype)``) stops with a fatal
        error when one tag claims its target has another type: tags are read here instead, so
        that one odd tag cannot hide the others.
        """
        listing = [
            line.split(" ", 2)
            for line in self.run(
                ["for-each-ref", "--format=%(objectname) %(objecttype) %(refname)", "refs/tags"]
            )
            .stdout.decode("utf-8", "replace")
            .splitlines()
        ]
        annotated = self.objects(sha for sha, kind, _ in listing if kind == "tag")
        headers = {sha: _parse_tag(data) for sha, (_, data) in annotated.items()}
        targets = [headers[sha][0] if sha in headers else sha for sha, _, _ in listing]
        types = self.object_types(targets)
        plain_commits = self.commits(
            [sha for sha, kind, _ in listing if kind == "commit" and types.get(sha) == "commit"]
        )
        result = []
        for (sha, kind, ref), target in zip(listing, targets, strict=True):
            if sha in headers:
                _, tagger_name, tagger_email, tagged_at, message = headers[sha]
            elif sha in plain_commits:
                info = plain_commits[sha]
                tagger_name, tagger_email, tagged_at = "", "", info.committed_at
                message = info.message
            else:
                tagger_name, tagger_email, tagged_at, message = "", "", 0, ""
            result.append(
                TagInfo(
                    ref=ref,
                    target=target,
                    target_type=types.get(target, "missing"),
                    annotated=kind == "tag",
                    tagger_name=tagger_name,
                    tagger_email=tagger_email,
                    tagged_at=tagged_at,
                    message=message,
                )
            )
        result.sort(key=lambda tag: tag.tagged_at)  # stable: refname order among equals
        return result

    def objects(self, shas: Iterable[str]) -> dict[str, tuple[str, bytes]]:
        """Type and content of many objects, read in one git process; missing ones left out."""
        wanted = list(dict.fromkeys(shas))
        if not wanted:
            return {}
        output = self.run(["cat-file", "--batch"], input=("\n".join(wanted) + "\n").encode()).stdout
        result: dict[str, tuple[str, bytes]] = {}
        position = 0
        for sha in wanted:
            end = output.index(b"\n", position)
            header = output[position:end].decode().split()
            position = end + 1
            if len(header) != 3:
                continue  # "<name> missing"
            size = int(header[2])
            result[sha] = (header[1], output[position : position + size])
            position += size + 1
        return result

    def object_types(self, shas: Iterable[str]) -> dict[str, str]:
        """The real type of each object that exists (without reading contents)."""
        wanted = list(dict.fromkeys(shas))
        if not wanted:
            return {}
        output = self.run(
            ["cat-file", "--batch-check=%(objectname) %(objecttype)"],
            input=("\n".join(wanted) + "\n").encode(),
        ).stdout.decode()
        types = {}
        for sha, line in zip(wanted, output.splitlines(), strict=True):
            name, _, kind = line.partition(" ")
            if name == sha and kind != "missing":
                types[sha] = kind
        return types

    def read_blob(self, sha: str) -> bytes:
        data: bytes = self.repo.odb.stream(hex_to_bin(sha)).read()
        return data

    def tree_entries(self, tree_sha: str) -> list[tuple[str, int, str]]:
        """(name, mode, sha) of each entry of a tree."""
        data = self.repo.odb.stream(hex_to_bin(tree_sha)).read()
        return [
            (name, mode, bin_to_hex(binsha).decode())
            for binsha, mode, name in tree_entries_from_data(data)
        ]

    def lookup(self, commit_sha: str, path: str) -> str | None:
        """The sha of the object at ``path`` in a commit's tree, or None."""
        tree = self.commit(commit_sha).tree
        return self.lookup_in_tree(tree, path)

    def lookup_in_tree(self, tree_sha: str, path: str) -> str | None:
        current = tree_sha
        parts = path.split("/")
        for i, part in enumerate(parts):
            found = None
            for name, mode, sha in self.tree_entries(current):
                if name == part:
                    found = (mode, sha)
                    break
            if found is None:
                return None
            mode, sha = found
            if i < len(parts) - 1 and mode != TREE_MODE:
                return None
            current = sha
        return current

    def read_file(self, commit_sha: str, path: str) -> bytes | None:
        sha = self.lookup(commit_sha, path)
        return None if sha is None else self.read_blob(sha)

    def list_dir(self, commit_sha: str, path: str) -> list[tuple[str, str]]:
        """(name, blob sha) of the files directly inside ``path`` at a commit."""
        tree = self.lookup(commit_sha, path)
        if tree is None:
            return []
        return [(name, sha) for name, mode, sha in self.tree_entries(tree) if mode != TREE_MODE]

    def file_names(self, commits: Iterable[str], path: str) -> dict[str, set[str]]:
        """The names of the files directly inside ``path`` at each commit, read in one git
        process (a commit without that folder has none)."""
        wanted = list(dict.fromkeys(commits))
        found = self.objects(f"{commit}:{path}" for commit in wanted)
        names: dict[str, set[str]] = {}
        for commit in wanted:
            kind, data = found.get(f"{commit}:{path}", ("missing", b""))
            names[commit] = (
                {name for _, mode, name in tree_entries_from_data(data) if mode != TREE_MODE}
                if kind == "tree"
                else set()
            )
        return names

    # -- writing objects -----------------------------------------------------------------------

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
        if self.signing_key:
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
        if self.signing_key:
            payload += self.sign(payload)
        return self._store(b"tag", payload)

    def sign(self, payload: bytes) -> bytes:
        """An SSH signature of ``payload`` in git's namespace, as git's ``gpg.format=ssh``."""
        assert self.signing_key
        try:
            result = subprocess.run(
                ["ssh-keygen", "-Y", "sign", "-n", "git", "-f", self.signing_key, "-q"],
                input=payload,
                capture_output=True,
                timeout=60,
            )
        except (OSError, subprocess.TimeoutExpired) as error:
            raise WgError(f"cannot sign with ssh-keygen: {error}") from None
        if result.returncode != 0:
            reason = result.stderr.decode("utf-8", "replace").strip().splitlines()
            raise WgError(
                f"signing with {self.signing_key} failed: "
                f"{reason[-1] if reason else 'no reason given'}"
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


def _parse_tag(data: bytes) -> tuple[str, str, str, int, str]:
    """(target, tagger name, tagger email, time, message) of an annotated tag object."""
    text = data.decode("utf-8", "replace")
    head, _, message = text.partition("\n\n")
    fields = dict(line.split(" ", 1) for line in head.splitlines() if " " in line)
    tagger = _TAGGER_RE.match(fields.get("tagger", ""))
    signature = _SIGNATURE_RE.search(message)
    if signature:
        message = message[: signature.start()]
    return (
        fields.get("object", ""),
        tagger.group(1) if tagger else "",
        tagger.group(2) if tagger else "",
        int(tagger.group(3)) if tagger else 0,
        message,
    )
