"""What a command runs against: database, acting user, settings — resolved lazily.

Read commands (`case list`, `case show`) must start fast: they touch neither the config
file (unless needed for the database or user) nor SQLAlchemy. Write commands build a
services Context, which brings the schema to head and seeds configured people into a
database without users — each only when needed, so a start on a current database
(`helpdesk sync --once` with nothing new) never imports SQLAlchemy.
"""

import getpass
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import datetime
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import platformdirs

from helpdesk_tui.domain.enums import Role
from helpdesk_tui.domain.errors import NotFoundError, PermissionDeniedError
from helpdesk_tui.domain.policy import Policy
from helpdesk_tui.services.context import ActingFor, utc_now
from helpdesk_tui.storage.location import (
    PRIVATE,
    SHARED_GROUP,
    DatabaseLocation,
    FileModes,
    check_sqlite_file,
    create_sqlite_file,
    creation_lock,
    locate,
    no_database,
    probe_sqlite_file,
)
from helpdesk_tui.storage.reads import ReadStore, open_reads
from helpdesk_tui.storage.schema import SCHEMA_HEAD

if TYPE_CHECKING:
    from helpdesk_tui.config import Settings
    from helpdesk_tui.services.context import Context
    from helpdesk_tui.services.people import AgentSpec, GroupSpec
    from helpdesk_tui.storage.pgroles import LoginIdentity

APP_NAME = "helpdesk-tui"
#: Environment variables of settings start with this (pydantic-settings, any case).
ENV_PREFIX = "HELPDESK_"
#: Variables with that prefix that are command-line options, not settings.
OPTION_VARIABLES = frozenset({"HELPDESK_DB", "HELPDESK_CONFIG"})


def default_config_path() -> Path:
    """`config.toml` in the platform's user config directory."""
    return Path(platformdirs.user_config_dir(APP_NAME)) / "config.toml"


def default_database_path() -> Path:
    """`helpdesk.sqlite` in the platform's user data directory (TEAM-1)."""
    return Path(platformdirs.user_data_dir(APP_NAME)) / "helpdesk.sqlite"


@dataclass
class Options:
    """The global options as given (None = not given)."""

    db: str | None = None
    as_user: str | None = None
    config: Path | None = None


