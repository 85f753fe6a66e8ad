"""`helpdesk outbox [--json]`: outgoing mail not (yet) delivered, and the agent's hand on it."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Annotated, Any

import typer

from helpdesk_tui.cli.errors import UsageError, refusals
from helpdesk_tui.cli.output import emit_json, say
from helpdesk_tui.cli.runtime import Runtime
from helpdesk_tui.domain.dates import iso_z
from helpdesk_tui.domain.safe_text import one_line

if TYPE_CHECKING:
    from helpdesk_tui.storage.outbox import OutboxEntry


def entry_json(entry: OutboxEntry) -> dict[str, Any]:
    """One outgoing mail as JSON."""
    waiting = entry.state in ("queued", "retrying")
    return {
        "id": str(entry.id),
        "case": None if entry.case is None else str(entry.case),
        "to": entry.recipient,
        "subject": entry.subject,
        "kind": entry.kind,
        "automatic": entry.automatic,
        "state": entry.state,
        "attempts": entry.attempts,
        "error": entry.error or None,
        "queued_at": iso_z(entry.queued_at),
        "next_attempt": iso_z(entry.send_after) if waiting else None,
        "attempted_at": iso_z(entry.attempted_at),
        "sent_at": iso_z(entry.sent_at),
        "message_id": entry.message_id,
        "actor": entry.actor,
    }


def _find(entries: list[OutboxEntry], prefix: str) -> uuid.UUID:
    wanted = prefix.strip().lower()
    if len(wanted) < 6:
        raise UsageError("give at least 6 characters of the outbox id")
    found = [e.id for e in entries if str(e.id).startswith(wanted)]
    if len(found) != 1:
        raise UsageError(
            f"no outgoing mail with id {prefix!r}"
            if not found
            else f"id {prefix!r} is ambiguous: give more characters"
        )
    return found[0]


def outbox(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON on stdout.")] = False,
    show_all: Annotated[
        bool, typer.Option("--all", help="Include sent and cancelled mail.")
    ] = False,
    resend: Annotated[
        str | None, typer.Option("--resend", metavar="ID", help="Send a failed/unknown mail again.")
    ] = None,
    cancel: Annotated[
        str | None, typer.Option("--cancel", metavar="ID", help="Cancel within the undo window.")
    ] = None,
) -> None:
    """List queued, retrying, failed and unknown outgoing mail (oldest first)."""
    runtime: Runtime = ctx.obj
    with refusals():
        from helpdesk_tui.services.outbox_control import cancel_mail, list_outbox, resend_mail

        context = runtime.context
        if resend is not None or cancel is not None:
            if resend is not None and cancel is not None:
                raise UsageError("--resend and --cancel exclude each other")
            entries = list_outbox(context, None, limit=100_000)
            if resend is not None:
                entry = resend_mail(context, runtime.user, _find(entries, resend))
                to, subject = one_line(entry.recipient), one_line(entry.subject)
                say(f"queued again: mail to {to} ({subject})")
            elif cancel is not None:
                entry = cancel_mail(context, runtime.user, _find(entries, cancel))
                to, subject = one_line(entry.recipient), one_line(entry.subject)
                say(f"cancelled: mail to {to} ({subject})")
            return
        entries = list_outbox(
            context, None if show_all else ("queued", "sending", "retrying", "failed", "unknown")
        )
        if as_json:
            emit_json([entry_json(e) for e in entries])
            return
        if not entries:
            say("(outbox empty)")
            return
        for e in entries:
            when = e.send_after.strftime("%H:%M:%S") if e.state in ("queued", "retrying") else ""
            say(
                f"{str(e.id)[:8]}  {e.case or '(agent)'}  {e.state:<8}  {e.attempts:>2}  "
                f"{when:<8}  "
                f"{one_line(e.recipient, 30)}  {one_line(e.subject, 50)}"
            )
            if e.error:
                say(f"          {one_line(e.error, 110)}")
