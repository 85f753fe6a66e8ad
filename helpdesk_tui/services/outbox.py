"""Outgoing mail use cases (MAIL-5, MAIL-7, ACT-2): queue, undo, resend, deliver.

Queueing writes, in ONE transaction, the timeline entry (an external action, or a
`mail_out` entry for system mail), the message as a `mails` row (direction "out", with
its Message-ID and raw bytes — what lets the customer's answer find the case by
References) and the outbox row that tracks its delivery.

Delivery is exactly once: the sender claims a row ("sending", attempts + 1) and commits
before it talks SMTP, and marks it sent once the server accepted the DATA. A row found in
"sending" whose sender is gone has an unknown outcome: it is looked up in the Sent folder
where one is configured, else shown as "unknown — resend?"; it is never resent silently.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.utils import getaddresses
from typing import TYPE_CHECKING

from helpdesk_tui.domain.activity import ActivityDraft
from helpdesk_tui.domain.case import Actor, Case
from helpdesk_tui.domain.enums import ActivityKind
from helpdesk_tui.domain.errors import DomainError, NotFoundError, ValidationError
from helpdesk_tui.domain.header_values import (
    MAX_NAME,
    MAX_SUBJECT,
    check_address,
    file_name,
    header_text,
    is_address,
)
from helpdesk_tui.domain.numbering import CaseNumber
from helpdesk_tui.domain.quoted import text_before_quote
from helpdesk_tui.domain.templates import fill
from helpdesk_tui.mail.outgoing import (
    Outgoing,
    OutgoingAttachment,
    Quoted,
    address_of,
    build,
    compose_text,
    new_message_id,
    thread_references,
)
from helpdesk_tui.mail.tag import format_tag, tag_subject
from helpdesk_tui.services.attachments import DEFAULT_LIMIT, Part, store_parts
from helpdesk_tui.services.cases import acting_on
from helpdesk_tui.services.context import Context, retrying
from helpdesk_tui.services.csat import with_request

if TYPE_CHECKING:
    from helpdesk_tui.storage.attachments import NewAttachment
    from helpdesk_tui.storage.mails import MailToStore, NewMail
    from helpdesk_tui.storage.outbox import HistoryItem, Inbound, NewOutboxEntry
    from helpdesk_tui.storage.uow import UnitOfWork

MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024
"""All attachments of one mail together (most servers refuse 25 MB and more)."""
UNKNOWN = "unknown — resend?"
#: States `helpdesk outbox` lists by default: everything not (yet) delivered.
PENDING = ("queued", "sending", "retrying", "failed", "unknown")

DEFAULT_ACK = (
    "Hello {contact_name},\n\n"
    "thank you for your message. We have opened case {case_number} for it and will get "
    "back to you by {due}.\n\n"
    "Please keep {case_tag} in the subject when you write about it.\n\n"
    "{agent_name}"
)


@dataclass(frozen=True)
class MailOut:
    """What outgoing mail needs from the configuration."""

    sender: str
    """The From header, e.g. `Support <support@example.com>`."""
    tag_prefix: str = "#"
    undo_seconds: int = 10
    auto_limit: int = 10
    auto_window: timedelta = timedelta(hours=3)
    max_attempts: int = 12
    retry_seconds: float = 30.0
    own_addresses: frozenset[str] = frozenset()
    acknowledgements: Mapping[str, str] = field(default_factory=dict)
    """Mailbox name → acknowledgement template; mailboxes not listed send none."""
    csat_request: str | None = None
    """`[csat] request`: the closing mail's last line asks for a rating; None = `[csat]` off."""

    @property
    def sender_name(self) -> str:
        """The display name of the From header (signs automatic mail)."""
        found = getaddresses([self.sender])
        return found[0][0] if found and found[0][0] else address_of(self.sender)

    def retry_delay(self, attempts: int) -> timedelta:
        """Capped exponential back-off: base, 2×, 4× … at most 30 minutes."""
        seconds = self.retry_seconds * 2 ** max(0, attempts - 1)
        return timedelta(seconds=min(seconds, 1800.0))


