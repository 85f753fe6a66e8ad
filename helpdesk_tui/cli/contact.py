"""`helpdesk contact show EMAIL [--json]`: one customer (VIEW-4) — the contact with its
account and class, its cases (open first) and its recent mail; what the TUI's customer
view (`C`) shows, and what a GDPR Art. 15 request starts from."""

from typing import Annotated, Any

import typer

from helpdesk_tui.cli.errors import refusals
from helpdesk_tui.cli.mail_shapes import mail_json
from helpdesk_tui.cli.output import case_json, emit_json, say
from helpdesk_tui.cli.runtime import Runtime
from helpdesk_tui.domain.errors import NotFoundError
from helpdesk_tui.domain.safe_text import one_line
from helpdesk_tui.domain.timespent import format_time_spent
from helpdesk_tui.storage.contactreads import ContactCard
from helpdesk_tui.storage.readmodels import MailListItem

app = typer.Typer(help="Customers: a contact with its cases and mail.", no_args_is_help=True)

#: Recent mails `contact show` lists.
RECENT_MAILS = 50


def contact_json(
    card: ContactCard, mails: list[MailListItem], attachments: dict[Any, list[dict[str, Any]]]
) -> dict[str, Any]:
    """The contact shape of CLI.md: `email name phone account class cases mails`."""
    return {
        "email": card.email,
        "name": card.name,
        "phone": card.phone,
        "account": card.account,
        "class": card.mail_class,
        "cases": [case_json(case) for case in card.cases],
        "mails": [mail_json(m, attachments.get(m.id, [])) for m in mails],
    }


@app.command("show")
def show(
    ctx: typer.Context,
    email: Annotated[str, typer.Argument(metavar="EMAIL", help="The contact's address.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON on stdout.")] = False,
) -> None:
    """A contact: details, its cases (open first) and its recent mail, newest first."""
    runtime: Runtime = ctx.obj
    with refusals():
        with runtime.reads() as store:
            card = store.contacts.card(email)
            if card is None:
                raise NotFoundError(f"no contact {email.strip()}")
        from helpdesk_tui.services.desk import Desk  # lazy: the mail page reads through it

        desk = Desk(runtime.context, runtime.user)
        mails = desk.recent_mail(card.email, RECENT_MAILS)
        with runtime.reads() as store:
            attachments = store.contacts.attachments([m.id for m in mails])
    if as_json:
        emit_json(contact_json(card, mails, attachments))
        return
    say(f"{one_line(card.name) or '—'} <{one_line(card.email)}>")
    say(f"phone:   {one_line(card.phone or '—')}")
    say(f"account: {one_line(card.account or '—')}")
    say(f"class:   {card.mail_class or 'unclassified'}")
    say(f"time:    {format_time_spent(card.time_spent_centi)} h on its cases")
    say(f"cases ({len(card.cases)}{'+' if card.more_cases else ''}):")
    for case in card.cases:
        say(f"  {case.number}  {case.status:<11}  {one_line(case.subject, 60)}")
    say(f"mails ({len(mails)}):")
    for mail in mails:
        when = mail.received_at.astimezone().strftime("%Y-%m-%d %H:%M")
        filed = str(mail.case) if mail.case else "-"
        say(f"  {when}  {mail.mail_class or '-':<11}  {filed:<11}  {one_line(mail.subject, 50)}")
