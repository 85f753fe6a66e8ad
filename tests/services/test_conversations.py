"""The conversations inbox's data (MAIL-8, issue 14): classify by sender, remember per
address or domain, rules applied at ingest, archive, read marks, the weekly review."""

import uuid
from datetime import timedelta

import pytest
from filing_support import SETTINGS, deliver
from mailmaker import customer_mail
from sqlmodel import select
from support import Clock

from helpdesk_tui.domain.enums import ActivityKind
from helpdesk_tui.domain.errors import NotFoundError, ValidationError
from helpdesk_tui.domain.mail_query import MailFilter
from helpdesk_tui.services import conversations as conv
from helpdesk_tui.services.context import Context
from helpdesk_tui.services.desk import Desk
from helpdesk_tui.storage.tables import ContactRow, MailRow, SenderRuleRow


def arrive(ctx: Context, sender: str, subject: str = "Frage", **headers: str) -> uuid.UUID:
    """One mail from `sender` through the real filing service; its id."""
    result = deliver(ctx, customer_mail(subject, sender=sender, headers=headers or None))
    [filed] = result.filed
    return filed.mail_id


def row(ctx: Context, mail_id: uuid.UUID) -> MailRow:
    with ctx.uow(write=False) as uow:
        found = uow.session.get(MailRow, mail_id)
        assert found is not None
        uow.session.expunge_all()
        return found


def page(desk: Desk, text_filter: MailFilter | None = None) -> list[uuid.UUID]:
    return [item.id for item in desk.mail_page(text_filter or MailFilter())]


@pytest.fixture
def desk(ctx: Context) -> Desk:
    return Desk(ctx, "alice")


def test_classify_by_id_by_the_agent_links_the_contact_to_the_account(
    ctx: Context, desk: Desk
) -> None:
    mail = arrive(ctx, "Anna <anna@kunde.de>")
    assert desk.classify([mail], "customer", account="Kunde GmbH") == 1
    stored = row(ctx, mail)
    assert (stored.mail_class, stored.classified_by, stored.classified_rule) == (
        "customer",
        "agent",
        None,
    )
    [item] = desk.mail_page(MailFilter(account="kunde gmbh"))
    assert item.id == mail
    assert item.account == "Kunde GmbH"
    with ctx.uow(write=False) as uow:
        contact = uow.session.exec(select(ContactRow).where(ContactRow.email == "anna@kunde.de"))
        assert uow.directory.account_name(contact.one().account_id) == "Kunde GmbH"


def test_a_remembered_domain_classifies_past_and_future_mail(ctx: Context, desk: Desk) -> None:
    first = arrive(ctx, "anna@kunde.de")
    other = arrive(ctx, "bernd@kunde.de")
    assert desk.classify([first], "customer", account="Kunde GmbH", remember="domain") == 2
    past = row(ctx, other)
    assert (past.mail_class, past.classified_by, past.classified_rule) == (
        "customer",
        "rule",
        "domain kunde.de",
    )
    later = arrive(ctx, "carla@kunde.de")  # the second mail of the domain, through filing
    [item] = [i for i in desk.mail_page(MailFilter()) if i.id == later]
    assert (item.mail_class, item.classified_by, item.account) == ("customer", "rule", "Kunde GmbH")
    assert item.classified_rule == "domain kunde.de"
    # the agent's own choice for the first mail stays the agent's
    assert row(ctx, first).classified_by == "agent"


def test_a_freemail_domain_is_remembered_per_address_only(ctx: Context, desk: Desk) -> None:
    mine = arrive(ctx, "anna.kundin@gmail.com")
    desk.classify([mine], "customer", remember="domain")
    with ctx.uow(write=False) as uow:
        rules = uow.session.exec(select(SenderRuleRow)).all()
        assert [(r.kind, r.value) for r in rules] == [("address", "anna.kundin@gmail.com")]
    again = arrive(ctx, "anna.kundin@gmail.com")
    stranger = arrive(ctx, "someone.else@gmail.com")
    assert row(ctx, again).mail_class == "customer"
    assert row(ctx, stranger).mail_class is None
    with pytest.raises(ValidationError, match="public mail service"):
        desk.classify_sender("gmail.com", "advertising")


def test_address_rule_comes_before_the_domain_rule(ctx: Context, desk: Desk) -> None:
    desk.classify_sender("kunde.de", "customer", remember="domain")
    desk.classify_sender("news@kunde.de", "newsletter", remember="address")
    news = arrive(ctx, "news@kunde.de")
    person = arrive(ctx, "anna@kunde.de")
    assert row(ctx, news).mail_class == "newsletter"
    assert row(ctx, person).mail_class == "customer"


