"""`helpdesk`: the entry point, global options, and the command groups."""

from pathlib import Path
from typing import Annotated

import typer

from helpdesk_tui.cli import case, mail, outbox, setup, sync, tui, user
from helpdesk_tui.cli.runtime import Options, Runtime

app = typer.Typer(
    name="helpdesk",
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
setup.register(app)
app.command("tui")(tui.tui)
app.command("sync")(sync.sync)
app.command("outbox")(outbox.outbox)


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
