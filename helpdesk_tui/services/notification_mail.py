"""Notification mail (DATE-4): an agent's notifications through the outbox, each or as a
digest, never for their own actions (the rules: `domain/notification_mail.py`).

`mail_due` is one pass, run by the scheduler (`sync/scheduler.py`) after the reminders:
for every agent with mail on and notifications waiting it queues the mails, and marks
the notifications mailed in the same transaction. The mark is compare-and-set
(`mailed_at IS NULL`): when another process mailed some of them meanwhile, the pass
starts again on what is left, so nothing is mailed twice. A pass with nothing waiting
only reads, on the plain read path.

A notification mail goes to the agent's own address (`users.email`); it belongs to no
case (the outbox row has none, the mail is on no timeline) and is automatic
(`Auto-Submitted`), so no auto-responder answers it.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from helpdesk_tui.domain.errors import ConflictError
from helpdesk_tui.domain.header_values import MAX_SUBJECT, check_address, header_text
from helpdesk_tui.domain.notification_mail import (
    MailChoice,
    NoticeMail,
    choice_of,
    look_back,
    mails_for,
)
from helpdesk_tui.mail.outgoing import Outgoing, build, new_message_id
from helpdesk_tui.services.context import Context, retrying
from helpdesk_tui.storage.reads import open_reads

if TYPE_CHECKING:
    from helpdesk_tui.services.outbox import MailOut
    from helpdesk_tui.storage.tables import AgentRow
    from helpdesk_tui.storage.uow import UnitOfWork

#: The outbox kind of a notification mail.
KIND = "notify"


@dataclass(frozen=True)
class NotificationMail:
    """What notification mail needs from the configuration."""

    out: MailOut
    default: MailChoice = MailChoice.OFF
    """`[notifications] email`: for agents without a choice of their own."""
    digest_interval: timedelta = timedelta(hours=1)
    """A digest goes out once its oldest notification is this old."""


def mail_due(ctx: Context, mailing: NotificationMail) -> int:
    """One pass: queue the notification mails that are due; returns how many."""
    now = ctx.clock()
    since = now - look_back(mailing.digest_interval)
    with open_reads(ctx.location) as reads:
        waiting = reads.notifications.mail_waiting(
            mailing.default.value, since, now - mailing.digest_interval
        )
    if not waiting:
        return 0

    def work(uow: UnitOfWork) -> int:
        now = ctx.clock()
        agents = uow.directory.agents()
        queued = 0
        for username in waiting:
            agent = agents.get(username)
            if agent is None or not agent.active or not agent.email:
                continue
            choice = choice_of(agent.notify_email, mailing.default)
            notes = uow.notifications.unmailed(agent.id, now - look_back(mailing.digest_interval))
            helpdesk = mailing.out.sender_name
            for mail in mails_for(choice, username, notes, now, mailing.digest_interval, helpdesk):
                ids = [note.id for note in mail.notes]
                if uow.notifications.mark_mailed(ids, now) != len(ids):
                    raise ConflictError("notifications mailed by another process meanwhile")
                _queue(uow, mailing.out, now, agent, mail)
                queued += 1
        return queued

    return retrying(ctx, work)


def set_choice(ctx: Context, username: str, choice: MailChoice | None) -> None:
    """`username`'s own choice of notification mail (None: back to the default)."""

    def work(uow: UnitOfWork) -> None:
        actor = uow.directory.actor(username)
        uow.notifications.set_mail_choice(
            uow.directory.agent_id(actor.username), None if choice is None else choice.value
        )

    retrying(ctx, work)


def _queue(uow: UnitOfWork, out: MailOut, now: datetime, agent: AgentRow, mail: NoticeMail) -> None:
    """The mail and its outbox row, addressed to the agent, on no case."""
    from helpdesk_tui.services.outbox import sent_mail
    from helpdesk_tui.storage.mails import MailToStore  # lazy: storage loads SQLAlchemy
    from helpdesk_tui.storage.outbox import NewOutboxEntry

    recipient = check_address(agent.email, f"address of {agent.username}")
    message_id = new_message_id(out.sender, uow.mails.message_id_key())
    subject = header_text(mail.subject, MAX_SUBJECT)
    raw = build(
        Outgoing(
            sender=out.sender,
            to=recipient,
            to_name=header_text(agent.name, 200),
            subject=subject,
            body=mail.body,
            message_id=message_id,
            date=now,
            automatic=True,
        )
    )
    mail_id = uuid.uuid4()
    stored = sent_mail(out, raw, message_id, now, subject, recipient, body_text=mail.body)
    uow.mails.add_many([MailToStore(mail_id, stored, None, "outgoing", KIND)])
    uow.outbox.add(
        [
            NewOutboxEntry(
                id=uuid.uuid4(),
                case_id=None,
                mail_id=mail_id,
                message_id=message_id,
                kind=KIND,
                automatic=True,
                sender=out.sender,
                recipient=recipient,
                subject=subject,
                queued_at=now,
                send_after=now,
                actor_id=None,
            )
        ]
    )