def test_own_domain_arrives_internal(ctx: Context) -> None:
    # SETTINGS names support@helpdesk.example as our own address
    assert "support@helpdesk.example" in SETTINGS.own_addresses
    colleague = arrive(ctx, "kollege@helpdesk.example")
    stored = row(ctx, colleague)
    assert (stored.mail_class, stored.classified_by, stored.classified_rule) == (
        "internal",
        "rule",
        "own domain helpdesk.example",
    )


def test_bulk_mail_is_suggested_newsletter_not_classified(ctx: Context, desk: Desk) -> None:
    bulk = arrive(ctx, "angebote@shop.example", Precedence="bulk")
    listed = arrive(ctx, "info@verband.example", **{"List-Id": "<news.verband.example>"})
    person = arrive(ctx, "anna@kunde.de")
    assert row(ctx, bulk).mail_class is None
    assert desk.suggested_class(bulk) == "newsletter"
    assert desk.suggested_class(listed) == "newsletter"
    assert desk.suggested_class(person) is None
    colleague = arrive(ctx, "alice@helpdesk.example")  # an agent's domain: Internal
    assert desk.suggested_class(colleague) == "internal"


def test_classify_all_mail_of_a_sender_with_a_preview_count(ctx: Context, desk: Desk) -> None:
    ids = [arrive(ctx, "news@shop.example", f"Angebot {n}") for n in range(3)]
    arrive(ctx, "anna@kunde.de")
    desk.classify([ids[0]], "advertising")  # an agent's own choice stays
    assert desk.classify_sender_preview("news@shop.example") == 2
    assert desk.classify_sender("news@shop.example", "newsletter") == 2
    assert desk.classify_sender_preview("news@shop.example") == 0
    assert [row(ctx, i).mail_class for i in ids] == ["advertising", "newsletter", "newsletter"]
    assert row(ctx, arrive(ctx, "news@shop.example")).mail_class == "newsletter"


def test_classify_a_whole_domain(ctx: Context, desk: Desk) -> None:
    ids = [arrive(ctx, f"p{n}@lieferant.example") for n in range(4)]
    assert desk.classify_sender_preview("lieferant.example") == 4
    assert desk.classify_sender("lieferant.example", "supplier", account="Lieferant AG") == 4
    assert {row(ctx, i).mail_class for i in ids} == {"supplier"}
    assert desk.mail_page(MailFilter(sender="lieferant.example"))[0].account == "Lieferant AG"


def test_reapplying_the_same_rule_changes_no_mail(ctx: Context, desk: Desk) -> None:
    ids = [arrive(ctx, f"p{n}@kunde.de") for n in range(3)]

    def by_domain(mail_class: str, account: str) -> int:
        return desk.classify_sender("kunde.de", mail_class, account=account, remember="domain")

    assert by_domain("customer", "Kunde GmbH") == 3
    assert by_domain("customer", "Kunde GmbH") == 0
    # another account or class under the same rule re-classifies the rule's mail
    assert by_domain("customer", "Kunde AG") == 3
    assert by_domain("supplier", "Kunde AG") == 3
    assert {(row(ctx, i).mail_class, row(ctx, i).classified_by) for i in ids} == {
        ("supplier", "rule")
    }
    # the agent's classification without a rule takes the rule's mail over
    assert desk.classify_sender("kunde.de", "supplier", account="Kunde AG", remember=None) == 3
    assert {row(ctx, i).classified_by for i in ids} == {"agent"}


def test_refusals(ctx: Context, desk: Desk) -> None:
    mail = arrive(ctx, "anna@kunde.de")
    with pytest.raises(ValidationError, match="unknown class"):
        desk.classify([mail], "spam")
    with pytest.raises(ValidationError, match="only customers and suppliers"):
        desk.classify([mail], "newsletter", account="X")
    with pytest.raises(NotFoundError):
        desk.classify([uuid.uuid4()], "customer")


def test_archive_hides_the_mail_unless_filtered_for(ctx: Context, desk: Desk) -> None:
    keep = arrive(ctx, "anna@kunde.de")
    done = arrive(ctx, "bernd@kunde.de")
    assert desk.archive([done]) == 1
    assert desk.archive([done]) == 0
    assert page(desk) == [keep]
    assert page(desk, MailFilter(archived=True)) == [done]


def test_opening_marks_read_and_unread_filter(ctx: Context, clock: Clock, desk: Desk) -> None:
    first = arrive(ctx, "anna@kunde.de", "Erste")
    clock.advance(minutes=1)
    second = arrive(ctx, "bernd@kunde.de", "Zweite")
    assert page(desk, MailFilter(unread=True)) == [second, first]
    entry = desk.open_mail(first)
    assert entry.subject == "Erste"
    assert page(desk, MailFilter(unread=True)) == [second]
    assert [i.read for i in desk.mail_page(MailFilter())] == [False, True]


