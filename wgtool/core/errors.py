"""One exception hierarchy for the core.

Every error carries a one-line message that says what is wrong and what to do. The CLI prints the
message and exits with the code its table (:data:`wgtool.cli.EXIT_CODES`) gives the error's type;
the TUI shows the message as a notification.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from wgtool.core.text.merge import Conflict


class WgError(Exception):
    """Base class of every error the core raises on purpose."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

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
    """An amendment touches words that changed since it was proposed."""

    def __init__(self, message: str, conflicts: tuple[Conflict, ...] = ()) -> None:
        super().__init__(message)
        self.conflicts = conflicts


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


class NoConsensus(WgError):
    """The working group's consensus rule does not hold for the amendment (the chair may
    override it with a reason)."""


class ConcurrentUpdate(WgError):
    """A ref kept moving under us after every retry."""


class LostRace(WgError):
    """``update-ref`` refused because the ref was not at the expected old value.

    Raised inside an attempt that :func:`wgtool.core.gitstore.retry_cas` runs, which catches it
    and tries again; only a writer outside ``retry_cas`` lets it reach a face. Code between the
    ``update-ref`` and ``retry_cas`` must therefore not catch :class:`WgError` (none does).
    """

    def __init__(self, ref: str) -> None:
        super().__init__(f"{ref} moved while this was being written: try again")
        self.ref = ref
