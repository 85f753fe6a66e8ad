"""The running timer (ACT-4): persisted on every beat, so a crash loses at most one beat."""

from datetime import UTC, datetime
from pathlib import Path

import pytest
from support import Clock

from helpdesk_tui.domain.enums import ActivityKind
from helpdesk_tui.domain.numbering import CaseNumber
from helpdesk_tui.services import cases, timers
from helpdesk_tui.services.context import Context
from helpdesk_tui.services.people import AgentSpec, GroupSpec, sync_people
from helpdesk_tui.storage.location import locate
from helpdesk_tui.storage.reads import open_reads

START = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
CASE = CaseNumber(1)


@pytest.fixture
def setup(tmp_path: Path) -> tuple[Context, Clock, Path]:
    clock = Clock(START)
    path = tmp_path / "hd.sqlite"
    ctx = Context(locate(str(path)), clock=clock)
    ctx.migrate()
    sync_people(
        ctx,
        [AgentSpec("alice"), AgentSpec("bob")],
        [GroupSpec("billing", members=("alice", "bob"))],
    )
    cases.create_case(ctx, "alice", subject="Drucker", contact="k@acme.de", group="billing")
    return ctx, clock, path


def test_beats_accumulate_and_pause_stops_counting(setup: tuple[Context, Clock, Path]) -> None:
    ctx, clock, _ = setup
    timers.start_timer(ctx, "alice", CASE)
    for _ in range(4):
        clock.advance(seconds=timers.BEAT_SECONDS)
        timers.beat_timer(ctx, "alice", CASE)
    paused = timers.pause_timer(ctx, "alice", CASE)
    assert (paused.seconds, paused.running) == (120, False)
    clock.advance(seconds=600)  # a coffee break is not work
    timers.start_timer(ctx, "alice", CASE)
    clock.advance(seconds=30)
    timers.beat_timer(ctx, "alice", CASE)
    clock.advance(seconds=30)
    final = timers.take_timer(ctx, "alice", CASE)
    assert final is not None
    assert final.seconds == 180
    assert final.centi_hours == 5  # 180 s = 0.05 h
    assert timers.current_timer(ctx, "alice", CASE) is None


def test_a_crash_loses_at_most_one_beat(setup: tuple[Context, Clock, Path]) -> None:
    ctx, clock, path = setup
    timers.start_timer(ctx, "alice", CASE)
    for _ in range(10):
        clock.advance(seconds=timers.BEAT_SECONDS)
        timers.beat_timer(ctx, "alice", CASE)
    clock.advance(seconds=timers.BEAT_SECONDS - 1)  # the process dies before the next beat
    ctx.dispose()
    restarted = Context(locate(str(path)), clock=clock)
    state = timers.current_timer(restarted, "alice", CASE)
    assert state is not None
    worked = 10 * timers.BEAT_SECONDS + timers.BEAT_SECONDS - 1
    assert worked - state.seconds < 36
    assert state.seconds == 10 * timers.BEAT_SECONDS


def test_timers_are_per_agent_and_go_with_the_case(setup: tuple[Context, Clock, Path]) -> None:
    ctx, clock, _ = setup
    timers.start_timer(ctx, "alice", CASE)
    clock.advance(seconds=30)
    timers.beat_timer(ctx, "alice", CASE)
    clock.advance(seconds=10)
    assert timers.current_timer(ctx, "bob", CASE) is None
    assert timers.beat_timer(ctx, "bob", CASE) is None
    state = timers.take_timer(ctx, "alice", CASE)
    assert state is not None
    cases.record_activity(
        ctx, "alice", CASE, ActivityKind.PHONE, "Rückruf", time_spent_centi=state.centi_hours
    )
    with open_reads(ctx.location) as store:
        assert store.case_detail(CASE).time_spent_centi == 2  # 40 s rounds up to 0.02 h


def test_centi_hours_rounding_bounds() -> None:
    assert timers.TimerState(CASE, 0, False).centi_hours == 1
    assert timers.TimerState(CASE, 36, False).centi_hours == 1
    assert timers.TimerState(CASE, 37, False).centi_hours == 2
    assert timers.TimerState(CASE, 10 * 86400, False).centi_hours == 2400


def test_resuming_after_a_crash_does_not_count_the_downtime(
    setup: tuple[Context, Clock, Path],
) -> None:
    ctx, clock, _ = setup
    timers.start_timer(ctx, "alice", CASE)
    clock.advance(seconds=timers.BEAT_SECONDS)
    timers.beat_timer(ctx, "alice", CASE)
    clock.advance(seconds=3 * 3600)  # crashed (timer row still "running"); back three hours later
    resumed = timers.start_timer(ctx, "alice", CASE)
    assert resumed.seconds == timers.BEAT_SECONDS
    clock.advance(seconds=20)
    final = timers.take_timer(ctx, "alice", CASE)
    assert final is not None
    assert final.seconds == timers.BEAT_SECONDS + 20
