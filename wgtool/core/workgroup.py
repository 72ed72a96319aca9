"""Use cases: everything a member, the chair or the secretariat does, as plain functions.

The CLI and the TUI call these and nothing lower. Each write builds objects with plumbing and
moves one ref with a compare-and-swap; a lost race re-reads and tries again.
"""

from __future__ import annotations

import json
import os
import secrets
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
from pathlib import Path

from wgtool.core import config, document, faults, merging, rulebook, signing, validate
from wgtool.core.config import Roster
from wgtool.core.consensus import compute_consensus
from wgtool.core.errors import (
    InvalidInput,
    MergeConflict,
    NoConsensus,
    NotFound,
    PermissionDenied,
    StateError,
    WgError,
)
from wgtool.core.gitstore import (
    GitStore,
    LostRace,
    Person,
    format_message,
    parse_message,
    retry_cas,
)
from wgtool.core.index import Index
from wgtool.core.merging import MergePlan
from wgtool.core.model import (
    Adoption,
    Amendment,
    Consensus,
    Draft,
    Event,
    Kind,
    Member,
    Role,
    Settings,
    Stance,
    Status,
    Version,
)
from wgtool.core.rulebook import (
    ACTION,
    AMENDMENTS_PREFIX,
    DRAFTS_DIR,
    EVENTS_PREFIX,
    JOIN_ACTION,
    MAIN,
    MAIN_REF,
    SHA_RE,
    TAGS_PREFIX,
    Rulebook,
    draft_path,
)
from wgtool.core.text import DiffOp, merge3, word_diff


def new_id() -> str:
    """A short random id: unique across machines without coordination, shown like a git sha."""
    return secrets.token_hex(4)


def now() -> int:
    return int(time.time())


@dataclass(frozen=True)
class DraftSummary:
    slug: str
    title: str
    paragraphs: int
    open_amendments: int
    versions: tuple[str, ...]

    def to_dict(self) -> dict[str, object]:
        return {
            "slug": self.slug,
            "title": self.title,
            "paragraphs": self.paragraphs,
            "open_amendments": self.open_amendments,
            "versions": list(self.versions),
        }


@dataclass(frozen=True)
class AmendmentChange:
    """What an amendment changes, for display: the old and new text of its target."""

    old: str
    new: str
    diff: tuple[DiffOp, ...]


@dataclass(frozen=True)
class Thread:
    """A comment with its replies, in stable order."""

    comment: Event
    replies: tuple[Thread, ...]


