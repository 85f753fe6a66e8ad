"""Recomputing the stored SLA of open cases when the SLA configuration changes (DATE-3,
issue 15 §2: "recomputed when the policy, priority or calendar changes"), on a real
SQLite file with the clock moved by hand.

The calendar: UTC, Monday to Friday 08:00-17:00 (a working day is 9 h); the conftest
clock starts Monday 2026-11-23 09:00.
"""

import json
import threading
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import col, select
from support import Clock

from helpdesk_tui.domain.calendar import BusinessCalendar, parse_duration, parse_hours
from helpdesk_tui.domain.enums import ActivityKind, Resolution, Status
from helpdesk_tui.domain.numbering import CaseNumber
from helpdesk_tui.domain.sla import SlaPolicy, SlaRules
from helpdesk_tui.services import cases as svc
from helpdesk_tui.services.context import Context
from helpdesk_tui.services.sla_refresh import refresh_sla, sla_fingerprint
from helpdesk_tui.storage.tables import ActivityRow, CaseRow, SchedulerStateRow
from helpdesk_tui.sync.scheduler import Scheduler

CALENDAR = BusinessCalendar(ZoneInfo("UTC"), parse_hours("mon-fri 08:00-17:00"))
STANDARD = SlaPolicy(
    "Standard", first_response=parse_duration("4h"), resolution=parse_duration("2d")
)
RULES = SlaRules((STANDARD,), CALENDAR)


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=UTC)


def with_rules(ctx: Context, rules: SlaRules | None) -> Context:
    return Context(ctx.location, policy=replace(ctx.policy, sla=rules), clock=ctx.clock)


@pytest.fixture
def plain(ctx: Context, clock: Clock) -> list[CaseNumber]:
    """Five cases made without SLA policies: one answered, one waiting, one closed."""
    numbers = []
    for index in range(5):
        clock.now = at(23, 9 + index)
        numbers.append(
            svc.create_case(
                ctx, "alice", subject=f"case {index}", contact="c@acme.example", group="billing"
            )
        )
    clock.now = at(23, 14, 30)
    svc.record_activity(ctx, "alice", numbers[0], ActivityKind.EXTERNAL, "Restart it.")
    svc.change_status(
        ctx, "alice", numbers[1], Status.WAITING, comment="logs?", reminder=date(2026, 11, 27)
    )
    svc.close_case(ctx, "alice", numbers[4], Resolution.SOLVED, comment="done")
    return numbers


def rows(ctx: Context) -> dict[int, CaseRow]:
    with ctx.uow(write=False) as uow:
        found = uow.session.exec(select(CaseRow)).all()
        uow.session.expunge_all()
    return {r.number: r for r in found}


def sla_entries(ctx: Context) -> list[tuple[Any, Any]]:
    with ctx.uow(write=False) as uow:
        changes = uow.session.exec(
            select(ActivityRow.case_id, ActivityRow.changes).where(col(ActivityRow.kind) == "edit")
        ).all()
    return [(case_id, json.loads(c)["sla"]) for case_id, c in changes if "sla" in c]


def test_policies_configured_later_reach_every_open_case_in_one_pass(
    ctx: Context, clock: Clock, plain: list[CaseNumber]
) -> None:
    before = rows(ctx)
    assert all(r.sla_state is None for r in before.values())
    sla = with_rules(ctx, RULES)
    clock.now = at(23, 16)
    done = Scheduler(sla).run_once()
    assert done.recomputed == 4  # the closed case is left as it was
    assert "SLA recomputed for 4 open cases" in done.lines()
    after = rows(sla)
    answered, waiting, fresh = after[plain[0].main], after[plain[1].main], after[plain[2].main]
    assert answered.sla_policy == "Standard"
    # The first response comes from the timeline: 14:30, late (created 09:00, due 13:00).
    assert answered.sla_first_response_at is not None
    assert abs(answered.sla_first_response_at - at(23, 14, 30)) < timedelta(seconds=1)
    assert answered.sla_first_response_breached_at == at(23, 13)
    assert fresh.sla_first_response_due == at(23, 15)  # created 11:00, 4 business hours
    assert fresh.sla_resolution_due == at(25, 11)  # 18 h: Mon 6 h, Tue 9 h, Wed 3 h
    assert waiting.sla_paused_since == at(23, 16)  # paused from the recompute on
    closed = after[plain[4].main]
    assert closed.sla_state is None
    # Versions stay: the SLA follows the configuration, it is not a change of the case.
    assert {n: r.version for n, r in after.items()} == {n: r.version for n, r in before.items()}
    entries = sla_entries(sla)
    assert len(entries) == 4
    assert all(e == [None, "Standard: first response 4h, resolution 2d"] for _, e in entries)
    # A second pass finds the fingerprint done and does nothing.
    again = Scheduler(sla).run_once()
    assert again.recomputed == 0
    assert rows(sla) == after
    assert len(sla_entries(sla)) == 4
    sla.dispose()


