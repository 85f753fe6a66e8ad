"""Shared fixtures: a controllable clock and a migrated SQLite context with people."""

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlmodel import select
from support import Clock

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


@pytest.fixture
def clock() -> Clock:
    return Clock(START)


def make_context(path: Path, clock: Clock) -> Context:
    """A migrated SQLite database at `path` with the agents and groups above."""
    context = Context(locate(str(path)), clock=clock)
    context.migrate()
    sync_people(context, AGENTS, GROUPS)
    return context


@pytest.fixture
def ctx(tmp_path: Path, clock: Clock) -> Iterator[Context]:
    context = make_context(tmp_path / "hd.sqlite", clock)
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


@pytest.fixture(scope="module")
def module_clock() -> Clock:
    return Clock(START)


@pytest.fixture(scope="module")
def module_ctx(tmp_path_factory: pytest.TempPathFactory, module_clock: Clock) -> Iterator[Context]:
    """One database for a whole module: read-only tests over a dataset built once."""
    context = make_context(tmp_path_factory.mktemp("module") / "hd.sqlite", module_clock)
    yield context
    context.dispose()
