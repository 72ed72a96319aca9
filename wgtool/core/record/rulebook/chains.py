"""Judging amendment chains (revisions) and event chains (deliberation)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace

from wgtool.core import validate
from wgtool.core.errors import WgError
from wgtool.core.labels import LABEL_RE
from wgtool.core.model import Event, Kind, Member
from wgtool.core.record.rulebook.base import Reader
from wgtool.core.record.rulebook.focus import focus_problems
from wgtool.core.record.rulebook.history import (
    AmendmentChain,
    EventChain,
    MainHistory,
)
from wgtool.core.record.rulebook.layout import (
    ACTION,
    ALTERNATIVE_TO,
    AMENDMENT_ID,
    AMENDMENT_ID_RE,
    DRAFT,
    EVENT,
    EVENT_ID,
    EVENT_ID_RE,
    EVENT_ROLES,
    EVENTS_DIR,
    FILE_MODES,
    GROUP,
    JOIN_ACTION,
    KIND,
    KINDS,
    MAIN,
    MAX_EVENT_BYTES,
    MAX_REVISIONS,
    MEMBER,
    PARAGRAPH,
    PARAGRAPH_LABEL,
    REVISION,
    SHA_RE,
    chain_trailer,
    event_path,
)
from wgtool.core.record.rulebook.records import (
    Config,
    Record,
    only_draft,
    parse_event,
    read_records,
    same_group,
    same_member,
    well_formed,
)
from wgtool.core.record.rulebook.statements import StatementJudge
from wgtool.core.record.rulebook.subamend import concerned, sub_amendment_problems, takes_in

# From this many event files to read on, the kept verdicts are read whole first (see
# :meth:`ChainJudge.event_chains`); below it, one query per event costs less.
READ_ALL_KEPT = 256
KEPT_SAMPLE = 32  # events looked up to tell whether most of a pass's were judged before


class ChainJudge:
    """Amendment and event chains, judged by what main had in force when they were made."""

    def __init__(self, reads: Reader) -> None:
        self.reads = reads
        shared = reads.shared
        self._events = shared.events  # event file blob -> its event (None: not one)
        self._complete = shared.complete  # event tips whose whole chain has been read
        self._grown = shared.grown  # (tip, earlier tip) whose commits after it have been read
        self._verdicts = shared.verdicts
        self._joins = shared.joins  # (first, second parent) -> the tree git merges them to
        self._chains_read: set[tuple[str, str]] = set()  # amendment tips whose revisions were read
        # Event commits no kept verdict starts with (as the kept file answered for a whole pass):
        # their verdicts are not looked up one by one.
        self._unkept: set[str] = set()
        self.event_files_read = 0  # by this judge (a file read by another reader is shared)
        self.statements = StatementJudge(reads, self._read_event)

    # -- amendments ----------------------------------------------------------------------------

    def load_chains(self, tips: Iterable[tuple[str, str]]) -> None:
        """Read amendment revisions, one git process per revision depth (not per commit)."""
        pending = {(a, sha) for a, sha in tips if SHA_RE.match(sha)}
        self._chains_read |= pending
        for _ in range(MAX_REVISIONS + 1):
            missing = {sha for _, sha in pending if sha not in self.reads.records}
            if missing:
                for found in read_records(
                    self.reads.store, ["--no-walk=unsorted"], self._existing_commits(missing)
                ):
                    self.reads.records[found.sha] = found
            following = set()
            for amendment, sha in pending:
                record = self.reads.records.get(sha)
                if (
                    record is not None
                    and record.trailer(AMENDMENT_ID) == amendment
                    and record.trailer(REVISION) not in (None, "1")
                    and len(record.parents) == 1
                ):
                    following.add((amendment, record.parents[0]))
            if not following:
                return
            pending = following

    def _existing_commits(self, shas: Iterable[str]) -> list[str]:
        """The shas that name commits in this repository (others are simply not read)."""
        wanted = sorted(shas)
        infos = self.reads.store.object_infos(wanted)
        return [sha for sha in wanted if infos.get(sha, ("",))[0] == "commit"]

    def amendment_chain(
        self, amendment: str, tip: str, history: MainHistory, *, limit: int | None = None
    ) -> AmendmentChain:
        """Judge the amendment whose last revision is ``tip`` (``limit``: main commits from that
        position on do not count as on main yet, for a merge judged on its way up main)."""
        if (amendment, tip) not in self._chains_read:
            self.load_chains([(amendment, tip)])
        chain = AmendmentChain(amendment, tip)
        sha: str | None = tip
        while sha is not None and len(chain.revisions) <= MAX_REVISIONS:
            record = self.reads.records.get(sha)
            if (
                record is None
                or record.trailer(AMENDMENT_ID) != amendment
                or not record.trailer(REVISION)
            ):
                break
            chain.revisions.append(record)
            if record.trailer(REVISION) == "1" or len(record.parents) != 1:
                break
            sha = record.parents[0]
        chain.revisions.reverse()
        if not chain.revisions:
            chain.problems.append((None, f"holds no revision of amendment {amendment}"))
            return chain
        first = chain.revisions[0]
        if first.trailer(REVISION) != "1" or len(first.parents) != 1:
            chain.problems.append((first, "its first revision is not revision 1 with one parent"))
            return chain
        base = first.parents[0]
        base_position = history.position(base)
        if base_position is None or (limit is not None and base_position >= limit):
            chain.problems.append((first, f"based on {base[:10]}, which is not on main"))
            return chain
        chain.proposer = first.trailer(MEMBER)
        chain.draft = first.trailer(DRAFT)
        if not validate.NAME_RE.match(chain.draft or ""):
            chain.problems.append((first, f"names no valid draft ({chain.draft!r})"))
            return chain
        position = base_position
        for number, record in enumerate(chain.revisions, 1):
            if number > 1:
                found = self._depends_on(record, history, position, limit)
                if isinstance(found, str):
                    chain.problems.append((record, found))
                    continue
                position = found
            chain.positions.append(position)
            for reason in self._judge_revision(record, number, chain, history, position):
                chain.problems.append((record, reason))
        if concerned(chain) and not chain.problems:
            chain.problems += sub_amendment_problems(self, chain, history, limit)
        return chain

    def _judge_revision(
        self,
        record: Record,
        number: int,
        chain: AmendmentChain,
        history: MainHistory,
        position: int,
    ) -> list[str]:
        self.reads.judged.add(record.sha)
        problems: list[str] = []
        if record.trailer(REVISION) != str(number):
            problems.append(f"numbered revision {record.trailer(REVISION)}, not {number}")
        handle = record.trailer(MEMBER)
        if handle != chain.proposer and not (number > 1 and takes_in(record)):
            problems.append(f"revised by {handle}, not by its proposer {chain.proposer}")
        if record.trailer(DRAFT) != chain.draft:
            problems.append(f"moves the amendment to draft {record.trailer(DRAFT)!r}")
        if (record.trailer(KIND) or Kind.DOCUMENT.value) not in KINDS:
            problems.append(f"an unknown kind of amendment {record.trailer(KIND)!r}")
        paragraph = record.trailer(PARAGRAPH)
        if paragraph is not None and not paragraph.isdigit():
            problems.append(f"names paragraph {paragraph!r}")
        label = record.trailer(PARAGRAPH_LABEL)
        if label is not None and not LABEL_RE.match(label):
            problems.append(f"labels its paragraph {label!r}")
        alternative = record.trailer(ALTERNATIVE_TO)
        if alternative is not None and (
            not AMENDMENT_ID_RE.match(alternative) or alternative == chain.amendment
        ):
            problems.append(f"is an alternative to {alternative!r}, which is no other amendment")
        assert chain.draft is not None
        if number == 1 and not record.changes:
            problems.append("changes nothing")
        only_draft(record, chain.draft, problems, what="an amendment")
        current = history.config(position)
        if current is None:
            problems.append("made against a main commit with no valid roster")
            return problems
        member = current.roster.members.get(handle or "")
        if member is None:
            problems.append(f"made by {handle!r}, who is not in the roster")
            return problems
        if number == 1:
            chain.group = member.group
        same_member(record, member, problems)
        same_group(record.trailer(GROUP), member, problems)
        self.reads.signed(record, member, current.settings, problems)
        return problems

    def _depends_on(
        self, record: Record, history: MainHistory, not_before: int, limit: int | None = None
    ) -> int | str:
        """The position of the main commit a revision or event was made against, or why not."""
        main = record.trailer(MAIN)
        if not self.reads.audit:
            not_before = 0
        if main is None:
            position = history.position_at_time(record.committed_at, not_before)
            # Times have one-second steps: never the commit being judged, or one after it.
            return position if limit is None else max(min(position, limit - 1), 0)
        found = history.position(main)
        if found is None or (limit is not None and found >= limit):
            return f"made against {main[:10]}, which is not on main"
        position = found
        if position < not_before:
            return (
                f"made against {main[:10]}, older than the main commit its parent was made against"
            )
        return position

    def amendment_chains(
        self, tips: Mapping[str, str], history: MainHistory
    ) -> dict[str, AmendmentChain]:
        """Judge many amendments at once (their revisions are read in a few git processes)."""
        self.load_chains(tips.items())
        while True:
            self.reads.new_pass()
            chains = {a: self.amendment_chain(a, tip, history) for a, tip in tips.items()}
            if not self.reads.fetch_pending_signatures():
                return chains

    # -- events --------------------------------------------------------------------------------

    def event_chains(
        self,
        tips: Mapping[str, str],
        history: MainHistory,
        proposers: Mapping[str, str | None],
        *,
        since: Mapping[str, str] | None = None,
    ) -> dict[str, EventChain]:
        """Judge the event chains of many amendments; ``proposers`` says who may withdraw each.

        ``since`` ({amendment: earlier tip}) judges only the commits added after that tip when
        the chain grew from it (the chain is then ``partial``); otherwise the whole chain. With
        ``audit``, a chain is judged in part only from a tip this repository judged valid
        before (whose main commit was kept with it, so that nothing after it may name an
        older one) and only when every commit added reaches the rest through that tip.
        """
        wanted = {a: sha for a, sha in tips.items() if SHA_RE.match(sha)}
        after = {a: old for a, old in (since or {}).items() if a in wanted and old != wanted[a]}
        if after:
            self._load_events({a: wanted[a] for a in after}, history.tip, after)
        partial = set()
        seeds: dict[str, int] = {}
        keys = [f"{a}:{old}" for a, old in after.items()]
        kept = self.reads.load_kept("position", keys) if self.reads.audit and after else {}
        for amendment, old in after.items():
            order = self.topological(wanted[amendment], partial=True)
            if order is None or not any(old in record.parents for record in order):
                continue
            if self.reads.audit:
                main = kept.get(f"{amendment}:{old}")
                position = history.position(main) if isinstance(main, str) else None
                inside = {record.sha for record in order}
                if position is None or any(
                    p not in inside and p != old for record in order for p in record.parents
                ):
                    continue
                seeds[old] = position
            partial.add(amendment)
        self._load_events(
            {a: sha for a, sha in wanted.items() if a not in partial}, history.tip, {}
        )
        added = [
            (record.sha, change.blob)
            for record in self.reads.records.values()
            for change in record.changes
            if change.status == "A" and change.path.startswith(EVENTS_DIR + "/")
        ]
        known: set[str] = set()
        if len(added) >= READ_ALL_KEPT:
            # Events judged valid before are not read (an event found kept under another
            # roster is read on its own if it must be judged again). Where most were (verify,
            # a first sync), every kept verdict is read in one query; where a sample says few
            # were (a sync of new events), each is looked up: reading them all would cost
            # more than judging what arrived.
            commits = [sha for sha, _ in added]
            sample = self.reads.kept_starts("event", commits[:KEPT_SAMPLE])
            if 2 * len(sample) >= len(commits[:KEPT_SAMPLE]):
                known = {key.partition(":")[0] for key in self.reads.load_all_kept("event")}
            else:
                known = sample | self.reads.kept_starts("event", commits[KEPT_SAMPLE:])
            self._unkept.update(sha for sha in commits if sha not in known)
        self._read_events({blob for sha, blob in added if sha not in known})
        while True:
            self.reads.new_pass()
            chains = {
                a: self._event_chain(
                    a, tip, history, proposers.get(a), partial=a in partial, seeds=seeds
                )
                for a, tip in wanted.items()
            }
            if not self.reads.fetch_pending_signatures():
                self.reads.keep("event", {})
                return chains

    def load_named_events(self, tips: Iterable[str], main_tip: str | None) -> None:
        """Read the event chains up to many commits at once (the events main's merges name, in
        one git process where each merge judged would start its own)."""
        self._load_events({sha: sha for sha in tips if SHA_RE.match(sha)}, main_tip, {})

    def _load_events(
        self, tips: Mapping[str, str], main_tip: str | None, after: Mapping[str, str]
    ) -> None:
        """Read event commits: all of each chain, or those after its tip in ``after`` (never
        beyond main's tip ``main_tip``: an event chain does not reach main)."""
        wanted = {
            a: sha
            for a, sha in tips.items()
            if ((sha, after[a]) not in self._grown if a in after else sha not in self._complete)
        }
        if not wanted:
            return
        positives = self._existing_commits(wanted.values())
        negatives = [f"^{old}" for old in after.values()]
        if main_tip and any(a not in after for a in wanted):  # a whole chain stops at main
            negatives.append(f"^{main_tip}")
        if positives:
            for record in read_records(self.reads.store, [], [*positives, *negatives]):
                self.reads.records[record.sha] = record
        self._complete |= {sha for a, sha in wanted.items() if a not in after}
        self._grown |= {(sha, after[a]) for a, sha in wanted.items() if a in after}

    def judged_events(
        self,
        key: str,
        tip: str,
        history: MainHistory,
        proposer: str | None,
        *,
        limit: int | None = None,
    ) -> list[Event] | str:
        """The events of chain ``key`` up to commit ``tip``, as a merge or a version that
        names them judged them; or why they cannot be taken (one line). ``limit``: main
        commits from that position on do not count as on main yet."""
        if not SHA_RE.match(tip):
            return f"names events {tip!r}, which is no commit"
        self._load_events({key: tip}, history.tip, {})
        if tip not in self.reads.records:
            return f"names events {tip[:10]}, which this repository lacks"
        chain = self._event_chain(key, tip, history, proposer, limit=limit)
        if chain.problems:
            return f"names events {tip[:10]} that break the rules ({chain.problems[0][1]})"
        return chain.events

    def _event_chain(
        self,
        amendment: str,
        tip: str,
        history: MainHistory,
        proposer: str | None,
        *,
        partial: bool = False,
        limit: int | None = None,
        seeds: Mapping[str, int] | None = None,
    ) -> EventChain:
        """Judge one chain; ``seeds`` gives the main positions of the commits a partial chain
        grew from (as judged before)."""
        chain = EventChain(amendment, tip, partial=partial)
        order = self.topological(tip, partial=partial)
        if order is None:
            chain.problems.append((None, "holds commits that are not events on this amendment"))
            return chain
        positions: dict[str, int] = dict(seeds or {}) if partial else {}
        for record in order:
            chain.commits += 1
            self.reads.judged.add(record.sha)
            not_before = max((positions.get(p, 0) for p in record.parents), default=0)
            if record.trailer(ACTION) == JOIN_ACTION:
                positions[record.sha] = not_before
                reason = self._judge_join(record, amendment)
                if reason:
                    chain.problems.append((record, reason))
                continue
            found = self._depends_on(record, history, not_before, limit)
            if isinstance(found, str):
                chain.problems.append((record, found))
                positions[record.sha] = not_before
                continue
            positions[record.sha] = found
            event, problems = self._judge_event(record, amendment, history, found, proposer)
            chain.problems += [(record, reason) for reason in problems]
            if event is not None and not problems:
                chain.events.append(event)
        at = positions.get(tip, -1)
        if (
            self.reads.audit
            and limit is None
            and not chain.problems
            and not self.reads.awaits_signatures()
        ):
            if 0 <= at < len(history.commits):
                # The main commit the tip stands at: a later sync judges only what grew from it.
                self.reads.keep(
                    "position", {f"{amendment}:{tip}": history.commits[at].sha}, flush=False
                )
        return chain

    def topological(self, tip: str, *, partial: bool = False) -> list[Record] | None:
        """The commits of an event chain, parents first; None if it reaches a commit that was
        not read with it (with ``partial``, such commits are the part judged before)."""
        order: list[Record] = []
        seen: set[str] = set()
        stack: list[tuple[str, bool]] = [(tip, False)]
        while stack:
            sha, expanded = stack.pop()
            if expanded:
                order.append(self.reads.records[sha])
                continue
            if sha in seen:
                continue
            record = self.reads.records.get(sha)
            if record is None:
                if partial:
                    continue
                return None
            seen.add(sha)
            stack.append((sha, True))
            stack.extend((p, False) for p in record.parents if p not in seen)
        return order

    def _judge_join(self, record: Record, amendment: str) -> str | None:
        name, value = chain_trailer(amendment)
        if len(record.parents) != 2 or record.trailer(name) != value:
            return "a join of event chains that is not one"
        first, second = record.parents
        key = (first, second)
        if key not in self._joins:
            try:
                self._joins[key] = self.reads.store.merge_trees(first, second)
            except WgError:
                self._joins[key] = None
        if self._joins[key] != record.tree:
            return "a join of event chains that adds something of its own"
        return None

    def _judge_event(
        self,
        record: Record,
        amendment: str,
        history: MainHistory,
        position: int,
        proposer: str | None,
    ) -> tuple[Event | None, list[str]]:
        """The event a commit records and what is wrong with it. A verdict depends only on
        the commit, the amendment, its proposer and the roster in force: it is kept for every
        reader of the store (a sync's join and the index refresh after it judge each incoming
        event once), except where a signature is checked, which this reader does itself."""
        current = history.config(position)
        signed = (
            current is not None and self.reads.audit and current.settings.signatures == "required"
        )
        key = (record.sha, amendment, proposer, current.blobs if current else None)
        if not signed and key in self._verdicts:
            event, problems = self._verdicts[key]
            return event, list(problems)
        kept_key = ":".join((record.sha, amendment, proposer or "", *(key[3] or ())))
        kept = None if record.sha in self._unkept else self.reads.kept_event(kept_key)
        if kept is not None:
            self.reads.judged.add(record.sha)
            if signed:
                self.reads.checked.add(record.sha)
            return kept, []
        verdict = self._judge_event_anew(record, amendment, current, proposer)
        verdict = self.statements.also(verdict, record, current, history, position)
        if not signed:
            self._verdicts[key] = (verdict[0], tuple(verdict[1]))
        if (
            verdict[0] is not None
            and not verdict[1]
            and not self.reads.awaits_signatures(record.sha)
        ):
            self.reads.keep("event", {kept_key: verdict[0].to_dict()}, flush=False)
            self._unkept.discard(record.sha)
        return verdict

    def _judge_event_anew(
        self, record: Record, amendment: str, current: Config | None, proposer: str | None
    ) -> tuple[Event | None, list[str]]:
        problems: list[str] = []
        event_id = record.trailer(EVENT_ID) or ""
        handle = record.trailer(MEMBER) or ""
        type_ = record.trailer(EVENT) or ""
        if len(record.parents) > 1:
            problems.append("a merge of event chains that is not a join")
        name, value = chain_trailer(amendment)
        if record.trailer(name) != value:
            problems.append(f"says {name} {record.trailer(name)!r}, not {value}")
        if not EVENT_ID_RE.match(event_id):
            return None, [*problems, f"an event id {event_id!r} wgtool would not write"]
        path = event_path(event_id)
        added = [
            c for c in record.changes if c.path == path and c.status == "A" and c.mode in FILE_MODES
        ]
        for change in record.changes:
            if change is not (added[0] if added else None):
                verb = {"A": "adds", "D": "removes"}.get(change.status, "changes")
                problems.append(f"{verb} {change.path}: an event only adds its own file {path}")
        if not added:
            return None, [*problems, f"does not add its event file {path}"]
        event = self._read_event(added[0].blob)
        if event is None:
            return None, [*problems, f"{path} is not an event wgtool can read"]
        if event.id != event_id or event.amendment != amendment:
            problems.append(f"{path} names event {event.id!r} on amendment {event.amendment!r}")
        if event.member != handle:
            problems.append(
                f"its event file does not name {handle} as its author but {event.member}"
            )
        if event.type != type_ or not well_formed(event):
            problems.append(f"{path} is not a well-formed {type_ or 'event'}")
        if current is None:
            return None, [*problems, "made against a main commit with no valid roster"]
        member = current.roster.members.get(handle)
        if member is None:
            return None, [*problems, f"made by {handle!r}, who is not in the roster"]
        same_member(record, member, problems)
        same_group(event.group, member, problems, what="its event file")
        same_group(record.trailer(GROUP), member, problems)
        problems += self._entitled(record, event, member, proposer)
        self.reads.signed(record, member, current.settings, problems)
        # The roster's group, never the event's (one object when they agree: a clone holds
        # tens of thousands).
        same = event.group == member.group
        return (event if same else replace(event, group=member.group)), problems

    def _entitled(
        self, record: Record, event: Event, member: Member, proposer: str | None
    ) -> list[str]:
        """Whether ``member`` may record ``event``: by role, as the proposer (a withdrawal) or
        not (co-sponsoring), and a break of silence in time."""
        problems = []
        roles = EVENT_ROLES.get(event.type, ())
        if roles and not any(member.has(role) for role in roles):
            needed = " or ".join(role.value for role in roles)
            problems.append(f"a {event.type} event by {member.handle}, who is not {needed}")
        if event.type == "withdraw" and member.handle != proposer:
            problems.append(f"a withdrawal by {member.handle}, who did not propose the amendment")
        if event.type == "cosponsor" and member.handle == proposer:
            problems.append(f"{member.handle} co-sponsors their own amendment")
        if event.type == "silence-break":
            problems.extend(self._judge_break(record, event))
        if event.type == "focus":
            problems.extend(focus_problems(self.reads, event))
        return problems

    def _judge_break(self, record: Record, event: Event) -> list[str]:
        """A silence is broken only in its own chain, after it started (the silence is in the
        break's tree) and before its deadline, by the breaker's clock; the shared remote's
        guard holds breaks to its own clock as they arrive."""
        blob = self.reads.store.lookup_in_tree(record.tree, event_path(event.target or ""))
        silence = None if blob is None else self._read_event(blob)
        if silence is None or silence.type != "silence" or silence.amendment != event.amendment:
            return [f"breaks {event.target!r}, which is no silence before it in this chain"]
        if silence.until is None or event.at > silence.until:
            return [f"breaks silence {silence.id} after its deadline"]
        return []

    def _read_event(self, blob: str) -> Event | None:
        if blob not in self._events:
            if self.reads.blob_sizes([blob]).get(blob, MAX_EVENT_BYTES + 1) > MAX_EVENT_BYTES:
                self._events[blob] = None
            else:
                self._events[blob] = parse_event(self.reads.store.read_blob(blob))
                self.event_files_read += 1
        return self._events[blob]

    def _read_events(self, blobs: Iterable[str]) -> None:
        """Read many event files ahead, in one git process."""
        blobs = set(blobs)
        sizes = self.reads.blob_sizes(blobs)
        wanted = [
            blob
            for blob in set(blobs) - set(self._events)
            if sizes.get(blob, MAX_EVENT_BYTES + 1) <= MAX_EVENT_BYTES
        ]
        for blob, (kind, data) in self.reads.store.objects(wanted).items():
            self._events[blob] = parse_event(data) if kind == "blob" else None
        self.event_files_read += len(wanted)
