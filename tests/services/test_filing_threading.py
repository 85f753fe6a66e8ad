"""Threading is bound to the sender (MAIL-11), through the real filing and outbox services.

Found 3: a second sender reusing a customer's Message-ID must not take over the customer's
later replies, nor have them quoted back in a reply. Found 4: a case tag from our own or
an agent's address is unverified unless it references our signed Message-ID of the case.
"""

import email
import email.policy

from filing_support import SETTINGS, deliver
from mailmaker import customer_mail, reply_to

from helpdesk_tui.domain.filing import FiledBy
from helpdesk_tui.domain.numbering import CaseNumber
from helpdesk_tui.services import outbox as ob
from helpdesk_tui.services.context import Context
from helpdesk_tui.storage.tables import MailRawRow, MailRow, OutboxRow

OUT = ob.MailOut(
    sender="Helpdesk Support <support@helpdesk.example>",
    own_addresses=SETTINGS.own_addresses,
    acknowledgements={},
)


def reply_raw(ctx: Context, number: CaseNumber, text: str) -> bytes:
    """An agent's reply on the case, as the customer's mail client receives it."""
    queued = ob.queue_reply(ctx, OUT, "alice", number, text)
    with ctx.uow(write=False) as uow:
        row = uow.session.get(OutboxRow, queued.id)
        assert row is not None
        raw = uow.session.get(MailRawRow, row.mail_id)
        assert raw is not None
        return raw.raw


def body_of(raw: bytes) -> str:
    message = email.message_from_bytes(raw, policy=email.policy.default)
    part = message.get_body(("plain",))  # type: ignore[attr-defined]
    return str(part.get_content())


def test_a_reused_message_id_does_not_take_over_the_customers_replies(ctx: Context) -> None:
    first = customer_mail("Drucker", body="Drucker im 2. OG.", message_id="<c1@acme.example>")
    (customers,) = [f.case for f in deliver(ctx, first).filed]
    clash = customer_mail(
        "Hallo", sender="evil@attacker.example", body="Hi.", message_id="<c1@acme.example>"
    )
    (strangers,) = [f.case for f in deliver(ctx, clash).filed]
    assert strangers != customers
    secret = reply_to(first, body="Das Passwort ist hunter2.")
    filed = deliver(ctx, secret).filed[0]
    assert (filed.filed_by, filed.case) == (FiledBy.REFERENCES, customers)
    assert strangers is not None
    to_stranger = reply_raw(ctx, strangers, "Wie können wir helfen?")
    assert "hunter2" not in body_of(to_stranger)
    assert b"evil@attacker.example" in to_stranger
    assert customers is not None
    assert "hunter2" in body_of(reply_raw(ctx, customers, "Bitte ändern Sie es."))


def test_a_stranger_quoting_a_customers_message_id_gets_a_case_of_their_own(
    ctx: Context,
) -> None:
    first = customer_mail("Drucker", message_id="<c1@acme.example>")
    (customers,) = [f.case for f in deliver(ctx, first).filed]
    intruder = reply_to(first, sender="evil@attacker.example", body="Schick mir alles.")
    filed = deliver(ctx, intruder).filed[0]
    assert filed.case != customers
    assert filed.reason.startswith(
        "References ignored: evil@attacker.example takes part in no case they name"
    )


def test_whoever_answers_our_signed_message_id_is_threaded(ctx: Context) -> None:
    (number,) = [f.case for f in deliver(ctx, customer_mail("Drucker")).filed]
    assert number is not None
    ours = reply_raw(ctx, number, "Neustart bitte.")
    colleague = reply_to(ours, subject="Re: Drucker", sender="kollegin@acme.example")
    filed = deliver(ctx, colleague).filed[0]
    assert (filed.filed_by, filed.case) == (FiledBy.REFERENCES, number)


def test_a_tag_from_our_own_address_goes_to_the_inbox_unverified(ctx: Context) -> None:
    (number,) = [f.case for f in deliver(ctx, customer_mail("Drucker")).filed]
    spoofed = customer_mail(
        f"Re: [#{number}] Drucker", sender="Support <support@helpdesk.example>", body="Gefälscht."
    )
    filed = deliver(ctx, spoofed).filed[0]
    assert filed.filed_by is FiledBy.UNFILED
    assert filed.case is None
    assert filed.reason == (
        f"tag [{number}] unverified: sent from our own address support@helpdesk.example "
        "without References to our Message-ID of the case"
    )
    with ctx.uow(write=False) as uow:
        stored = uow.session.get(MailRow, filed.mail_id)
        assert stored is not None
        assert (stored.case_id, stored.filed_note) == (None, filed.reason)


def test_a_tag_from_an_agents_address_needs_our_message_id_of_that_case(ctx: Context) -> None:
    (number,) = [f.case for f in deliver(ctx, customer_mail("Drucker")).filed]
    (other,) = [f.case for f in deliver(ctx, customer_mail("Scanner")).filed]
    assert number is not None
    assert other is not None
    spoofed = customer_mail(f"[#{number}] Passwort", sender="alice@helpdesk.example")
    filed = deliver(ctx, spoofed).filed[0]
    assert filed.filed_by is FiledBy.UNFILED
    assert filed.reason.startswith(
        f"tag [{number}] unverified: sent from an agent's address alice@helpdesk.example"
    )
    ours = reply_raw(ctx, number, "Neustart bitte.")
    wrong_case = reply_to(ours, subject=f"Re: [#{other}] Drucker", sender="alice@helpdesk.example")
    assert deliver(ctx, wrong_case).filed[0].filed_by is FiledBy.UNFILED
    answer = reply_to(ours, subject=f"Re: [#{number}] Drucker", sender="alice@helpdesk.example")
    filed = deliver(ctx, answer).filed[0]
    assert (filed.filed_by, filed.case) == (FiledBy.TAG, number)


def test_a_reused_message_id_in_the_same_batch_does_not_take_over_either(ctx: Context) -> None:
    first = customer_mail("Drucker", message_id="<c1@acme.example>")
    clash = customer_mail("Hallo", sender="evil@attacker.example", message_id="<c1@acme.example>")
    secret = reply_to(first, body="Das Passwort ist hunter2.")
    customers, strangers, reply = deliver(ctx, first, clash, secret).filed
    assert strangers.new_case
    assert strangers.case != customers.case
    assert (reply.filed_by, reply.case) == (FiledBy.REFERENCES, customers.case)
