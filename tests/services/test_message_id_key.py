"""Our outgoing Message-IDs are signed with a key each database makes once (MAIL-11)."""

from pathlib import Path

from filing_support import deliver
from mailmaker import customer_mail
from support import Clock
from test_filing_threading import OUT

from helpdesk_tui.mail.msgid import is_ours
from helpdesk_tui.services import outbox as ob
from helpdesk_tui.services.context import Context
from helpdesk_tui.storage.location import locate
from helpdesk_tui.storage.tables import SecretRow


def test_our_outgoing_message_ids_are_signed_with_the_databases_key(
    ctx: Context, tmp_path: Path, clock: Clock
) -> None:
    (number,) = [f.case for f in deliver(ctx, customer_mail("Drucker")).filed]
    assert number is not None
    queued = ob.queue_reply(ctx, OUT, "alice", number, "Neustart bitte.")
    with ctx.uow(write=False) as uow:
        key = uow.mails.message_id_key()
        assert uow.mails.message_id_key() == key  # created once, kept
    assert len(key) == 32
    assert is_ours(queued.message_id, key)
    other = Context(locate(str(tmp_path / "other.sqlite")), clock=clock)
    other.migrate()
    try:
        with other.uow(write=False) as uow:
            assert uow.mails.message_id_key() != key  # per database
    finally:
        other.dispose()


def test_a_database_without_a_key_makes_one_on_first_use(ctx: Context) -> None:
    with ctx.uow() as uow:
        row = uow.session.get(SecretRow, "message_id")
        assert row is not None
        uow.session.delete(row)
        uow.commit()
    with ctx.uow() as uow:
        key = uow.mails.message_id_key()
        uow.commit()
    with ctx.uow(write=False) as uow:
        assert uow.mails.message_id_key() == key
