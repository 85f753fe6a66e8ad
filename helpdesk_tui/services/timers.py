"""The running timer (ACT-4): survives a crash, losing at most one beat (≤ 36 s).

The TUI calls `beat` every BEAT_SECONDS while a timer runs; each beat adds the time since
the previous one to the stored total. After a crash the stored total is what was counted
up to the last beat, so at most one beat interval is lost; and because a gap longer than
MAX_BEAT_GAP is never counted, the time the app was down is not counted as work when the
timer is resumed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

from helpdesk_tui.domain.activity import MAX_HOURS_PER_ENTRY
from helpdesk_tui.domain.errors import NotFoundError
from helpdesk_tui.domain.numbering import CaseNumber
from helpdesk_tui.services.context import Context

if TYPE_CHECKING:
    from helpdesk_tui.storage.tables import TimerRow
    from helpdesk_tui.storage.uow import UnitOfWork

BEAT_SECONDS = 30  # < 36 s: 0.01 h, the recording step of ACT-4
SECONDS_PER_CENTI_HOUR = 36
#: A gap between beats longer than this means nobody was beating: the app crashed, quit
#: with the timer running, or the laptop slept. Such a gap is not counted as work.
MAX_BEAT_GAP = 36


@dataclass(frozen=True)
class TimerState:
    """A timer as the compose screen shows it."""

    number: CaseNumber
    seconds: int
    running: bool

    @property
    def centi_hours(self) -> int:
        """Rounded up to the next 0.01 h, at least 0.01 h, at most 24 h."""
        centi = max(1, math.ceil(self.seconds / SECONDS_PER_CENTI_HOUR))
        return min(centi, int(MAX_HOURS_PER_ENTRY * 100))


def _row(uow: UnitOfWork, actor_name: str, number: CaseNumber) -> TimerRow | None:
    return uow.timers.get(uow.directory.agent_id(actor_name), uow.cases.case_id(number))


def _advance(row: TimerRow, ctx: Context) -> None:
    now = ctx.clock()
    gap = int((now - row.beat_at).total_seconds())
    if row.running and 0 < gap <= MAX_BEAT_GAP:
        row.seconds += gap
    row.beat_at = now


def _state(number: CaseNumber, row: TimerRow) -> TimerState:
    return TimerState(number, row.seconds, row.running)


def _advanced(
    uow: UnitOfWork, ctx: Context, actor_name: str, number: CaseNumber
) -> TimerRow | None:
    """The agent's timer on the case with the time since its last beat counted; None: no
    timer."""
    row = _row(uow, actor_name, number)
    if row is not None:
        _advance(row, ctx)
    return row


def _saved(uow: UnitOfWork, number: CaseNumber, row: TimerRow) -> TimerState:
    """Store the timer and commit; return its state as stored."""
    uow.timers.save(row)
    uow.commit()
    return _state(number, row)


def start_timer(ctx: Context, actor_name: str, number: CaseNumber) -> TimerState:
    """Start (or resume) the agent's timer on a case."""
    with ctx.uow() as uow:
        row = _row(uow, actor_name, number)
        if row is None:
            row = uow.timers.new(
                uow.directory.agent_id(actor_name), uow.cases.case_id(number), ctx.clock()
            )
        else:
            _advance(row, ctx)
            row.running = True
        return _saved(uow, number, row)


def beat_timer(ctx: Context, actor_name: str, number: CaseNumber) -> TimerState | None:
    """Persist the time counted so far; None if there is no timer."""
    with ctx.uow() as uow:
        row = _advanced(uow, ctx, actor_name, number)
        return None if row is None else _saved(uow, number, row)


def pause_timer(ctx: Context, actor_name: str, number: CaseNumber) -> TimerState:
    """Stop counting but keep the total."""
    with ctx.uow() as uow:
        row = _advanced(uow, ctx, actor_name, number)
        if row is None:
            raise NotFoundError(f"no timer on {number}")
        row.running = False
        return _saved(uow, number, row)


def current_timer(ctx: Context, actor_name: str, number: CaseNumber) -> TimerState | None:
    """The stored timer, as a crash left it (nothing is added for the time since)."""
    with ctx.uow(write=False) as uow:
        row = _row(uow, actor_name, number)
        return None if row is None else _state(number, row)


def take_timer(ctx: Context, actor_name: str, number: CaseNumber) -> TimerState | None:
    """Stop and remove the timer, returning its final total (for the activity's time)."""
    with ctx.uow() as uow:
        row = _advanced(uow, ctx, actor_name, number)
        if row is None:
            return None
        state = _state(number, row)
        uow.timers.remove(row)
        uow.commit()
        return state
