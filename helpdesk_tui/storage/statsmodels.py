"""What the statistics reads return (issue 15 §5/§6): the KPI tiles and the dashboard's
series, as small frozen rows (no SQLAlchemy), shared by `helpdesk report` and the
dashboard screen (the contract with the dashboard is docs in /work/notes)."""

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class DayCount:
    """A count on one day (the business calendar's time zone)."""

    day: date
    count: int


@dataclass(frozen=True)
class Kpi:
    """The steering numbers (VIEW-3); `helpdesk report kpi --json` is exactly this."""

    open: int
    overdue: int
    unassigned: int
    waiting: int
    sla_at_risk: int
    sla_breached: int
    median_first_response_hours: float | None
    median_resolution_hours: float | None
    created_per_day: tuple[DayCount, ...]  # oldest first, zero days included
    closed_per_day: tuple[DayCount, ...]


@dataclass(frozen=True)
class AgentLoad:
    """An agent's open cases by priority (low..urgent)."""

    agent: str
    by_priority: tuple[tuple[str, int], ...]


@dataclass(frozen=True)
class WeekCompliance:
    """SLA outcomes of the cases closed in one week (both clocks counted)."""

    week: date  # the Monday
    met: int
    breached: int


@dataclass(frozen=True)
class Dashboard:
    """Everything the dashboard screen shows (`Desk.dashboard`)."""

    group: str | None  # None: all groups the viewer may see
    kpi: Kpi
    time_this_week_hours: float
    classification_rate: float | None
    unclassified_mail: int
    backlog_per_day: tuple[DayCount, ...]  # open cases at the end of each day
    load: tuple[AgentLoad, ...]
    sla_compliance: tuple[WeekCompliance, ...]  # last 8 weeks, oldest first
    csat_average: float | None
    csat_count: int
    groups: tuple[str, ...]  # the groups the viewer may filter by


@dataclass(frozen=True)
class ClockOutcome:
    """One SLA clock's outcomes at close over a period."""

    clock: str  # first_response | resolution
    met: int
    breached: int

    @property
    def compliance(self) -> float | None:
        """Met as a percentage of the outcomes (None without any), one decimal."""
        total = self.met + self.breached
        return round(100 * self.met / total, 1) if total else None


@dataclass(frozen=True)
class SlaReport:
    """`report sla`: one policy's clocks over the period, and its open cases now."""

    policy: str
    clocks: tuple[ClockOutcome, ...]  # first_response, resolution
    at_risk: int  # open cases at risk now
    breached: int  # open cases breached now


@dataclass(frozen=True)
class TimeTotal:
    """`report time`: the time spent under one key."""

    key: str
    centi: int  # hundredths of an hour

    @property
    def hours(self) -> float:
        """The total in hours."""
        return self.centi / 100
