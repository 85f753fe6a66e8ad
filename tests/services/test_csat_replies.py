"""CSAT (issue 15 §7) through the services on a real SQLite file: the closing mail asks
for a rating, the customer's reply with one is recorded and does not reopen the case;
anything else (late, not a rating, someone else, [csat] off) is filed as before."""

import email
import email.policy
from datetime import timedelta
from itertools import count

import pytest
from mailmaker import customer_mail, reply_to
from sqlmodel import select
from support import Clock

from helpdesk_tui.domain.csat import CsatRules
from helpdesk_tui.domain.enums import ActivityKind, Resolution, Status
from helpdesk_tui.domain.filing import RoutingRule
from helpdesk_tui.domain.numbering import CaseNumber
from helpdesk_tui.mail.parse import parse
from helpdesk_tui.services import cases as svc
from helpdesk_tui.services import outbox as ob
from helpdesk_tui.services.context import Context
from helpdesk_tui.services.filing import FilingSettings, FolderBatch, Incoming, ingest
from helpdesk_tui.storage.mails import FolderState
from helpdesk_tui.storage.readmodels import CaseDetail
from helpdesk_tui.storage.reads import open_reads
from helpdesk_tui.storage.tables import MailRawRow, OutboxRow

OWN = frozenset({"support@helpdesk.example"})
REQUEST = "How did we do? Reply with a number from 1 (poor) to 5 (excellent)."
OUT = ob.MailOut(
    sender="Helpdesk Support <support@helpdesk.example>",
    own_addresses=OWN,
    csat_request=REQUEST,
)
RULES = (RoutingRule("all", group="billing"),)
CSAT = FilingSettings(rules=RULES, own_addresses=OWN, csat=CsatRules(REQUEST, timedelta(days=14)))
REOPENING = FilingSettings(rules=RULES, own_addresses=OWN, reopen_closed=True, csat=CSAT.csat)
_uids = count(1)


def deliver(ctx: Context, raw: bytes, settings: FilingSettings = CSAT) -> CaseNumber | None:
    mails = [Incoming(next(_uids), raw, parse(raw))]
    result = ingest(
        ctx, settings, FolderBatch("support", "INBOX", 7, mails, FolderState(7, 0, None))
    )
    (filed,) = result.filed
    return filed.case


def detail(ctx: Context, number: CaseNumber) -> CaseDetail:
    with open_reads(ctx.location) as reads:
        return reads.case_detail(number)


def closing_mail(ctx: Context, out: ob.MailOut = OUT) -> bytes:
    with ctx.uow(write=False) as uow:
        (row,) = uow.session.exec(select(OutboxRow).where(OutboxRow.kind == "closing")).all()
        raw = uow.session.get(MailRawRow, row.mail_id)
        assert raw is not None
        return raw.raw


@pytest.fixture
def closed(ctx: Context, clock: Clock) -> tuple[CaseNumber, bytes]:
    """A case opened by a customer's mail, closed, its closing mail queued."""
    number = deliver(ctx, customer_mail("Drucker druckt nicht"))
    assert number is not None
    clock.advance(hours=2)
    svc.close_case(ctx, "alice", number, Resolution.SOLVED)
    ob.send_closing_mail(ctx, OUT, "alice", number)
    return number, closing_mail(ctx)


def test_the_closing_mail_ends_with_the_rating_request_and_carries_the_tag(
    ctx: Context, closed: tuple[CaseNumber, bytes]
) -> None:
    number, raw = closed
    message = email.message_from_bytes(raw, policy=email.policy.default)
    assert f"[#{number}]" in str(message["Subject"])
    body = message.get_body(("plain",))
    assert body is not None
    content = body.get_content()
    assert REQUEST in content
    # the mail's own words end with it; the customer's mail is quoted below
    assert content.index(REQUEST) < content.index("> Hallo")
    entry = [a for a in detail(ctx, number).activities if a.kind == ActivityKind.MAIL_OUT][-1]
    assert entry.text.rstrip().splitlines()[-1] == REQUEST


def test_without_csat_the_closing_mail_has_no_request(ctx: Context, clock: Clock) -> None:
    number = deliver(ctx, customer_mail("Drucker"))
    assert number is not None
    svc.close_case(ctx, "alice", number, Resolution.SOLVED)
    plain = ob.MailOut(sender=OUT.sender, own_addresses=OWN)
    ob.send_closing_mail(ctx, plain, "alice", number)
    assert b"How did we do" not in closing_mail(ctx)


def test_a_rating_reply_is_recorded_and_does_not_reopen(
    ctx: Context, clock: Clock, closed: tuple[CaseNumber, bytes]
) -> None:
    number, raw = closed
    at = clock.advance(days=3)
    assert deliver(ctx, reply_to(raw, body="4 - quick and friendly"), REOPENING) == number
    shown = detail(ctx, number)
    assert shown.case.status is Status.CLOSED
    assert (shown.case.csat_rating, shown.case.csat_at) == (4, at)
    kinds = [a.kind for a in shown.activities]
    assert kinds[-2:] == [ActivityKind.MAIL_IN, ActivityKind.EDIT]
    assert ActivityKind.REOPENED not in kinds
    assert shown.activities[-1].changes == {"csat": [None, "4"]}
    assert shown.activities[-1].actor is None  # the customer's, not an agent's
    assert shown.activities[-2].mail is not None  # the mail itself is filed on the case


