"""Attachments end to end (ACT-6, issue 14): a mail with a binary attachment and one with
hostile file names go into a real Dovecot, the real `helpdesk sync --once` files them,
`case show` lists them on the timeline, `attachment list --json` gives their SHA-256 and
`attachment save` writes the very bytes — the hostile names inside the folder under safe
names. The same bytes in a second mail are stored once.
"""

import hashlib
import json
import os
import sqlite3
import unicodedata
import uuid
from email.message import EmailMessage
from pathlib import Path
from urllib.parse import quote

import pytest
from integration.dovecot import Dovecot
from integration.helpdesk_process import HelpdeskProcess
from integration.test_mail_intake import Desk

from helpdesk_tui.mail import spans
from helpdesk_tui.mail.parse import parse
from helpdesk_tui.services.attachments import content, incoming_parts, store_parts
from helpdesk_tui.services.context import Context
from helpdesk_tui.storage import attachments as storage

BLOB = os.urandom(300_000)  # a few hundred KB of random bytes: every byte value occurs
#: What a hostile sender puts in a file name: a path out of the folder, a header line,
#: a bidi override that turns `exe.txt` around, terminal escapes, a Windows device.
HOSTILE = {
    "path": "../../etc/passwd",
    "crlf": "rechnung\r\nX-Injected: 1.pdf",
    "bidi": "invoice\u202etxt.exe",
    "escape": "\x1b[2J\x1b]0;pwned\x07report.pdf",
    "reserved": "CON.txt",
}


def binary_mail(subject: str, name: str = "messdaten.bin") -> bytes:
    """A customer mail with `BLOB` attached (base64, as every client sends binaries)."""
    message = EmailMessage()
    message["From"] = "Kunde Eins <kunde@acme.example>"
    message["To"] = "support@helpdesk.example"
    message["Subject"] = subject
    message["Message-ID"] = f"<{uuid.uuid4()}@acme.example>"
    message.set_content("Anbei die Messdaten.\n")
    message.add_attachment(BLOB, maintype="application", subtype="octet-stream", filename=name)
    return message.as_bytes()


def hostile_mail() -> bytes:
    """One mail, one small attachment per hostile name, each name RFC 2231-encoded
    (`filename*=utf-8''…`) so the decoded name holds exactly the hostile characters."""
    boundary = "=_hostile_boundary"
    lines = [
        "From: Kunde Eins <kunde@acme.example>",
        "To: support@helpdesk.example",
        "Subject: Dateien",
        f"Message-ID: <{uuid.uuid4()}@acme.example>",
        "MIME-Version: 1.0",
        f'Content-Type: multipart/mixed; boundary="{boundary}"',
        "",
        f"--{boundary}",
        "Content-Type: text/plain; charset=utf-8",
        "",
        "Siehe Anhang.",
    ]
    for key, name in HOSTILE.items():
        encoded = quote(name.encode("utf-8"), safe="")
        lines += [
            f"--{boundary}",
            "Content-Type: application/octet-stream",
            f"Content-Disposition: attachment; filename*=utf-8''{encoded}",
            "Content-Transfer-Encoding: 7bit",
            "",
            f"content of {key}",
        ]
    lines.append(f"--{boundary}--")
    return ("\r\n".join(lines) + "\r\n").encode("ascii")


def case_number(desk: HelpdeskProcess, subject: str) -> str:
    cases = json.loads(desk.ok("case", "list", "--json"))
    (number,) = [c["number"] for c in cases if c["subject"] == subject]
    return str(number)


def attachments(desk: HelpdeskProcess, number: str) -> list[dict[str, object]]:
    listed = json.loads(desk.ok("attachment", "list", number, "--json"))
    assert isinstance(listed, list)
    return listed


def blob_rows(desk: HelpdeskProcess) -> int:
    with sqlite3.connect(desk.db) as db:
        return int(db.execute("SELECT count(*) FROM attachment_blobs").fetchone()[0])


def assert_safe_name(name: str) -> None:
    assert name not in ("", ".", "..")
    assert not {"/", "\\"} & set(name)
    for char in name:
        assert unicodedata.category(char) not in ("Cc", "Cf"), repr(name)


