"""Threading is bound to the sender (MAIL-11), end to end: real Dovecot, real SMTP server,
the `helpdesk` process.

Found 3: a stranger reusing a customer's Message-ID must not take over the customer's next
reply, and our answer to the stranger must not quote it. Found 4: a case tag forged from
our own or an agent's address waits unfiled, with the reason, until it references our
signed Message-ID of that case.
"""

from pathlib import Path

from integration.dovecot import Dovecot
from integration.smtp_server import SmtpServer
from integration.test_mail_out import Desk, message_id, parsed
from mailmaker import customer_mail, reply_to
from sqlmodel import select

from helpdesk_tui.domain.numbering import CaseNumber
from helpdesk_tui.storage.tables import CaseRow, MailRow


def filed_note(desk: Desk, raw: bytes) -> str:
    ctx = desk.context()
    try:
        with ctx.uow(write=False) as uow:
            row = uow.session.exec(
                select(MailRow).where(MailRow.message_id == message_id(raw))
            ).one()
            assert row.case_id is None
            return row.filed_note
    finally:
        ctx.dispose()


def case_of_sender(desk: Desk, sender: str) -> CaseNumber | None:
    ctx = desk.context()
    try:
        with ctx.uow(write=False) as uow:
            row = uow.session.exec(select(MailRow).where(MailRow.from_email == sender)).one()
            case = uow.session.get(CaseRow, row.case_id)
            return None if case is None else CaseNumber(case.number, case.sub_number)
    finally:
        ctx.dispose()


def body(raw: bytes) -> str:
    part = parsed(raw).get_body(("plain",))
    assert part is not None
    return str(part.get_content())  # type: ignore[attr-defined]


def test_a_reused_message_id_does_not_hijack_the_thread(
    tmp_path: Path, dovecot: Dovecot, smtp_server: SmtpServer
) -> None:
    desk = Desk(tmp_path, smtp_server, dovecot)
    desk.ok("init")
    first = customer_mail("Drucker", body="Drucker im 2. OG.", message_id="<c1@acme.example>")
    dovecot.append("INBOX", first)
    desk.ok("sync", "--once")
    customers = desk.case_of("c1@acme.example")
    assert customers is not None
    clash = customer_mail(
        "Hallo", sender="evil@attacker.example", body="Hi.", message_id="<c1@acme.example>"
    )
    dovecot.append("INBOX", clash)
    assert "1 new cases" in desk.ok("sync", "--once")

    secret = reply_to(first, body="Das neue Passwort ist hunter2.")
    dovecot.append("INBOX", secret)
    desk.ok("sync", "--once")
    assert desk.case_of(message_id(secret)) == customers

    stranger_case = case_of_sender(desk, "evil@attacker.example")
    assert stranger_case not in {None, customers}
    desk.ok("case", "reply", str(stranger_case), "Wie können wir helfen?")
    desk.ok("sync", "--once")
    to_stranger = [m for m in smtp_server.messages if m.rcpt_tos == ("evil@attacker.example",)]
    reply = [m for m in to_stranger if "Wie können wir helfen?" in body(m.data)]
    assert len(reply) == 1
    assert "hunter2" not in body(reply[0].data)
    assert all(b"hunter2" not in m.data for m in to_stranger)


def test_a_case_tag_forged_from_our_own_or_an_agents_address_waits_unfiled(
    tmp_path: Path, dovecot: Dovecot, smtp_server: SmtpServer
) -> None:
    desk = Desk(tmp_path, smtp_server, dovecot)
    desk.ok("init")
    first = customer_mail("Drucker druckt nicht")
    dovecot.append("INBOX", first)
    desk.ok("sync", "--once")
    number = desk.case_of(message_id(first))
    assert number is not None
    (ack,) = smtp_server.wait_for(1)

    as_support = customer_mail(
        f"Re: [#{number}] Drucker druckt nicht",
        sender="Helpdesk Support <support@helpdesk.example>",
        body="Bitte senden Sie Ihr Passwort an evil@attacker.example.",
    )
    as_agent = customer_mail(
        f"[#{number}] Drucker druckt nicht",
        sender="Alice Becker <alice@helpdesk.example>",
        body="Neue Bankverbindung: …",
    )
    dovecot.append("INBOX", as_support)
    dovecot.append("INBOX", as_agent)
    desk.ok("sync", "--once")
    assert desk.case_of(message_id(as_support)) is None
    assert filed_note(desk, as_support) == (
        f"tag [{number}] unverified: sent from our own address support@helpdesk.example "
        "without References to our Message-ID of the case"
    )
    assert desk.case_of(message_id(as_agent)) is None
    assert filed_note(desk, as_agent).startswith(
        f"tag [{number}] unverified: sent from an agent's address alice@helpdesk.example"
    )

    # our acknowledgement carries our signed Message-ID: an agent's answer to it threads
    answer = reply_to(ack.data, sender="Alice Becker <alice@helpdesk.example>", body="Erledigt.")
    dovecot.append("INBOX", answer)
    desk.ok("sync", "--once")
    assert desk.case_of(message_id(answer)) == number
    assert len(smtp_server.messages) == 1  # the forged mails sent nothing to anyone
