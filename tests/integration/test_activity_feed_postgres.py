"""The activity feed and notification mail on PostgreSQL (issue 13, team mode): the
scopes never show a case the agent may not see, keyset pages give every entry once, and
two processes queueing notification mail at the same moment mail each notification once.
"""

import threading
from datetime import UTC, datetime, timedelta

import pytest

from helpdesk_tui.domain.enums import ActivityKind, Role
from helpdesk_tui.domain.errors import DomainError
from helpdesk_tui.domain.feed import FeedFilter, FeedScope
from helpdesk_tui.domain.notification_mail import MailChoice
from helpdesk_tui.domain.numbering import CaseNumber
from helpdesk_tui.services import cases
from helpdesk_tui.services.context import Context
from helpdesk_tui.services.desk import Desk
from helpdesk_tui.services.notification_mail import NotificationMail, mail_due
from helpdesk_tui.services.outbox import MailOut
from helpdesk_tui.services.people import AgentSpec, GroupSpec, sync_people
from helpdesk_tui.storage.activityreads import ActivityFeedEntry

NOW = datetime(2026, 12, 9, 7, 0, tzinfo=UTC)
EACH = NotificationMail(MailOut(sender="Support <support@example.com>"), MailChoice.EACH)


def team(pg: Context) -> Context:
    """alice and lena in billing, bob alone in technical; a clock that moves on."""
    sync_people(
        pg,
        [
            AgentSpec("alice", email="alice@helpdesk.example"),
            AgentSpec("bob", email="bob@helpdesk.example"),
            AgentSpec("lena", email="lena@helpdesk.example", role=Role.LEAD),
        ],
        [
            GroupSpec("billing", lead="lena", members=("alice", "lena")),
            GroupSpec("technical", lead="lena", members=("bob",)),
        ],
    )
    clock = [NOW]

    def tick() -> datetime:
        clock[0] += timedelta(seconds=1)
        return clock[0]

    return Context(pg.location, clock=tick)


def every_entry(desk: Desk, scope: FeedScope, page: int) -> list[ActivityFeedEntry]:
    """The whole feed of `scope`, read in pages of `page`."""
    found: list[ActivityFeedEntry] = []
    result = desk.feed(scope, FeedFilter(), limit=page)
    found += result.entries
    while result.after is not None:
        result = desk.feed(scope, FeedFilter(), limit=page, after=result.after)
        found += result.entries
    return found


def test_the_feed_scopes_and_pages_on_postgres(pg: Context) -> None:
    ctx = team(pg)

    def make(subject: str, **to: str) -> CaseNumber:
        return cases.create_case(ctx, "lena", subject=subject, contact="k@acme.example", **to)

    mine = make("Alice's", user="alice")
    billing = make("Billing's", group="billing")
    technical = make("Technical's", group="technical")
    bobs = make("Bob's", user="bob")
    for number in (mine, billing, technical, bobs):
        for n in range(3):
            cases.record_activity(ctx, "lena", number, ActivityKind.COMMENT, f"note {n}")

    alice = Desk(ctx, "alice")
    seen = {
        scope: every_entry(alice, scope, page=2) for scope in (FeedScope.MINE, FeedScope.GROUPS)
    }
    assert {e.case for e in seen[FeedScope.MINE]} == {mine}
    assert {e.case for e in seen[FeedScope.GROUPS]} == {mine, billing}
    with pytest.raises(DomainError):
        alice.feed(FeedScope.ALL)

    lena = Desk(ctx, "lena")
    paged = every_entry(lena, FeedScope.ALL, page=3)
    whole = lena.feed(FeedScope.ALL, limit=1000).entries
    assert [e.id for e in paged] == [e.id for e in whole]  # every entry once, in order
    assert len({e.id for e in paged}) == len(paged)
    assert [e.cursor for e in paged] == sorted((e.cursor for e in paged), reverse=True)
    assert {e.case for e in paged} == {mine, billing, technical, bobs}


def test_two_processes_mail_each_notification_once_on_postgres(pg: Context) -> None:
    ctx = team(pg)
    for n in range(5):
        number = cases.create_case(
            ctx, "lena", subject=f"Fall {n}", contact="k@acme.example", group="technical"
        )
        cases.delegate_case(ctx, "lena", number, user="bob", comment="bitte")
    others = [Context(pg.location, clock=ctx.clock) for _ in range(2)]
    queued: list[int] = []
    threads = [
        threading.Thread(target=lambda c=c: queued.append(mail_due(c, EACH))) for c in others
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert mail_due(ctx, EACH) == 0
    with ctx.uow(write=False) as uow:
        rows = [e for e in uow.outbox.entries() if e.kind == "notify"]
    assert sum(queued) == len(rows) == 5  # one mail per handover to bob, none twice
    assert {e.recipient for e in rows} == {"bob@helpdesk.example"}
    for context in others:
        context.dispose()
    ctx.dispose()
