"""Delivering the outbox (MAIL-5): the sender's side of exactly-once.

A sender claims a due mail — state "sending", attempt counted, COMMITTED — before any
SMTP, and records the outcome after: sent, retrying with back-off, failed with the
server's answer, or unknown (never resent without an agent). `recover_interrupted`
settles what a dead sender left in "sending". Queueing is in `services.outbox`.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from helpdesk_tui.services.context import Context
from helpdesk_tui.services.outbox import UNKNOWN, MailOut

if TYPE_CHECKING:
    from helpdesk_tui.storage.outbox import OutboxEntry


@dataclass(frozen=True)
class Claimed:
    """A mail claimed for one SMTP attempt: state "sending" is committed."""

    entry: OutboxEntry
    raw: bytes


def due_mail(ctx: Context, limit: int = 500) -> list[uuid.UUID]:
    """Ids of mail whose time has come."""
    with ctx.uow(write=False) as uow:
        return uow.outbox.due(ctx.clock(), limit)


def next_due(ctx: Context) -> datetime | None:
    """When the next waiting mail becomes due (None: nothing waits)."""
    with ctx.uow(write=False) as uow:
        return uow.outbox.next_due()


def claim(ctx: Context, entry_id: uuid.UUID, claimant: str) -> Claimed | None:
    """Record the attempt and COMMIT before any SMTP; None if it is not ours to send."""
    with ctx.uow() as uow:
        if not uow.outbox.claim(entry_id, ctx.clock(), claimant):
            return None
        entry = uow.outbox.get(entry_id)
        raw = uow.outbox.raw(entry.mail_id)
        uow.commit()
    return Claimed(entry, raw)


def delivered(ctx: Context, entry: OutboxEntry, answer: str = "") -> None:
    """The server accepted the DATA: sent."""
    with ctx.uow() as uow:
        now = ctx.clock()
        uow.outbox.set_state(entry.id, "sent", sent_at=now, error="", claimed_by="")
        uow.outbox.mark_sent(entry.mail_id, now)
        uow.commit()


def deferred(ctx: Context, out: MailOut, entry_id: uuid.UUID, reason: str, *, claimed: bool) -> str:
    """A transient failure: retry later with back-off, or fail after `max_attempts`.

    `claimed` is False when the mail was never handed to the server (it could not be
    reached): the attempt is counted all the same. Returns the new state.
    """
    with ctx.uow() as uow:
        entry = uow.outbox.get(entry_id)
        attempts = entry.attempts if claimed else entry.attempts + 1
        expect = ("sending",) if claimed else ("queued", "retrying")
        now = ctx.clock()
        if attempts >= out.max_attempts:
            state, text = "failed", f"gave up after {attempts} attempts: {reason}"
        else:
            state, text = "retrying", reason
        uow.outbox.set_state(
            entry_id,
            state,
            expect=expect,
            attempts=attempts,
            error=text,
            send_after=now + out.retry_delay(attempts),
            claimed_by="",
        )
        uow.commit()
    return state


def refused(ctx: Context, entry_id: uuid.UUID, answer: str) -> None:
    """The server refused the mail for good (5xx): failed, with its answer."""
    with ctx.uow() as uow:
        uow.outbox.set_state(entry_id, "failed", error=answer, claimed_by="")
        uow.commit()


def outcome_unknown(ctx: Context, entry_id: uuid.UUID, reason: str = "") -> None:
    """It may or may not have gone out: an agent decides (never resent silently)."""
    text = f"{UNKNOWN} ({reason})" if reason else UNKNOWN
    with ctx.uow() as uow:
        uow.outbox.set_state(entry_id, "unknown", error=text, claimed_by="")
        uow.commit()


def recover_interrupted(
    ctx: Context,
    *,
    abandoned: Callable[[OutboxEntry], bool],
    in_sent_folder: Callable[[Sequence[str]], set[str]] | None = None,
) -> dict[str, int]:
    """Settle mail left in "sending" by a sender that is gone (`abandoned` says which).

    Found in the Sent folder → sent; otherwise → unknown ("unknown — resend?").
    Returns how many became which.
    """
    with ctx.uow(write=False) as uow:
        stale = [e for e in uow.outbox.entries(("sending",)) if abandoned(e)]
    if not stale:
        return {}
    found: set[str] = set()
    if in_sent_folder is not None:
        found = in_sent_folder([e.message_id for e in stale])
    counts = {"sent": 0, "unknown": 0}
    with ctx.uow() as uow:
        now = ctx.clock()
        for entry in stale:
            if entry.message_id in found:
                done = uow.outbox.set_state(
                    entry.id,
                    "sent",
                    expect=("sending",),
                    sent_at=now,
                    claimed_by="",
                    error="interrupted; found in the Sent folder",
                )
                if done:
                    uow.outbox.mark_sent(entry.mail_id, now)
                    counts["sent"] += 1
            elif uow.outbox.set_state(
                entry.id, "unknown", expect=("sending",), error=UNKNOWN, claimed_by=""
            ):
                counts["unknown"] += 1
        uow.commit()
    return counts
