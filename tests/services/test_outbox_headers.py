"""Hostile values never reach the headers of our mail (SEC-5; issue 10 Found 1, 2, 12).

Contact names from mail or from an agent, subjects and attachment names go through the
outbox services into the stored raw message; read back, it has exactly our headers.
"""

import base64
import json
from email.message import EmailMessage

import pytest
from mailmaker import customer_mail
from sqlmodel import select
from test_outbox import ACKING, OUT, deliver, outbox_rows, raw_of

from helpdesk_tui.domain.errors import ValidationError
from helpdesk_tui.domain.header_values import MAX_SUBJECT
from helpdesk_tui.mail.outgoing import OutgoingAttachment
from helpdesk_tui.services import cases as svc
from helpdesk_tui.services import outbox as ob
from helpdesk_tui.services.context import Context
from helpdesk_tui.services.filing import FilingSettings
from helpdesk_tui.storage.tables import ContactRow, MailRow

OURS = {
    "From",
    "To",
    "Subject",
    "Date",
    "Message-ID",
    "MIME-Version",
    "Content-Type",
}


def assert_our_headers(message: EmailMessage, *extra: str) -> None:
    names = [k for k in message if k != "Content-Transfer-Encoding"]  # not multipart
    assert set(names) == OURS | set(extra)
    assert len(names) == len(OURS | set(extra))  # one of each
    assert message["Bcc"] is None


def hostile_from(name: str) -> bytes:
    """A customer mail whose From display name is an RFC 2047 word decoding to `name`."""
    word = "=?utf-8?b?" + base64.b64encode(name.encode()).decode() + "?="
    raw = customer_mail("Drucker")
    return raw.replace(b"From: Kunde Eins <", f"From: {word} <".encode(), 1)


@pytest.mark.parametrize(
    "name", ["Name\r\nBcc: x@y.example", "Name\r\nBcc : v@x.example", "Name\r\n\r\nbody"]
)
def test_an_encoded_from_name_with_crlf_is_acknowledged_safely(ctx: Context, name: str) -> None:
    (number,) = deliver(ctx, hostile_from(name))
    (row,) = outbox_rows(ctx)
    message = raw_of(ctx, row)
    assert_our_headers(
        message, "In-Reply-To", "References", "Auto-Submitted", "X-Auto-Response-Suppress"
    )
    assert message["Auto-Submitted"] == "auto-replied"
    assert f"[#{number}]" in str(message["Subject"])
    (to,) = message["To"].addresses
    assert to.addr_spec == "kunde@acme.example"
    assert to.display_name == " ".join(name.split())


def test_the_acknowledgement_names_the_tag_with_its_prefix(ctx: Context) -> None:
    out = ob.MailOut(
        sender=OUT.sender,
        tag_prefix="T#",
        own_addresses=OUT.own_addresses,
        acknowledgements={"support": ob.DEFAULT_ACK},
    )
    settings = FilingSettings(rules=ACKING.rules, own_addresses=ACKING.own_addresses, mail_out=out)
    (number,) = deliver(ctx, customer_mail("Rechnung"), settings=settings)
    (row,) = outbox_rows(ctx)
    body = raw_of(ctx, row).get_body(("plain",))
    assert body is not None
    assert f"Please keep [T#{number}] in the subject" in body.get_content()


def test_a_huge_subject_is_cut_in_the_acknowledgement(ctx: Context) -> None:
    folded = "\r\n ".join(["Drucker"] + ["kaputt kaputt kaputt kaputt kaputt"] * 30_000)
    raw = customer_mail("Platzhalter").replace(b"Platzhalter", folded.encode())  # about 1 MB
    (number,) = deliver(ctx, raw)
    (row,) = outbox_rows(ctx)
    assert len(row.subject) <= MAX_SUBJECT
    assert row.subject.startswith(f"Re: [#{number}] Drucker kaputt")
    assert row.subject.endswith("…")
    with ctx.uow(write=False) as uow:
        stored = uow.session.exec(select(MailRow).where(MailRow.id == row.mail_id)).one()
        assert stored.subject == row.subject
        raw_out = uow.outbox.raw(row.mail_id)
    assert max(len(line) for line in raw_out.split(b"\r\n")) <= 998
    assert str(raw_of(ctx, row)["Subject"]) == row.subject


def test_a_reply_attachment_name_with_crlf_is_cleaned(ctx: Context) -> None:
    (number,) = deliver(ctx, customer_mail("Drucker"), settings=FilingSettings(ACKING.rules))
    queued = ob.queue_reply(
        ctx,
        OUT,
        "alice",
        number,
        "Anbei der Plan.",
        attachments=[OutgoingAttachment("plan\r\nBcc: v@x.example\r\n.pdf", b"%PDF")],
    )
    (row,) = [r for r in outbox_rows(ctx) if r.id == queued.id]
    message = raw_of(ctx, row)
    assert_our_headers(message, "In-Reply-To", "References")
    (part,) = list(message.iter_attachments())
    assert part.get_filename() == "plan Bcc: v@x.example .pdf"
    with ctx.uow(write=False) as uow:
        stored = uow.session.exec(select(MailRow).where(MailRow.id == row.mail_id)).one()
        names = [a["filename"] for a in json.loads(stored.attachments)]
    assert names == ["plan Bcc_ v@x.example .pdf"]  # ACT-6: stored under its file-safe name


@pytest.mark.parametrize(
    "contact", ["kunde@acme.example\r\nBcc: v@x.example", "kunde @acme.example", "kunde"]
)
def test_a_bad_contact_address_is_refused_at_input(ctx: Context, contact: str) -> None:
    with pytest.raises(ValidationError) as raised:
        svc.create_case(ctx, "alice", subject="Drucker", contact=contact, group="billing")
    assert "\n" not in raised.value.message
    assert "is not a valid e-mail contact address" in raised.value.message


def test_a_contact_name_with_crlf_is_stored_and_mailed_as_one_line(ctx: Context) -> None:
    number = svc.create_case(
        ctx,
        "alice",
        subject="Drucker\r\nBcc: v@x.example",
        contact="neu@acme.example",
        contact_name="Name\r\n\r\nbody",
        group="billing",
    )
    with ctx.uow(write=False) as uow:
        contact = uow.session.exec(
            select(ContactRow).where(ContactRow.email == "neu@acme.example")
        ).one()
        assert contact.name == "Name body"
    queued = ob.queue_reply(ctx, OUT, "alice", number, "Hallo")
    (row,) = [r for r in outbox_rows(ctx) if r.id == queued.id]
    message = raw_of(ctx, row)
    assert_our_headers(message)
    assert message["To"].addresses[0].display_name == "Name body"
    assert str(message["Subject"]) == f"Re: [#{number}] Drucker Bcc: v@x.example"
