"""Attachments stored by content (ACT-6, issue 14): once per SHA-256 across mails, a stub
over `mail.max_attachment_size`, compose attachments stored the same way, and deleting a
case removes the blobs no other case names."""

import hashlib
import json
from dataclasses import replace
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path

import pytest
from filing_support import SETTINGS, deliver
from sqlmodel import func, select
from support import Clock

from helpdesk_tui.domain.errors import ValidationError
from helpdesk_tui.domain.numbering import CaseNumber
from helpdesk_tui.mail.outgoing import OutgoingAttachment
from helpdesk_tui.services import attachments as att
from helpdesk_tui.services import cases as svc
from helpdesk_tui.services import outbox as ob
from helpdesk_tui.services.context import Context
from helpdesk_tui.storage.tables import AttachmentBlobRow, AttachmentRow, MailRow

PDF = b"%PDF-1.4\n" + bytes(range(256)) * 40 + b"\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + bytes(reversed(range(256))) * 8


def mail_with(*files: tuple[str, str, bytes], subject: str = "Rechnung anbei") -> bytes:
    message = EmailMessage()
    message["From"] = "Kunde Eins <kunde@acme.example>"
    message["To"] = "support@helpdesk.example"
    message["Subject"] = subject
    message["Message-ID"] = make_msgid("att", "acme.example")
    message.set_content("Anbei die Datei.")
    for name, ctype, data in files:
        main, sub = ctype.split("/")
        message.add_attachment(data, maintype=main, subtype=sub, filename=name)
    return message.as_bytes()


def blobs(ctx: Context) -> dict[str, bytes]:
    with ctx.uow(write=False) as uow:
        rows = uow.session.exec(select(AttachmentBlobRow)).all()
        return {r.sha256: bytes(r.data) for r in rows}


def attachment_rows(ctx: Context) -> int:
    with ctx.uow(write=False) as uow:
        return int(uow.session.exec(select(func.count()).select_from(AttachmentRow)).one())


def new_case_of(ctx: Context, raw: bytes) -> CaseNumber:
    result = deliver(ctx, raw)
    number = result.filed[0].case
    assert number is not None
    return number


def test_the_same_file_in_two_mails_is_stored_once(ctx: Context) -> None:
    first = new_case_of(ctx, mail_with(("rechnung.pdf", "application/pdf", PDF)))
    second = new_case_of(
        ctx,
        mail_with(
            ("kopie.pdf", "application/pdf", PDF),
            ("bild.png", "image/png", PNG),
            subject="Noch eine Rechnung",
        ),
    )
    assert first != second
    stored = blobs(ctx)
    assert stored == {hashlib.sha256(PDF).hexdigest(): PDF, hashlib.sha256(PNG).hexdigest(): PNG}
    assert attachment_rows(ctx) == 3
    listed = att.list_for_case(ctx, second)
    assert [(a.filename, a.content_type, a.size) for a in listed] == [
        ("kopie.pdf", "application/pdf", len(PDF)),
        ("bild.png", "image/png", len(PNG)),
    ]
    assert att.content(ctx, listed[0]) == PDF


def test_the_mail_json_names_each_attachments_hash(ctx: Context) -> None:
    deliver(ctx, mail_with(("rechnung.pdf", "application/pdf", PDF)))
    with ctx.uow(write=False) as uow:
        (row,) = uow.session.exec(select(MailRow)).all()
        listed = json.loads(row.attachments)
    assert listed == [
        {
            "filename": "rechnung.pdf",
            "content_type": "application/pdf",
            "size": len(PDF),
            "inline": False,
            "sha256": hashlib.sha256(PDF).hexdigest(),
        }
    ]


