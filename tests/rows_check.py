"""Checks of `storage.rows.insert_rows`, run on SQLite (tests/services) and PostgreSQL."""

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import event, insert, select, text

from helpdesk_tui.services.context import Context
from helpdesk_tui.storage import rows
from helpdesk_tui.storage.tables import ContactRow, NotificationRow, table


def stores_what_the_orm_stores(ctx: Context) -> None:
    """Every value arrives in the database's own form, exactly as SQLAlchemy writes it."""
    at = datetime(2026, 11, 30, 7, 1, 2, 0, tzinfo=UTC) + timedelta(hours=1)  # no µs
    later = at + timedelta(microseconds=7)
    values: dict[str, Any] = {
        "at": at.astimezone(),  # any zone: stored as UTC
        "agent_id": None,
        "group_id": None,
        "case_id": None,
        "text": "Grüße; 'quotes' and ? and %s",
        "read": True,
    }
    core_id, fast_id = uuid.uuid4(), uuid.uuid4()
    core_later, fast_later = uuid.uuid4(), uuid.uuid4()
    notifications = table(NotificationRow)
    with ctx.engine.begin() as connection:
        connection.execute(
            insert(notifications),
            [{"id": core_id, **values}, {"id": core_later, **values, "at": later}],
        )
        rows.insert_rows(
            connection,
            notifications,
            [{"id": fast_id, **values}, {"id": fast_later, **values, "at": later}],
        )
        raw = connection.execute(
            text("SELECT id, at, agent_id, text, read FROM notifications")
        ).all()
        stored = {uuid.UUID(str(row[0])).hex: row[1:] for row in raw}
        by_id = {row.id: row for row in connection.execute(select(notifications)).all()}
    assert len(stored) == 4
    # Ids in the column's own form (32 hex digits on SQLite, uuid on PostgreSQL) …
    forms = {uuid.UUID(str(row[0])).hex: row[0] for row in raw}
    core_form = forms[core_id.hex]
    expected = fast_id.hex if core_form == core_id.hex else fast_id
    assert forms[fast_id.hex] == expected
    # … and every other value as the ORM stores it.
    assert stored[fast_id.hex] == stored[core_id.hex]  # same text, timestamp form, boolean
    assert stored[fast_later.hex] == stored[core_later.hex]
    assert by_id[fast_id].at == at
    assert by_id[fast_later].at == later
    assert by_id[fast_id].text == values["text"]


def refuses_naive_timestamps(ctx: Context) -> None:
    """A timestamp without a zone is refused, as the ORM's column type refuses it."""
    naive = datetime(2026, 11, 30, 7, 0, tzinfo=UTC).replace(tzinfo=None)
    row = {"id": uuid.uuid4(), "at": naive, "text": "", "read": False}
    with ctx.engine.begin() as connection, pytest.raises(ValueError, match="naive"):
        rows.insert_rows(connection, table(NotificationRow), [row])


def splits_into_statements_below_the_parameter_limit(ctx: Context) -> None:
    """Many rows go in a few multi-row statements, none over the driver's limit."""
    statements: list[int] = []

    def count(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        if statement.startswith("INSERT INTO contacts"):
            statements.append(len(parameters))

    contacts = table(ContactRow)
    new = [
        {"id": uuid.uuid4(), "email": f"c{n}@example.com", "name": f"C {n}"} for n in range(12_000)
    ]
    event.listen(ctx.engine, "before_cursor_execute", count)
    try:
        with ctx.engine.begin() as connection:
            rows.insert_rows(connection, contacts, new)
    finally:
        event.remove(ctx.engine, "before_cursor_execute", count)
    per_statement = rows.MAX_PARAMETERS // 3
    assert per_statement < 12_000
    assert statements == [per_statement * 3, (12_000 - per_statement) * 3]
    with ctx.engine.connect() as connection:
        emails = connection.execute(
            text("SELECT email FROM contacts WHERE email LIKE 'c%@example.com'")
        ).scalars()
        assert set(emails) == {row["email"] for row in new}


def ignores_duplicates_when_asked(ctx: Context) -> None:
    """`ignore_duplicates` keeps the first row of a unique key and goes on."""
    contacts = table(ContactRow)

    def contact(email: str, name: str) -> dict[str, Any]:
        return {"id": uuid.uuid4(), "email": email, "name": name}

    with ctx.engine.begin() as connection:
        rows.insert_rows(connection, contacts, [contact("a@dup.example", "first")])
        rows.insert_rows(
            connection,
            contacts,
            [contact("a@dup.example", "second"), contact("b@dup.example", "b")],
            ignore_duplicates=True,
        )
        names = dict(
            connection.execute(
                text("SELECT email, name FROM contacts WHERE email LIKE '%@dup.example'")
            ).all()
        )
    assert names == {"a@dup.example": "first", "b@dup.example": "b"}
