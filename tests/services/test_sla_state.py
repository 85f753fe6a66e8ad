"""The stored SLA state (DATE-3, issue 15 §2): maintained in the transaction of every case
change, on a real SQLite file, with the clock moved by hand (never slept).

The calendar: UTC, Monday to Friday 08:00-17:00 (a working day is 9 h). START is Monday
2026-11-23 09:00.
"""

import json
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from mailmaker import customer_mail
from sqlmodel import col, select
from support import Clock

from helpdesk_tui.domain.calendar import BusinessCalendar, parse_duration, parse_hours
from helpdesk_tui.domain.enums import ActivityKind, Priority, Resolution, Status
from helpdesk_tui.domain.filing import RoutingRule
from helpdesk_tui.domain.numbering import CaseNumber
from helpdesk_tui.domain.sla import SlaPolicy, SlaRules
from helpdesk_tui.mail.parse import parse
from helpdesk_tui.services import cases as svc
from helpdesk_tui.services import outbox as ob
from helpdesk_tui.services.context import Context
from helpdesk_tui.services.filing import FilingSettings, FolderBatch, Incoming, ingest
from helpdesk_tui.storage.mails import FolderState
from helpdesk_tui.storage.reads import open_reads
from helpdesk_tui.storage.tables import SLA_RANK_NONE, ActivityRow, CaseRow

CALENDAR = BusinessCalendar(ZoneInfo("UTC"), parse_hours("mon-fri 08:00-17:00"))
URGENT = SlaPolicy(
    "Urgent",
    first_response=parse_duration("1h"),
    resolution=parse_duration("4h"),
    priorities=frozenset({"urgent"}),
)
STANDARD = SlaPolicy(
    "Standard", first_response=parse_duration("4h"), resolution=parse_duration("2d")
)
RULES = SlaRules((URGENT, STANDARD), CALENDAR)


def at(day: int, hour: int, minute: int = 0) -> datetime:
    """An instant in the week of START (23 = Monday)."""
    return datetime(2026, 11, day, hour, minute, tzinfo=UTC)


def near(value: datetime | None, expected: datetime) -> bool:
    """Equal to the second: entries of one case are a microsecond apart, and the clocks
    count from the entries."""
    return value is not None and abs(value - expected) < timedelta(seconds=1)


@pytest.fixture
def sla_ctx(ctx: Context) -> Iterator[Context]:
    """The migrated context of conftest with the SLA rules above."""
    context = Context(ctx.location, policy=replace(ctx.policy, sla=RULES), clock=ctx.clock)
    yield context
    context.dispose()


def create(context: Context, **kwargs: Any) -> CaseNumber:
    kwargs.setdefault("group", "billing")
    return svc.create_case(
        context, "alice", subject="Printer jam", contact="c@acme.example", **kwargs
    )


def row(context: Context, number: CaseNumber) -> CaseRow:
    with context.uow(write=False) as uow:
        found = uow.session.exec(
            select(CaseRow).where(CaseRow.number == number.main, CaseRow.sub_number == number.sub)
        ).one()
        uow.session.expunge_all()
        return found


def sla_entries(context: Context, number: CaseNumber) -> list[dict[str, list[str | None]]]:
    case_id = row(context, number).id
    with context.uow(write=False) as uow:
        rows = uow.session.exec(
            select(ActivityRow)
            .where(ActivityRow.case_id == case_id, ActivityRow.kind == ActivityKind.EDIT.value)
            .order_by(col(ActivityRow.at))
        ).all()
        changes = [json.loads(r.changes) for r in rows]
    return [c for c in changes if "sla" in c]


def test_without_policies_no_sla_is_kept(ctx: Context, clock: Clock) -> None:
    number = create(ctx)
    clock.advance(hours=1)
    svc.record_activity(ctx, "alice", number, ActivityKind.EXTERNAL, "Please restart it.")
    stored = row(ctx, number)
    assert stored.sla_policy is None
    assert stored.sla_state is None
    assert stored.sla_first_response_at is None
    assert stored.sla_rank == SLA_RANK_NONE
    assert sla_entries(ctx, number) == []


def test_creation_starts_both_clocks_in_business_time_and_logs_the_policy(
    sla_ctx: Context,
) -> None:
    number = create(sla_ctx)
    stored = row(sla_ctx, number)
    assert stored.sla_policy == "Standard"
    assert stored.sla_first_response_due == at(23, 13)  # 4 h later the same day
    # 2 working days = 18 h: Monday 8 h, Tuesday 9 h, Wednesday 1 h.
    assert stored.sla_resolution_due == at(25, 9)
    assert stored.sla_first_response_at is None
    assert stored.sla_breach_at == at(23, 13)
    assert stored.sla_risk_at == at(23, 12)  # 75 % of 4 h
    assert stored.sla_rank == int(at(23, 13).timestamp())
    assert sla_entries(sla_ctx, number) == [
        {"sla": [None, "Standard: first response 4h, resolution 2d"]}
    ]
    with open_reads(sla_ctx.location) as store:
        timeline = store.case_detail(number).activities
    assert [(a.kind, a.actor) for a in timeline] == [("created", "alice"), ("edit", None)]
    assert timeline[0].at < timeline[1].at


