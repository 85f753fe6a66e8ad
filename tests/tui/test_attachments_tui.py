"""Attachments on the case screen (ACT-6): listed beside the timeline and under their
mail; `o` hands the file to `$HELPDESK_OPENER` (its path as the one argument, no shell),
`S` asks for a folder and saves there without overwriting; a hostile name stays inside
the folder."""

import asyncio
import json
import os
import stat
import sys
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path

import pytest
from pilotkit import Data, deliver, notifications, open_case, running, screen_text, settle
from support import sync
from textual.widgets import Input

from helpdesk_tui.dialogs.save_attachment import SaveAttachmentDialog
from helpdesk_tui.domain.numbering import CaseNumber
from helpdesk_tui.widgets.attachments import AttachmentList

PDF = b"%PDF-1.4\n" + bytes(range(256)) * 20 + b"\n%%EOF\n"
HOSTILE = "..\\..\\\u202egpj.exe\x1b[2J"


def mail_with_files(*files: tuple[str, bytes]) -> bytes:
    message = EmailMessage()
    message["From"] = "Kunde <kunde@acme.example>"
    message["To"] = "support@helpdesk.example"
    message["Subject"] = "Unterlagen zur Rechnung"
    message["Message-ID"] = make_msgid("tui", "acme.example")
    message.set_content("Anbei die Unterlagen.\n")
    for name, data in files:
        message.add_attachment(data, maintype="application", subtype="pdf", filename=name)
    return message.as_bytes()


def with_attachments(data: Data) -> CaseNumber:
    number = deliver(data, mail_with_files(("rechnung.pdf", PDF), (HOSTILE, b"MZ evil")))
    assert number is not None
    return number


@pytest.fixture
def opener(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A desktop opener that records its argv (as JSON) and what the file held."""
    log = tmp_path / "opened.json"
    script = tmp_path / "opener.py"
    script.write_text(
        f"#!{sys.executable}\n"
        "import json, sys\n"
        "data = open(sys.argv[1], 'rb').read().hex()\n"
        f"open({str(log)!r}, 'w').write(json.dumps({{'argv': sys.argv[1:], 'data': data}}))\n",
        encoding="utf-8",
    )
    script.chmod(0o755)
    monkeypatch.setenv("HELPDESK_OPENER", str(script))
    return log


async def wait_for(pilot: object, path: Path) -> None:
    """The opener is another process: wait (bounded) until it wrote its record."""
    for _ in range(200):
        if await asyncio.to_thread(lambda: path.exists() and path.stat().st_size > 0):
            return
        await settle(pilot)  # type: ignore[arg-type]
        await asyncio.sleep(0.02)
    raise AssertionError(f"{path} never written")


@sync
async def test_the_case_lists_its_attachments_and_o_opens_one(
    case_data: Data, opener: Path
) -> None:
    number = with_attachments(case_data)
    async with running(case_data, "alice") as (app, pilot):
        await open_case(pilot, number)
        text = screen_text(pilot)
        assert "Attachments (2)" in text
        assert "rechnung.pdf (application/pdf, " in text  # under its mail on the timeline
        listing = app.screen.query_one(AttachmentList)
        listing.focus()
        await pilot.press("o")
        await wait_for(pilot, opener)
    record = json.loads(await asyncio.to_thread(opener.read_text))
    (path,) = record["argv"]  # one argument: the saved file's path
    assert Path(path).name == "rechnung.pdf"
    assert bytes.fromhex(record["data"]) == PDF
    assert not os.stat(path).st_mode & (stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)


@sync
async def test_S_saves_to_the_folder_typed_and_never_overwrites(
    case_data: Data, tmp_path: Path
) -> None:
    number = with_attachments(case_data)
    folder = tmp_path / "downloads"
    folder.mkdir()
    async with running(case_data, "alice") as (app, pilot):
        await open_case(pilot, number)
        for _ in range(2):
            await pilot.press("S")
            await settle(pilot)
            dialog = app.screen
            assert isinstance(dialog, SaveAttachmentDialog)
            field = dialog.query_one("#save-folder", Input)
            assert field.value == str(Path.home() / "Downloads")  # the default
            field.value = str(folder)
            await pilot.press("enter")
            await settle(pilot)
        assert any("saved" in n for n in notifications(pilot))
    assert (folder / "rechnung.pdf").read_bytes() == PDF
    assert (folder / "rechnung (1).pdf").read_bytes() == PDF


@sync
async def test_a_hostile_name_is_saved_inside_the_folder(case_data: Data, tmp_path: Path) -> None:
    number = with_attachments(case_data)
    folder = tmp_path / "a" / "b"
    folder.mkdir(parents=True)
    async with running(case_data, "alice") as (app, pilot):
        await open_case(pilot, number)
        listing = app.screen.query_one(AttachmentList)
        listing.focus()
        await pilot.press("down", "S")
        await settle(pilot)
        app.screen.query_one("#save-folder", Input).value = str(folder)
        await pilot.press("enter")
        await settle(pilot)
    (saved,) = folder.iterdir()
    assert saved.read_bytes() == b"MZ evil"
    assert "\u202e" not in saved.name
    assert "\x1b" not in saved.name
    assert sorted(p.name for p in (tmp_path / "a").iterdir()) == ["b"]


@sync
async def test_a_folder_that_does_not_exist_is_one_line_in_the_dialog(
    case_data: Data, tmp_path: Path
) -> None:
    number = with_attachments(case_data)
    async with running(case_data, "alice") as (app, pilot):
        await open_case(pilot, number)
        await pilot.press("S")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, SaveAttachmentDialog)
        dialog.query_one("#save-folder", Input).value = str(tmp_path / "nowhere")
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen is dialog
        assert dialog.error_text == f"no folder {tmp_path / 'nowhere'}"
