"""The SQLAlchemy engine: SQLite in WAL mode with a busy timeout, or PostgreSQL.

SQLite writers start with `BEGIN IMMEDIATE`: a deferred transaction that reads and then
writes can fail at once with "database is locked" when another process wrote in between
(the busy timeout does not help there). Taking the write lock up front makes concurrent
writers queue instead (ASSIGN-2 across processes).
"""

import sqlite3
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.pool import QueuePool

from helpdesk_tui.storage.location import BUSY_TIMEOUT_MS, DatabaseLocation, create_sqlite_file

WRITE = "hd_write"
#: Page size of a new SQLite database, bytes.
PAGE_SIZE = 8192
#: SQLite page cache per connection, KiB.
CACHE_KIB = 32 * 1024


def make_engine(location: DatabaseLocation) -> Engine:
    """An engine for the location; SQLite gets pragmas and explicit transaction control."""
    if not location.is_sqlite:
        return create_engine(location.url, pool_pre_ping=True, connect_args=location.connect_args)
    if not location.sqlite_path.exists():
        # Private from the first byte (SEC-6): SQLite would create it with the umask's
        # mode; its -wal and -shm files take the database file's mode.
        create_sqlite_file(location.sqlite_path)
    # Pooled connections: closing the last connection of a WAL database checkpoints it
    # (milliseconds per transaction). An idle pooled connection holds no lock in WAL
    # mode, so other processes never wait on it.
    engine = create_engine(
        location.url,
        connect_args={
            "timeout": BUSY_TIMEOUT_MS / 1000,
            "isolation_level": None,
            "check_same_thread": False,  # the pool hands connections to worker threads
        },
        poolclass=QueuePool,
        pool_size=4,
        max_overflow=8,
    )
    event.listen(engine, "connect", _sqlite_connect)
    event.listen(engine, "begin", _sqlite_begin)
    return engine


def _sqlite_connect(dbapi_connection: sqlite3.Connection, _record: Any) -> None:
    dbapi_connection.isolation_level = None  # we issue BEGIN ourselves
    cursor = dbapi_connection.cursor()
    # 8 KiB pages for a new database (an existing one keeps its own): a mail's raw bytes
    # take half the overflow pages, and a 10,000-mail sync runs ~6 % faster than with 4 KiB.
    # It must come before WAL mode, which fixes the page size.
    cursor.execute(f"PRAGMA page_size={PAGE_SIZE}")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    # 32 MiB of page cache instead of 2: a mail batch inserts into indexes of random keys
    # (UUIDs, dedupe hashes), and with a small cache every insert evicts a page.
    cursor.execute(f"PRAGMA cache_size=-{CACHE_KIB}")
    cursor.close()


def _sqlite_begin(connection: Any) -> None:
    write = connection.get_execution_options().get(WRITE, False)
    connection.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")
