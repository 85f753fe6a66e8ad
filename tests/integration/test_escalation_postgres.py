"""SLA escalation on PostgreSQL (DATE-3, issue 15 §4): two passes racing at the same
instant, each on its own connection, fire every level exactly once — the compare-and-set
on `cases.sla_escalated` makes the loser run again on what the winner wrote."""

import threading
from dataclasses import replace
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from sqlmodel import col, func, select

from helpdesk_tui.domain.calendar import BusinessCalendar, parse_duration, parse_hours
from helpdesk_tui.domain.sla import SlaPolicy, SlaRules, parse_escalation
from helpdesk_tui.services import cases
from helpdesk_tui.services.context import Context
from helpdesk_tui.services.escalation import Escalated, escalate_due
from helpdesk_tui.storage.tables import ActivityRow, CaseRow, NotificationRow

RULES = SlaRules(
    (SlaPolicy("Standard", first_response=parse_duration("4h"), resolution=parse_duration("2d")),),
    BusinessCalendar(ZoneInfo("UTC"), parse_hours("mon-fri 08:00-17:00")),
    (parse_escalation("75%", "delegate"), parse_escalation("100%", "lead")),
)
CASES = 30


def test_two_racing_passes_fire_each_level_once_on_postgresql(pg: Context) -> None:
    now = [datetime(2026, 11, 23, 9, 0, tzinfo=UTC)]
    ctx = Context(pg.location, policy=replace(pg.policy, sla=RULES), clock=lambda: now[0])
    for index in range(CASES):
        cases.create_case(
            ctx, "alice", subject=f"Jam {index}", contact="c@acme.example", group="billing"
        )
    now[0] = datetime(2026, 11, 23, 13, 30, tzinfo=UTC)  # first response: 75 % and 100 %
    passes = [
        Context(pg.location, policy=replace(pg.policy, sla=RULES), clock=lambda: now[0])
        for _ in range(2)
    ]
    start = threading.Barrier(2)
    done: list[Escalated] = []
    failures: list[BaseException] = []

    def run(context: Context) -> None:
        try:
            start.wait()
            done.append(escalate_due(context))
        except BaseException as error:  # reported below
            failures.append(error)

    threads = [threading.Thread(target=run, args=(c,)) for c in passes]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert failures == []
    assert sum(d.levels for d in done) == 2 * CASES  # not 4 * CASES
    with ctx.uow(write=False) as uow:
        entries = uow.session.exec(
            select(func.count())
            .select_from(ActivityRow)
            .where(col(ActivityRow.changes).like('%"escalation"%'))
        ).one()
        notes = uow.session.exec(
            select(NotificationRow.kind, func.count()).group_by(col(NotificationRow.kind))
        ).all()
        pending = uow.session.exec(
            select(func.count())
            .select_from(CaseRow)
            .where(col(CaseRow.sla_escalation_at) <= now[0])
        ).one()
    assert entries == 2 * CASES
    # 75 %: the group's members alice and lena (alice created the case: it tells her too);
    # 100 %: the lead lena.
    assert dict(notes) == {"sla_warning": 2 * CASES, "sla_breach": CASES}
    assert pending == 0
    assert escalate_due(passes[0]).levels == 0
    for context in (*passes, ctx):
        context.dispose()
    pg.dispose()
