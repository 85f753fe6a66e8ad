"""SQLite set-up (storage/engine.py): page size for new databases, existing ones untouched."""

import sqlite3
from pathlib import Path

from helpdesk_tui.services.context import Context
from helpdesk_tui.storage.engine import PAGE_SIZE
from helpdesk_tui.storage.location import locate


def _page_size(path: Path) -> int:
    with sqlite3.connect(path) as connection:
        return int(connection.execute("PRAGMA page_size").fetchone()[0])


def _migrated(path: Path) -> Context:
    context = Context(locate(str(path)))
    context.migrate()
    return context


def test_a_new_database_gets_the_larger_pages(tmp_path: Path) -> None:
    _migrated(tmp_path / "new.sqlite").dispose()

    assert _page_size(tmp_path / "new.sqlite") == PAGE_SIZE != 4096


def test_an_existing_database_keeps_its_pages_and_works(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite"
    with sqlite3.connect(path) as connection:  # a database made before: 4 KiB pages
        connection.execute("PRAGMA page_size=4096")
        connection.execute("CREATE TABLE keep (x)")

    context = _migrated(path)
    with context.uow() as uow:
        uow.directory.ensure_contact("kunde@acme.example")
        uow.commit()
    with context.uow(write=False) as uow:
        assert uow.directory.contact("kunde@acme.example") is not None
    context.dispose()

    assert _page_size(path) == 4096
