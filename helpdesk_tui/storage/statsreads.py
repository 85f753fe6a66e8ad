"""Reading the statistics (issue 15 §5/§6, VIEW-3): the per-day counters, exact counts of
open cases through the partial indexes, the medians of a period from an index range,
the load per agent, and the time spent per key.

A part of `ReadStore` (storage/reads.py), `store.stats`, on its plain DB-API connection.
`Scope` is the group filter: a group's cases are those delegated to the group or to one
of its members (a case has one delegate: a user or a group); None is everything.
"""

import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from helpdesk_tui.domain.enums import Priority
from helpdesk_tui.domain.numbering import CaseNumber
from helpdesk_tui.storage.dialect import Dialect, Fetch
from helpdesk_tui.storage.statsmodels import AgentLoad, TimeTotal

NOT_CLOSED = "c.status != 'closed'"  # verbatim predicate of the partial indexes
#: `report time --by`: the key's SQL and how a row names it.
TIME_KEYS = ("agent", "account", "case", "type")
_NONE = "(none)"


@dataclass(frozen=True)
class Scope:
    """The cases of some groups: delegated to one of `groups` or to one of `members`."""

    groups: tuple[str, ...]
    members: tuple[str, ...]

    @property
    def holders(self) -> tuple[str, ...]:
        """The counters' keys of these cases (services/stats.py)."""
        return (*self.groups, *(f"@{m}" for m in self.members))


def _marks(values: Sequence[Any]) -> str:
    return ", ".join("?" * len(values))


def _scope_parts(scope: Scope | None) -> list[tuple[str, list[Any]]]:
    """The scope as disjoint predicates (a case has one delegate: a group or a user), each
    a range of one partial index; a count over the scope is the sum over its parts."""
    if scope is None:
        return [("", [])]
    parts: list[tuple[str, list[Any]]] = []
    if scope.groups:
        sub = f"SELECT id FROM groups WHERE name IN ({_marks(scope.groups)})"
        parts.append((f" AND c.delegated_group_id IN ({sub})", list(scope.groups)))
    if scope.members:
        sub = f"SELECT id FROM agents WHERE username IN ({_marks(scope.members)})"
        parts.append((f" AND c.delegated_user_id IN ({sub})", list(scope.members)))
    return parts


