"""CSAT end to end (issue 15 §7): a real SMTP server receives the closing mail with the
rating request; the customer's reply goes into a real Dovecot and `sync --once` (the
poller) records the rating on the case without reopening it."""

import email
import email.policy
import json
from pathlib import Path

from integration.dovecot import Dovecot
from integration.smtp_server import SmtpServer
from integration.test_mail_out import Desk, message_id
from mailmaker import customer_mail, reply_to

from helpdesk_tui.domain.csat import DEFAULT_REQUEST
from helpdesk_tui.mail.tag import find_case_tag

CSAT = '\n[csat]\nenabled = true\nwindow = "14d"\n'


def test_closing_mail_asks_and_the_customers_reply_is_recorded(
    tmp_path: Path, dovecot: Dovecot, smtp_server: SmtpServer
) -> None:
    desk = Desk(tmp_path, smtp_server, dovecot, extra=CSAT)
    first = customer_mail("Drucker druckt nicht")
    dovecot.append("INBOX", first)
    desk.ok("sync", "--once")
    number = desk.case_of(message_id(first))
    assert number is not None
    smtp_server.wait_for(1)  # the acknowledgement

    closed = desk.ok("case", "close", str(number), "--resolution", "solved")
    assert "queued closing mail with the rating request to kunde@acme.example" in closed
    desk.ok("sync", "--once")
    closing = smtp_server.wait_for(2)[-1]
    assert closing.rcpt_tos == ("kunde@acme.example",)
    message = email.message_from_bytes(closing.data, policy=email.policy.default)
    assert find_case_tag(str(message["Subject"])) == str(number)
    body = message.get_body(("plain",))
    assert body is not None
    assert DEFAULT_REQUEST in body.get_content()

    body = "5 - great, thank you!\n\x1b]0;owned\x07\x1b[2J \u202eevil\u202c"  # hostile below
    dovecot.append("INBOX", reply_to(closing.data, body=body))
    desk.ok("sync", "--once")
    shown = json.loads(desk.ok("case", "show", str(number), "--json"))
    assert shown["status"] == "closed"
    assert shown["csat"]["rating"] == 5
    assert shown["csat"]["at"].endswith("Z")
    kinds = [a["kind"] for a in shown["activities"]]
    assert kinds[-2:] == ["mail_in", "edit"]
    assert "reopened" not in kinds
    assert "csat         5/5" in desk.ok("case", "show", str(number))
