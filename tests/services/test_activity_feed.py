"""The activity feed's reads (issue 13): scopes, keyset pages, filters, "last looked".

People (tests/conftest.py): alice (agent, billing), bob (agent, technical), lena (lead,
billing), root (admin, no group).
"""

from datetime import timedelta

import pytest
from lifecycle_support import create, detail
from support import Clock

from helpdesk_tui.domain.enums import ActivityKind, Status
from helpdesk_tui.domain.errors import NotFoundError, PermissionDeniedError
from helpdesk_tui.domain.feed import FeedFilter, FeedScope
from helpdesk_tui.domain.numbering import CaseNumber
from helpdesk_tui.services import activity as feed_svc
from helpdesk_tui.services import cases as svc
from helpdesk_tui.services.context import Context
from helpdesk_tui.storage import activityreads
from helpdesk_tui.storage.activityreads import ActivityFeedEntry, FeedCursor

GROUPS_OF = {"alice": {"billing"}, "bob": {"technical"}, "lena": {"billing"}, "root": set()}


@pytest.fixture
def desk_cases(ctx: Context, clock: Clock) -> list[CaseNumber]:
    """Five cases: 1 alice's, 2 billing's, 3 bob's, 4 technical's, 5 bob's owned by alice;
    each with a comment by someone, a minute apart."""
    numbers = [
        create(ctx, "Alice's case", user="alice"),
        create(ctx, "Billing's case", group="billing"),
        create(ctx, "Bob's case", user="bob", actor="bob"),
        create(ctx, "Technical's case", group="technical", actor="bob"),
        create(ctx, "Bob's, owned by alice", user="bob", actor="lena"),
    ]
    svc.edit_case(ctx, "lena", numbers[4], {"owner": "alice"})
    for i, number in enumerate(numbers):
        clock.advance(minutes=1)
        svc.record_activity(
            ctx, ["alice", "bob", "lena"][i % 3], number, ActivityKind.COMMENT, f"note {i}"
        )
    clock.advance(minutes=1)
    svc.change_status(
        ctx,
        "bob",
        numbers[2],
        Status.WAITING,
        comment="asked the customer",
        reminder=clock.now.date(),
    )
    return numbers


def everything(
    ctx: Context, user: str, scope: FeedScope, feed: FeedFilter | None = None, limit: int = 7
) -> list[ActivityFeedEntry]:
    """The whole feed, page after page."""
    rows: list[ActivityFeedEntry] = []
    after: FeedCursor | None = None
    while True:
        page = feed_svc.feed_page(ctx, user, scope, feed, limit=limit, after=after)
        assert len(page.entries) <= limit
        rows += page.entries
        if page.after is None:
            return rows
        after = page.after


def visible(
    ctx: Context, numbers: list[CaseNumber], user: str, scope: FeedScope
) -> set[CaseNumber]:
    """The cases `scope` covers for `user`, judged from the cases themselves."""
    allowed = set()
    for number in numbers:
        case = detail(ctx, number).case
        mine = user in (case.delegated_user, case.owner)
        ours = case.delegated_group in GROUPS_OF[user]
        if scope is FeedScope.ALL or mine or (scope is FeedScope.GROUPS and ours):
            allowed.add(number)
    return allowed


class TestScopes:
    @pytest.mark.parametrize("user", ["alice", "bob", "lena", "root"])
    @pytest.mark.parametrize("scope", [FeedScope.MINE, FeedScope.GROUPS])
    def test_a_scope_shows_exactly_its_cases(
        self, ctx: Context, desk_cases: list[CaseNumber], user: str, scope: FeedScope
    ) -> None:
        shown = {row.case for row in everything(ctx, user, scope)}
        assert shown == visible(ctx, desk_cases, user, scope)

    def test_alice_sees_her_case_and_the_one_she_owns(
        self, ctx: Context, desk_cases: list[CaseNumber]
    ) -> None:
        mine = {row.case for row in everything(ctx, "alice", FeedScope.MINE)}
        assert mine == {desk_cases[0], desk_cases[4]}
        groups = {row.case for row in everything(ctx, "alice", FeedScope.GROUPS)}
        assert groups == {desk_cases[0], desk_cases[1], desk_cases[4]}

    def test_an_agent_is_refused_everything(
        self, ctx: Context, desk_cases: list[CaseNumber]
    ) -> None:
        with pytest.raises(PermissionDeniedError, match="only leads and admins"):
            feed_svc.feed_page(ctx, "alice", FeedScope.ALL)

    @pytest.mark.parametrize("user", ["lena", "root"])
    def test_leads_and_admins_see_every_activity(
        self, ctx: Context, desk_cases: list[CaseNumber], user: str
    ) -> None:
        rows = everything(ctx, user, FeedScope.ALL)
        stored = sum(len(detail(ctx, n).activities) for n in desk_cases)
        assert len(rows) == stored
        assert {row.case for row in rows} == set(desk_cases)

    def test_a_case_handed_away_leaves_my_feed(
        self, ctx: Context, desk_cases: list[CaseNumber]
    ) -> None:
        svc.delegate_case(ctx, "alice", desk_cases[0], user="bob")
        mine = {row.case for row in everything(ctx, "alice", FeedScope.MINE)}
        assert desk_cases[0] not in mine


