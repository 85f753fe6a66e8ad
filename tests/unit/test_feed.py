"""The activity feed's rules (issue 13): one-line summaries, the filter syntax, scopes."""

from datetime import UTC, datetime, timedelta

import pytest

from helpdesk_tui.domain.enums import Role
from helpdesk_tui.domain.errors import PermissionDeniedError, QueryError, ValidationError
from helpdesk_tui.domain.feed import (
    FeedFilter,
    FeedScope,
    age,
    check_scope,
    parse_feed_filter,
    parse_kinds,
    parse_scope,
    parse_since,
    summary,
)
from helpdesk_tui.domain.numbering import CaseNumber

NOW = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)


class TestSummary:
    def test_status_is_old_to_new(self) -> None:
        assert summary("status", {"status": ["open", "waiting"]}, "") == "open → waiting"

    def test_status_with_its_comment(self) -> None:
        line = summary("status", {"status": ["waiting", "open"]}, "customer replied")
        assert line == "waiting → open: customer replied"

    def test_delegation_names_the_new_holder(self) -> None:
        changes = {"delegated_user": [None, "bob"], "delegated_group": ["billing", None]}
        assert summary("delegation", changes, "") == "→ bob"

    def test_delegation_to_a_group(self) -> None:
        changes = {"delegated_user": ["bob", None], "delegated_group": [None, "billing"]}
        assert summary("delegation", changes, "please look") == "→ @billing: please look"

    def test_comment_is_its_first_line_cut(self) -> None:
        text = "First line\nsecond line " + "x" * 200
        line = summary("comment", {}, text)
        assert line.startswith("First line second line x")
        assert len(line) == 100
        assert line.endswith("…")

    def test_mail_in_names_the_sender(self) -> None:
        assert (
            summary("mail_in", {}, "Hello", mail_from="Anna Nowak") == "mail from Anna Nowak: Hello"
        )

    def test_closed_with_resolution(self) -> None:
        changes = {"status": ["open", "closed"], "resolution": [None, "solved"]}
        assert summary("closed", changes, "") == "closed (solved)"

    def test_edit_lists_the_first_change(self) -> None:
        changes = {"priority": ["normal", "high"], "due": ["2026-12-01", "2026-12-09"]}
        assert summary("edit", changes, "") == "priority normal → high (+1 more)"

    def test_untrusted_text_stays_one_safe_line(self) -> None:
        line = summary("mail_in", {}, "a\x1b[31mred\u202e\nb", mail_from="Eve\x07")
        assert "\x1b" not in line
        assert "\u202e" not in line
        assert "\n" not in line
        assert "\x07" not in line


class TestFilter:
    def test_the_issue_example(self) -> None:
        feed = parse_feed_filter("kind:mail @bob since:2d case:27", NOW)
        assert feed == FeedFilter(
            kinds=frozenset({"mail_in", "mail_out"}),
            actors=frozenset({"bob"}),
            case=CaseNumber(27),
            since=NOW - timedelta(days=2),
        )

    def test_empty_text_is_no_filter(self) -> None:
        assert parse_feed_filter("   ", NOW).empty

    def test_several_kinds_and_actors(self) -> None:
        feed = parse_feed_filter("kind:status,comment @Bob by:alice case:0000027-002", NOW)
        assert feed.kinds == {"status", "comment"}
        assert feed.actors == {"bob", "alice"}
        assert feed.case == CaseNumber(27, 2)

    @pytest.mark.parametrize(
        ("text", "message"),
        [
            ("kind:nonsense", "unknown kind 'nonsense'"),
            ("colour:red", "unknown filter 'colour:red'"),
            ("printer", "unknown filter 'printer'"),
            ("since:", "since: needs a value"),
            ("since:yesterday", "not a time: 'yesterday'"),
            ("case:abc", "abc"),
            ("@", "@ needs a user name"),
        ],
    )
    def test_bad_filters_are_refused_with_a_reason(self, text: str, message: str) -> None:
        with pytest.raises(QueryError, match=message):
            parse_feed_filter(text, NOW)

    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            ("3h", NOW - timedelta(hours=3)),
            ("30m", NOW - timedelta(minutes=30)),
            ("1w", NOW - timedelta(weeks=1)),
            ("2026-12-01", datetime(2026, 12, 1, tzinfo=UTC)),
            ("2026-12-01T10:00:00+01:00", datetime(2026, 12, 1, 9, tzinfo=UTC)),
        ],
    )
    def test_since(self, text: str, expected: datetime) -> None:
        assert parse_since(text, NOW) == expected

    def test_kind_aliases(self) -> None:
        assert parse_kinds("reply,delegated") == {"mail_out", "delegation"}


class TestScope:
    def test_agents_are_refused_everything(self) -> None:
        with pytest.raises(PermissionDeniedError, match="only leads and admins"):
            check_scope(FeedScope.ALL, Role.AGENT)

    @pytest.mark.parametrize("role", [Role.LEAD, Role.ADMIN])
    def test_leads_and_admins_see_everything(self, role: Role) -> None:
        check_scope(FeedScope.ALL, role)

    def test_agents_see_their_own_scopes(self) -> None:
        check_scope(FeedScope.MINE, Role.AGENT)
        check_scope(FeedScope.GROUPS, Role.AGENT)

    def test_parse_scope(self) -> None:
        assert parse_scope(" Groups ") is FeedScope.GROUPS
        with pytest.raises(ValidationError, match="unknown scope 'team'"):
            parse_scope("team")


@pytest.mark.parametrize(
    ("ago", "shown"),
    [
        (timedelta(seconds=59), "now"),
        (timedelta(minutes=5), "5m"),
        (timedelta(hours=3, minutes=59), "3h"),
        (timedelta(days=2), "2d"),
        (timedelta(days=20), "2w"),
        (timedelta(days=800), "2y"),
    ],
)
def test_age(ago: timedelta, shown: str) -> None:
    assert age(NOW - ago, NOW) == shown