@dataclass(frozen=True)
class Queued:
    """A mail waiting in the outbox."""

    id: uuid.UUID
    number: CaseNumber
    message_id: str
    recipient: str
    subject: str
    send_after: datetime


@dataclass(frozen=True)
class _Mail:
    """One mail to queue, before it has its bytes."""

    kind: str
    body: str
    subject: str
    automatic: bool = False
    attachments: Sequence[OutgoingAttachment] = ()
    delay: timedelta = timedelta(0)


@dataclass
class _Batch:
    """Mails and outbox rows written together (bulk)."""

    mails: list[MailToStore] = field(default_factory=list)
    rows: list[NewOutboxEntry] = field(default_factory=list)


def _agent_name(uow: UnitOfWork, actor: Actor) -> str:
    row = uow.directory.agents().get(actor.username)
    return (row.name if row else "") or actor.username


def _values(
    uow: UnitOfWork, out: MailOut, case: Case, agent_name: str, contact_name: str = ""
) -> dict[str, str]:
    if not contact_name:
        contact = uow.directory.contact(case.contact)
        contact_name = contact.name if contact else ""
    return {
        "case_number": str(case.number),
        "case_tag": format_tag(str(case.number), out.tag_prefix),
        "subject": header_text(case.subject, MAX_SUBJECT),
        "contact_name": header_text(contact_name, MAX_NAME) or case.contact,
        "agent_name": agent_name,
        "due": case.due.isoformat(),
        "account": case.account or "",
    }


def _queue(
    uow: UnitOfWork,
    out: MailOut,
    now: datetime,
    case: Case,
    mail: _Mail,
    inbound: Inbound | None,
    actor: Actor | None,
    *,
    batch: _Batch | None = None,
) -> tuple[Queued, uuid.UUID]:
    """Store the message and its outbox row (or collect both in `batch`)."""
    # lazy: storage loads SQLAlchemy
    from helpdesk_tui.storage.mails import MailToStore
    from helpdesk_tui.storage.outbox import NewOutboxEntry

    if "@" not in out.sender:
        raise ValidationError("smtp.from is not set: outgoing mail needs a sender address")
    size = sum(len(a.data) for a in mail.attachments)
    if size > MAX_ATTACHMENT_BYTES:
        raise ValidationError(
            f"attachments are {size / 1e6:.1f} MB; at most {MAX_ATTACHMENT_BYTES // 2**20} MB"
        )
    number = case.number
    assert number is not None
    recipient = check_address(case.contact, f"contact address of {case.label}")
    contact = uow.directory.contact(case.contact)
    message_id = new_message_id(out.sender, uow.mails.message_id_key())  # signed: MAIL-11
    # Cut here, not only in the header: the outbox and the timeline show what was sent.
    subject = header_text(
        tag_subject(mail.subject[: MAX_SUBJECT * 4], str(number), out.tag_prefix, reply=True),
        MAX_SUBJECT,
    )
    attachments = [
        OutgoingAttachment(file_name(a.filename), a.data, a.content_type) for a in mail.attachments
    ]
    quoted = None
    references: tuple[str, ...] = ()
    if inbound is not None:
        text = text_before_quote(inbound.body_text, inbound.quote_start)
        quoted = Quoted(inbound.from_name or inbound.from_email, inbound.sent_at, text)
        references = thread_references(inbound.references, inbound.message_id)
    outgoing = Outgoing(
        sender=out.sender,
        to=recipient,
        to_name=contact.name if contact else "",
        subject=subject,
        body=mail.body,
        message_id=message_id,
        date=now,
        in_reply_to=inbound.message_id if inbound else None,
        references=references,
        automatic=mail.automatic,
        quoted=quoted,
        attachments=attachments,
    )
    raw = build(outgoing)
    text = compose_text(mail.body, quoted)
    # ACT-6: what an agent attaches is stored like what a customer sends
    parts = (Part(a.filename, a.content_type, len(a.data), a.data) for a in attachments)
    listed, attachment_rows = store_parts(uow, parts, DEFAULT_LIMIT)
    mail_id = uuid.uuid4()
    stored = sent_mail(
        out,
        raw,
        message_id,
        now,
        subject,
        case.contact,
        body_text=text,
        references=list(references),
        quote_start=len(mail.body.rstrip()) + 2 if quoted and quoted.text.strip() else None,
        attachments=listed,
        stored_attachments=attachment_rows,
    )
    entry_id = uuid.uuid4()
    send_after = now + mail.delay
    row = NewOutboxEntry(
        id=entry_id,
        case_id=case.id,
        mail_id=mail_id,
        message_id=message_id,
        kind=mail.kind,
        automatic=mail.automatic,
        sender=out.sender,
        recipient=case.contact,
        subject=subject,
        queued_at=now,
        send_after=send_after,
        actor_id=uow.directory.agent_id(actor.username) if actor else None,
    )
    item = MailToStore.outgoing(mail_id, stored, case.id, mail.kind)
    if batch is None:
        uow.mails.add_many([item])
        uow.outbox.add([row])
    else:
        batch.mails.append(item)
        batch.rows.append(row)
    return Queued(entry_id, number, message_id, case.contact, subject, send_after), mail_id


