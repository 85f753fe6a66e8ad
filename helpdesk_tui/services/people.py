"""Users and groups (SEC-3, SEC-6): seeding an empty database, and the admin commands.

Roles live in the database. Configured `[[users]]`/`[[groups]]` (file or HELPDESK_USERS)
seed a database that has no users yet, once; after that the directory changes only
through `add_user`, `set_role` and `remove_user`, by an admin, each change audited.
A config that disagrees with the database is reported (`people_differences`), never applied.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from helpdesk_tui.domain.enums import Role
from helpdesk_tui.domain.errors import NotFoundError, ValidationError
from helpdesk_tui.domain.people import (
    check_db_login,
    check_display_name,
    check_email,
    check_keeps_an_admin,
    check_username,
    require_admin,
)
from helpdesk_tui.services.context import ActingFor, Context
from helpdesk_tui.storage.peoplereads import DirectoryChange, UserEntry
from helpdesk_tui.storage.reads import ReadStore

if TYPE_CHECKING:
    from collections.abc import Callable
    from datetime import datetime

    from helpdesk_tui.storage.tables import AgentRow
    from helpdesk_tui.storage.uow import UnitOfWork

__all__ = [
    "AgentSpec",
    "DirectoryChange",
    "GroupSpec",
    "UserEntry",
    "add_user",
    "audited_acting_for",
    "claim_owner",
    "directory_log",
    "list_users",
    "people_differences",
    "remove_user",
    "seed_people",
    "set_role",
    "sync_people",
]


@dataclass(frozen=True)
class AgentSpec:
    """An agent to create."""

    username: str
    name: str = ""
    email: str = ""
    role: Role = Role.AGENT


@dataclass(frozen=True)
class GroupSpec:
    """A group to create, with its lead and exact member list."""

    name: str
    title: str = ""
    lead: str | None = None
    members: tuple[str, ...] = ()


# -- seeding -----------------------------------------------------------------------------
def seed_people(
    ctx: Context,
    agents: Iterable[AgentSpec],
    groups: Iterable[GroupSpec],
    *,
    source: str,
    first_admin: str | None = None,
) -> bool:
    """Write these agents and groups into a database that has no users yet; True if it did.

    A database with users is left alone, whatever the config says: otherwise anyone who
    can set HELPDESK_USERS could make themselves admin for everyone (SEC-6). The check and
    the writes share one write transaction, so two first starts cannot both seed. Each
    seeded user is audited (`user.seed`, no actor, `source` says from where).

    A directory needs an admin, or nobody could ever change it: when the agents name
    none and do not list `first_admin` (the person running `init`), that person is added
    as the admin. `has_admin` tells a caller to warn when there still is none.
    """
    with ctx.uow() as uow:
        if uow.directory.agents():
            return False
        agents, groups = _with_admin(list(agents), first_admin), list(groups)
        _write_people(uow, agents, groups)
        now = ctx.clock()
        for agent in agents:
            member_of = sorted(g.name for g in groups if agent.username in g.members)
            changes: dict[str, list[Any]] = {
                "role": [None, agent.role.value],
                "source": [None, source],
            }
            if member_of:
                changes["groups"] = [[], member_of]
            uow.directory.record_change(now, None, "user.seed", agent.username, changes)
        uow.commit()
    return True


def _with_admin(agents: list[AgentSpec], first_admin: str | None) -> list[AgentSpec]:
    """The agents plus `first_admin` as admin, when they name no admin and not that person.

    A person the config lists keeps the role it gives them: the config is explicit.
    """
    if first_admin is None or any(a.role is Role.ADMIN for a in agents):
        return agents
    wanted = first_admin.strip().lower()
    if any(a.username.strip().lower() == wanted for a in agents):
        return agents
    return [*agents, AgentSpec(wanted, role=Role.ADMIN)]


def has_admin(ctx: Context) -> bool:
    """Whether an active admin exists (without one, nobody can manage users)."""
    with ctx.uow(write=False) as uow:
        return any(a.active and a.role == Role.ADMIN.value for a in uow.directory.agents().values())


def sync_people(ctx: Context, agents: Iterable[AgentSpec], groups: Iterable[GroupSpec]) -> None:
    """Write agents and groups as given, unaudited, whatever the database holds.

    For test fixtures and benchmarks that build a known directory. No command and no
    configuration path calls it: they seed (`seed_people`) or go through the admin
    commands below.
    """
    with ctx.uow() as uow:
        _write_people(uow, list(agents), list(groups))
        uow.commit()


def _write_people(uow: "UnitOfWork", agents: list[AgentSpec], groups: list[GroupSpec]) -> None:
    for agent in agents:
        uow.directory.upsert_agent(agent.username, agent.name, agent.email, agent.role)
    for group in groups:
        uow.directory.upsert_group(group.name, group.title, group.lead, group.members)


# -- the admin commands --------------------------------------------------------------------
def add_user(
    ctx: Context,
    acting: str,
    username: str,
    *,
    role: Role = Role.AGENT,
    name: str = "",
    email: str = "",
    groups: Sequence[str] = (),
    db_login: str | None = None,
) -> UserEntry:
    """Create a user (or bring back a removed one with these values); admins only."""
    username = check_username(username)
    name, email = check_display_name(name), check_email(email)
    login = check_db_login(db_login) if db_login is not None else None
    with ctx.uow() as uow:
        require_admin(uow.directory.actor(acting))
        row = uow.directory.agents().get(username)
        if row is not None and row.active:
            raise ValidationError(f"user {username!r} already exists")
        if login is not None:
            holder = uow.directory.login_owner(login)
            if holder is not None and holder != username:
                raise ValidationError(f"database login {login!r} belongs to {holder!r}")
        changes: dict[str, list[Any]] = {}
        if row is None:
            row = uow.directory.create_agent(username, name, email, role, login)
            before: tuple[str, str, str | None, str | None] = ("", "", None, None)
        else:  # removed earlier: the same row comes back, so its history stays one person's
            before = (row.name, row.email, row.role, row.db_login)
            row.name, row.email, row.role, row.db_login = name, email, role.value, login
            row.active = True
            uow.directory.save_agent(row)
            changes["active"] = [False, True]
        for field, old, new in zip(
            ("name", "email", "role", "db_login"),
            before,
            (name, email, role.value, login),
            strict=True,
        ):
            if old != new:
                changes[field] = [old, new]
        if login is not None:  # PostgreSQL: the login and its grants, in this transaction
            uow.directory.grant_login(login, _grants(role))
        old_groups = uow.directory.agent_groups(row.id)
        uow.directory.join_groups(row.id, groups)
        new_groups = uow.directory.agent_groups(row.id)
        if new_groups != old_groups:
            changes["groups"] = [list(old_groups), list(new_groups)]
        uow.directory.record_change(ctx.clock(), acting, "user.add", username, changes)
        entry = _entry(uow, username)
        uow.commit()
    return entry


def set_role(ctx: Context, acting: str, username: str, role: Role) -> tuple[Role, Role]:
    """Change a user's role; admins only, never the last admin's. Returns (old, new)."""
    with ctx.uow() as uow:
        require_admin(uow.directory.actor(acting))
        row = _active_row(uow, username)
        old = Role(row.role)
        if old is role:
            return old, role
        if old is Role.ADMIN:
            check_keeps_an_admin(row.username, uow.directory.active_admins(), removing=False)
        row.role = role.value
        uow.directory.save_agent(row)
        if row.db_login is not None:  # PostgreSQL: admins' logins may manage logins
            uow.directory.grant_login(row.db_login, _grants(role))
        changes: dict[str, list[Any]] = {"role": [old.value, role.value]}
        uow.directory.record_change(ctx.clock(), acting, "user.role", row.username, changes)
        uow.commit()
    return old, role


def remove_user(ctx: Context, acting: str, username: str) -> None:
    """Deactivate a user; admins only, never the last admin.

    The row stays: cases, timelines and the audit name them. A removed user cannot act
    (`--as` is refused) and can be added again later.
    """
    with ctx.uow() as uow:
        require_admin(uow.directory.actor(acting))
        row = _active_row(uow, username)
        if row.role == Role.ADMIN.value:
            check_keeps_an_admin(row.username, uow.directory.active_admins(), removing=True)
        row.active = False
        uow.directory.save_agent(row)
        if row.db_login is not None:  # PostgreSQL: the login keeps no rights
            uow.directory.grant_login(row.db_login, "none")
        changes: dict[str, list[Any]] = {"active": [True, False]}
        uow.directory.record_change(ctx.clock(), acting, "user.remove", row.username, changes)
        uow.commit()


def claim_owner(ctx: Context, username: str, login: str) -> str | None:
    """PostgreSQL `init`: the schema owner's login is the first admin (TEAM-4).

    Unless an agent holds `login` already: the agent `username` gets it (created as an
    admin, or an existing one without a login made admin), audited as `user.owner`.
    Returns what was done, for `init` to say, or None.
    """
    username, login = check_username(username), check_db_login(login)
    with ctx.uow() as uow:
        if uow.directory.login_owner(login) is not None:
            return None
        row = uow.directory.agents().get(username)
        changes: dict[str, list[Any]] = {"db_login": [None, login]}
        if row is None:
            uow.directory.create_agent(username, "", "", Role.ADMIN, login)
            changes["role"] = [None, Role.ADMIN.value]
            said = f"created admin user {username!r} for the database login {login!r}"
        elif row.db_login is None:
            if row.role != Role.ADMIN.value:
                changes["role"] = [row.role, Role.ADMIN.value]
            if not row.active:
                changes["active"] = [False, True]
            row.role, row.db_login, row.active = Role.ADMIN.value, login, True
            uow.directory.save_agent(row)
            said = f"user {username!r} is the admin of the database login {login!r}"
        else:
            raise ValidationError(
                f"user {username!r} has the database login {row.db_login!r}: "
                "run init with --as NAME to name the owner's user"
            )
        uow.directory.record_change(ctx.clock(), None, "user.owner", username, changes)
        uow.commit()
    return said


def audited_acting_for(
    hook: "Callable[[UnitOfWork], None]", acting_for: ActingFor, clock: "Callable[[], datetime]"
) -> "Callable[[UnitOfWork], None]":
    """A unit of work's `before_commit` that also audits "bob as alice" (TEAM-4): one
    `user.as` entry per commit that wrote timelines, naming the cases."""

    def run(uow: "UnitOfWork") -> None:
        events = list(uow.events)
        hook(uow)
        for acting in sorted({e.actor for e in events if e.actor}):
            uow.directory.record_acting_as(
                clock(),
                acting_for.real_user,
                acting_for.login,
                acting,
                [e.case_id for e in events if e.actor == acting],
            )

    return run


def list_users(ctx: Context, acting: str) -> list[UserEntry]:
    """Every user, removed ones included (marked inactive); admins only."""
    with ctx.uow(write=False) as uow:
        require_admin(uow.directory.actor(acting))
        return uow.directory.users()


def directory_log(ctx: Context, acting: str, *, limit: int = 1000) -> list[DirectoryChange]:
    """The audited changes of the directory, oldest first (the newest `limit`); admins only."""
    with ctx.uow(write=False) as uow:
        require_admin(uow.directory.actor(acting))
        return uow.directory.changes(limit)


def _grants(role: Role) -> str:
    """The database grants of a role's login: admins manage logins and users."""
    return "admin" if role is Role.ADMIN else "agent"


