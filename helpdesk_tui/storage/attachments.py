"""Attachments in the database (ACT-6): content-addressed blobs and each mail's list.

A blob is written before the mail that needs it (it has no foreign key to mails), one at
a time, so a batch with many attachments never holds them all; the attachment rows follow
the mails (`MailRepository.add_many`). A blob no attachment row names any more is
removed with the case that held it (`delete_for_cases`).
"""

import uuid
from collections.abc import Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import LargeBinary, bindparam, delete, func, text, update
from sqlalchemy import select as sa_select
from sqlmodel import Session, col

from helpdesk_tui.storage.chunks import chunked
from helpdesk_tui.storage.rows import insert_rows
from helpdesk_tui.storage.tables import AttachmentBlobRow, AttachmentRow, MailRow, table

APPEND_BYTES = 8 * 2**20
#: Bytes read per piece when an attachment is saved.
READ_BYTES = 2**20
"""PostgreSQL: bytes sent per statement when a blob comes in pieces."""


def _batched(pieces: Iterable[bytes], size: int) -> Iterator[bytes]:
    """The pieces joined into runs of at least `size` bytes (the last may be shorter)."""
    run: list[bytes] = []
    held = 0
    for piece in pieces:
        run.append(piece)
        held += len(piece)
        if held >= size:
            yield b"".join(run)
            run, held = [], 0
    if run:
        yield b"".join(run)


@dataclass(frozen=True)
class NewAttachment:
    """One attachment row to write after its mail; `sha256` None: a stub (`note`)."""

    position: int
    filename: str
    content_type: str
    size: int
    sha256: str | None
    note: str = ""


@dataclass(frozen=True)
class StoredAttachment:
    """An attachment as listed for a case (the CLI's attachment shape)."""

    id: uuid.UUID
    mail_id: uuid.UUID
    filename: str
    content_type: str
    size: int
    sha256: str | None
    note: str


