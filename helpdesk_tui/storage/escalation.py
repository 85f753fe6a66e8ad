"""What the escalation pass (services/escalation.py) reads and writes (DATE-3).

The due cases come from one range of the partial index `ix_cases_open_sla_escalation`
(`sla_escalation_at <= now` on cases not closed), never a scan. The fired levels are
stored with a compare-and-set on `cases.sla_escalated`, so two passes at once (two
processes, a TUI and `sync --watch`) cannot both fire a level: the one whose old value
no longer matches updates nothing, and its pass is run again on what the other wrote.
"""

import uuid
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, func, select, text, update
from sqlmodel import Session

from helpdesk_tui.domain.enums import Role
from helpdesk_tui.storage.chunks import chunked
from helpdesk_tui.storage.tables import (
    NOT_CLOSED,
    ActivityRow,
    AgentRow,
    CaseRow,
    GroupRow,
    MembershipRow,
    table,
)
from helpdesk_tui.storage.types import UTCDateTime


@dataclass(frozen=True)
class DueCase:
    """An open case with an escalation level due: its stored SLA and who it concerns
    (ids; `EscalationPeople` names them)."""

    id: uuid.UUID
    number: int
    sub_number: int
    priority: str
    sla_state: str | None
    escalated: str | None
    """`cases.sla_escalated` as stored: the compare-and-set's old value."""
    user_id: uuid.UUID | None
    group_id: uuid.UUID | None
    owner_id: uuid.UUID | None
    updated_at: datetime


@dataclass(frozen=True)
class EscalationPeople:
    """The directory as the pass needs it, read once per pass: active agents by id,
    groups with their lead and active members, the active admins."""

    names: Mapping[uuid.UUID, str]
    """Active agents: id → username."""
    ids: Mapping[str, uuid.UUID]
    """Every agent: username → id."""
    groups: Mapping[uuid.UUID, str]
    leads: Mapping[uuid.UUID, uuid.UUID]
    members: Mapping[uuid.UUID, frozenset[str]]
    admins: frozenset[str]

    def leads_of(self, group_id: uuid.UUID | None, user_id: uuid.UUID | None) -> set[str]:
        """The active lead of the group `group_id`; for a user (no group) the active leads
        of the groups the user is a member of."""
        if group_id is not None:
            lead = self.name(self.leads.get(group_id))
            return {lead} if lead else set()
        user = self.name(user_id)
        if user is None:
            return set()
        return {
            lead
            for group, members in self.members.items()
            if user in members and (lead := self.name(self.leads.get(group))) is not None
        }

    def name(self, agent_id: uuid.UUID | None) -> str | None:
        """The username of an active agent, None for nobody or an inactive one."""
        return None if agent_id is None else self.names.get(agent_id)


class EscalationRepository:
    """Due rows in, fired levels out, in the caller's transaction."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def any_due(self, now: datetime) -> bool:
        """Whether an open case has a level due by `now` (one index probe)."""
        query = text(f"SELECT 1 FROM cases c WHERE {_DUE} LIMIT 1").bindparams(_now(now))
        return self._session.execute(query).first() is not None

    def due(self, now: datetime) -> list[DueCase]:
        """The open cases whose next level is reached by `now`, in index order."""
        rows = self._session.execute(_DUE_ROWS.bindparams(_now(now)))
        return [DueCase(*row) for row in rows]

    def people(self) -> EscalationPeople:
        """Agents, groups, leads, members and admins (small tables, read whole)."""
        agents, groups, members = table(AgentRow), table(GroupRow), table(MembershipRow)
        names: dict[uuid.UUID, str] = {}
        ids: dict[str, uuid.UUID] = {}
        admins = set()
        for agent_id, username, role, active in self._session.execute(
            select(agents.c.id, agents.c.username, agents.c.role, agents.c.active)
        ):
            ids[username] = agent_id
            if active:
                names[agent_id] = username
                if role == Role.ADMIN.value:
                    admins.add(username)
        group_names: dict[uuid.UUID, str] = {}
        leads: dict[uuid.UUID, uuid.UUID] = {}
        for group_id, name, lead_id in self._session.execute(
            select(groups.c.id, groups.c.name, groups.c.lead_id)
        ):
            group_names[group_id] = name
            if lead_id is not None:
                leads[group_id] = lead_id
        found: dict[uuid.UUID, set[str]] = {}
        for group_id, agent_id in self._session.execute(
            select(members.c.group_id, members.c.agent_id)
        ):
            if agent_id in names:
                found.setdefault(group_id, set()).add(names[agent_id])
        return EscalationPeople(
            names,
            ids,
            group_names,
            leads,
            {group: frozenset(agents) for group, agents in found.items()},
            frozenset(admins),
        )

    def newest_entries(self, case_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, datetime]:
        """The time of each case's newest timeline entry (`ix_activities_case_at`)."""
        activities = table(ActivityRow)
        newest: dict[uuid.UUID, datetime] = {}
        for chunk in chunked(list(case_ids)):
            query = (
                select(activities.c.case_id, func.max(activities.c.at))
                .where(activities.c.case_id.in_(chunk))
                .group_by(activities.c.case_id)
            )
            newest.update({row[0]: row[1] for row in self._session.execute(query)})
        return newest

    def mark(self, rows: Collection[Mapping[str, Any]]) -> int:
        """Store fired levels: each row has `case_key`, `old` (the `sla_escalated` read),
        `fired` (the new JSON list) and `next_at` (the next `sla_escalation_at`). One
        executemany; a case whose `sla_escalated` changed meanwhile, or that was closed,
        is left alone. Returns how many cases were updated."""
        if not rows:
            return 0
        connection = self._session.connection()
        if connection.dialect.supports_sane_multi_rowcount:
            return int(connection.execute(_MARK, list(rows)).rowcount)
        return sum(int(connection.execute(_MARK, [row]).rowcount) for row in rows)


def _now(now: datetime) -> Any:
    return bindparam("now", now, type_=UTCDateTime())


_CASES = table(CaseRow)
#: The index's own predicate, verbatim, so SQLite and PostgreSQL use the partial index.
_DUE = f"c.sla_escalation_at <= :now AND c.{NOT_CLOSED}"
_DUE_ROWS = text(
    "SELECT c.id, c.number, c.sub_number, c.priority, c.sla_state, c.sla_escalated,"
    " c.delegated_user_id, c.delegated_group_id, c.owner_id, c.updated_at"
    f" FROM cases c WHERE {_DUE} ORDER BY c.sla_escalation_at, c.number, c.sub_number"
).columns(
    _CASES.c.id,
    _CASES.c.number,
    _CASES.c.sub_number,
    _CASES.c.priority,
    _CASES.c.sla_state,
    _CASES.c.sla_escalated,
    _CASES.c.delegated_user_id,
    _CASES.c.delegated_group_id,
    _CASES.c.owner_id,
    _CASES.c.updated_at,
)
_MARK = (
    update(_CASES)
    .where(
        _CASES.c.id == bindparam("case_key"),
        _CASES.c.sla_escalated.is_not_distinct_from(bindparam("old")),
        _CASES.c.status != "closed",
    )
    .values(sla_escalated=bindparam("fired"), sla_escalation_at=bindparam("next_at"))
)
