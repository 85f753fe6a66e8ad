"""The mail store: mails with their raw bytes, what each server folder has delivered, and
the notifications mail raises. One repository per unit of work, like the cases.

Exactly-once (MAIL-2) rests on two things here: `dedupe_key` is unique, so a message seen
again is recognised, and the folder's `last_uid` moves in the same transaction as the mails
of the batch, so a crash either keeps both or neither.
"""

import json
import uuid
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import update
from sqlmodel import Session, col, select

from helpdesk_tui.domain.filing import TaggedCase
from helpdesk_tui.domain.numbering import CaseNumber
from helpdesk_tui.storage.rows import insert_rows
from helpdesk_tui.storage.tables import (
    ActivityRow,
    AgentRow,
    CaseRow,
    ContactRow,
    FolderStateRow,
    MailRawRow,
    MailRow,
    MailSeenRow,
    NotificationRow,
    table,
)


@dataclass(frozen=True)
class FolderState:
    """How far one server folder is synced."""

    uidvalidity: int
    last_uid: int
    highestmodseq: int | None


@dataclass(frozen=True)
class NewMail:
    """Everything stored about one mail (the parsed fields as plain values)."""

    dedupe_key: str
    raw: bytes
    message_id: str | None
    mailbox: str
    received_at: datetime
    sent_at: datetime | None
    subject: str
    from_email: str
    from_name: str
    recipients: Mapping[str, Sequence[str]]
    references: Sequence[str]
    body_text: str
    quote_start: int | None
    attachments: Sequence[Mapping[str, Any]]
    defects: Sequence[str]
    noise: str | None
    direction: str = "in"


