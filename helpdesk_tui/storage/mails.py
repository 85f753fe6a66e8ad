"""The mail store: mails with their raw bytes, what each server folder has delivered, and
the notifications mail raises. One repository per unit of work, like the cases.

Exactly-once (MAIL-2) rests on two things here: `dedupe_key` is unique, so a message seen
again is recognised, and the folder's `last_uid` moves in the same transaction as the mails
of the batch, so a crash either keeps both or neither.
"""

import json
import secrets
import uuid
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, update
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from helpdesk_tui.domain.classification import domain_of
from helpdesk_tui.domain.filing import CaseFacts
from helpdesk_tui.domain.numbering import CaseNumber
from helpdesk_tui.storage.attachments import AttachmentRepository, NewAttachment, delete_for_mails
from helpdesk_tui.storage.chunks import chunked
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
    OutboxRow,
    SecretRow,
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
    stored_attachments: Sequence[NewAttachment] = ()
    """ACT-6: the attachment rows written after the mail (their blobs are stored)."""


@dataclass(frozen=True)
class MailToStore:
    """One mail to store, and where it goes: onto a case (or, `case_id` None, into the
    unfiled inbox), by what (`filed_by`) and why (`note`)."""

    id: uuid.UUID
    mail: NewMail
    case_id: uuid.UUID | None
    filed_by: str
    note: str

    @classmethod
    def outgoing(
        cls, mail_id: uuid.UUID, mail: NewMail, case_id: uuid.UUID, kind: str
    ) -> "MailToStore":
        """A mail we send: filed as "outgoing", its note the kind of mail (reply, ack…)."""
        return cls(mail_id, mail, case_id, "outgoing", kind)


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
        self.add_many([MailToStore(mail_id, mail, case_id, filed_by, note)])
        return mail_id

    def add_many(self, items: Sequence[MailToStore]) -> None:
        """Store mails in two statements."""
        if not items:
            return
        connection = self._session.connection()  # many rows at once: see storage/rows.py
        insert_rows(connection, table(MailRow), [_mail_values(item) for item in items])
        insert_rows(
            connection,
            table(MailRawRow),
            [{"mail_id": item.id, "raw": item.mail.raw} for item in items],
        )
        attachments = AttachmentRepository(self._session)
        for item in items:
            if item.mail.stored_attachments:
                attachments.add(item.id, item.mail.stored_attachments)

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
    def case_facts(self, numbers: Collection[CaseNumber]) -> dict[CaseNumber, CaseFacts]:
        """For each of these cases that exists: who takes part in it (its contact, the
        senders and recipients of its mails) and its mails' Message-IDs, ours marked.

        A few queries per 500 cases, whatever the number of mails.
        """
        wanted = {(n.main, n.sub) for n in numbers}
        cases: dict[uuid.UUID, tuple[CaseNumber, set[str], set[str], set[str]]] = {}
        mains = sorted({main for main, _ in wanted})
        for some_mains in chunked(mains):
            rows = self._session.execute(
                select(
                    col(CaseRow.id),
                    col(CaseRow.number),
                    col(CaseRow.sub_number),
                    col(ContactRow.email),
                )
                .outerjoin(ContactRow, col(CaseRow.contact_id) == col(ContactRow.id))
                .where(col(CaseRow.number).in_(some_mains))
            ).all()
            for case_id, main, sub, contact in rows:
                if (main, sub) in wanted:
                    people = {contact.lower()} if contact else set()
                    cases[case_id] = (CaseNumber(main, sub), people, set(), set())
        ids = list(cases)
        for some_ids in chunked(ids):
            for case_id, sender, recipients, message_id, direction in self._session.execute(
                sa_select(  # five columns: more than sqlmodel's select is typed for
                    col(MailRow.case_id),
                    col(MailRow.from_email),
                    col(MailRow.recipients),
                    col(MailRow.message_id),
                    col(MailRow.direction),
                ).where(col(MailRow.case_id).in_(some_ids))
            ).all():
                _, people, message_ids, ours = cases[case_id]
                people.add(sender.lower())
                for addresses in json.loads(recipients or "{}").values():
                    people.update(a.lower() for a in addresses)
                if message_id:
                    message_ids.add(message_id)
                    if direction == "out":
                        ours.add(message_id)
        return {
            number: CaseFacts(
                number, frozenset(people - {""}), frozenset(message_ids), frozenset(ours)
            )
            for number, people, message_ids, ours in cases.values()
        }

    def threads_of(self, message_ids: Collection[str]) -> dict[str, list[CaseNumber]]:
        """For each of these Message-IDs stored on a case: every such case, the one with
        the newest mail first. Several: a sender reused someone else's id (MAIL-11), and
        filing decides which one, if any, the mail may join."""
        found: dict[str, list[CaseNumber]] = {}
        wanted = sorted(set(message_ids))
        for chunk in chunked(wanted):
            rows = self._session.execute(
                select(col(MailRow.message_id), col(CaseRow.number), col(CaseRow.sub_number))
                .join(CaseRow, col(MailRow.case_id) == col(CaseRow.id))
                .where(col(MailRow.message_id).in_(chunk))
                .order_by(col(MailRow.received_at).desc())
            ).all()
            for message_id, number, sub in rows:
                cases = found.setdefault(message_id, [])
                if CaseNumber(number, sub) not in cases:
                    cases.append(CaseNumber(number, sub))
        return found

    def cases_of_messages(self, message_ids: Collection[str]) -> dict[str, CaseNumber]:
        """For each of these Message-IDs stored on a case: the case of its newest mail."""
        return {mid: cases[0] for mid, cases in self.threads_of(message_ids).items()}

    def agent_addresses(self) -> frozenset[str]:
        """Every agent's mail address (lower-case): never a participant by address alone."""
        emails = self._session.execute(select(col(AgentRow.email))).scalars().all()
        return frozenset(e.strip().lower() for e in emails if e and e.strip())

    def message_id_key(self) -> bytes:
        """The database's key for signing our Message-IDs (MAIL-11). Migration 0005 makes
        it; a database without one gets one on first use (the first writer wins)."""
        row = self._session.get(SecretRow, "message_id")
        if row is None:
            insert_rows(
                self._session.connection(),
                table(SecretRow),
                [{"name": "message_id", "value": secrets.token_hex(32)}],
                ignore_duplicates=True,
            )
            row = self._session.get(SecretRow, "message_id")
            assert row is not None
        return bytes.fromhex(row.value)

    def get(self, mail_id: uuid.UUID) -> MailRow | None:
        """A stored mail row (storage-internal callers)."""
        return self._session.get(MailRow, mail_id)