# -- replies -------------------------------------------------------------------------
def queue_reply(
    ctx: Context,
    out: MailOut,
    actor_name: str,
    number: CaseNumber,
    text: str,
    *,
    attachments: Sequence[OutgoingAttachment] = (),
    time_spent_centi: int | None = None,
) -> Queued:
    """An external action mailed to the requester (ACT-2), after the undo window."""

    def work(uow: UnitOfWork) -> Queued:
        actor, case, now = acting_on(ctx, uow, actor_name, number)
        drafts = case.record(
            actor, now, ActivityKind.EXTERNAL, text, time_spent_centi=time_spent_centi
        )
        uow.cases.save(case, actor, now, drafts)
        inbound = uow.outbox.last_inbound([case.id]).get(case.id)
        mail = _Mail(
            "reply",
            text.strip(),
            case.subject,
            attachments=attachments,
            delay=timedelta(seconds=out.undo_seconds),
        )
        return _queue(uow, out, now, case, mail, inbound, actor)[0]

    result: Queued = retrying(ctx, work)
    return result


def _system_mail(
    ctx: Context,
    out: MailOut,
    actor_name: str,
    number: CaseNumber,
    kind: str,
    body: Callable[[UnitOfWork, Case, Actor, list[HistoryItem]], str],
) -> Queued:
    """A mail composed from the case (update, closing): a `mail_out` entry, no version bump."""

    def work(uow: UnitOfWork) -> Queued:
        actor, case, now = acting_on(ctx, uow, actor_name, number)
        text = body(uow, case, actor, uow.outbox.history(case.id))
        inbound = uow.outbox.last_inbound([case.id]).get(case.id)
        mail = _Mail(kind, text, case.subject, delay=timedelta(seconds=out.undo_seconds))
        queued, mail_id = _queue(uow, out, now, case, mail, inbound, actor)
        draft = ActivityDraft(ActivityKind.MAIL_OUT, text=text, internal=False)
        uow.cases.record(case.id, actor, now, [draft], mail_id=mail_id)
        return queued

    result: Queued = retrying(ctx, work)
    return result


def _entry_lines(items: Sequence[HistoryItem], *, limit: int = 30) -> str:
    lines = []
    for item in items:
        text = item.text.strip().splitlines()
        if len(text) > limit:
            text = [*text[:limit], "[…]"]
        who = item.actor or ("you" if item.kind == ActivityKind.MAIL_IN else "")
        head = f"{item.at:%Y-%m-%d %H:%M}" + (f" — {who}" if who else "")
        lines.append(head + "\n" + "\n".join(f"  {t}" for t in text))
    return "\n\n".join(lines)


