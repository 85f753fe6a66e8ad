"""`helpdesk` / `helpdesk tui`: start the Textual app as the acting agent.

Textual is imported only inside `launch`, so `helpdesk case list` never pays for it.
"""

from collections.abc import Callable
from typing import TYPE_CHECKING

import typer

from helpdesk_tui.cli.errors import refusals
from helpdesk_tui.cli.runtime import Runtime
from helpdesk_tui.domain.templates import CannedResponse

if TYPE_CHECKING:
    from helpdesk_tui.app import MailPollerFactory, MailSenderFactory
    from helpdesk_tui.config import Settings
    from helpdesk_tui.services.context import Context
    from helpdesk_tui.services.notification_mail import NotificationMail
    from helpdesk_tui.services.outbox import MailOut
    from helpdesk_tui.sync.poller import MailPoller
    from helpdesk_tui.sync.sender import MailSender
    from helpdesk_tui.sync.status import SyncStatus


def tui(ctx: typer.Context) -> None:
    """Start the terminal UI on the configured database (the default without a command)."""
    start(ctx.obj)


def start(runtime: Runtime) -> None:
    """The TUI on the runtime's database, as its acting user."""
    with refusals():
        with runtime.reads():  # migrates if needed; the acting user must exist
            pass
        context = runtime.context
        if runtime.uses_defaults:
            # No config: no key remapping, and the built-in canned responses are only
            # needed for compose, so the app reads them after its first paint.
            launch(context, runtime.user, canned=default_canned)
            return
        from helpdesk_tui.config import canned_responses

        settings = runtime.settings
        canned = canned_responses(settings)
        keymap = dict(settings.keys)
    mail_sync = None
    if settings.mail.accounts:

        def mail_sync(on_status: "Callable[[SyncStatus], None]") -> "MailPoller":
            from helpdesk_tui.sync.poller import MailPoller  # lazy: in the worker thread

            return MailPoller(context, settings, on_status=on_status)

    mail_sender = None
    if settings.smtp is not None:

        def mail_sender(on_report: "Callable[[object], None]") -> "MailSender":
            from helpdesk_tui.sync.sender import MailSender  # lazy: in the worker thread

            return MailSender(context, settings, on_report=on_report)

    launch(
        context,
        runtime.user,
        keymap=keymap,
        canned=canned,
        mail_sync=mail_sync,
        mail_sender=mail_sender,
        mail_out=_mail_out(settings),
        notification_mail=_notification_mail(settings),
    )


def _mail_out(settings: "Settings") -> "MailOut | None":
    from helpdesk_tui.sync.sender import mail_out  # lazy: only with a config

    return mail_out(settings)


def _notification_mail(settings: "Settings") -> "NotificationMail | None":
    from helpdesk_tui.sync.scheduler import notification_mail  # lazy: only with a config

    return notification_mail(settings)


def default_canned() -> tuple[CannedResponse, ...]:
    """The canned responses of the built-in settings (no config file, no environment)."""
    from helpdesk_tui.config import Settings, canned_responses  # lazy import: pydantic

    return canned_responses(Settings.model_construct())


def launch(
    context: "Context",
    user: str,
    *,
    keymap: dict[str, str] | None = None,
    canned: tuple[CannedResponse, ...] | Callable[[], tuple[CannedResponse, ...]] = (),
    mail_sync: "MailPollerFactory | None" = None,
    mail_sender: "MailSenderFactory | None" = None,
    mail_out: "MailOut | None" = None,
    notification_mail: "NotificationMail | None" = None,
) -> None:
    """Run the app until the agent quits (`canned` may be a function reading them)."""
    from helpdesk_tui.app import HelpdeskApp  # lazy import: only the TUI needs Textual
    from helpdesk_tui.services.desk import Desk
    from helpdesk_tui.sync.scheduler import PASS_SECONDS

    if callable(canned):
        desk = Desk(context, user, mail_out=mail_out)
    else:
        desk = Desk(context, user, canned=canned, mail_out=mail_out)
    if notification_mail is not None:
        desk.mail_default = notification_mail.default
    HelpdeskApp(
        desk,
        keymap=keymap,
        load_canned=canned if callable(canned) else None,
        mail_sync=mail_sync,
        mail_sender=mail_sender,
        scheduler_every=PASS_SECONDS,
        notification_mail=notification_mail,
    ).run()
