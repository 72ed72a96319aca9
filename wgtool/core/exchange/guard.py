"""The shared remote guards itself: a ``pre-receive`` hook that runs the rulebook on every push.

``wgtool guard install PATH`` writes a hook into the bare repository the working group pushes to.
On every push git runs it with the ref updates on stdin (``<old> <new> <ref>`` lines), before any
ref moves and with the pushed objects still in quarantine (git passes the quarantine to the hook
through its environment, which the git commands run here inherit). The hook execs
``<python> -m wgtool guard check`` with the Python that installed it, so the remote needs nothing
else on its PATH. A push is refused as a whole, with one line per problem, when:

* ``refs/heads/main`` does not fast-forward along its first-parent history, or a new main
  commit breaks the rules;
* an amendment or event ref does not fast-forward, or its chain breaks the rules (event chains
  only ever add), unless what it replaces ends in a commit that breaks the rules and every
  honest commit of it stays (a bad commit pushed before this remote was guarded is dropped);
* a tag is moved, or a new one is not a consensus version the rulebook accepts;
* a ref is deleted, or is anything else;
* a new event breaks a silence whose deadline has passed by this remote's clock: the remote is
  the one clock every member shares, so a member whose clock is slow cannot break a silence
  late (their own wgtool refuses a break its clock says is late; the rulebook refuses any break
  stamped after the deadline);
* a merge or a version concludes a silence before its deadline, by this remote's clock;
* a new amendment is proposed to a draft whose amendment window is closed, by this clock.

:class:`SharedRemote` is the one object the faces use: it makes the empty remote, installs the
hook, writes its script, and judges a push. It is no desk of a working group: the remote is a
bare repository with no checkout and no acting member, and the hook judges pushes before any
working group could be opened on them.
"""

from __future__ import annotations

import json
import shlex
import stat
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Self

from wgtool.core.agreement import Window, utc_iso
from wgtool.core.errors import InvalidInput, Remedy
from wgtool.core.model import Event
from wgtool.core.record.gitstore import ZERO_SHA, GitStore
from wgtool.core.record.messages import parse_message
from wgtool.core.record.rulebook import (
    AMENDMENTS_PREFIX,
    EVENT,
    EVENT_ID,
    EVENT_ID_RE,
    EVENTS_PREFIX,
    MAIN_REF,
    SHA_RE,
    TAGS_PREFIX,
    MainHistory,
    Problem,
    Rulebook,
    draft_chain,
    event_path,
)

HOOK = "pre-receive"
MARK = "-m wgtool guard check"


@dataclass(frozen=True)
class Update:
    """One ref a push would move: from ``old`` to ``new`` (None: absent)."""

    ref: str
    old: str | None
    new: str | None


def hook_text(python: str = sys.executable) -> str:
    return (
        "#!/bin/sh\n"
        "# Installed by 'wgtool guard install': this remote refuses pushes that break the\n"
        "# working group's rules. Delete this file to stop guarding.\n"
        f"exec {shlex.quote(python)} {MARK}\n"
    )


