"""The stored SLA state of cases (DATE-3): what maintaining it reads and writes.

The columns live on `cases` (migration 0012): `sla_state` is the domain's state as JSON,
the others are what lists, views and the scheduler query. Written with Core UPDATEs that
leave `version` alone: the SLA follows a change, it is not one (the change already bumped
the version under its compare-and-set).
"""

import json
import uuid
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, select, update
from sqlmodel import Session

from helpdesk_tui.domain.activity import ActivityDraft
from helpdesk_tui.storage.cases import CaseRepository
from helpdesk_tui.storage.chunks import chunked
from helpdesk_tui.storage.rows import insert_rows
from helpdesk_tui.storage.tables import AccountRow, ActivityRow, CaseRow, MailRow, table


@dataclass(frozen=True)
class SlaFacts:
    """What maintaining a case's SLA needs to know of it, as stored now."""

    case_id: uuid.UUID
    status: str
    priority: str
    type: str
    account: str | None
    created_at: datetime
    state: dict[str, Any] | None
    """The stored `SlaState.data()` (with the case's `mailbox`), None without a policy."""
    first_response_at: datetime | None
    paused_since: datetime | None
    paused_minutes: int
    stored: dict[str, Any]
    """The SLA columns as they are (a write that changes none of them is left out)."""
    escalated: frozenset[str] = frozenset()
    """The keys of the escalation levels fired on the case (`cases.sla_escalated`)."""


#: The SLA columns `write` sets (all of them, every time).
SLA_COLUMNS = (
    "sla_policy",
    "sla_state",
    "sla_first_response_due",
    "sla_first_response_at",
    "sla_resolution_due",
    "sla_paused_since",
    "sla_paused_minutes",
    "sla_first_response_breached_at",
    "sla_resolution_breached_at",
    "sla_breach_at",
    "sla_risk_at",
    "sla_rank",
    "sla_escalation_at",
)


def fired_keys(stored: str | None) -> frozenset[str]:
    """The fired escalation keys of a stored `cases.sla_escalated` (NULL: none)."""
    return frozenset(json.loads(stored)) if stored else frozenset()


class SlaRepository:
    """Read the facts of cases and write their SLA columns, in the caller's transaction."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def facts(self, case_ids: Collection[uuid.UUID]) -> dict[uuid.UUID, SlaFacts]:
        """The facts of these cases (one query per 500; deleted ones are missing)."""
        found: dict[uuid.UUID, SlaFacts] = {}
        for chunk in chunked(list(case_ids)):
            rows = self._session.execute(_FACTS, {"case_keys": chunk})
            for row in rows:
                found[row[0]] = SlaFacts(
                    case_id=row[0],
                    status=row[1],
                    priority=row[2],
                    type=row[3],
                    account=row[4],
                    created_at=row[5],
                    state=json.loads(row[6]) if row[6] else None,
                    first_response_at=row[7],
                    paused_since=row[8],
                    paused_minutes=row[9] or 0,
                    stored=dict(zip(SLA_COLUMNS, row[10:-1], strict=True)),
                    escalated=fired_keys(row[-1]),
                )
        return found

    def mailboxes(self, mail_ids: Collection[uuid.UUID]) -> dict[uuid.UUID, str]:
        """The mailbox each of these mails came in through."""
        mails = table(MailRow)
        found: dict[uuid.UUID, str] = {}
        for chunk in chunked(list(mail_ids)):
            query = select(mails.c.id, mails.c.mailbox).where(mails.c.id.in_(chunk))
            found.update({row[0]: row[1] for row in self._session.execute(query)})
        return found

    def log(self, entries: Sequence[tuple[uuid.UUID, datetime, ActivityDraft]]) -> None:
        """Write system entries (no actor) on timelines in one statement: (case, when,
        draft), `when` after every entry the case has (the caller knows: it comes after
        what this transaction wrote). No notifications: these follow a change."""
        rows = [
            row
            for case_id, at, draft in entries
            for row in CaseRepository._entry_rows(case_id, None, at, [(draft, None)])
        ]
        if rows:
            insert_rows(self._session.connection(), table(ActivityRow), rows)

    def write(self, values: Mapping[uuid.UUID, Mapping[str, Any]]) -> None:
        """Set the SLA columns (`SLA_COLUMNS`, all given) of these cases, in one statement."""
        if values:
            rows = [{"case_key": case_id, **row} for case_id, row in values.items()]
            self._session.connection().execute(_WRITE, rows)


# Built once: making a statement costs more than running it (a case change runs both).
_CASES, _ACCOUNTS = table(CaseRow), table(AccountRow)
_FACTS = (
    select(
        _CASES.c.id,
        _CASES.c.status,
        _CASES.c.priority,
        _CASES.c.type,
        _ACCOUNTS.c.name,
        _CASES.c.created_at,
        _CASES.c.sla_state,
        _CASES.c.sla_first_response_at,
        _CASES.c.sla_paused_since,
        _CASES.c.sla_paused_minutes,
        *(_CASES.c[name] for name in SLA_COLUMNS),
        _CASES.c.sla_escalated,
    )
    .select_from(_CASES.outerjoin(_ACCOUNTS, _ACCOUNTS.c.id == _CASES.c.account_id))
    .where(_CASES.c.id.in_(bindparam("case_keys", expanding=True)))
)
_WRITE = (
    update(_CASES)
    .where(_CASES.c.id == bindparam("case_key"))
    .values({name: bindparam(name) for name in SLA_COLUMNS})
)
