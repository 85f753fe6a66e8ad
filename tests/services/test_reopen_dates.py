"""Issue 12: reopen gives new dates (no instant `overdue 43 d`), a sub-case created
afterwards is not overdue, Waiting may move the due in the same transaction, and a
refusal names the field it concerns."""

from datetime import date, timedelta

import pytest
from lifecycle_support import N1, N2, SUB1, create, detail
from support import Clock

from helpdesk_tui.domain.enums import ActivityKind, Resolution, Status
from helpdesk_tui.domain.errors import NotFoundError, ValidationError
from helpdesk_tui.services import cases as svc
from helpdesk_tui.services.context import Context

# The fixtures' clock starts at 2026-11-23: a case created then is due 2026-12-07.


def test_reopen_moves_the_dates_to_today_plus_the_configured_days(
    ctx: Context, clock: Clock
) -> None:
    create(ctx)
    svc.close_case(ctx, "alice", N1, Resolution.SOLVED)
    clock.advance(days=57)  # 2027-01-19: the old due is 43 days past
    assert svc.reopen_case(ctx, "lena", N1, comment="again") == [N1]
    case = detail(ctx, N1).case
    today = clock.now.date()
    assert (case.status, case.due, case.reminder) == (
        "open",
        today + timedelta(days=14),
        today + timedelta(days=7),
    )
    reopened = detail(ctx, N1).activities[-1]
    assert reopened.kind == ActivityKind.REOPENED
    assert reopened.changes["due"] == ["2026-12-07", "2027-02-02"]


def test_reopen_with_dates_given(ctx: Context, clock: Clock) -> None:
    create(ctx)
    svc.close_case(ctx, "alice", N1, Resolution.SOLVED)
    clock.advance(days=57)
    svc.reopen_case(ctx, "lena", N1, due=date(2027, 3, 1), reminder=date(2027, 2, 1))
    case = detail(ctx, N1).case
    assert (case.due, case.reminder) == (date(2027, 3, 1), date(2027, 2, 1))


def test_a_refused_reopen_changes_nothing_and_names_the_field(ctx: Context) -> None:
    create(ctx)
    svc.close_case(ctx, "alice", N1, Resolution.SOLVED)
    with pytest.raises(ValidationError, match=r"^reminder 2027-03-02 is after due") as caught:
        svc.reopen_case(ctx, "lena", N1, due=date(2027, 3, 1), reminder=date(2027, 3, 2))
    assert caught.value.field == "reminder"
    assert detail(ctx, N1).case.status == "closed"


def test_a_sub_case_created_after_a_reopen_is_not_overdue(ctx: Context, clock: Clock) -> None:
    create(ctx)
    svc.close_case(ctx, "alice", N1, Resolution.SOLVED)
    clock.advance(days=57)
    svc.reopen_case(ctx, "lena", N1)
    sub = create(ctx, "Ersatzteil", parent=N1)
    assert detail(ctx, sub).case.due >= clock.now.date()


def test_reopening_a_sub_case_reopens_its_parent_with_room_for_its_due(
    ctx: Context, clock: Clock
) -> None:
    create(ctx)
    create(ctx, "one", parent=N1)
    svc.close_case(ctx, "alice", SUB1, Resolution.SOLVED, close_parent=True)
    clock.advance(days=57)
    assert svc.reopen_case(ctx, "lena", SUB1, due=date(2027, 3, 1)) == [SUB1, N1]
    parent, sub = detail(ctx, N1).case, detail(ctx, SUB1).case
    assert (parent.status, sub.status) == ("open", "open")
    assert sub.due == date(2027, 3, 1)
    assert parent.due == date(2027, 3, 1)  # not before its sub-case's
    assert parent.due > clock.now.date()


def test_waiting_moves_the_due_in_the_same_transaction(ctx: Context) -> None:
    create(ctx)
    with pytest.raises(ValidationError, match=r"^reminder 2026-12-20 is after due 2026-12-07$"):
        svc.change_status(
            ctx, "alice", N1, Status.WAITING, comment="parts", reminder=date(2026, 12, 20)
        )
    svc.change_status(
        ctx,
        "alice",
        N1,
        Status.WAITING,
        comment="parts",
        reminder=date(2026, 12, 20),
        due=date(2026, 12, 31),
    )
    found = detail(ctx, N1)
    assert (found.case.status, found.case.due, found.case.reminder) == (
        "waiting",
        date(2026, 12, 31),
        date(2026, 12, 20),
    )
    entry = found.activities[-1]
    assert entry.changes["due"] == ["2026-12-07", "2026-12-31"]
    assert entry.changes["status"] == ["open", "waiting"]


def test_a_sub_case_due_may_not_pass_its_parents_when_waiting(ctx: Context) -> None:
    create(ctx)
    sub = create(ctx, "one", parent=N1)
    with pytest.raises(ValidationError, match=r"cannot be after its parent's due") as caught:
        svc.change_status(
            ctx,
            "alice",
            sub,
            Status.WAITING,
            comment="parts",
            reminder=date(2026, 12, 20),
            due=date(2026, 12, 31),
        )
    assert caught.value.field == "due"
    assert detail(ctx, sub).case.status == "open"


def test_duplicate_of_an_unknown_case_names_the_field(ctx: Context) -> None:
    create(ctx)
    with pytest.raises(NotFoundError, match=r"^no case 0000002$") as caught:
        svc.close_case(ctx, "alice", N1, Resolution.DUPLICATE, duplicate_of=N2)
    assert caught.value.field == "duplicate_of"
