"""Snapshots of the mail screens (issues 4 and 5) at 120×36 and 80×24: a case with mail
on its timeline, the re-file dialog, the unfiled inbox and the outbox. Frozen clock,
seeded data, mails filed by the real filing service (see test_snapshots_case.py)."""

from pathlib import Path
from typing import Any

import pytest
from casefixtures import INVOICE, PRINTER, SIZES, Seeded, open_case, seeded, settle
from mailmaker import customer_mail, reply_to
from pytest_textual_snapshot import SVGImageExtension
from support import sync
from syrupy.assertion import SnapshotAssertion
from test_mail_tui import deliver
from textual.pilot import Pilot

from helpdesk_tui.app import HelpdeskApp
from helpdesk_tui.services.desk import Desk
from helpdesk_tui.services.filing import FilingSettings
from helpdesk_tui.services.outbox import MailOut

SIZE_IDS = [f"{w}x{h}" for w, h in SIZES]


def with_mail(data: Seeded) -> Any:
    """A mail case with a reply, an unfiled mail, and a queued reply on INVOICE."""
    original = customer_mail(
        "Beamer flackert",
        body="Hallo,\nder Beamer im Raum 3 flackert seit heute morgen.\nGruß Kunde",
        message_id="<snap-1@acme.example>",
    )
    number = deliver(data.ctx, original)
    deliver(data.ctx, reply_to(original, body="Jetzt ist er ganz aus."))
    deliver(
        data.ctx,
        customer_mail("Newsletter Dezember", sender="news@news.example", message_id="<n@x>"),
        FilingSettings(),
    )
    out = MailOut(sender="Support <support@helpdesk.example>", undo_seconds=600)
    desk = Desk(data.ctx, "alice", mail_out=out)
    desk.reply(INVOICE, "Die Gutschrift ist unterwegs.")
    return number, HelpdeskApp(desk, live_interval=0)


@pytest.mark.parametrize("size", SIZES, ids=SIZE_IDS)
@sync
async def test_mail_screens(
    size: tuple[int, int], tmp_path: Path, snapshot: SnapshotAssertion
) -> None:
    svg_snapshot = snapshot.use_extension(SVGImageExtension)
    mismatches: list[str] = []

    async def check(pilot: Pilot[Any], name: str) -> None:
        await settle(pilot)
        await pilot.pause()
        if pilot.app.export_screenshot(title="helpdesk", simplify=True) != svg_snapshot(name=name):
            mismatches.append(name)

    with seeded(tmp_path) as data:
        number, app = with_mail(data)
        async with app.run_test(size=size) as pilot:
            await open_case(pilot, number)
            await check(pilot, "case_with_mail")
            await pilot.press("R")
            await check(pilot, "refile")
            await pilot.press("escape")
            await open_case(pilot, PRINTER)
            await pilot.press("escape", "escape")
            await settle(pilot)
            await pilot.press("i")
            await check(pilot, "inbox")
            await pilot.press("escape", "u")
            await check(pilot, "outbox")
    assert not mismatches, f"snapshots differ: {mismatches}"
