"""DATE-4: the app's own worker runs the notification scheduler (next to the mail poller
and the sender): a reminder that has come is notified while the TUI runs, once."""

import asyncio
import time
from datetime import timedelta

from pilotkit import Data, make_desk, off_loop
from support import sync

from helpdesk_tui.app import HelpdeskApp
from helpdesk_tui.domain.numbering import CaseNumber
from helpdesk_tui.services import cases
from helpdesk_tui.services.desk import Desk


def reminders(data: Data, number: CaseNumber) -> int:
    notes = off_loop(Desk(data.ctx, "alice").notifications)
    return sum(1 for n in notes if n.kind == "reminder" and n.case == number)


@sync
async def test_the_apps_worker_notifies_a_reminder_that_has_come_once(case_data: Data) -> None:
    today = case_data.today
    number = off_loop(
        cases.create_case,
        case_data.ctx,
        "lena",
        subject="Rückruf heute",
        contact="kunde@acme.example",
        user="alice",
        reminder=today,
        due=today + timedelta(days=3),
    )
    assert reminders(case_data, number) == 0
    app = HelpdeskApp(make_desk(case_data, "alice"), live_interval=0, scheduler_every=0.05)
    app.animation_level = "none"
    async with app.run_test(size=(120, 36)):
        started = time.monotonic()
        while reminders(case_data, number) == 0:
            assert time.monotonic() - started < 5, "the scheduler did not fire"
            await asyncio.sleep(0.05)
        await asyncio.sleep(0.3)  # several more passes
    assert reminders(case_data, number) == 1
