"""`helpdesk demo`: the demo database, with mail that goes nowhere but a local Maildir.

Next to the demo database `DIR/NAME.sqlite` the command writes `DIR/NAME-config.toml`
(its first line marks it as the demo's) with `[smtp] transport = "maildir"`, so `M`, `U`,
closing mail and bulk replies — in the TUI and with the CLI — end up as files in the
Maildir `DIR/NAME-sent/` instead of at a server. The demo never uses the config's own
`[smtp]` or mail accounts: its contacts' addresses are made up.

Without `--db` the demo lives in a temporary folder that is removed when the TUI ends
(`--no-tui` keeps it: the summary names it). `--reset` replaces an earlier demo at the
same path (only one this command made), which is how `make demo` re-seeds `.demo/`.
"""

import json
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from helpdesk_tui.cli.errors import refusals
from helpdesk_tui.cli.output import emit_json, fail, note, say
from helpdesk_tui.cli.runtime import Runtime
from helpdesk_tui.storage.location import DatabaseLocation, create_sqlite_file, locate

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from helpdesk_tui.config import Settings
    from helpdesk_tui.domain.policy import CaseType
    from helpdesk_tui.services.context import Context
    from helpdesk_tui.sync.sender import MailSender

#: The agent the demo TUI acts as (one of sample_data's agents).
DEMO_USER = "alice"
#: The first line of the config file the demo writes; `--reset` looks for it.
CONFIG_MARK = "# helpdesk demo:"


@dataclass(frozen=True)
class DemoPlace:
    """Where one demo lives: its database, its Maildir and its config file."""

    location: DatabaseLocation
    maildir: Path
    config: Path | None
    temporary: Path | None = None
    """A folder this run made and removes when the TUI ends."""


def demo_place(location: DatabaseLocation, temporary: Path | None = None) -> DemoPlace:
    """The Maildir and config next to an SQLite database (for a server database, the
    Maildir goes to a new temporary folder and no config is written)."""
    if not location.is_sqlite:
        return DemoPlace(location, Path(tempfile.mkdtemp(prefix="helpdesk-demo-sent-")), None)
    stem = location.sqlite_path.resolve().with_suffix("")
    return DemoPlace(
        location, Path(f"{stem}-sent"), Path(f"{stem}-config.toml"), temporary=temporary
    )


def demo_config_text(place: DemoPlace) -> str:
    """The demo's config file: the demo user, and outgoing mail into the Maildir."""
    from helpdesk_tui.services.demo_mail import DEMO_SENDER

    return (
        f"{CONFIG_MARK} settings for the demo database {place.location.display()}\n"
        "# (written by `helpdesk demo`; use it with HELPDESK_CONFIG or --config)\n"
        f'user = "{DEMO_USER}"\n\n'
        "[smtp]\n"
        'transport = "maildir"          # outgoing mail becomes files in this Maildir\n'
        f"maildir = {json.dumps(str(place.maildir))}\n"
        f"from = {json.dumps(DEMO_SENDER)}\n"
        "undo_seconds = 10\n\n"
        "[notifications]\n"
        'email = "digest"               # each agent\'s notifications, mailed hourly\n\n'
        "[csat]\n"
        "enabled = true                 # the closing mail asks the customer for a rating\n"
    )


def demo_types_text(types: "Sequence[CaseType]") -> str:
    """The demo's case types for its config file (the hardware type has custom fields)."""
    lines = []
    for case_type in types:
        lines += ["", "[[cases.types]]", f"key = {json.dumps(case_type.key)}"]
        lines.append(f"label = {json.dumps(case_type.label)}")
        if case_type.custom_fields:
            lines.append(f"fields = {json.dumps(list(case_type.custom_fields))}")
    return "\n".join(lines) + "\n"


def demo_settings(base: "Settings", place: DemoPlace) -> "Settings":
    """`base` (keys, canned responses) with the demo's Maildir transport, no accounts."""
    from helpdesk_tui.config import MailConfig, NotificationsConfig, SmtpConfig
    from helpdesk_tui.services.demo_mail import DEMO_SENDER

    smtp = SmtpConfig.model_validate(
        {"transport": "maildir", "maildir": str(place.maildir), "from": DEMO_SENDER}
    )
    notifications = NotificationsConfig(email="digest")
    return base.model_copy(
        update={"smtp": smtp, "mail": MailConfig(), "notifications": notifications}
    )


