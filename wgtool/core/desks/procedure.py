"""The procedure desk: co-sponsors, the amendment window, silences, tagging and renumbering.

A silence on an amendment and co-sponsoring are events in the amendment's chain; the window and
a silence on a draft are events in the draft's chain. A silence concluded is a merge (an
amendment) or a consensus version (a draft) that names it.
"""

from __future__ import annotations

from wgtool.core import agreement, labels, validate
from wgtool.core.agreement import Cosponsors, Silence, SilenceState, Window, local_time
from wgtool.core.desks.agreement import AgreementDesk
from wgtool.core.desks.amendments import AmendmentsDesk
from wgtool.core.desks.chains import Chains
from wgtool.core.desks.context import Record
from wgtool.core.desks.drafts import DraftsDesk
from wgtool.core.desks.merges import MergesDesk
from wgtool.core.errors import BracketsRemain, InvalidInput, Remedy, StateError
from wgtool.core.model import Amendment, Event, Member, Version
from wgtool.core.record.messages import format_message
from wgtool.core.record.rulebook import (
    BRACKETS,
    EVENTS,
    EVENTS_PREFIX,
    NO_EVENTS,
    SILENCE,
    draft_chain,
    labels_path,
)

AD_REFERENDUM = "Ad-Referendum"
"""The trailer of a version tagged while paragraphs were agreed ad referendum: which, and on
whom each waits (``2 pending: ¶5 on governments; ¶7bis on mchen``)."""