def delete_for_cases(session: Session, case_ids: Sequence[uuid.UUID]) -> None:
    """Remove the mails of cases being deleted (CASE-9): their raw bytes, which server
    message delivered them, their outbox rows, and the notifications of the cases.

    A folder re-read from the start (UIDVALIDITY changed) brings such a mail back.
    """
    of_cases = select(col(MailRow.id)).where(col(MailRow.case_id).in_(case_ids))
    session.execute(delete(OutboxRow).where(col(OutboxRow.case_id).in_(case_ids)))
    session.execute(delete(OutboxRow).where(col(OutboxRow.mail_id).in_(of_cases)))
    session.execute(delete(MailSeenRow).where(col(MailSeenRow.mail_id).in_(of_cases)))
    session.execute(delete(MailRawRow).where(col(MailRawRow.mail_id).in_(of_cases)))
    delete_for_mails(session, of_cases)  # ACT-6: and blobs no other mail names
    session.execute(
        update(ActivityRow).where(col(ActivityRow.mail_id).in_(of_cases)).values(mail_id=None)
    )
    session.execute(delete(NotificationRow).where(col(NotificationRow.case_id).in_(case_ids)))
    session.execute(delete(MailRow).where(col(MailRow.case_id).in_(case_ids)))


def _mail_values(item: MailToStore) -> dict[str, Any]:
    mail = item.mail
    return {
        "id": item.id,
        "dedupe_key": mail.dedupe_key,
        "message_id": mail.message_id,
        "direction": mail.direction,
        "mailbox": mail.mailbox,
        "case_id": item.case_id,
        "received_at": mail.received_at,
        "sent_at": mail.sent_at,
        "subject": mail.subject,
        "from_email": mail.from_email,
        "from_domain": domain_of(mail.from_email) or None,  # MAIL-8: classify by domain
        "from_name": mail.from_name,
        "recipients": json.dumps(dict(mail.recipients), ensure_ascii=False),
        "references": json.dumps(list(mail.references), ensure_ascii=False),
        "body_text": mail.body_text,
        "quote_start": mail.quote_start,
        "attachments": json.dumps(list(mail.attachments), ensure_ascii=False),
        "defects": json.dumps(list(mail.defects), ensure_ascii=False),
        "noise": mail.noise,
        "size": len(mail.raw),
        "filed_by": item.filed_by,
        "filed_note": item.note,
    }