class WorkingGroup:
    """One working group's repository, seen by one acting member."""

    def __init__(
        self,
        store: GitStore,
        actor: str | None = None,
        *,
        notify: Callable[[str], object] | None = None,
    ) -> None:
        self.store = store
        # One-line notices about things wgtool repaired on its own (an index rebuilt, a working
        # tree brought up to date): given to ``notify``, else kept in ``notices``.
        self.notices: list[str] = []
        self.notify: Callable[[str], object] = notify or self.notices.append
        self.index = Index(store, notify=lambda message: self.notify(message))
        self._actor_handle = actor
        self._cache_main: str | None = None
        self._cache_settings: Settings | None = None
        self._cache_roster: Roster | None = None
        # The consensus versions, as judged for (main, tags).
        self._cache_versions: tuple[object, list[Version]] | None = None
        self._refreshed = False

    # -- opening -------------------------------------------------------------------------------

    @classmethod
    def open(
        cls,
        path: str | os.PathLike[str] | None = None,
        actor: str | None = None,
        *,
        notify: Callable[[str], object] | None = None,
    ) -> WorkingGroup:
        location = path or os.environ.get("WGTOOL_REPO") or os.getcwd()
        store = GitStore.open(location)
        main = store.resolve(MAIN_REF)
        if main is None or store.lookup(main, config.SETTINGS_PATH) is None:
            store.close()
            raise NotFound(
                f"{os.fspath(location)} is not a wgtool working group (no wg.toml on main): "
                "run 'wgtool init PATH'"
            )
        wg = cls(store, actor or os.environ.get("WGTOOL_MEMBER") or None, notify=notify)
        wg._catch_up_worktree(main)
        return wg

    @classmethod
    def init(
        cls,
        path: Path,
        *,
        title: str = "Working group",
        example: bool = False,
        bare: bool = False,
    ) -> WorkingGroup:
        path = Path(path)
        if path.exists() and any(path.iterdir()):
            raise InvalidInput(f"{path} exists and is not empty: choose a new folder")
        title = validate.one_line(title, "title")
        store = GitStore.init(path, bare=bare)
        settings = Settings(title=title, groups=dict(config.DEFAULT_GROUPS))
        files: dict[str, bytes | None] = {
            config.SETTINGS_PATH: config.dump_settings(settings).encode()
        }
        roster_text = "# The members of the working group; changed with 'wgtool member add'.\n"
        if example:
            from wgtool.example import example_drafts, example_roster

            roster_text = example_roster()
            for slug, text in example_drafts().items():
                files[draft_path(slug)] = text.encode()
        files[config.ROSTER_PATH] = roster_text.encode()
        person = _setup_person(store)
        tree = store.write_tree(None, files)
        message = format_message(
            f"Start the working group: {title}",
            "Settings, roster and drafts are kept on main; amendments and their "
            "deliberation under refs/wg/.",
            [("Action", "init")],
        )
        commit = store.write_commit(tree, [], message, person, person)
        store.update_ref(MAIN_REF, commit, None, "wgtool init")
        store.run(["symbolic-ref", "HEAD", MAIN_REF])
        wg = cls(store)
        wg._update_worktree(None, commit)
        return wg

    def close(self) -> None:
        self.index.close()
        self.store.close()

    def __enter__(self) -> WorkingGroup:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- state at main -------------------------------------------------------------------------

    def main(self) -> str:
        sha = self.store.resolve(MAIN_REF)
        if sha is None:
            raise NotFound("the repository has no main branch: run 'wgtool init PATH'")
        return sha

    def _load_main(self) -> None:
        main = self.main()
        if main != self._cache_main:
            settings_data = self.store.read_file(main, config.SETTINGS_PATH)
            roster_data = self.store.read_file(main, config.ROSTER_PATH)
            settings, roster = config.parse_config(settings_data or b"", roster_data or b"")
            self._cache_main, self._cache_settings, self._cache_roster = main, settings, roster

    @property
    def settings(self) -> Settings:
        self._load_main()
        assert self._cache_settings is not None
        return self._cache_settings

    @property
    def roster(self) -> Roster:
        self._load_main()
        assert self._cache_roster is not None
        return self._cache_roster

    def actor(self) -> Member:
        """The acting member: --as / WGTOOL_MEMBER, else the roster member with git's email."""
        roster = self.roster
        if self._actor_handle:
            return roster.get(self._actor_handle)
        email = self.store.config_get("user.email")
        if email:
            member = roster.by_email(email)
            if member is not None:
                return member
        raise NotFound(
            "who is acting? give --as HANDLE or set WGTOOL_MEMBER "
            "(or set git's user.email to a roster member's email)"
        )

    def act_as(self, handle: str | None) -> None:
        if handle is not None:
            self.roster.get(handle)
        self._actor_handle = handle

    def _own_open_amendment(self, amendment_id: str, action: str) -> tuple[Member, Amendment]:
        """The acting member and their own open amendment, for revise and withdraw."""
        actor = self._require(action)
        amendment = self.amendment(amendment_id)
        if amendment.proposer != actor.handle:
            raise PermissionDenied(
                f"only the proposer ({amendment.proposer}) can {action} amendment {amendment.id}"
            )
        _require_open(amendment, action, lapsed_too=action == "withdraw")
        return actor, amendment

    def _open_state(
        self, amendment_id: str, verb: str, *, lapsed_too: bool = False
    ) -> tuple[Amendment, dict[str, str]]:
        """The amendment as the freshly refreshed index has it, refused unless it is open (or
        lapsed, with ``lapsed_too``), and the ref tips the index read (for a write to verify
        that nothing moved since)."""
        tips = self.index.refresh()
        current = self.index.amendment(amendment_id)
        if current is None:
            raise NotFound(f"no amendment {amendment_id!r}: see 'wgtool amendments'")
        _require_open(current, verb, lapsed_too=lapsed_too)
        return current, tips

    def _require(self, action: str) -> Member:
        member = self.actor()
        rulebook.require(member, action)
        self._arm_signing(member)
        return member

    def _arm_signing(self, member: Member) -> None:
        """Where the working group requires signatures, sign what ``member`` writes next."""
        if self.settings.signatures != "required":
            self.store.signing_key = None
            return
        self.store.signing_key = signing.key_for(self.store, member)

    def can(self, action: str) -> bool:
        try:
            return rulebook.allowed(self.actor(), action)
        except WgError:
            return False

    def refresh(self) -> None:
        self.index.refresh()

    # -- writing helpers -----------------------------------------------------------------------

    def _person(self, member: Member, timestamp: int | None = None) -> Person:
        return Person(member.name, member.email, timestamp or now())

    def _trailers(self, member: Member, *extra: tuple[str, str]) -> list[tuple[str, str]]:
        return [*extra, ("Member", member.handle), ("Stakeholder-Group", member.group)]

    def _commit_main(
        self,
        build: Callable[[str], dict[str, bytes | None]],
        message: str,
        author: Person,
        committer: Person,
    ) -> str:
        """Commit a change to main: ``build(main_sha)`` returns the file changes."""

        def attempt() -> str:
            old = self.main()
            changes = build(old)
            tree = self.store.write_tree(self.store.commit(old).tree, changes)
            commit = self.store.write_commit(tree, [old], message, author, committer)
            self._move_main(commit, old)
            return commit

        return retry_cas(attempt)

    def _move_main(
        self, new: str, old: str, *, verify: Mapping[str, str | None] | None = None
    ) -> None:
        clean = self._worktree_clean()
        if clean:
            # Should this process die before the working tree follows main, the next command
            # finds the tree still at ``old`` and brings it up to date (_catch_up_worktree).
            self._record_worktree(old)
        self.store.update_ref(MAIN_REF, new, old, "wgtool", verify=verify)
        faults.crash_point("after-main-update")
        self._cache_main = None
        if clean:
            self._update_worktree(old, new)

    def _worktree_clean(self) -> bool:
        if self.store.work_tree is None:
            return False
        head = self.store.run(["symbolic-ref", "-q", "HEAD"], check=False).stdout.decode().strip()
        if head != MAIN_REF:
            return False
        status = self.store.run(["status", "--porcelain", "--untracked-files=no"], check=False)
        return status.returncode == 0 and not status.stdout.strip()

    def _update_worktree(self, old: str | None, new: str) -> None:
        if self.store.work_tree is None:
            return
        if old is None:
            result = self.store.run(["read-tree", "--reset", "-u", new], check=False)
        else:
            result = self.store.run(["read-tree", "-m", "-u", old, new], check=False)
        if result.returncode == 0:
            self._record_worktree(new)

    @property
    def _worktree_record(self) -> Path:
        """Where wgtool notes the main commit it last brought the working tree to."""
        return self.store.git_dir / "wgtool" / "worktree"

    def _recorded_worktree(self) -> str | None:
        try:
            recorded = self._worktree_record.read_text().strip()
        except (OSError, UnicodeDecodeError):
            return None
        return recorded if SHA_RE.match(recorded) else None

    def _record_worktree(self, commit: str) -> None:
        """Note the commit the working tree is at (best effort: without it, no catching up)."""
        if self.store.work_tree is None or self._recorded_worktree() == commit:
            return
        record = self._worktree_record
        partial = record.with_name(f".worktree.{os.getpid()}")
        try:
            record.parent.mkdir(parents=True, exist_ok=True)
            partial.write_text(commit + "\n")
            partial.replace(record)
        except OSError:
            partial.unlink(missing_ok=True)

    def _catch_up_worktree(self, main: str) -> None:
        """Bring a working tree that a command left behind main (it died before updating the
        tree) up to date: only when the tree is exactly as wgtool left it, so that no local
        change is ever overwritten."""
        if self.store.work_tree is None:
            return
        recorded = self._recorded_worktree()
        if recorded is None or main == recorded:
            return
        head = self.store.run(["symbolic-ref", "-q", "HEAD"], check=False).stdout.decode().strip()
        if head != MAIN_REF:
            return
        self.store.run(["update-index", "-q", "--refresh"], check=False)
        staged = self.store.run(["diff-index", "--cached", "--quiet", recorded, "--"], check=False)
        edited = self.store.run(["diff-files", "--quiet"], check=False)
        if staged.returncode != 0 or edited.returncode != 0:
            return  # changed since (by hand, or by git itself): not ours to touch
        if self.store.run(["read-tree", "-m", "-u", recorded, main], check=False).returncode == 0:
            self._record_worktree(main)
            self.notify(
                "the working tree was behind main (an earlier command was interrupted): "
                "brought it up to date"
            )

    def _made_against(self, member: Member, parent: str | None) -> str:
        """The main commit a new revision or event names in its ``Main:`` trailer (whose roster
        it answers to, see the rulebook); ``parent`` is the commit it will follow.

        Main as it is here, when the remotes have it too. Where main here has commits a remote
        lacks (not sent yet, or diverged), the newest commit both share, or else the remote's
        main: one the others can judge now, whose roster says the same of ``member``, and not
        older than the one ``parent`` names (the rulebook refuses that).
        """
        main = self.main()
        remotes = list(self.store.refs("refs/remotes/*/main").values())
        floor = self._named_main(parent)
        for candidate in self._main_candidates(main, remotes):
            if remotes and not any(self.store.is_ancestor(candidate, r) for r in remotes):
                continue
            if floor is not None and not self.store.is_ancestor(floor, candidate):
                continue
            if candidate == main:
                return main
            there = Rulebook(self.store, audit=False).config_of_tree(
                self.store.commit(candidate).tree
            )
            if not isinstance(there, str) and there.roster.members.get(member.handle) == member:
                return candidate
        return main

    def _main_candidates(self, main: str, remotes: list[str]) -> Iterator[str]:
        yield main
        for theirs in remotes:
            base = self.store.run(["merge-base", "--end-of-options", main, theirs], check=False)
            if base.stdout.strip():
                yield base.stdout.decode().strip()
            yield theirs

    def _named_main(self, commit: str | None) -> str | None:
        """The main commit a revision or event says it was made against (``Main:``), if any;
        for a join of two event chains, the later of those its two sides name."""
        if commit is None:
            return None
        info = self.store.commit(commit)
        _, _, trailers = parse_message(info.message)
        if trailers.get(ACTION, [None])[-1] == JOIN_ACTION:
            sides = [m for m in map(self._named_main, info.parents) if m is not None]
            return max(
                sides, key=lambda m: sum(self.store.is_ancestor(o, m) for o in sides), default=None
            )
        named = trailers.get(MAIN, [None])[-1]
        return named if named is not None and SHA_RE.match(named) else None

    # -- roster --------------------------------------------------------------------------------

    def members(self) -> list[Member]:
        return list(self.roster)

    def add_member(
        self,
        handle: str,
        *,
        name: str,
        email: str,
        group: str,
        roles: Iterable[str] = ("member",),
        ssh_key: str = "",
    ) -> Member:
        roster = self.roster
        member = config.make_member(
            handle=handle,
            name=name,
            email=email,
            group=group,
            roles=roles,
            groups=self.settings.groups,
            ssh_key=signing.normalise_public_key(ssh_key) if ssh_key else "",
        )
        if len(roster):
            actor = self._require("add member")
        else:
            # The first member founds the roster; someone must be able to change it afterwards.
            if not member.has(Role.SECRETARIAT):
                raise InvalidInput(
                    "the first member founds the roster and needs the secretariat "
                    "role: add --role secretariat"
                )
            actor = member
        roster.with_member(member)  # refuse duplicates before writing anything

        def build(main: str) -> dict[str, bytes | None]:
            self._cache_main = None
            current = self.roster.with_member(member)
            return {config.ROSTER_PATH: config.dump_roster(current).encode()}

        message = format_message(
            f"Add {member.name} ({member.handle}) to the roster",
            f"Group: {self.settings.groups[member.group]}. Roles: "
            f"{', '.join(r.value for r in member.roles)}.",
            self._trailers(actor, ("Action", "add-member"), ("Added-Member", member.handle)),
        )
        person = self._person(actor)
        self._commit_main(build, message, person, person)
        return member

    def set_member_key(self, handle: str, public_key: str) -> Member:
        """Record a member's SSH public key, which then verifies their signatures (secretariat)."""
        actor = self._require("add member")
        key = signing.normalise_public_key(public_key)
        target = self.roster.get(handle)

        def build(main: str) -> dict[str, bytes | None]:
            self._cache_main = None
            roster = self.roster
            roster.get(handle)
            updated = config.Roster(
                replace(m, ssh_key=key) if m.handle == handle else m for m in roster
            )
            return {config.ROSTER_PATH: config.dump_roster(updated).encode()}

        message = format_message(
            f"Record the SSH key of {target.name} ({handle})",
            key,
            self._trailers(actor, ("Action", "member-key"), ("Changed-Member", handle)),
        )
        person = self._person(actor)
        self._commit_main(build, message, person, person)
        return self.roster.get(handle)

    def update_settings(
        self,
        *,
        signatures: str | None = None,
        min_supporting_groups: int | None = None,
        max_objecting_groups: int | None = None,
        require_all_groups_heard: bool | None = None,
    ) -> Settings:
        """Change the consensus rule or the signature requirement (secretariat)."""
        actor = self._require("change settings")
        current = self.settings
        if signatures is not None and signatures not in config.SIGNATURE_MODES:
            raise InvalidInput(f"signatures must be one of {', '.join(config.SIGNATURE_MODES)}")
        for value, what in (
            (min_supporting_groups, "supporting groups"),
            (max_objecting_groups, "objecting groups"),
        ):
            if value is not None and not 0 <= value <= len(current.groups):
                raise InvalidInput(f"{what} must be between 0 and {len(current.groups)}")
        if signatures == "required":
            missing = [m.handle for m in self.roster if not m.ssh_key]
            if missing:
                raise InvalidInput(
                    "every member needs an SSH key before signatures are required;"
                    f" missing: {', '.join(missing)}"
                )
        rule = current.consensus
        updated = replace(
            current,
            signatures=signatures if signatures is not None else current.signatures,
            consensus=replace(
                rule,
                min_supporting_groups=(
                    rule.min_supporting_groups
                    if min_supporting_groups is None
                    else min_supporting_groups
                ),
                max_objecting_groups=(
                    rule.max_objecting_groups
                    if max_objecting_groups is None
                    else max_objecting_groups
                ),
                require_all_groups_heard=(
                    rule.require_all_groups_heard
                    if require_all_groups_heard is None
                    else require_all_groups_heard
                ),
            ),
        )
        if updated == current:
            raise InvalidInput("nothing to change: the settings already read like this")
        text = config.dump_settings(updated).encode()
        message = format_message(
            "Change the working group's settings",
            f"Consensus: {updated.consensus.describe()}. Signatures: {updated.signatures}.",
            self._trailers(actor, ("Action", "settings")),
        )
        person = self._person(actor)
        self._commit_main(lambda main: {config.SETTINGS_PATH: text}, message, person, person)
        return self.settings

    # -- drafts --------------------------------------------------------------------------------

    def draft_slugs(self, commit: str | None = None) -> list[str]:
        names = self.store.list_dir(commit or self.main(), DRAFTS_DIR)
        return sorted(n.removesuffix(".md") for n, _ in names if n.endswith(".md"))

    def draft(self, slug: str, version: str | None = None) -> Draft:
        validate.name(slug, "draft")
        if version is not None:
            commit = self.version(slug, version).commit
        else:
            commit = self.main()
        data = self.store.read_file(commit, draft_path(slug))
        if data is None:
            where = f"at version {version}" if version else "on main"
            raise NotFound(f"no draft {slug!r} {where}: see 'wgtool draft list'")
        text = data.decode("utf-8", "replace")
        return Draft(slug=slug, title=document.title(text) or slug, text=text)

    def draft_text_at(self, commit: str, slug: str) -> str | None:
        data = self.store.read_file(commit, draft_path(slug))
        return None if data is None else data.decode("utf-8", "replace")

    def drafts(self) -> list[DraftSummary]:
        self.refresh()
        main = self.main()
        versions = self.all_versions()
        result = []
        for slug in self.draft_slugs(main):
            text = self.draft_text_at(main, slug) or ""
            result.append(
                DraftSummary(
                    slug=slug,
                    title=document.title(text) or slug,
                    paragraphs=len(document.paragraphs(text)),
                    open_amendments=len(
                        self.index.amendments(draft=slug, status=Status.OPEN.value)
                    ),
                    versions=tuple(v.name for v in versions if v.draft == slug),
                )
            )
        return result

    def add_draft(self, slug: str, *, title: str, text: str) -> Draft:
        validate.name(slug, "draft")
        title = validate.one_line(title, "title")
        text = validate.text(text, "draft text")
        actor = self._require("add draft")
        if slug in self.draft_slugs():
            raise InvalidInput(f"draft {slug!r} already exists: amend it instead")
        blocks = document.blocks(text)
        if blocks and blocks[0].heading and blocks[0].heading_level == 1:
            text = text[: blocks[0].start] + f"# {title}" + text[blocks[0].end :]
        else:
            text = f"# {title}\n\n" + text
        text = document.normalise(text)

        def build(main: str) -> dict[str, bytes | None]:
            if self.store.lookup(main, draft_path(slug)) is not None:
                raise InvalidInput(f"draft {slug!r} already exists: amend it instead")
            return {draft_path(slug): text.encode()}

        message = format_message(
            f"Add draft {slug}: {title}",
            "",
            self._trailers(actor, ("Action", "add-draft"), ("Draft", slug)),
        )
        person = self._person(actor)
        self._commit_main(build, message, person, person)
        return Draft(slug=slug, title=title, text=text)

    # -- amendments: proposing -----------------------------------------------------------------

    def _amended_text(
        self, base_text: str, kind: Kind, paragraph: int | None, text: str | None
    ) -> str:
        if kind is Kind.DOCUMENT:
            if text is None:
                raise InvalidInput("give the whole amended draft with --from-file")
            return document.normalise(validate.text(text, "amended draft"))
        assert paragraph is not None
        if kind is Kind.DELETE:
            return document.delete_paragraph(base_text, paragraph)
        if text is None:
            raise InvalidInput("give the new paragraph with --text or --text-file")
        text = validate.text(text, "paragraph text")
        if kind is Kind.REPLACE:
            return document.replace_paragraph(base_text, paragraph, text)
        return document.insert_after(base_text, paragraph, text)

    def propose(
        self,
        slug: str,
        *,
        kind: Kind,
        paragraph: int | None = None,
        text: str | None = None,
        rationale: str,
        title: str | None = None,
    ) -> Amendment:
        validate.name(slug, "draft")
        actor = self._require("propose")
        rationale = validate.text(rationale, "rationale").strip()
        if kind is not Kind.DOCUMENT and paragraph is None:
            raise InvalidInput("say which paragraph: --paragraph, --insert-after or --delete N")
        base = self.main()
        base_text = self.draft_text_at(base, slug)
        if base_text is None:
            raise NotFound(f"no draft {slug!r}: see 'wgtool draft list'")
        if kind is Kind.INSERT and paragraph is not None and paragraph != 0:
            document.paragraph(base_text, paragraph)
        new_text = self._amended_text(base_text, kind, paragraph, text)
        if new_text == base_text:
            raise InvalidInput("the amendment changes nothing: the text is the same as the draft's")
        title = (
            validate.one_line(title, "title") if title else _default_title(kind, slug, paragraph)
        )
        base_tree = self.store.commit(base).tree
        tree = self.store.write_tree(base_tree, {draft_path(slug): new_text.encode()})
        person = self._person(actor)

        def attempt() -> str:
            amendment_id = new_id()
            message = format_message(
                title,
                rationale,
                self._amendment_trailers(actor, amendment_id, slug, kind, paragraph, 1),
            )
            commit = self.store.write_commit(tree, [base], message, person, person)
            self.store.update_ref(AMENDMENTS_PREFIX + amendment_id, commit, None, "wgtool propose")
            return amendment_id

        amendment_id = retry_cas(attempt)
        return self.amendment(amendment_id)

    def _amendment_trailers(
        self,
        actor: Member,
        amendment_id: str,
        slug: str,
        kind: Kind,
        paragraph: int | None,
        revision: int,
    ) -> list[tuple[str, str]]:
        extra = [("Amendment-Id", amendment_id), ("Draft", slug), ("Kind", kind.value)]
        if paragraph is not None and kind is not Kind.DOCUMENT:
            extra.append(("Paragraph", str(paragraph)))
        extra.append(("Revision", str(revision)))
        return self._trailers(actor, *extra)

    def revise(
        self,
        amendment_id: str,
        *,
        text: str,
        rationale: str | None = None,
    ) -> Amendment:
        actor, amendment = self._own_open_amendment(amendment_id, "revise")
        base_text = self.draft_text_at(amendment.base, amendment.draft) or ""
        kind = Kind.REPLACE if amendment.kind is Kind.DELETE else amendment.kind
        new_text = self._amended_text(base_text, kind, amendment.paragraph, text)
        if new_text == base_text:
            raise InvalidInput("the revision changes nothing: the text is the same as the draft's")
        head_text = self.draft_text_at(amendment.head, amendment.draft)
        if rationale is not None:
            rationale = validate.text(rationale, "rationale").strip()
        if new_text == head_text and (rationale is None or rationale == amendment.rationale):
            raise InvalidInput("the revision is the same as the current one: change the text")
        tree = self.store.write_tree(
            self.store.commit(amendment.base).tree, {draft_path(amendment.draft): new_text.encode()}
        )
        person = self._person(actor)
        ref = AMENDMENTS_PREFIX + amendment.id

        def attempt() -> None:
            # The index numbers the revisions and says whether the amendment is still open; the
            # write lands only while the refs are as the index read them.
            current, tips = self._open_state(amendment.id, "revise")
            head = tips.get(ref)
            if head is None:
                raise NotFound(f"amendment {amendment.id} disappeared")
            if current.head != head:
                raise LostRace(ref)  # revised again meanwhile: read it once more
            revision = current.revision + 1
            trailers = self._amendment_trailers(
                actor, amendment.id, amendment.draft, kind, amendment.paragraph, revision
            )
            trailers.append((MAIN, self._made_against(actor, head)))
            message = format_message(
                amendment.title,
                rationale if rationale is not None else amendment.rationale,
                trailers,
            )
            commit = self.store.write_commit(tree, [head], message, person, person)
            events = EVENTS_PREFIX + amendment.id
            self.store.update_ref(
                ref,
                commit,
                head,
                "wgtool revise",
                verify={MAIN_REF: tips.get(MAIN_REF), events: tips.get(events)},
            )

        retry_cas(attempt)
        return self.amendment(amendment.id)

    # -- amendments: reading -------------------------------------------------------------------

    def resolve_id(self, prefix: str) -> str:
        prefix = prefix.strip().lower()
        if not validate.ID_PREFIX_RE.match(prefix):
            raise InvalidInput(
                f"invalid amendment id {prefix!r}: ids are hexadecimal, like 3f9a01bc"
            )
        self.refresh()
        matches = self.index.resolve_prefix(prefix)
        if not matches:
            raise NotFound(f"no amendment {prefix!r}: see 'wgtool amendments'")
        if len(matches) > 1:
            raise InvalidInput(
                f"amendment id {prefix!r} is ambiguous: it matches {', '.join(sorted(matches))}"
            )
        return matches[0]

    def amendment(self, amendment_id: str) -> Amendment:
        full = self.resolve_id(amendment_id)
        found = self.index.amendment(full)
        if found is None:
            raise NotFound(f"no amendment {amendment_id!r}: see 'wgtool amendments'")
        return found

    def amendments(
        self,
        *,
        draft: str | None = None,
        status: str | None = None,
        group: str | None = None,
        proposer: str | None = None,
        text: str | None = None,
    ) -> list[Amendment]:
        if draft is not None:
            validate.name(draft, "draft")
        if status is not None and status not in {s.value for s in Status}:
            raise InvalidInput(
                f"unknown status {status!r}: use {', '.join(s.value for s in Status)}"
            )
        if group is not None and group not in self.settings.groups:
            raise InvalidInput(
                f"unknown stakeholder group {group!r}: use one of {', '.join(self.settings.groups)}"
            )
        self.refresh()
        return self.index.amendments(
            draft=draft, status=status, group=group, proposer=proposer, text=text
        )

    def change(self, amendment: Amendment) -> AmendmentChange:
        """The amendment's change to its target, as old and new text with a word diff."""
        base_text = self.draft_text_at(amendment.base, amendment.draft) or ""
        new_text = self.draft_text_at(amendment.head, amendment.draft) or ""
        old, new = base_text, new_text
        if amendment.paragraph is not None and amendment.kind is not Kind.DOCUMENT:
            old, new = _focus(base_text, new_text)
        return AmendmentChange(old=old, new=new, diff=tuple(word_diff(old, new)))

    def events(self, amendment_id: str) -> list[Event]:
        full = self.resolve_id(amendment_id)
        return self.index.events(full)

    def comments(self, amendment_id: str) -> list[Thread]:
        events = [e for e in self.events(amendment_id) if e.type == "comment"]
        by_parent: dict[str | None, list[Event]] = {}
        ids = {e.id for e in events}
        for e in events:
            parent = e.reply_to if e.reply_to in ids else None
            by_parent.setdefault(parent, []).append(e)

        def build(parent: str | None) -> tuple[Thread, ...]:
            return tuple(Thread(e, build(e.id)) for e in by_parent.get(parent, []))

        return list(build(None))

    def consensus(self, amendment: Amendment, events: list[Event] | None = None) -> Consensus:
        if events is None:
            events = [e for e in self.index.events(amendment.id) if e.type == "position"]
        return compute_consensus(self.settings, amendment, events)

    def consensus_many(self, amendments: list[Amendment]) -> dict[str, Consensus]:
        positions = self.index.positions_for(
            [a.id for a in amendments] if len(amendments) < 500 else None
        )
        settings = self.settings
        return {a.id: compute_consensus(settings, a, positions.get(a.id, [])) for a in amendments}

    def open_counts(self, slug: str) -> dict[int, int]:
        self.refresh()
        return self.index.open_counts(slug)

    # -- deliberation --------------------------------------------------------------------------

    def _add_event(
        self,
        amendment: Amendment,
        actor: Member,
        type_: str,
        *,
        text: str = "",
        stance: str | None = None,
        reply_to: str | None = None,
        while_open: str | None = None,
        lapsed_too: bool = False,
    ) -> Event:
        """Append one event to the amendment's chain.

        ``while_open`` (the verb, for the error) makes the write depend on the amendment being
        open (or lapsed, with ``lapsed_too``): that is checked again inside every
        compare-and-swap attempt, and the write lands only while main and the chain are as they
        were when it was checked.
        """
        event = Event(
            id=f"{int(time.time() * 1000):x}-{secrets.token_hex(3)}",
            amendment=amendment.id,
            type=type_,
            member=actor.handle,
            group=actor.group,
            at=round(time.time(), 6),
            revision=amendment.revision,
            stance=stance,
            text=text,
            reply_to=reply_to,
        )
        data = (
            json.dumps(event.to_dict(), ensure_ascii=False, indent=1, sort_keys=True) + "\n"
        ).encode()
        ref = EVENTS_PREFIX + amendment.id
        summary = {
            "comment": "Comment on",
            "position": f"Position ({stance}) on",
            "reject": "Reject",
            "withdraw": "Withdraw",
        }[type_]
        message = format_message(
            f"{summary} amendment {amendment.id}",
            "",
            [
                *self._trailers(
                    actor, ("Amendment-Id", amendment.id), ("Event", type_), ("Event-Id", event.id)
                ),
                (MAIN, self._made_against(actor, self.store.resolve(ref))),
            ],
        )
        person = self._person(actor, int(event.at))

        def attempt() -> None:
            verify: dict[str, str | None] | None = None
            if while_open is None:
                tip = self.store.resolve(ref)
            else:
                _, tips = self._open_state(amendment.id, while_open, lapsed_too=lapsed_too)
                tip = tips.get(ref)
                verify = {MAIN_REF: tips.get(MAIN_REF)}
            base_tree = self.store.commit(tip).tree if tip else None
            tree = self.store.write_tree(base_tree, {f"events/{event.id}.json": data})
            commit = self.store.write_commit(tree, [tip] if tip else [], message, person, person)
            self.store.update_ref(ref, commit, tip, f"wgtool {type_}", verify=verify)

        retry_cas(attempt)
        return event

    def comment(self, amendment_id: str, text: str, *, reply_to: str | None = None) -> Event:
        actor = self._require("comment")
        text = validate.text(text, "comment")
        amendment = self.amendment(amendment_id)
        if reply_to is not None:
            reply_to = reply_to.strip()
            matches = [
                e.id
                for e in self.index.events(amendment.id)
                if e.type == "comment" and e.id.startswith(reply_to)
            ]
            if not reply_to or not matches:
                raise NotFound(f"no comment {reply_to!r} on amendment {amendment.id}")
            if len(matches) > 1:
                raise InvalidInput(f"comment id {reply_to!r} is ambiguous")
            reply_to = matches[0]
        return self._add_event(amendment, actor, "comment", text=text, reply_to=reply_to)

    def position(self, amendment_id: str, stance: str, *, reason: str = "") -> Event:
        actor = self._require("position")
        try:
            parsed = Stance(stance)
        except ValueError:
            raise InvalidInput(
                f"unknown position {stance!r}: use support, no-objection, abstain or object"
            ) from None
        reason = validate.text(reason, "reason", allow_empty=True)
        amendment = self.amendment(amendment_id)
        _require_open(amendment, "take a position on")
        return self._add_event(
            amendment,
            actor,
            "position",
            text=reason,
            stance=parsed.value,
            while_open="take a position on",
        )

    def reject(self, amendment_id: str, *, reason: str) -> Event:
        actor = self._require("reject")
        reason = validate.text(reason, "reason")
        amendment = self.amendment(amendment_id)
        _require_open(amendment, "reject", lapsed_too=True)
        return self._add_event(
            amendment, actor, "reject", text=reason, while_open="reject", lapsed_too=True
        )

    def withdraw(self, amendment_id: str, *, reason: str = "") -> Event:
        actor, amendment = self._own_open_amendment(amendment_id, "withdraw")
        return self._add_event(
            amendment,
            actor,
            "withdraw",
            text=validate.text(reason, "reason", allow_empty=True),
            while_open="withdraw",
            lapsed_too=True,
        )

    # -- merging -------------------------------------------------------------------------------

    def plan_merge(
        self,
        amendment_id: str,
        *,
        revised_text: str | None = None,
        amendment: Amendment | None = None,
    ) -> MergePlan:
        """What merging would do to main now (a dry run: nothing is written).

        ``revised_text`` plans the merge "as orally revised": the new text of the amendment's
        paragraph (or the whole draft for a whole-draft amendment) replaces the proposer's.
        """
        if amendment is None:
            amendment = self.amendment(amendment_id)
        main = self.main()
        current = self.draft_text_at(main, amendment.draft)
        if current is None:
            raise NotFound(f"draft {amendment.draft!r} no longer exists on main")
        base_text = self.draft_text_at(amendment.base, amendment.draft) or ""
        theirs = self.draft_text_at(amendment.head, amendment.draft) or ""
        if revised_text is not None:
            kind = Kind.REPLACE if amendment.kind is Kind.DELETE else amendment.kind
            theirs = self._amended_text(base_text, kind, amendment.paragraph, revised_text)
        return MergePlan(
            amendment=amendment,
            main=main,
            current=current,
            result=merge3(base_text, current, theirs),
            consensus=self.consensus(amendment),
            revised=revised_text is not None,
        )

    def merge(
        self,
        amendment_id: str,
        *,
        revised_text: str | None = None,
        resolved_text: str | None = None,
        whole_draft: bool = False,
        override_reason: str | None = None,
        expected_main: str | None = None,
    ) -> str:
        """Merge an amendment into main (chair); returns the merge commit.

        The group's consensus rule must hold for the amendment's current revision, unless the
        chair overrides it with ``override_reason`` (recorded in the commit). ``revised_text``
        merges it "as orally revised". ``resolved_text`` resolves a conflict: the conflicting
        paragraphs as they should read (see :func:`merging.resolve`), or the whole draft with
        ``whole_draft``; it applies only while main is still at ``expected_main`` (the main the
        chair looked at), else the chair must look again. Every precondition is checked again
        inside the compare-and-swap, so two chairs merging at once merge once.
        """
        actor = self._require("merge")
        if override_reason is not None:
            override_reason = validate.one_line(override_reason, "override reason", max_length=500)
        if resolved_text is not None:
            resolved_text = validate.text(resolved_text, "resolution")
        how = ""
        if revised_text is not None:
            how = "as orally revised"
        if resolved_text is not None:
            how = "with the conflict resolved by the chair"

        full_id = self.resolve_id(amendment_id)

        def attempt() -> str:
            # Read again on every attempt, and land only while the amendment's revision and its
            # deliberation (a rejection, a withdrawal) are as they were read.
            amendment, tips = self._open_state(full_id, "merge")
            plan = self.plan_merge(amendment.id, revised_text=revised_text, amendment=amendment)
            if plan.main != tips.get(MAIN_REF):
                # Main moved after the index was read: its reading of the amendment (open, not
                # merged by a chair a moment ago) may already be stale.
                raise LostRace(MAIN_REF)
            verify = {
                ref: tips.get(ref)
                for ref in (AMENDMENTS_PREFIX + amendment.id, EVENTS_PREFIX + amendment.id)
            }
            adoption = _adoption(plan.consensus, amendment, override_reason)
            if resolved_text is not None:
                if expected_main is not None and plan.main != expected_main:
                    raise StateError(
                        "the draft changed while you resolved the conflict: "
                        "merge again to see the new text"
                    )
                if whole_draft:
                    result = document.normalise(resolved_text)
                elif plan.clean:
                    raise StateError(
                        f"amendment {amendment.id} no longer conflicts with the draft: "
                        "merge it without a resolution"
                    )
                else:
                    result = merging.resolve(plan, resolved_text)
            elif plan.merged is None:
                raise MergeConflict(merging.conflict_message(plan), plan.result.conflicts)
            else:
                result = plan.merged
            proposer = self.roster.members.get(amendment.proposer)
            head_info = self.store.commit(amendment.head)
            author = Person(
                proposer.name if proposer else head_info.author_name,
                proposer.email if proposer else head_info.author_email,
                now(),
            )
            trailers = [
                ("Amendment-Id", amendment.id),
                ("Proposed-by", amendment.proposer),
                ("Stakeholder-Group", amendment.group),
                ("Merged-by", actor.handle),
                *adoption.trailers(),
            ]
            if revised_text is not None:
                trailers.append(("Orally-Revised", "yes"))
            if resolved_text is not None:
                trailers.append(("Resolved-by", actor.handle))
            message = format_message(
                f"Merge amendment {amendment.id}: {amendment.title}" + (f" ({how})" if how else ""),
                amendment.rationale,
                trailers,
            )
            tree = self.store.write_tree(
                self.store.commit(plan.main).tree, {draft_path(amendment.draft): result.encode()}
            )
            commit = self.store.write_commit(
                tree, [plan.main, amendment.head], message, author, self._person(actor)
            )
            self._move_main(commit, plan.main, verify=verify)
            return commit

        commit = retry_cas(attempt)
        self.refresh()
        return commit

    def revert(self, amendment_id: str, *, reason: str) -> str:
        """Undo a merged amendment with a new commit on main (chair); history stays as it is.

        The amendment's change is taken out word by word (a three-way merge of the draft as
        the amendment left it, the current draft and the draft before it), so later merges
        stay; where a later merge changed the same words, it is a conflict (exit 3).
        """
        actor = self._require("revert")
        reason = validate.text(reason, "reason").strip()

        def attempt() -> str:
            tips = self.index.refresh()
            amendment = self.amendment(amendment_id)
            if amendment.status is not Status.MERGED or amendment.merge_commit is None:
                raise StateError(
                    f"cannot revert amendment {amendment.id}: it is {amendment.status.value}, "
                    "not merged"
                )
            merge_info = self.store.commit(amendment.merge_commit)
            slug = amendment.draft
            adopted = self.draft_text_at(amendment.merge_commit, slug) or ""
            before = self.draft_text_at(merge_info.parents[0], slug) or ""
            main = self.main()
            if main != tips.get(MAIN_REF):
                raise LostRace(MAIN_REF)  # the index's reading of the amendment may be stale
            current = self.draft_text_at(main, slug)
            if current is None:
                raise NotFound(f"draft {slug!r} no longer exists on main")
            result = merge3(adopted, current, before)
            if result.text is None:
                raise MergeConflict(
                    f"reverting amendment {amendment.id} conflicts with later changes to "
                    f"{slug} in {len(result.regions)} place(s): edit the draft by amendment "
                    "instead",
                    result.conflicts,
                )
            if result.text == current:
                raise StateError(f"amendment {amendment.id}'s change is no longer in {slug}")
            message = format_message(
                f"Revert amendment {amendment.id}: {amendment.title}",
                reason,
                self._trailers(
                    actor,
                    ("Action", "revert"),
                    ("Reverts-Amendment", amendment.id),
                    ("Reverted-by", actor.handle),
                ),
            )
            tree = self.store.write_tree(
                self.store.commit(main).tree, {draft_path(slug): result.text.encode()}
            )
            person = self._person(actor)
            commit = self.store.write_commit(tree, [main], message, person, person)
            self._move_main(commit, main)
            return commit

        commit = retry_cas(attempt)
        self.refresh()
        return commit

    # -- versions ------------------------------------------------------------------------------

    def all_versions(self) -> list[Version]:
        """The consensus versions the rulebook accepts (a tag that breaks its rules is left out,
        and ``wgtool verify`` reports it), oldest first."""
        main = self.main()
        tags = {
            ref[len(TAGS_PREFIX) :]: sha
            for ref, sha in self.store.refs(TAGS_PREFIX.rstrip("/")).items()
        }
        key = (main, tuple(sorted(tags.items())))
        if self._cache_versions is None or self._cache_versions[0] != key:
            book = Rulebook(self.store, audit=False)
            history = self.index.stored_history(book, main) or book.history(main)
            verdicts = book.tags(tags, history)
            self._cache_versions = (key, [v.version for v in verdicts if v.version is not None])
        return list(self._cache_versions[1])

    def version_problems(self) -> dict[str, str]:
        """Tags named like versions that are not versions: tag -> why (verify tells more)."""
        main = self.main()
        tags = {
            ref[len(TAGS_PREFIX) :]: sha
            for ref, sha in self.store.refs(TAGS_PREFIX.rstrip("/")).items()
            if "/" in ref[len(TAGS_PREFIX) :]
        }
        book = Rulebook(self.store, audit=False)
        history = self.index.stored_history(book, main) or book.history(main)
        return {
            v.name: "; ".join(v.problems)
            for v in book.tags(tags, history)
            if v.version is None and v.problems
        }

    def versions(self, slug: str) -> list[Version]:
        validate.name(slug, "draft")
        if slug not in self.draft_slugs():
            raise NotFound(f"no draft {slug!r}: see 'wgtool draft list'")
        return [v for v in self.all_versions() if v.draft == slug]

    def version(self, slug: str, name: str) -> Version:
        validate.version_name(name)
        for v in self.versions(slug):
            if v.name == name:
                return v
        problem = self.version_problems().get(f"{slug}/{name}")
        if problem is not None:
            raise NotFound(f"{name!r} is not a version of draft {slug!r}: {slug}/{name} {problem}")
        raise NotFound(f"no version {name!r} of draft {slug!r}: see 'wgtool versions {slug}'")

    def tag(self, slug: str, name: str, *, message: str) -> Version:
        actor = self._require("tag")
        validate.name(slug, "draft")
        validate.version_name(name)
        message = validate.text(message, "message").strip()
        tag_name = f"{slug}/{name}"
        body = format_message(
            message, "", self._trailers(actor, ("Draft", slug), ("Version", name))
        )
        person = self._person(actor)

        def attempt() -> None:
            # Checked again on every attempt; the tag lands only while main is still the
            # commit it names, so a version is always the text that was current when tagged.
            main = self.main()
            if self.store.lookup(main, draft_path(slug)) is None:
                raise NotFound(f"no draft {slug!r}: see 'wgtool draft list'")
            if self.store.object_at(TAGS_PREFIX + tag_name) is not None:
                raise InvalidInput(
                    f"version {name!r} of {slug} already exists: choose another name"
                )
            if self.store.object_at(TAGS_PREFIX + slug) is not None:
                raise InvalidInput(
                    f"a tag named {slug!r} stands where the versions of {slug} go: "
                    "rename it with git"
                )
            sha = self.store.write_tag(main, tag_name, body, person)
            self.store.update_ref(
                TAGS_PREFIX + tag_name, sha, None, "wgtool tag", verify={MAIN_REF: main}
            )

        retry_cas(attempt)
        return self.version(slug, name)

    def redline(self, slug: str, old: str | None, new: str | None) -> tuple[DiffOp, ...]:
        """Word diff of a draft between two versions (None: the current text on main)."""
        old_text = self.draft(slug, old).text
        new_text = self.draft(slug, new).text
        return tuple(word_diff(old_text, new_text))


