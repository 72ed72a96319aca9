"""Forging records with plain git, as any member could without wgtool.

Everything here uses git's own plumbing: ``hash-object -w``, ``update-index`` on a scratch
index, ``write-tree``, ``commit-tree`` (``-S`` with an SSH key for signed forgeries), ``mktag``,
``update-ref`` and ``push``. Nothing goes through wgtool, so the tests show what the rulebook
does with objects that wgtool would never write.
"""

from __future__ import annotations

import json
import os
import subprocess
import tempfile
import tomllib
from collections.abc import Callable
from pathlib import Path

import tomli_w

ZERO = "0" * 40


def run_git(
    repo: Path,
    *args: str,
    input: str | bytes | None = None,
    env: dict[str, str] | None = None,
    check: bool = True,
) -> subprocess.CompletedProcess[str]:
    data = input.encode() if isinstance(input, str) else input
    result = subprocess.run(
        ["git", "-C", str(repo), *args],
        input=data,
        capture_output=True,
        env={**os.environ, **(env or {})},
    )
    out = subprocess.CompletedProcess(
        result.args,
        result.returncode,
        result.stdout.decode("utf-8", "replace"),
        result.stderr.decode("utf-8", "replace"),
    )
    if check and result.returncode != 0:
        raise AssertionError(f"git {' '.join(args)} failed: {out.stderr.strip()}")
    return out


def message(title: str, trailers: list[tuple[str, str]], body: str = "") -> str:
    parts = [title] + ([body] if body else [])
    parts.append("\n".join(f"{k}: {v}" for k, v in trailers))
    return "\n\n".join(parts) + "\n"


