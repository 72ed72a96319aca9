"""The rulebook: one class that judges every ref of a repository."""

from __future__ import annotations

from collections.abc import Mapping

from gitdb.exc import ODBError
from gitdb.util import hex_to_bin

from wgtool.core import validate
from wgtool.core.agreement import utc_iso
from wgtool.core.model import DRAFT_CHAIN, Event, Role, Version
from wgtool.core.record import signing
from wgtool.core.record.messages import parse_message
from wgtool.core.record.rulebook.history import (
    MainHistory,
    TagVerdict,
)
from wgtool.core.record.rulebook.layout import (
    AMENDMENTS_PREFIX,
    EVENTS,
    EVENTS_PREFIX,
    MAX_EVENT_BYTES,
    NO_EVENTS,
    SHA_RE,
    SILENCE,
    TAGS_PREFIX,
    WG_PREFIX,
    chain_key_valid,
    draft_chain,
    draft_path,
)
from wgtool.core.record.rulebook.main import MainJudge
from wgtool.core.record.rulebook.records import (
    Problem,
    Record,
    person_of,
)


class Rulebook(MainJudge):
    """Judges the objects of one repository; caches what it read while it lives.

    ``audit`` (sync, verify and the guard) checks signatures where the working group requires
    them and that nothing is made against an older main commit than its parent. The index reads
    without it: signatures cost a process each, and it reads event chains a few commits at a time.
    """

    # -- versions ------------------------------------------------------------------------------

    def tag(self, name: str, sha: str, history: MainHistory) -> TagVerdict:
        """Judge the tag ``refs/tags/<name>`` pointing at object ``sha`` (long: one rule of a
        consensus version after another, each refusing with its own reason)."""

        def refuse(*reasons: str, tagger: str | None = None) -> TagVerdict:
            return TagVerdict(name, sha, None, reasons, tagger)

        slug, _, version = name.partition("/")
        if (
            not validate.NAME_RE.match(slug)
            or not validate.VERSION_RE.match(version or "")
            or ".." in version
        ):
            return refuse(f"{name} is not a version name wgtool would make (<draft>/<name>)")
        if self._blob_sizes([sha]).get(sha, 0) > MAX_EVENT_BYTES:
            return refuse(f"{name} points at an object larger than 2 MB")
        try:
            stream = self.store.repo.odb.stream(hex_to_bin(sha))
            kind = stream.type.decode()
            data = stream.read().decode("utf-8", "replace") if kind == "tag" else ""
        except (ValueError, OSError, ODBError):
            return refuse(f"{name} points at an object this repository lacks")
        if kind != "tag":
            return refuse(f"not an annotated tag: it points straight at a {kind}")
        headers, _, message = data.partition("\n\n")
        fields = dict(line.split(" ", 1) for line in headers.splitlines() if " " in line)
        tagger_email, tagger_name, tagged_at = person_of(fields.get("tagger", ""))
        tagger = f"{tagger_name} <{tagger_email}>"
        target = fields.get("object", "")
        if fields.get("type") != "commit":
            return refuse(f"tags a {fields.get('type')}, not a commit", tagger=tagger)
        if fields.get("tag") != name:
            return refuse(f"the tag object calls itself {fields.get('tag')!r}", tagger=tagger)
        position = history.position(target)
        if position is None:
            return refuse(f"tags {target[:10]}, which is not on main", tagger=tagger)
        commit = history.commits[position]
        problems: list[str] = []
        deadline: float | None = None
        if not commit.valid:
            problems.append(f"tags {target[:10]}, a main commit that breaks the rules")
        current = commit.config
        if current is None:
            return refuse(*problems, "tags a main commit with no valid roster", tagger=tagger)
        if self.store.lookup_in_tree(commit.record.tree, draft_path(slug)) is None:
            problems.append(f"tags a commit where draft {slug} does not exist")
        member = current.roster.by_email(tagger_email)
        subject, body, trailers = parse_message(message.split("-----BEGIN SSH SIGNATURE-----")[0])
        # A version is the secretariat's; the chair tags one by concluding a silence on it.
        silence = (trailers.get(SILENCE) or [""])[-1]
        role = Role.CHAIR if silence else Role.SECRETARIAT
        if member is None or not member.has(role):
            problems.append(f"tagged by {tagger_email}, who is not {role.value}")
        elif silence:
            events = (trailers.get(EVENTS) or [""])[-1]
            found, reasons = self._concluded_silence(
                slug, version, target, silence, (events, tagged_at), history
            )
            problems += reasons
            deadline = found.until if found is not None else None
        elif self.audit and current.settings.signatures == "required":
            self._checked.add(sha)
            signer = signing.tag_signer(self.store, sha)
            if not member.ssh_key or signer != signing.fingerprint(member.ssh_key):
                problems.append(f"no valid signature by {member.handle}'s key in the roster")
        if problems:
            return refuse(*problems, tagger=tagger)
        result = Version(
            draft=slug,
            name=version,
            tag=name,
            commit=target,
            message="\n\n".join(p for p in (subject, body) if p),
            tagger=tagger_name,
            tagged_at=tagged_at,
        )
        return TagVerdict(name, sha, result, (), tagger, deadline)

    def _concluded_silence(
        self,
        slug: str,
        version: str,
        target: str,
        silence_id: str,
        judged_at: tuple[str, int],
        history: MainHistory,
    ) -> tuple[Event | None, list[str]]:
        """A version that concludes a silence names it and the draft's events it judged
        (``Events:``): a silence on that draft, for this version of the commit tagged, that
        none of them broke, and whose deadline had passed when the tag was made."""
        events, tagged_at = judged_at
        if not events:
            return None, [
                f"concludes silence {silence_id} but names no events it judged ({EVENTS}:)"
            ]
        judged: list[Event] | str = []
        if events != NO_EVENTS:
            judged = self.judged_events(draft_chain(slug), events, history, None)
        if isinstance(judged, str):
            return None, [judged]
        found = next((e for e in judged if e.type == "silence" and e.id == silence_id), None)
        if found is None or found.draft != slug:
            return None, [
                f"concludes silence {silence_id!r}, which is not among the events it names"
            ]
        if found.target != version or found.anchor != target:
            return found, [
                f"concludes silence {silence_id}, which was for version {found.target} of "
                f"{(found.anchor or '')[:10]}"
            ]
        breakers = {e.member for e in judged if e.type == "silence-break" and e.target == found.id}
        if breakers:
            return found, [
                f"concludes silence {silence_id}, which {', '.join(sorted(breakers))} broke"
            ]
        if found.until is None or tagged_at < int(found.until):  # tag times are whole seconds
            return found, [
                f"concludes silence {silence_id} at {utc_iso(tagged_at)}, before its deadline "
                f"{utc_iso(found.until or 0)}"
            ]
        return found, []

    def tags(self, refs: Mapping[str, str], history: MainHistory) -> list[TagVerdict]:
        """Judge tags given as {name under refs/tags/: object}, oldest first."""
        self._blob_sizes(refs.values())
        verdicts = [self.tag(name, sha, history) for name, sha in refs.items()]
        return sorted(verdicts, key=lambda v: (v.version.tagged_at if v.version else 0, v.name))

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
            revisions = self.amendment_chains({key: tip}, history)[key]
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
            head = self.store.resolve(AMENDMENTS_PREFIX + key)
            if head is not None:
                proposer = self.amendment_chains({key: head}, history)[key].proposer
        chain = self.event_chains({key: tip}, history, {key: proposer})[key]
        if chain.valid:
            return [tip]
        order = self._topological(tip)
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
        chains = self.amendment_chains(wanted[AMENDMENTS_PREFIX], history)
        for amendment, chain in chains.items():
            result[AMENDMENTS_PREFIX + amendment] = _problems(
                AMENDMENTS_PREFIX + amendment, chain.problems
            )
        events = wanted[EVENTS_PREFIX]
        tips = {
            ref[len(AMENDMENTS_PREFIX) :]: sha
            for ref, sha in (
                self.store.refs(AMENDMENTS_PREFIX.rstrip("/")) if events else {}
            ).items()
        }
        tips.update(amendments or {})
        tips.update({a: c.tip for a, c in chains.items() if c.valid})
        proposers = self.amendment_chains({a: tips[a] for a in events if a in tips}, history)
        grew = {
            ref[len(EVENTS_PREFIX) :]: old
            for ref, old in (since or {}).items()
            if ref.startswith(EVENTS_PREFIX)
        }
        for amendment, verdict in self.event_chains(
            events, history, {a: c.proposer for a, c in proposers.items() if c.valid}, since=grew
        ).items():
            result[EVENTS_PREFIX + amendment] = _problems(
                EVENTS_PREFIX + amendment, verdict.problems
            )
        for tag in self.tags(tags, history):
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
