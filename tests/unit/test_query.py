"""The query syntax and saved views of VIEW-1."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from helpdesk_tui.domain.enums import Priority, Status
from helpdesk_tui.domain.errors import QueryError
from helpdesk_tui.domain.numbering import CaseNumber
from helpdesk_tui.domain.query import ME, VIEWS, CaseQuery, parse_query, view_query


class TestKeys:
    def test_empty_query_filters_nothing(self) -> None:
        assert parse_query("") == CaseQuery()
        assert parse_query("   ") == CaseQuery()

    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            ("status:open", CaseQuery(statuses=frozenset({Status.OPEN}))),
            ("status:In-Progress", CaseQuery(statuses=frozenset({Status.IN_PROGRESS}))),
            (
                "status:waiting,closed",
                CaseQuery(statuses=frozenset({Status.WAITING, Status.CLOSED})),
            ),
            ("prio:high", CaseQuery(priorities=frozenset({Priority.HIGH}))),
            ("priority:LOW", CaseQuery(priorities=frozenset({Priority.LOW}))),
            (
                "prio:high,urgent",
                CaseQuery(priorities=frozenset({Priority.HIGH, Priority.URGENT})),
            ),
            ("type:Complaint", CaseQuery(types=frozenset({"complaint"}))),
            ("group:Billing,technical", CaseQuery(groups=frozenset({"billing", "technical"}))),
            ("account:ACME", CaseQuery(accounts=frozenset({"ACME"}))),
            ('account:"ACME GmbH"', CaseQuery(accounts=frozenset({"ACME GmbH"}))),
            ("contact:Kunde@Acme.example", CaseQuery(contacts=frozenset({"kunde@acme.example"}))),
            ("user:Bob", CaseQuery(users=frozenset({"@bob"}))),
            ("user:@bob,alice", CaseQuery(users=frozenset({"@bob", "@alice"}))),
            ("STATUS:open", CaseQuery(statuses=frozenset({Status.OPEN}))),
        ],
    )
    def test_each_key(self, text: str, expected: CaseQuery) -> None:
        assert parse_query(text) == expected

    def test_a_key_given_twice_collects_both_values(self) -> None:
        assert parse_query("prio:high prio:low").priorities == {Priority.HIGH, Priority.LOW}

    def test_unknown_key_is_refused_naming_the_known_ones(self) -> None:
        with pytest.raises(
            QueryError,
            match=r"^unknown filter 'colour:' \(known: account, contact, group, prio, priority, "
            r"status, type, user\)$",
        ):
            parse_query("colour:red")

    def test_bad_status_value_is_refused(self) -> None:
        with pytest.raises(QueryError, match=r"^unknown status 'done' \(known: open, "):
            parse_query("status:done")

    def test_bad_priority_value_is_refused(self) -> None:
        with pytest.raises(QueryError, match=r"^unknown priority 'hot' \(known: "):
            parse_query("prio:high,hot")

    def test_key_without_value_is_refused(self) -> None:
        with pytest.raises(QueryError, match=r"^prio: needs a value$"):
            parse_query("prio:")

    def test_unbalanced_quote_runs_to_the_end(self) -> None:
        # lenient on purpose: the query bar must not shout while a phrase is being typed
        assert parse_query('prio:high "printer jam').words == ("printer jam",)
        assert parse_query('"subject:x').words == ("subject:x",)


class TestUsersAndFlags:
    def test_at_me_and_at_user(self) -> None:
        assert parse_query("@me").users == {ME}
        assert parse_query("@Alice").users == {"@alice"}
        assert parse_query("@me @bob").users == {"@me", "@bob"}

    def test_a_lone_at_sign_is_a_word(self) -> None:
        assert parse_query("@") == CaseQuery(words=("@",))

    def test_overdue_and_unassigned_are_bare_flags(self) -> None:
        assert parse_query("overdue unassigned") == CaseQuery(overdue=True, unassigned=True)
        assert parse_query("OVERDUE").overdue

    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            ("is:reminder", CaseQuery(reminder_due=True)),
            ("is:overdue", CaseQuery(overdue=True)),
            ("is:unassigned", CaseQuery(unassigned=True)),
            ("is:open", CaseQuery(not_closed=True)),
            ("is:closed", CaseQuery(statuses=frozenset({Status.CLOSED}))),
            ("IS:Reminder", CaseQuery(reminder_due=True)),
        ],
    )
    def test_is_flags(self, text: str, expected: CaseQuery) -> None:
        assert parse_query(text) == expected

    def test_unknown_is_flag_is_refused(self) -> None:
        with pytest.raises(
            QueryError, match=r"^unknown is:late \(known: closed, open, overdue, reminder, "
        ):
            parse_query("is:late")

    def test_flag_words_other_than_overdue_and_unassigned_stay_text(self) -> None:
        assert parse_query("cannot open file").words == ("cannot", "open", "file")
        assert parse_query("reminder").words == ("reminder",)


class TestWords:
    def test_bare_words_and_quoted_phrase(self) -> None:
        query = parse_query('printer "paper jam: tray 2" Toner')
        assert query.words == ("printer", "paper jam: tray 2", "Toner")

    def test_combined_query(self) -> None:
        assert parse_query('status:open prio:high @me type:complaint overdue "printer jam"') == (
            CaseQuery(
                statuses=frozenset({Status.OPEN}),
                priorities=frozenset({Priority.HIGH}),
                users=frozenset({ME}),
                types=frozenset({"complaint"}),
                overdue=True,
                words=("printer jam",),
            )
        )

    @given(st.lists(st.from_regex(r"[a-z]{1,12}", fullmatch=True), max_size=5))
    def test_plain_words_are_kept_in_order(self, words: list[str]) -> None:
        words = [w for w in words if w not in ("overdue", "unassigned")]
        assert parse_query(" ".join(words)).words == tuple(words)


class TestViews:
    @pytest.mark.parametrize(
        ("view", "expected"),
        [
            ("mine", CaseQuery(users=frozenset({ME}), not_closed=True)),
            ("groups", CaseQuery(my_groups=True, not_closed=True)),
            ("unassigned", CaseQuery(unassigned=True, not_closed=True)),
            ("overdue", CaseQuery(overdue=True, not_closed=True)),
            ("reminder", CaseQuery(reminder_due=True, not_closed=True)),
            ("waiting", CaseQuery(statuses=frozenset({Status.WAITING}))),
            ("open", CaseQuery(not_closed=True)),
            ("closed", CaseQuery(statuses=frozenset({Status.CLOSED}))),
            ("all", CaseQuery()),
        ],
    )
    def test_each_saved_view(self, view: str, expected: CaseQuery) -> None:
        assert view_query(view) == expected
        assert view_query(f" {view.upper()} ") == expected

    def test_all_nine_views_are_known(self) -> None:
        assert len(VIEWS) == 9
        for view in VIEWS:
            view_query(view)

    def test_unknown_view_is_refused_naming_the_known_ones(self) -> None:
        with pytest.raises(
            QueryError, match=r"^unknown view 'later' \(known: mine, groups, unassigned, "
        ):
            view_query("later")


class TestViewAndQuery:
    """Found 2 of issue 12: a view narrowed by a typed query is both at once (AND)."""

    def test_closed_view_and_status_open_matches_nothing(self) -> None:
        both = view_query("closed").narrowed(parse_query("status:open"), me="alice")
        assert both.nothing

    def test_open_view_and_status_closed_matches_nothing(self) -> None:
        assert view_query("open").narrowed(parse_query("is:closed"), me="alice").nothing
        assert view_query("overdue").narrowed(parse_query("status:closed"), me="a").nothing

    def test_statuses_of_both_intersect(self) -> None:
        both = parse_query("status:waiting,open").narrowed(
            parse_query("status:open,closed"), me="alice"
        )
        assert both.statuses == {Status.OPEN}
        assert not both.nothing

    def test_my_cases_and_another_user_match_nothing(self) -> None:
        assert view_query("mine").narrowed(parse_query("@bjoern"), me="alice").nothing

    def test_my_cases_and_my_own_name_are_mine(self) -> None:
        both = view_query("mine").narrowed(parse_query("@Alice"), me="alice")
        assert not both.nothing
        assert both.users == {"@alice"}

    def test_unassigned_and_a_user_match_nothing(self) -> None:
        assert view_query("unassigned").narrowed(parse_query("@bob"), me="alice").nothing

    @pytest.mark.parametrize(
        ("left", "right"),
        [
            ("prio:high", "prio:low"),
            ("type:complaint", "type:ticket"),
            ("group:billing", "group:technical"),
            ("account:ACME", "account:Other"),
            ("contact:a@x.example", "contact:b@x.example"),
        ],
    )
    def test_disjoint_values_of_one_key_match_nothing(self, left: str, right: str) -> None:
        assert parse_query(left).narrowed(parse_query(right), me="alice").nothing

    def test_accounts_intersect_ignoring_case(self) -> None:
        both = parse_query("account:ACME").narrowed(parse_query("account:acme"), me="a")
        assert not both.nothing
        assert len(both.accounts) == 1

    def test_a_narrowed_view_keeps_both_filters(self) -> None:
        both = view_query("mine").narrowed(parse_query("prio:high printer"), me="alice")
        assert both == CaseQuery(
            users=frozenset({ME}),
            not_closed=True,
            priorities=frozenset({Priority.HIGH}),
            words=("printer",),
        )

    def test_flags_add_up(self) -> None:
        both = view_query("reminder").narrowed(parse_query("overdue unassigned"), me="a")
        assert (both.reminder_due, both.overdue, both.unassigned, both.not_closed) == (
            True,
            True,
            True,
            True,
        )

    def test_a_query_that_contradicts_itself_matches_nothing(self) -> None:
        assert parse_query("status:closed overdue").nothing
        assert not parse_query("status:closed").nothing

    @given(
        st.sampled_from(VIEWS),
        st.lists(st.sampled_from(["status:open", "status:closed", "prio:high", "@bob", "@me"])),
    )
    def test_narrowing_never_widens(self, view: str, terms: list[str]) -> None:
        base, typed = view_query(view), parse_query(" ".join(terms))
        both = base.narrowed(typed, me="alice")
        if both.nothing:
            return
        for part in (base, typed):
            if part.statuses:
                assert both.statuses <= part.statuses
            if part.users and ME not in part.users:
                assert both.users <= part.users
            assert both.not_closed >= part.not_closed


class TestNumbers:
    """Found 3 of issue 12: a case number in a query finds that case."""

    @pytest.mark.parametrize(
        ("text", "number"),
        [
            ("27", CaseNumber(27)),
            ("0000027", CaseNumber(27)),
            ("27-2", CaseNumber(27, 2)),
            ("0000027-002", CaseNumber(27, 2)),
            ("#27", CaseNumber(27)),
            ("#0000027-002", CaseNumber(27, 2)),
        ],
    )
    def test_each_form_of_a_number(self, text: str, number: CaseNumber) -> None:
        query = parse_query(text)
        assert query.numbers == {number}
        assert query.words == (text,)  # also searched as text (mails quote numbers)

    @pytest.mark.parametrize("text", ["0", "12345678", "27-0", "27-1234", "27a", "2.7"])
    def test_other_digits_are_words_only(self, text: str) -> None:
        query = parse_query(text)
        assert query.numbers == frozenset()
        assert query.words == (text,)

    def test_numbers_combine_with_filters(self) -> None:
        query = parse_query("27 prio:high")
        assert query.numbers == {CaseNumber(27)}
        assert query.priorities == {Priority.HIGH}

    def test_numbers_survive_narrowing(self) -> None:
        both = view_query("open").narrowed(parse_query("#27"), me="alice")
        assert both.numbers == {CaseNumber(27)}
        assert both.not_closed