def send_interim_update(ctx: Context, out: MailOut, actor_name: str, number: CaseNumber) -> Queued:
    """Mail the requester the case's external actions, newest first (MAIL-5)."""

    def body(uow: UnitOfWork, case: Case, actor: Actor, history: list[HistoryItem]) -> str:
        actions = [h for h in history if h.kind == ActivityKind.EXTERNAL]
        if not actions:
            raise ValidationError(f"{case.label} has no external actions to report")
        values = _values(uow, out, case, _agent_name(uow, actor))
        return (
            f"Hello {values['contact_name']},\n\nhere is where case {case.label} "
            f"({case.subject}) stands, newest first:\n\n"
            f"{_entry_lines(list(reversed(actions)))}\n\n{values['agent_name']}"
        )

    return _system_mail(ctx, out, actor_name, number, "update", body)


def send_closing_mail(ctx: Context, out: MailOut, actor_name: str, number: CaseNumber) -> Queued:
    """Mail the requester that the case is closed, with its history (MAIL-5); with
    `[csat]` it ends with the rating request."""

    def body(uow: UnitOfWork, case: Case, actor: Actor, history: list[HistoryItem]) -> str:
        values = _values(uow, out, case, _agent_name(uow, actor))
        state = f"closed ({case.resolution})" if case.resolution else str(case.status)
        shown = [
            h
            for h in history
            if h.kind in (ActivityKind.EXTERNAL, ActivityKind.MAIL_IN, ActivityKind.CREATED)
        ]
        text = (
            f"Hello {values['contact_name']},\n\ncase {case.label} ({case.subject}) is now "
            f"{state}.\n\nHistory of the case:\n\n{_entry_lines(shown, limit=15)}\n\n"
            f"{values['agent_name']}"
        )
        return with_request(text, out.csat_request, values)  # CSAT: ends with the request

    return _system_mail(ctx, out, actor_name, number, "closing", body)


# -- acknowledgement (called by filing, inside its batch transaction) -----------------
def acknowledge(
    uow: UnitOfWork, out: MailOut, now: datetime, case: Case, record: NewMail
) -> Queued | None:
    """Queue the acknowledgement of a case opened from `record`, unless MAIL-7 forbids it.

    No acknowledgement for noise (auto-replies, bounces, lists, bulk, our own mail), to
    our own addresses, from mailboxes without one, or beyond `auto_limit` automatic mails
    per recipient in `auto_window`. Returns None when none is sent.
    """
    from helpdesk_tui.storage.outbox import Inbound  # lazy: storage loads SQLAlchemy

    template = out.acknowledgements.get(record.mailbox)
    recipient = case.contact
    if (
        template is None
        or record.noise is not None
        or not is_address(recipient)
        or recipient in out.own_addresses
        or out.auto_limit <= 0
    ):
        return None
    if uow.outbox.automatic_since(recipient, now - out.auto_window) >= out.auto_limit:
        return None
    values = _values(uow, out, case, out.sender_name, record.from_name)
    text = fill(template, values)
    inbound = Inbound(
        message_id=record.message_id,
        references=tuple(record.references),
        from_email=record.from_email,
        from_name=record.from_name,
        sent_at=record.sent_at,
        body_text=record.body_text,
        quote_start=record.quote_start,
    )
    mail = _Mail("ack", text, record.subject or case.subject, automatic=True)
    queued, mail_id = _queue(uow, out, now, case, mail, inbound, None)
    draft = ActivityDraft(ActivityKind.MAIL_OUT, text=text, internal=False)
    uow.cases.record(case.id, None, now, [draft], mail_id=mail_id)
    return queued


