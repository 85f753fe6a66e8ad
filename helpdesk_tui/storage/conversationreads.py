"""Reading the conversations inbox (MAIL-8): keyset pages of inbound mail newest first,
filtered as `MailFilter` says, and the weekly review's counters.

A part of `ReadStore` (storage/reads.py), `store.conversations`, on the same plain DB-API
connection. Every page walks one partial index of `mails` on (received_at, id) — which
one, the filter's most selective term decides — and never sorts the table: the
predicates below repeat the index predicates of storage/tables.py verbatim.
"""

import json
import statistics
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from helpdesk_tui.domain.mail_query import OLD_DAYS, MailFilter
from helpdesk_tui.domain.numbering import CaseNumber
from helpdesk_tui.storage.dialect import Dialect, Fetch
from helpdesk_tui.storage.mailreads import MAIL_COLUMNS, MailReads
from helpdesk_tui.storage.readmodels import COUNT_CAP, MailEntry, MailListItem, MailStats

#: The list's columns, from `mails m` left-joined to its case `c` and account `a`.
_COLUMNS = (
    "m.id, m.received_at, m.from_email, m.from_name, m.subject, m.mailbox, m.class,"
    " m.classified_by, a.name, c.number, c.sub_number, m.read, m.archived, m.noise,"
    " m.attachments, m.classified_rule"
)
_JOINS = " LEFT JOIN cases c ON c.id = m.case_id LEFT JOIN accounts a ON a.id = m.account_id"
#: Answers to a customer: what an agent sends or says to them on the case.
_ANSWER_KINDS = "('external', 'phone', 'mail_out')"
#: The weekly review looks back this many days (rate, reaction time).
REVIEW_DAYS = 30
#: The reaction time is the median of at most this many newest customer mails.
REACTION_SAMPLE = 2000


@dataclass(frozen=True)
class _Where:
    """A filter as SQL: the index to walk (SQLite), the terms and their parameters."""

    index: str
    terms: list[str]
    params: list[Any]


