"""The per-day counters' write side (issue 15 §5): the facts of the cases a unit of work
touched, the upsert of the counters, and the one-off rebuild from history.

`stats_daily` holds (day, group_key, metric) → value. Writers add deltas with
INSERT … ON CONFLICT DO UPDATE SET value = value + excluded.value (SQLite and
PostgreSQL), in the transaction of the change they count; keys are written in sorted
order so two writers lock rows in the same order.
"""

import uuid
from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, tzinfo
from typing import Any

from sqlalchemy import Connection, Date, bindparam, text, update
from sqlalchemy import select as sa_select
from sqlmodel import Session

from helpdesk_tui.domain.calendar import machine_zone
from helpdesk_tui.storage.chunks import chunked
from helpdesk_tui.storage.tables import AgentRow, CaseRow, GroupRow, table


def utc(value: Any) -> datetime:
    """A stored moment read through plain SQL, as an aware UTC datetime."""
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(value)
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


__all__ = ["machine_zone"]  # the migration reads it from here

#: A counter's key: (day, group name or "", metric).
Key = tuple[date, str, str]

_UPSERT = text(
    "INSERT INTO stats_daily (day, group_key, metric, value) VALUES (:day, :group_key,"
    " :metric, :value) ON CONFLICT (day, group_key, metric)"
    " DO UPDATE SET value = stats_daily.value + excluded.value"
).bindparams(bindparam("day", type_=Date))


@dataclass(frozen=True)
class StatsFacts:
    """What the counters need of a case as this unit of work leaves it."""

    status: str
    group: str  # the holder: the delegated group's name, "@user", "" for neither
    created_at: datetime
    closed_at: datetime | None
    first_response_at: datetime | None
    policy: str | None
    first_response_due: datetime | None
    first_response_breached_at: datetime | None
    resolution_due: datetime | None
    resolution_breached_at: datetime | None


def add_counts(connection: Connection, deltas: Mapping[Key, int]) -> None:
    """Add `deltas` to the counters (zero deltas skipped), in key order."""
    rows = [
        {"day": day, "group_key": group[:64], "metric": metric, "value": value}
        for (day, group, metric), value in sorted(deltas.items())
        if value
    ]
    if rows:
        connection.execute(_UPSERT, rows)


_CASES = table(CaseRow)
_GROUPS = table(GroupRow)
_AGENTS = table(AgentRow)
_FACT_COLUMNS = (
    _CASES.c.id,
    _CASES.c.status,
    _GROUPS.c.name,
    _AGENTS.c.username,
    _CASES.c.created_at,
    _CASES.c.closed_at,
    _CASES.c.sla_first_response_at,
    _CASES.c.sla_policy,
    _CASES.c.sla_first_response_due,
    _CASES.c.sla_first_response_breached_at,
    _CASES.c.sla_resolution_due,
    _CASES.c.sla_resolution_breached_at,
)


def holder(group: str | None, user: str | None) -> str:
    """A case's key in the counters: "@user" when delegated to a user, else the group's
    name, else "" (the group filter counts a group's own cases and its members')."""
    return f"@{user}" if user else (group or "")


def _fact(row: Any) -> StatsFacts:
    return StatsFacts(row[1], holder(row[2], row[3]), *row[4:])


def _joined() -> Any:
    return _CASES.outerjoin(_GROUPS, _GROUPS.c.id == _CASES.c.delegated_group_id).outerjoin(
        _AGENTS, _AGENTS.c.id == _CASES.c.delegated_user_id
    )


