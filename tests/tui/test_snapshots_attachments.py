"""Snapshots of a case with attachments (ACT-6), 120×36 and 80×24: the list beside the
timeline (name, size; a stub says "not stored"), each file under its mail, the list
focused, and the save dialog. The names include a long one and a hostile one, so the
80×24 screen shows how names are cut and that a hostile name stays literal.

Regenerate with `--snapshot-update` and look at the SVGs in `__snapshots__/`.
"""

from dataclasses import replace
from email.message import EmailMessage

import pytest
from pilotkit import RULES, SIZE_IDS, SIZES, Data, Scenes, deliver, open_case, running
from support import sync
from syrupy.assertion import SnapshotAssertion

from helpdesk_tui.domain.numbering import CaseNumber
from helpdesk_tui.widgets.attachments import AttachmentList

PDF = b"%PDF-1.4\n" + bytes(range(256)) * 48 + b"\n%%EOF\n"  # 12 KB
PHOTO = b"\xff\xd8\xff\xe0" + bytes(reversed(range(256))) * 900 + b"\xff\xd9"  # 225 KB
SCAN = b"%PDF-1.7\n" + bytes(range(256)) * 160  # 40 KB, over the limit of the second mail
LONG = "Lieferschein_2026-11_Werk_Nord_Halle_3_Rampe_B_unterschrieben_und_gestempelt.pdf"
HOSTILE = "../../\u202egpj.exe\x1b[2J[b]fett[/b].pdf"


def mail(subject: str, message_id: str, files: list[tuple[str, str, bytes]]) -> bytes:
    message = EmailMessage()
    # a new customer: the customer context stays short (a list that scrolls is cut
    # to a width that depends on when its scrollbar appears)
    message["From"] = "Petra Lang <p.lang@spedition-lang.example>"
    message["To"] = "support@helpdesk.example"
    message["Subject"] = subject
    message["Message-ID"] = message_id
    message["Date"] = "Mon, 23 Nov 2026 11:20:00 +0100"
    if message_id != "<anhang-1@acme.example>":
        message["In-Reply-To"] = "<anhang-1@acme.example>"
    message.set_content("Anbei die Unterlagen zur Lieferung.\n")
    for name, ctype, data in files:
        main, sub = ctype.split("/")
        message.add_attachment(data, maintype=main, subtype=sub, filename=name)
    return message.as_bytes()


def case_with_attachments(data: Data) -> CaseNumber:
    """One case, two mails: four stored files, then one kept as a stub (over the limit)."""
    first = mail(
        "Lieferung unvollständig",
        "<anhang-1@acme.example>",
        [
            ("rechnung.pdf", "application/pdf", PDF),
            ("foto_rampe.jpg", "image/jpeg", PHOTO),
            (LONG, "application/pdf", PDF + b"%"),
            (HOSTILE, "application/pdf", b"%PDF-1.4 nothing\n"),
        ],
    )
    number = deliver(data, first)
    assert number is not None
    data.clock.advance(minutes=20)  # the second mail is newer: the list's order is fixed
    second = mail(
        "Re: Lieferung unvollständig",
        "<anhang-2@acme.example>",
        [("scan_gross.pdf", "application/pdf", SCAN)],
    )
    assert deliver(data, second, replace(RULES, max_attachment_size=len(SCAN) - 1)) == number
    return number


class TestAttachments:
    @pytest.mark.parametrize("size", SIZES, ids=SIZE_IDS)
    @sync
    async def test_a_case_with_attachments(
        self,
        size: tuple[int, int],
        case_data: Data,
        snapshot: SnapshotAssertion,
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        monkeypatch.setenv("HOME", "/home/agent")  # the save dialog shows ~/Downloads
        number = case_with_attachments(case_data)
        async with running(case_data, size=size) as (app, pilot):
            scenes = Scenes(pilot, snapshot)
            await open_case(pilot, number)
            await scenes.check("case")
            listing = app.screen.query_one(AttachmentList)
            listing.focus()
            await scenes.keys("down", "down")
            await scenes.check("list")
            await scenes.keys("S")
            await scenes.check("save")
        scenes.assert_all_match()
