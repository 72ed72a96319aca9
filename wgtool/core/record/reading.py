"""Reading objects: one commit or tree through GitPython's object database, many at once in
one git process (``git log --stdin``, ``git cat-file --batch``), tags without trusting them."""

from __future__ import annotations

import re
from collections.abc import Iterable

import git
from git.objects.fun import tree_entries_from_data
from gitdb.util import bin_to_hex, hex_to_bin

from wgtool.core.record.messages import record_mark
from wgtool.core.record.objects import TREE_MODE, CommitInfo, RunGit, TagInfo

FEW = 16  # objects asked of GitPython's running cat-file rather than of a git process
_HEX_SHA = re.compile(r"[0-9a-f]{40}")
_TAGGER_RE = re.compile(r"^(.*?) <(.*)> (\d+) [+-]\d{4}$")
_SIGNATURE_RE = re.compile(r"^-----BEGIN (?:SSH|PGP) SIGNATURE-----$", re.MULTILINE)


class ObjectReader:
    """The store's reads of objects, given the repository and the store's way of running git."""

    def __init__(self, repo: git.Repo, run: RunGit) -> None:
        self.repo = repo
        self.run = run

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
        headers = {sha: parse_tag(data) for sha, (_, data) in annotated.items()}
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
        return {sha: kind for sha, (kind, _) in self.object_infos(shas).items()}

    def object_infos(self, shas: Iterable[str]) -> dict[str, tuple[str, int]]:
        """The real type and the size of each object that exists (without reading contents):
        up to :data:`FEW` asked of the ``cat-file`` process GitPython keeps running, more in
        one git process of their own (starting one costs more than a few questions)."""
        wanted = list(dict.fromkeys(shas))
        if len(wanted) <= FEW and all(_HEX_SHA.fullmatch(sha) for sha in wanted):
            found: dict[str, tuple[str, int]] = {}
            for sha in wanted:
                try:
                    info = self.repo.odb.info(hex_to_bin(sha))
                except ValueError:  # missing
                    continue
                found[sha] = (info.type.decode(), info.size)
            return found
        if not wanted:
            return {}
        output = self.run(
            ["cat-file", "--batch-check=%(objectname) %(objecttype) %(objectsize)"],
            input=("\n".join(wanted) + "\n").encode(),
        ).stdout.decode()
        infos = {}
        for sha, line in zip(wanted, output.splitlines(), strict=True):
            name, _, rest = line.partition(" ")
            kind, _, size = rest.partition(" ")
            if name == sha and kind != "missing" and size.isdigit():
                infos[sha] = (kind, int(size))
        return infos

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
            names[commit] = file_names_in_tree(data) if kind == "tree" else set()
        return names


def file_names_in_tree(data: bytes) -> set[str]:
    """The names of the entries of a tree object that are not trees, read as git writes them
    (``<octal mode> <name>\\0<20-byte sha>`` each); ValueError when an entry is cut short.
    GitPython's parser also vets every name, which costs more than the rest together."""
    names: set[str] = set()
    at, end = 0, len(data)
    while at < end:
        space = data.find(b" ", at)
        nul = data.find(b"\0", space + 1) if space >= 0 else -1
        if nul < 0 or nul + 21 > end:
            raise ValueError("Truncated tree entry")
        if int(data[at:space], 8) != TREE_MODE:
            names.add(data[space + 1 : nul].decode("utf-8", "surrogateescape"))
        at = nul + 21
    return names


def parse_tag(data: bytes) -> tuple[str, str, str, int, str]:
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
