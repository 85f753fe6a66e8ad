"""Schema migrations (OPS-2): `helpdesk init` and every start bring the schema to head."""

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

MIGRATIONS = Path(__file__).parent / "migrations"
#: PostgreSQL advisory lock key held while migrating ("hdmigrat" as a number).
_MIGRATION_LOCK = 0x68646D6967726174


def _config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def upgrade(engine: Engine) -> None:
    """Create or upgrade the schema to the newest revision."""
    config = _config()
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            # Parallel first starts queue here instead of racing the DDL; the lock ends
            # with the transaction. (SQLite: the CLI holds a file lock around this.)
            connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_MIGRATION_LOCK})")
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
        if connection.dialect.name == "postgresql":
            from helpdesk_tui.storage.pgroles import ensure_grants

            # The owner (only it migrates) gives the agents' logins their grants (TEAM-4).
            ensure_grants(connection.connection.driver_connection)


def head_revision() -> str:
    """The newest revision in the migrations folder."""
    head = ScriptDirectory.from_config(_config()).get_current_head()
    assert head is not None
    return head
