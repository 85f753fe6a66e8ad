"""Reading the activity feed (issue 13): timeline entries across cases, newest first.

A part of `ReadStore` (storage/reads.py), `store.activity`, on the same plain DB-API
connection. Pages are keyset pages on (at, id) descending over `ix_activities_at_id`
(migration 0007): the database walks the index from the cursor and stops after `limit`
matches, so a page never loads the table. A scope that matches few entries (an agent with
few cases) is read in windows of WINDOW index entries (the window's last entry is found
index-only, then the page query is bounded by it); after SCAN_BUDGET entries without a full
page the page ends early with a cursor where the scan stopped, so no call reads the whole
table: the caller asks again from there.
"""

import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from helpdesk_tui.domain.enums import Role
from helpdesk_tui.domain.errors import NotFoundError
from helpdesk_tui.domain.feed import FeedFilter, FeedScope, check_scope, summary
from helpdesk_tui.domain.numbering import CaseNumber
from helpdesk_tui.storage.dialect import Dialect, Fetch
from helpdesk_tui.storage.readmodels import ActivityEntry

#: Index entries one window reads; SCAN_BUDGET: at most this many per page.
WINDOW = 4096
SCAN_BUDGET = 8 * WINDOW

#: A keyset position in the feed: (at, activity id as 32 hex digits).
FeedCursor = tuple[datetime, str]


@dataclass(frozen=True)
class ActivityFeedEntry:
    """One feed row: the timeline entry (the `case show` shape) and its case."""

    entry: ActivityEntry
    case: CaseNumber
    subject: str
    id: str  # the activity's id, 32 hex digits
    mail_from: str | None = None  # the sender of a mail entry (name, else address)

    @property
    def at(self) -> datetime:
        """When it happened (UTC)."""
        return self.entry.at

    @property
    def actor(self) -> str | None:
        """Who did it (None: the system or a customer)."""
        return self.entry.actor

    @property
    def kind(self) -> str:
        """The activity kind (`status`, `mail_in`, …)."""
        return self.entry.kind

    @property
    def summary(self) -> str:
        """The one-line summary (domain/feed.summary)."""
        changes = {k: tuple(v) for k, v in self.entry.changes.items()}
        return summary(self.kind, changes, self.entry.text, mail_from=self.mail_from)

    @property
    def cursor(self) -> FeedCursor:
        """The keyset position of this row."""
        return (self.entry.at, self.id)


@dataclass(frozen=True)
class FeedPage:
    """Feed rows, newest first, and where the next page starts (None: nothing older)."""

    entries: list[ActivityFeedEntry]
    after: FeedCursor | None


_COLUMNS = """
SELECT a.id, a.kind, ag.username, a.at, a.internal, a.text, a.changes, a.time_spent_centi,
       a.case_id, m.from_email, m.from_name, m.body_text
"""
#: No join with cases: its scope is an EXISTS and its number and subject are read for the
#: page's rows afterwards. A join let SQLite build a Bloom filter over all cases first
#: (150 ms at a million cases) for a page that needs 50 of them.
_JOINS = """
LEFT JOIN agents ag ON ag.id = a.actor_id
LEFT JOIN mails m ON m.id = a.mail_id
"""


