"""Reading stored mail (MAIL-3, MAIL-9): the mail of a timeline entry and the unfiled inbox.

A part of `ReadStore` (storage/reads.py), `store.mail`, on the same plain DB-API connection.
"""

import json
import uuid
from collections.abc import Sequence
from typing import Any

from helpdesk_tui.storage.dialect import Dialect, Fetch
from helpdesk_tui.storage.readmodels import COUNT_CAP, MailEntry

#: The columns `_mail` reads, from `mails m`.
MAIL_COLUMNS = (
    "m.id, m.direction, m.from_email, m.from_name, m.subject, m.received_at, m.body_text,"
    " m.quote_start, m.attachments, m.defects, m.noise, m.filed_by, m.filed_note"
)


class MailReads:
    """Mail queries, run through the store's `fetch`."""

    def __init__(self, fetch: Fetch, dialect: Dialect) -> None:
        self._fetch = fetch
        self._dialect = dialect

    def entry(self, columns: Sequence[Any]) -> MailEntry:
        """A mail from the `MAIL_COLUMNS` of a row (a timeline entry joins them too)."""
        (
            mail_id,
            direction,
            from_email,
            from_name,
            subject,
            received_at,
            body,
            quote_start,
            attachments,
            defects,
            noise,
            filed_by,
            filed_note,
        ) = columns
        return MailEntry(
            id=mail_id.hex if isinstance(mail_id, uuid.UUID) else str(mail_id),
            direction=direction,
            from_email=from_email,
            from_name=from_name,
            subject=subject,
            received_at=self._dialect.to_utc(received_at),
            body_text=body,
            quote_start=quote_start,
            attachments=json.loads(attachments or "[]"),
            defects=json.loads(defects or "[]"),
            noise=noise,
            filed_by=filed_by,
            filed_note=filed_note,
        )

    def unfiled(self, limit: int = 200) -> list[MailEntry]:
        """The unfiled inbox (MAIL-3, MAIL-8): newest first, at most `limit`."""
        rows = self._fetch(
            "SELECT " + MAIL_COLUMNS + " FROM mails m WHERE m.case_id IS NULL"
            " AND m.direction = 'in' ORDER BY m.received_at DESC LIMIT ?",
            (limit,),
        )
        return [self.entry(row) for row in rows]

    def unfiled_count(self, cap: int = COUNT_CAP) -> int:
        """How many mails wait in the unfiled inbox (capped like the view counts)."""
        rows = self._fetch(
            "SELECT count(*) FROM (SELECT 1 FROM mails WHERE case_id IS NULL"
            " AND direction = 'in' LIMIT ?) x",
            (cap,),
        )
        return int(rows[0][0])

    def folder_state(self, mailbox: str, folder: str) -> tuple[int, int, int | None] | None:
        """How far a folder is synced (MAIL-2): (uidvalidity, last_uid, highestmodseq),
        or None when it was never synced. Lets a poll with nothing new skip the ORM."""
        rows = self._fetch(
            "SELECT uidvalidity, last_uid, highestmodseq FROM folder_state"
            " WHERE mailbox = ? AND folder = ?",
            (mailbox, folder),
        )
        if not rows:
            return None
        uidvalidity, last_uid, modseq = rows[0]
        return int(uidvalidity), int(last_uid), None if modseq is None else int(modseq)