class AttachmentRepository:
    """Blobs and attachment rows, inside a unit of work's session."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def put_blob(self, sha256: str, data: bytes) -> bool:
        """Store `data` under its hash unless it is there; whether it was new."""
        blobs = table(AttachmentBlobRow)
        connection = self._session.connection()
        known = connection.execute(
            sa_select(blobs.c.sha256).where(blobs.c.sha256 == sha256)
        ).first()
        if known is not None:
            return False
        insert_rows(
            connection,
            blobs,
            [{"sha256": sha256, "size": len(data), "data": data}],
            ignore_duplicates=True,  # another writer stored the same file meanwhile
        )
        return True

    def put_blob_pieces(self, sha256: str, size: int, pieces: Iterable[bytes]) -> bool:
        """`put_blob` for bytes that come in pieces (a large attachment decoded from the
        raw mail, `mail.spans.Base64Span`): they are never joined in memory. `size` is
        their total. SQLite writes them through incremental blob I/O into a zeroblob;
        PostgreSQL (no streaming bytea parameter) inserts the first and appends the rest.
        Whether the blob was new."""
        blobs = table(AttachmentBlobRow)
        connection = self._session.connection()
        known = connection.execute(
            sa_select(blobs.c.sha256).where(blobs.c.sha256 == sha256)
        ).first()
        if known is not None:
            return False
        if connection.dialect.name == "sqlite":
            inserted = connection.execute(
                text(
                    "INSERT OR IGNORE INTO attachment_blobs (sha256, size, data) "
                    "VALUES (:sha256, :size, zeroblob(:size))"
                ),
                {"sha256": sha256, "size": size},
            )
            if inserted.rowcount != 1:  # another writer stored the same file meanwhile
                return False
            rowid = connection.execute(
                text("SELECT rowid FROM attachment_blobs WHERE sha256 = :sha256"),
                {"sha256": sha256},
            ).scalar_one()
            sqlite = connection.connection.dbapi_connection
            assert sqlite is not None
            with sqlite.blobopen("attachment_blobs", "data", rowid) as blob:
                for piece in pieces:
                    blob.write(piece)
            return True
        stream = _batched(pieces, APPEND_BYTES)  # each append rewrites the value: few
        inserted = connection.execute(
            text(
                "INSERT INTO attachment_blobs (sha256, size, data) "
                "VALUES (:sha256, :size, :data) ON CONFLICT DO NOTHING"
            ).bindparams(bindparam("data", type_=LargeBinary)),
            {"sha256": sha256, "size": size, "data": next(stream, b"")},
        )
        if inserted.rowcount != 1:
            return False
        for piece in stream:
            connection.execute(
                update(blobs)
                .where(blobs.c.sha256 == sha256)
                .values(data=blobs.c.data.op("||")(bindparam("piece", piece, LargeBinary)))
            )
        return True

    def add(self, mail_id: uuid.UUID, items: Sequence[NewAttachment]) -> None:
        """The attachment rows of a stored mail."""
        rows = [
            {
                "id": uuid.uuid4(),
                "mail_id": mail_id,
                "position": item.position,
                "filename": item.filename,
                "content_type": item.content_type[:255],
                "size": item.size,
                "sha256": item.sha256,
                "note": item.note,
            }
            for item in items
        ]
        insert_rows(self._session.connection(), table(AttachmentRow), rows)

    def of_cases(self, case_ids: Collection[uuid.UUID]) -> list[StoredAttachment]:
        """The attachments of the cases' mails, oldest mail first, in mail order."""
        if not case_ids:
            return []
        a, m = table(AttachmentRow), table(MailRow)
        rows = self._session.connection().execute(
            sa_select(
                a.c.id,
                a.c.mail_id,
                a.c.filename,
                a.c.content_type,
                a.c.size,
                a.c.sha256,
                a.c.note,
            )
            .join(m, m.c.id == a.c.mail_id)
            .where(m.c.case_id.in_(list(case_ids)))
            .order_by(m.c.received_at, m.c.id, a.c.position)
        )
        return [StoredAttachment(*row) for row in rows]

    def blob(self, sha256: str) -> bytes | None:
        """The bytes stored under `sha256`."""
        blobs = table(AttachmentBlobRow)
        row = (
            self._session.connection()
            .execute(sa_select(blobs.c.data).where(blobs.c.sha256 == sha256))
            .first()
        )
        return bytes(row[0]) if row is not None else None

    def blob_pieces(self, sha256: str, piece: int = READ_BYTES) -> Iterator[bytes] | None:
        """The bytes stored under `sha256` in pieces of at most `piece` bytes (None when
        there is no such blob): a saved attachment is never whole in memory. SQLite reads
        through incremental blob I/O, PostgreSQL a `substring` per piece. Read inside the
        caller's unit of work (the iterator uses its connection)."""
        connection = self._session.connection()
        if connection.dialect.name == "sqlite":
            found = connection.execute(
                text("SELECT rowid, length(data) FROM attachment_blobs WHERE sha256 = :sha256"),
                {"sha256": sha256},
            ).first()
            if found is None:
                return None
            sqlite = connection.connection.dbapi_connection
            assert sqlite is not None
            rowid = found[0]

            def sqlite_pieces() -> Iterator[bytes]:
                with sqlite.blobopen("attachment_blobs", "data", rowid, readonly=True) as blob:
                    while data := blob.read(piece):
                        yield data

            return sqlite_pieces()
        blobs = table(AttachmentBlobRow)
        size = connection.execute(
            sa_select(func.length(blobs.c.data)).where(blobs.c.sha256 == sha256)
        ).first()
        if size is None:
            return None
        total = int(size[0] or 0)

        def postgres_pieces() -> Iterator[bytes]:
            for start in range(0, total, piece):  # substring counts from 1
                part = connection.execute(
                    sa_select(func.substring(blobs.c.data, start + 1, piece)).where(
                        blobs.c.sha256 == sha256
                    )
                ).scalar_one()
                yield bytes(part)

        return postgres_pieces()

    def blob_count(self) -> int:
        """How many blobs are stored (tests, summaries)."""
        return int(
            self._session.execute(
                sa_select(func.count()).select_from(table(AttachmentBlobRow))
            ).scalar_one()
        )


def delete_for_mails(session: Session, mail_ids: Any) -> None:
    """Remove the attachment rows of these mails (a select of mail ids) and every blob
    they named that no other attachment names (CASE-9, ACT-6)."""
    a = table(AttachmentRow)
    named = [
        sha
        for (sha,) in session.connection().execute(
            sa_select(a.c.sha256)
            .where(a.c.mail_id.in_(mail_ids), a.c.sha256.is_not(None))
            .distinct()
        )
    ]
    session.execute(delete(AttachmentRow).where(col(AttachmentRow.mail_id).in_(mail_ids)))
    for chunk in chunked(named):
        still = sa_select(a.c.sha256).where(a.c.sha256.in_(chunk))
        session.execute(
            delete(AttachmentBlobRow).where(
                col(AttachmentBlobRow.sha256).in_(chunk),
                col(AttachmentBlobRow.sha256).not_in(still),
            )
        )
