"""Running timers (ACT-4): one per agent and case, persisted on every beat."""

import uuid
from datetime import datetime

from sqlmodel import Session, select

from helpdesk_tui.storage.tables import TimerRow


class TimerRepository:
    """Timer rows of one unit of work."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def get(self, agent_id: uuid.UUID, case_id: uuid.UUID) -> TimerRow | None:
        """The agent's timer on the case, if any."""
        return self._session.exec(
            select(TimerRow).where(TimerRow.agent_id == agent_id, TimerRow.case_id == case_id)
        ).first()

    def save(self, row: TimerRow) -> None:
        """Insert or update."""
        self._session.add(row)
        self._session.flush()

    def remove(self, row: TimerRow) -> None:
        """Delete (the time went into an activity)."""
        self._session.delete(row)
        self._session.flush()

    def new(self, agent_id: uuid.UUID, case_id: uuid.UUID, now: datetime) -> TimerRow:
        """A running timer starting now."""
        return TimerRow(agent_id=agent_id, case_id=case_id, seconds=0, beat_at=now, running=True)
