"""The agent's hand on the outbox (MAIL-5): list it, cancel or edit a mail within its undo
window, send a failed or unknown mail again. Queueing is `services.outbox`; delivery is
`services.delivery`."""

from __future__ import annotations

import uuid
from collections.abc import Collection
from datetime import datetime
from typing import TYPE_CHECKING

from helpdesk_tui.domain.activity import ActivityDraft
from helpdesk_tui.domain.enums import ActivityKind
from helpdesk_tui.domain.errors import ConflictError, ValidationError
from helpdesk_tui.domain.quoted import text_before_quote
from helpdesk_tui.mail.outgoing import replace_text
from helpdesk_tui.services.context import Context, retrying
from helpdesk_tui.services.outbox import PENDING

if TYPE_CHECKING:
    from helpdesk_tui.storage.outbox import OutboxEntry
    from helpdesk_tui.storage.uow import UnitOfWork


def _undoable(entry: OutboxEntry, now: datetime, verb: str) -> None:
    if entry.state != "queued" or now >= entry.send_after:
        raise ConflictError(
            f"cannot {verb} the mail to {entry.recipient}: it is {entry.state} and the "
            "undo window is over"
        )


def cancel_mail(ctx: Context, actor_name: str, entry_id: uuid.UUID) -> OutboxEntry:
    """Take a queued mail back within its undo window."""

    def work(uow: UnitOfWork) -> OutboxEntry:
        actor = uow.directory.actor(actor_name)
        entry = uow.outbox.get(entry_id)
        now = ctx.clock()
        _undoable(entry, now, "cancel")
        if not uow.outbox.set_state(entry.id, "cancelled", expect=("queued",), error=""):
            raise ConflictError(f"the mail to {entry.recipient} is already on its way")
        if entry.case_id is not None:  # a notification mail to an agent has no timeline
            note = f"mail to {entry.recipient} cancelled before sending: {entry.subject}"
            draft = ActivityDraft(ActivityKind.COMMENT, note)
            uow.cases.record(entry.case_id, actor, now, [draft])
        return entry

    result: OutboxEntry = retrying(ctx, work)
    return result


def edit_mail(ctx: Context, actor_name: str, entry_id: uuid.UUID, text: str) -> OutboxEntry:
    """Change the text of a queued mail within its undo window (same Message-ID)."""
    if not text.strip():
        raise ValidationError("the text is empty")

    def work(uow: UnitOfWork) -> OutboxEntry:
        uow.directory.actor(actor_name)
        entry = uow.outbox.get(entry_id)
        _undoable(entry, ctx.clock(), "edit")
        mail = uow.mails.get(entry.mail_id)
        assert mail is not None
        start = mail.quote_start
        old_body = text_before_quote(mail.body_text, start).strip()
        new_body = text.strip()
        full = f"{new_body}\n\n{mail.body_text[start:]}" if start else f"{new_body}\n"
        raw = replace_text(uow.outbox.raw(entry.mail_id), full)
        quote_start = len(new_body) + 2 if start else None
        uow.outbox.replace_message(entry, full, quote_start, raw, old_body, new_body)
        return uow.outbox.get(entry_id)

    result: OutboxEntry = retrying(ctx, work)
    return result


def resend_mail(ctx: Context, actor_name: str, entry_id: uuid.UUID) -> OutboxEntry:
    """An agent sends a failed or unknown-outcome mail again (it keeps its Message-ID)."""

    def work(uow: UnitOfWork) -> OutboxEntry:
        uow.directory.actor(actor_name)
        entry = uow.outbox.get(entry_id)
        if entry.state not in ("failed", "unknown", "retrying"):
            raise ConflictError(
                f"the mail to {entry.recipient} is {entry.state}: nothing to resend"
            )
        uow.outbox.set_state(
            entry.id, "queued", expect=("failed", "unknown", "retrying"), send_after=ctx.clock()
        )
        return uow.outbox.get(entry_id)

    result: OutboxEntry = retrying(ctx, work)
    return result


def list_outbox(
    ctx: Context, states: Collection[str] | None = PENDING, *, limit: int = 1000
) -> list[OutboxEntry]:
    """Outgoing mail in these states (default: not delivered), oldest first."""
    with ctx.uow(write=False) as uow:
        return uow.outbox.entries(states, limit=limit)


def outbox_counts(ctx: Context) -> dict[str, int]:
    """Entries per state (the status line counts unsent mail)."""
    with ctx.uow(write=False) as uow:
        return uow.outbox.counts()
