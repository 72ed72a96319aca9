"""One exception hierarchy for the core.

Every error carries a one-line message that says what is wrong and what to do, and the exit code
the command line uses for it. The CLI prints the message; the TUI shows it as a notification.
"""

from __future__ import annotations


class WgError(Exception):
    """Base class of every error the core raises on purpose."""

    exit_code = 1

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class InvalidInput(WgError):
    """The request itself is malformed: a bad name, an empty text, a file that cannot be read."""

    exit_code = 2


class NotFound(WgError):
    """A member, draft, amendment, version or repository that does not exist."""

    exit_code = 1


class PermissionDenied(WgError):
    """The acting member lacks the role or ownership the action needs."""

    exit_code = 4


class MergeConflict(WgError):
    """An amendment touches words that changed since it was proposed."""

    exit_code = 3

    def __init__(self, message: str, conflicts: tuple[object, ...] = ()) -> None:
        super().__init__(message)
        self.conflicts = conflicts


class StateError(WgError):
    """The action does not fit the current state (an amendment that is no longer open, ...)."""

    exit_code = 1


class SyncError(WgError):
    """A remote could not be reached or holds history that cannot be joined safely."""

    exit_code = 5


class NoConsensus(WgError):
    """The working group's consensus rule does not hold for the amendment (the chair may
    override it with a reason)."""

    exit_code = 6


class ConcurrentUpdate(WgError):
    """A ref kept moving under us after every retry."""

    exit_code = 7
