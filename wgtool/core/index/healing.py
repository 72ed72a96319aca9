"""An index file that heals itself: what counts as unusable, and the retrying decorator."""

from __future__ import annotations

import functools
import sqlite3
from collections.abc import Callable
from typing import Any, Protocol, TypeVar, cast

from sqlalchemy import exc as sa_exc

from wgtool.core.errors import LocalFileError

# -- a file that heals itself --------------------------------------------------------------------


class Healable(Protocol):
    """What :func:`healing` needs of the index it wraps (the index file of
    :class:`~wgtool.core.index.base.IndexFile`, filled by the refresher): named here, so that
    this module imports neither of them."""

    _needs_fill: bool

    def _open(self) -> object: ...

    def _refresh(self) -> object: ...

    def _recover(self, error: Exception, attempt: int) -> None: ...


F = TypeVar("F", bound=Callable[..., Any])


def unusable(error: BaseException) -> bool:
    """An error that says the index file cannot be used (damaged, foreign, unwritable), as
    opposed to a mistake in a query, which must surface."""
    if isinstance(error, (OSError, LocalFileError)):
        return True
    if isinstance(error, (sa_exc.IntegrityError, sa_exc.ProgrammingError, sa_exc.DataError)):
        return False
    return isinstance(error, (sa_exc.DatabaseError, sqlite3.DatabaseError))


def unreadable_row(error: BaseException) -> bool:
    """An error from a row that does not read as what wgtool wrote (a value of the wrong type
    or form, from a file changed by hand): the index is rebuilt once; should the same error
    come from a rebuilt index, it is a mistake of wgtool's and surfaces."""
    from wgtool.core.errors import WgError

    return isinstance(error, (ValueError, TypeError)) and not isinstance(error, WgError)


def reason_of(error: BaseException) -> str:
    if isinstance(error, OSError):
        return error.strerror or type(error).__name__
    if isinstance(error, LocalFileError):
        return error.message
    original = getattr(error, "orig", None) or error
    return " ".join(str(original).split()) or type(error).__name__


def healing(method: F) -> F:
    """Run an index method; when the index file proves unusable, heal it and run it again."""

    @functools.wraps(method)
    def wrapper(self: Healable, *args: Any, **kwargs: Any) -> Any:
        for attempt in range(3):
            try:
                self._open()  # opening may heal the file, and then it must be filled first
                if self._needs_fill and method.__name__ not in ("refresh", "rebuild"):
                    self._refresh()
                    self._needs_fill = False
                result = method(self, *args, **kwargs)
                if method.__name__ in ("refresh", "rebuild"):
                    self._needs_fill = False
                return result
            except Exception as error:
                if attempt == 2 or not (unusable(error) or unreadable_row(error)):
                    raise
                self._recover(error, attempt)
        raise AssertionError("unreachable")

    return cast(F, wrapper)
