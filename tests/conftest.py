"""Shared fixtures: a controllable clock and a migrated SQLite context with people."""

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from helpdesk_tui.domain.enums import Role
from helpdesk_tui.services.context import Context
from helpdesk_tui.services.people import AgentSpec, GroupSpec, sync_people
from helpdesk_tui.storage.location import locate

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