def test_keyset_pages_newest_first(ctx: Context, clock: Clock, desk: Desk) -> None:
    ids = []
    for n in range(5):
        ids.append(arrive(ctx, f"p{n}@kunde.de"))
        clock.advance(minutes=1)
    first = desk.mail_page(MailFilter(), limit=2)
    assert [i.id for i in first] == ids[::-1][:2]
    rest = desk.mail_page(MailFilter(), after=first[-1].cursor, limit=10)
    assert [i.id for i in rest] == ids[::-1][2:]


def test_filters_class_unclassified_period_mailbox_filed(
    ctx: Context, clock: Clock, desk: Desk
) -> None:
    old = arrive(ctx, "anna@kunde.de")
    clock.advance(days=40)
    assert page(desk, MailFilter(old_open=True)) == [old]
    news = arrive(ctx, "x@news.example")  # a routing rule keeps it unfiled
    desk.classify([news], "newsletter")
    assert page(desk, MailFilter(mail_class="newsletter")) == [news]
    assert page(desk, MailFilter(unclassified=True)) == [old]
    assert page(desk, MailFilter(period_days=30)) == [news]
    assert page(desk, MailFilter(filed=False)) == [news]
    assert page(desk, MailFilter(filed=True)) == [old]
    assert page(desk, MailFilter(mailbox="support")) == [news, old]
    assert page(desk, MailFilter(mailbox="sales")) == []
    assert page(desk, MailFilter(words="drucker")) == []
    assert page(desk, MailFilter(sender="anna@kunde.de")) == [old]


def test_outgoing_mail_is_never_listed(ctx: Context, desk: Desk) -> None:
    mail = arrive(ctx, "anna@kunde.de")
    with ctx.uow() as uow:
        uow.session.exec(select(MailRow)).one().direction = "out"
        uow.commit()
    assert page(desk) == []
    with pytest.raises(ValidationError, match="only incoming"):
        desk.classify([mail], "customer")


def test_weekly_review_figures(ctx: Context, clock: Clock, desk: Desk) -> None:
    assert desk.mail_stats() == conv.MailStats(0, 0, None, None)
    start = clock()
    # 10 days ago: two mails; one classified customer on a case answered 3 h later
    answered = arrive(ctx, "anna@kunde.de")
    stale = arrive(ctx, "werbung@shop.example")
    desk.classify([answered], "customer")
    number = desk.mail_page(MailFilter(sender="anna@kunde.de"))[0].case
    assert number is not None
    clock.advance(hours=3)
    desk.record_activity(number, ActivityKind.EXTERNAL, "Wir kümmern uns.")  # an answer
    clock.advance(days=10)
    fresh = arrive(ctx, "neu@kunde.de")
    stats = desk.mail_stats()
    assert stats.unclassified == 2  # stale, fresh
    assert stats.old_open == 2  # answered (case still open) and stale: older than 7 days
    assert stats.classification_rate == pytest.approx(1 / 3, abs=1e-3)
    assert stats.median_reaction_hours == pytest.approx(3.0)
    desk.archive([stale])
    desk.classify([fresh], "customer")
    after = desk.mail_stats()
    assert (after.unclassified, after.old_open) == (0, 1)
    assert after.classification_rate == pytest.approx(2 / 3, abs=1e-3)
    clock.advance(days=31)
    assert desk.mail_stats().median_reaction_hours is None  # out of the 30 days
    assert start < clock() - timedelta(days=30)


def test_accounts_fuzzy_and_created(ctx: Context, desk: Desk) -> None:
    assert desk.create_account("  Mustermann   GmbH ") == "Mustermann GmbH"
    assert desk.create_account("mustermann gmbh") == "Mustermann GmbH"
    desk.create_account("Muster AG")
    desk.create_account("Schmidt & Söhne")
    assert desk.accounts_matching("must") == ["Muster AG", "Mustermann GmbH"]
    assert desk.accounts_matching("mgmbh") == ["Mustermann GmbH"]
    assert desk.accounts_matching("söh") == ["Schmidt & Söhne"]
    with pytest.raises(ValidationError):
        desk.create_account("   ")


def test_the_migrated_mail_indexes_are_those_tables_py_declares(ctx: Context) -> None:
    """The partial indexes' predicates, which alembic's schema comparison does not look at:
    the list's queries name these indexes and must imply their predicates."""
    from sqlalchemy.dialects import sqlite
    from sqlalchemy.schema import CreateIndex

    from helpdesk_tui.storage.tables import table

    with ctx.engine.connect() as connection:
        rows = connection.exec_driver_sql(
            "SELECT name, sql FROM sqlite_master"
            " WHERE type = 'index' AND tbl_name = 'mails' AND name LIKE 'ix_mails_in_%'"
        ).all()
    migrated = {name: " ".join(sql.split()) for name, sql in rows}
    declared = {
        index.name: " ".join(str(CreateIndex(index).compile(dialect=sqlite.dialect())).split())
        for index in table(MailRow).indexes
        if str(index.name).startswith("ix_mails_in_")
    }
    assert migrated == declared
