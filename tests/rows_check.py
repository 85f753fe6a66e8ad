"""Checks of `storage.rows.insert_rows`, run on SQLite (tests/services) and PostgreSQL."""

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import event, insert, select, text

from helpdesk_tui.services.context import Context
from helpdesk_tui.storage import rows
from helpdesk_tui.storage.tables import ContactRow, NotificationRow, table


def stores_what_the_orm_stores(ctx: Context) -> None:
    """Every value arrives in the database's own form, exactly as SQLAlchemy writes it."""
    at = datetime(2026, 11, 30, 7, 1, 2, 0, tzinfo=UTC) + timedelta(hours=1)
    values: dict[str, Any] = {
        "at": at.astimezone(),  # any zone: stored as UTC
        "agent_id": None,
        "group_id": None,
        "case_id": None,
        "text": "Grüße; 'quotes' and ? and %s",
        "read": True,
    }
    core_id, fast_id = uuid.uuid4(), uuid.uuid4()
    notifications = table(NotificationRow)
    with ctx.engine.begin() as connection:
        connection.execute(insert(notifications), [{"id": core_id, **values}])
        rows.insert_rows(connection, notifications, [{"id": fast_id, **values}])
        stored = {
            row[0]: row[1:]
            for row in connection.execute(
                text("SELECT id, at, agent_id, text, read FROM notifications")
            )
        }
        by_id = {row.id: row for row in connection.execute(select(notifications)).all()}
    assert len(stored) == 2
    core, fast = stored.values()
    assert fast == core  # the same text, timestamp format, boolean form
    assert by_id[fast_id].at == at
    assert by_id[fast_id].text == values["text"]


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
