"""The customer view's reads on PostgreSQL (issue 14, VIEW-4): the card (cases open first,
time spent, the class remembered for the sender) and its recent mail with attachments,
through the same plain reads the TUI and `contact show` use."""

from mailmaker import customer_mail

from helpdesk_tui.domain.enums import ActivityKind, Resolution
from helpdesk_tui.mail.parse import parse
from helpdesk_tui.services import cases
from helpdesk_tui.services.context import Context
from helpdesk_tui.services.desk import Desk
from helpdesk_tui.services.filing import FilingSettings, FolderBatch, Incoming, ingest
from helpdesk_tui.storage.reads import open_reads


def test_the_customer_card_and_recent_mail_on_postgres(pg: Context) -> None:
    first = cases.create_case(pg, "alice", subject="Alt", contact="karl@acme.example", user="alice")
    cases.close_case(pg, "alice", first, Resolution.SOLVED)
    second = cases.create_case(
        pg, "alice", subject="Neu", contact="karl@acme.example", user="alice"
    )
    cases.record_activity(pg, "alice", second, ActivityKind.COMMENT, "x", time_spent_centi=50)
    raws = [customer_mail(f"Frage {n}", sender="Karl <karl@acme.example>") for n in range(2)]
    batch = [Incoming(uid, raw, parse(raw)) for uid, raw in enumerate(raws, start=1)]
    ingest(pg, FilingSettings(), FolderBatch("support", "INBOX", 3, batch))

    desk = Desk(pg, "alice")
    mails = desk.recent_mail("Karl@acme.example", 10)
    assert sorted(m.subject for m in mails) == ["Frage 0", "Frage 1"]
    desk.classify(
        [mails[0].id], "customer", account=desk.create_account("ACME"), remember="address"
    )

    card = desk.contact_card("karl@acme.example")
    assert [c.number for c in card.cases] == [second, first]  # open first
    assert card.time_spent_centi == 50
    assert (card.mail_class, card.class_source) == ("customer", "address karl@acme.example")
    with open_reads(pg.location) as store:
        found = store.contacts.attachments([m.id for m in mails])
    assert set(found) == {m.id for m in mails}
