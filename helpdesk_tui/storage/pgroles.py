"""PostgreSQL logins of a shared desk (TEAM-4, SEC-3): who the login is, and its grants.

On a shared database every agent connects as their own login; the helpdesk user is the
agent whose `db_login` is `current_user` (or, for a directory made before logins, the
agent named like the login that has no `db_login` yet). The login that owns the schema
(the one that ran the first `helpdesk init`) migrates; nobody else runs DDL.

Grants go to two group roles per database, `hd_<database>_agent` and `hd_<database>_admin`
(NOLOGIN); `helpdesk user add` makes a LOGIN role that is a member of the first (admins: of
both). What the agent group may do:
- USAGE on the schema, SELECT/INSERT/UPDATE/DELETE on the helpdesk's tables, USAGE on its
  sequences; nothing on other schemas, no CREATE (no DDL);
- `alembic_version`: SELECT only; `secrets`: SELECT, INSERT (created once, never changed);
- `audit_log`: SELECT, INSERT only (an entry can be written, never changed or deleted);
- `agents`: SELECT, and UPDATE of the two settings columns only (notification choice,
  activity marker) — never `role`, `active`, `username`, `db_login`, name or e-mail
  (column privileges: an agent cannot raise its own role).
The admin group adds INSERT and UPDATE of every column of `agents`, and EXECUTE on
`helpdesk_grant_login(login, grants)`, a SECURITY DEFINER function owned by the schema
owner that creates a login and sets its group memberships (admins need no CREATEROLE).

Plain psycopg (the read path's driver): these run on starts, before SQLAlchemy is needed.
"""

from dataclasses import dataclass
from typing import Any

#: Columns of `agents` an agent's login may change: the two settings the app writes for
#: a non-admin (notification mail choice, activity marker). Not name or e-mail (that
#: would redirect someone's notification mail), never role, active, username, db_login.
SELF_COLUMNS = ("activity_seen_at", "notify_email")
#: Tables with fewer privileges than SELECT/INSERT/UPDATE/DELETE for the agent group.
TABLE_PRIVILEGES = {
    "alembic_version": "SELECT",
    "secrets": "SELECT, INSERT",
    "audit_log": "SELECT, INSERT",
    "agents": "SELECT",
}
GRANT_FUNCTION = "helpdesk_grant_login"


@dataclass(frozen=True)
class LoginIdentity:
    """The connection's login and the agent it is."""

    login: str
    username: str | None
    role: str | None
    active: bool
    owner: bool
    """Whether the login may migrate: it owns the schema (or no schema exists yet)."""


def group_roles(database: str) -> tuple[str, str]:
    """The agent and admin group roles of a database (63 bytes at most each)."""
    return f"hd_{database}"[:57] + "_agent", f"hd_{database}"[:57] + "_admin"


def identify(connection: Any) -> LoginIdentity:
    """Who this connection's login is: its agent (by `db_login`, else by username equal to
    the login when that agent has no login yet) and whether it owns the schema."""
    login, owner = connection.execute(
        "SELECT current_user::text, COALESCE(("
        "  SELECT pg_has_role(current_user, relowner, 'MEMBER') FROM pg_class"
        "  WHERE oid = to_regclass('alembic_version')), true)"
    ).fetchone()
    found = None
    readable = connection.execute(
        "SELECT COALESCE(has_table_privilege(to_regclass('agents'), 'SELECT'), false)"
    ).fetchone()[0]
    if readable:  # a login without the helpdesk's grants cannot even read who is who
        found = connection.execute(
            "SELECT username, role, active FROM agents WHERE db_login = %s", (login,)
        ).fetchone()
        if found is None:
            found = connection.execute(
                "SELECT username, role, active FROM agents "
                "WHERE username = %s AND db_login IS NULL",
                (login.lower(),),
            ).fetchone()
    if found is None:
        return LoginIdentity(login, None, None, False, bool(owner))
    return LoginIdentity(login, found[0], found[1], bool(found[2]), bool(owner))