class ActivityReads:
    """Feed queries, run through the store's `fetch`."""

    def __init__(self, fetch: Fetch, dialect: Dialect) -> None:
        self._fetch = fetch
        self._dialect = dialect

    def seen_at(self, me: str) -> datetime | None:
        """When `me` last left the activity screen (None: never)."""
        rows = self._fetch("SELECT activity_seen_at FROM agents WHERE username = ?", [me])
        return self._dialect.to_utc(rows[0][0]) if rows and rows[0][0] is not None else None

    def page(
        self,
        *,
        me: str,
        scope: FeedScope,
        feed: FeedFilter | None = None,
        limit: int = 50,
        after: FeedCursor | None = None,
    ) -> FeedPage:
        """One page of the feed in `scope` narrowed by `feed`, newest first, after `after`.

        Refuses (PermissionDeniedError) the `all` scope to agents, and (NotFoundError) an
        actor or a case that does not exist.
        """
        feed = feed or FeedFilter()
        me_id, role = self._agent(me)
        check_scope(scope, role)
        where, params = self._scope(scope, me_id)
        if feed.kinds:
            where.append(f"a.kind IN ({_marks(feed.kinds)})")
            params.extend(sorted(feed.kinds))
        if feed.actors:
            ids = self._actor_ids(feed.actors)
            where.append(f"a.actor_id IN ({_marks(ids)})")
            params.extend(ids)
        if feed.case is not None:
            return self._case_page(feed, where, params, limit, after)
        found: list[ActivityFeedEntry] = []
        cursor = after
        scanned = 0
        while True:
            boundary = self._boundary(feed, cursor)  # None: fewer than WINDOW entries left
            range_where, range_params = self._keyset(feed, cursor, down_to=boundary)
            rows = self._fetch(
                self._select([*range_where, *where]), [*range_params, *params, limit - len(found)]
            )
            found += self._entries(rows)
            if len(found) >= limit:
                return FeedPage(found, found[-1].cursor)
            if boundary is None:
                return FeedPage(found, None)  # the scan reached the oldest entry
            cursor = boundary
            scanned += WINDOW
            if scanned >= SCAN_BUDGET:
                return FeedPage(found, cursor)

    # -- parts -------------------------------------------------------------------
    def _agent(self, me: str) -> tuple[Any, Role]:
        rows = self._fetch("SELECT id, role FROM agents WHERE username = ?", [me])
        if not rows:
            raise NotFoundError(f"unknown user {me!r}")
        return rows[0][0], Role(rows[0][1])

    def _scope(self, scope: FeedScope, me_id: Any) -> tuple[list[str], list[Any]]:
        if scope is FeedScope.ALL:
            return [], []
        mine = "c.delegated_user_id = ? OR c.owner_id = ?"
        if scope is FeedScope.MINE:
            return [_exists(mine)], [me_id, me_id]
        groups = [
            row[0]
            for row in self._fetch("SELECT group_id FROM group_members WHERE agent_id = ?", [me_id])
        ]
        if not groups:
            return [_exists(mine)], [me_id, me_id]
        return (
            [_exists(f"{mine} OR c.delegated_group_id IN ({_marks(groups)})")],
            [me_id, me_id, *groups],
        )

    def _actor_ids(self, names: frozenset[str]) -> list[Any]:
        wanted = sorted(names)
        rows = self._fetch(
            f"SELECT id, lower(username) FROM agents WHERE lower(username) IN ({_marks(wanted)})",
            wanted,
        )
        missing = sorted(set(wanted) - {row[1] for row in rows})
        if missing:
            raise NotFoundError(f"unknown user {', '.join('@' + m for m in missing)}")
        return [row[0] for row in rows]

    def _select(self, where: Sequence[str]) -> str:
        sql = _COLUMNS + " FROM activities a " + _JOINS
        if where:
            sql += " WHERE " + " AND ".join(where)
        return sql + " ORDER BY a.at DESC, a.id DESC LIMIT ?"

    def _keyset(
        self, feed: FeedFilter, cursor: FeedCursor | None, down_to: FeedCursor | None = None
    ) -> tuple[list[str], list[Any]]:
        """Entries older than `cursor`, down to `down_to` (included), since `feed.since`."""
        where: list[str] = []
        params: list[Any] = []
        if cursor is not None:
            where.append("(a.at, a.id) < (?, ?)")
            params.extend(self._cursor_params(cursor))
        if down_to is not None:
            where.append("(a.at, a.id) >= (?, ?)")
            params.extend(self._cursor_params(down_to))
        if feed.since is not None:
            where.append("a.at >= ?")
            params.append(self._dialect.datetime_param(feed.since))
        return where, params

    def _boundary(self, feed: FeedFilter, cursor: FeedCursor | None) -> FeedCursor | None:
        """The last entry of the window after `cursor` if the window was full, else None."""
        where, params = self._keyset(feed, cursor)
        sql = "SELECT a.at, a.id FROM activities a"
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY a.at DESC, a.id DESC LIMIT 1 OFFSET ?"
        rows = self._fetch(sql, [*params, WINDOW - 1])
        if not rows:
            return None
        return (self._dialect.to_utc(rows[0][0]), _hex(rows[0][1]))

    def _case_page(
        self,
        feed: FeedFilter,
        where: list[str],
        params: list[Any],
        limit: int,
        after: FeedCursor | None,
    ) -> FeedPage:
        """One case's entries: its own index (case_id, at) holds few rows."""
        assert feed.case is not None
        ids = self._fetch(
            "SELECT id FROM cases WHERE number = ? AND sub_number = ?",
            [feed.case.main, feed.case.sub],
        )
        if not ids:
            raise NotFoundError(f"no case {feed.case}")
        keyset, keyset_params = self._keyset(feed, after)
        sql = self._select(["a.case_id = ?", *keyset, *where])
        rows = self._fetch(sql, [ids[0][0], *keyset_params, *params, limit + 1])
        entries = self._entries(rows)
        if len(entries) > limit:
            return FeedPage(entries[:limit], entries[limit - 1].cursor)
        return FeedPage(entries, None)

    def _cursor_params(self, cursor: FeedCursor) -> list[Any]:
        at, hex_id = cursor
        key = hex_id if self._dialect.sqlite else uuid.UUID(hex_id)
        return [self._dialect.datetime_param(at), key]

    def _entries(self, rows: Sequence[Sequence[Any]]) -> list[ActivityFeedEntry]:
        """Feed entries of page rows, with their cases' numbers and subjects (one query)."""
        ids = sorted({row[8] for row in rows}, key=str)
        cases: dict[Any, tuple[CaseNumber, str]] = {}
        if ids:
            found = self._fetch(
                f"SELECT id, number, sub_number, subject FROM cases WHERE id IN ({_marks(ids)})",
                ids,
            )
            cases = {row[0]: (CaseNumber(row[1], row[2]), row[3]) for row in found}
        return [self._entry(row, *cases[row[8]]) for row in rows]

    def _entry(self, row: Sequence[Any], case: CaseNumber, subject: str) -> ActivityFeedEntry:
        (
            activity_id,
            kind,
            actor,
            at,
            internal,
            text,
            changes,
            spent,
            _case_id,
            from_email,
            from_name,
            body,
        ) = row
        entry = ActivityEntry(
            kind=kind,
            actor=actor,
            at=self._dialect.to_utc(at),
            internal=bool(internal),
            text=body if body is not None and not text else text,
            changes=json.loads(changes or "{}"),
            time_spent_centi=spent,
        )
        return ActivityFeedEntry(
            entry=entry,
            case=case,
            subject=subject,
            id=_hex(activity_id),
            mail_from=(from_name or from_email) if from_email is not None else None,
        )


def _exists(condition: str) -> str:
    """The activity's case meets `condition` (on `c`)."""
    return f"EXISTS (SELECT 1 FROM cases c WHERE c.id = a.case_id AND ({condition}))"


def _hex(value: Any) -> str:
    return value.hex if isinstance(value, uuid.UUID) else str(value)


def _marks(values: Sequence[Any] | frozenset[Any]) -> str:
    return ", ".join("?" * len(values))
