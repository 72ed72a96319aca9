"""Judging main: its first-parent history, the settings and roster in force, signatures."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from wgtool.core import document, labels
from wgtool.core.adoption import (
    Template,
    adoption_template,
    differences,
    labels_file,
    revert_text,
)
from wgtool.core.agreement import utc_iso
from wgtool.core.model import Event, Kind, Role
from wgtool.core.record.rulebook.base import Reader
from wgtool.core.record.rulebook.chains import ChainJudge
from wgtool.core.record.rulebook.consent import Proposal, replayed_consensus
from wgtool.core.record.rulebook.history import (
    FOUNDING,
    INIT,
    MERGE,
    REVERT,
    SECRETARIAT,
    AmendmentChain,
    MainCommit,
    MainHistory,
    MainState,
    StoredMainCommit,
)
from wgtool.core.record.rulebook.layout import (
    ACTION,
    AMENDMENT_ID,
    AMENDMENT_ID_RE,
    AMENDS,
    CONFIG_PATHS,
    CONSENSUS,
    DRAFT,
    DRAFT_ACTIONS,
    DRAFTS_DIR,
    EVENTS,
    FILE_MODES,
    KIND,
    MEMBER,
    MERGED_BY,
    NO_EVENTS,
    ORALLY_REVISED,
    PARAGRAPH,
    PROPOSED_BY,
    RESOLVED_BY,
    REVERT_ACTION,
    REVERTED_BY,
    REVERTS,
    ROSTER_PATH,
    SILENCE,
    draft_of_path,
    draft_path,
    labels_path,
)
from wgtool.core.record.rulebook.records import (
    Config,
    Record,
    consensus_problems,
    only_draft,
    read_records,
    same_member,
)
from wgtool.core.record.rulebook.translations import (
    merged_language_problems,
    translation_problems,
)


class MainJudge:
    """Main's first-parent history, each commit judged by what was in force at its parent
    (a merge with the amendment and the events it names, judged by ``chains``)."""

    def __init__(self, reads: Reader, chains: ChainJudge) -> None:
        self.reads = reads
        self.chains = chains
        self.replayed = 0  # main commits judged in full (not restored from a kept verdict)
        self._histories: dict[str | None, MainHistory] = {}

    # -- main ----------------------------------------------------------------------------------

    def history(self, tip: str | None, *, since: MainHistory | None = None) -> MainHistory:
        """Main's first-parent history up to ``tip``, every commit judged.

        ``since`` is an earlier history of main: when ``tip`` follows from its tip, only the
        commits after it are read and judged.
        """
        if since is not None and since.tip == tip:
            return since
        if tip in self._histories:
            return self._histories[tip]
        known = since if since is not None and since.tip is not None and tip else None
        records: list[Record] = []
        if tip and known is not None:
            grown = self._first_parents(tip, known.tip)
            if grown:
                records = grown
            else:
                known = None  # main was not fast-forwarded from there: read it all
        if tip and known is None:
            records = self._first_parents(tip, None) or []
        # A kept row of another shape (damaged, or edited by hand) is judged again.
        loaded = self.reads.load_kept("main", [r.sha for r in records])
        kept = {sha: read for sha, verdict in loaded.items() if (read := _read_kept(verdict))}
        # What the merges to judge name is read for all of them at once: the amendments and
        # the events they took.
        merges = [r for r in records if len(r.parents) == 2 and r.sha not in kept]
        self.chains.load_chains({(r.trailer(AMENDMENT_ID) or "", r.parents[1]) for r in merges})
        self.chains.load_named_events((r.trailer(EVENTS) or "" for r in merges), tip)
        while True:
            self.reads.new_pass()
            history = MainHistory(tip, list(known.commits) if known else [])
            state = known.state() if known else MainState()
            for record in records:
                commit = MainCommit(record, len(history.commits))
                history.append(commit)
                if record.sha in kept:
                    _restore(commit, state, kept[record.sha], self.reads.configs_of)
                    self.reads.judged.add(record.sha)
                else:
                    self._judge_main(commit, state, history)
            if not self.reads.fetch_pending_signatures():
                break
        self.reads.keep(
            "main",
            {c.sha: _kept(c) for c in history.commits[-len(records) :] if records and c.valid},
        )
        self._histories[tip] = history
        return history

    def _first_parents(self, tip: str, after: str | None) -> list[Record] | None:
        """Main's commits on the first-parent line to ``tip``, oldest first: all of them, or
        with ``after`` those after it (None when the line does not pass through ``after``).
        From the commits read already when the line is among them (the index after a clone
        or a sync), else in one git process (what it reads is kept: a commit never changes)."""
        line: list[Record] = []
        sha = tip
        while sha != after and (record := self.reads.records.get(sha)) is not None:
            line.append(record)
            if not record.parents:
                return None if after else line[::-1]
            sha = record.parents[0]
        if sha == after:
            return line[::-1]
        found = read_records(
            self.reads.store,
            ["--first-parent", "--reverse"],
            [tip, *([f"^{after}"] if after else [])],
        )
        for record in found:
            self.reads.records.setdefault(record.sha, record)
        if after and (not found or found[0].parents[:1] != (after,)):
            return None
        return found

    def restored_history(self, tip: str, stored: Iterable[StoredMainCommit]) -> MainHistory:
        """A history as the index stored it, without reading main again."""
        history = MainHistory(tip, [])
        for item in stored:
            config_ = (
                self.reads.configs_of(item.settings_blob, item.roster_blob)
                if item.settings_blob
                else None
            )
            record = Record(
                sha=item.sha,
                parents=(),
                tree=item.tree,
                author_name="",
                author_email="",
                authored_at=item.committed_at,
                committer_name="",
                committer_email="",
                committed_at=item.committed_at,
                message="",
            )
            history.append(
                MainCommit(
                    record,
                    len(history.commits),
                    kind=item.kind,
                    member=item.member,
                    amendment=item.amendment,
                    draft=item.draft,
                    problems=[item.problem] if item.problem else [],
                    config=config_ if isinstance(config_, Config) else None,
                    founded=item.founded,
                )
            )
        return history

    def _judge_main(self, commit: MainCommit, state: MainState, history: MainHistory) -> None:
        record = commit.record
        self.reads.judged.add(record.sha)
        self.replayed += 1
        problems = commit.problems
        before = state.config
        after: Config | str | None = None
        if not record.parents:
            commit.kind = INIT
            after = self.reads.config_of_tree(record.tree)
            if isinstance(after, str):
                problems.append(f"the working group's first commit is not valid: {after}")
        elif before is None:
            problems.append("main does not start with a valid working group")
        elif len(record.parents) > 2:
            problems.append(f"a commit with {len(record.parents)} parents")
        elif len(record.parents) == 2:
            commit.kind = MERGE
            self._judge_merge(commit, before, state, history)
        elif record.trailer(ACTION) == REVERT_ACTION:
            commit.kind = REVERT
            self._judge_revert(commit, before, state)
        elif not state.founded:
            commit.kind = FOUNDING
            after = self.reads.config_of_tree(record.tree)
            if isinstance(after, str):
                problems.append(after)
            else:
                self._judge_founding(commit, after)
        else:
            commit.kind = SECRETARIAT
            if any(c.path in CONFIG_PATHS for c in record.changes):
                after = self.reads.config_of_tree(record.tree)
            self._judge_secretariat(commit, before, after)
        # What a commit that breaks the rules changes is not in force for the commits after it.
        if not problems and isinstance(after, Config):
            state.config = after
            state.founded = state.founded or len(after.roster) > 0
        if commit.valid and commit.kind == MERGE and commit.amendment:
            state.merged[commit.amendment] = (commit.draft or "", commit.sha)
        if commit.valid and commit.kind == REVERT and commit.amendment:
            state.merged.pop(commit.amendment, None)
        commit.config = state.config
        commit.founded = state.founded

    def _acting(
        self,
        record: Record,
        config_: Config,
        handle: str | None,
        role: Role,
        problems: list[str],
        *,
        author: bool = True,
    ) -> None:
        """The member a main commit names must hold ``role``, have made it and signed it."""
        member = config_.roster.members.get(handle or "")
        if member is None:
            problems.append(f"made by {handle!r}, who is not in the roster")
            return
        if not member.has(role):
            problems.append(f"made by {handle}, who is not {role.value}")
        same_member(record, member, problems, author=author)
        self.reads.signed(record, member, config_.settings, problems)

    def _judge_founding(self, commit: MainCommit, after: Config) -> None:
        """While the roster has never had a member, the first one may add themselves."""
        record, problems = commit.record, commit.problems
        handle = record.trailer(MEMBER)
        commit.member = handle
        self._acting(record, after, handle, Role.SECRETARIAT, problems)
        others = [c.path for c in record.changes if c.path != ROSTER_PATH]
        if others:
            problems.append(f"founding the roster changes {others[0]} too")

    def _judge_secretariat(
        self, commit: MainCommit, before: Config, after: Config | str | None
    ) -> None:
        record, problems = commit.record, commit.problems
        handle = record.trailer(MEMBER)
        commit.member = handle
        if record.trailer(MERGED_BY) or record.trailer(AMENDMENT_ID):
            problems.append("a chair merge needs two parents: old main and the amendment")
        self._acting(record, before, handle, Role.SECRETARIAT, problems)
        problems.extend(translation_problems(self.reads, record))
        drafts: set[str] = set()
        for change in record.changes:
            if change.path.startswith(DRAFTS_DIR + "/"):
                slug = draft_of_path(change.path)
                if slug is None or (change.status != "D" and change.mode not in FILE_MODES):
                    problems.append(f"{change.path} is not a draft file")
                else:
                    drafts.add(slug)
        if drafts:
            self._declared_draft_edit(commit, drafts)
        if isinstance(after, str):
            problems.append(after)
        elif after is not None:
            # Someone must always be able to merge and to keep the roster.
            for role, who in ((Role.SECRETARIAT, "secretariat member"), (Role.CHAIR, "chair")):
                had = any(m.has(role) for m in before.roster)
                if had and not any(m.has(role) for m in after.roster):
                    problems.append(f"the roster would have no {who} left")

    def _declared_draft_edit(self, commit: MainCommit, drafts: set[str]) -> None:
        """A secretariat change of a draft says so (``Action:``, ``Draft:``); one draft at a
        time, and a renumbering changes nothing but the labels, to 1 to n."""
        record, problems = commit.record, commit.problems
        action, slug = record.trailer(ACTION), record.trailer(DRAFT)
        if action not in DRAFT_ACTIONS or drafts != {slug}:
            problems.append(
                f"changes draft {', '.join(sorted(drafts))} without declaring it "
                f"(Action: {'|'.join(sorted(DRAFT_ACTIONS))}, Draft: <slug>)"
            )
            return
        assert slug is not None
        commit.draft = slug
        if action == "renumber":
            parent = record.parents[0]
            text = self.reads.text_at(parent, slug) or ""
            if any(c.path == draft_path(slug) for c in record.changes):
                problems.append(f"renumbers {slug} and changes its text too")
                return
            wanted, _ = labels.renumbered(self.reads.labels_at(parent, slug, text))
            if self.reads.file_at(record.sha, labels_path(slug)) != wanted.dump():
                problems.append(f"renumbers {slug} to labels other than 1 to n")

    def _judge_merge(
        self, commit: MainCommit, before: Config, state: MainState, history: MainHistory
    ) -> None:
        record, problems = commit.record, commit.problems
        amendment = record.trailer(AMENDMENT_ID) or ""
        commit.amendment = amendment
        chair = record.trailer(MERGED_BY)
        commit.member = chair
        self._acting(record, before, chair, Role.CHAIR, problems, author=False)
        if not AMENDMENT_ID_RE.match(amendment):
            problems.append("a merge that names no amendment")
            return
        if amendment in state.merged:
            problems.append(f"amendment {amendment} is merged already")
        chain = self.chains.amendment_chain(
            amendment, record.parents[1], history, limit=commit.position
        )
        commit.draft = chain.draft
        for _, reason in chain.problems[:1]:
            problems.append(f"the merged amendment {amendment} is not valid: {reason}")
        if chain.revisions and chain.revisions[0].trailer(AMENDS):
            problems.append(f"{amendment} is a sub-amendment: it is merged into its amendment")
        if chain.proposer and record.trailer(PROPOSED_BY) != chain.proposer:
            problems.append(
                f"says it was proposed by {record.trailer(PROPOSED_BY)}, not {chain.proposer}"
            )
        proposer = before.roster.members.get(chain.proposer or "")
        proposer_email = (
            proposer.email if proposer else (chain.revisions or [record])[-1].author_email
        )
        if record.author_email.lower() != proposer_email.lower():
            problems.append(f"the author is {record.author_email}, not the proposer")
        if chain.draft:
            only_draft(record, chain.draft, problems, what="a merge")
            if chain.revisions:
                revision = chain.revisions[-1]
                problems.extend(
                    merged_language_problems(self.reads, record.parents[0], chain.draft, revision)
                )
        problems.extend(consensus_problems(record, before.settings))
        if chain.valid and chain.draft and not problems:
            self._replay_merge(commit, chain)
            self._replay_consensus(commit, chain, before, history)

    def _replay_merge(self, commit: MainCommit, chain: AmendmentChain) -> None:
        """The draft after a merge is the amendment merged into main before it, but where the
        merge declares an oral revision (the amendment's paragraphs) or a resolution (the
        conflicting ones); its labels follow from its text."""
        record, problems = commit.record, commit.problems
        slug = chain.draft
        assert slug is not None
        revision = chain.revisions[-1]
        main_before, head = record.parents
        current = self.reads.text_at(main_before, slug)
        result = self.reads.text_at(record.sha, slug)
        if current is None or result is None:
            problems.append(f"merges into draft {slug}, which main does not have")
            return
        oral = record.trailer(ORALLY_REVISED)
        resolver = record.trailer(RESOLVED_BY)
        if oral not in (None, "yes"):
            problems.append(f"says {ORALLY_REVISED}: {oral!r}, not yes")
            return
        if resolver is not None and resolver != commit.member:
            problems.append(f"says the conflict was resolved by {resolver}, not {commit.member}")
            return
        kind = Kind((revision.trailer(KIND) or Kind.DOCUMENT.value))
        paragraph = revision.trailer(PARAGRAPH)
        template = adoption_template(
            self.reads.text_at(chain.base or "", slug) or "",
            current,
            self.reads.text_at(head, slug) or "",
            oral=(kind, int(paragraph) if paragraph else None) if oral else None,
            resolved=resolver is not None,
        )
        old_labels = self.reads.labels_at(main_before, slug, current)
        if template is None:
            problems.append(
                f"amendment {chain.amendment} conflicts with the draft and the merge declares "
                f"no resolution ({RESOLVED_BY})"
            )
        elif not template.fits(result):
            where = differences(template, result, current, old_labels)
            how = (
                "beyond the paragraphs it addresses"
                if oral
                else "beyond the conflicting paragraphs"
                if resolver
                else "without declaring an oral revision or a resolution"
            )
            problems.append(
                f"writes {where} other than amendment {chain.amendment} merged into main "
                f"reads, {how}"
            )
        self._labels_follow(commit, slug, main_before, current, result, old_labels)

    def _labels_follow(
        self,
        commit: MainCommit,
        slug: str,
        parent: str,
        before: str,
        after: str,
        old_labels: labels.Labels,
    ) -> None:
        """A merge or a revert writes the labels its text change implies, and no others."""
        if self.reads.file_at(commit.sha, labels_path(slug)) != labels_file(
            before, old_labels, after
        ):
            commit.problems.append(
                f"writes paragraph labels for {slug} other than its change to the text implies"
            )

    def _replay_consensus(
        self, commit: MainCommit, chain: AmendmentChain, before: Config, history: MainHistory
    ) -> None:
        """The consensus a merge records is the rule in force at main before it, applied to the
        events it names (``Events:``): the verdict and every group list, exactly; a silence
        must be among them, ended unbroken before the merge."""
        record, problems = commit.record, commit.problems
        amendment = chain.amendment
        named = record.trailer(EVENTS)
        recorded = record.trailer(CONSENSUS)
        if recorded is None:
            problems.append(f"records no consensus ({CONSENSUS}: reached, overridden or silence)")
            return
        if named is None:
            problems.append(f"names no events it judged ({EVENTS}: <commit> or {NO_EVENTS})")
            return
        events: list[Event] = []
        if named != NO_EVENTS:
            judged = self.chains.judged_events(
                amendment, named, history, chain.proposer, limit=commit.position
            )
            if isinstance(judged, str):
                problems.append(judged)
                return
            events = judged
        proposal = Proposal(chain.proposer or "", len(chain.revisions))
        problems.extend(replayed_consensus(record, before.settings, proposal, events)[1])
        if recorded == "silence":
            silence_id = record.trailer(SILENCE) or ""
            problems.extend(_silence_problems(silence_id, events, record.committed_at))
            commit.deadline = next(
                (e.until for e in events if e.type == "silence" and e.id == silence_id), None
            )

    def _judge_revert(self, commit: MainCommit, before: Config, state: MainState) -> None:
        record, problems = commit.record, commit.problems
        amendment = record.trailer(REVERTS) or ""
        commit.amendment = amendment
        chair = record.trailer(REVERTED_BY)
        commit.member = chair
        if record.trailer(MEMBER) != chair:
            problems.append(f"says Member {record.trailer(MEMBER)} but Reverted-by {chair}")
        self._acting(record, before, chair, Role.CHAIR, problems)
        if amendment not in state.merged:
            problems.append(f"reverts amendment {amendment!r}, which is not merged on main")
            return
        commit.draft, merge = state.merged[amendment]
        only_draft(record, commit.draft, problems, what="a revert")
        if not problems:
            self._replay_revert(commit, commit.draft, merge)

    def _replay_revert(self, commit: MainCommit, slug: str, merge: str) -> None:
        """A revert takes its amendment's change out of the draft, word by word, exactly."""
        record, problems = commit.record, commit.problems
        parent = record.parents[0]
        adopted = self.reads.text_at(merge, slug)
        before = self.reads.text_at(self.reads.commit_parent(merge), slug)
        current = self.reads.text_at(parent, slug)
        result = self.reads.text_at(record.sha, slug)
        if adopted is None or before is None or current is None or result is None:
            problems.append(f"reverts a change to draft {slug}, which main does not have")
            return
        expected = revert_text(adopted, current, before)
        old_labels = self.reads.labels_at(parent, slug, current)
        if expected is None:
            problems.append(f"amendment {commit.amendment}'s change no longer comes out cleanly")
        elif document.normalise(expected) != document.normalise(result):
            exact = Template((document.normalise(expected),))
            where = differences(exact, result, current, old_labels)
            problems.append(
                f"writes {where} other than taking amendment {commit.amendment} out reads"
            )
        self._labels_follow(commit, slug, parent, current, result, old_labels)