class TestPaging:
    def test_newest_first_and_pages_join_without_gaps_or_repeats(
        self, ctx: Context, desk_cases: list[CaseNumber]
    ) -> None:
        whole = feed_svc.feed_page(ctx, "root", FeedScope.ALL, limit=1000)
        assert whole.after is None
        for limit in (1, 2, 3, 7):
            paged = everything(ctx, "root", FeedScope.ALL, limit=limit)
            assert [r.id for r in paged] == [r.id for r in whole.entries]
        stamps = [(r.at, r.id) for r in whole.entries]
        assert stamps == sorted(stamps, reverse=True)
        assert len({r.id for r in whole.entries}) == len(whole.entries)

    def test_entries_of_the_same_moment_are_all_paged(self, ctx: Context) -> None:
        # The clock does not move: every entry has the same `at`; the id breaks the tie.
        for i in range(6):
            create(ctx, f"Same moment {i}", user="alice")
        rows = everything(ctx, "alice", FeedScope.MINE, limit=2)
        assert len(rows) == len({r.id for r in rows}) == 6

    def test_a_sparse_scope_is_read_in_windows_and_never_all_at_once(
        self, ctx: Context, clock: Clock, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setattr(activityreads, "WINDOW", 4)
        monkeypatch.setattr(activityreads, "SCAN_BUDGET", 8)
        mine = create(ctx, "Alice's only case", user="alice")
        others = create(ctx, "Not alice's", user="bob", actor="bob")
        for _ in range(30):
            clock.advance(minutes=1)
            svc.record_activity(ctx, "bob", others, ActivityKind.COMMENT, "noise")
        first = feed_svc.feed_page(ctx, "alice", FeedScope.MINE, limit=5)
        # 30 newer entries of bob's case: the budget (8) ends the page early, with a cursor.
        assert first.entries == []
        assert first.after is not None
        rows = everything(ctx, "alice", FeedScope.MINE, limit=5)
        assert [r.case for r in rows] == [mine]
        assert [r.kind for r in rows] == ["created"]


class TestFilters:
    def test_kind(self, ctx: Context, desk_cases: list[CaseNumber]) -> None:
        rows = everything(ctx, "lena", FeedScope.ALL, FeedFilter(kinds=frozenset({"status"})))
        assert [(r.case, r.summary) for r in rows] == [
            (desk_cases[2], "open → waiting: asked the customer")
        ]

    def test_actor(self, ctx: Context, desk_cases: list[CaseNumber]) -> None:
        rows = everything(ctx, "lena", FeedScope.ALL, FeedFilter(actors=frozenset({"bob"})))
        assert rows
        assert {r.actor for r in rows} == {"bob"}
        with pytest.raises(NotFoundError, match="unknown user @nobody"):
            feed_svc.feed_page(ctx, "lena", FeedScope.ALL, FeedFilter(actors=frozenset({"nobody"})))

    def test_case(self, ctx: Context, desk_cases: list[CaseNumber]) -> None:
        rows = everything(ctx, "lena", FeedScope.ALL, FeedFilter(case=desk_cases[2]), limit=1)
        assert {r.case for r in rows} == {desk_cases[2]}
        assert [r.kind for r in rows] == ["status", "comment", "created"]
        with pytest.raises(NotFoundError, match="no case 0000099"):
            feed_svc.feed_page(ctx, "lena", FeedScope.ALL, FeedFilter(case=CaseNumber(99)))

    def test_case_outside_the_scope_shows_nothing(
        self, ctx: Context, desk_cases: list[CaseNumber]
    ) -> None:
        rows = everything(ctx, "alice", FeedScope.MINE, FeedFilter(case=desk_cases[2]))
        assert rows == []

    def test_since(self, ctx: Context, clock: Clock, desk_cases: list[CaseNumber]) -> None:
        since = clock.now - timedelta(minutes=1, seconds=30)
        rows = everything(ctx, "lena", FeedScope.ALL, FeedFilter(since=since))
        assert [r.kind for r in rows] == ["status", "comment"]
        assert all(r.at >= since for r in rows)


class TestSeen:
    def test_last_looked_is_remembered_and_only_moves_forward(
        self, ctx: Context, clock: Clock
    ) -> None:
        assert feed_svc.seen_at(ctx, "alice") is None
        feed_svc.mark_seen(ctx, "alice", clock.now)
        assert feed_svc.seen_at(ctx, "alice") == clock.now
        feed_svc.mark_seen(ctx, "alice", clock.now - timedelta(hours=1))
        assert feed_svc.seen_at(ctx, "alice") == clock.now
        assert feed_svc.seen_at(ctx, "bob") is None