def test_a_changed_target_moves_the_dues_and_logs_only_the_changed(
    ctx: Context, clock: Clock, plain: list[CaseNumber]
) -> None:
    sla = with_rules(ctx, RULES)
    clock.now = at(23, 16)
    refresh_sla(sla)
    first = rows(sla)
    tighter = replace(STANDARD, first_response=parse_duration("6h"))
    changed = with_rules(ctx, SlaRules((tighter,), CALENDAR))
    clock.now = at(23, 16, 30)
    done = refresh_sla(changed)
    assert done.cases == 4
    after = rows(changed)
    fresh = after[plain[2].main]
    assert fresh.sla_first_response_due == at(23, 17)  # 11:00 + 6 h: the end of Monday
    assert first[plain[2].main].sla_first_response_due == at(23, 15)
    # The resolution target is unchanged: its due stays.
    assert fresh.sla_resolution_due == first[plain[2].main].sla_resolution_due
    summaries = [e for _, e in sla_entries(changed)][4:]
    assert (
        summaries
        == [
            [
                "Standard: first response 4h, resolution 2d",
                "Standard: first response 6h, resolution 2d",
            ]
        ]
        * 4
    )
    assert refresh_sla(changed).cases == 0
    sla.dispose()
    changed.dispose()


def test_a_changed_calendar_replaces_the_running_dues(
    ctx: Context, clock: Clock, plain: list[CaseNumber]
) -> None:
    sla = with_rules(ctx, RULES)
    clock.now = at(23, 16)
    refresh_sla(sla)
    # Tuesday 24 November becomes a closed day: what runs over it moves by a day.
    closed = BusinessCalendar(
        ZoneInfo("UTC"), parse_hours("mon-fri 08:00-17:00"), [at(24, 0).date()]
    )
    moved = with_rules(ctx, SlaRules((STANDARD,), closed))
    assert sla_fingerprint(moved.policy.sla, 2026) != sla_fingerprint(RULES, 2026)  # type: ignore[arg-type]
    clock.now = at(23, 16, 30)
    done = refresh_sla(moved)
    assert done.cases == 4
    assert done.changed >= 1
    fresh = rows(moved)[plain[2].main]
    assert fresh.sla_resolution_due == at(26, 11)  # Wednesday's 9 h stand in for Tuesday's
    # Same policy and targets: nothing on the timelines.
    assert len(sla_entries(moved)) == 4
    sla.dispose()
    moved.dispose()


def test_a_recompute_cut_short_resumes_where_it_stopped(
    ctx: Context, clock: Clock, plain: list[CaseNumber]
) -> None:
    sla = with_rules(ctx, RULES)
    clock.now = at(23, 16)
    first = refresh_sla(sla, batch=1, max_batches=2)
    assert (first.cases, first.finished) == (2, False)
    done = rows(sla)
    assert [done[n.main].sla_state is not None for n in plain[:4]] == [True, True, False, False]
    with sla.uow(write=False) as uow:
        names = [r.name for r in uow.session.exec(select(SchedulerStateRow)).all()]
    assert any(name.startswith("sla:") for name in names)
    rest = refresh_sla(sla, batch=1)
    assert (rest.cases, rest.finished) == (2, True)  # the other two, not all four again
    assert all(rows(sla)[n.main].sla_state is not None for n in plain[:4])
    assert len(sla_entries(sla)) == 4
    assert refresh_sla(sla).cases == 0
    sla.dispose()


def test_a_batch_that_fails_is_done_again_by_the_next_pass(
    ctx: Context, clock: Clock, plain: list[CaseNumber], monkeypatch: pytest.MonkeyPatch
) -> None:
    sla = with_rules(ctx, RULES)
    clock.now = at(23, 16)
    refresh_sla(sla, batch=2, max_batches=1)
    # The database goes away in the middle of the next batch (its file is replaced by a
    # directory the engine cannot open): the batch rolls back, its cursor stays.
    from helpdesk_tui.storage.sla import SlaRepository

    calls = {"n": 0}
    real = SlaRepository.write

    def failing(self: SlaRepository, values: Any) -> None:
        calls["n"] += 1
        self._session.connection().close()  # a lost connection mid-transaction
        real(self, values)

    monkeypatch.setattr(SlaRepository, "write", failing)
    with pytest.raises(Exception):  # noqa: B017, PT011 - whatever the driver raises
        refresh_sla(sla, batch=2)
    monkeypatch.undo()
    assert [rows(sla)[n.main].sla_state is not None for n in plain[:4]] == [
        True,
        True,
        False,
        False,
    ]
    rest = refresh_sla(sla, batch=2)
    assert rest.cases == 2
    assert len(sla_entries(sla)) == 4
    sla.dispose()


def test_without_rules_nothing_is_read_or_written(ctx: Context, plain: list[CaseNumber]) -> None:
    assert refresh_sla(ctx).cases == 0
    assert Scheduler(ctx).run_once().recomputed == 0
    assert all(r.sla_state is None for r in rows(ctx).values())


def test_two_processes_at_once_recompute_each_case_once(
    ctx: Context, clock: Clock, plain: list[CaseNumber]
) -> None:
    clock.now = at(23, 16)
    sides = [with_rules(ctx, RULES), with_rules(ctx, RULES)]
    done: list[int] = []
    errors: list[BaseException] = []

    def run(side: Context) -> None:
        try:
            done.append(refresh_sla(side, batch=1).cases)
        except BaseException as error:  # reported below
            errors.append(error)

    threads = [threading.Thread(target=run, args=(side,)) for side in sides]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert sum(done) == 4  # each batch claimed by one of them
    assert all(rows(ctx)[n.main].sla_state is not None for n in plain[:4])
    assert len(sla_entries(ctx)) == 4
    for side in sides:
        side.dispose()
