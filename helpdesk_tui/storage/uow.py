"""The unit of work: one transaction, its repositories, commit or roll back."""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Self

from sqlalchemy import Engine
from sqlmodel import Session

from helpdesk_tui.domain.closing import Closing
from helpdesk_tui.storage.cases import CaseRepository
from helpdesk_tui.storage.directory import Directory
from helpdesk_tui.storage.engine import WRITE
from helpdesk_tui.storage.guard import check_thread
from helpdesk_tui.storage.listen import notify_commit
from helpdesk_tui.storage.mails import MailRepository
from helpdesk_tui.storage.notifications import CaseEvent, NotificationRepository
from helpdesk_tui.storage.outbox import OutboxRepository
from helpdesk_tui.storage.timers import TimerRepository


class UnitOfWork(Closing):
    """`with uow: ...; uow.commit()` — anything not committed is rolled back."""

    def __init__(
        self,
        engine: Engine,
        *,
        write: bool = True,
        directory: Callable[[Session], Directory] = Directory,
        before_commit: "Callable[[UnitOfWork], None] | None" = None,
    ) -> None:
        self._engine = engine.execution_options(**{WRITE: write}) if write else engine
        self._session: Session | None = None
        self._make_directory = directory
        self._before_commit = before_commit
        #: PostgreSQL: every commit that wrote sends NOTIFY (storage/listen.py).
        self._announce = engine.dialect.name == "postgresql"
        self.events: list[CaseEvent] = []

    def __enter__(self) -> Self:
        check_thread()
        self._session = Session(self._engine, expire_on_commit=False)
        self.directory = self._make_directory(self._session)
        self.events = []
        self.cases = CaseRepository(self._session, self.directory, self.events)
        self.notifications = NotificationRepository(self._session)
        self.timers = TimerRepository(self._session)
        self.mails = MailRepository(self._session)
        self.outbox = OutboxRepository(self._session)
        return self

    def close(self) -> None:
        """Roll back what is not committed and end the session (`with` does this)."""
        assert self._session is not None
        self._session.rollback()
        self._session.close()
        self._session = None

    @property
    def session(self) -> Session:
        """The underlying session (storage-internal helpers only)."""
        assert self._session is not None, "use the unit of work in a with block"
        return self._session

    @contextmanager
    def savepoint(self) -> Iterator[None]:
        """A part of the transaction that may fail on its own (one mail of a batch): on an
        error only its changes are undone, and the contacts the directory remembers (they
        may name rows it wrote) are forgotten; the error goes on to the caller."""
        nested = self.session.begin_nested()
        events_before = len(self.events)
        try:
            yield
            self.directory.write_contacts()
        except BaseException:
            nested.rollback()
            del self.events[events_before:]  # what the rolled-back part wrote is not news
            self.directory = self._make_directory(self.session)
            self.cases = CaseRepository(self.session, self.directory, self.events)
            raise
        nested.commit()

    def commit(self) -> None:
        """Make everything done in this unit of work durable, at once; `before_commit`
        (the notifications of what it wrote) runs first, in the same transaction."""
        self.directory.write_contacts()
        if self._before_commit is not None and self.events:
            self._before_commit(self)
        if self._announce:  # live updates (TEAM-2): delivered at the commit, never before
            notify_commit(self.session, self.events)
        self.events.clear()
        self.session.commit()