# -- pure helpers ------------------------------------------------------------------------------


def _setup_person(store: GitStore) -> Person:
    name = store.config_get("user.name") or "wgtool"
    email = store.config_get("user.email") or "wgtool@localhost"
    return Person(name, email, now())


def _default_title(kind: Kind, slug: str, paragraph: int | None) -> str:
    if kind is Kind.REPLACE:
        return f"Amend paragraph {paragraph} of {slug}"
    if kind is Kind.INSERT:
        return f"Insert a new paragraph after paragraph {paragraph} of {slug}"
    if kind is Kind.DELETE:
        return f"Delete paragraph {paragraph} of {slug}"
    return f"Amend {slug}"


def _require_open(amendment: Amendment, verb: str, *, lapsed_too: bool = False) -> None:
    """Refuse unless the amendment is open (or lapsed, where ``lapsed_too``)."""
    if amendment.status is Status.OPEN or (lapsed_too and amendment.status is Status.LAPSED):
        return
    why = (
        "its paragraph is no longer in the draft"
        if amendment.status is Status.LAPSED
        else f"it is {amendment.status.value}"
    )
    raise StateError(f"cannot {verb} amendment {amendment.id}: {why}")


def _focus(old: str, new: str) -> tuple[str, str]:
    """Trim the blocks both texts share at start and end, keeping whole paragraphs."""
    old_blocks = [b.text for b in document.blocks(old)]
    new_blocks = [b.text for b in document.blocks(new)]
    start = 0
    while start < min(len(old_blocks), len(new_blocks)) and old_blocks[start] == new_blocks[start]:
        start += 1
    end = 0
    while (
        end < min(len(old_blocks), len(new_blocks)) - start
        and old_blocks[-1 - end] == new_blocks[-1 - end]
    ):
        end += 1
    old_mid = old_blocks[start : len(old_blocks) - end]
    new_mid = new_blocks[start : len(new_blocks) - end]
    return "\n\n".join(old_mid), "\n\n".join(new_mid)


def _adoption(consensus: Consensus, amendment: Amendment, override: str | None) -> Adoption:
    """The consensus a merge is taken on, or NoConsensus when the rule does not hold."""
    if consensus.state == "consensus":
        return consensus.adoption()
    if override:
        return consensus.adoption(reason=override)
    raise NoConsensus(
        f"amendment {amendment.id} has no consensus ({consensus.describe()}); "
        "merge anyway with --override-consensus --reason TEXT"
    )
