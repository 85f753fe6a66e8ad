"""Database and file-system failures in words: the one line the CLI prints for them.

A full disk, a read-only mount, an unreachable server or a file that is no database show
up as sqlite3, psycopg, SQLAlchemy or OS errors, often wrapped in one another. `explain`
walks the chain and names the cause; a failure it does not know stays an exception (a bug
should keep its traceback). Stdlib only: psycopg and SQLAlchemy are recognised by name,
so the CLI need not import them to catch their errors.
"""

import errno
import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path

from helpdesk_tui.storage.location import DatabaseLocation

_DISK_FULL = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG}
#: Less free space than this, bytes, next to a database SQLite failed on: the disk is full
#: (SQLite needs a 32 KiB -shm file and room for its WAL to read or write at all).
_LOW_SPACE = 256 * 1024


def explain(error: BaseException, location: DatabaseLocation | None) -> str | None:
    """One line for a storage failure of `error` at `location`, or None if it is none."""
    where = location.display() if location is not None else "the database"
    for cause in _chain(error):
        if isinstance(cause, OSError):
            return _os_error(cause, where, location)
        if isinstance(cause, sqlite3.Error):
            return _sqlite_error(cause, where, location)
        if _is_psycopg_error(cause):
            return _postgres_error(cause, where)
    return None


def _chain(error: BaseException) -> Iterator[BaseException]:
    """`error`, then what it wraps: SQLAlchemy's `.orig`, then causes and contexts."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        orig = getattr(current, "orig", None)
        if isinstance(orig, BaseException):
            current = orig
        else:
            current = current.__cause__ or current.__context__


def _os_error(error: OSError, where: str, location: DatabaseLocation | None) -> str | None:
    # An OSError names its own file when it has one (an attachment, a lock folder).
    named = str(error.filename) if error.filename else where
    if error.errno in _DISK_FULL:
        return f"disk full: cannot write {named}"
    if error.errno == errno.EROFS:
        return f"{named} is on a read-only file system"
    if error.errno in (errno.EACCES, errno.EPERM):
        return f"permission denied: {named}"
    return None  # a missing input file and the like: the command's own business


def _sqlite_error(
    error: sqlite3.Error, where: str, location: DatabaseLocation | None
) -> str | None:
    text = str(error)
    lowered = text.lower()
    # A full disk also shows as "disk I/O error" or "unable to open" when SQLite cannot
    # extend its -shm file, so the free space decides.
    if "full" in lowered or _no_space(location):
        return f"disk full: cannot write {where}"
    if "readonly" in lowered or "read-only" in lowered or _read_only(location):
        return f"{where} is read-only: {text}"
    if "not a database" in lowered:
        return f"{where} is not an SQLite database"
    if "locked" in lowered or "busy" in lowered:
        return f"{where} is busy (another process holds it locked); try again"
    if "unable to open" in lowered:
        return f"cannot open {where}: check that it exists and its folder is writable"
    if "malformed" in lowered or "i/o error" in lowered:
        return f"{where} is damaged or unreadable: {text}"
    if isinstance(error, sqlite3.OperationalError):
        return f"database error on {where}: {text}"
    return None  # an integrity or programming error is a bug: keep its traceback


def _no_space(location: DatabaseLocation | None) -> bool:
    """The SQLite file's folder has (almost) no free space left for SQLite's side files."""
    if location is None or not location.is_sqlite:
        return False
    try:
        info = os.statvfs(location.sqlite_path.parent)
    except OSError:
        return False
    return info.f_bavail * info.f_frsize < _LOW_SPACE


def _read_only(location: DatabaseLocation | None) -> bool:
    """The SQLite file or its folder is on a read-only mount (EROFS even for root)."""
    if location is None or not location.is_sqlite:
        return False
    path: Path = location.sqlite_path
    target = path if path.exists() else path.parent
    try:
        return bool(os.statvfs(target).f_flag & os.ST_RDONLY)
    except OSError:
        return False


def _is_psycopg_error(error: BaseException) -> bool:
    return type(error).__module__.split(".")[0] == "psycopg" and any(
        klass.__name__ in ("OperationalError", "InterfaceError") for klass in type(error).__mro__
    )


def _postgres_error(error: BaseException, where: str) -> str:
    # psycopg's messages never hold the password; the first line names the cause
    # ('connection refused', 'database "x" does not exist', 'password authentication …').
    lines = [line.strip() for line in str(error).splitlines() if line.strip()]
    reason = lines[0] if lines else type(error).__name__
    return f"cannot use PostgreSQL at {where}: {reason}"