class MailRepository:
    """Mails in and out of the database."""

    def __init__(self, session: Session) -> None:
        self._session = session

    # -- exactly once ------------------------------------------------------------
    def known(self, keys: Collection[str]) -> dict[str, uuid.UUID]:
        """Which of these dedupe keys are stored already, and as which mail."""
        if not keys:
            return {}
        rows = self._session.execute(
            select(col(MailRow.dedupe_key), col(MailRow.id)).where(
                col(MailRow.dedupe_key).in_(list(keys))
            )
        ).all()
        return dict(rows)

    def folder_state(self, mailbox: str, folder: str) -> FolderState | None:
        """The stored sync state of a folder, if it was ever synced."""
        row = self._session.get(FolderStateRow, (mailbox, folder))
        if row is None:
            return None
        return FolderState(row.uidvalidity, row.last_uid, row.highestmodseq)

    def save_folder_state(
        self, mailbox: str, folder: str, state: FolderState, now: datetime
    ) -> None:
        """Record how far the folder is synced (in the batch's transaction)."""
        row = self._session.get(FolderStateRow, (mailbox, folder))
        if row is None:
            row = FolderStateRow(mailbox=mailbox, folder=folder)
        row.uidvalidity = state.uidvalidity
        row.last_uid = state.last_uid
        row.highestmodseq = state.highestmodseq
        row.synced_at = now
        self._session.add(row)

    def mark_seen(
        self, mailbox: str, folder: str, uidvalidity: int, seen: Iterable[tuple[int, uuid.UUID]]
    ) -> None:
        """Remember which server message (UID) delivered which stored mail."""
        values = [
            {
                "mailbox": mailbox,
                "folder": folder,
                "uidvalidity": uidvalidity,
                "uid": uid,
                "mail_id": mail_id,
            }
            for uid, mail_id in seen
        ]
        insert_rows(self._session.connection(), table(MailSeenRow), values, ignore_duplicates=True)

    # -- storing -----------------------------------------------------------------
    def add(
        self,
        mail: NewMail,
        *,
        case_id: uuid.UUID | None,
        filed_by: str,
        note: str,
        mail_id: uuid.UUID | None = None,
    ) -> uuid.UUID:
        """Store a mail and its raw bytes; returns its id."""
        mail_id = mail_id or uuid.uuid4()
        self.add_many([(mail_id, mail, case_id, filed_by, note)])
        return mail_id

    def add_many(
        self, items: Sequence[tuple[uuid.UUID, NewMail, uuid.UUID | None, str, str]]
    ) -> None:
        """Store mails (id, mail, case id, filed by, note) in two statements."""
        if not items:
            return
        connection = self._session.connection()  # many rows at once: see storage/rows.py
        insert_rows(connection, table(MailRow), [_mail_values(*item) for item in items])
        insert_rows(
            connection,
            table(MailRawRow),
            [{"mail_id": mail_id, "raw": mail.raw} for mail_id, mail, *_ in items],
        )

    def file(
        self,
        mail_id: uuid.UUID,
        case_id: uuid.UUID | None,
        filed_by: str,
        note: str,
        *,
        only_unfiled: bool = False,
    ) -> bool:
        """Move a stored mail (and its timeline entry) to another case or to the inbox.

        `only_unfiled`: only a mail still in the inbox moves (two agents taking the same
        mail: the second gets False). Returns whether the mail moved.
        """
        mails = table(MailRow)
        statement = update(mails).where(mails.c.id == mail_id)
        if only_unfiled:
            statement = statement.where(mails.c.case_id.is_(None))
        moved = self._session.connection().execute(
            statement.values(case_id=case_id, filed_by=filed_by, filed_note=note)
        )
        if moved.rowcount != 1:
            return False
        if case_id is not None:
            self._session.execute(
                update(ActivityRow)
                .where(col(ActivityRow.mail_id) == mail_id)
                .values(case_id=case_id)
            )
        return True

    # -- filing facts ------------------------------------------------------------
    def tagged_case(self, number: CaseNumber) -> TaggedCase | None:
        """The case a subject tag names, with who takes part in it (None: no such case)."""
        row = self._session.execute(
            select(col(CaseRow.id), col(CaseRow.contact_id)).where(
                col(CaseRow.number) == number.main, col(CaseRow.sub_number) == number.sub
            )
        ).first()
        if row is None:
            return None
        case_id, contact_id = row
        participants: set[str] = set()
        contact = self._session.get(ContactRow, contact_id)
        if contact is not None:
            participants.add(contact.email)
        message_ids: set[str] = set()
        for sender, recipients, message_id in self._session.execute(
            select(col(MailRow.from_email), col(MailRow.recipients), col(MailRow.message_id)).where(
                col(MailRow.case_id) == case_id
            )
        ).all():
            participants.add(sender)
            for addresses in json.loads(recipients or "{}").values():
                participants.update(a.lower() for a in addresses)
            if message_id:
                message_ids.add(message_id)
        agents = self._session.execute(select(col(AgentRow.email))).scalars().all()
        participants.update(a.lower() for a in agents if a)
        participants.discard("")
        return TaggedCase(number, frozenset(participants), frozenset(message_ids))

    def cases_of_messages(self, message_ids: Collection[str]) -> dict[str, CaseNumber]:
        """For each of these Message-IDs stored on a case: that case (one query per 500)."""
        found: dict[str, CaseNumber] = {}
        wanted = sorted(set(message_ids))
        for start in range(0, len(wanted), 500):
            rows = self._session.execute(
                select(col(MailRow.message_id), col(CaseRow.number), col(CaseRow.sub_number))
                .join(CaseRow, col(MailRow.case_id) == col(CaseRow.id))
                .where(col(MailRow.message_id).in_(wanted[start : start + 500]))
                .order_by(col(MailRow.received_at))
            ).all()
            for message_id, number, sub in rows:
                found[message_id] = CaseNumber(number, sub)  # newest wins
        return found

    def tagged_cases(self, numbers: Collection[CaseNumber]) -> dict[CaseNumber, TaggedCase]:
        """`tagged_case` for many numbers at once (absent numbers are left out)."""
        wanted = sorted({(n.main, n.sub) for n in numbers})
        existing: set[tuple[int, int]] = set()
        for start in range(0, len(wanted), 500):
            mains = sorted({main for main, _ in wanted[start : start + 500]})
            rows = self._session.execute(
                select(col(CaseRow.number), col(CaseRow.sub_number)).where(
                    col(CaseRow.number).in_(mains)
                )
            ).all()
            existing.update((number, sub) for number, sub in rows)
        found = {}
        for main, sub in wanted:
            if (main, sub) in existing and (facts := self.tagged_case(CaseNumber(main, sub))):
                found[CaseNumber(main, sub)] = facts
        return found

    def get(self, mail_id: uuid.UUID) -> MailRow | None:
        """A stored mail row (storage-internal callers)."""
        return self._session.get(MailRow, mail_id)

    # -- notifications -----------------------------------------------------------
    def notify(
        self,
        now: datetime,
        text: str,
        *,
        case_id: uuid.UUID | None,
        agent_id: uuid.UUID | None,
        group_id: uuid.UUID | None,
    ) -> None:
        """Leave a note for an agent or a group (MAIL-6)."""
        self._session.add(
            NotificationRow(
                at=now, agent_id=agent_id, group_id=group_id, case_id=case_id, text=text
            )
        )


def _mail_values(
    mail_id: uuid.UUID, mail: NewMail, case_id: uuid.UUID | None, filed_by: str, note: str
) -> dict[str, Any]:
    return {
        "id": mail_id,
        "dedupe_key": mail.dedupe_key,
        "message_id": mail.message_id,
        "direction": mail.direction,
        "mailbox": mail.mailbox,
        "case_id": case_id,
        "received_at": mail.received_at,
        "sent_at": mail.sent_at,
        "subject": mail.subject,
        "from_email": mail.from_email,
        "from_name": mail.from_name,
        "recipients": json.dumps(dict(mail.recipients), ensure_ascii=False),
        "references": json.dumps(list(mail.references), ensure_ascii=False),
        "body_text": mail.body_text,
        "quote_start": mail.quote_start,
        "attachments": json.dumps(list(mail.attachments), ensure_ascii=False),
        "defects": json.dumps(list(mail.defects), ensure_ascii=False),
        "noise": mail.noise,
        "size": len(mail.raw),
        "filed_by": filed_by,
        "filed_note": note,
    }
