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
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

import platformdirs

from helpdesk_tui.domain.errors import NotFoundError
from helpdesk_tui.domain.policy import Policy
from helpdesk_tui.services.context import utc_now
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
        """`--db` / HELPDESK_DB, else the config's `database`, else the default file."""
        configured = None if self.uses_defaults else self.settings.database
        db = self.options.db or configured or str(default_database_path())
        return locate(db)

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

    @cached_property
    def user(self) -> str:
        """`--as` / HELPDESK_USER, else the config's `user`, else the OS login name."""
        configured = None if self.uses_defaults else self.settings.user
        name = self.options.as_user or configured or getpass.getuser()
        return name.strip().lower()

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
        if revision != SCHEMA_HEAD:
            if self.location.is_sqlite and not self.creates_database:
                with creation_lock(self.location.sqlite_path):  # `creating` holds it already
                    context.migrate()
            else:
                context.migrate()
        if people is not None and empty:
            from helpdesk_tui.services.people import seed_people

            # Only `init` creates a database: its user is the admin if the config names none.
            seed_people(context, *people, source="config", first_admin=self.user)
        return context

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
    from helpdesk_tui.domain.enums import Role
    from helpdesk_tui.services.people import AgentSpec, GroupSpec

    agents = [AgentSpec(u.username, u.name, u.email, Role(u.role)) for u in settings.users]
    groups = [GroupSpec(g.name, g.title, g.lead, tuple(g.members)) for g in settings.groups]
    return agents, groups
