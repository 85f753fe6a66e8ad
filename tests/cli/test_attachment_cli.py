"""`helpdesk attachment list NUMBER [--json]` and `attachment save NUMBER NAME|ID
[--to DIR]` (ACT-6, CLI.md): the attachment shape, bytes saved identical, a hostile name
saved inside the folder, a stub refused with one `error:` line."""

import hashlib
import json
import os
from collections.abc import Callable
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from helpdesk_tui.domain.filing import RoutingRule
from helpdesk_tui.mail.parse import parse
from helpdesk_tui.services.context import Context
from helpdesk_tui.services.filing import FilingSettings, FolderBatch, Incoming, ingest
from helpdesk_tui.storage.location import locate

Cli = Callable[..., Any]  # the `cli` fixture of conftest.py
PDF = b"%PDF-1.4\n" + os.urandom(3000) + b"\n%%EOF\n"
HOSTILE = "../../\u202egpj.exe\x1b[2J"


def deliver(files: list[tuple[str, bytes]], *, limit: int = 25 * 2**20) -> str:
    """One mail with these attachments through the real intake, onto a new case."""
    message = EmailMessage()
    message["From"] = "Kunde <kunde@acme.example>"
    message["To"] = "support@helpdesk.example"
    message["Subject"] = "Unterlagen"
    message["Message-ID"] = f"<att-{len(files)}-{limit}@acme.example>"
    message.set_content("Anbei.\n")
    for name, data in files:
        message.add_attachment(data, maintype="application", subtype="pdf", filename=name)
    raw = message.as_bytes()
    ctx = Context(locate(os.environ["HELPDESK_DB"]))
    try:
        settings = FilingSettings(
            rules=(RoutingRule("all", group="billing"),), max_attachment_size=limit
        )
        result = ingest(
            ctx, settings, FolderBatch("support", "INBOX", 1, [Incoming(1, raw, parse(raw))])
        )
    finally:
        ctx.dispose()
    number = result.filed[0].case
    assert number is not None
    return str(number)


def test_list_json_has_the_attachment_shape(cli: Cli) -> None:
    number = deliver([("rechnung.pdf", PDF)])
    result = cli("attachment", "list", number, "--json", as_="alice")
    assert result.code == 0, result.err
    (item,) = json.loads(result.out)
    assert set(item) == {"id", "filename", "content_type", "size", "sha256", "mail"}
    assert item["filename"] == "rechnung.pdf"
    assert item["content_type"] == "application/pdf"
    assert item["size"] == len(PDF)
    assert item["sha256"] == hashlib.sha256(PDF).hexdigest()
    assert item["mail"]


def test_save_by_name_and_by_id_writes_identical_bytes(cli: Cli, tmp_path: Path) -> None:
    number = deliver([("rechnung.pdf", PDF)])
    result = cli("attachment", "save", number, "rechnung.pdf", "--to", str(tmp_path), as_="alice")
    assert result.code == 0, result.err
    assert (tmp_path / "rechnung.pdf").read_bytes() == PDF
    (item,) = json.loads(cli("attachment", "list", number, "--json", as_="alice").out)
    again = cli("attachment", "save", number, item["id"], "--to", str(tmp_path), as_="alice")
    assert again.code == 0, again.err
    assert Path(again.out.strip()) == tmp_path / "rechnung (1).pdf"  # never overwritten
    assert (tmp_path / "rechnung (1).pdf").read_bytes() == PDF


def test_a_hostile_name_is_saved_inside_the_folder(cli: Cli, tmp_path: Path) -> None:
    number = deliver([(HOSTILE, PDF)])
    (item,) = json.loads(cli("attachment", "list", number, "--json", as_="alice").out)
    folder = tmp_path / "out" / "downloads"
    folder.mkdir(parents=True)
    result = cli("attachment", "save", number, item["id"], "--to", str(folder), as_="alice")
    assert result.code == 0, result.err
    (saved,) = folder.iterdir()
    assert saved.read_bytes() == PDF
    assert "\u202e" not in saved.name
    assert "\x1b" not in saved.name
    assert list((tmp_path / "out").iterdir()) == [folder]


def test_a_stub_is_refused_with_one_error_line(cli: Cli, tmp_path: Path) -> None:
    number = deliver([("gross.pdf", PDF)], limit=1024)
    tmp_path = tmp_path / "empty"
    tmp_path.mkdir()
    listed = cli("attachment", "list", number, as_="alice")
    assert "not stored" in listed.out
    result = cli("attachment", "save", number, "gross.pdf", "--to", str(tmp_path), as_="alice")
    assert result.code == 1
    assert result.err.startswith("error: gross.pdf: not stored: ")
    assert result.err.count("\n") == 1
    assert list(tmp_path.iterdir()) == []


def test_an_unknown_attachment_is_one_error_line(cli: Cli) -> None:
    number = deliver([("rechnung.pdf", PDF)])
    result = cli("attachment", "save", number, "nichts.pdf", as_="alice")
    assert result.code == 1
    assert result.err == "error: no attachment 'nichts.pdf' on this case\n"
