"""Delivering parsed mail batches to the filing service in tests (no IMAP server)."""

from itertools import count

from sqlmodel import select

from helpdesk_tui.domain.enums import Priority
from helpdesk_tui.domain.filing import RoutingRule
from helpdesk_tui.domain.numbering import CaseNumber
from helpdesk_tui.mail.parse import parse
from helpdesk_tui.services.context import Context
from helpdesk_tui.services.filing import FilingSettings, FolderBatch, Incoming, IngestResult, ingest
from helpdesk_tui.storage.mails import FolderState
from helpdesk_tui.storage.tables import CaseRow, MailRow

CATCH_ALL = RoutingRule("support", group="technical")
SETTINGS = FilingSettings(
    rules=(
        RoutingRule(
            "invoices", keywords=("rechnung", "invoice"), group="billing", priority=Priority.HIGH
        ),
        RoutingRule("newsletters", sender_domain="news.example", create_case=False),
        CATCH_ALL,
    ),
    own_addresses=frozenset({"support@helpdesk.example"}),
)
_uids = count(1)


def deliver(
    ctx: Context,
    *raws: bytes,
    settings: FilingSettings = SETTINGS,
    folder: str = "INBOX",
    uidvalidity: int = 7,
) -> IngestResult:
    mails = [Incoming(next(_uids), raw, parse(raw)) for raw in raws]
    reaches = FolderState(uidvalidity, max(m.uid for m in mails), None)
    return ingest(ctx, settings, FolderBatch("support", folder, uidvalidity, mails, reaches))


def mails(ctx: Context) -> list[MailRow]:
    with ctx.uow(write=False) as uow:
        rows = list(uow.session.exec(select(MailRow)).all())
        uow.session.expunge_all()  # keep the loaded values past the unit of work
        return rows


def case_row(ctx: Context, number: CaseNumber) -> CaseRow:
    with ctx.uow(write=False) as uow:
        row = uow.session.exec(
            select(CaseRow).where(CaseRow.number == number.main, CaseRow.sub_number == number.sub)
        ).one()
        uow.session.expunge_all()
        return row
