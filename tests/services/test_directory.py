"""Contacts in the directory (storage/directory.py): created in memory, written in bulk."""

from sqlalchemy import event, text

from helpdesk_tui.services.context import Context


def _stored(ctx: Context, email: str) -> list[tuple[str, str]]:
    with ctx.engine.connect() as connection:
        rows = connection.execute(
            text("SELECT email, name FROM contacts WHERE email = :e"), {"e": email}
        )
        return [tuple(row) for row in rows]


def test_a_new_contact_is_written_when_the_unit_of_work_commits(ctx: Context) -> None:
    with ctx.uow() as uow:
        made = uow.directory.ensure_contact(" Neu@Kunde.example ", "Neu")
        assert uow.directory.ensure_contact("neu@kunde.example") == made  # one contact
        uow.commit()

    assert _stored(ctx, "neu@kunde.example") == [("neu@kunde.example", "Neu")]


def test_a_rolled_back_contact_is_not_written(ctx: Context) -> None:
    with ctx.uow() as uow:
        uow.directory.ensure_contact("weg@kunde.example")

    assert _stored(ctx, "weg@kunde.example") == []


def test_many_new_contacts_go_in_one_statement(ctx: Context) -> None:
    inserts: list[str] = []

    def count(_conn: object, _cursor: object, statement: str, *_: object) -> None:
        if statement.startswith("INSERT INTO contacts"):
            inserts.append(statement)

    event.listen(ctx.engine, "before_cursor_execute", count)
    try:
        with ctx.uow() as uow:
            uow.directory.prefetch_contacts(f"k{n}@viele.example" for n in range(300))
            for n in range(300):
                uow.directory.ensure_contact(f"k{n}@viele.example")
            uow.commit()
    finally:
        event.remove(ctx.engine, "before_cursor_execute", count)

    assert len(inserts) == 1
    with ctx.engine.connect() as connection:
        found = connection.execute(
            text("SELECT count(*) FROM contacts WHERE email LIKE '%@viele.example'")
        ).scalar_one()
    assert found == 300


def test_a_new_contact_is_matched_to_its_domains_account(ctx: Context) -> None:
    with ctx.engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO accounts (id, name, domain) VALUES"
                " ('00000000000000000000000000000abc', 'Acme', 'acme.example')"
            )
        )
    with ctx.uow() as uow:
        made = uow.directory.ensure_contact("anna@acme.example")
        uow.commit()

    assert made.account_id is not None
    assert made.account_id.hex.endswith("abc")