def test_first_response_is_the_first_external_action_not_an_internal_note(
    sla_ctx: Context, clock: Clock
) -> None:
    number = create(sla_ctx)
    clock.advance(hours=1)
    svc.record_activity(sla_ctx, "alice", number, ActivityKind.COMMENT, "looking")
    assert row(sla_ctx, number).sla_first_response_at is None
    clock.advance(hours=1)
    svc.record_activity(sla_ctx, "alice", number, ActivityKind.EXTERNAL, "Restart it, please.")
    clock.advance(hours=1)
    svc.record_activity(sla_ctx, "bob", number, ActivityKind.EXTERNAL, "Any news?")
    stored = row(sla_ctx, number)
    assert stored.sla_first_response_at == at(23, 11)
    assert stored.sla_first_response_breached_at is None
    # Only the resolution clock runs now: it decides the sort and the breach.
    assert stored.sla_breach_at == at(25, 9)
    assert stored.sla_rank == int(at(25, 9).timestamp())


def test_a_late_first_response_is_a_breach_with_its_instant(sla_ctx: Context, clock: Clock) -> None:
    number = create(sla_ctx)
    clock.now = at(24, 10)  # Tuesday: 4 h ran out Monday 13:00
    svc.record_activity(sla_ctx, "alice", number, ActivityKind.EXTERNAL, "Sorry for the wait.")
    stored = row(sla_ctx, number)
    assert stored.sla_first_response_at == at(24, 10)
    assert stored.sla_first_response_breached_at == at(23, 13)
    assert stored.sla_breach_at == at(23, 13)


def test_waiting_pauses_the_resolution_clock_and_resuming_moves_its_due(
    sla_ctx: Context, clock: Clock
) -> None:
    number = create(sla_ctx)
    clock.now = at(23, 10)
    svc.change_status(
        sla_ctx,
        "alice",
        number,
        Status.WAITING,
        comment="log files from c",
        reminder=date(2026, 11, 27),
    )
    stored = row(sla_ctx, number)
    assert stored.sla_paused_since == at(23, 10)
    assert stored.sla_resolution_due is None
    state = json.loads(stored.sla_state or "{}")
    assert state["clocks"]["resolution"]["state"] == "paused"
    assert state["clocks"]["first_response"]["state"] == "running"  # runs in Waiting
    clock.now = at(24, 10)  # paused Mon 10-17 and Tue 8-10: 9 business hours
    svc.change_status(sla_ctx, "alice", number, Status.OPEN)
    stored = row(sla_ctx, number)
    assert stored.sla_paused_since is None
    assert stored.sla_paused_minutes == 9 * 60
    # Wednesday 09:00 + 9 h of business time: Wednesday 17:00, then Thursday 09:00.
    assert stored.sla_resolution_due == at(26, 9)


def test_closing_stops_the_clocks_and_reopening_runs_them_on(
    sla_ctx: Context, clock: Clock
) -> None:
    number = create(sla_ctx)
    clock.now = at(23, 11)
    svc.record_activity(sla_ctx, "alice", number, ActivityKind.EXTERNAL, "Fixed.")
    svc.close_case(sla_ctx, "alice", number, Resolution.SOLVED)
    stored = row(sla_ctx, number)
    assert stored.sla_rank == SLA_RANK_NONE
    assert stored.sla_breach_at is None
    state = json.loads(stored.sla_state or "{}")
    assert state["clocks"]["resolution"]["state"] == "stopped"
    clock.now = at(24, 8)
    svc.reopen_case(sla_ctx, "lena", number)
    stored = row(sla_ctx, number)
    # 2 h used Monday 9-11: 16 h left from Tuesday 08:00 → Tuesday 17:00 + 7 h.
    assert near(stored.sla_resolution_due, at(25, 15))
    assert stored.sla_first_response_at == at(23, 11)  # responded stays responded


def test_a_new_priority_matches_another_policy_keeping_the_time_used(
    sla_ctx: Context, clock: Clock
) -> None:
    number = create(sla_ctx)
    clock.now = at(23, 10, 30)
    svc.edit_case(sla_ctx, "alice", number, {"priority": Priority.URGENT})
    stored = row(sla_ctx, number)
    assert stored.sla_policy == "Urgent"
    # 1.5 h used of the new 1 h first-response target: breached at 10:00.
    assert stored.sla_first_response_breached_at == at(23, 10)
    assert stored.sla_resolution_due == at(23, 13)  # 4 h from 09:00: 1.5 h used, 2.5 h left
    assert sla_entries(sla_ctx, number)[-1] == {
        "sla": [
            "Standard: first response 4h, resolution 2d",
            "Urgent: first response 1h, resolution 4h",
        ]
    }
    clock.now = at(23, 10, 45)
    svc.edit_case(sla_ctx, "alice", number, {"priority": Priority.NORMAL})
    stored = row(sla_ctx, number)
    assert stored.sla_policy == "Standard"
    assert stored.sla_first_response_breached_at is None  # 1.75 h of 4 h: not breached
    assert stored.sla_first_response_due == at(23, 13)
    assert len(sla_entries(sla_ctx, number)) == 3


