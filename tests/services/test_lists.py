"""Saved views, query filters and keyset paging over a small dataset (VIEW-1, DATE-1).

The dataset is built once with the clock: cases created on 2026-11-23, two more ten
days later, and the lists are read on that later day, 2026-12-03.
"""

from datetime import date

import pytest

from helpdesk_tui.domain.enums import Priority, Resolution, Status
from helpdesk_tui.domain.errors import NotFoundError
from helpdesk_tui.domain.numbering import CaseNumber, parse_case_number
from helpdesk_tui.domain.query import CaseQuery, parse_query, view_query
from helpdesk_tui.services import cases as svc
from helpdesk_tui.services.context import Context
from helpdesk_tui.storage.reads import CaseSummary, open_reads
from helpdesk_tui.storage.tables import AccountRow

TODAY = date(2026, 12, 3)


@pytest.fixture(scope="module")
def lists_ctx(module_ctx: Context, module_clock) -> Context:
    ctx = module_ctx
    with ctx.uow() as uow:
        uow.session.add(AccountRow(name="ACME GmbH", domain="acme.example"))
        uow.commit()

    def create(subject: str, **kwargs: object) -> CaseNumber:
        kwargs.setdefault("contact", "anna@kunde.example")
        return svc.create_case(ctx, "alice", subject=subject, **kwargs)

    # 0000001 alice's, overdue on the day of listing, reminder passed
    create(
        "Printer jam on floor 2",
        user="alice",
        priority=Priority.HIGH,
        due=date(2026, 12, 1),
        reminder=date(2026, 11, 26),
    )
    # 0000002 billing group, reminder due exactly on the day of listing
    create(
        "Invoice total wrong",
        group="billing",
        type_key="complaint",
        priority=Priority.URGENT,
        contact="max@acme.example",
        due=date(2026, 12, 20),
        reminder=date(2026, 12, 3),
    )
    # 0000003 bob's, waiting
    create("VPN drops", user="bob", due=date(2026, 12, 15))
    svc.change_status(
        ctx,
        "bob",
        CaseNumber(3),
        Status.WAITING,
        comment="router logs from customer IT",
        reminder=date(2026, 12, 10),
    )
    # 0000004 technical group, overdue and reminder passed
    create("Server down", group="technical", due=date(2026, 11, 30), reminder=date(2026, 11, 25))
    # 0000005 alice's, closed (would be overdue)
    create(
        "Old printer question", user="alice", due=date(2026, 11, 28), reminder=date(2026, 11, 24)
    )
    svc.close_case(ctx, "alice", CaseNumber(5), Resolution.SOLVED)
    # 0000006 lena's, in progress, same due as 0000002
    create(
        "Contract renewal",
        user="lena",
        contact="eva@acme.example",
        due=date(2026, 12, 20),
        reminder=date(2026, 12, 17),
    )
    svc.change_status(ctx, "lena", CaseNumber(6), Status.IN_PROGRESS)
    # 0000007 alice's with a sub-case of the same due
    create("Laptop replacement", user="alice", due=date(2027, 1, 15), reminder=date(2026, 12, 20))
    create("Order laptop", user="alice", parent=CaseNumber(7), reminder=date(2026, 12, 20))

    module_clock.advance(days=10)
    assert ctx.today() == TODAY
    # 0000008 billing group, created today with the default dates (due 12-17, reminder 12-10)
    create("Refund request", group="billing", contact="max@acme.example")
    # 0000009 bob's, due today: reminder due but not yet overdue
    create("Password reset", user="bob", due=TODAY)
    return ctx


def numbers(ctx: Context, query: CaseQuery, me: str = "alice", **kwargs: object) -> list[str]:
    return [str(s.number) for s in page(ctx, query, me, **kwargs)]


def page(ctx: Context, query: CaseQuery, me: str = "alice", **kwargs: object) -> list[CaseSummary]:
    with open_reads(ctx.location) as reads:
        return reads.list_cases(query, me=me, today=ctx.today(), **kwargs)


OPEN_IN_DUE_ORDER = [
    "0000004",
    "0000001",
    "0000009",
    "0000003",
    "0000008",
    "0000002",
    "0000006",
    "0000007",
    "0000007-001",
]