def _reset(place: DemoPlace) -> None:
    """Remove an earlier demo at this place; refuse anything the demo did not make."""
    if not place.location.is_sqlite:
        fail("--reset only works on an SQLite demo database")
    path = place.location.sqlite_path
    if not path.exists():
        return
    config = place.config
    made_by_demo = False
    if config is not None and config.is_file():
        with config.open(encoding="utf-8", errors="replace") as handle:
            made_by_demo = handle.readline().startswith(CONFIG_MARK)
    if not made_by_demo:
        fail(f"{place.location.display()} is not a demo database (no {config}); not replaced")
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    shutil.rmtree(place.maildir, ignore_errors=True)


def demo(
    ctx: typer.Context,
    cases: Annotated[int, typer.Option("--cases", min=0, help="Generated cases to add.")] = 0,
    no_tui: Annotated[bool, typer.Option("--no-tui", help="Seed and summarise only.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Summary as JSON.")] = False,
    db: Annotated[
        str | None, typer.Option("--db", help="Where to create it (same as the global --db).")
    ] = None,
    reset: Annotated[
        bool, typer.Option("--reset", help="Replace an earlier demo at --db (re-seed it).")
    ] = False,
) -> None:
    """A fresh demo database with mail (a temporary folder unless --db is given)."""
    runtime: Runtime = ctx.obj
    target = db or runtime.options.db
    with refusals():
        from helpdesk_tui.services.context import Context
        from helpdesk_tui.services.demo import (
            DEMO_SLA_TOML,
            demo_policy,
            escalate_demo,
            generate_cases,
            seed_demo,
        )

        if target is None:
            folder = Path(tempfile.mkdtemp(prefix="helpdesk-demo-"))
            place = demo_place(locate(str(folder / "demo.sqlite")), temporary=folder)
        else:
            place = demo_place(locate(target))
            if reset:
                _reset(place)
            path = place.location.sqlite_path if place.location.is_sqlite else None
            if path is not None and path.exists() and path.stat().st_size > 0:
                fail(
                    f"{place.location.display()} already exists; demo wants a fresh database"
                    " (--reset replaces an earlier demo)"
                )
        location = place.location
        if location.is_sqlite:
            create_sqlite_file(location.sqlite_path, runtime.file_modes)  # SEC-6
        context = Context(location, policy=demo_policy(runtime.settings.policy()))
        context.migrate()
        summary = seed_demo(context)
        escalate_demo(context)  # a few SLA escalations fired now (issue 15 §4)
        generated = generate_cases(context, cases) if cases else 0
        if place.config is not None:
            config_text = demo_config_text(place) + demo_types_text(context.policy.case_types)
            if runtime.uses_defaults or not runtime.settings.sla.policies:
                config_text += DEMO_SLA_TOML  # the demo's SLA, as seeded (DATE-3)
            place.config.write_text(config_text, encoding="utf-8")
            place.config.chmod(0o600)  # private like the database (SEC-6)
        if as_json:
            emit_json(
                {
                    **summary.as_dict(),
                    "generated": generated,
                    "maildir": str(place.maildir),
                    "config": str(place.config) if place.config else None,
                }
            )
        else:
            for line in summary.lines():
                say(line)
            if generated:
                say(f"generated cases: {generated}")
            say(f"outgoing mail: {place.maildir} (a Maildir; `mutt -f` opens it)")
            prefix = f"HELPDESK_CONFIG={place.config} " if place.config else ""
            say(f"try: {prefix}helpdesk --db {location.display()} case list --view mine")
    if no_tui or as_json:
        context.dispose()  # checkpoints: the demo is one file until the TUI opens it
        return
    try:
        _run_tui(runtime, context, place)
    finally:
        context.dispose()
        if place.temporary is not None:
            shutil.rmtree(place.temporary, ignore_errors=True)
            note(f"removed the demo folder {place.temporary}")
        else:
            note(f"demo kept: {location.display()}; sent mail in {place.maildir}")


def _run_tui(runtime: Runtime, context: "Context", place: DemoPlace) -> None:
    """The TUI as the demo user; replies go out through the Maildir transport."""
    from helpdesk_tui.cli.tui import launch
    from helpdesk_tui.config import canned_responses
    from helpdesk_tui.sync.scheduler import notification_mail
    from helpdesk_tui.sync.sender import mail_out

    settings = demo_settings(runtime.settings, place)

    def mail_sender(on_report: "Callable[[object], None]") -> "MailSender":
        from helpdesk_tui.sync.sender import MailSender  # lazy: in the worker thread

        return MailSender(context, settings, on_report=on_report)

    launch(
        context,
        DEMO_USER,
        keymap=dict(settings.keys),
        canned=canned_responses(settings),
        mail_sender=mail_sender,
        mail_out=mail_out(settings),
        notification_mail=notification_mail(settings),
    )