def test_a_second_rating_replaces_the_first(
    ctx: Context, clock: Clock, closed: tuple[CaseNumber, bytes]
) -> None:
    number, raw = closed
    clock.advance(days=1)
    deliver(ctx, reply_to(raw, body="2"))
    at = clock.advance(days=1)
    deliver(ctx, reply_to(raw, body="Rating: 5\n\nsorry, hit the wrong key"))
    shown = detail(ctx, number)
    assert (shown.case.csat_rating, shown.case.csat_at) == (5, at)
    assert shown.activities[-1].changes == {"csat": ["2", "5"]}


@pytest.mark.parametrize(
    ("days", "body", "sender"),
    [
        (15, "5", "Kunde Eins <kunde@acme.example>"),  # after the window
        (1, "5 items are broken now", "Kunde Eins <kunde@acme.example>"),  # not a rating
        (1, "\u202e5", "Kunde Eins <kunde@acme.example>"),  # a bidi override is not one
    ],
)
def test_anything_else_reopens_as_today(
    ctx: Context,
    clock: Clock,
    closed: tuple[CaseNumber, bytes],
    days: int,
    body: str,
    sender: str,
) -> None:
    number, raw = closed
    clock.advance(days=days)
    assert deliver(ctx, reply_to(raw, body=body, sender=sender), REOPENING) == number
    shown = detail(ctx, number)
    assert shown.case.status is Status.OPEN
    assert shown.case.csat_rating is None
    assert shown.activities[-1].kind == ActivityKind.REOPENED


def test_without_reopening_a_non_rating_is_filed_as_today(
    ctx: Context, clock: Clock, closed: tuple[CaseNumber, bytes]
) -> None:
    number, raw = closed
    clock.advance(days=1)
    deliver(ctx, reply_to(raw, body="Thanks, but 5 more printers broke"))
    shown = detail(ctx, number)
    assert shown.case.status is Status.CLOSED
    assert shown.case.csat_rating is None
    assert shown.activities[-1].kind == ActivityKind.MAIL_IN


def test_only_the_customer_rates(
    ctx: Context, clock: Clock, closed: tuple[CaseNumber, bytes]
) -> None:
    """A colleague in copy who answers `5` does not rate the case for the customer."""
    number, raw = closed
    clock.advance(days=1)
    colleague = reply_to(raw, body="5", sender="Kollege <kollege@acme.example>")
    assert deliver(ctx, colleague, REOPENING) == number  # filed by our Message-ID
    shown = detail(ctx, number)
    assert (shown.case.status, shown.case.csat_rating) == (Status.OPEN, None)


def test_csat_off_files_a_rating_reply_as_today(
    ctx: Context, clock: Clock, closed: tuple[CaseNumber, bytes]
) -> None:
    number, raw = closed
    clock.advance(days=1)
    off = FilingSettings(rules=RULES, own_addresses=OWN, reopen_closed=True)
    deliver(ctx, reply_to(raw, body="5"), off)
    shown = detail(ctx, number)
    assert (shown.case.status, shown.case.csat_rating) == (Status.OPEN, None)


def test_a_reopened_and_closed_again_case_counts_the_window_from_the_last_close(
    ctx: Context, clock: Clock, closed: tuple[CaseNumber, bytes]
) -> None:
    number, raw = closed
    clock.advance(days=10)
    svc.reopen_case(ctx, "lena", number)
    clock.advance(days=10)
    svc.close_case(ctx, "alice", number, Resolution.SOLVED)
    clock.advance(days=5)  # 25 days after the first close, 5 after the second
    deliver(ctx, reply_to(raw, body="3"))
    assert detail(ctx, number).case.csat_rating == 3


def test_hostile_rating_mail_is_recorded_as_text(
    ctx: Context, clock: Clock, closed: tuple[CaseNumber, bytes]
) -> None:
    """CR/LF and RFC 2047 in the subject, escapes and bidi characters in the body: the
    rating line is clean, so it counts; the rest stays text on the timeline."""
    number, raw = closed
    parent = email.message_from_bytes(raw, policy=email.policy.default)
    tag = f"[#{number}]"
    body = "5\n\x1b]0;owned\x07\x1b[2J\u202egnirts desrever\u202c\r\nbye"
    reply = reply_to(raw, body=body)
    hostile_subject = f"=?utf-8?q?Re=3A_{tag.replace('#', '=23')}_=0D=0ABcc=3A_x=40evil?="
    reply = reply.replace(
        f"Subject: Re: {parent['Subject']}".encode(), f"Subject: {hostile_subject}".encode(), 1
    )
    assert hostile_subject.encode() in reply
    clock.advance(days=1)
    assert deliver(ctx, reply) == number
    shown = detail(ctx, number)
    assert shown.case.csat_rating == 5
    assert shown.case.status is Status.CLOSED
    mail = shown.activities[-2].mail
    assert mail is not None
    assert mail.subject.endswith("Bcc: x@evil")  # words of the subject, no header
    assert shown.case.subject == "Drucker druckt nicht"
    assert "\x1b]0;owned" in mail.body_text  # kept as the customer wrote it, shown as text
