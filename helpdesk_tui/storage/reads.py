"""Paged read queries (CQRS-style) over a plain DB-API connection.

Why not SQLAlchemy here: importing SQLModel/SQLAlchemy costs ~0.7 s on the reference
machine, more than the whole budget of `helpdesk case list` (600 ms including process
start). Screens and list commands only read, so this module talks to `sqlite3` (or psycopg
for PostgreSQL) directly with dialect-neutral SQL; writes stay in the unit of work.
`Dialect` (storage/dialect.py) is the one seam where the two databases differ.

Lists use keyset pagination on (due, number, sub_number) and the partial indexes of
`tables.py`; nothing here loads more rows than the caller asked for.
"""

import json
import math
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, date, datetime, time
from typing import Any

from helpdesk_tui.domain.enums import Priority, Status
from helpdesk_tui.domain.errors import NotFoundError
from helpdesk_tui.domain.numbering import CaseNumber
from helpdesk_tui.domain.query import ME, CaseQuery
from helpdesk_tui.storage.activityreads import ActivityReads
from helpdesk_tui.storage.chunks import chunked
from helpdesk_tui.storage.contactreads import ContactReads
from helpdesk_tui.storage.conversationreads import ConversationReads
from helpdesk_tui.storage.dialect import Dialect
from helpdesk_tui.storage.guard import check_thread
from helpdesk_tui.storage.location import BUSY_TIMEOUT_MS, DatabaseLocation
from helpdesk_tui.storage.mailreads import MAIL_COLUMNS, MailReads
from helpdesk_tui.storage.notificationreads import NotificationReads
from helpdesk_tui.storage.peoplereads import AgentEntry, GroupEntry, PeopleReads
from helpdesk_tui.storage.readmodels import (
    COUNT_CAP,
    ActivityEntry,
    CaseDetail,
    CaseSummary,
    Cursor,
    Sort,
    SortKey,
)
from helpdesk_tui.storage.search import like_filter, match_expression, ranked_join
from helpdesk_tui.storage.statsreads import StatsReads

__all__ = [
    "ActivityEntry",
    "AgentEntry",
    "CaseDetail",
    "CaseSummary",
    "Cursor",
    "GroupEntry",
    "ReadStore",
    "Sort",
    "SortKey",
    "open_reads",
]

NOT_CLOSED = "c.status != 'closed'"  # verbatim predicate of the partial indexes


_SELECT = """
SELECT c.number, c.sub_number, c.subject, c.type, c.status, c.priority, c.resolution,
       dup.number, dup.sub_number, du.username, dg.name, ow.username,
       ct.email, ct.name, ac.name, ini.username, c.due, c.reminder,
       c.created_at, c.updated_at, c.version, c.sla_state, c.sla_rank, {description}
FROM cases c
JOIN contacts ct ON ct.id = c.contact_id
LEFT JOIN accounts ac ON ac.id = c.account_id
LEFT JOIN agents du ON du.id = c.delegated_user_id
LEFT JOIN groups dg ON dg.id = c.delegated_group_id
LEFT JOIN agents ow ON ow.id = c.owner_id
LEFT JOIN agents ini ON ini.id = c.initiator_id
LEFT JOIN cases dup ON dup.id = c.duplicate_of_id
"""


