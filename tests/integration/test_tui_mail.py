"""The TUI runs the mail poller against a real Dovecot (MAIL-1, TUI-3): the status line
shows its state, and filed mail appears in the queue and on an open case by itself."""

import asyncio
import time
from collections.abc import Callable
from pathlib import Path

from integration.dovecot import Dovecot
from integration.smtp_server import SmtpServer
from mailmaker import customer_mail
from support import sync
from tui.pilotkit import CASE_SET, screen_text

from helpdesk_tui.app import HelpdeskApp
from helpdesk_tui.config import MailAccountConfig, MailConfig, RoutingRuleConfig, Settings
from helpdesk_tui.domain.numbering import CaseNumber
from helpdesk_tui.domain.query import CaseQuery
from helpdesk_tui.services.context import Context, utc_now
from helpdesk_tui.services.desk import Desk
from helpdesk_tui.storage.readmodels import Sort, SortKey
from helpdesk_tui.storage.reads import open_reads
from helpdesk_tui.sync.poller import MailPoller
from helpdesk_tui.sync.status import SyncStatus
from helpdesk_tui.widgets.status_line import StatusLine
from helpdesk_tui.widgets.timeline import Timeline


def settings_for(dovecot: Dovecot) -> Settings:
    account = MailAccountConfig(
        name="support",
        host="127.0.0.1",
        port=dovecot.port,
        tls="none",
        username="agent",
        password_command="printf secret",
        address="support@helpdesk.example",
    )
    rules = [RoutingRuleConfig(name="all", group="billing")]
    return Settings(mail=MailConfig(accounts=[account], rules=rules, poll_seconds=5))


def newest_case(ctx: Context) -> CaseNumber:
    with open_reads(ctx.location) as store:
        rows = store.list_cases(
            CaseQuery(), me="alice", today=ctx.today(), limit=1, sort=Sort(SortKey.NUMBER, True)
        )
    return rows[0].number


async def until(check: Callable[[], object], seconds: float, what: str) -> float:
    start = time.monotonic()
    while time.monotonic() - start < seconds:
        if check():
            return time.monotonic() - start
        await asyncio.sleep(0.1)
    raise AssertionError(f"not within {seconds} s: {what}")


@sync
async def test_the_tui_polls_files_and_shows_mail_live(tmp_path: Path, dovecot: Dovecot) -> None:
    settings = settings_for(dovecot)
    with CASE_SET.copy(tmp_path) as data:  # alice is in group billing
        ctx = data.ctx

        def poller(on_status: Callable[[SyncStatus], None]) -> MailPoller:
            return MailPoller(ctx, settings, on_status=on_status)

        app = HelpdeskApp(Desk(ctx, "alice"), live_interval=0.3, mail_sync=poller)
        async with app.run_test(size=(120, 36)) as pilot:
            status = app.screen.query_one(StatusLine)
            await until(lambda: status.sync == "mail: idle", 20, "the poller reports idle")
            await pilot.press("2")  # My groups: alice is in billing, where the rule files
            dovecot.append("INBOX", customer_mail("Neue Anfrage per Mail"))
            await until(lambda: "Neue Anfrage per Mail" in screen_text(pilot), 10, "new case")

            number = await asyncio.to_thread(newest_case, ctx)  # never on the event loop
            app.open_case(number)
            await until(lambda: app.screen.query(Timeline), 5, "the case screen")
            reply = customer_mail(f"AW: [#{number}] Neue Anfrage per Mail", body="Nachtrag!")
            dovecot.append("INBOX", reply)
            timeline = app.screen.query_one(Timeline)
            await until(lambda: "Nachtrag!" in timeline.text, 10, "the reply on the open case")

            auto = customer_mail("Abwesend", headers={"Auto-Submitted": "auto-replied"})
            dovecot.append("INBOX", auto)  # noise opens no case: it waits in the inbox
            queue = next(s for s in app.screen_stack if s.query(StatusLine))
            line = queue.query_one(StatusLine)
            await until(lambda: line.sync == "mail: idle · 1 unfiled", 10, "the unfiled count")


def test_sync_status_labels() -> None:
    from helpdesk_tui.sync.status import SyncState

    assert SyncStatus(SyncState.SYNCING, "support", 120, 2000).label() == "syncing 120 of 2000"
    assert SyncStatus(SyncState.OFFLINE, retry_in=19.6).label() == "offline (retry in 20 s)"
    assert SyncStatus(SyncState.ERROR, message="login refused").label() == "error: login refused"
    assert SyncStatus(SyncState.IDLE).label() == "idle"


@sync
async def test_a_reply_written_in_the_tui_reaches_the_smtp_server_once(
    tmp_path: Path, smtp_server: SmtpServer
) -> None:
    from tui.pilotkit import PRINTER

    from helpdesk_tui.config import SmtpConfig
    from helpdesk_tui.screens.case import CaseScreen
    from helpdesk_tui.screens.compose import ComposeScreen
    from helpdesk_tui.sync.sender import MailSender, mail_out

    smtp = SmtpConfig.model_validate(
        {
            "host": "127.0.0.1",
            "port": smtp_server.port,
            "tls": "none",
            "from": "Support <support@helpdesk.example>",
            "undo_seconds": 1,
            "retry_seconds": 1,
        }
    )
    settings = Settings(smtp=smtp)
    with CASE_SET.copy(tmp_path) as data:
        ctx = data.ctx
        ctx.clock = utc_now  # undo time and retries need a clock that moves
        smtp_server.stop()  # the server is down when the reply is written

        def sender(on_report: Callable[[object], None]) -> MailSender:
            return MailSender(ctx, settings, on_report=on_report)

        desk = Desk(ctx, "alice", mail_out=mail_out(settings))
        app = HelpdeskApp(desk, live_interval=0.3, mail_sender=sender)
        async with app.run_test(size=(120, 36)) as pilot:
            # (no `settle`: the sender and watcher workers run until the app quits)
            app.open_case(PRINTER)
            await until(
                lambda: isinstance(app.screen, CaseScreen) and app.screen.detail is not None,
                5,
                "the case loaded",
            )
            await pilot.press("M")
            await until(lambda: isinstance(app.screen, ComposeScreen), 5, "compose")
            await pilot.press(*"Termin bestaetigt.", "ctrl+s")
            await until(lambda: isinstance(app.screen, CaseScreen), 5, "saved")
            queue = next(s for s in app.screen_stack if s.query(StatusLine))
            status = queue.query_one(StatusLine)  # the queue's status line, under the case
            await until(lambda: "1 unsent" in status.sync, 5, "the unsent count")
            smtp_server.start()  # back: the retry delivers it, once
            [received] = await asyncio.to_thread(smtp_server.wait_for, 1)
            assert b"[#0000001]" in received.data
            assert "karl@acme.example" in received.rcpt_tos
            await until(lambda: "unsent" not in status.sync, 5, "the count to clear")
            await asyncio.sleep(1.5)
            assert len(smtp_server.messages) == 1
