"""The git store: reads objects through GitPython, writes with plumbing and compare-and-swap.

Writes never touch the working tree or the index. Blobs, trees and commits are written straight
into the object database; a ref then moves with ``git update-ref REF NEW OLD``, which fails when
another process moved the ref first. Callers re-read and retry (see :func:`retry_cas`). A crash at
any point leaves each ref at its old or its new value: unreferenced objects are only garbage.

:class:`GitStore` is made of parts, each given what it needs: the reader of objects
(:mod:`~wgtool.core.record.reading`), their writer (:mod:`~wgtool.core.record.writing`), the refs
and their transactions (:mod:`~wgtool.core.record.refs`) and wgtool's own files and locks
(:mod:`~wgtool.core.record.files`). It runs git for all of them, counting the commands that may
move a ref, and answers for each.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import AbstractContextManager
from pathlib import Path
from typing import IO

import git

from wgtool.core.errors import NotFound, Remedy, WgError
from wgtool.core.record.files import OwnFiles
from wgtool.core.record.objects import FILE_MODE, TREE_MODE, CommitInfo, Person, TagInfo
from wgtool.core.record.packed import packed_or_git
from wgtool.core.record.reading import ObjectReader
from wgtool.core.record.refnames import NO_REFLOG
from wgtool.core.record.refs import (
    ZERO_SHA,
    Moves,
    Refs,
    reflog_config,
    retry_cas,
)
from wgtool.core.record.transport import git_command, run_git
from wgtool.core.record.writing import ObjectWriter

__all__ = [
    "FILE_MODE",
    "NO_REFLOG",
    "READ_ONLY_COMMANDS",
    "TREE_MODE",
    "ZERO_SHA",
    "CommitInfo",
    "GitStore",
    "Person",
    "TagInfo",
    "reflog_config",
    "retry_cas",
]

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


# The most :meth:`GitStore.stream` reads of git's output at once.
STREAM_PIECE = 1 << 20


def command_name(args: list[str]) -> str:
    """The git command ``args`` run, past any ``-c key=value`` options before it."""
    at = 0
    while at + 1 < len(args) and args[at] == "-c":
        at += 2
    return args[at] if at < len(args) else ""


class GitStore:
    """Access to one git repository (bare or not)."""

    def __init__(self, repo: git.Repo) -> None:
        self.repo = repo
        self.git_dir = Path(repo.git_dir)
        self.work_tree = None if repo.bare else Path(repo.working_tree_dir or "")
        # Set by the use cases when the working group requires signatures: every commit and tag
        # written through this store is then SSH-signed with this private key file.
        self.signing_key: str | None = None
        # Counts the git commands run through this store that may have moved a ref: a reader
        # that caches what it read from the refs knows by this whether it may still be current.
        self.generation = 0
        # What readers of this store keep of objects, which never change once written (keyed by
        # reader; see the rulebook's SharedReads).
        self.memo: dict[str, object] = {}
        # One line about wgtool's own files repaired in passing (the working group's handle
        # passes its own notices on here).
        self.notify: Callable[[str], object] = lambda _message: None
        self.reading = ObjectReader(repo, self.run)
        self.writing = ObjectWriter(
            self.git_dir / "objects",
            self.reading.tree_entries,
            self.run,
            lambda: self.signing_key,
        )
        self.references = Refs(self.run, lambda: self.generation)
        self.own_files = OwnFiles(self.git_dir, lambda message: self.notify(message))

    @property
    def snapshot_refs(self) -> bool:
        """With it (a sync under its lock), :meth:`refs` lists every ref once per generation
        and answers each prefix from that listing (see :class:`Refs`)."""
        return self.references.snapshot

    @snapshot_refs.setter
    def snapshot_refs(self, value: bool) -> None:
        self.references.snapshot = value

    # -- wgtool's own files --------------------------------------------------------------------

    @property
    def wgtool_dir(self) -> Path:
        """wgtool's own files in this repository (the index, locks, notes): never the record."""
        return self.own_files.folder

    def wgtool_folder(self) -> Path:
        """:attr:`wgtool_dir`, made if missing (whatever else is in its place removed, and
        said in one line)."""
        return self.own_files.made()

    def clear_way(self, path: Path) -> None:
        """Make room for a file of wgtool's own at ``path`` (see :meth:`OwnFiles.clear_way`)."""
        self.own_files.clear_way(path)

    def locked(self, name: str) -> AbstractContextManager[None]:
        """Hold the lock file ``name`` in :attr:`wgtool_dir`, waiting for any other holder."""
        return self.own_files.locked(name)

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
        if command_name(args) not in READ_ONLY_COMMANDS:
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
            raise _failed(args[0], result.stderr)
        return result

    def stream(self, args: list[str], *, input: bytes) -> Iterator[bytes]:
        """Run a git command that only reads, giving its output a piece at a time as git writes
        it: the caller works on one piece while git makes the next (a clone reads tens of
        thousands of commits). A WgError at the end says git failed, as :meth:`run` does."""
        name = command_name(args)
        if name not in READ_ONLY_COMMANDS:
            raise ValueError(f"git {name} is not a command that only reads")
        command, env, _ = git_command(args, git_dir=self.git_dir)
        with tempfile.TemporaryFile() as errors:
            process = subprocess.Popen(
                command,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=errors,
                env=env,
                cwd=self.work_tree or self.git_dir,
            )
            assert process.stdin is not None and process.stdout is not None
            writer = threading.Thread(target=_feed, args=(process.stdin, input), daemon=True)
            writer.start()
            try:
                while piece := os.read(process.stdout.fileno(), STREAM_PIECE):
                    yield piece
            finally:  # also when the reader stops early: git then ends on a closed pipe
                process.stdout.close()
                code = process.wait()
                writer.join()
            if code != 0:
                errors.seek(0)
                raise _failed(name, errors.read())

    def config_get(self, key: str) -> str | None:
        result = self.run(["config", "--get", key], check=False)
        return result.stdout.decode().strip() or None if result.returncode == 0 else None

    # -- refs (see Refs) -----------------------------------------------------------------------

    def resolve(self, ref: str) -> str | None:
        """The commit sha a ref points at, or None."""
        return self.references.resolve(ref)

    def object_at(self, ref: str) -> str | None:
        """The object a ref points at, whatever its type, or None when there is no such ref."""
        return self.references.object_at(ref)

    def refs(self, *patterns: str) -> dict[str, str]:
        """Every ref under the given prefixes, mapped to the object it points at."""
        return self.references.refs(*patterns)

    def update_ref(
        self,
        ref: str,
        new: str,
        old: str | None,
        message: str = "wgtool",
        *,
        verify: Mapping[str, str | None] | None = None,
    ) -> None:
        """Move ``ref`` from ``old`` (None: must not exist) to ``new``, or raise LostRace;
        ``verify``: other refs that must still have these values (see :meth:`Refs.update_ref`)."""
        self.references.update_ref(ref, new, old, message, verify=verify)

    def update_refs(self, moves: Moves, message: str) -> bool:
        """Move many refs (none a branch) in one transaction, ``{ref: (new, old)}``; False, and
        nothing moved, when any was not at its old value (see :meth:`Refs.update_refs`)."""
        return self.references.update_refs(moves, message)

    def update_each(self, moves: Moves, message: str) -> set[str]:
        """Move many refs (none a branch) in as few transactions as it takes, each on its own
        account; the refs not moved (see :meth:`Refs.update_each`)."""
        return self.references.update_each(moves, message)

    def adopt_refs(self, moves: Moves, message: str) -> set[str]:
        """Move many refs (none a branch) each on its own account, as :meth:`update_each`
        does, but in one ``packed-refs`` write with every loose ref folded in (see
        :mod:`wgtool.core.record.packed`); the refs not moved. Nothing to move writes
        nothing (the loose refs are folded by the sync's tidying)."""
        if not moves:
            return set()
        self.generation += 1
        return packed_or_git(
            Path(self.repo.common_dir), moves, lambda rest: self.update_each(rest, message)
        )

    def delete_ref(self, ref: str, old: str) -> None:
        self.references.delete_ref(ref, old)

    def is_ancestor(self, ancestor: str, descendant: str) -> bool:
        return self.references.is_ancestor(ancestor, descendant)

    # -- reading objects (see ObjectReader) ----------------------------------------------------

    def commit(self, sha: str) -> CommitInfo:
        return self.reading.commit(sha)

    def commits(self, shas: list[str]) -> dict[str, CommitInfo]:
        """Many commits in one git process (for reading thousands of refs quickly)."""
        return self.reading.commits(shas)

    def records(
        self, args: list[str], fields: list[str], *, input: bytes | None = None
    ) -> list[list[str]]:
        """Run ``git log``-like or ``for-each-ref`` with a format printing ``fields``: one list
        of field values per record (see :meth:`ObjectReader.records`)."""
        return self.reading.records(args, fields, input=input)

    def tags(self) -> list[TagInfo]:
        """Every tag, oldest first, read without trusting what a tag says about its target."""
        return self.reading.tags()

    def objects(self, shas: Iterable[str]) -> dict[str, tuple[str, bytes]]:
        """Type and content of many objects, read in one git process; missing ones left out."""
        return self.reading.objects(shas)

    def object_types(self, shas: Iterable[str]) -> dict[str, str]:
        """The real type of each object that exists (without reading contents)."""
        return self.reading.object_types(shas)

    def object_infos(self, shas: Iterable[str]) -> dict[str, tuple[str, int]]:
        """The real type and the size of each object that exists (without reading contents)."""
        return self.reading.object_infos(shas)

    def read_blob(self, sha: str) -> bytes:
        return self.reading.read_blob(sha)

    def tree_entries(self, tree_sha: str) -> list[tuple[str, int, str]]:
        """(name, mode, sha) of each entry of a tree."""
        return self.reading.tree_entries(tree_sha)

    def lookup(self, commit_sha: str, path: str) -> str | None:
        """The sha of the object at ``path`` in a commit's tree, or None."""
        return self.reading.lookup(commit_sha, path)

    def lookup_in_tree(self, tree_sha: str, path: str) -> str | None:
        return self.reading.lookup_in_tree(tree_sha, path)

    def read_file(self, commit_sha: str, path: str) -> bytes | None:
        return self.reading.read_file(commit_sha, path)

    def list_dir(self, commit_sha: str, path: str) -> list[tuple[str, str]]:
        """(name, blob sha) of the files directly inside ``path`` at a commit."""
        return self.reading.list_dir(commit_sha, path)

    def file_names(self, commits: Iterable[str], path: str) -> dict[str, set[str]]:
        """The names of the files directly inside ``path`` at each commit, in one git process."""
        return self.reading.file_names(commits, path)

    # -- writing objects (see ObjectWriter) ----------------------------------------------------

    def write_blob(self, data: bytes) -> str:
        return self.writing.write_blob(data)

    def write_tree(self, base_tree: str | None, changes: Mapping[str, bytes | None]) -> str:
        """A new tree: ``base_tree`` with each path set to its bytes, or removed when None."""
        return self.writing.write_tree(base_tree, changes)

    def write_commit(
        self,
        tree: str,
        parents: Iterable[str],
        message: str,
        author: Person,
        committer: Person,
    ) -> str:
        return self.writing.write_commit(tree, parents, message, author, committer)

    def write_tag(self, target: str, name: str, message: str, tagger: Person) -> str:
        """An annotated tag object (signed when a signing key is set); the ref is the caller's."""
        return self.writing.write_tag(target, name, message, tagger)

    def sign(self, payload: bytes) -> bytes:
        """An SSH signature of ``payload`` in git's namespace, as git's ``gpg.format=ssh``."""
        return self.writing.sign(payload)

    def merge_trees(self, ours: str, theirs: str) -> str:
        """The tree of a merge of two commits whose changes never touch the same file."""
        return self.writing.merge_trees(ours, theirs)


def _feed(pipe: IO[bytes], data: bytes) -> None:
    """Write ``data`` to a process's input and close it (a thread of its own: git may write
    output before it has read all of its input)."""
    try:
        pipe.write(data)
    except BrokenPipeError:
        pass  # git stopped reading: its exit code says why
    finally:
        try:
            pipe.close()
        except BrokenPipeError:
            pass


def _failed(name: str, stderr: bytes) -> WgError:
    """A git command ``name`` that failed, by the last line it wrote."""
    message = stderr.decode("utf-8", "replace").strip().splitlines()
    return WgError(f"git {name} failed: {message[-1] if message else 'no message'}")
