"""Outgoing mail bytes (MAIL-5): headers, threading, quoting, attachments — read back by our
own parser, the way the customer's client and our mail-in path will see them."""

import email
import email.policy
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from helpdesk_tui.config_loading import load_settings
from helpdesk_tui.domain.errors import ConfigError
from helpdesk_tui.mail.msgid import is_ours
from helpdesk_tui.mail.outgoing import (
    MAX_REFERENCES,
    Outgoing,
    OutgoingAttachment,
    Quoted,
    address_of,
    build,
    new_message_id,
    quote,
    replace_text,
    thread_references,
)
from helpdesk_tui.mail.parse import parse
from helpdesk_tui.mail.smtp import dot_stuff
from helpdesk_tui.mail.tag import tag_subject
from helpdesk_tui.services.outbox import MailOut

NOW = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)
SENDER = "Helpdesk Support <Support@Helpdesk.example>"


def outgoing(**changes: object) -> Outgoing:
    values: dict[str, object] = {
        "sender": SENDER,
        "to": "kunde@acme.example",
        "to_name": "Kunde Müller",
        "subject": tag_subject("AW: Drucker – kaputt", "0001234"),
        "body": "Hallo,\n\nbitte starten Sie neu.\n.\nGrüße",
        "message_id": "abc123@helpdesk.example",
        "date": NOW,
    }
    values.update(changes)
    return Outgoing(**values)  # type: ignore[arg-type]


def test_a_reply_carries_tag_message_id_and_readable_utf8_text() -> None:
    raw = build(outgoing())
    mail = parse(raw, own_domains=["helpdesk.example"])
    assert mail.subject == "Re: [#0001234] Drucker – kaputt"
    assert b"Subject: Re: [#0001234] " in raw  # the tag stays readable in the raw header
    assert mail.case_number == "0001234"
    assert mail.message_id == "abc123@helpdesk.example"
    assert mail.from_email == "support@helpdesk.example"
    assert mail.to == ("kunde@acme.example",)
    assert mail.body_text == "Hallo,\n\nbitte starten Sie neu.\n.\nGrüße\n"
    assert mail.noise == "own"  # it is recognised as ours when it comes back (MAIL-7)
    assert mail.defects == ()
    assert b"\r\n" in raw
    assert b"\n" not in raw.replace(b"\r\n", b"")
    message = email.message_from_bytes(raw, policy=email.policy.default)
    assert message["Content-Transfer-Encoding"] == "quoted-printable"
    assert message.get_content_charset() == "utf-8"
    assert message["Auto-Submitted"] is None


def test_automatic_answer_to_a_mail_is_marked_auto_replied() -> None:
    raw = build(outgoing(automatic=True, in_reply_to="last@acme.example"))
    message = email.message_from_bytes(raw, policy=email.policy.default)
    assert message["Auto-Submitted"] == "auto-replied"
    assert message["X-Auto-Response-Suppress"] == "All"
    assert parse(raw).noise == "auto_reply"


def test_automatic_mail_answering_none_is_marked_auto_generated() -> None:
    """RFC 3834: a notification is not a reply to anything: `auto-generated`."""
    raw = build(outgoing(automatic=True))
    message = email.message_from_bytes(raw, policy=email.policy.default)
    assert message["Auto-Submitted"] == "auto-generated"
    assert message["X-Auto-Response-Suppress"] == "All"
    assert parse(raw).noise == "auto_reply"


def test_threading_headers_point_at_the_customers_mail() -> None:
    references = thread_references(("root@acme.example", "mid@acme.example"), "last@acme.example")
    raw = build(outgoing(in_reply_to="last@acme.example", references=references))
    mail = parse(raw)
    assert mail.in_reply_to == "last@acme.example"
    assert mail.references == ("root@acme.example", "mid@acme.example", "last@acme.example")


def test_references_are_trimmed_keeping_the_root_and_the_newest() -> None:
    chain = tuple(f"m{i}@x.example" for i in range(50))
    trimmed = thread_references(chain, "new@x.example")
    assert len(trimmed) == MAX_REFERENCES
    assert trimmed[0] == "m0@x.example"
    assert trimmed[-1] == "new@x.example"
    assert thread_references(("a@x", "b@x"), "b@x") == ("a@x", "b@x")  # no doubles
    assert thread_references((), None) == ()


