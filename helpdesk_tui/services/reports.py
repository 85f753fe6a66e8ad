"""The numbers a team lead steers by (VIEW-3, issue 15 §5/§6): the KPI tiles, the
dashboard's series, `helpdesk report kpi|sla|time`.

Everything reads the per-day counters (services/stats.py keeps them) and index ranges
through the plain read store: no scan of all cases. Days are the business calendar's
(`zone_of`); "now" is the context's clock (HELPDESK_NOW).

Who sees what: leads and admins every group (no group: everything, unassigned cases
too); an agent only the groups they belong to (no group: all of theirs). A group's
cases are those delegated to the group or to one of its members.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from typing import TYPE_CHECKING

from helpdesk_tui.domain.enums import Role
from helpdesk_tui.domain.errors import NotFoundError, PermissionDeniedError, ValidationError
from helpdesk_tui.services.context import Context
from helpdesk_tui.services.stats import CLOCKS, zone_of
from helpdesk_tui.storage.reads import ReadStore, open_reads
from helpdesk_tui.storage.statsmodels import (
    ClockOutcome,
    Dashboard,
    DayCount,
    Kpi,
    SlaReport,
    TimeTotal,
    WeekCompliance,
)
from helpdesk_tui.storage.statsreads import TIME_KEYS, Scope

if TYPE_CHECKING:
    from helpdesk_tui.storage.peoplereads import GroupEntry

#: The KPI period and the dashboard's series: the last PERIOD_DAYS days.
PERIOD_DAYS = 30
#: The SLA compliance chart: the last WEEKS weeks.
WEEKS = 8
#: Net inflow into the backlog per counter (see services/stats.py).
_NET = {
    "created": 1,
    "reopened": 1,
    "transfer_in": 1,
    "closed": -1,
    "transfer_out": -1,
    "deleted": -1,
}


@dataclass(frozen=True)
class _Viewer:
    scope: Scope | None
    members: tuple[str, ...] | None  # the load chart's agents (None: everyone)
    groups: tuple[str, ...]  # what the viewer may filter by


def _viewer(store: ReadStore, user: str, group: str | None) -> _Viewer:
    """The scope `user` may see for `group` (None: all they may see); DomainError for an
    unknown group or one an agent does not belong to."""
    agent = store.people.agents().get(user)
    if agent is None:
        raise NotFoundError(f"no user {user!r}")
    groups = store.people.groups()
    sees_all = agent.role in (Role.LEAD, Role.ADMIN)
    allowed = (
        sorted(groups) if sees_all else sorted(g for g, e in groups.items() if user in e.members)
    )
    if group is not None:
        if group not in groups:
            raise NotFoundError(f"no group {group!r}")
        if group not in allowed:
            raise PermissionDeniedError(f"{user} is no member of group {group!r}")
        chosen: list[str] = [group]
    elif sees_all:
        return _Viewer(None, None, tuple(allowed))
    else:
        chosen = allowed
    return _Viewer(_scope(groups, chosen), _members(groups, chosen), tuple(allowed))


def _scope(groups: dict[str, GroupEntry], chosen: Sequence[str]) -> Scope:
    return Scope(tuple(chosen), _members(groups, chosen))


def _members(groups: dict[str, GroupEntry], chosen: Sequence[str]) -> tuple[str, ...]:
    return tuple(sorted({m for g in chosen for m in groups[g].members}))


def _days(start: date, end: date) -> list[date]:
    return [start + timedelta(days=n) for n in range((end - start).days + 1)]


def _start_of(day: date, zone: tzinfo) -> datetime:
    return datetime.combine(day, time(), zone)


@dataclass(frozen=True)
class _Clock:
    now: datetime
    today: date  # in the zone
    zone: tzinfo


def _clock(ctx: Context) -> _Clock:
    now = ctx.clock()
    zone = zone_of(ctx.policy.sla)
    return _Clock(now, now.astimezone(zone).date(), zone)


def today_of(ctx: Context, *, back: int = 0) -> date:
    """Today in the business calendar's zone (`back` days earlier)."""
    return _clock(ctx).today - timedelta(days=back)


def _kpi(store: ReadStore, ctx: Context, viewer: _Viewer, since: date | None) -> Kpi:
    clock = _clock(ctx)
    start = since if since is not None else clock.today - timedelta(days=PERIOD_DAYS - 1)
    if start > clock.today:
        raise ValidationError(f"--since {start} is after today ({clock.today})")
    rules = ctx.policy.sla
    horizon = rules.risk_horizon(clock.now) if rules is not None else None
    counts = store.stats.open_counts(
        today=ctx.today(), now=clock.now, scope=viewer.scope, horizon=horizon
    )
    counters = store.stats.counters(start, clock.today, viewer.scope)
    days = _days(start, clock.today)
    period_start = _start_of(start, clock.zone)
    return Kpi(
        **counts,
        median_first_response_hours=store.stats.median_hours(
            "sla_first_response_at", period_start, clock.now, viewer.scope
        ),
        median_resolution_hours=store.stats.median_hours(
            "closed_at", period_start, clock.now, viewer.scope
        ),
        created_per_day=tuple(DayCount(d, counters.get((d, "created"), 0)) for d in days),
        closed_per_day=tuple(DayCount(d, counters.get((d, "closed"), 0)) for d in days),
    )


