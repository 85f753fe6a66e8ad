"""The seam of the plain DB-API reads (storage/reads.py): how sqlite3 and psycopg differ,
and the one function every part of the read store runs its SQL through."""

from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime
from typing import Any

#: Runs dialect-neutral SQL (`?` marks) with its parameters and returns all rows.
Fetch = Callable[[str, Sequence[Any]], list[tuple[Any, ...]]]


class Dialect:
    """The differences between sqlite3 and psycopg that reads must know."""

    def __init__(self, sqlite: bool) -> None:
        self.sqlite = sqlite

    def sql(self, text: str) -> str:
        """The SQL with the driver's parameter marks."""
        return text if self.sqlite else text.replace("?", "%s")

    def date_param(self, value: date) -> object:
        """A date as the driver binds it."""
        return value.isoformat() if self.sqlite else value

    def datetime_param(self, value: datetime) -> object:
        """A moment as the driver binds it."""
        # The text SQLAlchemy's SQLite dialect stores: naive UTC, always 6 fraction digits.
        utc = value.astimezone(UTC)
        return utc.strftime("%Y-%m-%d %H:%M:%S.%f") if self.sqlite else utc

    @staticmethod
    def to_date(value: Any) -> date:
        """A stored date (text on SQLite)."""
        return value if isinstance(value, date) else date.fromisoformat(value)

    @staticmethod
    def to_utc(value: Any) -> datetime:
        """A stored moment as an aware UTC datetime (naive UTC text on SQLite)."""
        moment = value if isinstance(value, datetime) else datetime.fromisoformat(value)
        return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
