"""Recomputing the SLA after a configuration change on PostgreSQL (issue 15 §2): two
processes at once claim each batch once (compare-and-set on `scheduler_state`, the cases
of a batch locked), and the cases' versions stay."""

import threading
from dataclasses import replace
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from sqlmodel import col, select

from helpdesk_tui.domain.calendar import BusinessCalendar, parse_duration, parse_hours
from helpdesk_tui.domain.sla import SlaPolicy, SlaRules
from helpdesk_tui.services import cases
from helpdesk_tui.services.context import Context
from helpdesk_tui.services.sla_refresh import refresh_sla
from helpdesk_tui.storage.tables import ActivityRow, CaseRow

RULES = SlaRules(
    (SlaPolicy("Standard", first_response=parse_duration("4h"), resolution=parse_duration("2d")),),
    BusinessCalendar(ZoneInfo("UTC"), parse_hours("mon-fri 08:00-17:00")),
)
NOW = datetime(2026, 11, 23, 16, 0, tzinfo=UTC)


def test_two_processes_recompute_each_open_case_once_on_postgresql(pg: Context) -> None:
    plain = Context(pg.location, policy=pg.policy, clock=lambda: NOW)
    for index in range(6):
        cases.create_case(
            plain, "alice", subject=f"case {index}", contact="c@acme.example", group="billing"
        )
    with plain.uow(write=False) as uow:
        versions = dict(uow.session.exec(select(CaseRow.id, CaseRow.version)).all())
    sides = [
        Context(pg.location, policy=replace(pg.policy, sla=RULES), clock=lambda: NOW)
        for _ in range(2)
    ]
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
    assert sum(done) == 6
    with plain.uow(write=False) as uow:
        rows = uow.session.exec(select(CaseRow)).all()
        assert all(r.sla_policy == "Standard" for r in rows)
        assert {r.id: r.version for r in rows} == versions
        entries = uow.session.exec(
            select(ActivityRow.changes).where(col(ActivityRow.kind) == "edit")
        ).all()
    assert len([e for e in entries if '"sla"' in e]) == 6
    assert refresh_sla(sides[0]).cases == 0
    for context in (*sides, plain):
        context.dispose()
    pg.dispose()