# -- bulk (TUI-4) ----------------------------------------------------------------------
@dataclass(frozen=True)
class BulkMailPreview:
    """What a bulk reply would do to one case: the mail, or why it is refused."""

    number: CaseNumber
    recipient: str
    subject: str
    refusal: str | None = None


@dataclass
class BulkMailResult:
    """Which cases got the external action and a queued mail, and which were refused."""

    queued: list[Queued] = field(default_factory=list)
    refused: dict[CaseNumber, str] = field(default_factory=dict)


def preview_bulk_reply(
    ctx: Context, out: MailOut, numbers: Sequence[CaseNumber]
) -> list[BulkMailPreview]:
    """Who would get a mail (and with which subject) before a bulk reply is confirmed."""
    previews = []
    with ctx.uow(write=False) as uow:
        for number in numbers:
            try:
                case = uow.cases.get(number)
            except DomainError as error:
                previews.append(BulkMailPreview(number, "", "", error.message))
                continue
            subject = header_text(
                tag_subject(case.subject, str(number), out.tag_prefix), MAX_SUBJECT
            )
            refusal = f"{case.label} is closed" if case.is_closed else None
            previews.append(BulkMailPreview(number, case.contact, subject, refusal))
    return previews


def bulk_reply(
    ctx: Context, out: MailOut, actor_name: str, numbers: Sequence[CaseNumber], text: str
) -> BulkMailResult:
    """Add the same external action to many cases and queue a mail to each requester.

    One transaction for all (1,000 cases in well under 2 s); a case the rules refuse
    (closed, unknown) is reported and skipped, the others go ahead.
    """

    def work(uow: UnitOfWork) -> BulkMailResult:
        result = BulkMailResult()
        actor = uow.directory.actor(actor_name)
        now = ctx.clock()
        uow.directory.prefetch_contacts(uow.outbox.contact_emails(numbers))
        cases: list[Case] = []
        found = uow.cases.get_many(numbers)
        for number in numbers:
            try:
                case = found.get(number)
                if case is None:
                    raise NotFoundError(f"no case {number}")
                drafts = case.record(actor, now, ActivityKind.EXTERNAL, text)
            except DomainError as error:
                result.refused[number] = error.message
                continue
            uow.cases.save(case, actor, now, drafts)
            cases.append(case)
        inbound = uow.outbox.last_inbound([c.id for c in cases])
        batch = _Batch()
        delay = timedelta(seconds=out.undo_seconds)
        for case in cases:
            mail = _Mail("reply", text.strip(), case.subject, delay=delay)
            queued, _ = _queue(uow, out, now, case, mail, inbound.get(case.id), actor, batch=batch)
            result.queued.append(queued)
        uow.mails.add_many(batch.mails)
        uow.outbox.add(batch.rows)
        return result

    result: BulkMailResult = retrying(ctx, work)
    return result


def sent_mail(
    out: MailOut,
    raw: bytes,
    message_id: str,
    now: datetime,
    subject: str,
    recipient: str,
    *,
    body_text: str,
    references: list[str] | None = None,
    quote_start: int | None = None,
    attachments: list[dict[str, object]] | None = None,
    stored_attachments: Sequence[NewAttachment] = (),
) -> NewMail:
    """The stored record of a mail we send (a reply, a notification): outgoing, deduped
    by its Message-ID, from the configured sender to `recipient`."""
    from helpdesk_tui.storage.mails import NewMail  # lazy: storage loads SQLAlchemy

    return NewMail(
        dedupe_key=hashlib.sha256(f"out\0{message_id}".encode()).hexdigest(),
        raw=raw,
        message_id=message_id,
        mailbox="",
        received_at=now,
        sent_at=None,
        subject=subject,
        from_email=address_of(out.sender),
        from_name=out.sender_name,
        recipients={"to": [recipient]},
        references=references or [],
        body_text=body_text,
        quote_start=quote_start,
        attachments=attachments or [],
        defects=[],
        noise=None,
        direction="out",
        stored_attachments=stored_attachments,
    )
