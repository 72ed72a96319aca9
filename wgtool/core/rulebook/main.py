"""Judging main: its first-parent history, the settings and roster in force, signatures."""

from __future__ import annotations

from collections.abc import Iterable

from wgtool.core.model import Role
from wgtool.core.rulebook.chains import ChainJudge
from wgtool.core.rulebook.history import (
    FOUNDING,
    INIT,
    MERGE,
    REVERT,
    SECRETARIAT,
    MainCommit,
    MainHistory,
    MainState,
    StoredMainCommit,
)
from wgtool.core.rulebook.layout import (
    ACTION,
    AMENDMENT_ID,
    AMENDMENT_ID_RE,
    CONFIG_PATHS,
    DRAFTS_DIR,
    FILE_MODES,
    MEMBER,
    MERGED_BY,
    PROPOSED_BY,
    REVERT_ACTION,
    REVERTED_BY,
    REVERTS,
    ROSTER_PATH,
    draft_of_path,
)
from wgtool.core.rulebook.records import (
    Config,
    Record,
    consensus_problems,
    read_records,
    same_member,
)


class MainJudge(ChainJudge):
    """Main's first-parent history, each commit judged by what was in force at its parent."""

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
            records = read_records(
                self.store, ["--first-parent", "--reverse"], [tip, f"^{known.tip}"]
            )
            if not records or records[0].parents[:1] != (known.tip,):
                known = None  # main was not fast-forwarded from there: read it all
        if tip and known is None:
            records = read_records(self.store, ["--first-parent", "--reverse"], [tip])
        merged_tips = {
            (r.trailer(AMENDMENT_ID) or "", r.parents[1]) for r in records if len(r.parents) == 2
        }
        self._load_chains(merged_tips)
        while True:
            self._pending = set()
            history = MainHistory(tip, list(known.commits) if known else [])
            state = known.state() if known else MainState()
            for record in records:
                commit = MainCommit(record, len(history.commits))
                history.append(commit)
                self._judge_main(commit, state, history)
            if not self._fetch_pending_signatures():
                break
        self._histories[tip] = history
        return history

    def restored_history(self, tip: str, stored: Iterable[StoredMainCommit]) -> MainHistory:
        """A history as the index stored it, without reading main again."""
        history = MainHistory(tip, [])
        for item in stored:
            config_ = (
                self._configs_of(item.settings_blob, item.roster_blob)
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
        self._judged.add(record.sha)
        problems = commit.problems
        before = state.config
        after: Config | str | None = None
        if not record.parents:
            commit.kind = INIT
            after = self.config_of_tree(record.tree)
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
            after = self.config_of_tree(record.tree)
            if isinstance(after, str):
                problems.append(after)
            else:
                self._judge_founding(commit, after)
        else:
            commit.kind = SECRETARIAT
            if any(c.path in CONFIG_PATHS for c in record.changes):
                after = self.config_of_tree(record.tree)
            self._judge_secretariat(commit, before, after)
        # What a commit that breaks the rules changes is not in force for the commits after it.
        if not problems and isinstance(after, Config):
            state.config = after
            state.founded = state.founded or len(after.roster) > 0
        if commit.valid and commit.kind == MERGE and commit.amendment:
            state.merged[commit.amendment] = commit.draft or ""
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
        self._signed(record, member, config_.settings, problems)

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
        for change in record.changes:
            if change.path.startswith(DRAFTS_DIR + "/"):
                well_formed = draft_of_path(change.path) is not None
                if not well_formed or (change.status != "D" and change.mode not in FILE_MODES):
                    problems.append(f"{change.path} is not a draft file")
        if isinstance(after, str):
            problems.append(after)
        elif after is not None and not any(m.has(Role.SECRETARIAT) for m in after.roster):
            problems.append("the roster would have no secretariat member left")

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
        chain = self.amendment_chain(amendment, record.parents[1], history, limit=commit.position)
        commit.draft = chain.draft
        for _, reason in chain.problems[:1]:
            problems.append(f"the merged amendment {amendment} is not valid: {reason}")
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
            self._only_draft(record, chain.draft, problems, what="a merge")
        problems.extend(consensus_problems(record, before.settings))

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
        commit.draft = state.merged[amendment]
        self._only_draft(record, commit.draft, problems, what="a revert")