def test_an_attachment_over_the_limit_is_a_stub_with_a_note(ctx: Context) -> None:
    small = replace(SETTINGS, max_attachment_size=len(PDF) - 1)
    big = PDF + PDF  # both over the limit
    number = (
        deliver(ctx, mail_with(("gross.pdf", "application/pdf", big)), settings=small).filed[0].case
    )
    assert number is not None
    (stub,) = att.list_for_case(ctx, number)
    assert stub.sha256 is None
    assert stub.size == len(big)
    assert (
        stub.note
        == f"not stored: {att.size_text(len(big))}, over the {att.size_text(len(PDF) - 1)} limit"
    )
    assert blobs(ctx) == {}
    with pytest.raises(ValidationError, match="not stored"):
        att.content(ctx, stub)
    with ctx.uow(write=False) as uow:
        (row,) = uow.session.exec(select(MailRow)).all()
        assert json.loads(row.attachments)[0]["sha256"] is None


def test_the_stub_note_reads_like_the_issue() -> None:
    assert att.stub_note(int(31.2 * 2**20), 25 * 2**20) == (
        "not stored: 31.2 MB, over the 25 MB limit"
    )


def test_a_hostile_name_is_stored_safe(ctx: Context) -> None:
    number = new_case_of(ctx, mail_with(("../../.bashrc\u202egpj.exe", "application/pdf", PDF)))
    (stored,) = att.list_for_case(ctx, number)
    assert "/" not in stored.filename
    assert "\u202e" not in stored.filename
    assert not stored.filename.startswith(".")


def test_deleting_a_case_removes_its_blobs_but_keeps_shared_ones(ctx: Context) -> None:
    kept = new_case_of(ctx, mail_with(("rechnung.pdf", "application/pdf", PDF)))
    gone = new_case_of(
        ctx,
        mail_with(
            ("rechnung.pdf", "application/pdf", PDF),
            ("bild.png", "image/png", PNG),
            subject="Noch eine Rechnung",
        ),
    )
    svc.delete_case(ctx, "lena", gone)
    assert set(blobs(ctx)) == {hashlib.sha256(PDF).hexdigest()}  # PNG only on the deleted case
    assert attachment_rows(ctx) == 1
    assert att.content(ctx, att.list_for_case(ctx, kept)[0]) == PDF
    svc.delete_case(ctx, "lena", kept)
    assert blobs(ctx) == {}
    assert attachment_rows(ctx) == 0


OUT = ob.MailOut(
    sender="Helpdesk Support <support@helpdesk.example>",
    own_addresses=frozenset({"support@helpdesk.example"}),
)


def test_a_compose_attachment_is_stored_like_an_incoming_one(ctx: Context, clock: Clock) -> None:
    number = new_case_of(ctx, mail_with(("rechnung.pdf", "application/pdf", PDF)))
    clock.advance(minutes=5)
    ob.queue_reply(
        ctx, OUT, "alice", number, "Hier die Korrektur.",
        attachments=[OutgoingAttachment("korrektur.pdf", PDF, "application/pdf")],
    )  # fmt: skip
    listed = att.list_for_case(ctx, number)
    assert [a.filename for a in listed] == ["rechnung.pdf", "korrektur.pdf"]
    assert listed[1].sha256 == hashlib.sha256(PDF).hexdigest()
    assert len(blobs(ctx)) == 1  # the same bytes: one blob


def test_saving_never_overwrites(tmp_path: Path) -> None:
    (tmp_path / "a.pdf").write_bytes(b"old")
    first = att.write_new(tmp_path, "a.pdf", b"new")
    second = att.write_new(tmp_path, "a.pdf", b"newer")
    assert [first.name, second.name] == ["a (1).pdf", "a (2).pdf"]
    assert (tmp_path / "a.pdf").read_bytes() == b"old"
    assert second.read_bytes() == b"newer"


def test_saving_a_path_like_name_stays_in_the_folder(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    path = att.write_new(folder, "../../escape.sh", b"x")
    assert path.parent == folder


def test_find_by_name_or_id(ctx: Context) -> None:
    number = new_case_of(
        ctx, mail_with(("a.pdf", "application/pdf", PDF), ("a.pdf", "image/png", PNG))
    )
    listed = att.list_for_case(ctx, number)
    assert att.find(listed, str(listed[1].id)) == listed[1]
    assert att.find(listed, str(listed[1].id)[:8]) == listed[1]
    with pytest.raises(ValidationError, match="2 attachments are named"):
        att.find(listed, "a.pdf")
