"""Next case (ASSIGN-2) and bulk actions on marked cases (TUI-4)."""

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from support import Clock

from helpdesk_tui.domain.enums import Priority, Resolution, Role, Status
from helpdesk_tui.domain.numbering import CaseNumber
from helpdesk_tui.services import cases, queue
from helpdesk_tui.services.context import Context
from helpdesk_tui.services.people import AgentSpec, GroupSpec, sync_people
from helpdesk_tui.storage.location import locate
from helpdesk_tui.storage.reads import open_reads

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


@pytest.fixture
def desk(tmp_path: Path) -> tuple[Context, Clock]:
    """alice and bob in billing, carl in technical."""
    clock = Clock(NOW)
    ctx = Context(locate(str(tmp_path / "hd.sqlite")), clock=clock)
    ctx.migrate()
    sync_people(
        ctx,
        [
            AgentSpec("alice"),
            AgentSpec("bob"),
            AgentSpec("carl"),
            AgentSpec("lena", role=Role.LEAD),
        ],
        [
            GroupSpec("billing", lead="lena", members=("alice", "bob", "lena")),
            GroupSpec("technical", members=("carl",)),
        ],
    )
    return ctx, clock


def _case(
    ctx: Context,
    clock: Clock,
    subject: str,
    *,
    days_ago: int,
    due_in: int,
    priority: Priority = Priority.NORMAL,
    group: str = "billing",
) -> CaseNumber:
    clock.now = NOW - timedelta(days=days_ago)
    number = cases.create_case(
        ctx,
        "lena",
        subject=subject,
        contact="k@acme.de",
        group=group,
        priority=priority,
        due=NOW.date() + timedelta(days=due_in),
        reminder=NOW.date() - timedelta(days=days_ago),
    )
    clock.now = NOW
    return number


def test_next_case_takes_overdue_then_priority_then_age(desk: tuple[Context, Clock]) -> None:
    ctx, clock = desk
    old_low = _case(ctx, clock, "alt, niedrig", days_ago=9, due_in=5, priority=Priority.LOW)
    new_urgent = _case(ctx, clock, "neu, dringend", days_ago=1, due_in=5, priority=Priority.URGENT)
    old_urgent = _case(ctx, clock, "alt, dringend", days_ago=3, due_in=5, priority=Priority.URGENT)
    overdue_low = _case(ctx, clock, "überfällig", days_ago=20, due_in=-1, priority=Priority.LOW)
    _case(ctx, clock, "andere Gruppe", days_ago=30, due_in=-5, group="technical")
    taken = [queue.next_case(ctx, "alice") for _ in range(5)]
    assert taken == [overdue_low, old_urgent, new_urgent, old_low, None]
    with open_reads(ctx.location) as store:
        assert store.case_detail(overdue_low).case.delegated_user == "alice"


def test_next_case_skips_what_someone_else_took(desk: tuple[Context, Clock]) -> None:
    ctx, clock = desk
    first = _case(ctx, clock, "eins", days_ago=5, due_in=-1)
    second = _case(ctx, clock, "zwei", days_ago=4, due_in=3)
    cases.assign_to_me(ctx, "bob", first)
    assert queue.next_case(ctx, "alice") == second


def test_bulk_close_previews_and_reports_refusals(desk: tuple[Context, Clock]) -> None:
    ctx, clock = desk
    numbers = [_case(ctx, clock, f"Fall {i}", days_ago=2, due_in=5) for i in range(4)]
    cases.change_status(ctx, "alice", numbers[0], Status.IN_PROGRESS)
    sub = cases.create_case(
        ctx, "alice", subject="Teil", contact="k@acme.de", group="billing", parent=numbers[1]
    )
    preview = queue.preview_close(ctx, "alice", numbers, Resolution.SOLVED)
    reason = f"cannot close {numbers[1]}: sub-case {sub} is still open"
    assert preview.line() == "3 cases: 1 in_progress, 2 open → closed (solved), 1 refused"
    assert preview.lines() == [
        f"{numbers[0]}  in_progress → closed (solved)",
        f"{numbers[2]}  open → closed (solved)",
        f"{numbers[3]}  open → closed (solved)",
        f"{numbers[1]}  refused: {reason}",
    ]
    # the preview is a dry run: nothing changed
    with open_reads(ctx.location) as store:
        assert [c.status for c in store.summaries(numbers)] == ["in_progress"] + ["open"] * 3
    # with the sub-case marked too, the parent is not refused (sub-cases close first)
    both = queue.preview_close(ctx, "alice", [numbers[1], sub], Resolution.SOLVED)
    assert both.refused == []
    result = queue.bulk_close(ctx, "alice", numbers, Resolution.SOLVED)
    assert result.done == [numbers[0], numbers[2], numbers[3]]
    assert result.refused == {numbers[1]: reason}
    assert result.line("closed") == f"3 closed, 1 refused ({numbers[1]}: {reason})"
    # marking the sub-case too closes both: sub-cases go first
    again = queue.bulk_close(ctx, "alice", [numbers[1], sub], Resolution.SOLVED)
    assert again.done == [sub, numbers[1]]


def test_bulk_preview_of_one_status(desk: tuple[Context, Clock]) -> None:
    ctx, clock = desk
    numbers = [_case(ctx, clock, f"Fall {i}", days_ago=2, due_in=5) for i in range(37)]
    line = queue.preview_close(ctx, "alice", numbers, Resolution.SOLVED).line()
    assert line == "37 cases: open → closed (solved)"
    lines = queue.preview_close(ctx, "alice", numbers, Resolution.SOLVED).lines()
    assert len(lines) == 9
    assert lines[-1] == "… and 29 more"


def test_bulk_status_preview_names_each_refusal(desk: tuple[Context, Clock]) -> None:
    """Waiting with a reminder past one case's due: that case is refused, by name."""
    ctx, clock = desk
    soon = _case(ctx, clock, "bald", days_ago=2, due_in=2)
    later = _case(ctx, clock, "später", days_ago=2, due_in=20)
    reminder = clock.now.date() + timedelta(days=10)
    preview = queue.preview_status(
        ctx, "alice", [soon, later], Status.WAITING, comment="Teile", reminder=reminder
    )
    due = clock.now.date() + timedelta(days=2)
    assert preview.lines() == [
        f"{later}  open → waiting",
        f"{soon}  refused: reminder {reminder} is after due {due}",
    ]
    assert preview.line() == "1 case: open → waiting, 1 refused"


def test_bulk_delegate_status_and_comment(desk: tuple[Context, Clock]) -> None:
    ctx, clock = desk
    numbers = [_case(ctx, clock, f"Fall {i}", days_ago=2, due_in=5) for i in range(3)]
    assert queue.bulk_delegate(ctx, "lena", numbers, user="carl").done == numbers
    waiting = queue.bulk_status(
        ctx, "carl", numbers, Status.WAITING, comment="Rückfrage", reminder=date(2026, 11, 25)
    )
    assert waiting.done == numbers
    refused = queue.bulk_status(ctx, "carl", numbers, Status.WAITING, comment="nochmal")
    assert refused.done == []
    assert len(refused.refused) == 3
    assert queue.bulk_comment(ctx, "carl", numbers, "Sammelinfo").done == numbers
    with open_reads(ctx.location) as store:
        for number in numbers:
            detail = store.case_detail(number)
            assert (detail.case.delegated_user, detail.case.status) == ("carl", "waiting")
            assert detail.activities[-1].text == "Sammelinfo"
