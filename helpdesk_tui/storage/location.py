"""Where the database is: a path or URL, understood without importing SQLAlchemy.

Also what a SQLite file must be before anything opens it: private (SEC-6: file 0600, a
folder we create 0700, whatever the umask; 0660/0770 in shared-group mode), present unless
the command creates it, and really an SQLite file.

The CLI's read commands must start fast, so this module is stdlib only.
"""

import fcntl
import os
import sqlite3
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

from helpdesk_tui.domain.errors import DomainError

BUSY_TIMEOUT_MS = 10_000
#: The first 16 bytes of every SQLite database file.
SQLITE_HEADER = b"SQLite format 3\x00"
#: URL schemes we can open; bare `postgresql` means our driver, psycopg 3.
_SCHEMES = {
    "sqlite": "sqlite",
    "postgresql": "postgresql+psycopg",
    "postgres": "postgresql+psycopg",
}
_SCHEMES["postgresql+psycopg"] = "postgresql+psycopg"
#: SQLite keeps these files beside the database; they get the database file's mode.
SIDE_FILES = ("-wal", "-shm", "-journal")


class DatabaseUnavailableError(DomainError):
    """The database cannot be used as given (a directory, not SQLite, unsupported URL …)."""


class NoDatabaseError(DatabaseUnavailableError):
    """There is no helpdesk database there yet; only `helpdesk init`/`demo` create one."""


@dataclass(frozen=True)
class FileModes:
    """Permission bits of the database file and of folders created for it."""

    file: int
    folder: int


#: SEC-6: only the owner reads the database (it holds every raw mail).
PRIVATE = FileModes(file=0o600, folder=0o700)
#: `[storage] shared_group = true`: the owner's group shares it.
SHARED_GROUP = FileModes(file=0o660, folder=0o770)


@dataclass(frozen=True)
class DatabaseLocation:
    """A SQLite file or a PostgreSQL URL."""

    url: str  # an SQLAlchemy URL
    #: PostgreSQL: the login's password from `[storage] password_command` or the keyring
    #: (TEAM-4); never part of the URL, never shown. None: libpq finds it (~/.pgpass, a
    #: client certificate) or none is needed.
    password: str | None = field(default=None, repr=False, compare=False)

    @property
    def connect_args(self) -> dict[str, str]:
        """Extra arguments of psycopg's connect: the password, when one was resolved."""
        return {"password": self.password} if self.password else {}

    @property
    def is_sqlite(self) -> bool:
        """True for the embedded default (TEAM-1)."""
        return self.url.startswith("sqlite")

    @property
    def sqlite_path(self) -> Path:
        """The SQLite file (only for SQLite locations)."""
        return Path(unquote(urlsplit(self.url).path.removeprefix("/")))

    @property
    def libpq_url(self) -> str:
        """The URL as libpq / psycopg understands it (no `+driver`)."""
        scheme, _, rest = self.url.partition("://")
        return f"{scheme.split('+')[0]}://{rest}"

    def display(self) -> str:
        """For status lines and messages: never shows a password."""
        if self.is_sqlite:
            return str(self.sqlite_path)
        parts = urlsplit(self.url)
        port = f":{parts.port}" if parts.port else ""
        return f"{parts.scheme}://{parts.hostname or ''}{port}{parts.path}"


def locate(db: str) -> DatabaseLocation:
    """A `--db` value (path or URL) → DatabaseLocation; DatabaseUnavailableError for a URL
    we cannot open (its message never repeats the URL: it may hold a password)."""
    if "://" in db:
        scheme, _, rest = db.partition("://")
        ours = _SCHEMES.get(scheme.lower())
        if ours is None:
            raise DatabaseUnavailableError(
                f"unsupported database URL scheme {scheme!r}: give a SQLite path, "
                "sqlite:////absolute/path or postgresql+psycopg://…"
            )
        if ours == "sqlite" and not rest.startswith("/"):
            raise DatabaseUnavailableError(
                "unsupported SQLite URL: in-memory and relative URLs cannot hold a desk "
                "(give sqlite:////absolute/path or a plain path)"
            )
        return DatabaseLocation(f"{ours}://{rest}")
    path = Path(db).expanduser().resolve()
    return DatabaseLocation(f"sqlite:///{path}")


