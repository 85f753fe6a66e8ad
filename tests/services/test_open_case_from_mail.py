"""An agent turns an unfiled mail into a case (MAIL-8, services/filing.open_case)."""

import uuid

import pytest
from filing_support import case_row, deliver, mails
from mailmaker import customer_mail, reply_to

from helpdesk_tui.domain.enums import ActivityKind
from helpdesk_tui.domain.errors import ValidationError
from helpdesk_tui.domain.filing import FiledBy
from helpdesk_tui.services.context import Context
from helpdesk_tui.services.filing import FilingSettings, open_case
from helpdesk_tui.storage.reads import open_reads

NO_RULES = FilingSettings()


def unfiled_id(ctx: Context, *raws: bytes) -> uuid.UUID:
    [filed] = deliver(ctx, *raws, settings=NO_RULES).filed
    assert filed.filed_by is FiledBy.UNFILED
    return filed.mail_id


def test_the_mail_becomes_a_case_of_the_agent_with_the_mail_first_on_its_timeline(
    ctx: Context,
) -> None:
    raw = customer_mail(
        "AW: Angebot Drucker",
        sender="Eva Einkauf <eva@neukunde.example>",
        body="Bitte senden Sie uns ein Angebot.\n\nAm Montag schrieb Vertrieb:\n> alt\n",
    )
    mail_id = unfiled_id(ctx, raw)

    number = open_case(ctx, "alice", mail_id)

    row = case_row(ctx, number)
    assert row.subject == "AW: Angebot Drucker"  # as a routing rule's case would have it
    assert row.description == "Bitte senden Sie uns ein Angebot."
    with open_reads(ctx.location) as store:
        detail = store.case_detail(number)
        assert store.mail.unfiled_count(10) == 0
    assert detail.case.delegated_user == "alice"
    assert detail.case.contact_email == "eva@neukunde.example"
    assert detail.case.contact_name == "Eva Einkauf"
    kinds = [a.kind for a in detail.activities]
    assert kinds[:2] == [ActivityKind.CREATED.value, ActivityKind.MAIL_IN.value]
    [mail] = [m for m in mails(ctx) if m.id == mail_id]
    assert mail.case_id == row.id
    assert mail.filed_note == "opened as a case by alice"
    # A reply to that mail now finds the case by its References.
    [reply] = deliver(ctx, reply_to(raw, sender="eva@neukunde.example"), settings=NO_RULES).filed
    assert reply.case == number


def test_a_mail_on_a_case_is_refused_and_nothing_changes(ctx: Context) -> None:
    mail_id = unfiled_id(ctx, customer_mail("Frage"))
    number = open_case(ctx, "alice", mail_id)

    with pytest.raises(ValidationError, match="on a case already"):
        open_case(ctx, "bob", mail_id)

    assert case_row(ctx, number).version == 1
    with ctx.uow(write=False) as uow:
        assert uow.cases.count() == 1


def test_a_mail_without_a_sender_is_refused_in_one_line(ctx: Context) -> None:
    raw = b"To: support@helpdesk.example\r\nSubject: anonym\r\n\r\nHallo\r\n"
    mail_id = unfiled_id(ctx, raw)

    with pytest.raises(ValidationError) as refused:
        open_case(ctx, "alice", mail_id)

    assert "\n" not in str(refused.value)
    [mail] = mails(ctx)
    assert mail.case_id is None