def test_the_previous_message_is_quoted_below_the_text() -> None:
    quoted = Quoted("Kunde Müller", NOW - timedelta(hours=1), "Hallo,\n\nes geht nicht.\n")
    mail = parse(build(outgoing(body="Wir prüfen das.", quoted=quoted)))
    assert mail.body_text == (
        "Wir prüfen das.\n\nOn 2026-11-23 08:30, Kunde Müller wrote:\n"
        "> Hallo,\n>\n> es geht nicht.\n"
    )
    assert mail.quote_start is not None
    long = quote(Quoted("x", None, "\n".join(str(i) for i in range(500))))
    assert long.startswith("x wrote:\n> 0\n")
    assert long.endswith("> […]")


def test_attachments_survive_with_their_names() -> None:
    raw = build(
        outgoing(
            attachments=[
                OutgoingAttachment("rechnung.pdf", b"%PDF-1.4 ..."),
                OutgoingAttachment("Übersicht März.csv", b"a;b\n1;2\n"),
                OutgoingAttachment("blob", b"\x00\x01", "application/x-thing"),
            ]
        )
    )
    mail = parse(raw)
    assert [(a.filename, a.content_type, a.size) for a in mail.attachments] == [
        ("rechnung.pdf", "application/pdf", 12),
        ("Übersicht März.csv", "text/csv", 8),
        ("blob", "application/x-thing", 2),
    ]
    assert mail.body_text.startswith("Hallo,")


def test_message_ids_come_from_the_sender_domain_and_are_unique() -> None:
    ids = {new_message_id(SENDER, b"k" * 32) for _ in range(1000)}
    assert len(ids) == 1000
    assert all(i.endswith("@helpdesk.example") and "<" not in i for i in ids)
    assert all(is_ours(i, b"k" * 32) for i in ids)  # signed with the database's key
    assert address_of(SENDER) == "support@helpdesk.example"
    assert address_of("plain@x.example") == "plain@x.example"


def test_replace_text_keeps_headers_and_attachments() -> None:
    raw = build(outgoing(attachments=[OutgoingAttachment("a.txt", b"x")]))
    edited = parse(replace_text(raw, "Neuer Text ä\n"))
    assert edited.body_text == "Neuer Text ä\n"
    assert edited.message_id == "abc123@helpdesk.example"
    assert [a.filename for a in edited.attachments] == ["a.txt"]


def test_dot_stuffing_and_line_ends_for_smtp_data() -> None:
    assert dot_stuff(b"a\n.b\r\n..c\rd") == b"a\r\n..b\r\n...c\r\nd\r\n.\r\n"
    assert dot_stuff(b"x\r\n") == b"x\r\n.\r\n"


def test_back_off_doubles_and_is_capped() -> None:
    out = MailOut(sender=SENDER, retry_seconds=30)
    delays = [out.retry_delay(n).total_seconds() for n in range(1, 10)]
    assert delays[:4] == [30, 60, 120, 240]
    assert max(delays) == 1800
    assert MailOut(sender=SENDER).sender_name == "Helpdesk Support"


ACCOUNT = """
[[mail.accounts]]
name = "support"
host = "imap.example.com"
username = "support"
password_command = "pass show x"
{extra}
"""


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            ACCOUNT.format(extra='ack_template = "Hallo {kunde}, Fall {case_number}"'),
            "template 'support ack_template': unknown placeholder {kunde}",
        ),
        (
            '[smtp]\nhost = "smtp.example.com"\nusername = "x"\n',
            "smtp: set password_command or keyring_service",
        ),
        (
            '[smtp]\nhost = "smtp.example.com"\nsent_folder = "Sent"\n',
            "smtp.sent_folder needs a [[mail.accounts]] entry",
        ),
        (
            ACCOUNT.format(extra="")
            + '[smtp]\nhost = "s.example"\nsent_folder = "Sent"\nsent_account = "nope"\n',
            "smtp.sent_account 'nope' is no mail account",
        ),
    ],
)
def test_config_errors_for_mail_out(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as raised:
        load_settings(path)
    assert message in raised.value.message


def test_a_good_mail_out_config_loads(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(
        ACCOUNT.format(extra='ack_template = "Hallo {contact_name}, Fall {case_number}, {due}"')
        + '[smtp]\nhost = "s.example"\nfrom = "S <s@x.example>"\nundo_seconds = 30\n'
        'sent_folder = "Sent"\n',
        encoding="utf-8",
    )
    settings = load_settings(path)
    assert settings.smtp is not None
    assert settings.smtp.undo_seconds == 30
    assert settings.mail.accounts[0].acknowledge is True
