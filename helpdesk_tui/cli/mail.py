"""`helpdesk mail …`: look at a mail file the way the sync would file it."""

from pathlib import Path
from typing import Annotated

import typer

from helpdesk_tui.cli.errors import refusals
from helpdesk_tui.cli.output import emit_json, fail, say
from helpdesk_tui.cli.runtime import Runtime
from helpdesk_tui.domain.quoted import text_before_quote
from helpdesk_tui.domain.safe_text import one_line, safe_text

app = typer.Typer(help="Inspect mail.", no_args_is_help=True)

BODY_LINES = 40


@app.command("parse")
def parse_file(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="An .eml file (raw RFC 5322 message).")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON on stdout.")] = False,
    tag_prefix: Annotated[
        str | None,
        typer.Option("--tag-prefix", help='Case tag prefix (default: config, else "#").'),
    ] = None,
) -> None:
    """Parse one mail file: headers, body text, attachments, case tag, defects."""
    from helpdesk_tui.mail.parse import parse, to_json  # lazy: keeps `helpdesk` start fast

    runtime: Runtime = ctx.obj
    try:
        raw = file.read_bytes()
    except OSError as error:
        fail(f"cannot read {file}: {error.strerror or error}")
    with refusals():
        prefix = tag_prefix
        if prefix is None:
            # only a config file that exists is read: `mail parse` needs no set-up
            path = runtime.config_path
            prefix = runtime.settings.mail.case_tag_prefix if path.exists() else "#"
        mail = parse(raw, tag_prefix=prefix)
    if as_json:
        emit_json(to_json(mail))
        return
    sender = f"{one_line(mail.from_name)} <{one_line(mail.from_email)}>".strip()
    fields = [
        ("subject", one_line(mail.subject)),
        ("from", sender),
        ("to", one_line(", ".join(mail.to))),
        ("cc", one_line(", ".join(mail.cc))),
        ("date", mail.date.isoformat() if mail.date else "-"),
        ("message-id", one_line(mail.message_id or "-")),
        ("case", mail.case_number or "-"),
        ("noise", mail.noise or "-"),
        ("size", f"{mail.size:,} bytes"),
    ]
    for name, value in fields:
        say(f"  {name:<11} {value or '-'}")
    for attachment in mail.attachments:
        kind = "inline" if attachment.inline else "attached"
        name = one_line(attachment.filename) or "(no name)"
        kind_of = one_line(attachment.content_type)
        say(f"  {kind:<11} {name}  {kind_of}  {attachment.size:,} bytes")
    for defect in mail.defects:
        say(f"  defect      {one_line(defect)}")
    say("")
    shown = text_before_quote(mail.body_text, mail.quote_start)
    lines = safe_text(shown).rstrip().splitlines()
    for line in lines[:BODY_LINES]:
        say(line)
    if len(lines) > BODY_LINES or mail.quote_start:
        say(f"[… {len(mail.body_text):,} characters in all, quoted history folded]")
