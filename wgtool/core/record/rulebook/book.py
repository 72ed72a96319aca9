"""The rulebook: one object that judges every ref of a repository, made of parts."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from wgtool.core.model import DRAFT_CHAIN, Event
from wgtool.core.record.gitstore import GitStore
from wgtool.core.record.rulebook.base import Reader
from wgtool.core.record.rulebook.chains import ChainJudge
from wgtool.core.record.rulebook.history import (
    AmendmentChain,
    EventChain,
    MainHistory,
    StoredMainCommit,
    TagVerdict,
)
from wgtool.core.record.rulebook.layout import (
    AMENDMENTS_PREFIX,
    EVENTS_PREFIX,
    SHA_RE,
    TAGS_PREFIX,
    WG_PREFIX,
    chain_key_valid,
)
from wgtool.core.record.rulebook.main import MainJudge
from wgtool.core.record.rulebook.records import Config, Problem, Record
from wgtool.core.record.rulebook.tags import TagJudge


class Rulebook:
    """Judges the objects of one repository; caches what it read while it lives.

    ``audit`` (sync, verify and the guard) checks signatures where the working group requires
    them and that nothing is made against an older main commit than its parent. The index reads
    without it: signatures cost a process each, and it reads event chains a few commits at a time.

    Its parts, each given what it needs: ``reads`` (the store, what was read of it, the kept
    verdicts, signatures), ``chains`` (amendment and event chains), ``mainline`` (main's
    history) and ``versions`` (tags). Whole refs are judged here, with all of them.
    """

    def __init__(self, store: GitStore, *, audit: bool = True, kept: bool = False) -> None:
        self.reads = Reader(store, audit=audit, kept=kept)
        self.chains = ChainJudge(self.reads)
        self.mainline = MainJudge(self.reads, self.chains)
        self.versions = TagJudge(self.reads, self.chains)
        self.chains.statements.judge_tag = self.versions.tag

    @property
    def store(self) -> GitStore:
        return self.reads.store

    @property
    def audit(self) -> bool:
        return self.reads.audit

    @property
    def replayed(self) -> int:
        """Main commits judged in full (not restored from a kept verdict)."""
        return self.mainline.replayed

    @property
    def signatures_checked(self) -> int:
        return self.reads.signatures_checked

    @property
    def commits_judged(self) -> int:
        return self.reads.commits_judged

    @property
    def commits_read(self) -> Mapping[str, Record]:
        """The commits read so far, by sha (shared by the readers of this store)."""
        return self.reads.records

    def close(self) -> None:
        self.reads.close()

    def config_of_tree(self, tree: str) -> Config | str:
        """The settings and roster in a tree, or why they cannot be read (one line)."""
        return self.reads.config_of_tree(tree)

    # -- main ----------------------------------------------------------------------------------

    def history(self, tip: str | None, *, since: MainHistory | None = None) -> MainHistory:
        """Main's first-parent history up to ``tip``, every commit judged (see
        :meth:`.MainJudge.history`)."""
        return self.mainline.history(tip, since=since)

    def restored_history(self, tip: str, stored: Iterable[StoredMainCommit]) -> MainHistory:
        """A history as the index stored it, without reading main again."""
        return self.mainline.restored_history(tip, stored)

    # -- chains --------------------------------------------------------------------------------

    def amendment_chains(
        self, tips: Mapping[str, str], history: MainHistory
    ) -> dict[str, AmendmentChain]:
        """Judge many amendments at once (see :meth:`.ChainJudge.amendment_chains`)."""
        return self.chains.amendment_chains(tips, history)

    def event_chains(
        self,
        tips: Mapping[str, str],
        history: MainHistory,
        proposers: Mapping[str, str | None],
        *,
        since: Mapping[str, str] | None = None,
    ) -> dict[str, EventChain]:
        """Judge the event chains of many amendments (see :meth:`.ChainJudge.event_chains`)."""
        return self.chains.event_chains(tips, history, proposers, since=since)

    def judged_events(
        self,
        key: str,
        tip: str,
        history: MainHistory,
        proposer: str | None,
        *,
        limit: int | None = None,
    ) -> list[Event] | str:
        """The events of chain ``key`` up to ``tip``, as a merge or a version that names them
        judged them; or why not (see :meth:`.ChainJudge.judged_events`)."""
        return self.chains.judged_events(key, tip, history, proposer, limit=limit)

    # -- versions ------------------------------------------------------------------------------

    def tag(self, name: str, sha: str, history: MainHistory) -> TagVerdict:
        """Judge the tag ``refs/tags/<name>`` pointing at object ``sha``."""
        return self.versions.tag(name, sha, history)

    def tags(self, refs: Mapping[str, str], history: MainHistory) -> list[TagVerdict]:
        """Judge tags given as {name under refs/tags/: object}, oldest first."""
        return self.versions.tags(refs, history)

    # -- refs --------------------------------------------------------------------------------

    def honest_part(self, ref: str, tip: str, history: MainHistory) -> list[str]:
        """The tips of what chain ``ref`` holds at ``tip`` that breaks no rule and follows
        nothing that does: for an amendment, its revisions before the first bad one; for an
        event chain, every commit with no bad commit among its ancestors (each author's work
        stands on its own, whatever another wrote on top of it). Empty when there is none."""
        kind, _, key = ref[len(WG_PREFIX) :].partition("/")
        if not chain_key_valid(kind, key) or not SHA_RE.match(tip):
            return []
        if kind == "amendments":
            revisions = self.chains.amendment_chains({key: tip}, history)[key]
            if revisions.valid:
                return [tip]
            broken = [
                revisions.revisions.index(r)
                for r, _ in revisions.problems
                if r in revisions.revisions
            ]
            first = min(broken, default=0)
            return [revisions.revisions[first - 1].sha] if first > 0 else []
        proposer = None
        if not key.startswith(DRAFT_CHAIN):
            head = self.reads.store.resolve(AMENDMENTS_PREFIX + key)
            if head is not None:
                proposer = self.chains.amendment_chains({key: head}, history)[key].proposer
        chain = self.chains.event_chains({key: tip}, history, {key: proposer})[key]
        if chain.valid:
            return [tip]
        order = self.chains.topological(tip)
        if order is None:
            return []
        bad = {record.sha for record, _ in chain.problems if record is not None}
        tainted: set[str] = set()
        for record in order:  # parents first
            if record.sha in bad or any(p in tainted for p in record.parents):
                tainted.add(record.sha)
        good = [record for record in order if record.sha not in tainted]
        below = {parent for record in good for parent in record.parents}
        return [record.sha for record in good if record.sha not in below]

    def judge_refs(
        self,
        refs: Mapping[str, str],
        history: MainHistory,
        *,
        amendments: Mapping[str, str] | None = None,
        since: Mapping[str, str] | None = None,
    ) -> dict[str, list[Problem]]:
        """What is wrong with each ref ({full ref name: object}); an empty list when valid.

        Amendments are judged before the events on them (a withdrawal needs the proposer):
        ``amendments`` ({id: tip}) says which amendment tips are in force besides this
        repository's own and those in ``refs``. ``since`` ({full ref name: earlier tip}) names
        event chains that grew from a tip judged before (see :meth:`event_chains`).
        """
        result: dict[str, list[Problem]] = {ref: [] for ref in refs}
        if not refs:
            return result
        wanted: dict[str, dict[str, str]] = {AMENDMENTS_PREFIX: {}, EVENTS_PREFIX: {}}
        tags: dict[str, str] = {}
        for ref, sha in refs.items():
            prefix = next((p for p in wanted if ref.startswith(p)), None)
            if prefix is not None and chain_key_valid(prefix.split("/")[2], ref[len(prefix) :]):
                wanted[prefix][ref[len(prefix) :]] = sha
            elif ref.startswith(TAGS_PREFIX):
                tags[ref[len(TAGS_PREFIX) :]] = sha
            else:
                result[ref].append(Problem(ref, "not a ref wgtool makes"))
        chains = self.chains.amendment_chains(wanted[AMENDMENTS_PREFIX], history)
        for amendment, chain in chains.items():
            result[AMENDMENTS_PREFIX + amendment] = _problems(
                AMENDMENTS_PREFIX + amendment, chain.problems
            )
        events = wanted[EVENTS_PREFIX]
        tips = {
            ref[len(AMENDMENTS_PREFIX) :]: sha
            for ref, sha in (
                self.reads.store.refs(AMENDMENTS_PREFIX.rstrip("/")) if events else {}
            ).items()
        }
        tips.update(amendments or {})
        tips.update({a: c.tip for a, c in chains.items() if c.valid})
        # An amendment judged above at the same tip is not judged again (a clone's every one).
        judged = {a: chains[a] for a in events if a in chains and chains[a].tip == tips.get(a)}
        rest = {a: tips[a] for a in events if a in tips and a not in judged}
        proposers = {**judged, **self.chains.amendment_chains(rest, history)}
        grew = {
            ref[len(EVENTS_PREFIX) :]: old
            for ref, old in (since or {}).items()
            if ref.startswith(EVENTS_PREFIX)
        }
        for amendment, verdict in self.chains.event_chains(
            events, history, {a: c.proposer for a, c in proposers.items() if c.valid}, since=grew
        ).items():
            result[EVENTS_PREFIX + amendment] = _problems(
                EVENTS_PREFIX + amendment, verdict.problems
            )
        for tag in self.versions.tags(tags, history):
            result[TAGS_PREFIX + tag.name] = [
                Problem(TAGS_PREFIX + tag.name, reason, tag.sha, tag.tagger)
                for reason in tag.problems
            ]
        return result


def _problems(ref: str, found: list[tuple[Record | None, str]]) -> list[Problem]:
    return [
        Problem(ref, reason, record.sha if record else None, record.author if record else None)
        for record, reason in found
    ]
