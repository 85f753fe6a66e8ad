"""Reading an agent's notifications (DATE-4): the unread count and the newest-first list.

A part of `ReadStore` (storage/reads.py), `store.notifications`, on the same plain DB-API
connection. Both queries run on `ix_notifications_agent_unread` (agent, read, at): the
count is an index range, the unread list comes in index order.
"""

import uuid
from datetime import date, datetime, timedelta
from typing import Any

from helpdesk_tui.domain.numbering import CaseNumber
from helpdesk_tui.storage.dialect import Dialect, Fetch
from helpdesk_tui.storage.readmodels import COUNT_CAP, NotificationView

_AGENT = "(SELECT id FROM agents WHERE username = ?)"


class NotificationReads:
    """Notification queries, run through the store's `fetch`."""

    def __init__(self, fetch: Fetch, dialect: Dialect) -> None:
        self._fetch = fetch
        self._dialect = dialect

    def unread_count(self, username: str, cap: int = COUNT_CAP) -> int:
        """How many notifications `username` has not read (capped like the view counts)."""
        rows = self._fetch(
            "SELECT count(*) FROM (SELECT 1 FROM notifications"
            f" WHERE agent_id = {_AGENT} AND read = ? LIMIT ?) x",
            (username, False, cap),
        )
        return int(rows[0][0])

    def of_agent(
        self, username: str, *, unread_only: bool = False, limit: int = 200
    ) -> list[NotificationView]:
        """`username`'s notifications, newest first, at most `limit` (only the unread
        ones with `unread_only`)."""
        where = f"n.agent_id = {_AGENT}"
        params: list[Any] = [username]
        if unread_only:
            where += " AND n.read = ?"
            params.append(False)
        rows = self._fetch(
            "SELECT n.id, n.kind, c.number, c.sub_number, c.subject, n.at, a.username,"
            " n.text, n.read FROM notifications n"
            " LEFT JOIN cases c ON c.id = n.case_id"
            " LEFT JOIN agents a ON a.id = n.actor_id"
            f" WHERE {where} ORDER BY n.at DESC, n.id DESC LIMIT ?",
            [*params, limit],
        )
        return [self._view(row) for row in rows]

    def mail_choice(self, username: str) -> tuple[str | None, str]:
        """`username`'s own choice of notification mail (None: the default) and address."""
        rows = self._fetch("SELECT notify_email, email FROM agents WHERE username = ?", (username,))
        return (rows[0][0], rows[0][1]) if rows else (None, "")

    def mail_waiting(self, default: str, since: datetime, digest_before: datetime) -> list[str]:
        """The active agents with an address and notification mail on (their own choice,
        else `default`) who have unread notifications since `since` not mailed yet — for
        a digest, one at or before `digest_before` (its digest is due). Lets a mail pass
        with nothing to send (also a digest still gathering) stay on this plain read path:
        the agents table is small, each agent's look is a range of
        `ix_notifications_agent_unread`."""
        agents = self._fetch(
            "SELECT id, username, COALESCE(notify_email, ?) FROM agents"
            " WHERE active = ? AND email != '' AND COALESCE(notify_email, ?) != 'off'"
            " ORDER BY username",
            (default, True, default),
        )
        moment = self._dialect.datetime_param(since)
        due = self._dialect.datetime_param(digest_before)
        sql = (
            "SELECT 1 FROM notifications WHERE agent_id = ? AND read = ? AND at >= ?"
            " AND mailed_at IS NULL"
        )
        return [
            username
            for agent_id, username, choice in agents
            if (
                self._fetch(f"{sql} AND at <= ? LIMIT 1", (agent_id, False, moment, due))
                if choice == "digest"
                else self._fetch(f"{sql} LIMIT 1", (agent_id, False, moment))
            )
        ]

    def scheduler_idle(self, name: str, today: date, look_back: timedelta) -> bool:
        """Whether a scheduler pass would find nothing: it passed today already and no
        open case changed since shortly before (`look_back`) has a reminder that has come
        or a due date that has passed. Lets a pass with nothing to do (a `sync --once`
        right after mail opened cases) stay on this plain read path."""
        rows = self._fetch("SELECT day, at FROM scheduler_state WHERE name = ?", (name,))
        if not rows or self._dialect.to_date(rows[0][0]) < today:
            return False
        since = self._dialect.to_utc(rows[0][1]) - look_back
        day = self._dialect.date_param(today)
        changed = self._fetch(
            "SELECT 1 FROM cases WHERE updated_at >= ? AND status != 'closed'"
            " AND (reminder <= ? OR due < ?) LIMIT 1",
            (self._dialect.datetime_param(since), day, day),
        )
        return not changed

    def _view(self, row: tuple[Any, ...]) -> NotificationView:
        note_id, kind, number, sub, subject, at, by, text, read = row
        return NotificationView(
            id=note_id if isinstance(note_id, uuid.UUID) else uuid.UUID(str(note_id)),
            kind=kind,
            case=CaseNumber(number, sub) if number is not None else None,
            subject=subject or "",
            at=self._dialect.to_utc(at),
            by=by,
            text=text,
            read=bool(read),
        )
