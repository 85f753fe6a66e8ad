"""`helpdesk attachment list NUMBER [--json]` and `helpdesk attachment save NUMBER
NAME|ID [--to DIR]` (ACT-6): a case's attachments, and one of them written to a folder
byte for byte, under its safe name, never over an existing file."""

from pathlib import Path
from typing import Annotated, Any

import typer

from helpdesk_tui.cli.errors import refusals, typed_values
from helpdesk_tui.cli.output import emit_json, say
from helpdesk_tui.cli.runtime import Runtime
from helpdesk_tui.domain.numbering import CaseNumber, parse_case_number
from helpdesk_tui.domain.safe_text import one_line

app = typer.Typer(help="Attachments of a case: list and save.", no_args_is_help=True)


def _number(text: str) -> CaseNumber:
    with typed_values():
        number = parse_case_number(text)
    return number


def attachment_json(item: Any) -> dict[str, Any]:
    """The attachment shape of CLI.md: `id filename content_type size sha256 mail`."""
    return {
        "id": str(item.id),
        "filename": item.filename,
        "content_type": item.content_type,
        "size": item.size,
        "sha256": item.sha256,
        "mail": str(item.mail_id) if item.mail_id else None,
    }


@app.command("list")
def list_(
    ctx: typer.Context,
    number: Annotated[str, typer.Argument(metavar="NUMBER", help="The case.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON on stdout.")] = False,
) -> None:
    """The attachments of a case's mails, oldest mail first."""
    runtime: Runtime = ctx.obj
    from helpdesk_tui.services import attachments as svc  # lazy: storage loads SQLAlchemy

    with refusals():
        items = svc.list_for_case(runtime.context, _number(number))
    if as_json:
        emit_json([attachment_json(item) for item in items])
        return
    for item in items:
        stored = item.note if item.sha256 is None else ""
        say(
            f"{str(item.id)[:8]}  {svc.size_text(item.size):>10}  "
            f"{one_line(item.content_type, 30):<30}  {one_line(item.filename, 80)}"
            + (f"  ({one_line(stored, 80)})" if stored else "")
        )


@app.command("save")
def save(
    ctx: typer.Context,
    number: Annotated[str, typer.Argument(metavar="NUMBER", help="The case.")],
    which: Annotated[
        str, typer.Argument(metavar="NAME|ID", help="The file name or the attachment's id.")
    ],
    to: Annotated[
        Path | None,
        typer.Option("--to", metavar="DIR", help="The folder (default: the current one)."),
    ] = None,
) -> None:
    """Write one attachment into a folder (never over an existing file); prints its path."""
    runtime: Runtime = ctx.obj
    from helpdesk_tui.services import attachments as svc  # lazy: storage loads SQLAlchemy

    with refusals():
        path = svc.save(runtime.context, _number(number), which, to or Path.cwd())
    say(str(path))
