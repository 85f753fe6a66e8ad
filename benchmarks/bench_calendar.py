"""Time the business calendar and the SLA clock (issue 15: the pure domain under the SLA
state).

    .venv/bin/python benchmarks/bench_calendar.py [--calls 20000] [--cases 1000000]

Calendar: Europe/Berlin, `mon-thu 08:00-12:00,13:00-17:00; fri 08:00-14:00`, Bavarian
holidays (the holidays package) and an extra closed date. `add_business_minutes` and
`business_minutes_between` on random instants whose spans reach over 1 year and over 3
years, in µs per call (median of 5 rounds), next to a canary: plain datetime arithmetic
(`b - a`, `t + timedelta`) in the same run, so a slow machine shows as a slow canary.
First-use cost: building one year's table (cold), reported apart.

SLA clock: `sla_state` for --cases synthetic cases (random creation in 2026, first
response or not, 0-4 status changes incl. Waiting and Closed), then the queue label and
used share at one `now` per case; seconds in all and µs per case.

Prints one JSON object.
"""

import argparse
import random
import statistics
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from _common import emit

from helpdesk_tui.config import holiday_source
from helpdesk_tui.domain.calendar import BusinessCalendar, parse_duration, parse_hours
from helpdesk_tui.domain.enums import Status
from helpdesk_tui.domain.sla import (
    SlaPolicy,
    StatusChange,
    due_levels,
    parse_escalation,
    sla_state,
)

ZONE = ZoneInfo("Europe/Berlin")
HOURS = "mon-thu 08:00-12:00,13:00-17:00; fri 08:00-14:00"
BASE = datetime(2026, 1, 1, tzinfo=UTC)


def calendar() -> BusinessCalendar:
    public = holiday_source("DE-BY")

    def closed(year: int) -> set[date]:
        return {*public(year), date(year, 12, 24)}

    return BusinessCalendar(ZONE, parse_hours(HOURS), closed)


def per_call_us(work: Callable[[], None], calls: int, rounds: int = 5) -> float:
    samples = []
    for _ in range(rounds):
        start = time.perf_counter()
        work()
        samples.append((time.perf_counter() - start) / calls * 1e6)
    return round(statistics.median(samples), 3)


def spans(rng: random.Random, calls: int, days: int) -> list[tuple[datetime, datetime]]:
    pairs = []
    for _ in range(calls):
        a = BASE + timedelta(seconds=rng.randrange(days * 86400))
        b = a + timedelta(seconds=rng.randrange(days * 86400))
        pairs.append((a, b))
    return pairs


def bench_calendar(calls: int) -> dict[str, object]:
    rng = random.Random(15)
    cal = calendar()
    start = time.perf_counter()
    cal.business_minutes_between(datetime(2040, 1, 1, tzinfo=UTC), datetime(2040, 6, 1, tzinfo=UTC))
    cold_year_ms = (time.perf_counter() - start) * 1000
    result: dict[str, object] = {"cold_year_table_ms": round(cold_year_ms, 3)}
    for label, days in (("1y", 365), ("3y", 3 * 365)):
        pairs = spans(rng, calls, days)
        minutes = [rng.randrange(days * 8 * 60 * 5 // 7) for _ in range(calls)]
        for a, b in pairs:  # warm the year tables (each built once per calendar)
            cal.business_minutes_between(a, b)

        def between(pairs: list[tuple[datetime, datetime]] = pairs) -> None:
            for a, b in pairs:
                cal.business_minutes_between(a, b)

        def add(
            pairs: list[tuple[datetime, datetime]] = pairs, minutes: list[int] = minutes
        ) -> None:
            for (a, _), n in zip(pairs, minutes, strict=True):
                cal.add_business_minutes(a, n)

        def canary(
            pairs: list[tuple[datetime, datetime]] = pairs, minutes: list[int] = minutes
        ) -> None:
            for (a, b), n in zip(pairs, minutes, strict=True):
                _ = b - a
                _ = a + timedelta(minutes=n)

        result[f"between_{label}_us"] = per_call_us(between, calls)
        result[f"add_{label}_us"] = per_call_us(add, calls)
        result[f"canary_datetime_arith_{label}_us"] = per_call_us(canary, calls)
    return result


STATUSES = [Status.IN_PROGRESS, Status.WAITING, Status.OPEN, Status.WAITING, Status.CLOSED]


def synthetic_cases(rng: random.Random, count: int) -> list[tuple]:  # type: ignore[type-arg]
    cases = []
    for _ in range(count):
        created = BASE + timedelta(seconds=rng.randrange(365 * 86400))
        first = (
            created + timedelta(minutes=rng.randrange(3 * 24 * 60)) if rng.random() < 0.7 else None
        )
        history = []
        at = created
        for status in STATUSES[: rng.randrange(5)]:
            at += timedelta(minutes=rng.randrange(1, 4 * 24 * 60))
            history.append(StatusChange(at, status))
        now = at + timedelta(minutes=rng.randrange(5 * 24 * 60))
        cases.append((created, first, history, now))
    return cases


def bench_sla(count: int, chunk: int = 50_000) -> dict[str, object]:
    rng = random.Random(1515)
    cal = calendar()
    policy = SlaPolicy("default", parse_duration("4h"), parse_duration("3d"))
    levels = [parse_escalation("75%", "delegate"), parse_escalation("100%+4h", "admins")]
    cal.business_minutes_between(BASE - timedelta(days=2), BASE + timedelta(days=800))  # warm
    computed = labelled = leveled = 0.0
    breached = fired = 0
    for done in range(0, count, chunk):  # in chunks: a million cases at once is gigabytes
        cases = synthetic_cases(rng, min(chunk, count - done))
        start = time.perf_counter()
        states = [
            sla_state(policy, cal, created, first, history) for created, first, history, _ in cases
        ]
        computed += time.perf_counter() - start
        start = time.perf_counter()
        labels = [
            (state.label(now), state.used_share(now))
            for state, (_, _, _, now) in zip(states, cases, strict=True)
        ]
        labelled += time.perf_counter() - start
        start = time.perf_counter()
        fired += sum(
            len(due_levels(levels, clock, now))
            for state, (_, _, _, now) in zip(states, cases, strict=True)
            for clock in state.clocks
        )
        leveled += time.perf_counter() - start
        breached += sum(1 for label, _ in labels if label.startswith("breached"))
    return {
        "cases": count,
        "sla_state_total_s": round(computed, 2),
        "sla_state_per_case_us": round(computed / count * 1e6, 2),
        "label_and_share_total_s": round(labelled, 2),
        "due_levels_total_s": round(leveled, 2),
        "sanity": {"breached_labels": breached, "levels_due": fired},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--calls", type=int, default=20_000)
    parser.add_argument("--cases", type=int, default=1_000_000)
    args = parser.parse_args()
    emit({"calendar": bench_calendar(args.calls), "sla_clock": bench_sla(args.cases)})


if __name__ == "__main__":
    main()
