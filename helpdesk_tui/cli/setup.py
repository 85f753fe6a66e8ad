"""`helpdesk init`, `helpdesk demo`, `helpdesk config check`."""

from typing import TYPE_CHECKING

import typer

from helpdesk_tui.cli.demo import demo
from helpdesk_tui.cli.errors import refusals
from helpdesk_tui.cli.output import note, say
from helpdesk_tui.cli.runtime import Runtime, people_specs
from helpdesk_tui.domain.errors import ConfigError

if TYPE_CHECKING:
    from helpdesk_tui.services.people import AgentSpec, GroupSpec

config_app = typer.Typer(help="Check the configuration.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    """Add the set-up commands to the main app."""
    app.command("init")(init)
    app.command("demo")(demo)  # cli/demo.py
    app.add_typer(config_app, name="config")


def init(ctx: typer.Context) -> None:
    """Create or upgrade the database schema; configured users and groups seed a new one."""
    runtime: Runtime = ctx.obj
    with refusals():
        from helpdesk_tui.domain.enums import Role
        from helpdesk_tui.services.people import AgentSpec, has_admin, seed_people
        from helpdesk_tui.storage.schema import SCHEMA_HEAD

        with runtime.creating():  # private file; parallel inits queue
            context = runtime.context  # migrates; configured people seed an empty database
            if runtime.owner_claim:  # PostgreSQL: the owner's login is the first admin
                say(runtime.owner_claim)
            # A fresh database with no configured people: the person running init becomes
            # its first admin, so the next command has someone to act as.
            admin = [AgentSpec(runtime.user, role=Role.ADMIN)]
            created = seed_people(context, admin, [], source="init")
        if created:
            say(f"created admin user {runtime.user!r}")
        elif not has_admin(context):
            note(
                "warning: no admin in this database, so nobody can add users or change "
                'roles: give one [[users]] role = "admin" before the first init'
            )
        say(f"database ready: {runtime.location.display()} (schema {SCHEMA_HEAD})")


@config_app.command("check")
def check(ctx: typer.Context) -> None:
    """Validate the config file (or the built-in defaults) and summarise it."""
    runtime: Runtime = ctx.obj
    with refusals():
        settings = runtime.settings
        policy = settings.policy()
        people = people_specs(settings)
        path = runtime.config_path
        if settings.keys:
            from helpdesk_tui.cli.key_ids import unknown_ids  # lazy: imports the TUI

            unknown = unknown_ids(dict(settings.keys))
            if unknown:
                raise ConfigError(
                    f"config {path}: keys.{unknown[0]}: unknown key binding id "
                    "(ids look like queue.assign_me or case.reply)"
                )
        source = str(path) if path.exists() else f"built-in defaults (no file at {path})"
        say(f"config ok: {source}")
        say(
            f"  {len(settings.users)} users, {len(settings.groups)} groups, "
            f"{len(policy.case_types)} case types, "
            f"{len(policy.workflow.transitions)} workflow transitions, "
            f"due +{policy.dates.due_days} d, reminder +{policy.dates.reminder_days} d, "
            f"{len(settings.mail.accounts)} mail accounts"
        )
        if people[0] or people[1]:
            for line in _people_against_database(runtime, *people):
                say(line)


def _people_against_database(
    runtime: Runtime, agents: "list[AgentSpec]", groups: "list[GroupSpec]"
) -> list[str]:
    """Where the configured people differ from the database's, one line each (SEC-6).

    Reported, never applied: the config only seeds a database without users. A database
    that does not exist yet is not created here.
    """
    from helpdesk_tui.services.people import people_differences
    from helpdesk_tui.storage.reads import open_reads

    location = runtime.location
    where = f"database {location.display()}"
    if location.is_sqlite and not location.sqlite_path.is_file():
        return [f"{where}: not created yet; the configured users will seed it"]
    with open_reads(location) as store:
        if store.schema_revision() is None or not store.people.has_agents():
            return [f"{where}: no users yet; the configured users will seed it"]
        differences = people_differences(store, agents, groups)
    if not differences:
        return [f"{where}: holds the configured users and groups as configured"]
    return [
        f"{where}: {len(differences)} differences from the config; the database wins "
        "(change users with `helpdesk user`)",
        *(f"  {line}" for line in differences),
    ]