class Runtime:
    """Lazily resolved wiring for one command."""

    def __init__(self, options: Options) -> None:
        self.options = options
        #: The command's clock, the one its Context runs on (HELPDESK_NOW: `utc_now`).
        self.clock: Callable[[], datetime] = utc_now
        #: Only `init` (through `creating`) may create a database; others refuse a missing one.
        self.creates_database = False
        #: PostgreSQL: set by `user` when an admin acts as someone else (TEAM-4).
        self.acting_for: ActingFor | None = None
        #: PostgreSQL `init`: what making the owner's login the first admin did, to say.
        self.owner_claim: str | None = None

    @cached_property
    def config_path(self) -> Path:
        """The config file in use (it may not exist: then built-in defaults apply)."""
        return self.options.config or default_config_path()

    @cached_property
    def uses_defaults(self) -> bool:
        """No config file and no `HELPDESK_*` setting: the settings are the built-in ones.

        Then `location`, `user`, `context` and the TUI start need not load them (pydantic
        costs ~0.15–0.3 s to import); `settings` still loads them on demand. HELPDESK_DB
        and HELPDESK_CONFIG are options of the command line, not settings.
        """
        if self.config_path.exists():
            return False
        return not any(
            name.upper().startswith(ENV_PREFIX) and name.upper() not in OPTION_VARIABLES
            for name in os.environ
        )

    @cached_property
    def settings(self) -> "Settings":
        """The validated settings (raises ConfigError)."""
        from helpdesk_tui.config_loading import load_settings  # lazy: pydantic is slow

        return load_settings(self.config_path)

    @cached_property
    def location(self) -> DatabaseLocation:
        """`--db` / HELPDESK_DB, else the config's `database`, else the default file.

        PostgreSQL: the login's password comes from `[storage] password_command` or
        `keyring_service` (TEAM-4, SEC-1), else libpq finds it (~/.pgpass) or uses the
        client certificate the URL names (sslcert/sslkey); never from the config file.
        """
        configured = None if self.uses_defaults else self.settings.database
        db = self.options.db or configured or str(default_database_path())
        location = locate(db)
        if location.is_sqlite or self.uses_defaults:
            return location
        storage = self.settings.storage
        if storage.password_command is None and storage.keyring_service is None:
            return location
        from helpdesk_tui.mail.credentials import resolve_password

        password = resolve_password(
            password_command=storage.password_command,
            keyring_service=storage.keyring_service,
            username=urlsplit(location.url).username or getpass.getuser(),
            what="database login",
        )
        return replace(location, password=password)

    @property
    def file_modes(self) -> FileModes:
        """SEC-6: private (0600/0700), or shared with the group if the config says so."""
        shared = not self.uses_defaults and self.settings.storage.shared_group
        return SHARED_GROUP if shared else PRIVATE

    @contextmanager
    def creating(self) -> Iterator[None]:
        """For `helpdesk init`: create the SQLite file (with `file_modes`) and hold a lock
        while it is migrated and seeded, so parallel first inits queue instead of racing."""
        self.creates_database = True
        if not self.location.is_sqlite:
            yield  # PostgreSQL: the migration takes an advisory lock
            return
        path = self.location.sqlite_path
        create_sqlite_file(path, self.file_modes)
        with creation_lock(path):
            yield

    def _no_schema(self) -> Exception:
        """What to raise when the read path found no schema: SQLite's own error if the
        file could not be read at all (full disk, read-only mount), else 'no database'."""
        if self.location.is_sqlite:
            probe_sqlite_file(self.location.sqlite_path)  # raises the real cause
        return no_database(self.location)

    def _check_database(self) -> None:
        """Refuse a SQLite file that is missing, empty, a directory or no SQLite at all
        before anything opens it (SQLite would create it, and its folders)."""
        if self.location.is_sqlite and not self.creates_database:
            check_sqlite_file(self.location.sqlite_path)
        elif not self.location.is_sqlite and not self.creates_database:
            self.user  # noqa: B018  (a login that is nobody learns it first, TEAM-4)

    def _requested_user(self) -> str | None:
        """`--as` / HELPDESK_USER, else the config's `user` (None: neither is given)."""
        configured = None if self.uses_defaults else self.settings.user
        name = self.options.as_user or configured
        return name.strip().lower() if name and name.strip() else None

    @cached_property
    def identity(self) -> "LoginIdentity | None":
        """PostgreSQL: the connection's login, its agent and whether it owns the schema
        (TEAM-4); None on SQLite, where the OS account is the boundary."""
        if self.location.is_sqlite:
            return None
        import psycopg  # lazy import: team mode only

        from helpdesk_tui.storage.pgroles import identify

        with psycopg.connect(
            self.location.libpq_url, autocommit=True, password=self.location.password
        ) as connection:
            return identify(connection)

    @cached_property
    def user(self) -> str:
        """SQLite: `--as` / HELPDESK_USER, else the config's `user`, else the OS login name.

        PostgreSQL (TEAM-4): the agent whose `db_login` is the connection's login (or,
        for an agent without a login yet, the agent named like the login). Another name
        through `--as` / HELPDESK_USER / config `user` only for an admin's login (or the
        schema owner's): then `acting_for` records "bob as alice" in the audit log.
        """
        requested = self._requested_user()
        identity = self.identity
        if identity is None:
            return requested or getpass.getuser().strip().lower()
        own = identity.username
        if own is not None and requested in (None, own):
            return own
        admin = own is not None and identity.active and identity.role == Role.ADMIN.value
        if requested is not None and (admin or identity.owner):
            self.acting_for = ActingFor(own, identity.login)
            return requested
        if own is None:
            raise NotFoundError(
                f"database login {identity.login!r} is no helpdesk user: an admin runs "
                f"helpdesk user add NAME --db-login {identity.login}"
            )
        raise PermissionDeniedError(
            f"{own} (database login {identity.login!r}) cannot act as {requested!r}: "
            "on a shared database only admins use --as"
        )

    @cached_property
    def context(self) -> "Context":
        """A services Context on an up-to-date schema; configured people seed an empty one.

        The migration runs only when the schema is behind. Configured `[[users]]` and
        `[[groups]]` are written only into a database without users (SEC-6): after that the
        database decides who is who, and `config check` reports where the config differs.
        Both checks run on the plain read path, so a start on a current database never
        imports Alembic or SQLAlchemy.
        """
        from helpdesk_tui.services.context import Context  # lazy import: keeps starts fast

        self._check_database()
        # The built-in settings have the default policy and no people to seed.
        policy = Policy() if self.uses_defaults else self.settings.policy()
        context = Context(self.location, policy=policy, clock=self.clock)
        people = None
        if not self.uses_defaults and self.settings.users:
            people = people_specs(self.settings)
        with open_reads(self.location) as store:
            revision = store.schema_revision()
            empty = revision is None or not store.people.has_agents()
        if revision is None and not self.creates_database:
            raise self._no_schema()
        if revision != SCHEMA_HEAD and self.identity is not None and not self.identity.owner:
            # Migrations run as the owner role only: no other login attempts DDL.
            raise PermissionDeniedError(
                f"schema is at {revision}, head is {SCHEMA_HEAD}: "
                "ask the owner to run helpdesk init"
            )
        if revision != SCHEMA_HEAD:
            if self.location.is_sqlite and not self.creates_database:
                with creation_lock(self.location.sqlite_path):  # `creating` holds it already
                    context.migrate()
            else:
                context.migrate()
        if people is not None and empty:
            from helpdesk_tui.services.people import seed_people

            # Only `init` creates a database: its user is the admin if the config names none.
            seed_people(context, *people, source="config", first_admin=self._first_admin())
        if self.creates_database and self.identity is not None:
            self._claim_owner(context)
        if self.location.is_sqlite:
            return context
        self.user  # noqa: B018  (on PostgreSQL: who acts, and for whom)
        context.acting_for = self.acting_for
        return context

    def _first_admin(self) -> str:
        """Who `init` makes the first admin when the config names none."""
        if self.identity is None:
            return self.user
        return self._requested_user() or self.identity.login.lower()

    def _claim_owner(self, context: "Context") -> None:
        """PostgreSQL `init` by the schema owner: its login is the first admin (TEAM-4)."""
        from helpdesk_tui.services.people import claim_owner
        from helpdesk_tui.storage.pgroles import LoginIdentity

        self.__dict__.pop("identity", None)  # the schema (and maybe agents) exist now
        identity: LoginIdentity | None = self.identity
        if identity is None or not identity.owner or identity.username is not None:
            return
        self.owner_claim = claim_owner(context, self._first_admin(), identity.login)
        self.__dict__.pop("identity", None)

    @contextmanager
    def reads(self) -> Iterator[ReadStore]:
        """A read store on an up-to-date schema; the acting user must exist."""
        self._check_database()
        with open_reads(self.location) as store:
            revision = store.schema_revision()
            if revision is None and not self.creates_database:
                raise self._no_schema()
            if revision != SCHEMA_HEAD:
                self.context  # noqa: B018  (migrates as a side effect)
            if not store.people.agent_exists(self.user):
                raise NotFoundError(f"unknown user {self.user!r}")
            yield store


def people_specs(settings: "Settings") -> tuple[list["AgentSpec"], list["GroupSpec"]]:
    """Configured users and groups as service inputs."""
    from helpdesk_tui.services.people import AgentSpec, GroupSpec

    agents = [AgentSpec(u.username, u.name, u.email, Role(u.role)) for u in settings.users]
    groups = [GroupSpec(g.name, g.title, g.lead, tuple(g.members)) for g in settings.groups]
    return agents, groups
