"""The conversations inbox on PostgreSQL (MAIL-8): the list's keyset query with its
filters, classification by domain applied at ingest, archive, read marks, the review."""

import itertools
import uuid
from datetime import UTC, datetime, timedelta

from mailmaker import customer_mail

from helpdesk_tui.domain.enums import ActivityKind
from helpdesk_tui.domain.filing import RoutingRule
from helpdesk_tui.domain.mail_query import MailFilter, parse_mail_query
from helpdesk_tui.mail.parse import parse
from helpdesk_tui.services.context import Context
from helpdesk_tui.services.desk import Desk
from helpdesk_tui.services.filing import FilingSettings, FolderBatch, Incoming, ingest
from helpdesk_tui.storage.mails import FolderState

SETTINGS = FilingSettings(
    rules=(
        RoutingRule("news", sender_domain="news.example", create_case=False),
        RoutingRule("rest", group="billing"),
    ),
    own_addresses=frozenset({"support@helpdesk.example"}),
)
_uids = itertools.count(1)


class Moment:
    def __init__(self) -> None:
        self.now = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


def arrive(ctx: Context, sender: str, subject: str = "Frage", **headers: str) -> uuid.UUID:
    raw = customer_mail(subject, sender=sender, headers=headers or None)
    uid = next(_uids)
    batch = FolderBatch(
        "support", "INBOX", 1, [Incoming(uid, raw, parse(raw))], FolderState(1, uid, None)
    )
    [filed] = ingest(ctx, SETTINGS, batch).filed
    return filed.mail_id


def test_list_classify_archive_and_review_on_postgres(pg: Context) -> None:
    clock = Moment()
    pg.clock = clock
    desk = Desk(pg, "alice")
    ids = []
    for n in range(7):
        ids.append(arrive(pg, f"p{n}@kunde.de", f"Frage {n}"))
        clock.now += timedelta(minutes=1)
    news = arrive(pg, "info@news.example", "Angebote", Precedence="bulk")
    newest_first = [news, *reversed(ids)]

    # keyset pages over the whole list, newest first
    first = desk.mail_page(MailFilter(), limit=3)
    second = desk.mail_page(MailFilter(), after=first[-1].cursor, limit=3)
    rest = desk.mail_page(MailFilter(), after=second[-1].cursor, limit=10)
    assert [i.id for i in [*first, *second, *rest]] == newest_first
    assert desk.suggested_class(news) == "newsletter"

    # classify one mail remembering its domain: the past mail follows, and the next
    changed = desk.classify([ids[0]], "customer", account="Kunde GmbH", remember="domain")
    assert changed == 7
    later = arrive(pg, "neu@kunde.de", "Nachfrage")
    [item] = desk.mail_page(parse_mail_query("from:neu@kunde.de"))
    assert (item.id, item.mail_class, item.classified_by, item.account) == (
        later,
        "customer",
        "rule",
        "Kunde GmbH",
    )
    assert item.classified_rule == "domain kunde.de"
    assert len(desk.mail_page(parse_mail_query('account:"kunde gmbh" class:customer'))) == 8
    assert [i.id for i in desk.mail_page(parse_mail_query("unclassified"))] == [news]
    assert [i.id for i in desk.mail_page(parse_mail_query("unfiled"))] == [news]
    assert desk.classify_sender_preview("kunde.de") == 0

    # read marks and archive
    desk.open_mail(news)
    assert news not in [i.id for i in desk.mail_page(parse_mail_query("unread"))]
    assert desk.archive([news]) == 1
    assert news not in [i.id for i in desk.mail_page(MailFilter())]
    assert [i.id for i in desk.mail_page(parse_mail_query("archived"))] == [news]

    # the weekly review: an answer 2 hours after the newest customer mail
    number = item.case
    assert number is not None
    clock.now += timedelta(hours=2)
    desk.record_activity(number, ActivityKind.EXTERNAL, "Erledigt.")
    clock.now += timedelta(days=8)
    stats = desk.mail_stats()
    assert stats.unclassified == 0
    assert stats.old_open == 8  # the customer mails on open cases; the newsletter archived
    # the rate counts archived mail too: the newsletter was archived unclassified
    assert stats.classification_rate == round(8 / 9, 4)
    assert stats.median_reaction_hours == 2.0