class ConversationReads:
    """Conversation list queries, run through the store's `fetch`."""

    def __init__(self, fetch: Fetch, dialect: Dialect) -> None:
        self._fetch = fetch
        self._dialect = dialect

    # -- the list --------------------------------------------------------------------
    def page(
        self,
        mail_filter: MailFilter,
        *,
        now: datetime,
        after: tuple[datetime, uuid.UUID] | None = None,
        limit: int = 100,
    ) -> list[MailListItem]:
        """One page of inbound mail matching the filter, newest first, after `after`."""
        where = self._where(mail_filter, now)
        terms, params = list(where.terms), list(where.params)
        if after is not None:
            terms.append("(m.received_at, m.id) < (?, ?)")
            params.extend([self._dialect.datetime_param(after[0]), self._id(after[1])])
        sql = (
            f"SELECT {_COLUMNS} FROM mails m{self._indexed(where.index)}{_JOINS}"
            f" WHERE {' AND '.join(terms)}"
            " ORDER BY m.received_at DESC, m.id DESC LIMIT ?"
        )
        rows = self._fetch(sql, [*params, limit])
        return [self._item(row) for row in rows]

    def count(self, mail_filter: MailFilter, *, now: datetime, cap: int = COUNT_CAP) -> int:
        """How many mails match the filter, counting at most `cap`."""
        where = self._where(mail_filter, now)
        sql = (
            f"SELECT count(*) FROM (SELECT 1 FROM mails m{self._indexed(where.index)}"
            f" WHERE {' AND '.join(where.terms)} LIMIT ?) x"
        )
        return int(self._fetch(sql, [*where.params, cap])[0][0])

    def get(self, mail_id: uuid.UUID) -> MailListItem | None:
        """One mail as a list row (any direction), or None."""
        rows = self._fetch(
            f"SELECT {_COLUMNS} FROM mails m{_JOINS} WHERE m.id = ?", [self._id(mail_id)]
        )
        return self._item(rows[0]) if rows else None

    def entry(self, mail_id: uuid.UUID) -> MailEntry | None:
        """A mail to read (headers, text, attachments, why it was filed), or None."""
        rows = self._fetch(
            "SELECT " + MAIL_COLUMNS + " FROM mails m WHERE m.id = ?", [self._id(mail_id)]
        )
        return MailReads(self._fetch, self._dialect).entry(rows[0]) if rows else None

    def attachment_lists(self, mail_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, list[Any]]:
        """The stored `attachments` list of each of these mails (for the mail JSON)."""
        found: dict[uuid.UUID, list[Any]] = {}
        for start in range(0, len(mail_ids), 500):
            chunk = mail_ids[start : start + 500]
            marks = ", ".join("?" * len(chunk))
            rows = self._fetch(
                f"SELECT m.id, m.attachments FROM mails m WHERE m.id IN ({marks})",
                [self._id(mail_id) for mail_id in chunk],
            )
            found.update((_uuid(mail_id), json.loads(text or "[]")) for mail_id, text in rows)
        return found

    def ids_with_prefix(self, prefix: str, limit: int = 2) -> list[uuid.UUID]:
        """Inbound mails whose id (hex) starts with `prefix` (at most `limit`)."""
        text = prefix.strip().lower().replace("-", "")
        if not text or any(ch not in "0123456789abcdef" for ch in text):
            return []
        if len(text) == 32:
            rows = self._fetch("SELECT m.id FROM mails m WHERE m.id = ?", [self._id(text)])
        else:
            low = text.ljust(32, "0")
            high = text.ljust(32, "f")
            rows = self._fetch(
                "SELECT m.id FROM mails m WHERE m.id >= ? AND m.id <= ? ORDER BY m.id LIMIT ?",
                [self._id(low), self._id(high), limit],
            )
        return [_uuid(row[0]) for row in rows]

    # -- the weekly review ------------------------------------------------------------
    def stats(self, *, now: datetime, cap: int = COUNT_CAP) -> MailStats:
        """Unclassified mail, old open mail (both capped), the classification rate and
        the median reaction time to customer mail over the last REVIEW_DAYS days."""
        unclassified = self.count(MailFilter(unclassified=True), now=now, cap=cap)
        old_open = self.count(MailFilter(old_open=True), now=now, cap=cap)
        since = self._dialect.datetime_param(now - timedelta(days=REVIEW_DAYS))
        total = int(
            self._fetch(
                "SELECT count(*) FROM mails m WHERE m.direction = 'in' AND m.received_at >= ?",
                [since],
            )[0][0]
        )
        rate: float | None = None
        if total:
            open_ones = int(
                self._fetch(
                    "SELECT count(*) FROM mails m WHERE m.direction = 'in' AND m.class IS NULL"
                    " AND m.received_at >= ?",
                    [since],
                )[0][0]
            )
            rate = round((total - open_ones) / total, 4)
        return MailStats(unclassified, old_open, rate, self._reaction_hours(since))

    def _reaction_hours(self, since: object) -> float | None:
        """The median hours from a customer's mail on a case to the first answer after it
        (an external entry, a call or a mail by an agent); None: none answered."""
        rows = self._fetch(
            "SELECT m.received_at, (SELECT min(x.at) FROM activities x"
            " WHERE x.case_id = m.case_id AND x.at > m.received_at"
            f" AND x.kind IN {_ANSWER_KINDS} AND x.actor_id IS NOT NULL)"
            f" FROM mails m{self._indexed('ix_mails_in_class')}"
            " WHERE m.direction = 'in' AND m.class = 'customer' AND m.received_at >= ?"
            " AND m.case_id IS NOT NULL ORDER BY m.received_at DESC LIMIT ?",
            [since, REACTION_SAMPLE],
        )
        hours = [
            (self._dialect.to_utc(answered) - self._dialect.to_utc(received)).total_seconds() / 3600
            for received, answered in rows
            if answered is not None
        ]
        return round(statistics.median(hours), 2) if hours else None

    # -- building blocks --------------------------------------------------------------
    def _where(self, f: MailFilter, now: datetime) -> _Where:
        """The filter's terms; the driving index is the most selective term's."""
        terms = ["m.direction = 'in'"]
        params: list[Any] = []
        index = "ix_mails_in_all"
        candidates: list[str] = []
        if f.sender:
            sender = f.sender.strip().lower()
            if "@" in sender:
                terms.append("m.from_email = ?")
                candidates.append("ix_mails_in_from")
            else:
                terms.append("m.from_domain = ?")
                candidates.append("ix_mails_in_domain")
            params.append(sender)
        if f.account:
            terms.append(
                "m.account_id = (SELECT ac.id FROM accounts ac WHERE lower(ac.name) = ?"
                " ORDER BY ac.name LIMIT 1)"
            )
            params.append(f.account.strip().lower())
            candidates.append("ix_mails_in_account")
        if f.mail_class:
            terms.append("m.class = ?")
            params.append(f.mail_class)
            candidates.append("ix_mails_in_class")
        if f.unclassified:
            terms.append("m.class IS NULL")
            candidates.append("ix_mails_in_unclassified")
        if f.unread:
            terms.append("m.read = false")
            candidates.append("ix_mails_in_unread")
        if f.filed is False:
            terms.append("m.case_id IS NULL")
            candidates.append("ix_mails_in_unfiled")
        elif f.filed is True:
            terms.append("m.case_id IS NOT NULL")
        if f.archived and not f.old_open:
            terms.append("m.archived = true")
            candidates.append("ix_mails_in_archived")
        else:
            terms.append("m.archived = false")
            candidates.append("ix_mails_in_listed")
        if f.old_open:
            if f.archived:
                terms.append("1 = 0")  # old *open* mail is never archived
            older = f.older_than_days or OLD_DAYS
            terms.append("m.received_at < ?")
            params.append(self._dialect.datetime_param(now - timedelta(days=older)))
            terms.append(
                "(m.case_id IS NULL OR NOT EXISTS (SELECT 1 FROM cases oc"
                " WHERE oc.id = m.case_id AND oc.status = 'closed'))"
            )
        if f.period_days:
            terms.append("m.received_at >= ?")
            params.append(self._dialect.datetime_param(now - timedelta(days=f.period_days)))
        if f.mailbox:
            terms.append("m.mailbox = ?")
            params.append(f.mailbox)
        for word in f.words.split():
            pattern = "%" + word.lower().replace("%", "").replace("_", "") + "%"
            terms.append(
                "(lower(m.subject) LIKE ? OR m.from_email LIKE ? OR lower(m.from_name) LIKE ?)"
            )
            params.extend([pattern, pattern, pattern])
        if candidates:
            index = candidates[0]
        return _Where(index, terms, params)

    def _indexed(self, index: str) -> str:
        """SQLite's planner has no statistics on a fresh database: name the index."""
        return f" INDEXED BY {index}" if self._dialect.sqlite else ""

    def _id(self, value: uuid.UUID | str) -> object:
        """A mail id as the driver binds it (hex text on SQLite)."""
        mail_id = value if isinstance(value, uuid.UUID) else uuid.UUID(value)
        return mail_id.hex if self._dialect.sqlite else mail_id

    def _item(self, row: Sequence[Any]) -> MailListItem:
        (
            mail_id,
            received_at,
            from_email,
            from_name,
            subject,
            mailbox,
            mail_class,
            classified_by,
            account,
            number,
            sub_number,
            read,
            archived,
            noise,
            attachments,
            classified_rule,
        ) = row
        return MailListItem(
            id=_uuid(mail_id),
            received_at=self._dialect.to_utc(received_at),
            from_email=from_email,
            from_name=from_name,
            subject=subject,
            mailbox=mailbox,
            mail_class=mail_class,
            classified_by=classified_by,
            account=account,
            case=None if number is None else CaseNumber(int(number), int(sub_number)),
            read=bool(read),
            archived=bool(archived),
            noise=noise,
            attachments=len(json.loads(attachments or "[]")),
            classified_rule=classified_rule,
        )


def _uuid(value: Any) -> uuid.UUID:
    return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
