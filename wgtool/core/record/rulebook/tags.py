"""Judging versions: annotated tags ``<draft>/<name>`` on main, by the secretariat (or by the
chair, concluding a silence)."""

from __future__ import annotations

from collections.abc import Mapping

from gitdb.exc import ODBError
from gitdb.util import hex_to_bin

from wgtool.core import validate
from wgtool.core.agreement import utc_iso
from wgtool.core.model import Event, Role, Version
from wgtool.core.record import signing
from wgtool.core.record.messages import parse_message
from wgtool.core.record.rulebook.base import Reader
from wgtool.core.record.rulebook.chains import ChainJudge
from wgtool.core.record.rulebook.history import MainHistory, TagVerdict
from wgtool.core.record.rulebook.layout import (
    EVENTS,
    MAX_EVENT_BYTES,
    NO_EVENTS,
    SILENCE,
    draft_chain,
    draft_path,
)
from wgtool.core.record.rulebook.records import person_of


class TagJudge:
    """Consensus versions, each judged by the settings and roster at the commit it tags (the
    events a concluded silence names, by ``chains``)."""

    def __init__(self, reads: Reader, chains: ChainJudge) -> None:
        self.reads = reads
        self.chains = chains

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
        if self.reads.blob_sizes([sha]).get(sha, 0) > MAX_EVENT_BYTES:
            return refuse(f"{name} points at an object larger than 2 MB")
        try:
            stream = self.reads.store.repo.odb.stream(hex_to_bin(sha))
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
        if self.reads.store.lookup_in_tree(commit.record.tree, draft_path(slug)) is None:
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
        elif self.reads.audit and current.settings.signatures == "required":
            self.reads.checked.add(sha)
            signer = signing.tag_signer(self.reads.store, sha)
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
            judged = self.chains.judged_events(draft_chain(slug), events, history, None)
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
        self.reads.blob_sizes(refs.values())
        verdicts = [self.tag(name, sha, history) for name, sha in refs.items()]
        return sorted(verdicts, key=lambda v: (v.version.tagged_at if v.version else 0, v.name))
