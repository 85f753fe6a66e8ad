"""What every service needs: a way to open units of work, the policy, and a clock."""

import functools
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any, TypeVar

from helpdesk_tui.domain.dates import parse_instant
from helpdesk_tui.domain.errors import AlreadyAssignedError, ConflictError
from helpdesk_tui.domain.policy import Policy
from helpdesk_tui.storage.location import DatabaseLocation

if TYPE_CHECKING:
    from helpdesk_tui.storage.uow import UnitOfWork


NOW_VARIABLE = "HELPDESK_NOW"


def utc_now() -> datetime:
    """The real clock, or the instant `HELPDESK_NOW` names (OPS-5: planning, and tests of
    time-based rules across processes); tests in-process pass their own clock."""
    fixed = os.environ.get(NOW_VARIABLE)
    if fixed:
        return _fixed_now(fixed)
    return datetime.now(UTC)


@functools.lru_cache(maxsize=8)
def _fixed_now(text: str) -> datetime:
    return parse_instant(NOW_VARIABLE, text)


@dataclass(frozen=True)
class ActingFor:
    """TEAM-4: on a shared database, who really acts when an admin uses `--as`: the admin's
    username (None: the schema owner's login, which has no agent) and the login."""

    real_user: str | None
    login: str


@dataclass
class Context:
    """The wiring a service call runs in."""

    location: DatabaseLocation
    policy: Policy = field(default_factory=Policy)
    clock: Callable[[], datetime] = utc_now
    #: Set when an admin acts as someone else: each commit that writes timelines is audited.
    acting_for: ActingFor | None = None

    def __post_init__(self) -> None:
        self._engine: Any = None

    @property
    def engine(self) -> Any:
        """The SQLAlchemy engine, made on first use.

        Importing SQLAlchemy and SQLModel costs about a second here; read-only starts
        (`case list`, the TUI's first paint) use `storage.reads` and never need it.
        """
        if self._engine is None:
            from helpdesk_tui.storage.engine import make_engine  # lazy import: see above

            self._engine = make_engine(self.location)
        return self._engine

    def uow(self, *, write: bool = True) -> "UnitOfWork":
        """A new unit of work (a write one takes the write lock up front on SQLite); what
        it writes on timelines notifies whom it concerns and moves the SLA clocks of its
        cases (services/sla.py), in its own commit."""
        from helpdesk_tui.services.sla import before_commit  # lazy: see `engine`
        from helpdesk_tui.storage.uow import UnitOfWork

        # Before the commit: the notifications, then the SLA state of the cases touched.
        hook = before_commit(self.policy.sla)
        if self.acting_for is not None:
            from helpdesk_tui.services.people import audited_acting_for

            hook = audited_acting_for(hook, self.acting_for, self.clock)
        return UnitOfWork(self.engine, write=write, before_commit=hook)

    def today(self) -> date:
        """Today's date by the context's clock (UTC)."""
        return self.clock().date()

    def migrate(self) -> None:
        """Bring the schema to the newest revision (OPS-2)."""
        from helpdesk_tui.storage.migrate import upgrade  # lazy import: Alembic is slow

        upgrade(self.engine)

    def dispose(self) -> None:
        """Close pooled connections."""
        if self._engine is not None:
            self._engine.dispose()


T = TypeVar("T")
ATTEMPTS = 3


def retrying(ctx: Context, work: "Callable[[UnitOfWork], T]") -> T:
    """Run `work` in a fresh unit of work and commit, again if another writer won a
    version race (up to ATTEMPTS times).

    The retry re-reads the case, so the rules judge the new state: assign-to-me then
    reports who holds the case instead of overwriting them.
    """
    for attempt in range(ATTEMPTS):
        try:
            with ctx.uow() as uow:
                result = work(uow)
                uow.commit()
                return result
        except AlreadyAssignedError:
            raise
        except ConflictError:
            if attempt == ATTEMPTS - 1:
                raise
    raise AssertionError("unreachable")
