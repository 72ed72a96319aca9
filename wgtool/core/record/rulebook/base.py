"""The rulebook's reader, given to each of its parts: the store, what was read of it, the
settings and roster of a tree, signatures, and the verdicts kept between runs."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from wgtool.core import document, labels
from wgtool.core.errors import WgError
from wgtool.core.model import Event, Member, Settings
from wgtool.core.record import config, signing
from wgtool.core.record.gitstore import GitStore
from wgtool.core.record.rulebook.kept import KeptVerdicts
from wgtool.core.record.rulebook.layout import (
    CONFIG_PATHS,
    FILE_MODES,
    draft_path,
    labels_path,
)
from wgtool.core.record.rulebook.records import (
    Config,
    Record,
)

Verdict = tuple[Event | None, tuple[str, ...]]


@dataclass
class SharedReads:
    """What the readers of one store read of objects that never change (see :class:`Reader`)."""

    records: dict[str, Record] = field(default_factory=dict)
    sizes: dict[str, int] = field(default_factory=dict)
    events: dict[str, Event | None] = field(default_factory=dict)  # event file blob -> event
    complete: set[str] = field(default_factory=set)
    # (tip, earlier tip) of event chains whose commits after the earlier tip were read: the
    # index refresh after a sync's join does not read them again.
    grown: set[tuple[str, str]] = field(default_factory=set)
    # (event commit, amendment, proposer, settings and roster blobs) -> the event, its problems
    verdicts: dict[tuple[str, str, str | None, tuple[str, str] | None], Verdict] = field(
        default_factory=dict
    )
    # (first, second parent) of a join of event chains -> the tree ``git merge-tree`` writes for
    # them (None: they touch the same file); a judge after another (the index after a sync's
    # join) does not run it again.
    joins: dict[tuple[str, str], str | None] = field(default_factory=dict)


class Reader:
    """What every part of the rulebook is given: one repository, what was read of it while
    this reader lives, the verdicts kept between runs, and the signatures checked.

    ``audit`` (sync, verify and the guard) checks signatures where the working group requires
    them and that nothing is made against an older main commit than its parent. The index reads
    without it: signatures cost a process each, and it reads event chains a few commits at a time.
    """

    def __init__(self, store: GitStore, *, audit: bool = True, kept: bool = False) -> None:
        self.store = store
        self.audit = audit
        # Valid verdicts kept between runs (sync, verify, the guard; see .kept).
        self._kept = KeptVerdicts(store.wgtool_dir) if kept else None
        self.checked: set[str] = set()  # the commits and tags whose signature was checked
        self.judged: set[str] = set()  # the commits judged
        # What is read of immutable objects (commits by sha, blob sizes, event files) and which
        # event chains were read whole is shared by every reader of one store: a sync's join
        # and the index refresh after it read each incoming commit and event file once.
        shared = store.memo.setdefault("rulebook", SharedReads())
        assert isinstance(shared, SharedReads)
        self.shared = shared
        self.records = shared.records  # commits read, by sha
        self._configs: dict[tuple[str | None, str | None], Config | str] = {}
        self._signers: dict[str, str | None] = {}
        self._pending: set[str] = set()

    def load_kept(self, kind: str, keys: Iterable[str]) -> dict[str, object]:
        """The kept verdicts of ``kind`` among ``keys`` (none when nothing is kept)."""
        if self._kept is None:
            return {}
        prefix = f"{kind}:{int(self.audit)}:"
        found = self._kept.load(prefix + key for key in keys)
        return {key[len(prefix) :]: verdict for key, verdict in found.items()}

    def kept_event(self, key: str) -> Event | None:
        """The event kept under ``key``; None when there is none, or when the row is not one
        :meth:`.Event.to_dict` wrote (damaged, or edited by hand): that event is judged again."""
        kept = self.load_kept("event", [key]).get(key)
        if not isinstance(kept, dict):
            return None
        try:
            return Event.from_dict(kept)
        except (KeyError, TypeError, ValueError, AttributeError):
            return None

    def load_all_kept(self, kind: str) -> set[str]:
        """Read every kept verdict of ``kind`` at once (a pass that looks up most of them); the
        keys found."""
        if self._kept is None:
            return set()
        return self._kept.load_all(f"{kind}:{int(self.audit)}:")

    def kept_starts(self, kind: str, firsts: Iterable[str]) -> set[str]:
        """Which of ``firsts`` (commit ids) begin the key of a kept verdict of ``kind``."""
        if self._kept is None:
            return set()
        return self._kept.starts(f"{kind}:{int(self.audit)}:", firsts)

    def keep(self, kind: str, verdicts: dict[str, object], *, flush: bool = True) -> None:
        """Keep valid verdicts of ``kind`` (written now, or with the next flush)."""
        if self._kept is None:
            return
        prefix = f"{kind}:{int(self.audit)}:"
        self._kept.keep({prefix + key: verdict for key, verdict in verdicts.items()})
        if flush:
            self._kept.flush()

    def close(self) -> None:
        if self._kept is not None:
            self._kept.close()

    @property
    def signatures_checked(self) -> int:
        return len(self.checked)

    @property
    def commits_judged(self) -> int:
        return len(self.judged)

    # -- settings and roster -------------------------------------------------------------------

    def config_of_tree(self, tree: str) -> Config | str:
        """The settings and roster in a tree, or why they cannot be read (one line)."""
        entries = {name: (mode, sha) for name, mode, sha in self.store.tree_entries(tree)}
        blobs: list[str | None] = []
        for path in CONFIG_PATHS:
            mode, sha = entries.get(path, (0, None))
            if sha is not None and f"{mode:o}" not in FILE_MODES:
                return f"{path} is not a file"
            blobs.append(sha)
        return self.configs_of(blobs[0], blobs[1])

    def configs_of(self, settings_blob: str | None, roster_blob: str | None) -> Config | str:
        key = (settings_blob, roster_blob)
        if key not in self._configs:
            self._configs[key] = self._parse_config(*key)
        return self._configs[key]

    def _parse_config(self, settings_blob: str | None, roster_blob: str | None) -> Config | str:
        blobs = (settings_blob, roster_blob)
        sizes = self.blob_sizes(blob for blob in blobs if blob is not None)  # one git for both
        for path, blob in zip(CONFIG_PATHS, blobs, strict=True):
            if blob is None:
                return f"{path} is missing"
            if sizes.get(blob, 0) > config.MAX_CONFIG_BYTES:
                return f"{path} is larger than 1 MB"
        assert settings_blob is not None and roster_blob is not None
        try:
            settings, roster = config.parse_config(
                self.store.read_blob(settings_blob), self.store.read_blob(roster_blob)
            )
            for member in roster:
                if member.ssh_key:
                    signing.fingerprint(member.ssh_key)
        except WgError as error:
            return error.message
        return Config(settings, roster, (settings_blob, roster_blob))

    # -- drafts --------------------------------------------------------------------------------

    def file_at(self, commit: str, path: str) -> bytes | None:
        """A file's content at a commit (None when the commit lacks it)."""
        return self.store.read_file(commit, path)

    def text_at(self, commit: str, slug: str) -> str | None:
        """Draft ``slug`` at ``commit``, or None when the commit has no such draft."""
        data = self.file_at(commit, draft_path(slug)) if commit else None
        return None if data is None else data.decode("utf-8", "replace")

    def labels_at(self, commit: str, slug: str, text: str) -> labels.Labels:
        """The paragraph labels of draft ``slug`` (whose text there is ``text``) at ``commit``."""
        count = len(document.paragraphs(text))
        return labels.load(self.file_at(commit, labels_path(slug)), count)

    def commit_parent(self, sha: str) -> str:
        record = self.records.get(sha)
        parents = record.parents if record is not None else self.store.commit(sha).parents
        return parents[0] if parents else ""

    def blob_sizes(self, shas: Iterable[str]) -> dict[str, int]:
        """The sizes of objects, read at once (and kept)."""
        sizes = self.shared.sizes
        wanted = sorted({sha for sha in shas if sha not in sizes})
        if wanted:
            for sha, (_, size) in self.store.object_infos(wanted).items():
                sizes[sha] = size
        return sizes

    # -- signatures ----------------------------------------------------------------------------

    def signed(
        self, record: Record, member: Member, settings: Settings, problems: list[str]
    ) -> None:
        """Where signatures are required, the commit must be signed with ``member``'s key."""
        if not self.audit or settings.signatures != "required":
            return
        self.checked.add(record.sha)
        if not member.ssh_key:
            problems.append(
                f"signatures are required and the roster has no SSH key for {member.handle}"
            )
            return
        if record.sha not in self._signers:
            self._pending.add(record.sha)
            return
        signer = self._signers[record.sha]
        if signer is None:
            problems.append(f"no valid signature by {member.handle}'s key in the roster")
        elif signer != signing.fingerprint(member.ssh_key):
            problems.append(f"signed with a key that is not {member.handle}'s key in the roster")

    def new_pass(self) -> None:
        """Start a pass of judging: the signatures it needs are collected anew."""
        self._pending = set()

    def awaits_signatures(self, sha: str | None = None) -> bool:
        """Whether this pass needs signatures not read yet (of commit ``sha``, or of any)."""
        return bool(self._pending) if sha is None else sha in self._pending

    def fetch_pending_signatures(self) -> bool:
        """Read the signatures the last pass needed; True when there were any (judge again)."""
        pending = self._pending - set(self._signers)
        self._pending = set()
        if not pending:
            return False
        self._signers.update(signing.commit_signers(self.store, pending))
        return True