class StatsReads:
    """The statistics' queries; nothing here reads more than a period's rows."""

    def __init__(self, fetch: Fetch, dialect: Dialect) -> None:
        self._fetch = fetch
        self._dialect = dialect

    # -- counters ----------------------------------------------------------------------
    def counters(
        self, start: date, end: date, scope: Scope | None, *, prefix: str = ""
    ) -> dict[tuple[date, str], int]:
        """(day, metric) → sum over the scope's keys, for days start..end (inclusive);
        only metrics starting with `prefix` when given."""
        sql = "SELECT day, metric, sum(value) FROM stats_daily WHERE day >= ? AND day <= ?"
        params: list[Any] = [self._dialect.date_param(start), self._dialect.date_param(end)]
        if scope is not None:
            holders = scope.holders
            if not holders:
                return {}
            sql += f" AND group_key IN ({_marks(holders)})"
            params.extend(holders)
        if prefix:
            sql += " AND metric LIKE ?"
            params.append(prefix + "%")
        sql += " GROUP BY day, metric"
        return {
            (self._dialect.to_date(day), str(metric)): int(value)
            for day, metric, value in self._fetch(sql, params)
        }

    # -- open cases now ----------------------------------------------------------------
    def open_counts(
        self, *, today: date, now: datetime, scope: Scope | None, horizon: datetime | None
    ) -> dict[str, int]:
        """Exact counts of open, overdue, unassigned, waiting, SLA at risk and SLA
        breached cases (each a partial index's range; no cap)."""
        rank_now = int(now.timestamp())
        risk = "c.sla_rank > ? AND c.sla_risk_at <= ?"
        risk_params: list[Any] = [rank_now, self._dialect.datetime_param(now)]
        if horizon is not None:
            risk += " AND c.sla_rank <= ?"
            risk_params.append(int(horizon.timestamp()) + 1)
        parts = {
            "open": ("", []),
            "overdue": ("c.due < ?", [self._dialect.date_param(today)]),
            "unassigned": ("c.delegated_user_id IS NULL", []),
            "waiting": ("c.status = 'waiting'", []),
            "sla_at_risk": (risk, risk_params),
            "sla_breached": ("c.sla_rank <= ?", [rank_now]),
        }
        counts = {}
        for name, (extra, extra_params) in parts.items():
            if name == "unassigned" and scope is not None:
                continue  # a group's case without a user is delegated to the group
            sql = f"SELECT count(*) FROM cases c WHERE {NOT_CLOSED}"
            if extra:
                sql += " AND " + extra
            counts[name] = sum(
                int(self._fetch(sql + where, [*extra_params, *params])[0][0])
                for where, params in _scope_parts(scope)
            )
        if scope is not None:  # one delegate per case: the group part is its unassigned
            counts["unassigned"] = (
                self._count(f"{NOT_CLOSED}", _scope_parts(Scope(scope.groups, ()))[0])
                if scope.groups
                else 0
            )
        return dict(sorted(counts.items(), key=lambda item: list(parts).index(item[0])))

    def _count(self, predicate: str, part: tuple[str, list[Any]]) -> int:
        where, params = part
        return int(
            self._fetch(f"SELECT count(*) FROM cases c WHERE {predicate}{where}", params)[0][0]
        )

    def sla_now(
        self, *, now: datetime, scope: Scope | None, horizon: datetime | None
    ) -> dict[str, tuple[int, int]]:
        """Per policy: (open cases at risk, open cases breached) now."""
        rank_now = int(now.timestamp())
        found: dict[str, list[int]] = {}
        risk_sql = (
            f"SELECT c.sla_policy, count(*) FROM cases c WHERE {NOT_CLOSED}"
            " AND c.sla_rank > ? AND c.sla_risk_at <= ?"
        )
        risk_params: list[Any] = [rank_now, self._dialect.datetime_param(now)]
        if horizon is not None:
            risk_sql += " AND c.sla_rank <= ?"
            risk_params.append(int(horizon.timestamp()) + 1)
        for where, params in _scope_parts(scope):
            breached = self._fetch(
                f"SELECT c.sla_policy, count(*) FROM cases c WHERE {NOT_CLOSED}"
                f" AND c.sla_rank <= ?{where} GROUP BY c.sla_policy",
                [rank_now, *params],
            )
            for policy, count in breached:
                found.setdefault(str(policy), [0, 0])[1] += int(count)
            for policy, count in self._fetch(
                risk_sql + where + " GROUP BY c.sla_policy", [*risk_params, *params]
            ):
                found.setdefault(str(policy), [0, 0])[0] += int(count)
        return {policy: (risk, breach) for policy, (risk, breach) in found.items()}

    # -- a period's medians ------------------------------------------------------------
    def median_hours(
        self, column: str, since: datetime, until: datetime, scope: Scope | None
    ) -> float | None:
        """The median hours from creation to `column` ("closed_at" or
        "sla_first_response_at") of the cases where it lies in [since, until): a range of
        its index (ix_cases_closed_at / ix_cases_first_response_at)."""
        assert column in ("closed_at", "sla_first_response_at")
        rows = []
        bounds = [self._dialect.datetime_param(since), self._dialect.datetime_param(until)]
        for where, params in _scope_parts(scope):
            rows += self._fetch(
                f"SELECT c.{column}, c.created_at FROM cases c"
                f" WHERE c.{column} >= ? AND c.{column} < ?{where}",
                [*bounds, *params],
            )
        hours = [
            (self._dialect.to_utc(end) - self._dialect.to_utc(start)).total_seconds() / 3600
            for end, start in rows
        ]
        return round(statistics.median(hours), 2) if hours else None

    # -- load ----------------------------------------------------------------------------
    def load(self, members: Sequence[str] | None) -> tuple[AgentLoad, ...]:
        """Open cases per agent (active, or holding open cases) by priority, low..urgent;
        only `members` when given (ix_cases_open_user_priority)."""
        rows = self._fetch(
            "SELECT c.delegated_user_id, c.priority, count(*) FROM cases c"
            f" WHERE {NOT_CLOSED} AND c.delegated_user_id IS NOT NULL"
            " GROUP BY c.delegated_user_id, c.priority",
            [],
        )
        names = {
            str(agent_id): str(username)
            for agent_id, username in self._fetch("SELECT id, username FROM agents", [])
        }
        counts: dict[str, dict[str, int]] = {}
        for agent_id, priority, count in rows:
            name = names.get(str(agent_id), str(agent_id))
            counts.setdefault(name, {})[str(priority)] = int(count)
        wanted = set(members) if members is not None else None
        order = [p.value for p in Priority]
        return tuple(
            AgentLoad(name, tuple((p, by.get(p, 0)) for p in order))
            for name, by in sorted(counts.items())
            if wanted is None or name in wanted
        )

    # -- time spent ----------------------------------------------------------------------
    def time_totals(
        self, since: datetime | None, until: datetime | None, by: str
    ) -> list[TimeTotal]:
        """Time spent (activities' time_spent_centi) with `at` in [since, until), summed
        per `by` key (agent, account, case, type), largest first."""
        keys = {
            "agent": ("u.username", " LEFT JOIN agents u ON u.id = a.actor_id"),
            "account": ("ac.name", " LEFT JOIN accounts ac ON ac.id = c.account_id"),
            "case": ("c.number, c.sub_number", ""),
            "type": ("c.type", ""),
        }
        key, join = keys[by]
        sql = (
            f"SELECT {key}, sum(a.time_spent_centi) FROM activities a"
            f" JOIN cases c ON c.id = a.case_id{join} WHERE a.time_spent_centi IS NOT NULL"
        )
        params: list[Any] = []
        if since is not None:
            sql += " AND a.at >= ?"
            params.append(self._dialect.datetime_param(since))
        if until is not None:
            sql += " AND a.at < ?"
            params.append(self._dialect.datetime_param(until))
        sql += f" GROUP BY {key}"
        totals = []
        for row in self._fetch(sql, params):
            if by == "case":
                name = str(CaseNumber(int(row[0]), int(row[1])))
            else:
                name = _NONE if row[0] is None else str(row[0])
            totals.append(TimeTotal(name, int(row[-1] or 0)))
        totals.sort(key=lambda t: (-t.centi, t.key))
        return totals
