"""`helpdesk init`, `helpdesk demo`, `helpdesk config check`."""

import tempfile
from pathlib import Path
from typing import Annotated

import typer

from helpdesk_tui.cli.errors import refusals
from helpdesk_tui.cli.output import emit_json, fail, say
from helpdesk_tui.cli.runtime import Runtime, people_specs
from helpdesk_tui.storage.location import locate

#: The agent the demo TUI acts as (one of sample_data's agents).
DEMO_USER = "alice"

config_app = typer.Typer(help="Check the configuration.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    """Add the set-up commands to the main app."""
    app.command("init")(init)
    app.command("demo")(demo)
    app.add_typer(config_app, name="config")


def init(ctx: typer.Context) -> None:
    """Create or upgrade the database schema; sync configured users and groups."""
    runtime: Runtime = ctx.obj
    with refusals():
        from helpdesk_tui.domain.enums import Role
        from helpdesk_tui.services.people import AgentSpec, sync_people
        from helpdesk_tui.storage.schema import SCHEMA_HEAD

        context = runtime.context  # migrates and syncs
        with context.uow(write=False) as uow:
            empty = not uow.directory.agents()
        if empty:
            # A fresh database with no configured people: the person running init
            # becomes its first admin, so the next command has someone to act as.
            sync_people(context, [AgentSpec(runtime.user, role=Role.ADMIN)], [])
            say(f"created admin user {runtime.user!r}")
        say(f"database ready: {runtime.location.display()} (schema {SCHEMA_HEAD})")


def demo(
    ctx: typer.Context,
    cases: Annotated[int, typer.Option("--cases", min=0, help="Generated cases to add.")] = 0,
    no_tui: Annotated[bool, typer.Option("--no-tui", help="Seed and summarise only.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Summary as JSON.")] = False,
    db: Annotated[
        str | None, typer.Option("--db", help="Where to create it (same as the global --db).")
    ] = None,
) -> None:
    """A fresh demo database (a temporary file unless --db is given)."""
    runtime: Runtime = ctx.obj
    target = db or runtime.options.db
    with refusals():
        from helpdesk_tui.services.context import Context
        from helpdesk_tui.services.demo import generate_cases, seed_demo

        if target is None:
            folder = Path(tempfile.mkdtemp(prefix="helpdesk-demo-"))
            location = locate(str(folder / "demo.sqlite"))
        else:
            location = locate(target)
            path = location.sqlite_path if location.is_sqlite else None
            if path is not None and path.exists() and path.stat().st_size > 0:
                fail(f"{location.display()} already exists; demo wants a fresh database")
        context = Context(location, policy=runtime.settings.policy())
        context.migrate()
        summary = seed_demo(context)
        generated = generate_cases(context, cases) if cases else 0
        if as_json:
            emit_json({**summary.as_dict(), "generated": generated})
        else:
            for line in summary.lines():
                say(line)
            if generated:
                say(f"generated cases: {generated}")
            say(f"try: helpdesk --db {location.display()} --as alice case list --view mine")
    if not no_tui and not as_json:
        from helpdesk_tui.cli.tui import launch
        from helpdesk_tui.config import canned_responses

        settings = runtime.settings
        launch(context, DEMO_USER, keymap=dict(settings.keys), canned=canned_responses(settings))


@config_app.command("check")
def check(ctx: typer.Context) -> None:
    """Validate the config file (or the built-in defaults) and summarise it."""
    runtime: Runtime = ctx.obj
    with refusals():
        settings = runtime.settings
        policy = settings.policy()
        people_specs(settings)
        path = runtime.config_path
        source = str(path) if path.exists() else f"built-in defaults (no file at {path})"
        say(f"config ok: {source}")
        say(
            f"  {len(settings.users)} users, {len(settings.groups)} groups, "
            f"{len(policy.case_types)} case types, "
            f"{len(policy.workflow.transitions)} workflow transitions, "
            f"due +{policy.dates.due_days} d, reminder +{policy.dates.reminder_days} d, "
            f"{len(settings.mail.accounts)} mail accounts"
        )
