"""Mail onto cases, many per batch (services/filing.py): each case loaded once, changed
through the aggregate, saved once; the timeline keeps every mail in arrival order."""

from collections.abc import Iterator
from contextlib import contextmanager

from filing_support import SETTINGS, case_row, deliver
from mailmaker import customer_mail, reply_to
from sqlalchemy import event

from helpdesk_tui.domain.enums import ActivityKind, Resolution, Status
from helpdesk_tui.domain.filing import FiledBy
from helpdesk_tui.domain.numbering import CaseNumber
from helpdesk_tui.services import cases as svc
from helpdesk_tui.services.context import Context
from helpdesk_tui.services.filing import FilingSettings
from helpdesk_tui.storage.reads import open_reads


@contextmanager
def statements(ctx: Context) -> Iterator[list[str]]:
    """The SQL statements run meanwhile (their first words)."""
    seen: list[str] = []

    def note(_conn: object, _cursor: object, statement: str, *_: object) -> None:
        seen.append(" ".join(statement.split()[:3]))

    event.listen(ctx.engine, "before_cursor_execute", note)
    try:
        yield seen
    finally:
        event.remove(ctx.engine, "before_cursor_execute", note)


def mail_entries(ctx: Context, number: CaseNumber) -> list[str]:
    with open_reads(ctx.location) as store:
        detail = store.case_detail(number)
    return [a.text for a in detail.activities if a.kind == ActivityKind.MAIL_IN.value]


def test_many_replies_to_one_case_in_a_batch_keep_their_order(ctx: Context) -> None:
    first = customer_mail("Drucker", body="Geht nicht.")
    number = deliver(ctx, first).filed[0].case
    assert number is not None
    version = case_row(ctx, number).version

    replies = [reply_to(first, body=f"Nachtrag {n}") for n in range(1, 4)]
    result = deliver(ctx, *replies)

    assert [f.filed_by for f in result.filed] == [FiledBy.REFERENCES] * 3
    assert mail_entries(ctx, number)[-3:] == ["Nachtrag 1", "Nachtrag 2", "Nachtrag 3"]
    assert case_row(ctx, number).version == version + 1  # saved once for the batch


def test_a_reply_to_a_case_opened_in_the_same_batch_lands_on_it(ctx: Context) -> None:
    first = customer_mail("Rechnung falsch", body="Betrag stimmt nicht.")
    result = deliver(ctx, first, reply_to(first, body="Hier die Rechnung."))

    opened, reply = result.filed
    assert opened.new_case
    assert reply.case == opened.case
    assert opened.case is not None
    assert mail_entries(ctx, opened.case)[-1] == "Hier die Rechnung."


def test_replies_to_many_cases_are_saved_with_a_few_statements(ctx: Context) -> None:
    firsts = [customer_mail(f"Problem {n}", sender=f"k{n}@acme.example") for n in range(60)]
    numbers = [f.case for f in deliver(ctx, *firsts).filed]
    svc.change_status(ctx, "bob", numbers[0], Status.WAITING, comment="?", reminder=ctx.today())
    replies = [reply_to(m, sender=f"k{n}@acme.example") for n, m in enumerate(firsts)]

    with statements(ctx) as seen:
        result = deliver(ctx, *replies)

    assert [f.case for f in result.filed] == numbers
    updates = [s for s in seen if s.startswith("UPDATE cases")]
    assert len(updates) == 2  # one per set of changed columns: waiting → open, the rest
    assert len([s for s in seen if s.startswith("INSERT INTO activities")]) == 1
    assert case_row(ctx, numbers[0]).status == "open"


def test_a_closed_case_is_reopened_once_by_several_mails_of_a_batch(ctx: Context) -> None:
    first = customer_mail("VPN", body="Bricht ab.")
    number = deliver(ctx, first).filed[0].case
    assert number is not None
    svc.close_case(ctx, "bob", number, Resolution.SOLVED, comment="Neuer Client.")
    reopening = FilingSettings(
        rules=SETTINGS.rules, reopen_closed=True, own_addresses=SETTINGS.own_addresses
    )

    deliver(ctx, reply_to(first, body="Wieder da."), reply_to(first, body="Immer noch."),
            settings=reopening)  # fmt: skip

    assert case_row(ctx, number).status == "open"
    with open_reads(ctx.location) as store:
        kinds = [a.kind for a in store.case_detail(number).activities]
    assert kinds.count(ActivityKind.REOPENED.value) == 1  # the second mail finds it open