class Forger:
    """A member at their own clone, writing objects and refs with plain git."""

    def __init__(self, repo: Path, keys: dict[str, Path] | None = None) -> None:
        self.repo = repo
        self.keys = keys or {}

    def git(self, *args: str, **kwargs: object) -> str:
        return run_git(self.repo, *args, **kwargs).stdout.strip()  # type: ignore[arg-type]

    def rev(self, name: str) -> str:
        return self.git("rev-parse", "--verify", name)

    def roster(self, commit: str = "main") -> dict[str, dict[str, object]]:
        data = tomllib.loads(self.git("show", f"{commit}:roster.toml"))
        return {m["handle"]: m for m in data.get("member", [])}

    def roster_with(self, change: Callable[[dict[str, dict[str, object]]], None]) -> str:
        """roster.toml as on main, with ``change`` applied to its members (by handle)."""
        members = self.roster()
        change(members)
        return tomli_w.dumps({"member": list(members.values())})

    def person(self, handle: str) -> tuple[str, str]:
        member = self.roster()[handle]
        return str(member["name"]), str(member["email"])

    def blob(self, data: bytes | str) -> str:
        return self.git("hash-object", "-w", "--stdin", input=data)

    def tree(self, base: str | None, changes: dict[str, bytes | str | None]) -> str:
        """``base`` (a tree-ish, or None for empty) with paths set to content or removed."""
        with tempfile.TemporaryDirectory() as scratch:
            env = {"GIT_INDEX_FILE": str(Path(scratch) / "index")}
            if base is not None:
                run_git(self.repo, "read-tree", base, env=env)
            for path, content in changes.items():
                if content is None:
                    run_git(self.repo, "update-index", "--force-remove", "--", path, env=env)
                else:
                    info = f"100644,{self.blob(content)},{path}"
                    run_git(self.repo, "update-index", "--add", "--cacheinfo", info, env=env)
            return run_git(self.repo, "write-tree", env=env).stdout.strip()

    def commit(
        self,
        tree: str,
        parents: list[str],
        text: str,
        *,
        author: str | tuple[str, str],
        committer: str | tuple[str, str] | None = None,
        sign: str | None = None,
        date: int | None = None,
    ) -> str:
        """A commit by ``author`` (a handle, or name and email), signed with ``sign``'s key,
        dated ``date`` (seconds since the epoch) when given, else now."""
        a_name, a_email = self.person(author) if isinstance(author, str) else author
        who = committer if committer is not None else author
        c_name, c_email = self.person(who) if isinstance(who, str) else who
        env = {
            "GIT_AUTHOR_NAME": a_name,
            "GIT_AUTHOR_EMAIL": a_email,
            "GIT_COMMITTER_NAME": c_name,
            "GIT_COMMITTER_EMAIL": c_email,
        }
        if date is not None:
            env["GIT_AUTHOR_DATE"] = env["GIT_COMMITTER_DATE"] = f"@{date} +0000"
        args = ["commit-tree", tree]
        for parent in parents:
            args += ["-p", parent]
        if sign is not None:
            args = ["-c", "gpg.format=ssh", "-c", f"user.signingkey={self.keys[sign]}", *args, "-S"]
        return run_git(self.repo, *args, input=text, env=env).stdout.strip()

    def tag(
        self, name: str, target: str, *, tagger: str, sign: str | None = None, text: str = "Agreed"
    ) -> str:
        """An annotated tag ``name`` on ``target`` by ``tagger`` (signed with ``sign``'s key)."""
        person_name, email = self.person(tagger)
        args = ["-c", f"user.name={person_name}", "-c", f"user.email={email}"]
        if sign is not None:
            args += ["-c", "gpg.format=ssh", "-c", f"user.signingkey={self.keys[sign]}"]
        self.git(*args, "tag", "-s" if sign else "-a", "-m", text, name, target)
        return self.rev(f"refs/tags/{name}")

    def update_ref(self, ref: str, new: str) -> None:
        self.git("update-ref", ref, new)

    def push(self, *refspecs: str, force: bool = False) -> subprocess.CompletedProcess[str]:
        args = ["push", "--porcelain"] + (["--force"] if force else []) + ["origin", *refspecs]
        return run_git(self.repo, *args, check=False, env={"PATH": "/usr/bin:/bin"})

    def event(
        self,
        amendment: str,
        *,
        member: str,
        type_: str = "comment",
        event_id: str = "forged-1",
        author: str | tuple[str, str] | None = None,
        committer: str | tuple[str, str] | None = None,
        sign: str | None = None,
        group: str | None = None,
        stance: str | None = None,
        text: str = "Forged words",
        extra: dict[str, bytes | str | None] | None = None,
        main: str | None = None,
    ) -> str:
        """An event commit on top of the amendment's events ref, and the ref moved to it."""
        ref = f"refs/wg/events/{amendment}"
        tip = run_git(self.repo, "rev-parse", "--verify", "-q", ref, check=False).stdout.strip()
        roster = self.roster()
        data: dict[str, object] = {
            "id": event_id,
            "amendment": amendment,
            "type": type_,
            "member": member,
            "group": group or roster.get(member, {}).get("group", "governments"),
            "at": 1_800_000_000.0,
            "revision": 1,
            "text": text,
        }
        if stance is not None:
            data["stance"] = stance
        changes: dict[str, bytes | str | None] = {
            f"events/{event_id}.json": json.dumps(data, indent=1, sort_keys=True) + "\n"
        }
        changes.update(extra or {})
        tree = self.tree(tip or None, changes)
        trailers = [
            ("Amendment-Id", amendment),
            ("Event", type_),
            ("Event-Id", event_id),
            ("Member", member),
        ]
        if main is not None:
            trailers.append(("Main", main))
        sha = self.commit(
            tree,
            [tip] if tip else [],
            message(f"{type_} on amendment {amendment}", trailers),
            author=author or member,
            committer=committer,
            sign=sign,
        )
        self.update_ref(ref, sha)
        return sha


def rewrite(
    repo: Path,
    commit: str,
    *,
    tree: str | None = None,
    replace: tuple[str, str] | None = None,
) -> str:
    """``commit`` with one thing changed (its tree, or ``replace``: a text in its message),
    everything else byte for byte: author, committer, their times, parents. What an entitled
    actor does to an honest commit the tool made."""
    raw = run_git(repo, "cat-file", "commit", commit).stdout
    headers, _, text = raw.partition("\n\n")
    lines = [line for line in headers.splitlines() if not line.startswith(("gpgsig", " "))]
    if tree is not None:
        lines = [f"tree {tree}" if line.startswith("tree ") else line for line in lines]
    if replace is not None:
        assert replace[0] in text, (replace, text)
        text = text.replace(replace[0], replace[1], 1)
    body = "\n".join(lines) + "\n\n" + text
    return run_git(repo, "hash-object", "-t", "commit", "-w", "--stdin", input=body).stdout.strip()