def test_a_binary_attachment_comes_back_byte_for_byte_and_is_stored_once(
    tmp_path: Path, dovecot: Dovecot
) -> None:
    desk = Desk(tmp_path, dovecot)
    dovecot.append("INBOX", binary_mail("Messdaten"))
    assert "1 new" in desk.ok("sync", "--once")
    number = case_number(desk, "Messdaten")

    shown = desk.ok("case", "show", number).splitlines()
    # under the mail it came with: name, type, size
    mail_at = next(i for i, line in enumerate(shown) if " mail_in " in line)
    assert shown[mail_at + 2].split() == [
        "attachment", "messdaten.bin", "application/octet-stream", f"{len(BLOB):,}", "bytes"
    ]  # fmt: skip

    (item,) = attachments(desk, number)
    assert item["filename"] == "messdaten.bin"
    assert item["size"] == len(BLOB)
    assert item["sha256"] == hashlib.sha256(BLOB).hexdigest()

    out = tmp_path / "out"
    out.mkdir()
    saved = Path(desk.ok("attachment", "save", number, "messdaten.bin", "--to", str(out)).strip())
    assert saved == out / "messdaten.bin"
    data = saved.read_bytes()
    assert hashlib.sha256(data).hexdigest() == item["sha256"]
    assert data == BLOB

    # The same bytes again, in a later mail under another name: a second attachment
    # row, the same blob.
    assert blob_rows(desk) == 1
    dovecot.append("INBOX", binary_mail("Zweite Lieferung", name="kopie.bin"))
    assert "1 new" in desk.ok("sync", "--once")
    (copy,) = attachments(desk, case_number(desk, "Zweite Lieferung"))
    assert copy["filename"] == "kopie.bin"
    assert copy["sha256"] == item["sha256"]
    assert blob_rows(desk) == 1
    with sqlite3.connect(desk.db) as db:
        assert db.execute("SELECT count(*) FROM attachments").fetchone()[0] == 2


def test_hostile_names_are_saved_inside_the_folder_under_safe_names(
    tmp_path: Path, dovecot: Dovecot
) -> None:
    desk = Desk(tmp_path, dovecot)
    dovecot.append("INBOX", hostile_mail())
    assert "1 new" in desk.ok("sync", "--once")
    number = case_number(desk, "Dateien")

    listed = attachments(desk, number)
    assert len(listed) == len(HOSTILE)
    shown = desk.ok("case", "show", number)
    assert not {"\x1b", "\u202e", "\r"} & set(shown)
    root = tmp_path / "jail"
    folder = root / "downloads"
    folder.mkdir(parents=True)
    for item, key in zip(listed, HOSTILE, strict=True):
        name = str(item["filename"])
        assert_safe_name(name)
        assert name in shown  # on the timeline, under its safe name
        saved = Path(
            desk.ok("attachment", "save", number, str(item["id"]), "--to", str(folder)).strip()
        )
        assert saved.parent == folder
        assert_safe_name(saved.name)
        assert saved.read_bytes() == f"content of {key}".encode()
        assert hashlib.sha256(saved.read_bytes()).hexdigest() == item["sha256"]
    assert list(root.iterdir()) == [folder]  # nothing landed beside or above the folder
    assert len(list(folder.iterdir())) == len(HOSTILE)
    names = {str(item["filename"]) for item in listed}
    assert "passwd" in " ".join(names)  # the path is gone, the name is still recognisable
    assert not any(n.upper().startswith("CON.") for n in names)  # no device name


def test_on_postgresql_a_blob_in_pieces_is_stored_whole_and_once(
    pg: Context, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Small pieces and appends: the insert and several `data || piece` appends run.
    monkeypatch.setattr(spans, "PIECE", 10_000)
    monkeypatch.setattr(storage, "APPEND_BYTES", 50_000)
    raw = binary_mail("Messdaten")
    for _ in range(2):  # the second time the blob is known: not written again
        with pg.uow() as uow:
            listed, _ = store_parts(uow, incoming_parts(raw, parse(raw).attachments), 2**30)
            uow.commit()
        assert listed[0]["sha256"] == hashlib.sha256(BLOB).hexdigest()
    with pg.uow(write=False) as uow:
        assert storage.AttachmentRepository(uow.session).blob_count() == 1
    item = storage.StoredAttachment(
        uuid.uuid4(), uuid.uuid4(), "messdaten.bin", "", len(BLOB), listed[0]["sha256"], ""
    )
    assert content(pg, item) == BLOB
    with pg.uow(write=False) as uow:  # saved in pieces (a substring each), in order
        pieces = storage.AttachmentRepository(uow.session).blob_pieces(item.sha256 or "", 7_000)
        assert pieces is not None
        read = list(pieces)
    assert len(read) == -(-len(BLOB) // 7_000)
    assert b"".join(read) == BLOB
