"""Where the database is: a path or URL, understood without importing SQLAlchemy.

The CLI's read commands must start fast, so this module is stdlib only.
"""

from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

BUSY_TIMEOUT_MS = 10_000


@dataclass(frozen=True)
class DatabaseLocation:
    """A SQLite file or a PostgreSQL URL."""

    url: str  # an SQLAlchemy URL

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
        return f"{parts.scheme}://{parts.hostname or ''}{parts.path}"


def locate(db: str) -> DatabaseLocation:
    """A `--db` value (path or URL) → DatabaseLocation."""
    if "://" in db:
        if db.startswith("sqlite://") and not db.startswith("sqlite:///"):
            raise ValueError(f"in-memory or relative SQLite URLs are not supported: {db}")
        return DatabaseLocation(db)
    path = Path(db).expanduser().resolve()
    return DatabaseLocation(f"sqlite:///{path}")
