"""A diverged main recovered: the merges made here, made again on top of the remote's main.

Two chairs merging at once on two machines (or one chair on two) each move their own main; the
second to sync finds that main has diverged and can take neither side's history as it is (main
only moves forward). :func:`replay_local_main` keeps what was decided here and re-decides it on
top of what the remote has: main here goes back to the remote's, and each commit main here had
that the remote lacks is made again, in order, through the same desks and the same rulebook:

* a merge is merged again by the acting chair, with the consensus checked again (as recorded
  when it was overridden, or adopted under silence), as orally revised where it was, and as
  proposed where the chair had resolved a conflict (which may conflict again: then the chair
  resolves it anew);
* a revert is made again;
* a secretariat change is made again by the member who made it, where the remote left the files
  it changed as they were.

Nothing merged on either side is lost: the remote's merges are now main's, the merges made here
are merged again or stay open amendments, and main as it was here is kept under
``refs/wgtool/replaced/`` (a local ref no sync sends) until someone deletes it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from wgtool.core import document
from wgtool.core.desks.parts import Desks
from wgtool.core.errors import (
    MergeConflict,
    PermissionDenied,
    StateError,
    SyncError,
    WgError,
)
from wgtool.core.exchange.sync.remote import tracking_prefix
from wgtool.core.model import Kind, Status
from wgtool.core.record.gitstore import GitStore
from wgtool.core.record.rulebook import (
    CONSENSUS,
    MERGE,
    ORALLY_REVISED,
    OVERRIDE_REASON,
    REVERT,
    SECRETARIAT,
    SILENCE,
    MainCommit,
    Rulebook,
)
from wgtool.core.text import block_changes

REPLACED_PREFIX = "refs/wgtool/replaced/"


@dataclass
class Replay:
    """What :func:`replay_local_main` did: one line per commit of main here."""

    kept: str | None = None  # the ref holding main as it was here
    lines: list[str] = field(default_factory=list)


def local_only(store: GitStore, book: Rulebook, remote: str) -> list[MainCommit] | None:
    """The commits of main here that the remote's main lacks, when the two have diverged
    (None when they have not: one holds the other, or the remote has no main)."""
    ours = store.resolve("refs/heads/main")
    theirs = store.resolve(tracking_prefix(remote) + "main")
    if ours is None or theirs is None or ours == theirs:
        return None
    if store.is_ancestor(theirs, ours) or store.is_ancestor(ours, theirs):
        return None
    base = store.run(["merge-base", "--end-of-options", ours, theirs], check=False)
    history = book.history(ours)
    position = history.position(base.stdout.decode().strip() or None)
    if position is None:
        return []  # no shared first-parent history: nothing here can be made again there
    return history.commits[position + 1 :]


def describe(commits: list[MainCommit]) -> str:
    """``merges of amendments 1a2b3c4d, 5e6f7a8b and a secretariat change``."""
    merges = [c.amendment[:8] for c in commits if c.kind == MERGE and c.amendment]
    others = len(commits) - len(merges)
    parts = []
    if merges:
        parts.append(f"merges of amendment{'s' if len(merges) > 1 else ''} {', '.join(merges)}")
    if others:
        parts.append(f"{others} other change(s)")
    return " and ".join(parts) or "no changes"


def replay_local_main(wg: Desks, book: Rulebook, remote: str) -> Replay:
    """Make the commits main here has and the remote's main lacks again on top of the remote's
    main (see the module's documentation). Stops at the first that cannot be made again, with
    that desk's error (a conflict: exit 3), saying what was replayed and what was not."""
    store = wg.record.store
    replay = Replay()
    commits = local_only(store, book, remote)
    if not commits:
        return replay
    theirs = store.resolve(tracking_prefix(remote) + "main")
    assert theirs is not None
    broken = book.history(theirs).invalid()
    if broken:
        raise SyncError(
            f"main on {remote} has commits that break the rules (first: {broken[0].sha[:10]}: "
            f"{broken[0].problems[0]}): nothing was replayed"
        )
    invalid = [c for c in commits if not c.valid or c.kind not in (MERGE, REVERT, SECRETARIAT)]
    if invalid:
        raise SyncError(
            f"main here has {invalid[0].sha[:10]}, which is no merge, revert or secretariat "
            "change that holds: nothing was replayed"
        )
    wg.record.actor()  # a member must be acting: refused before anything moves
    ours = wg.record.main()
    replay.kept = REPLACED_PREFIX + f"main-{ours[:12]}"
    store.update_ref(replay.kept, ours, None, "wgtool sync: main before replaying on the remote")
    wg.record.move_main(theirs, ours)
    wg.record.refresh()
    for done, commit in enumerate(commits):
        try:
            replay.lines.append(_again(wg, store, commit))
        except WgError as error:
            left = ", ".join(c.sha[:10] for c in commits[done + 1 :]) or "none"
            message = (
                f"{error.message}\nReplayed {done} of {len(commits)} change(s) of main here on "
                f"top of {remote}'s main; not replayed: {commits[done].sha[:10]}, then {left}. "
                f"Main as it was here is kept as {replay.kept}"
            )
            if isinstance(error, MergeConflict):
                raise MergeConflict(
                    message,
                    error.conflicts,
                    remedy=error.remedy,
                    amendment=error.amendment,
                    those=error.those,
                    they=error.they,
                ) from None
            kind = type(error) if type(error).__init__ is WgError.__init__ else WgError
            raise kind(message, remedy=error.remedy, subject=error.subject) from None
    return replay


def _again(wg: Desks, store: GitStore, commit: MainCommit) -> str:
    """Make one commit of main here again on main as it is now; one line on what was done."""
    record = commit.record
    if commit.kind == MERGE:
        amendment = wg.amendments.amendment(commit.amendment or "")
        if amendment.status is Status.MERGED:
            return f"amendment {amendment.id}: merged on both sides already"
        options: dict[str, str] = {}
        if record.trailer(CONSENSUS) == "overridden":
            options["override_reason"] = record.trailer(OVERRIDE_REASON) or "Overridden"
        if record.trailer(CONSENSUS) == "silence":
            options["silence"] = record.trailer(SILENCE) or ""
        if record.trailer(ORALLY_REVISED) == "yes":
            options["revised_text"] = _oral_text(wg, record.parents[0], record.sha, amendment.kind)
        merged = wg.merges.merge(amendment.id, **options)
        return f"amendment {amendment.id}: merged again as {merged[:10]}"
    if commit.kind == REVERT:
        amendment = wg.amendments.amendment(commit.amendment or "")
        if amendment.status is not Status.MERGED:
            return f"amendment {amendment.id}: not merged there, nothing to revert"
        reverted = wg.merges.revert(amendment.id, reason=record.body or record.title)
        return f"amendment {amendment.id}: reverted again as {reverted[:10]}"
    return _secretariat_again(wg, store, commit)


def _oral_text(wg: Desks, before: str, after: str, kind: Kind) -> str:
    """The chair's words of an oral revision: the paragraph the merge wrote."""
    amendment_draft = None
    for slug in wg.drafts.draft_slugs(after):
        if wg.drafts.draft_text_at(before, slug) != wg.drafts.draft_text_at(after, slug):
            amendment_draft = slug
    old = wg.drafts.draft_text_at(before, amendment_draft or "") or ""
    new = wg.drafts.draft_text_at(after, amendment_draft or "") or ""
    if kind is Kind.DOCUMENT:
        raise StateError("an oral revision of a whole-draft amendment is made again by hand")
    changes = block_changes(old, new)
    blocks = document.blocks(new)
    written = [blocks[i].text for change in changes for i in range(*change.new)]
    if len(written) != 1:
        raise StateError("the oral revision spans several paragraphs: merge it again by hand")
    return written[0]


def _secretariat_again(wg: Desks, store: GitStore, commit: MainCommit) -> str:
    record = commit.record
    actor = wg.record.require("change settings")  # a secretariat member, signing where required
    if commit.member != actor.handle:
        raise PermissionDenied(
            f"{record.sha[:10]} ({record.title!r}) was made by {commit.member}: they replay it"
        )
    base = record.parents[0]
    files = {change.path: store.read_file(record.sha, change.path) for change in record.changes}

    def build(main: str) -> dict[str, bytes | None]:
        for path in files:
            if store.lookup(main, path) != store.lookup(base, path):
                raise StateError(
                    f"{record.sha[:10]} ({record.title!r}) changed {path}, which also changed "
                    "on the remote: make that change again by hand"
                )
        return files

    person = wg.record.person(actor)
    made = wg.record.commit_main(build, record.message, person, person)
    return f"{record.title}: made again as {made[:10]}"
