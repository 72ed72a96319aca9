"""Amendments: proposing and revising them, and reading them back from the index."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from wgtool.core import document, subamending, validate
from wgtool.core.adoption import amended_text
from wgtool.core.desks.chains import Chains
from wgtool.core.desks.context import Record, require_open
from wgtool.core.desks.drafts import DraftsDesk
from wgtool.core.desks.translations import TranslationsDesk
from wgtool.core.errors import (
    InvalidInput,
    LostRace,
    NotFound,
    PermissionDenied,
    Remedy,
    StateError,
)
from wgtool.core.model import Amendment, Kind, Member, Status
from wgtool.core.record.gitstore import retry_cas
from wgtool.core.record.messages import format_message, parse_message
from wgtool.core.record.rulebook import (
    ALTERNATIVE_TO,
    AMENDMENTS_PREFIX,
    AMENDS,
    AMENDS_REVISION,
    EVENTS_PREFIX,
    LANGUAGE,
    MAIN,
    MAIN_REF,
    PARAGRAPH_LABEL,
    draft_path,
)
from wgtool.core.text import DiffOp, word_diff


def amendment_trailers(
    actor: Member,
    amendment_id: str,
    slug: str,
    kind: Kind,
    paragraph: int | None,
    revision: int,
    *,
    label: str | None = None,
    alternative_to: str | None = None,
) -> list[tuple[str, str]]:
    """The trailers of a revision of an amendment, exactly as wgtool writes them (the label
    only where it is not the paragraph's number)."""
    extra = [("Amendment-Id", amendment_id), ("Draft", slug), ("Kind", kind.value)]
    if paragraph is not None and kind is not Kind.DOCUMENT:
        extra.append(("Paragraph", str(paragraph)))
        if label is not None and label != str(paragraph):
            extra.append((PARAGRAPH_LABEL, label))
    if alternative_to is not None:
        extra.append((ALTERNATIVE_TO, alternative_to))
    extra.append(("Revision", str(revision)))
    return [*extra, ("Member", actor.handle), ("Stakeholder-Group", actor.group)]


def revision_trailers(
    actor: Member, amendment: Amendment, kind: Kind, revision: int
) -> list[tuple[str, str]]:
    """The trailers of revision ``revision`` of ``amendment`` (its target unchanged)."""
    return amendment_trailers(
        actor,
        amendment.id,
        amendment.draft,
        kind,
        amendment.paragraph,
        revision,
        label=amendment.label,
        alternative_to=amendment.alternative_to,
    )


@dataclass(frozen=True)
class AmendmentChange:
    """What an amendment changes, for display: the old and new text of its target."""

    old: str
    new: str
    diff: tuple[DiffOp, ...]


@dataclass(frozen=True)
class AdoptedChange(AmendmentChange):
    """What the chair's merge of an amendment changed in the draft: the text adopted, which
    differs from the proposal when it was merged as orally revised or with a conflict resolved.

    Attributes:
        orally_revised: Whether the merge commit says the text was revised orally.
        as_proposed: Whether the adopted paragraphs read as the amendment proposed them.
    """

    orally_revised: bool = False
    as_proposed: bool = True


class AmendmentsDesk:
    """A member proposes and revises amendments; anyone reads them, filtered."""

    def __init__(
        self, record: Record, drafts: DraftsDesk, chains: Chains, translations: TranslationsDesk
    ) -> None:
        self.record = record
        self.drafts = drafts
        self.chains = chains  # the amendment window, read before tabling
        self.translations = translations  # the languages a draft may be amended in

    def own_open_amendment(self, amendment_id: str, action: str) -> tuple[Member, Amendment]:
        """The acting member and their own open amendment, for revise and withdraw."""
        actor = self.record.require(action)
        amendment = self.amendment(amendment_id)
        if amendment.proposer != actor.handle:
            raise PermissionDenied(
                f"only the proposer ({amendment.proposer}) can {action} amendment {amendment.id}"
            )
        require_open(amendment, action, lapsed_too=action == "withdraw")
        return actor, amendment

    def propose(self, slug: str, **options: Any) -> Amendment:
        """The amendment tabled by :meth:`propose_id` with these options, as the index has it."""
        return self.amendment(self.propose_id(slug, **options))

    def propose_id(
        self,
        slug: str,
        *,
        kind: Kind,
        paragraph: int | str | None = None,
        text: str | None = None,
        rationale: str,
        title: str | None = None,
        alternative_to: str | None = None,
        language: str | None = None,
    ) -> str:
        """Table an amendment to paragraph ``paragraph`` (its label: ``7`` or ``7bis``; for an
        insertion, the paragraph it follows, ``0`` for the start); ``alternative_to`` offers
        another text for the passage an open amendment amends ("Alt 2"); ``language``: the
        language of ``text``, one the draft is in (default: its authentic one). Gives the new
        amendment's id without reading it back from the index (:meth:`propose` does), so that
        a command printing only the id refreshes no index."""
        validate.name(slug, "draft")
        actor = self.record.require("propose")
        rationale = validate.text(rationale, "rationale").strip()
        if kind is not Kind.DOCUMENT and paragraph is None:
            raise InvalidInput("say which paragraph", remedy=Remedy.GIVE_PARAGRAPH)
        base = self.record.main()
        base_text = self.drafts.draft_text_at(base, slug)
        if base_text is None:
            raise NotFound(f"no draft {slug!r}", remedy=Remedy.LIST_DRAFTS)
        self.chains.refuse_outside_window(slug)
        said = self.translations.proposal_language(slug, language)
        position, label = self._target(base, slug, base_text, kind, paragraph)
        other = self._alternative(alternative_to, slug, kind, label)
        new_text = amended_text(base_text, kind, position, text)
        if new_text == base_text:
            raise InvalidInput("the amendment changes nothing: the text is the same as the draft's")
        title = validate.one_line(title, "title") if title else kind.default_title(label, slug)
        base_tree = self.record.store.commit(base).tree
        tree = self.record.store.write_tree(base_tree, {draft_path(slug): new_text.encode()})
        person = self.record.person(actor)

        def attempt() -> str:
            amendment_id = self.record.ids()
            trailers = amendment_trailers(
                actor, amendment_id, slug, kind, position, 1, label=label, alternative_to=other
            )
            trailers += [(LANGUAGE, said)] if said else []
            message = format_message(title, rationale, trailers)
            commit = self.record.store.write_commit(tree, [base], message, person, person)
            self.record.store.update_ref(
                AMENDMENTS_PREFIX + amendment_id, commit, None, "wgtool propose"
            )
            return amendment_id

        return retry_cas(attempt)

    def _target(
        self, base: str, slug: str, text: str, kind: Kind, paragraph: int | str | None
    ) -> tuple[int | None, str | None]:
        """The position at ``base`` and the label of the paragraph an amendment targets."""
        if kind is Kind.DOCUMENT or paragraph is None:
            return None, None
        label = str(paragraph).strip().removeprefix("¶")
        if kind is Kind.INSERT and label == "0":
            return 0, "0"
        labels = self.drafts.labels_at(base, slug, text)
        position = labels.resolve(label)
        return position, labels.label(position)

    def _alternative(
        self, other_id: str | None, slug: str, kind: Kind, label: str | None
    ) -> str | None:
        """The amendment a new one is an alternative to: an undecided one on the same passage
        (the first of the alternatives, so that they all name one)."""
        if other_id is None:
            return None
        other = self.amendment(other_id)
        if not other.status.undecided:
            raise StateError(
                f"amendment {other.id} is {other.status.value}: alternatives are offered to an "
                "undecided amendment"
            )
        same = other.draft == slug and (other.kind is Kind.DOCUMENT) == (kind is Kind.DOCUMENT)
        if same and kind is not Kind.DOCUMENT and Kind.INSERT not in (kind, other.kind):
            same = (other.label or str(other.paragraph)) == label
        if not same:
            raise InvalidInput(
                f"amendment {other.id} amends {other.place} of {other.draft}: an alternative "
                "amends the same passage"
            )
        return other.alternative_to or other.id

    def revise(
        self,
        amendment_id: str,
        *,
        text: str,
        rationale: str | None = None,
        language: str | None = None,
    ) -> Amendment:
        """A new revision of one's own open amendment; ``language``: the language of ``text``
        (default: the draft's authentic one, which a merge needs)."""
        actor, amendment = self.own_open_amendment(amendment_id, "revise")
        said = self.translations.proposal_language(amendment.draft, language)
        base_text = self.drafts.draft_text_at(amendment.base, amendment.draft) or ""
        kind = Kind.REPLACE if amendment.kind is Kind.DELETE else amendment.kind
        if amendment.amends_revision is not None:  # a sub-amendment: to its amendment's text
            new_text = self._sub_revision(amendment, base_text, text)
        else:
            new_text = amended_text(base_text, kind, amendment.paragraph, text)
        if new_text == base_text:
            raise InvalidInput("the revision changes nothing: the text is the same as the draft's")
        head_text = self.drafts.draft_text_at(amendment.head, amendment.draft)
        if rationale is not None:
            rationale = validate.text(rationale, "rationale").strip()
        unchanged = said == self.translations.amendment_language(amendment)
        if new_text == head_text and unchanged and rationale in (None, amendment.rationale):
            raise InvalidInput("the revision is the same as the current one: change the text")
        tree = self.record.store.write_tree(
            self.record.store.commit(amendment.base).tree,
            {draft_path(amendment.draft): new_text.encode()},
        )
        person = self.record.person(actor)
        ref = AMENDMENTS_PREFIX + amendment.id

        def attempt() -> None:
            # The index numbers the revisions and says whether the amendment is still open; the
            # write lands only while the refs are as the index read them.
            current, tips = self.record.open_state(amendment.id, "revise")
            head = tips.get(ref)
            if head is None:
                raise NotFound(f"amendment {amendment.id} disappeared")
            if current.head != head:
                raise LostRace(ref)  # revised again meanwhile: read it once more
            trailers = revision_trailers(actor, amendment, kind, current.revision + 1)
            if amendment.amends is not None and amendment.amends_revision is not None:
                trailers[-2:-2] = [
                    (AMENDS, amendment.amends),
                    (AMENDS_REVISION, amendment.amends_revision),
                ]
            trailers += [(LANGUAGE, said)] if said else []
            trailers.append((MAIN, self.record.made_against(actor, head)))
            message = format_message(
                amendment.title,
                rationale if rationale is not None else amendment.rationale,
                trailers,
            )
            commit = self.record.store.write_commit(tree, [head], message, person, person)
            events = EVENTS_PREFIX + amendment.id
            self.record.store.update_ref(
                ref,
                commit,
                head,
                "wgtool revise",
                verify={MAIN_REF: tips.get(MAIN_REF), events: tips.get(events)},
            )

        retry_cas(attempt)
        return self.amendment(amendment.id)

    def _sub_revision(self, sub: Amendment, base_text: str, text: str) -> str:
        """A sub-amendment's revised draft: its amendment's text (at the revision it amends)
        with ``text`` in the amendment's paragraph, changing nothing else."""
        amended = self.drafts.draft_text_at(sub.amends_revision or "", sub.draft) or ""
        new_text = subamending.sub_text(amended, sub.kind, sub.paragraph, text)
        if not subamending.confined(base_text, amended, new_text):
            raise InvalidInput(
                f"a sub-amendment changes only what amendment {sub.amends} changes in {sub.draft}"
            )
        return new_text

    def resolve_id(self, prefix: str) -> str:
        """The full id of the amendment that ``prefix`` names: a unique prefix of its id, or
        its official number in its draft, ``SLUG/N`` (``principles/12``). Ids and numbers
        are settled by main and the amendments alone (see :meth:`Record.read`)."""
        prefix = prefix.strip().lower()
        if "/" in prefix:
            return self._numbered(prefix)
        if not validate.ID_PREFIX_RE.match(prefix):
            raise InvalidInput(
                f"invalid amendment id {prefix!r}: ids are hexadecimal, like 3f9a01bc, "
                "or a draft and number, like principles/12"
            )
        matches = self.record.read(lambda index: index.resolve_prefix(prefix), settled=True)
        if not matches:
            raise NotFound(f"no amendment {prefix!r}", remedy=Remedy.LIST_AMENDMENTS)
        if len(matches) > 1:
            raise InvalidInput(
                f"amendment id {prefix!r} is ambiguous: it matches {', '.join(sorted(matches))}"
            )
        return matches[0]

    def _numbered(self, name: str) -> str:
        """The id of the amendment ``SLUG/N`` names (its official number N in draft SLUG)."""
        slug, _, number = name.partition("/")
        if not (validate.NAME_RE.match(slug) and number.isascii() and number.isdigit()) or (
            len(number) > 9
        ):
            raise InvalidInput(
                f"invalid amendment {name!r}: give an id, like 3f9a01bc, or a draft and number, "
                "like principles/12"
            )
        found = self.record.read(lambda index: index.numbered(slug, int(number)), settled=True)
        if found is None:
            raise NotFound(f"no amendment {name!r}", remedy=Remedy.LIST_AMENDMENTS)
        return found

    def amendment(self, amendment_id: str, *, settled: bool = False) -> Amendment:
        """The amendment ``amendment_id`` names (see :meth:`resolve_id`). ``settled``: the
        caller reads only its row (its status, its revision), not its deliberation, which an
        index behind by positions and comments settles (see :meth:`Record.read`)."""
        full = self.resolve_id(amendment_id)
        found = self.record.read(lambda index: index.amendment(full), settled=settled)
        if found is None:
            raise NotFound(f"no amendment {amendment_id!r}", remedy=Remedy.LIST_AMENDMENTS)
        adoption = found.adoption
        if adoption is not None and adoption.silence:
            key = found.id
            breaks = self.record.read(lambda index: index.chain_events([key], ["silence-break"]))
            breakers = sorted({e.member for e in breaks if e.target == adoption.silence})
            if breakers:
                disputed = replace(adoption, disputed_by=tuple(breakers))
                found = replace(found, adoption=disputed)
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
        self.check_filters(draft=draft, status=status, group=group)
        self.record.refresh()
        return self.record.index.amendments(
            draft=draft, status=status, group=group, proposer=proposer, text=text
        )

    def check_filters(
        self, *, draft: str | None = None, status: str | None = None, group: str | None = None
    ) -> None:
        """Refuse a listing's filter that names no draft, status or stakeholder group."""
        if draft is not None:
            validate.name(draft, "draft")
        if status is not None and status not in {s.value for s in Status}:
            raise InvalidInput(
                f"unknown status {status!r}: use {', '.join(s.value for s in Status)}"
            )
        groups = self.record.settings.groups
        if group is not None and group not in groups:
            raise InvalidInput(
                f"unknown stakeholder group {group!r}: use one of {', '.join(groups)}"
            )

    def change(self, amendment: Amendment) -> AmendmentChange:
        """The amendment's change to its target, as old and new text with a word diff (a
        sub-amendment's: to the text of the amendment's revision it was made against)."""
        base = amendment.amends_revision or amendment.base
        base_text = self.drafts.draft_text_at(base, amendment.draft) or ""
        new_text = self.drafts.draft_text_at(amendment.head, amendment.draft) or ""
        old, new = base_text, new_text
        if amendment.paragraph is not None and amendment.kind is not Kind.DOCUMENT:
            old, new = _focus(base_text, new_text)
        return AmendmentChange(old=old, new=new, diff=tuple(word_diff(old, new)))

    def adopted_change(self, amendment: Amendment) -> AdoptedChange | None:
        """What the merge of ``amendment`` changed in its draft (its merge commit against that
        commit's first parent), or None when it was never merged."""
        if amendment.merge_commit is None:
            return None
        merge = self.record.store.commit(amendment.merge_commit)
        before = self.drafts.draft_text_at(merge.parents[0], amendment.draft) or ""
        after = self.drafts.draft_text_at(merge.sha, amendment.draft) or ""
        old, new = _focus(before, after)
        proposed = self.change(amendment).new
        _, _, trailers = parse_message(merge.message)
        return AdoptedChange(
            old=old,
            new=new,
            diff=tuple(word_diff(old, new)),
            orally_revised="yes" in trailers.get("Orally-Revised", []),
            as_proposed=" ".join(new.split()) == " ".join(proposed.split()),
        )


def _focus(old: str, new: str) -> tuple[str, str]:
    """Trim the blocks both texts share at start and end, keeping whole paragraphs."""
    old_blocks = [b.text for b in document.blocks(old)]
    new_blocks = [b.text for b in document.blocks(new)]
    start, end = document.common_ends(old_blocks, new_blocks)
    old_mid = old_blocks[start : len(old_blocks) - end]
    new_mid = new_blocks[start : len(new_blocks) - end]
    return "\n\n".join(old_mid), "\n\n".join(new_mid)