def ensure_grants(connection: Any) -> tuple[str, str] | None:
    """Make the group roles and give them exactly the helpdesk's privileges (the owner
    runs this after each migration: new tables get theirs). Returns (agent, admin) groups,
    or None when the owner may not create roles (CREATEROLE) and they do not exist yet.

    Every table's privileges are revoked from the groups first, so what they hold is
    what this function says, whatever an earlier version granted.
    """
    from psycopg import sql

    database, schema = connection.execute("SELECT current_database(), current_schema()").fetchone()
    agent, admin = group_roles(database)
    ident = sql.Identifier
    missing = [
        role
        for role in (agent, admin)
        if connection.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (role,)).fetchone()
        is None
    ]
    if missing and not _may_create_roles(connection):
        return None  # one login for everyone, as before team mode: nothing to grant
    for role in missing:
        connection.execute(sql.SQL("CREATE ROLE {} NOLOGIN").format(ident(role)))
    connection.execute(sql.SQL("GRANT {} TO {}").format(ident(agent), ident(admin)))
    groups = sql.SQL("{}, {}").format(ident(agent), ident(admin))
    on_schema = ident(schema)
    connection.execute(
        sql.SQL("REVOKE ALL ON ALL TABLES IN SCHEMA {} FROM {}").format(on_schema, groups)
    )
    connection.execute(sql.SQL("GRANT USAGE ON SCHEMA {} TO {}").format(on_schema, ident(agent)))
    tables = [
        row[0]
        for row in connection.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = %s", (schema,)
        )
    ]
    for name in tables:
        privileges = TABLE_PRIVILEGES.get(name, "SELECT, INSERT, UPDATE, DELETE")
        connection.execute(
            sql.SQL("GRANT " + privileges + " ON {}.{} TO {}").format(
                on_schema, ident(name), ident(agent)
            )
        )
    if "agents" in tables:
        columns = {
            row[0]
            for row in connection.execute(
                "SELECT column_name FROM information_schema.columns "
                "WHERE table_schema = %s AND table_name = 'agents'",
                (schema,),
            )
        }
        own = sql.SQL(", ").join(ident(c) for c in SELF_COLUMNS if c in columns)
        connection.execute(
            sql.SQL("GRANT UPDATE ({}) ON {}.agents TO {}").format(own, on_schema, ident(agent))
        )
        connection.execute(
            sql.SQL("GRANT INSERT, UPDATE ON {}.agents TO {}").format(on_schema, ident(admin))
        )
    connection.execute(
        sql.SQL("GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {} TO {}").format(
            on_schema, ident(agent)
        )
    )
    _grant_function(connection, schema, agent, admin)
    return agent, admin


def _may_create_roles(connection: Any) -> bool:
    row = connection.execute(
        "SELECT rolcreaterole OR rolsuper FROM pg_roles WHERE rolname = current_user"
    ).fetchone()
    return bool(row and row[0])


def _grant_function(connection: Any, schema: str, agent: str, admin: str) -> None:
    """`helpdesk_grant_login(login, grants)`: as the owner, create the login if missing and
    make it a member of the agent group (`agent`), of both (`admin`), or of none (`none`:
    a removed user's login keeps no rights; the role itself stays). Only a session
    whose login is an active admin agent (or the owner) may run it; an admin demoting
    themselves (their row already says so in this transaction) may drop their own rights."""
    from psycopg import sql

    body = sql.SQL(
        """
CREATE OR REPLACE FUNCTION {schema}.{name}(login text, grants text) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = {schema}, pg_temp AS $fn$
BEGIN
  IF grants NOT IN ('agent', 'admin', 'none') THEN
    RAISE EXCEPTION 'grants must be agent, admin or none';
  END IF;
  IF NOT (
    EXISTS (SELECT 1 FROM {schema}.agents a
            WHERE a.db_login = session_user AND a.role = 'admin' AND a.active)
    OR (login = session_user AND grants <> 'admin')  -- giving up one's own rights
    OR pg_has_role(session_user,
                   (SELECT relowner FROM pg_class WHERE oid = {version}::regclass), 'MEMBER')
  ) THEN
    RAISE EXCEPTION 'only an admin may manage database logins';
  END IF;
  IF grants = 'none' THEN
    EXECUTE format('REVOKE %I FROM %I', {admin}, login);
    EXECUTE format('REVOKE %I FROM %I', {agent}, login);
    RETURN;
  END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = login) THEN
    EXECUTE format('CREATE ROLE %I LOGIN', login);
  END IF;
  EXECUTE format('GRANT %I TO %I', {agent}, login);
  IF grants = 'admin' THEN
    EXECUTE format('GRANT %I TO %I', {admin}, login);
  ELSE
    EXECUTE format('REVOKE %I FROM %I', {admin}, login);
  END IF;
END
$fn$"""
    ).format(
        schema=sql.Identifier(schema),
        name=sql.Identifier(GRANT_FUNCTION),
        version=sql.Literal(f"{schema}.alembic_version"),
        agent=sql.Literal(agent),
        admin=sql.Literal(admin),
    )
    connection.execute(body)
    function = sql.SQL("{}.{}(text, text)").format(
        sql.Identifier(schema), sql.Identifier(GRANT_FUNCTION)
    )
    connection.execute(sql.SQL("REVOKE ALL ON FUNCTION {} FROM PUBLIC").format(function))
    connection.execute(
        sql.SQL("GRANT EXECUTE ON FUNCTION {} TO {}").format(function, sql.Identifier(admin))
    )