def _active_row(uow: "UnitOfWork", username: str) -> "AgentRow":
    row = uow.directory.agents().get(username.strip().lower())
    if row is None or not row.active:
        raise NotFoundError(f"unknown user {username!r}")
    return row


def _entry(uow: "UnitOfWork", username: str) -> UserEntry:
    return next(u for u in uow.directory.users() if u.username == username)


# -- config against the database -------------------------------------------------------------
def people_differences(
    store: ReadStore, agents: Iterable[AgentSpec], groups: Iterable[GroupSpec]
) -> list[str]:
    """How the configured people differ from the database, one line per difference.

    The database wins: `config check` prints these, nothing applies them. Read through
    the plain DB-API store, as starts do. Users and groups the config does not name are
    not compared (a config need not list everyone the admins added).
    """
    lines: list[str] = []
    stored_agents = store.people.agents()
    for agent in agents:
        known = stored_agents.get(agent.username)
        if known is None:
            lines.append(f"user {agent.username!r}: in the config, not in the database")
            continue
        if not known.active:
            lines.append(f"user {agent.username!r}: removed in the database")
        user_fields: tuple[tuple[str, object, object], ...] = (
            ("role", agent.role.value, known.role),
            ("name", agent.name, known.name),
            ("email", agent.email, known.email),
        )
        lines += _differences(f"user {agent.username!r}", user_fields)
    stored_groups = store.people.groups()
    for group in groups:
        entry = stored_groups.get(group.name)
        if entry is None:
            lines.append(f"group {group.name!r}: in the config, not in the database")
            continue
        # Lead and members resolve as the seeding does: trimmed, lower case.
        lead = group.lead.strip().lower() if group.lead else None
        members = sorted({m.strip().lower() for m in group.members})
        group_fields: tuple[tuple[str, object, object], ...] = (
            ("title", group.title, entry.title),
            ("lead", lead, entry.lead),
            ("members", members, sorted(entry.members)),
        )
        lines += _differences(f"group {group.name!r}", group_fields)
    return lines


def _differences(who: str, fields: Iterable[tuple[str, object, object]]) -> list[str]:
    """One line per (field, configured, stored) that differs."""
    return [
        f"{who}: {name} {configured!r} in the config, {stored!r} in the database"
        for name, configured, stored in fields
        if configured != stored
    ]
