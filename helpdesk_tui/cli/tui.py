"""`helpdesk` / `helpdesk tui`: start the Textual app as the acting agent.

Textual is imported only inside `launch`, so `helpdesk case list` never pays for it.
"""

from typing import TYPE_CHECKING

import typer

from helpdesk_tui.cli.errors import refusals
from helpdesk_tui.cli.runtime import Runtime
from helpdesk_tui.domain.templates import CannedResponse

if TYPE_CHECKING:
    from helpdesk_tui.services.context import Context


def tui(ctx: typer.Context) -> None:
    """Start the terminal UI on the configured database (the default without a command)."""
    start(ctx.obj)


def start(runtime: Runtime) -> None:
    """The TUI on the runtime's database, as its acting user."""
    with refusals():
        with runtime.reads():  # migrates if needed; the acting user must exist
            pass
        from helpdesk_tui.config import canned_responses

        settings = runtime.settings
        canned = canned_responses(settings)
        keymap = dict(settings.keys)
        context = runtime.context
    launch(context, runtime.user, keymap=keymap, canned=canned)


def launch(
    context: "Context",
    user: str,
    *,
    keymap: dict[str, str] | None = None,
    canned: tuple[CannedResponse, ...] = (),
) -> None:
    """Run the app until the agent quits."""
    from helpdesk_tui.app import HelpdeskApp  # lazy import: only the TUI needs Textual
    from helpdesk_tui.services.desk import Desk

    HelpdeskApp(Desk(context, user, canned=canned), keymap=keymap).run()