class ProcedureDesk:
    """Any member co-sponsors or breaks a silence; the chair (or the secretariat) starts a
    silence and the chair concludes it; the secretariat keeps the window, renumbers and tags."""

    def __init__(
        self,
        record: Record,
        drafts: DraftsDesk,
        chains: Chains,
        amendments: AmendmentsDesk,
        merges: MergesDesk,
        agreement: AgreementDesk,
    ) -> None:
        self.record = record
        self.drafts = drafts
        self.chains = chains
        self.amendments = amendments
        self.merges = merges  # a silence on an amendment concludes with its merge
        self.agreement = agreement  # a version is tagged on the brackets and the ledger

    # -- co-sponsors ---------------------------------------------------------------------------

    def cosponsor(self, amendment_id: str, *, withdraw: bool = False) -> Event:
        actor = self.record.require("co-sponsor")
        amendment = self.amendments.amendment(amendment_id)
        if amendment.proposer == actor.handle:
            raise InvalidInput(f"you proposed amendment {amendment.id}: co-sponsors are others")
        current = self.cosponsors(amendment)
        if withdraw and actor.handle not in current.members:
            raise StateError(f"you do not co-sponsor amendment {amendment.id}")
        if not withdraw and actor.handle in current.members:
            raise StateError(f"you co-sponsor amendment {amendment.id} already")
        return self.chains.add_event(
            amendment,
            actor,
            "cosponsor",
            state="off" if withdraw else "on",
            while_open="co-sponsor",
            lapsed_too=True,
        )

    def cosponsors(self, amendment: Amendment) -> Cosponsors:
        key = amendment.id
        return Cosponsors.of(
            self.record.read(lambda index: index.chain_events([key], ["cosponsor"]))
        )

    # -- the amendment window ------------------------------------------------------------------

    def set_window(self, slug: str, state: str, *, until: float | None = None) -> Event:
        actor = self.record.require("open or close the window")
        if state not in ("open", "close", "closed"):
            raise InvalidInput(f"the window is opened or closed, not {state!r}")
        self.drafts.existing_draft(slug)
        if until is not None and until <= self.record.clock():
            raise InvalidInput(
                f"the end of the window, {local_time(until)}, is in the past",
                remedy=Remedy.END_IN_THE_PAST,
                subject=local_time(until),
            )
        event = self.chains.new_event(
            draft_chain(slug),
            "window",
            actor,
            state="open" if state == "open" else "closed",
            until=until,
        )
        self.chains.write_event(event, actor)
        return event

    def window(self, slug: str) -> Window:
        """The draft's amendment window, as its chain says (read by the chains)."""
        return self.chains.window(slug)

    # -- silence -------------------------------------------------------------------------------

    def silence_start(
        self, subject: str, *, until: float, message: str, version: str | None = None
    ) -> Event:
        """Put an amendment, or a draft as it is on main now, under silence until ``until``."""
        actor = self.record.require("start a silence")
        message = validate.text(message, "message").strip()
        if until <= self.record.clock():
            raise InvalidInput(f"the deadline {local_time(until)} is in the past")
        running = [
            s
            for s in self.silences()
            if s.state(self.record.clock()) in (SilenceState.RUNNING, SilenceState.ENDED)
        ]
        if subject in self.drafts.draft_slugs():
            main = self.drafts.existing_draft(subject)
            name = version or "silence-" + agreement.utc_iso(until)[:10]
            validate.new_version_name(name)
            if any(s.on_draft and s.subject == subject for s in running):
                raise StateError(f"draft {subject} is under silence already")
            return self.chains.draft_event(
                subject, main, "silence", actor, text=message, until=until, target=name
            )
        amendment = self.amendments.amendment(subject)
        if any(s.subject == amendment.id for s in running):
            raise StateError(f"amendment {amendment.id} is under silence already")
        return self.chains.add_event(
            amendment, actor, "silence", text=message, until=until, while_open="put under silence"
        )

    def silences(self) -> list[Silence]:
        self.record.refresh()
        events = self.record.index.chain_events(None, ["silence", "silence-break"])
        found = agreement.silences(events, {})
        versions = {(v.draft, v.name) for v in self.drafts.all_versions()}
        result = []
        for silence in found:
            concluded = None
            if silence.on_draft and (silence.subject, silence.event.target) in versions:
                concluded = f"version {silence.event.target}"
            elif not silence.on_draft:
                amendment = self.record.index.amendment(silence.subject)
                adoption = amendment.adoption if amendment else None
                if amendment and adoption and adoption.silence == silence.id:
                    concluded = f"merge {amendment.merge_commit}"
            result.append(
                Silence(silence.event, silence.subject, silence.on_draft, silence.breaks, concluded)
            )
        return result

    def silence(self, silence_id: str) -> Silence:
        found = self.chains.find_event(silence_id, "silence")
        return next(s for s in self.silences() if s.id == found.id)

    def silence_break(self, silence_id: str, *, reason: str) -> Event:
        """Break a silence before its deadline: an objection from the member's group."""
        actor = self.record.require("break a silence")
        reason = validate.text(reason, "reason").strip()
        silence = self.silence(silence_id)
        now = self.record.clock()
        state = silence.state(now)
        if state in (SilenceState.CONCLUDED, SilenceState.DISPUTED):
            raise StateError(f"silence {silence.id} was concluded: {silence.concluded}")
        if now > silence.until:
            raise StateError(
                f"silence {silence.id} ended at {local_time(silence.until)}: too late to break it"
            )
        if any(b.member == actor.handle for b in silence.breaks):
            raise StateError(f"you broke silence {silence.id} already")
        if silence.on_draft:
            event = self.chains.new_event(
                silence.event.amendment, "silence-break", actor, text=reason, target=silence.id
            )
            self.chains.write_event(event, actor)
            return event
        amendment = self.amendments.amendment(silence.subject)
        return self.chains.add_event(
            amendment,
            actor,
            "silence-break",
            text=reason,
            target=silence.id,
            while_open="break the silence on",
        )

    def silence_conclude(self, silence_id: str) -> str:
        """Adopt a text whose silence ended unbroken: merge the amendment, or tag the draft as
        it was put under silence. Returns the merge commit or the version's tag."""
        chair = self.record.require("conclude a silence")
        silence = self.silence(silence_id)
        now = self.record.clock()
        state = silence.state(now)
        if state is SilenceState.RUNNING:
            raise StateError(
                f"silence {silence.id} runs until {local_time(silence.until)}: conclude it after"
            )
        if state is SilenceState.BROKEN:
            who = ", ".join(f"{b.member} ({b.group})" for b in silence.breaks)
            raise StateError(f"silence {silence.id} was broken by {who}: it cannot be concluded")
        if state in (SilenceState.CONCLUDED, SilenceState.DISPUTED):
            raise StateError(f"silence {silence.id} was concluded already: {silence.concluded}")
        if silence.on_draft:
            version = self.tag(
                silence.subject,
                silence.event.target or "",
                message=silence.event.text,
                at=silence.event.anchor,
                silence=silence.id,
                chair=chair,
            )
            return version.tag
        return self.merges.merge(silence.subject, silence=silence.id)

    # -- versions and renumbering --------------------------------------------------------------

    def tag(  # the secretariat's; a silence concluded is the chair's
        self,
        slug: str,
        name: str,
        *,
        message: str,
        allow_brackets: bool = False,
        renumber: bool = False,
        at: str | None = None,
        silence: str | None = None,
        chair: Member | None = None,
    ) -> Version:
        """Tag a consensus version; refused while brackets remain, unless ``allow_brackets``
        (recorded in the tag). Paragraphs agreed ad referendum are recorded in the tag too
        (:data:`AD_REFERENDUM`). ``renumber`` renumbers the paragraphs first."""
        actor = chair if silence is not None and chair is not None else self.record.require("tag")
        self.drafts.existing_draft(slug)
        remaining = [b for b in self.agreement.brackets(slug) if b.active]
        extra: list[tuple[str, str]] = []
        if remaining:
            where = ", ".join(f"¶{b.label}" for b in remaining[:8])
            if not allow_brackets:
                raise BracketsRemain(
                    f"{len(remaining)} bracket(s) remain in {slug} ({where})",
                    slug,
                    len(remaining),
                    where,
                    concluding=silence is not None,
                )
            extra.append((BRACKETS, f"{len(remaining)} left ({where})"))
        pending = agreement.ad_referendum_note(self.agreement.ledger(slug, amendments=False))
        if pending:
            extra.append((AD_REFERENDUM, pending))
        if silence is not None:
            # The draft's deliberation the conclusion judged, for anyone to judge it again.
            events = self.record.store.resolve(EVENTS_PREFIX + draft_chain(slug))
            extra += [(SILENCE, silence), (EVENTS, events or NO_EVENTS)]
        if renumber:
            self.renumber(slug, quiet=True)
        return self.drafts.write_version(
            slug, name, message=message, extra=extra, at=at, actor=actor
        )

    def renumber(self, slug: str, *, quiet: bool = False) -> list[tuple[str, str]]:
        """Number the paragraphs 1 to n again (secretariat); returns the concordance
        ``[(old, new), ...]``, also recorded in the commit."""
        actor = self.record.require("renumber")
        main = self.drafts.existing_draft(slug)
        before = self.drafts.labels_at(main, slug)
        after, concordance = labels.renumbered(before)
        if not concordance:
            if quiet:
                return []
            raise StateError(f"the paragraphs of {slug} are numbered 1 to {len(after.current)}")
        body = "Concordance (old -> new):\n" + "\n".join(f"{a} -> {b}" for a, b in concordance)
        message = format_message(
            f"Renumber the paragraphs of {slug}",
            body,
            self.record.trailers(actor, ("Action", "renumber"), ("Draft", slug)),
        )

        def build(current: str) -> dict[str, bytes | None]:
            if self.drafts.labels_at(current, slug) != before:
                raise StateError(f"the paragraphs of {slug} changed meanwhile: renumber again")
            return {labels_path(slug): after.dump()}

        person = self.record.person(actor)
        self.record.commit_main(build, message, person, person)
        return concordance

    def alternatives(self, amendment: Amendment) -> list[Amendment]:
        """The alternatives for the passage ``amendment`` amends, itself among them, in the
        order they were tabled ("Alt 1", "Alt 2"...); empty when it has none."""
        root = amendment.alternative_to or amendment.id
        group = self.record.read(lambda index: index.amendments(draft=amendment.draft, family=root))
        # The amendment the others are alternatives to first; the others as they were tabled.
        group.sort(key=lambda a: (a.id != root, a.created_at, a.id))
        return group if len(group) > 1 else []
