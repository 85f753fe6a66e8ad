"""`helpdesk`: the entry point, global options, and the command groups."""

from pathlib import Path
from typing import Annotated, Any

import typer
from typer._click import Context as ClickContext  # typer's own click (see cli/errors.py)
from typer.core import TyperGroup

from helpdesk_tui.cli import (
    activity,
    attachment,
    case,
    contact,
    mail,
    notifications,
    outbox,
    report,
    setup,
    sync,
    tui,
    user,
)
from helpdesk_tui.cli.errors import parser_errors, storage_failures
from helpdesk_tui.cli.runtime import Options, Runtime
from helpdesk_tui.storage.location import DatabaseLocation


class _Helpdesk(TyperGroup):
    """The root command: whatever fails ends in one `error:` line (CLI.md) — parser errors
    exit 2 instead of click's usage block, a failing database or disk exits 1."""

    def make_context(
        self,
        info_name: str | None,
        args: list[str],
        parent: ClickContext | None = None,
        **extra: Any,
    ) -> ClickContext:
        with parser_errors():
            return super().make_context(info_name, args, parent, **extra)

    def invoke(self, ctx: ClickContext) -> Any:
        def location() -> DatabaseLocation | None:
            # Only if the command got as far as resolving it (a cached property).
            runtime = ctx.obj
            return vars(runtime).get("location") if isinstance(runtime, Runtime) else None

        with parser_errors(), storage_failures(location):
            return super().invoke(ctx)


app = typer.Typer(
    name="helpdesk",
    cls=_Helpdesk,
    help="A keyboard-driven terminal helpdesk.",
    no_args_is_help=False,
    invoke_without_command=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)
app.add_typer(case.app, name="case")
app.add_typer(mail.app, name="mail")
app.add_typer(user.app, name="user")
app.add_typer(notifications.app, name="notifications")
app.add_typer(contact.app, name="contact")
app.add_typer(attachment.app, name="attachment")
app.add_typer(report.app, name="report")
setup.register(app)
app.command("tui")(tui.tui)
app.command("sync")(sync.sync)
app.command("outbox")(outbox.outbox)
app.command("activity")(activity.activity)


@app.callback()
def main(
    ctx: typer.Context,
    db: Annotated[
        str | None,
        typer.Option("--db", envvar="HELPDESK_DB", help="SQLite path or SQLAlchemy URL."),
    ] = None,
    as_user: Annotated[
        str | None,
        typer.Option("--as", envvar="HELPDESK_USER", help="Acting agent's user name."),
    ] = None,
    config: Annotated[
        Path | None,
        typer.Option("--config", envvar="HELPDESK_CONFIG", help="TOML config file."),
    ] = None,
) -> None:
    """A keyboard-driven terminal helpdesk. Without a command: the TUI."""
    ctx.obj = Runtime(Options(db=db, as_user=as_user, config=config))
    if ctx.invoked_subcommand is None:
        tui.start(ctx.obj)


def run() -> None:
    """Console-script entry point."""
    app()