def _silence_problems(silence_id: str, events: list[Event], merged_at: int) -> list[str]:
    """A merge under silence names a silence on the amendment, among the events it judged,
    that ended before the merge and that none of them broke."""
    silence = next((e for e in events if e.type == "silence" and e.id == silence_id), None)
    if silence is None or silence.until is None:
        return [f"adopts under silence {silence_id!r}, which is not among the events it names"]
    broken = [e for e in events if e.type == "silence-break" and e.target == silence.id]
    if broken:
        who = ", ".join(sorted({e.member for e in broken}))
        return [f"adopts under silence {silence.id}, which {who} broke"]
    if merged_at < int(silence.until):  # commit times are whole seconds
        return [
            f"adopts under silence {silence.id} at {utc_iso(merged_at)}, before its deadline "
            f"{utc_iso(silence.until)}"
        ]
    return []


def _kept(commit: MainCommit) -> dict[str, object]:
    """What is kept of a main commit judged valid (see :mod:`wgtool.core.record.rulebook.kept`)."""
    return {
        "kind": commit.kind,
        "member": commit.member,
        "amendment": commit.amendment,
        "draft": commit.draft,
        "deadline": commit.deadline,
        "config": list(commit.config.blobs) if commit.config else None,
        "founded": commit.founded,
    }


