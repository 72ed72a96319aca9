"""What an error from the index says: the file is unusable (heal it), a row is unreadable (rebuild
it once), or a mistake in a query (let it surface). The file heals itself by these
(:meth:`~wgtool.core.index.base.IndexFile.healed`)."""

from __future__ import annotations

import sqlite3

from sqlalchemy import exc as sa_exc

from wgtool.core.errors import LocalFileError, WgError


def unusable(error: BaseException) -> bool:
    """An error that says the index file cannot be used (damaged, foreign, unwritable), as
    opposed to a mistake in a query, which must surface."""
    if isinstance(error, (OSError, LocalFileError)):
        return True
    if isinstance(error, (sa_exc.IntegrityError, sa_exc.ProgrammingError, sa_exc.DataError)):
        return False
    if isinstance(error, (sqlite3.IntegrityError, sqlite3.ProgrammingError, sqlite3.DataError)):
        return False
    return isinstance(error, (sa_exc.DatabaseError, sqlite3.DatabaseError))


def unreadable_row(error: BaseException) -> bool:
    """An error from a row that does not read as what wgtool wrote (a value of the wrong type
    or form, from a file changed by hand): the index is rebuilt once; should the same error
    come from a rebuilt index, it is a mistake of wgtool's and surfaces."""
    return isinstance(error, (ValueError, TypeError)) and not isinstance(error, WgError)


def reason_of(error: BaseException) -> str:
    if isinstance(error, OSError):
        return error.strerror or type(error).__name__
    if isinstance(error, LocalFileError):
        return error.message
    original = getattr(error, "orig", None) or error
    return " ".join(str(original).split()) or type(error).__name__
