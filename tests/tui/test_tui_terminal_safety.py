"""SEC-2/SEC-7 across the TUI: escape sequences, controls and bidi overrides in data never
reach the terminal; a bidi override shows as `⟨U+202E⟩` on every screen.

Data is made hostile where input checks cannot refuse it (a raw SQL update): data from
older versions, replicas or imports must be safe to show too. Mail comes in through the
real filing service.
"""

import json
import re
import sqlite3
from email.message import EmailMessage

from pilotkit import (
    INVOICE,
    MAIL_OUT,
    PRINTER,
    Data,
    deliver,
    make_desk,
    notifications,
    open_case,
    running,
    screen_text,
    settle,
    terminal_output,
)
from support import sync
from textual.pilot import Pilot

from helpdesk_tui.dialogs.confirm import ConfirmDialog
from helpdesk_tui.dialogs.edit import EditDialog
from helpdesk_tui.domain.filing import RoutingRule
from helpdesk_tui.domain.numbering import CaseNumber
from helpdesk_tui.screens.conversations import ConversationsScreen
from helpdesk_tui.screens.outbox import OutboxScreen
from helpdesk_tui.services.desk import Desk
from helpdesk_tui.services.filing import FilingSettings

#: Clear screen, OSC 52 clipboard write, OSC 8 hyperlink, 8-bit CSI, BEL, NUL, DEL, CR, a
#: right-to-left override that turns `gnp.exe` into `exe.png`, an isolate, a mark.
HOSTILE = (
    "A\x1b[2J\x1b]52;c;ZXZpbA==\x07\x1b]8;;http://evil.example\x1b\\link\x1b]8;;\x1b\\"
    "\x9b31m\x07\x00\x7f\r\u202egnp.exe \u2067iso\u2069\u200fZ"
)
HOSTILE_HEADER = "M\x1b[31m\x1b]0;title\x07\u202egnp.exe\u2066"
BIDI = set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c")
VISIBLE = "⟨U+202E⟩gnp.exe"
#: What a terminal would act on in a repaint: anything but SGR colours and cursor moves.
FOREIGN_ESCAPES = re.compile(r"\x1b\][^\x07\x1b]*|\x1b\[[0-9;]*[JK@PLM]|\x1bc|[\x07\x00\x9b]")


def unsafe(text: str) -> list[str]:
    """The characters of `text` a terminal would act on, or would reorder text by."""
    return sorted(
        {
            f"U+{ord(c):04X}"
            for c in text
            if (ord(c) < 0x20 and c not in "\n\t") or 0x7F <= ord(c) <= 0x9F or c in BIDI
        }
    )


def hostile_mail(serial: int) -> bytes:
    message = EmailMessage()
    message["From"] = f'"{HOSTILE_HEADER}" <eve{serial}@evil.example>'
    message["To"] = "support@helpdesk.example"
    message["Subject"] = f"Invoice {HOSTILE_HEADER}"
    message["Message-ID"] = f"<hostile-{serial}@evil.example>"
    message.set_content(f"Hello\n{HOSTILE}\nbye\n")
    message.add_attachment(
        b"MZ", maintype="application", subtype="octet-stream", filename=f"{HOSTILE_HEADER}.exe"
    )
    return message.as_bytes()


def make_hostile(data: Data, desk: Desk) -> CaseNumber:
    """HOSTILE in the printer case, its contact and account, the outbox and two mails
    (one unfiled, one on a new case, whose number is returned)."""
    desk.reply(INVOICE, "Die Gutschrift ist unterwegs.")
    assert deliver(data, hostile_mail(1), FilingSettings()) is None
    mailed = deliver(
        data, hostile_mail(2), FilingSettings(rules=(RoutingRule("all", group="billing"),))
    )
    assert mailed is not None
    changes = json.dumps({"subject": [HOSTILE, HOSTILE], HOSTILE: [HOSTILE, None]})
    database = data.ctx.location.sqlite_path
    assert database is not None
    with sqlite3.connect(database) as con:
        con.execute(
            "UPDATE cases SET subject = ?, description = ? WHERE number = 1", (HOSTILE,) * 2
        )
        con.execute("UPDATE contacts SET name = ?, email = ? || email", (HOSTILE, HOSTILE))
        con.execute("UPDATE accounts SET name = ?", (HOSTILE,))
        con.execute("UPDATE activities SET text = ? WHERE text != ''", (HOSTILE,))
        con.execute("UPDATE activities SET changes = ? WHERE changes != '{}'", (changes,))
        con.execute(
            "UPDATE outbox SET recipient = ?, subject = ?, error = ?, state = 'failed'",
            (HOSTILE,) * 3,
        )
    return mailed


def assert_safe(pilot: Pilot[None], where: str) -> str:
    """The screen as shown and as written to the terminal: no raw control, no bidi."""
    shown = screen_text(pilot)
    assert not unsafe(shown), f"{where}: {unsafe(shown)}\n{shown}"
    written = terminal_output(pilot)
    assert not (set(written) & BIDI), f"{where}: bidi control written"
    assert not FOREIGN_ESCAPES.findall(written), f"{where}: {FOREIGN_ESCAPES.findall(written)}"
    return shown


@sync
async def test_every_screen_shows_hostile_data_as_harmless_visible_text(
    case_data: Data,
) -> None:
    mailed = make_hostile(case_data, make_desk(case_data, mail_out=MAIL_OUT))
    async with running(case_data, mail_out=MAIL_OUT, size=(200, 50)) as (app, pilot):
        assert VISIBLE in assert_safe(pilot, "queue")

        await open_case(pilot, PRINTER)  # header, timeline, sub-cases, customer context
        shown = assert_safe(pilot, "case")
        assert VISIBLE in shown

        await pilot.press("e")  # the edit dialog carries the subject in an input
        await settle(pilot)
        assert isinstance(app.screen, EditDialog)
        assert VISIBLE in assert_safe(pilot, "edit dialog")
        await pilot.press("escape")
        await settle(pilot)

        await open_case(pilot, mailed)  # mail: sender, subject, attachment, body
        shown = assert_safe(pilot, "case with mail")
        # ACT-6: the attachment's name was made safe when stored (controls, bidi: spaces)
        assert "M [31m ]0;title gnp.exe .exe" in shown

        app.push_screen(ConfirmDialog(HOSTILE, HOSTILE))
        await settle(pilot)
        assert VISIBLE in assert_safe(pilot, "confirm dialog")
        await pilot.press("n")
        await settle(pilot)

        app.notify(HOSTILE, title=HOSTILE)  # a message quoting data, markup asked for
        await pilot.pause()
        assert VISIBLE in assert_safe(pilot, "notification")
        assert not unsafe("".join(notifications(pilot)))

        app.pop_screen()
        app.pop_screen()
        await settle(pilot)
        await pilot.press("i")
        await settle(pilot)
        assert isinstance(app.screen, ConversationsScreen)
        assert VISIBLE in assert_safe(pilot, "conversations")
        await pilot.press("k")  # the classify dialog names the sender
        await settle(pilot)
        assert VISIBLE in assert_safe(pilot, "classify dialog")
        await pilot.press("escape", "enter")  # the opened mail: headers, attachment, text
        await settle(pilot)
        assert VISIBLE in assert_safe(pilot, "mail")
        await pilot.press("C")  # its sender as a customer
        await settle(pilot)
        assert VISIBLE in assert_safe(pilot, "customer")
        await pilot.press("escape", "escape")
        await settle(pilot)

        await pilot.press("escape", "u")
        await settle(pilot)
        assert isinstance(app.screen, OutboxScreen)
        assert VISIBLE in assert_safe(pilot, "outbox")
