"""What every service needs: a way to open units of work, the policy, and a clock."""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from helpdesk_tui.domain.policy import Policy
from helpdesk_tui.storage.engine import make_engine
from helpdesk_tui.storage.location import DatabaseLocation
from helpdesk_tui.storage.migrate import upgrade
from helpdesk_tui.storage.uow import UnitOfWork


def utc_now() -> datetime:
    """The real clock (tests pass their own)."""
    return datetime.now(UTC)


@dataclass
class Context:
    """The wiring a service call runs in."""

    location: DatabaseLocation
    policy: Policy = field(default_factory=Policy)
    clock: Callable[[], datetime] = utc_now

    def __post_init__(self) -> None:
        self._engine = make_engine(self.location)

    def uow(self, *, write: bool = True) -> UnitOfWork:
        """A new unit of work (a write one takes the write lock up front on SQLite)."""
        return UnitOfWork(self._engine, write=write)

    def today(self) -> date:
        """Today's date by the context's clock (UTC)."""
        return self.clock().date()

    def migrate(self) -> None:
        """Bring the schema to the newest revision (OPS-2)."""
        upgrade(self._engine)

    def dispose(self) -> None:
        """Close pooled connections."""
        self._engine.dispose()
