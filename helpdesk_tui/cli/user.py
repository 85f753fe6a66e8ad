"""`helpdesk user add|role|remove|list|log`: the directory, changed by admins only (SEC-6).

Roles live in the database; the config seeds an empty one only. Every change here is
audited (`helpdesk user log`).
"""

from typing import TYPE_CHECKING, Annotated, Any

import typer

from helpdesk_tui.cli.errors import refusals, typed_values
from helpdesk_tui.cli.output import emit_json, say
from helpdesk_tui.cli.runtime import Runtime
from helpdesk_tui.domain.dates import iso_z
from helpdesk_tui.domain.safe_text import one_line

if TYPE_CHECKING:
    from helpdesk_tui.domain.enums import Role
    from helpdesk_tui.services.people import DirectoryChange, UserEntry

app = typer.Typer(help="Users and roles (admins only).", no_args_is_help=True)

Json = Annotated[bool, typer.Option("--json", help="Print JSON on stdout.")]


def _role(text: str) -> "Role":
    from helpdesk_tui.domain.people import parse_role

    with typed_values():
        role = parse_role(text)
    return role


def user_json(user: "UserEntry") -> dict[str, Any]:
    """A user as JSON."""
    return {
        "username": user.username,
        "name": user.name,
        "email": user.email,
        "role": user.role,
        "active": user.active,
        "groups": list(user.groups),
        "db_login": user.db_login,
    }


def change_json(change: "DirectoryChange") -> dict[str, Any]:
    """An audited directory change as JSON (`changes`: field → [old, new])."""
    return {
        "at": iso_z(change.at),
        "actor": change.actor,
        "action": change.action,
        "user": change.user,
        "changes": change.changes,
    }


@app.command("add")
def add(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(metavar="NAME", help="The username (a-z 0-9 . _ -).")],
    role: Annotated[str, typer.Option("--role", help="agent, lead or admin.")] = "agent",
    email: Annotated[str, typer.Option("--email", help="Address for notifications.")] = "",
    full_name: Annotated[str, typer.Option("--name", help="Display name.")] = "",
    groups: Annotated[str, typer.Option("--groups", help="Groups to join: G,...")] = "",
    db_login: Annotated[
        str | None, typer.Option("--db-login", help="Database login on a shared database.")
    ] = None,
) -> None:
    """Add a user (or bring back a removed one)."""
    runtime: Runtime = ctx.obj
    with refusals():
        wanted = _role(role)
        from helpdesk_tui.services.people import add_user

        user = add_user(
            runtime.context,
            runtime.user,
            name,
            role=wanted,
            name=full_name,
            email=email,
            groups=[g for g in (part.strip() for part in groups.split(",")) if g],
            db_login=db_login,
        )
        joined = f" in {', '.join(user.groups)}" if user.groups else ""
        say(f"added user {user.username!r} ({user.role}){joined}")


@app.command("role")
def role(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(metavar="NAME")],
    new_role: Annotated[str, typer.Argument(metavar="ROLE", help="agent, lead or admin.")],
) -> None:
    """Change a user's role."""
    runtime: Runtime = ctx.obj
    with refusals():
        wanted = _role(new_role)
        from helpdesk_tui.services.people import set_role

        old, new = set_role(runtime.context, runtime.user, name, wanted)
        username = name.strip().lower()
        if old is new:
            say(f"{username} is {new} already")
        else:
            say(f"{username}: {old} → {new}")


@app.command("remove")
def remove(ctx: typer.Context, name: Annotated[str, typer.Argument(metavar="NAME")]) -> None:
    """Deactivate a user: they can no longer act; their cases and history stay."""
    runtime: Runtime = ctx.obj
    with refusals():
        from helpdesk_tui.services.people import remove_user

        remove_user(runtime.context, runtime.user, name)
        say(f"removed user {name.strip().lower()!r} (deactivated; cases and history stay)")


@app.command("list")
def list_users(ctx: typer.Context, as_json: Json = False) -> None:
    """Every user with role, groups and whether active."""
    runtime: Runtime = ctx.obj
    with refusals():
        from helpdesk_tui.services.people import list_users as users_of

        users = users_of(runtime.context, runtime.user)
        if as_json:
            emit_json([user_json(u) for u in users])
            return
        for u in users:
            state = "" if u.active else "  (removed)"
            say(
                f"{u.username:<16} {u.role:<6} {one_line(u.name, 30):<30} "
                f"{one_line(u.email, 40):<40} {','.join(u.groups)}{state}".rstrip()
            )


@app.command("log")
def log(
    ctx: typer.Context,
    limit: Annotated[int, typer.Option("--limit", min=1, max=100_000)] = 100,
    as_json: Json = False,
) -> None:
    """Who changed which user, when, and what changed (oldest of the newest first)."""
    runtime: Runtime = ctx.obj
    with refusals():
        from helpdesk_tui.services.people import directory_log

        changes = directory_log(runtime.context, runtime.user, limit=limit)
        if as_json:
            emit_json([change_json(c) for c in changes])
            return
        for c in changes:
            what = ", ".join(
                f"{field} {old!r} → {new!r}" for field, (old, new) in c.changes.items()
            )
            login = c.changes.get("login", [None, None])[1] if c.action == "user.as" else None
            by = c.actor or (f"login {login}" if login else "(seeded)")  # the owner's login
            say(one_line(f"{iso_z(c.at)}  {by:<16} {c.action:<12} {c.user:<16} {what}"))