@pytest.mark.parametrize(
    ("view", "me", "expected"),
    [
        ("mine", "alice", ["0000001", "0000007", "0000007-001"]),
        ("mine", "bob", ["0000009", "0000003"]),
        ("groups", "alice", ["0000008", "0000002"]),
        ("groups", "bob", ["0000004"]),
        ("groups", "root", []),
        ("unassigned", "alice", ["0000004", "0000008", "0000002"]),
        ("overdue", "alice", ["0000004", "0000001"]),
        ("reminder", "alice", ["0000004", "0000001", "0000009", "0000002"]),
        ("waiting", "alice", ["0000003"]),
        ("open", "alice", OPEN_IN_DUE_ORDER),
        ("closed", "alice", ["0000005"]),
        ("all", "alice", ["0000005", *OPEN_IN_DUE_ORDER]),
    ],
)
def test_saved_views(lists_ctx: Context, view: str, me: str, expected: list[str]) -> None:
    assert numbers(lists_ctx, view_query(view), me) == expected


def test_keyset_paging_walks_all_open_cases_without_gaps_or_duplicates(lists_ctx: Context) -> None:
    seen: list[str] = []
    sizes: list[int] = []
    after = None
    for _ in range(len(OPEN_IN_DUE_ORDER) + 2):  # bounded: a stuck cursor must fail, not hang
        rows = page(lists_ctx, view_query("open"), limit=2, after=after)
        sizes.append(len(rows))
        if not rows:
            break
        seen += [str(r.number) for r in rows]
        after = rows[-1].cursor
    assert seen == OPEN_IN_DUE_ORDER
    assert sizes == [2, 2, 2, 2, 1, 0]


def test_paging_continues_within_a_tie_on_due(lists_ctx: Context) -> None:
    [first] = page(
        lists_ctx, parse_query('account:"ACME GmbH"'), after=("2026-12-17", 8, 0), limit=1
    )
    assert str(first.number) == "0000002"
    assert first.cursor == ("2026-12-20", 2, 0)
    assert numbers(lists_ctx, CaseQuery(), after=first.cursor, limit=3) == [
        "0000006",
        "0000007",
        "0000007-001",
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("prio:high", ["0000001"]),
        ("prio:high,urgent", ["0000001", "0000002"]),
        ("type:complaint", ["0000002"]),
        ("type:ticket prio:urgent", []),
        ("group:billing", ["0000008", "0000002"]),
        ("group:technical,billing", ["0000004", "0000008", "0000002"]),
        ("@me", ["0000005", "0000001", "0000007", "0000007-001"]),
        ("@bob", ["0000009", "0000003"]),
        ("@bob @lena", ["0000009", "0000003", "0000006"]),
        ('account:"ACME GmbH"', ["0000008", "0000002", "0000006"]),
        ('account:"acme gmbh"', ["0000008", "0000002", "0000006"]),
        ("contact:max@acme.example", ["0000008", "0000002"]),
        ("printer", ["0000005", "0000001"]),
        ("PRINTER jam", ["0000001"]),
        ('"order laptop"', ["0000007-001"]),
        ("status:waiting,in_progress", ["0000003", "0000006"]),
        ("is:closed printer", ["0000005"]),
        ("overdue", ["0000004", "0000001"]),
        ("unassigned @me", []),
        ("nothing-matches-this", []),
    ],
)
def test_query_filters(lists_ctx: Context, text: str, expected: list[str]) -> None:
    assert numbers(lists_ctx, parse_query(text)) == expected


def narrowed(view: str, text: str, me: str = "alice") -> CaseQuery:
    return view_query(view).narrowed(parse_query(text), me=me)


def test_a_view_narrowed_by_a_query(lists_ctx: Context) -> None:
    assert numbers(lists_ctx, narrowed("mine", "printer")) == ["0000001"]
    assert numbers(lists_ctx, narrowed("reminder", "group:billing")) == ["0000002"]


@pytest.mark.parametrize(
    ("view", "text", "me", "expected"),
    [
        ("closed", "status:open", "alice", []),  # found 2: listed open and closed cases
        ("open", "status:closed", "alice", []),
        ("mine", "@bob", "alice", []),  # found 2: listed bob's cases too
        ("mine", "@alice", "alice", ["0000001", "0000007", "0000007-001"]),
        ("mine", "prio:high", "alice", ["0000001"]),
        ("waiting", "status:waiting @bob", "alice", ["0000003"]),
        ("groups", "group:technical", "alice", []),
        ("groups", "group:billing", "alice", ["0000008", "0000002"]),
        ("unassigned", "@alice", "alice", []),
        ("closed", "printer", "alice", ["0000005"]),
    ],
)
def test_a_view_and_a_query_are_both_required(
    lists_ctx: Context, view: str, text: str, me: str, expected: list[str]
) -> None:
    query = narrowed(view, text, me)
    assert numbers(lists_ctx, query, me) == expected
    with open_reads(lists_ctx.location) as reads:
        assert reads.count_cases(query, me=me, today=TODAY) == len(expected)


