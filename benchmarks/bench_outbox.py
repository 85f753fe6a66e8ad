"""Outbox speed (issue 5): queue a bulk reply to N cases, then deliver it over ONE connection.

Targets: 1,000 mails queued in ≤ 2 s (`services.outbox.bulk_reply`: external action, mail
row, raw bytes and outbox row per case, one transaction) and delivered to a local SMTP
server (aiosmtpd on 127.0.0.1) at ≥ 100 mails/s by `sync.sender.MailSender.send_due`,
with its exactly-once bookkeeping (commit "sending" before, "sent" after each mail).
The cases come from N customer mails filed by the real mail-in path, so every reply is
threaded (In-Reply-To/References) and quotes the customer.

    python benchmarks/bench_outbox.py [-n 1000]
"""

import argparse
import email.policy
import socket
import tempfile
import threading
import time
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path
from typing import Any

from _common import emit, remove_database
from aiosmtpd.controller import Controller

from helpdesk_tui.config import Settings, SmtpConfig
from helpdesk_tui.domain.enums import Role
from helpdesk_tui.domain.filing import RoutingRule
from helpdesk_tui.mail.parse import parse
from helpdesk_tui.services.context import Context, utc_now
from helpdesk_tui.services.filing import FilingSettings, FolderBatch, Incoming, ingest
from helpdesk_tui.services.outbox import bulk_reply
from helpdesk_tui.services.outbox_control import list_outbox
from helpdesk_tui.services.people import AgentSpec, GroupSpec, sync_people
from helpdesk_tui.storage.location import locate
from helpdesk_tui.storage.mails import FolderState
from helpdesk_tui.sync.sender import MailSender, mail_out


class Counter:
    """aiosmtpd handler: counts sessions and messages."""

    def __init__(self) -> None:
        self.sessions = 0
        self.messages = 0
        self.lock = threading.Lock()

    async def handle_EHLO(
        self, server: Any, session: Any, envelope: Any, hostname: str, responses: list[str]
    ) -> list[str]:
        with self.lock:
            self.sessions += 1
        session.host_name = hostname
        return responses

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self.lock:
            self.messages += 1
        return "250 2.0.0 Ok"


def customer_mail(i: int) -> bytes:
    message = EmailMessage()
    message["From"] = f"Kunde {i} <kunde{i}@acme.example>"
    message["To"] = "support@helpdesk.example"
    message["Subject"] = f"Drucker {i} druckt nicht"
    message["Date"] = format_datetime(utc_now())
    message["Message-ID"] = f"<m{i}@acme.example>"
    message.set_content(f"Hallo,\nunser Drucker Nummer {i} druckt nicht mehr.\nGrüße\n")
    return message.as_bytes(policy=email.policy.SMTP)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("-n", type=int, default=1000, help="cases to reply to")
    args = parser.parse_args()
    n: int = args.n

    root = Path(tempfile.mkdtemp(prefix="hd-bench-outbox-"))
    db = root / "hd.sqlite"
    ctx = Context(locate(str(db)))
    ctx.migrate()
    sync_people(
        ctx, [AgentSpec("bench", role=Role.ADMIN)], [GroupSpec("support", members=("bench",))]
    )
    raws = [customer_mail(i) for i in range(n)]
    mails = [Incoming(i + 1, raw, parse(raw)) for i, raw in enumerate(raws)]
    filing = FilingSettings(rules=(RoutingRule("all", group="support"),))
    result = ingest(ctx, filing, FolderBatch("support", "INBOX", 1, mails, FolderState(1, n, None)))
    numbers = [f.case for f in result.filed if f.case is not None]
    assert len(numbers) == n

    handler = Counter()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        smtp = SmtpConfig.model_validate(
            {
                "host": "127.0.0.1",
                "port": port,
                "tls": "none",
                "from": "Helpdesk Support <support@helpdesk.example>",
                "undo_seconds": 0,
            }
        )
        settings = Settings(smtp=smtp)
        out = mail_out(settings)
        assert out is not None

        started = time.perf_counter()
        queued = bulk_reply(ctx, out, "bench", numbers, "Wartungsfenster am Sonntag, 6–8 Uhr.")
        queue_seconds = time.perf_counter() - started
        assert len(queued.queued) == n, queued.refused

        sender = MailSender(ctx, settings)
        sessions_before = handler.sessions
        started = time.perf_counter()
        report = sender.send_due()
        send_seconds = time.perf_counter() - started
        while report.sent < n and not report.errors:  # more than one pass's worth
            report.sent += sender.send_due().sent
        send_seconds = time.perf_counter() - started
        left = list_outbox(ctx)
    finally:
        controller.stop()
        ctx.dispose()
        remove_database(db)

    emit(
        {
            "cases": n,
            "queue_seconds": round(queue_seconds, 3),
            "queue_target_seconds": 2.0 * n / 1000,
            "sent": report.sent,
            "received_by_server": handler.messages,
            "smtp_connections": handler.sessions - sessions_before,
            "send_seconds": round(send_seconds, 3),
            "mails_per_second": round(report.sent / send_seconds, 1),
            "mails_per_second_target": 100,
            "left_in_outbox": len(left),
            "errors": report.errors,
        }
    )


if __name__ == "__main__":
    main()
