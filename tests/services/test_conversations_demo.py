"""The demo's conversations inbox (MAIL-8): classified and unclassified mail, a remembered
domain, a newsletter, archived mail, own-domain mail Internal, real review figures."""

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlmodel import select
from support import Clock

from helpdesk_tui.domain.mail_query import MailFilter
from helpdesk_tui.services.context import Context
from helpdesk_tui.services.demo import seed_demo
from helpdesk_tui.services.desk import Desk
from helpdesk_tui.storage.location import locate
from helpdesk_tui.storage.tables import SenderRuleRow


@pytest.fixture(scope="module")
def desk(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Desk]:
    path = Path(tmp_path_factory.mktemp("demo-conv")) / "demo.sqlite"
    ctx = Context(locate(str(path)), clock=Clock(datetime(2026, 12, 7, 10, 0, tzinfo=UTC)))
    seed_demo(ctx)
    yield Desk(ctx, "alice")
    ctx.dispose()


def test_the_demo_inbox_has_every_kind_of_mail(desk: Desk) -> None:
    rows = desk.mail_page(MailFilter(), limit=500)
    by_sender = {r.from_email: r for r in rows}
    krueger = [r for r in rows if r.from_email.endswith("@krueger-elektrotechnik.de")]
    assert {r.mail_class for r in krueger} == {"customer"}
    assert {r.account for r in krueger} == {"Krüger Elektrotechnik GmbH"}
    assert "domain krueger-elektrotechnik.de" in {r.classified_rule for r in krueger}
    news = by_sender["news@buerowelt-versand.example"]
    assert news.mail_class == "newsletter"
    with desk.ctx.uow(write=False) as uow:
        rules = {(r.kind, r.value, r.mail_class) for r in uow.session.exec(select(SenderRuleRow))}
    assert ("address", "news@buerowelt-versand.example", "newsletter") in rules
    assert ("domain", "krueger-elektrotechnik.de", "customer") in rules
    webinar = by_sender["webinare@akademie-digital.example"]
    assert webinar.mail_class is None
    assert desk.suggested_class(webinar.id) == "newsletter"
    internal = [r for r in rows if r.from_email.endswith("@helpdesk.example")]
    assert internal
    assert {r.mail_class for r in internal} == {"internal"}
    assert any(r.read for r in rows)
    assert any(not r.read for r in rows)
    archived = desk.mail_page(MailFilter(archived=True), limit=500)
    assert len(archived) >= 3
    assert not {r.id for r in archived} & {r.id for r in rows}


def test_the_demo_review_shows_real_figures(desk: Desk) -> None:
    stats = desk.mail_stats()
    assert stats.unclassified >= 10  # work for the weekly review
    assert stats.classification_rate is not None
    assert 0 < stats.classification_rate < 0.95
    assert stats.unclassified == len(desk.mail_page(MailFilter(unclassified=True), limit=500))