@pytest.mark.parametrize("text", ["7", "0000007", "#7", "#0000007"])
def test_a_number_lists_that_case_first(lists_ctx: Context, text: str) -> None:
    rows = numbers(lists_ctx, parse_query(text))
    assert rows[0] == "0000007"
    assert rows.count("0000007") == 1


@pytest.mark.parametrize("text", ["7-1", "0000007-001", "#7-001"])
def test_a_sub_case_number_lists_that_sub_case_first(lists_ctx: Context, text: str) -> None:
    assert numbers(lists_ctx, parse_query(text))[0] == "0000007-001"


def test_a_number_then_what_else_matches_the_text(lists_ctx: Context) -> None:
    # 0000001 is "Printer jam on floor 2": the number is searched as text too.
    assert numbers(lists_ctx, parse_query("2")) == ["0000002", "0000001"]
    with open_reads(lists_ctx.location) as reads:
        assert reads.count_cases(parse_query("2"), me="alice", today=TODAY) == 2


def test_a_number_obeys_the_view_and_the_other_terms(lists_ctx: Context) -> None:
    assert numbers(lists_ctx, narrowed("closed", "1")) == []
    assert numbers(lists_ctx, narrowed("open", "1 prio:low")) == []
    assert numbers(lists_ctx, narrowed("open", "5")) == []  # 0000005 is closed
    assert numbers(lists_ctx, narrowed("all", "5")) == ["0000005"]


def test_a_number_query_is_one_page(lists_ctx: Context) -> None:
    [first] = page(lists_ctx, parse_query("7"), limit=1)
    assert numbers(lists_ctx, parse_query("7"), after=first.cursor) == []
    assert numbers(lists_ctx, parse_query("7"), from_end=True) == []


def test_an_unknown_number_is_just_text(lists_ctx: Context) -> None:
    assert numbers(lists_ctx, parse_query("4711")) == []


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("@carl", "unknown user @carl in the query"),
        ("@carl @dora prio:high", "unknown users @carl, @dora in the query"),
        ("group:nobody", "unknown group nobody in the query"),
        ("@carl group:x,billing", "unknown user @carl and group x in the query"),
        ("user:carl", "unknown user @carl in the query"),
    ],
)
def test_unknown_users_and_groups_are_named(lists_ctx: Context, text: str, message: str) -> None:
    with open_reads(lists_ctx.location) as reads, pytest.raises(NotFoundError) as refused:
        reads.check_names(parse_query(text))
    assert refused.value.message == message


def test_known_users_and_groups_pass(lists_ctx: Context) -> None:
    with open_reads(lists_ctx.location) as reads:
        reads.check_names(parse_query("@me @bob @Lena group:Billing,technical"))


def test_summaries_carry_what_lists_show(lists_ctx: Context) -> None:
    [summary] = page(lists_ctx, parse_query('"invoice total"'))
    assert summary.number == parse_case_number("0000002")
    assert (summary.subject, summary.type, summary.status, summary.priority) == (
        "Invoice total wrong",
        "complaint",
        "open",
        "urgent",
    )
    assert (summary.delegated_user, summary.delegated_group) == (None, "billing")
    assert (summary.contact_email, summary.account, summary.initiator) == (
        "max@acme.example",
        "ACME GmbH",
        "alice",
    )
    assert (summary.due, summary.reminder) == (date(2026, 12, 20), date(2026, 12, 3))
    assert summary.parent is None
    [sub] = page(lists_ctx, parse_query('"order laptop"'))
    assert sub.parent == CaseNumber(7)
    assert sub.due == date(2027, 1, 15)  # inherited from its parent (SUB-2)


def test_unknown_actor_is_refused_with_a_clear_message(lists_ctx: Context) -> None:
    with pytest.raises(NotFoundError, match=r"^unknown user 'zed'$"):
        svc.assign_to_me(lists_ctx, "zed", CaseNumber(2))
    with open_reads(lists_ctx.location) as reads:
        assert reads.people.agent_exists("alice")
        assert not reads.people.agent_exists("zed")
