"""The report of ``verify``, and the verdict on a whole record kept between runs.

A record is what its refs name: main, ``refs/wg/*`` and ``refs/tags/*``. Object ids are hashes
of their content, so one listing of those refs (names and ids) names the same commits, trees,
blobs and tags every time, and the rulebook's verdict on them cannot differ. A commit changed
with plain git (one word, one trailer, one file, with the same author, committer and parents)
has another id, so the ref that names it, and the listing, change. ``verify`` keeps a clean
report under a hash of the listing and of the rules' version (:data:`RULES`), in the same
``verdicts.sqlite`` as the rulebook's own kept verdicts; a record unchanged since then is
answered with one ``git for-each-ref`` and one SQLite look-up. A report with problems is never
kept (objects a chain names may arrive later): it is judged again every time.

The kept report is as trustworthy as ``.git/wgtool``: whoever can write that folder can write a
row that says "clean" for a record of their making. ``wgtool verify --full`` ignores every kept
verdict and judges the whole record again: it is the audit for a clone others can write to.

Only the standard library is imported here: :mod:`wgtool.launch` answers a plain ``verify``
from this module before the command line (click, GitPython, SQLAlchemy) is imported.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import subprocess
from pathlib import Path

from wgtool.core.record.kept_codes import FILE, VERSION, encode_key, lay_out
from wgtool.core.record.rules_version import RULES

RECORD_REFS = ("refs/heads/main", "refs/wg/", "refs/tags/")
LISTING = ["for-each-ref", "--format=%(objectname) %(refname)", *RECORD_REFS]
VERDICTS = FILE  # in .git/wgtool, as the rulebook's kept verdicts, in the same layout
ALLOWED_SIGNERS = "allowed_signers"


class VerifyReport:
    """What ``wgtool verify`` found. A plain class rather than a dataclass: a verify answered
    from the kept report imports neither :mod:`dataclasses` nor :mod:`inspect` (18 ms, a sixth
    of that whole run)."""

    __slots__ = (
        "commits",
        "tags",
        "signatures",
        "problems",
        "allowed_signers",
        "merges",
        "overridden",
    )

    def __init__(
        self,
        commits: int = 0,
        tags: int = 0,
        signatures: int = 0,
        problems: list[str] | None = None,
        allowed_signers: Path | None = None,
        merges: int = 0,
        overridden: list[str] | None = None,  # one line per merge without consensus
    ) -> None:
        self.commits = commits
        self.tags = tags
        self.signatures = signatures
        self.problems: list[str] = [] if problems is None else problems
        self.allowed_signers = allowed_signers
        self.merges = merges
        self.overridden: list[str] = [] if overridden is None else overridden

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, VerifyReport):
            return NotImplemented
        return all(getattr(self, name) == getattr(other, name) for name in self.__slots__)

    __hash__ = None  # type: ignore[assignment]  # mutable, as a dataclass with eq is

    def __repr__(self) -> str:
        fields = ", ".join(f"{name}={getattr(self, name)!r}" for name in self.__slots__)
        return f"VerifyReport({fields})"

    def lines(self) -> list[str]:
        checked = f"checked {_count(self.commits, 'commit')} and {_count(self.tags, 'tag')}"
        if self.signatures:
            checked += f", {_count(self.signatures, 'signature')}"
        if not self.problems:
            lines = [f"{checked}: every change is attributed to a member entitled to make it"]
        else:
            lines = [f"{checked}: {_count(len(self.problems), 'problem')}", *self.problems]
        if self.merges:
            lines.append(
                f"{_count(self.merges, 'merge')} on main, "
                f"{len(self.overridden)} adopted with consensus overridden by the chair"
                + (":" if self.overridden else "")
            )
            lines += self.overridden
        if self.allowed_signers is not None:
            lines.append(
                f"The roster's keys over time are in {self.allowed_signers}; to let plain git "
                f"check signatures: git config gpg.ssh.allowedSignersFile {self.allowed_signers}"
            )
        return lines

    def to_dict(self) -> dict[str, object]:
        """The report as ``wgtool verify --json`` prints it (``ok``: no problem found)."""
        return {
            "ok": not self.problems,
            "commits": self.commits,
            "tags": self.tags,
            "signatures": self.signatures,
            "problems": list(self.problems),
            "merges": self.merges,
            "overridden": list(self.overridden),
            "allowed_signers": None if self.allowed_signers is None else str(self.allowed_signers),
        }


def record_key(listing: bytes) -> str:
    """The key of the verdict on the record that ``listing`` (the output of :data:`LISTING`)
    names, under the rules of this wgtool."""
    return f"{RULES}:record:" + hashlib.sha256(listing).hexdigest()


def kept_report(wgtool_dir: Path, key: str) -> VerifyReport | None:
    """The clean report kept under ``key`` (its allowed signers written again where they were
    removed); None when there is none, or when the row is not one :func:`keep_report` wrote
    (damaged, or edited by hand): the record is then judged again."""
    path = wgtool_dir / VERDICTS
    if not path.is_file():
        return None
    try:
        db = sqlite3.connect(path.as_uri() + "?mode=ro", uri=True, timeout=5)
        try:
            row = None
            if db.execute("PRAGMA user_version").fetchone()[0] == VERSION:
                query = "SELECT verdict FROM kept WHERE key = ?"
                row = db.execute(query, (encode_key(key),)).fetchone()
        finally:
            db.close()
        kept = json.loads(row[0]) if row is not None and isinstance(row[0], str) else None
    except (sqlite3.Error, ValueError):
        return None
    return _report(kept, wgtool_dir)


def keep_report(wgtool_dir: Path, key: str, report: VerifyReport) -> None:
    """Keep a clean ``report`` under ``key`` (a report with problems is never kept). A cache:
    when it cannot be written, the next run judges the record again."""
    if report.problems:
        return
    signers = None
    if report.allowed_signers is not None:
        signers = report.allowed_signers.read_text()
    row = {**report.to_dict(), "allowed_signers": signers}
    try:
        wgtool_dir.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(wgtool_dir / VERDICTS, timeout=5, isolation_level=None)
        try:
            version = db.execute("PRAGMA user_version").fetchone()[0]
            if version == 0 and db.execute("SELECT 1 FROM sqlite_master").fetchone() is None:
                lay_out(db)  # a new file, laid out as the rulebook's kept verdicts are
            elif version != VERSION:
                return  # another wgtool's file: the rulebook's kept verdicts replace it
            verdict = json.dumps(row, separators=(",", ":"))
            db.execute("INSERT OR REPLACE INTO kept VALUES (?, ?)", (encode_key(key), verdict))
        finally:
            db.close()
    except (sqlite3.Error, OSError):
        pass


def quick_report(repo: str | None) -> VerifyReport | None:
    """The kept clean report on the repository at ``repo`` (None: the current folder), with no
    more than two git processes and one SQLite look-up; None when the record must be judged."""
    where = ["-C", repo] if repo is not None else []
    found = subprocess.run(
        ["git", *where, "rev-parse", "--absolute-git-dir"], capture_output=True, check=False
    )
    if found.returncode != 0:
        return None
    git_dir = found.stdout.decode("utf-8", "surrogateescape").rstrip("\n")
    wgtool_dir = Path(git_dir) / "wgtool"
    if not (wgtool_dir / VERDICTS).is_file():
        return None
    listing = subprocess.run(
        ["git", "--git-dir", git_dir, *LISTING], capture_output=True, check=False
    )
    if listing.returncode != 0:
        return None
    return kept_report(wgtool_dir, record_key(listing.stdout))


def _report(kept: object, wgtool_dir: Path) -> VerifyReport | None:
    if not isinstance(kept, dict) or kept.get("ok") is not True or kept.get("problems") != []:
        return None
    counts = [kept.get(name) for name in ("commits", "tags", "signatures", "merges")]
    overridden, signers = kept.get("overridden"), kept.get("allowed_signers")
    if (
        not all(type(count) is int and count >= 0 for count in counts)
        or not isinstance(overridden, list)
        or not all(isinstance(line, str) for line in overridden)
        or not (signers is None or isinstance(signers, str))
    ):
        return None
    path = None
    if signers is not None:
        path = wgtool_dir / ALLOWED_SIGNERS
        try:
            if not path.is_file() or path.read_text() != signers:
                path.write_text(signers)
        except (OSError, ValueError):
            return None
    commits, tags, signatures, merges = (int(str(count)) for count in counts)
    return VerifyReport(commits, tags, signatures, [], path, merges, list(overridden))


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"