@dataclass(frozen=True)
class _KeptMain:
    """A kept main-commit verdict as :func:`_kept` wrote it, read back field by field."""

    kind: str
    member: str | None
    amendment: str | None
    draft: str | None
    deadline: float | None
    config: tuple[str | None, str | None] | None
    founded: bool


def _read_kept(kept: object) -> _KeptMain | None:
    """``kept`` if it has the shape :func:`_kept` writes, else None (a damaged or hand-edited
    row: the commit is judged again, and its chains are loaded like any other's)."""
    if not isinstance(kept, dict) or set(kept) != _KEPT_FIELDS:
        return None
    texts = [kept[name] for name in ("member", "amendment", "draft")]
    kind, deadline, blobs, founded = kept["kind"], kept["deadline"], kept["config"], kept["founded"]
    if (
        not isinstance(kind, str)
        or not all(text is None or isinstance(text, str) for text in texts)
        or not (deadline is None or type(deadline) in (int, float))
        or not isinstance(founded, bool)
    ):
        return None
    config: tuple[str | None, str | None] | None = None
    if blobs is not None:
        if not (
            isinstance(blobs, list)
            and len(blobs) == 2
            and all(b is None or isinstance(b, str) for b in blobs)
        ):
            return None
        config = (blobs[0], blobs[1])
    return _KeptMain(kind, texts[0], texts[1], texts[2], deadline, config, founded)


_KEPT_FIELDS = {"kind", "member", "amendment", "draft", "deadline", "config", "founded"}


def _restore(
    commit: MainCommit,
    state: MainState,
    kept: _KeptMain,
    configs: Callable[[str | None, str | None], Config | str],
) -> None:
    """A main commit as a kept verdict says it was judged: valid, and what it changed."""
    commit.kind = kept.kind
    commit.member, commit.amendment = kept.member, kept.amendment
    commit.draft, commit.deadline = kept.draft, kept.deadline
    if kept.config is not None:
        found = configs(*kept.config)
        state.config = found if isinstance(found, Config) else state.config
    state.founded = kept.founded
    if commit.kind == MERGE and commit.amendment:
        state.merged[commit.amendment] = (commit.draft or "", commit.sha)
    if commit.kind == REVERT and commit.amendment:
        state.merged.pop(commit.amendment, None)
    commit.config = state.config
    commit.founded = state.founded
