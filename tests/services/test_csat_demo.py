"""The demo's ratings (issue 15 §7): its most recently closed solved cases carry a
customer's rating each, recorded as the customer's (no agent), a few hours after the
close, so the dashboard has an average to show."""

from datetime import timedelta

from support import Clock

from helpdesk_tui.domain.enums import Resolution
from helpdesk_tui.services import cases as svc
from helpdesk_tui.services.context import Context
from helpdesk_tui.services.csat import rate_demo
from helpdesk_tui.storage.reads import open_reads


def test_rate_demo_rates_the_newest_solved_cases(ctx: Context, clock: Clock) -> None:
    numbers = [
        svc.create_case(ctx, "alice", subject=f"Fall {i}", contact=f"k{i}@acme.example",
                        group="billing")
        for i in range(5)
    ]  # fmt: skip
    closed_at = {}
    for number in numbers[:4]:
        clock.advance(hours=1)
        resolution = Resolution.DEFERRED if number == numbers[0] else Resolution.SOLVED
        svc.close_case(ctx, "alice", number, resolution)
        closed_at[number] = clock.now
    clock.advance(days=2)
    assert rate_demo(ctx, (5, 3, 4, 1)) == 3
    with open_reads(ctx.location) as store:
        shown = {n: store.case_detail(n) for n in numbers}
    ratings = {n: d.case.csat_rating for n, d in shown.items()}
    assert ratings == {numbers[0]: None, numbers[1]: 4, numbers[2]: 3, numbers[3]: 5,
                       numbers[4]: None}  # fmt: skip
    newest = shown[numbers[3]]
    assert newest.case.csat_at is not None
    late = newest.case.csat_at - (closed_at[numbers[3]] + timedelta(hours=2))
    assert timedelta(0) <= late < timedelta(seconds=1)  # entries are a microsecond apart
    assert newest.activities[-1].changes == {"csat": [None, "5"]}
    assert newest.activities[-1].actor is None
