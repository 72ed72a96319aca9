"""One exception hierarchy for the core.

Every error carries a one-line message that says what is wrong, in the core's words, and as
data what the member can do about it: a :class:`Remedy` and the fields it needs (the draft whose
versions to list, the amendment without consensus). No message names a flag or a command: each
face says the remedy in its own words (the CLI names its flags and commands,
:func:`wgtool.cli.output.error_line`; the TUI its keys and dialogs,
:func:`wgtool.tui.render.error_words`). The CLI exits with the code its table
(:data:`wgtool.cli.EXIT_CODES`) gives the error's type; the TUI shows a notification.
"""

from __future__ import annotations

from enum import Enum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from wgtool.core.text.merge import Conflict


class Remedy(Enum):
    """What the member can do about an error, named in the core's words; each face has its own
    words for every remedy (a test holds both faces to all of them)."""

    LIST_DRAFTS = "list-drafts"  # the drafts there are
    LIST_AMENDMENTS = "list-amendments"
    LIST_MEMBERS = "list-members"
    LIST_VERSIONS = "list-versions"  # subject: the draft
    LIST_BRACKETS = "list-brackets"
    LIST_SILENCES = "list-silences"
    CREATE_GROUP = "create-group"  # the place is no working group: make one
    CHOOSE_REPOSITORY = "choose-repository"  # no repository here: name one, or make one
    CHOOSE_MEMBER = "choose-member"  # nobody is acting
    ADD_SSH_KEY = "add-ssh-key"  # subject: the member
    FOUNDER_SECRETARIAT = "founder-secretariat"  # the first member needs the secretariat role
    GIVE_PARAGRAPH = "give-paragraph"  # which paragraph an amendment is to
    GIVE_PARAGRAPH_TEXT = "give-paragraph-text"
    GIVE_DRAFT_TEXT = "give-draft-text"  # the whole amended draft
    WHOLE_DRAFT_INSTEAD = "whole-draft-instead"  # one paragraph at a time, or the whole draft
    GIVE_EARLIER_VERSION = "give-earlier-version"  # what a redline is against
    NO_VERSION_OF_AMENDMENTS = "no-version-of-amendments"
    GIVE_PENDING_ON = "give-pending-on"  # ad referendum on whom
    PENDING_ON_NEEDS_AD_REF = "pending-on-needs-ad-ref"
    END_IN_THE_PAST = "end-in-the-past"  # subject: the moment, in local time
    CALL_GUARD_CHECK = "call-guard-check"  # another hook is there: call the guard from it
    RESOLVE_CONFLICT = "resolve-conflict"  # give the text as it should read (MergeConflict)
    OVERRIDE_CONSENSUS = "override-consensus"  # the chair merges anyway, with a reason
    REPLAY_MERGES = "replay-merges"  # subject: the remote whose main diverged from main here


class WgError(Exception):
    """Base class of every error the core raises on purpose.

    Attributes:
        message: What is wrong, one line (a conflict adds lines below), in the core's words.
        remedy: What the member can do about it, if the face should say so.
        subject: What the remedy is about (a draft's slug, a member's handle, a moment).
    """

    def __init__(self, message: str, *, remedy: Remedy | None = None, subject: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.remedy = remedy
        self.subject = subject

    def __str__(self) -> str:
        return self.message


class InvalidInput(WgError):
    """The request itself is malformed: a bad name, an empty text, a file that cannot be read."""


class LookAlike(InvalidInput):
    """A new member's handle, name or email can be mistaken for another member's (Unicode
    confusables): added only when the secretariat says they are different people."""

    def __init__(self, message: str, *, what: str, other: str) -> None:
        super().__init__(message)
        self.what = what
        self.other = other


class NotFound(WgError):
    """A member, draft, amendment, version or repository that does not exist."""


class PermissionDenied(WgError):
    """The acting member lacks the role or ownership the action needs."""


class MergeConflict(WgError):
    """An amendment touches words that changed since it was proposed.

    Attributes:
        conflicts: The conflicting words.
        amendment: The amendment's id (empty when the conflict is not one amendment's).
        those: What to give with :attr:`Remedy.RESOLVE_CONFLICT` (``that paragraph``, ``those
            paragraphs``), and ``they``: ``it`` or ``they`` as those are one or several.
    """

    def __init__(
        self,
        message: str,
        conflicts: tuple[Conflict, ...] = (),
        *,
        remedy: Remedy | None = None,
        amendment: str = "",
        those: str = "",
        they: str = "it",
    ) -> None:
        super().__init__(message, remedy=remedy, subject=amendment)
        self.conflicts = conflicts
        self.amendment = amendment
        self.those = those
        self.they = they


class StateError(WgError):
    """The action does not fit the current state (an amendment that is no longer open, ...)."""


class BracketsRemain(StateError):
    """A version cannot be tagged: brackets remain in the draft (the secretariat may tag
    anyway, recording how many; a silence cannot conclude over them).

    Attributes:
        slug: The draft.
        count: How many brackets remain.
        where: The paragraphs they are in (``¶5, ¶7bis``; the first few).
        concluding: The tag concluded a silence (no "tag anyway" then).
    """

    def __init__(self, message: str, slug: str, count: int, where: str, concluding: bool) -> None:
        super().__init__(message)
        self.slug = slug
        self.count = count
        self.where = where
        self.concluding = concluding


class LocalFileError(StateError):
    """One of wgtool's own files in ``.git/wgtool`` (a lock, the index) cannot be used: never
    the record, which stays as it was."""


class SyncError(WgError):
    """A remote could not be reached or holds history that cannot be joined safely."""


class ConcurrentUpdate(WgError):
    """A ref kept moving under us after every retry."""


class LostRace(WgError):
    """``update-ref`` refused because the ref was not at the expected old value.

    Raised inside an attempt that :func:`wgtool.core.record.gitstore.retry_cas` runs, which catches
    it and tries again; only a writer outside ``retry_cas`` lets it reach a face. Code between the
    ``update-ref`` and ``retry_cas`` must therefore not catch :class:`WgError` (none does).
    """

    def __init__(self, ref: str) -> None:
        super().__init__(f"{ref} moved while this was being written: try again")
        self.ref = ref
