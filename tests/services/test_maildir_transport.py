"""`[smtp] transport = "maildir"` (issue 12): the outbox sender delivers into a local
Maildir instead of an SMTP server — the demo's mail, and trying the desk without one.

The real sender (`sync.sender.MailSender`) runs against a real SQLite file; the Maildir
is read back with the stdlib `mailbox` module, as a mail client would. The SMTP side of
the same sender is tests/integration/test_mail_out.py.
"""

import mailbox
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

import pytest
from mailmaker import customer_mail
from support import Clock

from helpdesk_tui.config import Settings
from helpdesk_tui.config_loading import load_settings
from helpdesk_tui.domain.errors import ConfigError
from helpdesk_tui.domain.filing import RoutingRule
from helpdesk_tui.domain.numbering import CaseNumber
from helpdesk_tui.mail.maildir import MaildirTransport
from helpdesk_tui.mail.outgoing import OutgoingAttachment
from helpdesk_tui.mail.parse import parse
from helpdesk_tui.mail.smtp import SmtpPermanentError, SmtpTransientError
from helpdesk_tui.services import outbox as ob
from helpdesk_tui.services.context import Context
from helpdesk_tui.services.filing import FilingSettings, FolderBatch, Incoming, ingest
from helpdesk_tui.storage.mails import FolderState
from helpdesk_tui.sync.sender import MailSender, mail_out

OWN = frozenset({"support@helpdesk.example"})


def maildir_settings(path: Path, *, undo: int = 10) -> Settings:
    return Settings.model_validate(
        {
            "smtp": {
                "transport": "maildir",
                "maildir": str(path),
                "from": "Helpdesk Support <support@helpdesk.example>",
                "undo_seconds": undo,
            }
        }
    )


def messages(path: Path) -> list[EmailMessage]:
    box = mailbox.Maildir(path, create=False)
    found = []
    for key in sorted(box.keys()):
        with box.get_file(key) as handle:
            found.append(message_from_bytes(handle.read(), policy=policy.default))
    return found


def case_from_customer(ctx: Context) -> CaseNumber:
    raw = customer_mail("Drucker druckt nicht", message_id="<first@acme.example>")
    settings = FilingSettings(rules=(RoutingRule("all", group="billing"),), own_addresses=OWN)
    batch = FolderBatch(
        "support", "INBOX", 7, [Incoming(1, raw, parse(raw))], FolderState(7, 1, None)
    )
    (filed,) = ingest(ctx, settings, batch).filed
    assert filed.case is not None
    return filed.case


def test_a_reply_sent_through_the_outbox_lands_in_the_maildir_with_its_headers(
    ctx: Context, clock: Clock, tmp_path: Path
) -> None:
    folder = tmp_path / "demo" / "maildir"  # the parent is created too
    settings = maildir_settings(folder)
    out = mail_out(settings)
    assert out is not None
    number = case_from_customer(ctx)
    queued = ob.queue_reply(
        ctx, out, "alice", number, "Bitte starten Sie den Drucker neu.",
        attachments=[OutgoingAttachment("anleitung.txt", b"Schritt 1")],
    )  # fmt: skip
    sender = MailSender(ctx, settings)
    assert sender.send_due().sent == 0  # the undo window holds it back
    assert not folder.exists() or messages(folder) == []
    clock.advance(seconds=11)
    report = sender.send_due()
    assert (report.sent, report.failed, report.retrying) == (1, 0, 0)
    (message,) = messages(folder)
    assert message["Return-Path"] == "<support@helpdesk.example>"
    assert message["Delivered-To"] == "kunde@acme.example"
    assert message["From"] == "Helpdesk Support <support@helpdesk.example>"
    assert message["To"].addresses[0].addr_spec == "kunde@acme.example"
    assert message["Subject"] == f"Re: [#{number}] Drucker druckt nicht"
    assert message["Message-ID"].strip("<>") == queued.message_id.strip("<>")
    assert message["In-Reply-To"] == "<first@acme.example>"
    assert "<first@acme.example>" in message["References"]
    body = message.get_body(("plain",))
    assert body is not None
    assert "Bitte starten Sie den Drucker neu." in body.get_content()
    assert [a.get_filename() for a in message.iter_attachments()] == ["anleitung.txt"]
    with ctx.uow(write=False) as uow:
        (entry,) = uow.outbox.entries(("sent",))
    assert entry.id == queued.id
    assert sender.send_due().sent == 0  # exactly once
    assert len(messages(folder)) == 1
    assert oct(folder.stat().st_mode & 0o777) == "0o700"


def test_an_unwritable_maildir_keeps_the_mail_retrying(
    ctx: Context, clock: Clock, tmp_path: Path
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    settings = maildir_settings(blocker / "maildir", undo=0)
    out = mail_out(settings)
    assert out is not None
    ob.queue_reply(ctx, out, "alice", case_from_customer(ctx), "Hallo")
    report = MailSender(ctx, settings).send_due()
    assert (report.sent, report.retrying) == (0, 1)
    assert "maildir" in report.errors[0]


def test_the_transport_refuses_an_address_that_is_no_plain_address(tmp_path: Path) -> None:
    with MaildirTransport(tmp_path / "box") as transport:
        with pytest.raises(SmtpPermanentError, match="not a valid address"):
            transport.send("support@helpdesk.example", ["a@b.example\r\nBcc: x@y"], b"x")
        answer = transport.send(
            "support@helpdesk.example", ["a@b.example"], b"Subject: hi\r\n\r\nx"
        )
        assert answer.startswith("250 delivered to maildir")
    assert not transport.alive
    with pytest.raises(SmtpTransientError, match="closed"):
        transport.send("support@helpdesk.example", ["a@b.example"], b"x")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[smtp]\ntransport = "maildir"\n', 'transport = "maildir" needs maildir = PATH'),
        ('[smtp]\nfrom = "S <s@x.example>"\n', "smtp: host is missing"),
        (
            '[smtp]\nhost = "s.example"\nmaildir = "/tmp/box"\n',
            'maildir is only used with transport = "maildir"',
        ),
        ('[smtp]\ntransport = "file"\nmaildir = "/tmp/box"\n', "transport"),
    ],
)
def test_config_errors_for_the_transport(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as raised:
        load_settings(path)
    assert message in raised.value.message


def test_a_maildir_config_loads_without_a_host(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(
        '[smtp]\ntransport = "maildir"\nmaildir = "~/helpdesk-mail"\nfrom = "S <s@x.example>"\n',
        encoding="utf-8",
    )
    smtp = load_settings(path).smtp
    assert smtp is not None
    assert (smtp.transport, smtp.maildir, smtp.host) == ("maildir", "~/helpdesk-mail", "")