class ReadStore:
    """Read-only queries for lists and detail views; `mail`, `people` and `activity` hold
    the mail, directory and activity-feed queries, on the same connection."""

    def __init__(self, connection: Any, dialect: Dialect) -> None:
        self._connection = connection
        self._dialect = dialect
        self.mail = MailReads(self._fetch, dialect)
        self.people = PeopleReads(self._fetch)
        self.notifications = NotificationReads(self._fetch, dialect)
        self.activity = ActivityReads(self._fetch, dialect)
        self.contacts = ContactReads(self._fetch, self._cases_of, sqlite=dialect.sqlite)
        self.conversations = ConversationReads(self._fetch, dialect)
        self.stats = StatsReads(self._fetch, dialect)

    def _cases_of(self, query: CaseQuery, limit: int) -> list[CaseSummary]:
        """A first page of `query` that names no agent and no date (the customer view)."""
        return self.list_cases(query, me="", today=date.min, limit=limit)  # no day filter

    # -- schema ------------------------------------------------------------------
    def schema_revision(self) -> str | None:
        """The Alembic revision of the database, or None for an empty database."""
        try:
            rows = self._fetch("SELECT version_num FROM alembic_version", ())
        except Exception:  # no table yet: either driver's error type
            self._reset()
            return None
        return str(rows[0][0]) if rows else None

    # -- lists -------------------------------------------------------------------
    def list_cases(
        self,
        query: CaseQuery,
        *,
        me: str,
        today: date,
        limit: int = 50,
        sort: "Sort | None" = None,
        after: Cursor | None = None,
        before: Cursor | None = None,
        from_end: bool = False,
        now: datetime | None = None,
        sla_horizon: datetime | None = None,
    ) -> list[CaseSummary]:
        """One page of cases matching `query` in `sort` order (default: due date, number).

        Keyset paging: `after` gives the rows following a cursor, `before` the rows
        preceding it, and `from_end` the last page; pages always come in display order.
        `now` and `sla_horizon` serve the SLA views (see `_where`).
        """
        if query.nothing:
            return []
        if query.numbers:
            return self._numbered(
                query, me=me, today=today, limit=limit, sort=sort, paging=(after, before, from_end)
            )
        if query.words and self._dialect.sqlite and match_expression(query.words):
            return self._search(
                query,
                me=me,
                today=today,
                limit=limit,
                after=after,
                before=before,
                from_end=from_end,
            )
        sort = sort or Sort()
        backwards = before is not None or from_end
        cursor = before if before is not None else after
        descending = sort.descending != backwards
        columns = sort.columns
        order = " ORDER BY " + ", ".join(
            f"{column}{' DESC' if descending else ''}" for column in columns
        )
        keyset: tuple[str, list[Any]] | None = None
        if cursor is not None:
            op = "<" if descending else ">"
            keyset = (
                f"({', '.join(columns)}) {op} ({_marks(columns)})",
                self._cursor_params(sort, cursor),
            )
        group_ids = self._group_ids(query, me) if query.groups or query.my_groups else None
        if group_ids is not None and len(group_ids) != 1:
            sql, params = self._merged_groups(
                query, group_ids, me, today, keyset, order, limit, now=now, horizon=sla_horizon
            )
        else:
            where, params = self._where(
                replace(query, groups=frozenset(), my_groups=False) if group_ids else query,
                me=me,
                today=today,
                now=now,
                sla_horizon=sla_horizon,
            )
            if group_ids:
                where.append("c.delegated_group_id = ?")
                params.append(group_ids[0])
            if keyset is not None:
                where.append(keyset[0])
                params.extend(keyset[1])
            sql = _SELECT.format(description="''")
            if where:
                sql += " WHERE " + " AND ".join(where)
            sql += order + " LIMIT ?"
            params.append(limit)
        rows = [self._summary(row) for row in self._fetch(sql, params)]
        return rows[::-1] if backwards else rows

    def _search(
        self,
        query: CaseQuery,
        *,
        me: str,
        today: date,
        limit: int,
        after: Cursor | None,
        before: Cursor | None,
        from_end: bool,
    ) -> list[CaseSummary]:
        """Full-text results, best first, as one page (at most RESULT_LIMIT rows)."""
        if after is not None or before is not None or from_end:
            return []  # ranked results are a single page: nothing before or after it
        join, join_params = ranked_join(query.words)
        where, params = self._where(query, me=me, today=today)
        sql = _SELECT.format(description="''") + join
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY s.score, c.number, c.sub_number LIMIT ?"
        rows = self._fetch(sql, [*join_params, *params, limit])
        return [self._summary(row) for row in rows]

    def _numbered(
        self,
        query: CaseQuery,
        *,
        me: str,
        today: date,
        limit: int,
        sort: "Sort | None",
        paging: tuple[Cursor | None, Cursor | None, bool],
    ) -> list[CaseSummary]:
        """The cases asked for by number (if the other filters let them), then what the
        rest of the query finds; one page, like ranked results."""
        if paging != (None, None, False):
            return []
        exact = self._exact(query, me=me, today=today)
        found = {case.number for case in exact}
        rest = self.list_cases(
            replace(query, numbers=frozenset()), me=me, today=today, limit=limit, sort=sort
        )
        return (exact + [case for case in rest if case.number not in found])[:limit]

    def _exact(self, query: CaseQuery, *, me: str, today: date) -> list[CaseSummary]:
        """The cases `query.numbers` names that pass its filters (its words aside)."""
        numbers = sorted(query.numbers)
        unworded = replace(query, words=(), numbers=frozenset())
        where, params = self._where(unworded, me=me, today=today)  # groups: by sub-select
        pairs = " OR ".join("(c.number = ? AND c.sub_number = ?)" for _ in numbers)
        where.append(f"({pairs})")
        params.extend(value for n in numbers for value in (n.main, n.sub))
        sql = _SELECT.format(description="''") + " WHERE " + " AND ".join(where)
        rows = [self._summary(row) for row in self._fetch(sql, params)]
        return sorted(rows, key=lambda c: c.number)

    def check_names(self, query: CaseQuery) -> None:
        """Refuse a query that names users (`@bob`) or groups (`group:x`) that do not
        exist, naming them (`@me` is whoever acts, known by then)."""
        users = sorted(u.removeprefix("@") for u in query.users if u != ME)
        groups = sorted(query.groups)
        missing_users, missing_groups = users, groups
        if users:
            rows = self._fetch(
                f"SELECT lower(username) FROM agents WHERE lower(username) IN ({_marks(users)})",
                users,
            )
            known = {row[0] for row in rows}
            missing_users = [u for u in users if u not in known]
        if groups:
            rows = self._fetch(
                f"SELECT lower(name) FROM groups WHERE lower(name) IN ({_marks(groups)})", groups
            )
            known = {row[0] for row in rows}
            missing_groups = [g for g in groups if g not in known]
        parts = []
        if missing_users:
            names = ", ".join(f"@{u}" for u in missing_users)
            parts.append(f"user{'s' if len(missing_users) > 1 else ''} {names}")
        if missing_groups:
            names = ", ".join(missing_groups)
            parts.append(f"group{'s' if len(missing_groups) > 1 else ''} {names}")
        if parts:
            raise NotFoundError(f"unknown {' and '.join(parts)} in the query")

    def _group_ids(self, query: CaseQuery, me: str) -> list[Any]:
        """The ids of the groups a query names (`group:`) and/or `me`'s groups."""
        ids: set[Any] | None = None
        if query.groups:
            names = sorted(query.groups)
            rows = self._fetch(f"SELECT id FROM groups WHERE name IN ({_marks(names)})", names)
            ids = {row[0] for row in rows}
        if query.my_groups:
            rows = self._fetch(
                "SELECT gm.group_id FROM group_members gm JOIN agents a ON a.id = gm.agent_id"
                " WHERE a.username = ?",
                [me],
            )
            mine = {row[0] for row in rows}
            ids = mine if ids is None else ids & mine
        return sorted(ids or (), key=str)

    def _merged_groups(
        self,
        query: CaseQuery,
        group_ids: Sequence[Any],
        me: str,
        today: date,
        keyset: tuple[str, list[Any]] | None,
        order: str,
        limit: int,
        now: datetime | None = None,
        horizon: datetime | None = None,
    ) -> tuple[str, list[Any]]:
        """Several groups: one index-ordered, limited query per group, merged.

        `delegated_group_id IN (…)` would make SQLite sort every matching case of all the
        groups before taking the first page (a quarter of a second at a million cases);
        each per-group query reads at most `limit` rows off its index instead.
        """
        if not group_ids:
            return "SELECT * FROM cases WHERE 1 = 0", []
        rest, rest_params = self._where(
            replace(query, groups=frozenset(), my_groups=False),
            me=me,
            today=today,
            now=now,
            sla_horizon=horizon,
        )
        if keyset is not None:
            rest = [*rest, keyset[0]]
            rest_params = [*rest_params, *keyset[1]]
        parts, params = [], []
        for group_id in group_ids:
            where = " AND ".join(["c.delegated_group_id = ?", *rest])
            parts.append(f"SELECT id FROM (SELECT c.id FROM cases c WHERE {where}{order} LIMIT ?)")
            params.extend([group_id, *rest_params, limit])
        sql = (
            _SELECT.format(description="''")
            + f" WHERE c.id IN ({' UNION ALL '.join(parts)})"
            + order
            + " LIMIT ?"
        )
        return sql, [*params, limit]

    def count_cases(
        self,
        query: CaseQuery,
        *,
        me: str,
        today: date,
        cap: int = COUNT_CAP,
        but: Sequence[CaseSummary] = (),
        now: datetime | None = None,
        sla_horizon: datetime | None = None,
    ) -> int:
        """How many cases match (`but` these), counting at most `cap` + 1 (shown as "9999+").

        A capped count reads at most cap + 1 index entries, so a sidebar of views stays
        cheap at a million cases.
        """
        if query.nothing:
            return 0
        if query.numbers:
            exact = self._exact(query, me=me, today=today)
            rest = replace(query, numbers=frozenset())
            return len(exact) + self.count_cases(
                rest, me=me, today=today, cap=cap, but=exact, now=now, sla_horizon=sla_horizon
            )
        where, params = self._where(query, me=me, today=today, now=now, sla_horizon=sla_horizon)
        for case in but:
            where.append("NOT (c.number = ? AND c.sub_number = ?)")
            params.extend([case.number.main, case.number.sub])
        inner = "SELECT 1 FROM cases c"
        if query.words and self._dialect.sqlite and match_expression(query.words):
            join, join_params = ranked_join(query.words)
            inner += join
            params = [*join_params, *params]
        if where:
            inner += " WHERE " + " AND ".join(where)
        rows = self._fetch(f"SELECT count(*) FROM ({inner} LIMIT ?) AS capped", [*params, cap + 1])
        return int(rows[0][0])

    def next_candidates(self, *, me: str, today: date, limit: int = 5) -> list[CaseNumber]:
        """The most urgent unassigned cases of `me`'s groups: the soonest SLA due first
        (DATE-3; all alike without SLA policies), then overdue, then priority, then age
        (the "next case" key, ASSIGN-2)."""
        sql = (
            "SELECT c.number, c.sub_number FROM cases c"
            f" WHERE {NOT_CLOSED} AND c.delegated_user_id IS NULL"
            " AND c.delegated_group_id IN (SELECT gm.group_id FROM group_members gm"
            " JOIN agents a ON a.id = gm.agent_id WHERE a.username = ?)"
            " ORDER BY c.sla_rank, CASE WHEN c.due < ? THEN 0 ELSE 1 END,"
            " CASE c.priority WHEN 'urgent' THEN 0 WHEN 'high' THEN 1 WHEN 'normal' THEN 2"
            " ELSE 3 END, c.created_at, c.number, c.sub_number LIMIT ?"
        )
        rows = self._fetch(sql, [me, self._dialect.date_param(today), limit])
        return [CaseNumber(main, sub) for main, sub in rows]

    def summaries(self, numbers: Sequence[CaseNumber]) -> list[CaseSummary]:
        """The cases with these numbers (bulk previews), in number order."""
        found: list[CaseSummary] = []
        for chunk in chunked(numbers, 200):  # two parameters a number
            pairs = " OR ".join("(c.number = ? AND c.sub_number = ?)" for _ in chunk)
            params = [value for n in chunk for value in (n.main, n.sub)]
            sql = _SELECT.format(description="''") + f" WHERE {pairs}"
            found += [self._summary(row) for row in self._fetch(sql, params)]
        return sorted(found, key=lambda c: c.number)

    def change_token(self) -> object:
        """A value that changes whenever another connection commits (live refresh, TUI-3).

        SQLite: `PRAGMA data_version` of this connection, which costs microseconds.
        PostgreSQL: the newest `updated_at` (index-only); LISTEN/NOTIFY comes with team mode.
        """
        if self._dialect.sqlite:
            return self._fetch("PRAGMA data_version", ())[0][0]
        return self._fetch("SELECT max(updated_at), count(*) FROM cases", ())[0]

    def _cursor_params(self, sort: "Sort", cursor: Cursor) -> list[Any]:
        values = list(cursor)
        if sort.key is SortKey.DUE:
            values[0] = self._dialect.date_param(date.fromisoformat(values[0]))
        elif sort.key is SortKey.UPDATED:
            values[0] = self._dialect.datetime_param(datetime.fromisoformat(values[0]))
        return values

    def _where(
        self,
        query: CaseQuery,
        *,
        me: str,
        today: date,
        now: datetime | None = None,
        sla_horizon: datetime | None = None,
    ) -> tuple[list[str], list[Any]]:
        """The predicates of `query`; `now` is the instant the SLA views judge by (default:
        the start of `today`, UTC); `sla_horizon` (`SlaRules.risk_horizon`) bounds "SLA at
        risk" to a range of the SLA index (without it the view is right but walks). Both SLA
        views read their index in order when sorted by SLA (`Sort(SortKey.SLA)`)."""
        where: list[str] = []
        params: list[Any] = []

        def among(column: str, values: Sequence[Any]) -> None:
            where.append(f"{column} IN ({_marks(values)})")
            params.extend(values)

        def among_ids(
            column: str, table: str, key: str, values: Sequence[Any], op: str = "IN"
        ) -> None:
            """`column` holds the id of a row of `table` whose `key` is one of `values`."""
            sub = f"SELECT id FROM {table} WHERE {key} IN ({_marks(values)})"
            where.append(f"{column} {op} ({sub})")
            params.extend(values)

        if query.not_closed or query.overdue or query.reminder_due:
            where.append(NOT_CLOSED)
        if query.statuses:
            among("c.status", sorted(s.value for s in query.statuses))
        if query.priorities:
            among("c.priority", sorted(p.value for p in query.priorities))
        if query.types:
            among("c.type", sorted(query.types))
        if query.users:
            names = sorted(me if u == ME else u.removeprefix("@") for u in query.users)
            # `=` on one user lets the partial index deliver rows already in due order.
            op = "=" if len(names) == 1 else "IN"
            among_ids("c.delegated_user_id", "agents", "username", names, op)
        if query.unassigned:
            where.append("c.delegated_user_id IS NULL")
        if query.groups:
            among_ids("c.delegated_group_id", "groups", "name", sorted(query.groups))
        if query.my_groups:
            where.append(
                "c.delegated_group_id IN (SELECT gm.group_id FROM group_members gm"
                " JOIN agents a ON a.id = gm.agent_id WHERE a.username = ?)"
            )
            params.append(me)
        if query.accounts:
            names = sorted(a.lower() for a in query.accounts)
            among_ids("c.account_id", "accounts", "lower(name)", names)
        if query.contacts:
            among_ids("c.contact_id", "contacts", "email", sorted(query.contacts))
        if query.overdue:
            where.append("c.due < ?")
            params.append(self._dialect.date_param(today))
        if query.reminder_due:
            where.append("c.reminder <= ?")
            params.append(self._dialect.date_param(today))
        if query.sla_breached or query.sla_at_risk:  # DATE-3: ix_cases_open_sla_rank
            moment = now or datetime.combine(today, time(), UTC)
            # sla_rank is the breach instant in epoch seconds, rounded up.
            rank_now = math.floor(moment.timestamp())
            if NOT_CLOSED not in where:
                where.append(NOT_CLOSED)
            if query.sla_breached:
                where.append("c.sla_rank <= ?")
                params.append(rank_now)
            if query.sla_at_risk:
                where.append("c.sla_rank > ?")
                params.append(rank_now)
                if sla_horizon is not None:  # a case at risk breaches by the horizon
                    where.append("c.sla_rank <= ?")
                    params.append(math.ceil(sla_horizon.timestamp()))
                where.append("c.sla_risk_at <= ?")
                params.append(self._dialect.datetime_param(moment))
        if query.words and not self._dialect.sqlite:
            like_where, like_params = like_filter(query.words)
            where.extend(like_where)
            params.extend(like_params)
        return where, params

    # -- one case ----------------------------------------------------------------
    def case_detail(self, number: CaseNumber) -> CaseDetail:
        """A case with its sub-cases and whole timeline, oldest first."""
        rows = self._fetch(
            _SELECT.format(description="c.description, c.custom, c.csat_rating, c.csat_at")
            + " WHERE c.number = ? AND c.sub_number = ?",
            (number.main, number.sub),
        )
        if not rows:
            raise NotFoundError(f"no case {number}")
        case = self._summary(rows[0])
        subs: list[CaseSummary] = []
        if not number.is_sub_case:
            subs = [
                self._summary(row)
                for row in self._fetch(
                    _SELECT.format(description="''")
                    + " WHERE c.number = ? AND c.sub_number > 0 ORDER BY c.sub_number",
                    (number.main,),
                )
            ]
        activities = [
            self._entry(row)
            for row in self._fetch(
                "SELECT a.kind, ag.username, a.at, a.internal, a.text, a.changes,"
                " a.time_spent_centi, " + MAIL_COLUMNS + " FROM activities a"
                " LEFT JOIN agents ag ON ag.id = a.actor_id"
                " LEFT JOIN mails m ON m.id = a.mail_id"
                " WHERE a.case_id = (SELECT id FROM cases WHERE number = ? AND sub_number = ?)"
                " ORDER BY a.at",
                (number.main, number.sub),
            )
        ]
        return CaseDetail(case, subs, activities)

    def _entry(self, row: tuple[Any, ...]) -> ActivityEntry:
        kind, actor, at, internal, text, changes, spent, *mail_columns = row
        mail = self.mail.entry(mail_columns) if mail_columns[0] is not None else None
        return ActivityEntry(
            kind=kind,
            actor=actor,
            at=self._dialect.to_utc(at),
            internal=bool(internal),
            text=mail.body_text if mail is not None and not text else text,
            changes=json.loads(changes or "{}"),
            time_spent_centi=spent,
            mail=mail,
        )

    # -- plumbing ----------------------------------------------------------------
    def _fetch(self, sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
        cursor = self._connection.cursor()
        try:
            cursor.execute(self._dialect.sql(sql), tuple(params))
            return list(cursor.fetchall())
        finally:
            cursor.close()

    def _reset(self) -> None:
        if not self._dialect.sqlite:
            self._connection.rollback()

    def _summary(self, row: Sequence[Any]) -> CaseSummary:
        d = self._dialect
        return CaseSummary(
            number=CaseNumber(row[0], row[1]),
            subject=row[2],
            type=row[3],
            status=Status(row[4]),
            priority=Priority(row[5]),
            resolution=row[6],
            duplicate_of=CaseNumber(row[7], row[8]) if row[7] is not None else None,
            delegated_user=row[9],
            delegated_group=row[10],
            owner=row[11],
            contact_email=row[12],
            contact_name=row[13],
            account=row[14],
            initiator=row[15],
            due=d.to_date(row[16]),
            reminder=d.to_date(row[17]) if row[17] else None,
            created_at=d.to_utc(row[18]),
            updated_at=d.to_utc(row[19]),
            version=row[20],
            sla=row[21],
            sla_rank=row[22],
            description=row[23] or "",
            fields=_custom_fields(row[24]) if len(row) > 24 else None,
            csat_rating=row[25] if len(row) > 25 else None,
            csat_at=d.to_utc(row[26]) if len(row) > 26 and row[26] is not None else None,
        )


def _custom_fields(stored: str | None) -> tuple[tuple[str, str], ...]:
    """The `custom` column (a JSON object) as sorted (key, value) pairs."""
    values = json.loads(stored or "{}")
    return tuple(sorted((str(k), str(v)) for k, v in values.items()))


def _marks(values: Sequence[Any]) -> str:
    return ", ".join("?" * len(values))


@contextmanager
def open_reads(location: DatabaseLocation) -> Iterator[ReadStore]:
    """A read-only store on the location; the connection closes on exit."""
    check_thread()
    if location.is_sqlite:
        location.sqlite_path.parent.mkdir(parents=True, exist_ok=True)  # a first start
        connection: Any = sqlite3.connect(location.sqlite_path, timeout=BUSY_TIMEOUT_MS / 1000)
        connection.execute("PRAGMA query_only = 1")
        dialect = Dialect(sqlite=True)
    else:
        import psycopg  # lazy import: team mode only; keeps SQLite starts light

        connection = psycopg.connect(
            location.libpq_url, autocommit=True, password=location.password
        )
        dialect = Dialect(sqlite=False)
    try:
        yield ReadStore(connection, dialect)
    finally:
        connection.close()
