"""Per-day counters (issue 15 §5): kept in the transaction of each change, read by the
dashboard; the group filter and who may see what; the rebuild of the migration.

The machine's zone is pinned to UTC (TZ) and the clock moved by hand (never slept).
"""

import statistics
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from sqlalchemy import text
from sqlmodel import Session, col, select
from support import Clock

from helpdesk_tui.domain.enums import ActivityKind, Resolution, Status
from helpdesk_tui.domain.errors import NotFoundError, PermissionDeniedError
from helpdesk_tui.domain.numbering import CaseNumber
from helpdesk_tui.services import cases as svc
from helpdesk_tui.services.context import Context
from helpdesk_tui.services.desk import Desk
from helpdesk_tui.storage.migrate import _config
from helpdesk_tui.storage.tables import ActivityRow, CaseRow

START = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)  # a Monday


@pytest.fixture(autouse=True)
def utc_machine(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TZ", "UTC")


def counters(ctx: Context) -> dict[tuple[date, str, str], int]:
    with ctx.uow(write=False) as uow:
        rows = uow.session.execute(
            text("SELECT day, group_key, metric, value FROM stats_daily")
        ).all()
    return {
        (date.fromisoformat(str(day)), key, metric): int(value)
        for day, key, metric, value in rows
        if value
    }


def per_day(counts: dict[tuple[date, str, str], int]) -> dict[tuple[date, str], int]:
    """Summed over the groups, transfers left out (they net to zero)."""
    summed: dict[tuple[date, str], int] = {}
    for (day, _, metric), value in counts.items():
        if not metric.startswith("transfer"):
            summed[day, metric] = summed.get((day, metric), 0) + value
    return summed


def create(ctx: Context, subject: str, group: str = "billing", **kwargs: Any) -> CaseNumber:
    return svc.create_case(
        ctx, "alice", subject=subject, contact="kunde@example.com", group=group, **kwargs
    )


def test_each_change_counts_on_its_day_under_its_group(ctx: Context, clock: Clock) -> None:
    monday, tuesday = START.date(), START.date() + timedelta(days=1)
    first = create(ctx, "Printer jam")
    second = create(ctx, "Invoice wrong")
    svc.record_activity(ctx, "alice", first, ActivityKind.PHONE, "call", time_spent_centi=25)
    svc.delegate_case(ctx, "alice", second, group="technical")
    clock.advance(days=1)
    svc.record_activity(ctx, "bob", second, ActivityKind.COMMENT, "x", time_spent_centi=150)
    svc.close_case(ctx, "lena", first, Resolution.SOLVED)
    svc.reopen_case(ctx, "lena", first)
    svc.close_case(ctx, "lena", first, Resolution.SOLVED)
    assert counters(ctx) == {
        (monday, "billing", "created"): 2,
        # the call takes the case (ASSIGN-3): it moves from the group to alice
        (monday, "billing", "transfer_out"): 2,
        (monday, "@alice", "transfer_in"): 1,
        (monday, "@alice", "time_centi"): 25,
        (monday, "technical", "transfer_in"): 1,
        (tuesday, "technical", "time_centi"): 150,
        (tuesday, "@alice", "closed"): 2,
        (tuesday, "@alice", "reopened"): 1,
    }
    with ctx.uow(write=False) as uow:
        closed_at = uow.session.exec(select(CaseRow.closed_at).where(CaseRow.number == 1)).one()
        newest_close = uow.session.exec(
            select(ActivityRow.at)
            .where(ActivityRow.kind == "closed")
            .order_by(col(ActivityRow.at).desc())
        ).first()
    assert closed_at == newest_close


def test_a_user_holds_the_case_and_a_reopen_clears_closed_at(ctx: Context) -> None:
    number = create(ctx, "Mine", group="billing")
    svc.delegate_case(ctx, "alice", number, user="bob")
    svc.close_case(ctx, "bob", number, Resolution.SOLVED)
    svc.reopen_case(ctx, "lena", number)
    day = START.date()
    assert counters(ctx) == {
        (day, "billing", "created"): 1,
        (day, "billing", "transfer_out"): 1,
        (day, "@bob", "transfer_in"): 1,
        (day, "@bob", "closed"): 1,
        (day, "@bob", "reopened"): 1,
    }
    with ctx.uow(write=False) as uow:
        assert uow.session.exec(select(CaseRow.closed_at)).one() is None


def test_a_rolled_back_change_counts_nothing(ctx: Context, monkeypatch: pytest.MonkeyPatch) -> None:
    create(ctx, "Counted")
    before = counters(ctx)

    def refuse(self: Session) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(Session, "commit", refuse)
    with pytest.raises(RuntimeError):
        create(ctx, "Never")
    with pytest.raises(RuntimeError):
        svc.close_case(ctx, "lena", CaseNumber(1), Resolution.SOLVED)
    monkeypatch.undo()
    monkeypatch.setenv("TZ", "UTC")
    assert counters(ctx) == before == {(START.date(), "billing", "created"): 1}


def test_deleting_an_open_case_leaves_the_backlog(ctx: Context, clock: Clock) -> None:
    create(ctx, "Kept")
    doomed = create(ctx, "Gone")
    clock.advance(days=1)
    svc.delete_case(ctx, "lena", doomed)
    board = Desk(ctx, "lena").dashboard(None)
    assert board.kpi.open == 1
    by_day = {d.day: d.count for d in board.backlog_per_day}
    assert by_day[START.date()] == 2  # both were open at the end of Monday
    assert by_day[START.date() + timedelta(days=1)] == 1
    assert by_day[START.date() - timedelta(days=1)] == 0


def test_dashboard_numbers_from_known_rows(ctx: Context, clock: Clock) -> None:
    made: list[tuple[CaseNumber, datetime]] = []
    for n in range(3):
        made.append((create(ctx, f"Case {n}"), clock.now))
        clock.advance(hours=1)
    made.append((create(ctx, "Technical one", group="technical"), clock.now))
    resolution_hours = []
    for (number, created), hours in zip(made[:3], (2, 5, 11), strict=True):
        clock.now = created + timedelta(hours=hours)
        svc.close_case(ctx, "lena", number, Resolution.SOLVED)
        resolution_hours.append(hours)
    clock.now = START + timedelta(days=2)
    svc.change_status(
        ctx,
        "bob",
        made[3][0],
        Status.WAITING,
        comment="the customer sends a photo",
        reminder=clock.now.date() + timedelta(days=1),
    )
    svc.record_activity(ctx, "alice", made[0][0], ActivityKind.COMMENT, "late", time_spent_centi=40)
    board = Desk(ctx, "lena").dashboard(None)
    kpi = board.kpi
    assert (kpi.open, kpi.waiting) == (1, 1)
    assert kpi.median_resolution_hours == pytest.approx(statistics.median(resolution_hours), 0.01)
    days = {d.day: d.count for d in kpi.created_per_day}
    assert days[START.date()] == 4
    assert sum(days.values()) == 4
    assert len(kpi.created_per_day) == 30
    assert kpi.created_per_day[-1].day == clock.now.date()
    assert sum(d.count for d in kpi.closed_per_day) == 3
    assert board.time_this_week_hours == pytest.approx(0.4)
    assert board.groups == ("billing", "technical")
    billing = Desk(ctx, "lena").dashboard("billing")
    assert billing.kpi.open == 0
    assert sum(d.count for d in billing.kpi.created_per_day) == 3
    assert [d.count for d in billing.backlog_per_day][-3:] == [0, 0, 0]
    assert [d.count for d in board.backlog_per_day][-3:] == [1, 1, 1]


def test_agents_see_their_groups_only(ctx: Context) -> None:
    create(ctx, "Billing case")
    create(ctx, "Technical case", group="technical")
    alice = Desk(ctx, "alice").dashboard(None)  # billing only
    assert alice.groups == ("billing",)
    assert alice.kpi.open == 1
    with pytest.raises(PermissionDeniedError, match="no member of group 'technical'"):
        Desk(ctx, "alice").dashboard("technical")
    with pytest.raises(NotFoundError, match="no group 'nope'"):
        Desk(ctx, "lena").dashboard("nope")
    assert Desk(ctx, "root").dashboard(None).kpi.open == 2


def test_the_migration_rebuilds_the_counters_from_history(ctx: Context, clock: Clock) -> None:
    first = create(ctx, "Old one")
    svc.record_activity(ctx, "alice", first, ActivityKind.PHONE, "call", time_spent_centi=75)
    clock.advance(days=1)
    svc.close_case(ctx, "lena", first, Resolution.SOLVED)
    create(ctx, "Still open")
    live = counters(ctx)
    with ctx.engine.begin() as connection:
        config = _config()
        config.attributes["connection"] = connection
        command.downgrade(config, "0014")
        assert connection.execute(text("SELECT count(*) FROM cases")).scalar_one() == 2
        command.upgrade(config, "head")
    rebuilt = counters(ctx)
    assert per_day(rebuilt) == per_day(live)
    # History is counted under each case's holder as it is now (no transfers to replay).
    assert {key for _, key, _ in rebuilt} == {"@alice", "billing"}
    assert not any(metric.startswith("transfer") for _, _, metric in rebuilt)
    with ctx.uow(write=False) as uow:
        closed = uow.session.exec(select(CaseRow.closed_at).where(CaseRow.number == 1)).one()
    assert closed == START + timedelta(days=1)


def test_a_new_rating_replaces_the_old_one_in_the_csat_counters(ctx: Context) -> None:
    number = create(ctx, "Rated")
    svc.close_case(ctx, "lena", number, Resolution.SOLVED)
    for hours, rating in ((2, 4), (3, 2)):
        with ctx.uow() as uow:
            case = uow.cases.get(number)
            at = START + timedelta(hours=hours)
            draft = case.rate(at, rating)
            assert draft is not None
            uow.cases.save(case, None, at, [draft])
            uow.commit()
    board = Desk(ctx, "lena").dashboard(None)
    assert (board.csat_average, board.csat_count) == (2.0, 1)


def test_the_demo_and_its_generated_cases_are_counted(tmp_path: Path) -> None:
    from helpdesk_tui.services.demo import generate_cases, seed_demo
    from helpdesk_tui.storage.location import locate

    demo = Context(locate(str(tmp_path / "demo.sqlite")))
    seed_demo(demo, cases=40)
    generate_cases(demo, 300)
    totals: dict[str, int] = {}
    for (_, _, metric), value in counters(demo).items():
        totals[metric] = totals.get(metric, 0) + value
    with demo.uow(write=False) as uow:
        made = uow.session.execute(text("SELECT count(*) FROM cases")).scalar_one()
        closed = uow.session.execute(
            text("SELECT count(*) FROM cases WHERE status = 'closed' AND closed_at IS NOT NULL")
        ).scalar_one()
        all_closed = uow.session.execute(
            text("SELECT count(*) FROM cases WHERE status = 'closed'")
        ).scalar_one()
    assert totals["created"] == made
    assert totals["closed"] - totals.get("reopened", 0) == closed == all_closed
    assert totals["time_centi"] > 0
    board = Desk(demo, "alice").dashboard(None)  # the demo's admin
    assert sum(1 for d in board.kpi.created_per_day if d.count) >= 15  # 30 days of history
    assert board.backlog_per_day[-1].count == board.kpi.open
    demo.dispose()