class StatsRepository:
    """The counters and the case columns they keep (closed_at, the first response)."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def facts(self, case_ids: Collection[uuid.UUID]) -> dict[uuid.UUID, StatsFacts]:
        """The facts of the cases `case_ids` that exist (one query per 500)."""
        found: dict[uuid.UUID, StatsFacts] = {}
        joined = _joined()
        for chunk in chunked(sorted(case_ids)):
            query = sa_select(*_FACT_COLUMNS).select_from(joined).where(_CASES.c.id.in_(chunk))
            found.update({row[0]: _fact(row) for row in self._session.execute(query)})
        return found

    def open_of(self, case_id: uuid.UUID) -> list[str]:
        """The holders of the open cases among a case and its sub-cases."""
        query = (
            sa_select(_GROUPS.c.name, _AGENTS.c.username)
            .select_from(_joined())
            .where((_CASES.c.id == case_id) | (_CASES.c.parent_id == case_id))
            .where(_CASES.c.status != "closed")
        )
        return [holder(group, user) for group, user in self._session.execute(query)]

    def set_columns(self, values: Mapping[uuid.UUID, Mapping[str, Any]]) -> None:
        """Write `closed_at` / `sla_first_response_at` of some cases."""
        for case_id, columns in values.items():
            self._session.connection().execute(
                update(_CASES).where(_CASES.c.id == case_id).values(**columns)
            )

    def add(self, deltas: Mapping[Key, int]) -> None:
        """Add `deltas` to the counters in this transaction."""
        add_counts(self._session.connection(), deltas)


def outcomes(fact: StatsFacts, closed_at: datetime) -> Iterator[tuple[str, int]]:
    """The SLA outcome metrics of a case closed at `closed_at` (one per clock it has)."""
    if fact.policy is None:
        return
    clocks = (
        ("first_response", fact.first_response_due, fact.first_response_breached_at),
        ("resolution", fact.resolution_due, fact.resolution_breached_at),
    )
    for clock, due, breached_at in clocks:
        if due is None and breached_at is None:
            continue
        breached = breached_at is not None and breached_at <= closed_at
        yield f"sla_{'breached' if breached else 'met'}:{clock}:{fact.policy}", 1


def count_generated(connection: Connection, zone: tzinfo, first: int, last: int) -> None:
    """Counters for cases numbered first..last that a bulk load inserted without the unit
    of work (generated data: one `created` entry each, the closed ones closed when last
    updated): `created`, and `closed` with `closed_at` = `updated_at`."""
    cases = _CASES
    in_range = cases.c.number.between(first, last)
    connection.execute(
        update(cases)
        .where(in_range, cases.c.status == "closed")
        .values(closed_at=cases.c.updated_at)
    )
    deltas: dict[Key, int] = {}
    rows = connection.execute(
        sa_select(cases.c.created_at, cases.c.closed_at, _GROUPS.c.name, _AGENTS.c.username)
        .select_from(_joined())
        .where(in_range)
    )
    for created_at, closed_at, group, user in rows:
        key = holder(group, user)
        for at, metric in ((created_at, "created"), (closed_at, "closed")):
            if at is not None:
                item = (at.astimezone(zone).date(), key, metric)
                deltas[item] = deltas.get(item, 0) + 1
    add_counts(connection, deltas)


# -- the one-off rebuild -------------------------------------------------------------------
def rebuild(connection: Connection, zone: tzinfo) -> int:
    """Fill an empty `stats_daily` from the history that exists (a database made before
    0015, or a bulk load): created / closed / reopened / time / CSAT from the timelines,
    counted under each case's group as it is now, and the SLA outcomes (`outcome`) of
    the closed cases at their close. Returns how many counters it wrote; nothing when
    the table has rows already."""
    if connection.execute(text("SELECT 1 FROM stats_daily LIMIT 1")).first() is not None:
        return 0
    deltas: dict[Key, int] = {}

    def add(at: datetime, group: str, metric: str, value: int) -> None:
        key = (at.astimezone(zone).date(), group, metric)
        deltas[key] = deltas.get(key, 0) + value

    rows = connection.execute(
        text(
            "SELECT a.at, a.kind, a.time_spent_centi, g.name, u.username FROM activities a"
            " JOIN cases c ON c.id = a.case_id LEFT JOIN groups g ON g.id = c.delegated_group_id"
            " LEFT JOIN agents u ON u.id = c.delegated_user_id"
            " WHERE a.kind IN ('created', 'closed', 'reopened')"
            " OR a.time_spent_centi IS NOT NULL"
        )
    )
    for at_value, kind, centi, group_name, user in rows:
        at = utc(at_value)
        group = holder(group_name, user)
        if kind in ("created", "closed", "reopened"):
            add(at, group, kind, 1)
        if centi:
            add(at, group, "time_centi", int(centi))
    ratings = connection.execute(
        text(
            "SELECT c.csat_at, c.csat_rating, g.name, u.username FROM cases c"
            " LEFT JOIN groups g ON g.id = c.delegated_group_id"
            " LEFT JOIN agents u ON u.id = c.delegated_user_id WHERE c.csat_at IS NOT NULL"
        )
    )
    for at_value, rating, group_name, user in ratings:
        add(utc(at_value), holder(group_name, user), "csat_sum", int(rating))
        add(utc(at_value), holder(group_name, user), "csat_count", 1)
    closed = connection.execute(
        sa_select(*_FACT_COLUMNS).select_from(_joined()).where(_CASES.c.closed_at.is_not(None))
    )
    for row in closed:
        fact = _fact(row)
        assert fact.closed_at is not None
        for metric, value in outcomes(fact, fact.closed_at):
            add(fact.closed_at, fact.group, metric, value)
    add_counts(connection, deltas)
    return sum(1 for v in deltas.values() if v)