def kpi(ctx: Context, user: str, *, group: str | None = None, since: date | None = None) -> Kpi:
    """`helpdesk report kpi`: the tiles over the last PERIOD_DAYS days (or from `since`)."""
    with open_reads(ctx.location) as store:
        return _kpi(store, ctx, _viewer(store, user, group), since)


def dashboard(ctx: Context, user: str, group: str | None) -> Dashboard:
    """Everything the dashboard screen shows, on one read connection."""
    with open_reads(ctx.location) as store:
        viewer = _viewer(store, user, group)
        kpi_now = _kpi(store, ctx, viewer, None)
        clock = _clock(ctx)
        monday = clock.today - timedelta(days=clock.today.weekday())
        first_week = monday - timedelta(weeks=WEEKS - 1)
        start = min(first_week, clock.today - timedelta(days=PERIOD_DAYS - 1))
        counters = store.stats.counters(start, clock.today, viewer.scope)
        mail = store.conversations.stats(now=clock.now)
        load = store.stats.load(viewer.members)
    period = _days(clock.today - timedelta(days=PERIOD_DAYS - 1), clock.today)
    # The backlog at the end of day D: open now minus the net inflow of the days after D.
    net = {d: sum(counters.get((d, m), 0) * s for m, s in _NET.items()) for d in period}
    backlog: list[DayCount] = []
    level = kpi_now.open
    for day in reversed(period):
        backlog.append(DayCount(day, level))
        level -= net[day]
    weeks: list[WeekCompliance] = []
    for n in range(WEEKS):
        week = first_week + timedelta(weeks=n)
        met = breached = 0
        for (day, metric), value in counters.items():
            if week <= day < week + timedelta(weeks=1):
                if metric.startswith("sla_met:"):
                    met += value
                elif metric.startswith("sla_breached:"):
                    breached += value
        weeks.append(WeekCompliance(week, met, breached))
    week_centi = sum(counters.get((d, "time_centi"), 0) for d in _days(monday, clock.today))
    csat_sum = sum(counters.get((d, "csat_sum"), 0) for d in period)
    csat_count = sum(counters.get((d, "csat_count"), 0) for d in period)
    return Dashboard(
        group=group,
        kpi=kpi_now,
        time_this_week_hours=week_centi / 100,
        classification_rate=mail.classification_rate,
        unclassified_mail=mail.unclassified,
        backlog_per_day=tuple(reversed(backlog)),
        load=load,
        sla_compliance=tuple(weeks),
        csat_average=round(csat_sum / csat_count, 2) if csat_count else None,
        csat_count=csat_count,
        groups=viewer.groups,
    )


def sla_report(
    ctx: Context, user: str, *, group: str | None = None, since: date | None = None
) -> list[SlaReport]:
    """`helpdesk report sla`: per policy and clock the outcomes of the cases closed since
    `since` (default: the last PERIOD_DAYS days), and the open cases at risk / breached
    now; policies by name."""
    clock = _clock(ctx)
    start = since if since is not None else clock.today - timedelta(days=PERIOD_DAYS - 1)
    rules = ctx.policy.sla
    horizon = rules.risk_horizon(clock.now) if rules is not None else None
    with open_reads(ctx.location) as store:
        viewer = _viewer(store, user, group)
        counters = store.stats.counters(start, clock.today, viewer.scope, prefix="sla_")
        now = store.stats.sla_now(now=clock.now, scope=viewer.scope, horizon=horizon)
    outcomes: dict[tuple[str, str, str], int] = {}
    for (_, metric), value in counters.items():
        kind, clock_name, policy = metric.split(":", 2)
        key = (policy, clock_name, kind)
        outcomes[key] = outcomes.get(key, 0) + value
    names = {policy for policy, _, _ in outcomes} | set(now)
    if rules is not None:
        names |= {p.name for p in rules.policies}
    return [
        SlaReport(
            policy=name,
            clocks=tuple(
                ClockOutcome(
                    c,
                    outcomes.get((name, c, "sla_met"), 0),
                    outcomes.get((name, c, "sla_breached"), 0),
                )
                for c in CLOCKS
            ),
            at_risk=now.get(name, (0, 0))[0],
            breached=now.get(name, (0, 0))[1],
        )
        for name in sorted(names)
    ]


def time_report(
    ctx: Context, *, since: date | None = None, until: date | None = None, by: str = "agent"
) -> list[TimeTotal]:
    """`helpdesk report time`: the time spent from the start of `since` to the end of
    `until` (days in the business calendar's zone), summed per `by`."""
    if by not in TIME_KEYS:
        raise ValidationError(f"--by must be one of {', '.join(TIME_KEYS)}, not {by!r}")
    if since is not None and until is not None and until < since:
        raise ValidationError(f"--until {until} is before --since {since}")
    zone = zone_of(ctx.policy.sla)
    start = _start_of(since, zone) if since is not None else None
    end = _start_of(until + timedelta(days=1), zone) if until is not None else None
    with open_reads(ctx.location) as store:
        return store.stats.time_totals(start, end, by)
