"""A large attachment is stored without a whole copy of it in memory (ACT-6, issue 14:
"an attachment of 25 MB stored without holding more than one copy in memory"): it is
decoded from the raw mail in pieces, hashed in one pass and written in pieces in a
second; the stored bytes, hash, dedup and stub decisions are what they were."""

import base64
import hashlib
import os
import tracemalloc
from collections.abc import Iterator
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path

import pytest
from filing_support import deliver
from sqlmodel import select

from helpdesk_tui.domain.errors import ValidationError
from helpdesk_tui.mail import spans
from helpdesk_tui.mail.parse import parse
from helpdesk_tui.services import attachments as att
from helpdesk_tui.services.context import Context
from helpdesk_tui.storage.attachments import AttachmentRepository
from helpdesk_tui.storage.tables import AttachmentBlobRow

SIZE = 4 * 2**20


def mail_with(data: bytes, name: str = "scan.pdf") -> bytes:
    message = EmailMessage()
    message["From"] = "Kunde Eins <kunde@acme.example>"
    message["To"] = "support@helpdesk.example"
    message["Subject"] = f"Anhang {name}"
    message["Message-ID"] = make_msgid("big", "acme.example")
    message.set_content("Anbei.")
    message.add_attachment(data, maintype="application", subtype="pdf", filename=name)
    return message.as_bytes()


def stored_blobs(ctx: Context) -> dict[str, bytes]:
    with ctx.uow(write=False) as uow:
        return {r.sha256: bytes(r.data) for r in uow.session.exec(select(AttachmentBlobRow))}


def test_a_large_attachment_is_stored_holding_less_than_one_copy(
    ctx: Context, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(spans, "PIECE", 64 * 2**10)  # the few pieces held are small here
    data = os.urandom(SIZE)
    raw = mail_with(data)
    parsed = parse(raw)
    with ctx.uow() as uow:
        tracemalloc.start()
        try:
            listed, _ = att.store_parts(uow, att.incoming_parts(raw, parsed.attachments), 2 * SIZE)
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        uow.commit()
    # held: a few pieces, not the mail as text, its part's text and the bytes (~4 copies)
    assert peak < SIZE // 4
    sha = hashlib.sha256(data).hexdigest()
    assert listed[0]["sha256"] == sha
    assert listed[0]["size"] == SIZE
    assert stored_blobs(ctx) == {sha: data}


def test_pieces_are_written_in_order_and_the_same_bytes_are_stored_once(
    ctx: Context, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(spans, "PIECE", 1001)  # dozens of pieces, cut inside lines
    data = os.urandom(40_000)
    first = deliver(ctx, mail_with(data)).filed[0].case
    second = deliver(ctx, mail_with(data, name="kopie.pdf")).filed[0].case
    assert first is not None
    assert second is not None
    sha = hashlib.sha256(data).hexdigest()
    assert stored_blobs(ctx) == {sha: data}
    for number in (first, second):
        (item,) = att.list_for_case(ctx, number)
        assert (item.sha256, item.size) == (sha, len(data))
        assert att.content(ctx, item) == data


def test_an_attachment_over_the_limit_is_measured_not_stored(
    ctx: Context, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(spans, "PIECE", 999)
    data = os.urandom(30_000)
    raw = mail_with(data)
    with ctx.uow() as uow:
        listed, rows = att.store_parts(
            uow, att.incoming_parts(raw, parse(raw).attachments), len(data) - 1
        )
        uow.commit()
    assert listed[0]["sha256"] is None
    assert listed[0]["size"] == len(data)
    assert rows[0].note == att.stub_note(len(data), len(data) - 1)
    assert stored_blobs(ctx) == {}


def test_base64_that_does_not_decode_is_listed_not_stored(ctx: Context) -> None:
    body = base64.b64encode(os.urandom(3000)).decode()[:-3]  # cut: incorrect padding
    raw = (
        "From: kunde@acme.example\nSubject: kaputt\nMIME-Version: 1.0\n"
        'Content-Type: multipart/mixed; boundary="B"\n\n--B\nContent-Type: text/plain\n\n'
        "Anbei.\n--B\nContent-Type: application/pdf\nContent-Transfer-Encoding: base64\n"
        f'Content-Disposition: attachment; filename="kaputt.pdf"\n\n{body}\n--B--\n'
    ).encode()
    with ctx.uow() as uow:
        listed, _ = att.store_parts(uow, att.incoming_parts(raw, parse(raw).attachments), SIZE)
        uow.commit()
    assert listed[0]["sha256"] is None
    assert listed[0]["note"] == "not stored: the part could not be decoded"
    assert stored_blobs(ctx) == {}


def test_a_large_attachment_is_saved_holding_less_than_one_copy(
    ctx: Context, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    data = os.urandom(SIZE)
    number = deliver(ctx, mail_with(data)).filed[0].case
    assert number is not None
    (item,) = att.list_for_case(ctx, number)
    monkeypatch.setattr(AttachmentRepository.blob_pieces, "__defaults__", (64 * 2**10,))
    tracemalloc.start()
    try:
        path = att.save(ctx, number, item.filename, tmp_path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < SIZE // 4  # pieces, not the whole blob (it held it once, plus the file's)
    assert path.read_bytes() == data


def test_a_save_that_fails_midway_leaves_no_partial_file(tmp_path: Path) -> None:
    def pieces() -> Iterator[bytes]:
        yield b"first piece"
        raise OSError(28, "No space left on device")

    with pytest.raises(ValidationError, match="No space left on device"):
        att.write_new(tmp_path, "report.pdf", pieces())
    assert list(tmp_path.iterdir()) == []