def install(path: Path) -> Path:
    """Install the guard as the ``pre-receive`` hook of the bare repository at ``path``."""
    store = GitStore.open(path, search_parents=False)
    try:
        if store.work_tree is not None:
            raise InvalidInput(
                f"{path} has a working tree: install the guard in the bare repository "
                "that members push to"
            )
        hooks = Path(store.run(["rev-parse", "--git-path", "hooks"]).stdout.decode().strip())
        if not hooks.is_absolute():
            hooks = store.git_dir / hooks
    finally:
        store.close()
    hook = hooks / HOOK
    if hook.exists() and MARK not in hook.read_text("utf-8", "replace"):
        raise InvalidInput(f"{hook} exists and is not wgtool's", remedy=Remedy.CALL_GUARD_CHECK)
    hooks.mkdir(parents=True, exist_ok=True)
    hook.write_text(hook_text())
    hook.chmod(hook.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    return hook


def read_updates(text: str) -> list[Update]:
    """The ``<old> <new> <ref>`` lines git gives a pre-receive hook."""
    updates = []
    for line in text.splitlines():
        parts = line.split(" ", 2)
        if len(parts) != 3 or not (SHA_RE.match(parts[0]) and SHA_RE.match(parts[1])):
            raise InvalidInput(f"not a ref update: {line[:80]!r}")
        old, new, ref = parts
        updates.append(
            Update(ref, None if old == ZERO_SHA else old, None if new == ZERO_SHA else new)
        )
    return updates


def late_breaks(store: GitStore, update: Update, now: float) -> list[Problem]:
    """The breaks of silence among the commits ``update`` brings that arrive after their
    silence's deadline (``now``: this remote's clock)."""
    if update.new is None or not update.ref.startswith(EVENTS_PREFIX):
        return []
    listing = store.run(["rev-list", update.new, *([f"^{update.old}"] if update.old else [])])
    problems = []
    for sha, info in store.commits(listing.stdout.decode().split()).items():
        trailers = parse_message(info.message)[2]
        if trailers.get(EVENT, [""])[-1] != "silence-break":
            continue
        event = _event_in(store, sha, trailers.get(EVENT_ID, [""])[-1])
        silence = _event_in(store, sha, event.target) if event and event.target else None
        if silence is not None and silence.until is not None and now > silence.until:
            problems.append(
                Problem(
                    update.ref,
                    f"breaks silence {silence.id} after its deadline "
                    f"({utc_iso(silence.until)}, by this remote's clock)",
                    sha,
                    f"{info.author_name} <{info.author_email}>",
                )
            )
    return problems


def _event_in(store: GitStore, commit: str, event_id: str) -> Event | None:
    if not EVENT_ID_RE.match(event_id):
        return None
    data = store.read_file(commit, event_path(event_id))
    try:
        parsed = json.loads(data or b"null")
        return Event.from_dict(parsed) if isinstance(parsed, dict) else None
    except (ValueError, KeyError, TypeError):
        return None


def check(store: GitStore, updates: list[Update], now: float | None = None) -> list[str]:
    """What is wrong with a push, one line each; empty when the rulebook accepts all of it.
    ``now``: this remote's clock (the time the push arrives)."""
    arrived = time.time() if now is None else now
    book = Rulebook(store, kept=True)
    problems: list[Problem] = []
    main = store.resolve(MAIN_REF)
    refs: dict[str, str] = {}
    replacing: list[Update] = []
    for update in updates:
        if update.new is None:
            problems.append(Problem(update.ref, "refs are never deleted here"))
        elif update.ref == MAIN_REF:
            history = book.history(update.new)
            position = -1 if update.old is None else history.position(update.old)
            if position is None:
                problems.append(
                    Problem(MAIN_REF, "main only moves forward, along its first-parent history")
                )
                continue
            for commit in history.invalid(after=position):
                problems += [
                    Problem(MAIN_REF, reason, commit.sha, commit.record.author)
                    for reason in commit.problems
                ]
            problems += [
                early_conclusion(MAIN_REF, commit.sha, commit.record.author, commit.deadline)
                for commit in history.commits[position + 1 :]
                if commit.deadline is not None and arrived < commit.deadline
            ]
            main = update.new
        elif update.ref.startswith((AMENDMENTS_PREFIX, EVENTS_PREFIX, TAGS_PREFIX)):
            if update.old is not None and update.ref.startswith(TAGS_PREFIX):
                problems.append(Problem(update.ref, "a consensus version is never moved"))
            elif update.old is not None and not store.is_ancestor(update.old, update.new):
                replacing.append(update)  # judged below, once main is known
            else:
                refs[update.ref] = update.new
                problems += late_breaks(store, update, arrived)
        else:
            problems.append(
                Problem(
                    update.ref,
                    "this working group's remote takes main, refs/wg/amendments/*, "
                    "refs/wg/events/* and refs/tags/<draft>/<version> only",
                )
            )
    history = book.history(main)
    for update in replacing:
        assert update.old is not None and update.new is not None
        if replaces_a_bad_tip(store, book, history, update.ref, update.old, update.new):
            refs[update.ref] = update.new
            continue
        problems.append(Problem(update.ref, "only moves forward (an event chain only ever adds)"))
    verdicts = book.judge_refs(refs, history)
    for ref in sorted(verdicts):
        problems += verdicts[ref]
    tags = {r[len(TAGS_PREFIX) :]: sha for r, sha in refs.items() if r.startswith(TAGS_PREFIX)}
    problems += [
        early_conclusion(TAGS_PREFIX + tag.name, tag.sha, tag.tagger, tag.deadline)
        for tag in book.tags(tags, history)
        if tag.deadline is not None and arrived < tag.deadline
    ]
    problems += closed_windows(store, book, history, updates, refs, arrived)
    return [problem.line() for problem in problems]


def replaces_a_bad_tip(
    store: GitStore, book: Rulebook, history: MainHistory, ref: str, old: str, new: str
) -> bool:
    """Whether moving ``ref`` from ``old`` to ``new`` only drops what breaks the rules: the
    chain here ends in a bad commit (pushed before this remote was guarded), and ``new`` holds
    every honest commit of it."""
    if not book.judge_refs({ref: old}, history)[ref]:
        return False
    return all(store.is_ancestor(tip, new) for tip in book.honest_part(ref, old, history))


def early_conclusion(ref: str, sha: str, who: str | None, deadline: float) -> Problem:
    """A merge or a version that concludes a silence before its deadline by this remote's
    clock (the concluder's clock may say otherwise: this one is the clock all members share)."""
    return Problem(
        ref,
        f"concludes a silence before its deadline ({utc_iso(deadline)}, by this remote's clock)",
        sha,
        who,
    )


def closed_windows(
    store: GitStore,
    book: Rulebook,
    history: MainHistory,
    updates: list[Update],
    refs: dict[str, str],
    now: float,
) -> list[Problem]:
    """The new amendments in a push to a draft whose amendment window is closed by this
    remote's clock (revisions of amendments tabled before go on)."""
    new = {
        u.ref[len(AMENDMENTS_PREFIX) :]: u.new
        for u in updates
        if u.old is None and u.new is not None and u.ref.startswith(AMENDMENTS_PREFIX)
    }
    problems = []
    for amendment, chain in book.amendment_chains(new, history).items():
        if not chain.valid or chain.draft is None:
            continue  # refused for what it is already
        key = draft_chain(chain.draft)
        tip = refs.get(EVENTS_PREFIX + key) or store.resolve(EVENTS_PREFIX + key)
        judged = book.judged_events(key, tip, history, None) if tip else []
        events = [] if isinstance(judged, str) else judged  # a bad chain is refused as such
        windows = sorted((e for e in events if e.type == "window"), key=Event.sort_key)
        window = Window(windows[-1] if windows else None)
        if not window.is_open(now):
            problems.append(
                Problem(
                    AMENDMENTS_PREFIX + amendment,
                    f"proposes an amendment to {chain.draft} while its amendment window is "
                    f"closed ({window.describe(now)}, by this remote's clock)",
                    chain.tip,
                    chain.revisions[0].author if chain.revisions else None,
                )
            )
    return problems


class SharedRemote:
    """The bare repository a working group's members push to, and its guard."""

    def __init__(self, path: Path) -> None:
        self.path = path

    @classmethod
    def create(cls, path: Path) -> Self:
        """An empty bare repository at ``path`` to serve as a working group's remote: no commit
        of its own, so that the first member's sync sends main as it is (main only
        fast-forwards)."""
        if path.exists() and (not path.is_dir() or any(path.iterdir())):
            raise InvalidInput(f"{path} exists and is not an empty folder: choose a new folder")
        GitStore.init(path, bare=True).close()
        return cls(path)

    @staticmethod
    def hook_text(python: str = sys.executable) -> str:
        """The pre-receive hook's script (for hosts that install server hooks their own way)."""
        return hook_text(python)

    def install_guard(self) -> Path:
        """Install the guard as this remote's ``pre-receive`` hook; the hook's path."""
        return install(self.path)

    def check(self, updates: str, now: float | None = None) -> list[str]:
        """What is wrong with a push, one line each (empty when the rulebook accepts all of
        it): ``updates`` are the ``<old> <new> <ref>`` lines git gives the hook; ``now`` is
        this remote's clock."""
        store = GitStore.open(self.path, search_parents=False)
        try:
            return check(store, read_updates(updates), now)
        finally:
            store.close()
