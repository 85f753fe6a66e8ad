"""The stored SLA state on PostgreSQL (DATE-3, migration 0012): the columns match
tables.py, a case's clocks are kept through creation, Waiting and back, the "SLA
breached" predicate finds it by its index column, and 0012 downgrades."""

from dataclasses import replace
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import psycopg
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlmodel import SQLModel, select

from helpdesk_tui.domain.calendar import BusinessCalendar, parse_duration, parse_hours
from helpdesk_tui.domain.enums import Status
from helpdesk_tui.domain.sla import SlaPolicy, SlaRules
from helpdesk_tui.services import cases
from helpdesk_tui.services.context import Context
from helpdesk_tui.storage.migrate import _config
from helpdesk_tui.storage.tables import CaseRow

RULES = SlaRules(
    (SlaPolicy("Standard", first_response=parse_duration("4h"), resolution=parse_duration("2d")),),
    BusinessCalendar(ZoneInfo("UTC"), parse_hours("mon-fri 08:00-17:00")),
)


def test_sla_state_kept_on_postgresql(pg: Context) -> None:
    with pg.engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), SQLModel.metadata)
    assert [d for d in diff if "sla" in str(d)] == []
    now = [datetime(2026, 11, 23, 9, 0, tzinfo=UTC)]
    ctx = Context(pg.location, policy=replace(pg.policy, sla=RULES), clock=lambda: now[0])
    number = cases.create_case(
        ctx, "alice", subject="Jam", contact="c@acme.example", group="billing"
    )
    now[0] = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
    cases.change_status(
        ctx, "alice", number, Status.WAITING, comment="logs", reminder=date(2026, 11, 27)
    )
    now[0] = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)
    cases.change_status(ctx, "alice", number, Status.OPEN)
    with ctx.uow(write=False) as uow:
        row = uow.session.exec(select(CaseRow).where(CaseRow.number == number.main)).one()
        assert row.sla_policy == "Standard"
        assert row.sla_paused_minutes == 9 * 60
        assert row.sla_resolution_due == datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
        assert row.sla_first_response_due == datetime(2026, 11, 23, 13, 0, tzinfo=UTC)
    with psycopg.connect(pg.location.libpq_url, autocommit=True) as conn:
        breached = conn.execute(
            "SELECT number FROM cases WHERE status != 'closed' AND sla_breach_at <= %s",
            (datetime(2026, 11, 24, 12, 0, tzinfo=UTC),),
        ).fetchall()
    assert breached == [(number.main,)]  # first response not given by Monday 13:00
    ctx.dispose()
    config = _config()
    with pg.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0011")
    pg.dispose()


def test_sla_views_and_sort_on_postgresql(pg: Context) -> None:
    from helpdesk_tui.domain.enums import Priority
    from helpdesk_tui.domain.query import view_query
    from helpdesk_tui.services.desk import Desk
    from helpdesk_tui.storage.reads import Sort, SortKey

    now = [datetime(2026, 11, 23, 9, 0, tzinfo=UTC)]
    urgent = SlaPolicy(
        "Urgent", first_response=parse_duration("1h"), priorities=frozenset({"urgent"})
    )
    rules = SlaRules((urgent, *RULES.policies), RULES.calendar)
    ctx = Context(pg.location, policy=replace(pg.policy, sla=rules), clock=lambda: now[0])
    normal = cases.create_case(ctx, "alice", subject="A", contact="c@acme.example", group="billing")
    hot = cases.create_case(
        ctx,
        "alice",
        subject="B",
        contact="c@acme.example",
        group="billing",
        priority=Priority.URGENT,
    )
    desk = Desk(ctx, "alice")

    def listed(view: str) -> list[object]:
        page = desk.page(view_query(view), limit=10, sort=Sort(SortKey.SLA))
        return [c.number for c in page.rows]

    now[0] = datetime(2026, 11, 23, 9, 50, tzinfo=UTC)
    assert listed("sla_at_risk") == [hot]
    assert listed("sla_breached") == []
    now[0] = datetime(2026, 11, 23, 12, 30, tzinfo=UTC)
    assert listed("sla_breached") == [hot]
    assert listed("sla_at_risk") == [normal]
    assert listed("all") == [hot, normal]
    assert desk.counts(("sla_at_risk", "sla_breached")) == {"sla_at_risk": 1, "sla_breached": 1}
    ctx.dispose()
    pg.dispose()
