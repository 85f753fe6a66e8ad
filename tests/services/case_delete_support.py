"""A case with everything mail leaves behind, to delete (CASE-9); used on SQLite and on
PostgreSQL (tests/integration/test_case_delete_postgres.py)."""

from itertools import count

from mailmaker import customer_mail, reply_to
from sqlalchemy import text
from sqlmodel import func, select

from helpdesk_tui.domain.enums import Resolution
from helpdesk_tui.domain.filing import RoutingRule
from helpdesk_tui.domain.numbering import CaseNumber
from helpdesk_tui.mail.parse import parse
from helpdesk_tui.services import cases as svc
from helpdesk_tui.services import outbox as ob
from helpdesk_tui.services.context import Context
from helpdesk_tui.services.filing import FilingSettings, FolderBatch, Incoming, ingest
from helpdesk_tui.services.timers import start_timer
from helpdesk_tui.storage.mails import FolderState
from helpdesk_tui.storage.tables import (
    ActivityRow,
    CaseRow,
    MailRawRow,
    MailRow,
    MailSeenRow,
    NotificationRow,
    OutboxRow,
    TimerRow,
)

OWN = frozenset({"support@helpdesk.example"})
OUT = ob.MailOut(
    sender="Helpdesk Support <support@helpdesk.example>",
    own_addresses=OWN,
    acknowledgements={"support": ob.DEFAULT_ACK},
)
ACKING = FilingSettings(
    rules=(RoutingRule("all", group="billing"),), own_addresses=OWN, mail_out=OUT
)
TABLES = (
    CaseRow,
    ActivityRow,
    MailRow,
    MailRawRow,
    MailSeenRow,
    OutboxRow,
    NotificationRow,
    TimerRow,
)
_uids = count(1)


def deliver(ctx: Context, raw: bytes) -> CaseNumber | None:
    uid = next(_uids)
    batch = FolderBatch(
        "support", "INBOX", 7, [Incoming(uid, raw, parse(raw))], FolderState(7, uid, None)
    )
    return ingest(ctx, ACKING, batch).filed[0].case


def counts(ctx: Context) -> dict[str, int]:
    with ctx.uow(write=False) as uow:
        found = {
            t.__tablename__: int(uow.session.exec(select(func.count()).select_from(t)).one())  # type: ignore[arg-type]
            for t in TABLES
        }
        if uow.session.get_bind().dialect.name == "sqlite":
            found["case_search"] = int(
                uow.session.execute(text("SELECT count(*) FROM case_search")).scalar_one()
            )
        return found


def case_with_mail_everywhere(ctx: Context) -> CaseNumber:
    """A case opened by mail (acknowledged), replied to, with a sub-case that has a reply
    and a timer, closed and mailed again (a notification)."""
    first = customer_mail("Drucker", sender="kunde@acme.example")
    number = deliver(ctx, first)
    assert number is not None
    ob.queue_reply(ctx, OUT, "alice", number, "Wir kommen morgen.")
    sub = svc.create_case(
        ctx, "alice", subject="Toner", contact="kunde@acme.example", group="billing", parent=number
    )
    ob.queue_reply(ctx, OUT, "alice", sub, "Toner ist bestellt.")
    start_timer(ctx, "alice", sub)
    svc.close_case(ctx, "alice", sub, Resolution.SOLVED)
    svc.close_case(ctx, "alice", number, Resolution.SOLVED)
    assert deliver(ctx, reply_to(first, sender="kunde@acme.example")) == number
    return number


def assert_deleting_it_leaves_nothing(ctx: Context) -> None:
    number = case_with_mail_everywhere(ctx)
    before = counts(ctx)
    assert all(before[name] > 0 for name in ("mails", "mail_raw", "outbox", "notifications"))

    assert svc.delete_case(ctx, "lena", number) == 2

    assert {name: n for name, n in counts(ctx).items() if n} == {}