def no_database(location: DatabaseLocation) -> NoDatabaseError:
    """The refusal of a command that needs an initialised database."""
    return NoDatabaseError(f"no database at {location.display()} (run helpdesk init)")


def check_sqlite_file(path: Path, *, allow_empty: bool = False) -> None:
    """Refuse what is no usable SQLite file, before SQLite would create or misread it:
    a missing or empty file (NoDatabaseError), a directory, another kind of file."""
    try:
        info = path.stat()
    except (FileNotFoundError, NotADirectoryError):
        raise no_database(DatabaseLocation(f"sqlite:///{path}")) from None
    if stat.S_ISDIR(info.st_mode):
        raise DatabaseUnavailableError(f"{path} is a directory, not a database file")
    if info.st_size == 0:
        if allow_empty:
            return
        raise no_database(DatabaseLocation(f"sqlite:///{path}"))
    with path.open("rb") as file:
        header = file.read(len(SQLITE_HEADER))
    if header != SQLITE_HEADER:
        raise DatabaseUnavailableError(f"{path} is not an SQLite database")


def probe_sqlite_file(path: Path) -> None:
    """Read the schema of a SQLite file and close it; raises SQLite's own error when the
    file cannot be read (a full disk or read-only mount where SQLite needs its -shm file,
    a damaged file), which the plain read path would take for an empty database."""
    connection = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000)
    try:
        connection.execute("PRAGMA query_only = 1")
        connection.execute("SELECT count(*) FROM sqlite_master").fetchall()
    finally:
        connection.close()


def create_sqlite_file(path: Path, modes: FileModes = PRIVATE) -> None:
    """Create the database file (empty; SQLite fills it) and missing folders with `modes`,
    or check an existing one and set its mode (and its side files') to `modes`.

    The modes are set explicitly after creating, so the umask never widens them. Folders
    that already exist keep theirs (they may be shared on purpose, like /tmp).
    """
    _make_folders(path.parent, modes.folder)
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL, modes.file)
    except FileExistsError:
        check_sqlite_file(path, allow_empty=True)
        for file in (path, *(path.with_name(path.name + s) for s in SIDE_FILES)):
            _set_mode(file, modes.file)
        return
    except IsADirectoryError:
        raise DatabaseUnavailableError(f"{path} is a directory, not a database file") from None
    try:
        os.fchmod(fd, modes.file)
    finally:
        os.close(fd)


def _make_folders(folder: Path, mode: int) -> None:
    if folder.is_dir():
        return
    _make_folders(folder.parent, mode)
    try:
        folder.mkdir(mode=mode)
    except FileExistsError:
        if folder.is_dir():
            return  # another process made it meanwhile: its mode is set by that process
        raise DatabaseUnavailableError(f"{folder} is a file, not a folder") from None
    folder.chmod(mode)


def _set_mode(file: Path, mode: int) -> None:
    try:
        if stat.S_IMODE(file.stat().st_mode) != mode:
            file.chmod(mode)
    except FileNotFoundError:
        pass
    except PermissionError:
        pass  # not ours (a shared database): its owner decides


@contextmanager
def creation_lock(path: Path) -> Iterator[None]:
    """Hold an exclusive lock while a SQLite database is created and migrated, so that
    parallel first `init`s queue instead of racing the migration ("database is locked").

    The lock is a flock on the database's folder, not on the file: closing any descriptor
    of the database file would drop the POSIX locks SQLite holds on it in this process.
    """
    fd = os.open(path.parent, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # releases the flock
