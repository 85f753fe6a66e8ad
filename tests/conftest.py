"""Shared fixtures: a controllable clock and a migrated SQLite context with people."""

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlmodel import select

from helpdesk_tui.domain.enums import Role
from helpdesk_tui.services.context import Context
from helpdesk_tui.services.people import AgentSpec, GroupSpec, sync_people
from helpdesk_tui.storage.location import locate
from helpdesk_tui.storage.tables import ActivityRow, AuditRow, CaseRow, ContactRow, CounterRow

START = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)

AGENTS = (
    AgentSpec("alice", "Alice Agent", "alice@helpdesk.example", Role.AGENT),
    AgentSpec("bob", "Bob Agent", "bob@helpdesk.example", Role.AGENT),
    AgentSpec("lena", "Lena Lead", "lena@helpdesk.example", Role.LEAD),
    AgentSpec("root", "Root Admin", "root@helpdesk.example", Role.ADMIN),
)
GROUPS = (
    GroupSpec("billing", "Billing", lead="lena", members=("alice", "lena")),
    GroupSpec("technical", "Technical", members=("bob",)),
)


class Clock:
    """A clock the test moves by hand: `clock()` is `clock.now`."""

    def __init__(self, now: datetime = START) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kwargs: float) -> datetime:
        """Move forward by `timedelta(**kwargs)` and return the new time."""
        self.now += timedelta(**kwargs)
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def ctx(tmp_path: Path, clock: Clock) -> Iterator[Context]:
    context = Context(locate(str(tmp_path / "hd.sqlite")), clock=clock)
    context.migrate()
    sync_people(context, AGENTS, GROUPS)
    yield context
    context.dispose()


class Probe:
    """Looks into the database behind `ctx` the way a test needs to."""

    def __init__(self, context: Context) -> None:
        self.ctx = context

    def activity_count(self) -> int:
        with self.ctx.uow(write=False) as uow:
            return len(uow.session.exec(select(ActivityRow.id)).all())

    def fingerprint(self) -> tuple[object, ...]:
        """Everything an action could have written: cases, activities, contacts, counters."""
        with self.ctx.uow(write=False) as uow:
            cases = sorted(
                (
                    r.number,
                    r.sub_number,
                    r.sub_seq,
                    r.version,
                    r.status,
                    r.subject,
                    r.due,
                    r.reminder,
                    r.resolution,
                    r.delegated_user_id,
                    r.delegated_group_id,
                    r.updated_at,
                )
                for r in uow.session.exec(select(CaseRow)).all()
            )
            return (
                tuple(cases),
                len(uow.session.exec(select(ActivityRow.id)).all()),
                len(uow.session.exec(select(ContactRow.id)).all()),
                len(uow.session.exec(select(AuditRow.id)).all()),
                tuple(uow.session.exec(select(CounterRow.name, CounterRow.value)).all()),
            )


@pytest.fixture
def probe(ctx: Context) -> Probe:
    return Probe(ctx)