def test_a_change_that_keeps_the_policy_logs_nothing_new(sla_ctx: Context, clock: Clock) -> None:
    number = create(sla_ctx)
    clock.advance(minutes=5)
    svc.edit_case(sla_ctx, "alice", number, {"subject": "Printer jam on floor 2"})
    svc.change_status(sla_ctx, "alice", number, Status.IN_PROGRESS)
    assert len(sla_entries(sla_ctx, number)) == 1


def test_no_matching_policy_keeps_no_clocks_but_remembers_the_first_response(
    ctx: Context, clock: Clock
) -> None:
    rules = SlaRules((URGENT,), CALENDAR)
    context = Context(ctx.location, policy=replace(ctx.policy, sla=rules), clock=ctx.clock)
    number = create(context)
    assert row(context, number).sla_policy is None
    clock.now = at(23, 10)
    svc.record_activity(context, "alice", number, ActivityKind.EXTERNAL, "On it.")
    clock.now = at(23, 11)
    svc.edit_case(context, "alice", number, {"priority": Priority.URGENT})
    stored = row(context, number)
    assert stored.sla_policy == "Urgent"
    assert stored.sla_first_response_at == at(23, 10)
    assert stored.sla_first_response_breached_at is None  # answered within 1 h
    assert stored.sla_resolution_due == at(23, 13)  # runs from creation


# -- mail: the acknowledgement is no response, an agent's reply is ------------------------
OWN = frozenset({"support@helpdesk.example"})
OUT = ob.MailOut(
    sender="Helpdesk Support <support@helpdesk.example>",
    undo_seconds=10,
    own_addresses=OWN,
    acknowledgements={"support": ob.DEFAULT_ACK},
)
ACKING = FilingSettings(
    rules=(RoutingRule("all", group="billing"),), own_addresses=OWN, mail_out=OUT
)


def test_the_acknowledgement_is_no_first_response_an_agents_reply_is(
    sla_ctx: Context, clock: Clock
) -> None:
    raw = customer_mail("Rechnung fehlt", message_id="<sla-ack@acme.example>")
    batch = FolderBatch(
        "support", "INBOX", 7, [Incoming(1, raw, parse(raw))], FolderState(7, 1, None)
    )
    result = ingest(sla_ctx, ACKING, batch)
    (number,) = [f.case for f in result.filed if f.case is not None]
    stored = row(sla_ctx, number)
    assert stored.sla_policy == "Standard"
    assert stored.sla_first_response_at is None  # the acknowledgement went out
    clock.now = at(23, 9, 30)
    ob.queue_reply(sla_ctx, OUT, "alice", number, "Wir kümmern uns.")
    assert row(sla_ctx, number).sla_first_response_at == at(23, 9, 30)


def test_a_mailbox_policy_matches_cases_from_that_mailbox_only(ctx: Context, clock: Clock) -> None:
    vip = SlaPolicy("VIP", first_response=parse_duration("30m"), mailboxes=frozenset({"vip"}))
    rules = SlaRules((vip, STANDARD), CALENDAR)
    context = Context(ctx.location, policy=replace(ctx.policy, sla=rules), clock=ctx.clock)
    raw = customer_mail("Dringend", message_id="<sla-vip@acme.example>")
    settings = FilingSettings(rules=ACKING.rules, own_addresses=OWN)
    batch = FolderBatch("vip", "INBOX", 7, [Incoming(1, raw, parse(raw))], FolderState(7, 1, None))
    (number,) = [f.case for f in ingest(context, settings, batch).filed if f.case is not None]
    assert row(context, number).sla_policy == "VIP"
    clock.advance(minutes=5)
    svc.change_status(context, "alice", number, Status.IN_PROGRESS)  # mailbox remembered
    assert row(context, number).sla_policy == "VIP"
    assert row(context, create(context)).sla_policy == "Standard"


def test_sla_columns_match_on_a_fresh_migration(tmp_path: Path, clock: Clock) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext
    from sqlmodel import SQLModel

    from helpdesk_tui.storage.location import locate

    context = Context(locate(str(tmp_path / "fresh.sqlite")), clock=clock)
    context.migrate()
    with context.engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), SQLModel.metadata)
    context.dispose()
    assert [d for d in diff if "sla" in str(d)] == []
