"""`helpdesk notifications [--unread] [--limit N] [--json]`, `helpdesk notifications read
(ID ... | --all)` and `helpdesk notifications email [off|each|digest|default]`: the acting
agent's notifications (DATE-4), newest first, read marks, and their notification mail."""

import uuid
from typing import Annotated, Any

import typer

from helpdesk_tui.cli.errors import UsageError, refusals
from helpdesk_tui.cli.output import emit_json, say
from helpdesk_tui.cli.runtime import Runtime
from helpdesk_tui.domain.dates import iso_z
from helpdesk_tui.domain.errors import NotFoundError
from helpdesk_tui.domain.safe_text import one_line
from helpdesk_tui.storage.readmodels import NotificationView

#: A shortened id must have at least this many characters (the list shows eight).
MIN_PREFIX = 6

app = typer.Typer(
    help="Your notifications: handovers, changes on your cases, mentions, reminders.",
    invoke_without_command=True,
    no_args_is_help=False,
)


def notification_json(note: NotificationView) -> dict[str, Any]:
    """One notification in the JSON shape of CLI.md."""
    return {
        "id": str(note.id),
        "kind": note.kind,
        "case": str(note.case) if note.case else None,
        "at": iso_z(note.at),
        "by": note.by,
        "text": note.text,
        "read": note.read,
    }


@app.callback()
def notifications(
    ctx: typer.Context,
    unread: Annotated[bool, typer.Option("--unread", help="Only those not read yet.")] = False,
    limit: Annotated[int, typer.Option(min=1, help="At most this many.")] = 200,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON on stdout.")] = False,
) -> None:
    """List your notifications, newest first (`read` marks them read)."""
    if ctx.invoked_subcommand is not None:
        return
    runtime: Runtime = ctx.obj
    with refusals(), runtime.reads() as store:
        notes = store.notifications.of_agent(runtime.user, unread_only=unread, limit=limit)
    if as_json:
        emit_json([notification_json(note) for note in notes])
        return
    if not notes:
        say("(no unread notifications)" if unread else "(no notifications)")
        return
    for note in notes:
        when = note.at.astimezone().strftime("%Y-%m-%d %H:%M")
        mark = " " if note.read else "*"
        case = str(note.case) if note.case else "-"
        say(
            f"{mark} {str(note.id)[:8]}  {when}  {note.kind:<15}  {case:<11}  "
            f"{one_line(note.text, 100)}"
        )


@app.command("read")
def read(
    ctx: typer.Context,
    ids: Annotated[
        list[str] | None, typer.Argument(metavar="ID ...", help="Ids (or their first 8 chars).")
    ] = None,
    mark_all: Annotated[bool, typer.Option("--all", help="Mark every notification read.")] = False,
) -> None:
    """Mark notifications read: the ones named, or all of them."""
    runtime: Runtime = ctx.obj
    with refusals():
        if bool(ids) == mark_all:
            raise UsageError("name notification ids or give --all (not both)")
        from helpdesk_tui.services.notifications import mark_all_read, mark_read  # lazy: ORM

        if mark_all:
            done = mark_all_read(runtime.context, runtime.user)
        else:
            done = mark_read(runtime.context, runtime.user, _resolve(runtime, ids or []))
    say(f"{done} marked read")


@app.command("email")
def email(
    ctx: typer.Context,
    choice: Annotated[
        str | None,
        typer.Argument(
            metavar="[off|each|digest|default]",
            help="Mail each notification, a digest, none; default: as configured.",
        ),
    ] = None,
) -> None:
    """Show or set how your notifications reach you by mail (needs [smtp] and your
    address in the user list); never for your own actions."""
    runtime: Runtime = ctx.obj
    with refusals():
        from helpdesk_tui.domain.notification_mail import (
            MailChoice,
            choice_of,
            describe_choice,
            parse_choice,
        )

        wanted = None if choice is None or choice.strip().lower() == "default" else choice
        chosen = parse_choice(wanted) if wanted is not None else None
        if choice is not None:
            from helpdesk_tui.services.notification_mail import set_choice  # lazy: ORM

            set_choice(runtime.context, runtime.user, chosen)
        with runtime.reads() as store:
            own, address = store.notifications.mail_choice(runtime.user)
        default = (
            MailChoice.OFF
            if runtime.uses_defaults
            else MailChoice(runtime.settings.notifications.email)
        )
        said = describe_choice(
            None if own is None else choice_of(own, default),
            default,
            address=address,
            can_send=not runtime.uses_defaults and runtime.settings.smtp is not None,
        )
        say(said[0])
        for line in said[1:]:
            say(f"  {line}")


def _resolve(runtime: Runtime, given: list[str]) -> list[uuid.UUID]:
    """Full ids as given; a shortened one must name exactly one of the agent's."""
    found: list[uuid.UUID] = []
    mine: list[uuid.UUID] | None = None
    for text in given:
        wanted = text.strip().lower()
        try:
            found.append(uuid.UUID(wanted))
            continue
        except ValueError:
            pass
        if len(wanted) < MIN_PREFIX:
            raise UsageError(f"give at least {MIN_PREFIX} characters of the id {text!r}")
        if mine is None:
            with runtime.reads() as store:
                notes = store.notifications.of_agent(runtime.user, limit=1_000_000)
            mine = [note.id for note in notes]
        matches = [note_id for note_id in mine if str(note_id).startswith(wanted)]
        if not matches:
            raise NotFoundError(f"no notification {text!r}")
        if len(matches) > 1:
            raise UsageError(f"id {text!r} is ambiguous: give more characters")
        found.append(matches[0])
    return found
