"""Outgoing mail through the outbox (MAIL-5, MAIL-7, ACT-2), on a real SQLite file.

The SMTP side is covered by tests/integration/test_mail_out.py against a real server;
here the state machine is driven through the same service functions the sender uses.
"""

import email
import email.policy
from datetime import UTC, datetime, timedelta
from itertools import count

import pytest
from mailmaker import customer_mail
from sqlmodel import select
from support import Clock

from helpdesk_tui.domain.enums import ActivityKind, Resolution
from helpdesk_tui.domain.errors import ClosedCaseError, ConflictError, ValidationError
from helpdesk_tui.domain.filing import RoutingRule
from helpdesk_tui.domain.numbering import CaseNumber
from helpdesk_tui.mail.outgoing import OutgoingAttachment
from helpdesk_tui.mail.parse import parse
from helpdesk_tui.services import cases as svc
from helpdesk_tui.services import delivery
from helpdesk_tui.services import outbox as ob
from helpdesk_tui.services import outbox_control as control
from helpdesk_tui.services.context import Context
from helpdesk_tui.services.filing import FilingSettings, FolderBatch, Incoming, ingest
from helpdesk_tui.storage.mails import FolderState, NewMail
from helpdesk_tui.storage.tables import ActivityRow, MailRawRow, MailRow, OutboxRow

OWN = frozenset({"support@helpdesk.example"})
OUT = ob.MailOut(
    sender="Helpdesk Support <support@helpdesk.example>",
    undo_seconds=10,
    own_addresses=OWN,
    acknowledgements={"support": ob.DEFAULT_ACK},
)
SETTINGS = FilingSettings(rules=(RoutingRule("all", group="billing"),), own_addresses=OWN)
ACKING = FilingSettings(rules=SETTINGS.rules, own_addresses=OWN, mail_out=OUT)
_uids = count(1)


def deliver(ctx: Context, *raws: bytes, settings: FilingSettings = ACKING) -> list[CaseNumber]:
    mails = [Incoming(next(_uids), raw, parse(raw)) for raw in raws]
    reaches = FolderState(7, max(m.uid for m in mails), None)
    result = ingest(ctx, settings, FolderBatch("support", "INBOX", 7, mails, reaches))
    return [f.case for f in result.filed if f.case is not None]


def outbox_rows(ctx: Context) -> list[OutboxRow]:
    with ctx.uow(write=False) as uow:
        rows = list(uow.session.exec(select(OutboxRow).order_by(OutboxRow.queued_at)).all())
        uow.session.expunge_all()  # keep the loaded values past the rollback
        return rows


def raw_of(ctx: Context, row: OutboxRow) -> email.message.EmailMessage:
    with ctx.uow(write=False) as uow:
        raw = uow.session.get(MailRawRow, row.mail_id)
        assert raw is not None
        message = email.message_from_bytes(raw.raw, policy=email.policy.default)
    assert isinstance(message, email.message.EmailMessage)
    return message


def activities(ctx: Context, kind: ActivityKind) -> list[ActivityRow]:
    with ctx.uow(write=False) as uow:
        rows = list(
            uow.session.exec(
                select(ActivityRow).where(ActivityRow.kind == kind.value).order_by(ActivityRow.at)
            ).all()
        )
        uow.session.expunge_all()
        return rows


@pytest.fixture
def case_from_mail(ctx: Context) -> tuple[CaseNumber, bytes]:
    raw = customer_mail("Drucker druckt nicht", message_id="<first@acme.example>")
    (number,) = deliver(ctx, raw, settings=SETTINGS)
    return number, raw


# -- replies ---------------------------------------------------------------------------
def test_a_reply_is_activity_mail_row_and_outbox_row_in_one_transaction(
    ctx: Context, clock: Clock, case_from_mail: tuple[CaseNumber, bytes]
) -> None:
    number, _ = case_from_mail
    queued = ob.queue_reply(
        ctx,
        OUT,
        "alice",
        number,
        "Bitte starten Sie den Drucker neu.",
        attachments=[OutgoingAttachment("anleitung.txt", b"Schritt 1")],
        time_spent_centi=25,
    )
    assert queued.subject == f"Re: [#{number}] Drucker druckt nicht"
    assert queued.send_after == clock.now + timedelta(seconds=10)
    (row,) = outbox_rows(ctx)
    assert (row.state, row.kind, row.automatic, row.recipient) == (
        "queued",
        "reply",
        False,
        "kunde@acme.example",
    )
    (external,) = activities(ctx, ActivityKind.EXTERNAL)
    assert external.text == "Bitte starten Sie den Drucker neu."
    assert external.time_spent_centi == 25
    assert not external.internal
    with ctx.uow(write=False) as uow:
        mail = uow.session.get(MailRow, row.mail_id)
        assert mail is not None
        assert (mail.direction, mail.message_id, mail.case_id) == (
            "out",
            row.message_id,
            external.case_id,
        )
        assert uow.mails.cases_of_messages([row.message_id]) == {
            row.message_id: number
        }  # References filing works
    message = raw_of(ctx, row)
    assert message["Message-ID"] == f"<{row.message_id}>"
    assert row.message_id.endswith("@helpdesk.example")
    assert message["In-Reply-To"] == "<first@acme.example>"
    assert message["References"] == "<first@acme.example>"
    assert message["Auto-Submitted"] is None
    body = message.get_body(("plain",))
    assert body is not None
    text = body.get_content().replace("\r\n", "\n")
    assert text.startswith("Bitte starten Sie den Drucker neu.\n")
    assert "> unser Drucker im 2. OG druckt nicht mehr." in text
    assert [p.get_filename() for p in message.iter_attachments()] == ["anleitung.txt"]


def test_a_refused_reply_leaves_nothing_behind(
    ctx: Context, case_from_mail: tuple[CaseNumber, bytes]
) -> None:
    number, _ = case_from_mail
    with pytest.raises(ValidationError, match="sender address"):
        ob.queue_reply(ctx, ob.MailOut(sender=""), "alice", number, "x")
    svc.close_case(ctx, "alice", number, Resolution.SOLVED)
    with pytest.raises(ClosedCaseError):
        ob.queue_reply(ctx, OUT, "alice", number, "Zu spät")
    assert activities(ctx, ActivityKind.EXTERNAL) == []
    assert outbox_rows(ctx) == []
    with ctx.uow(write=False) as uow:
        assert uow.session.exec(select(MailRow).where(MailRow.direction == "out")).all() == []


def test_cancel_and_edit_only_within_the_undo_window(
    ctx: Context, clock: Clock, case_from_mail: tuple[CaseNumber, bytes]
) -> None:
    number, _ = case_from_mail
    first = ob.queue_reply(ctx, OUT, "alice", number, "Erster Entwurf")
    edited = control.edit_mail(ctx, "alice", first.id, "Zweiter Entwurf")
    assert edited.message_id == first.message_id
    (row,) = outbox_rows(ctx)
    body = raw_of(ctx, row).get_body(("plain",))
    assert body is not None
    assert body.get_content().replace("\r\n", "\n").startswith("Zweiter Entwurf\n\nOn ")
    assert [a.text for a in activities(ctx, ActivityKind.EXTERNAL)] == ["Zweiter Entwurf"]

    second = ob.queue_reply(ctx, OUT, "alice", number, "Noch eine")
    control.cancel_mail(ctx, "alice", second.id)
    assert {r.state for r in outbox_rows(ctx)} == {"queued", "cancelled"}

    clock.advance(seconds=10)
    with pytest.raises(ConflictError, match="undo window is over"):
        control.cancel_mail(ctx, "alice", first.id)
    with pytest.raises(ConflictError, match="undo window is over"):
        control.edit_mail(ctx, "alice", first.id, "zu spät")
    assert [r.id for r in outbox_rows(ctx) if r.state == "queued"] == [first.id]
    assert delivery.due_mail(ctx) == [first.id]  # the cancelled one never becomes due


# -- the sender's state machine ---------------------------------------------------------
def test_claim_commits_sending_before_smtp_and_only_one_sender_wins(
    ctx: Context, clock: Clock, case_from_mail: tuple[CaseNumber, bytes]
) -> None:
    number, _ = case_from_mail
    queued = ob.queue_reply(ctx, OUT, "alice", number, "Antwort")
    assert delivery.claim(ctx, queued.id, "host:1:a") is None  # still in the undo window
    clock.advance(seconds=11)
    claimed = delivery.claim(ctx, queued.id, "host:1:a")
    assert claimed is not None
    assert b"Antwort" in claimed.raw
    assert delivery.claim(ctx, queued.id, "host:2:b") is None
    (row,) = outbox_rows(ctx)
    assert (row.state, row.attempts, row.claimed_by) == ("sending", 1, "host:1:a")
    delivery.delivered(ctx, claimed.entry, "250 ok")
    (row,) = outbox_rows(ctx)
    assert (row.state, row.sent_at) == ("sent", clock.now)
    assert control.list_outbox(ctx) == []  # sent mail is not pending


def test_transient_failures_back_off_then_give_up_visibly(
    ctx: Context, clock: Clock, case_from_mail: tuple[CaseNumber, bytes]
) -> None:
    number, _ = case_from_mail
    out = ob.MailOut(sender=OUT.sender, undo_seconds=0, max_attempts=3, retry_seconds=30)
    queued = ob.queue_reply(ctx, out, "alice", number, "Antwort")
    waits = []
    for _ in range(2):
        claimed = delivery.claim(ctx, queued.id, "h:1:x")
        assert claimed is not None
        assert delivery.deferred(ctx, out, queued.id, "421 try later", claimed=True) == "retrying"
        (row,) = outbox_rows(ctx)
        waits.append((row.send_after - clock.now).total_seconds())
        assert delivery.due_mail(ctx) == []
        clock.now = row.send_after
    assert waits == [30, 60]
    assert delivery.deferred(ctx, out, queued.id, "connection refused", claimed=False) == "failed"
    (entry,) = control.list_outbox(ctx)
    assert entry.state == "failed"
    assert entry.attempts == 3
    assert entry.error == "gave up after 3 attempts: connection refused"
    control.resend_mail(ctx, "alice", queued.id)
    assert delivery.due_mail(ctx) == [queued.id]


def test_a_permanent_refusal_is_failed_with_the_server_answer(
    ctx: Context, case_from_mail: tuple[CaseNumber, bytes]
) -> None:
    number, _ = case_from_mail
    out = ob.MailOut(sender=OUT.sender, undo_seconds=0)
    queued = ob.queue_reply(ctx, out, "alice", number, "Antwort")
    assert delivery.claim(ctx, queued.id, "h:1:x") is not None
    delivery.refused(ctx, queued.id, "550 5.1.1 no such user")
    (entry,) = control.list_outbox(ctx)
    assert (entry.state, entry.error) == ("failed", "550 5.1.1 no such user")


def test_an_interrupted_send_is_found_in_the_sent_folder_or_becomes_unknown(
    ctx: Context, case_from_mail: tuple[CaseNumber, bytes]
) -> None:
    number, _ = case_from_mail
    out = ob.MailOut(sender=OUT.sender, undo_seconds=0)
    ids = [ob.queue_reply(ctx, out, "alice", number, f"Antwort {i}").id for i in range(3)]
    claims = [delivery.claim(ctx, i, "h:1:dead") for i in ids[:2]] + [
        delivery.claim(ctx, ids[2], "h:2:live")
    ]
    assert all(claims)
    in_sent = {claims[0].entry.message_id}  # type: ignore[union-attr]

    counts = delivery.recover_interrupted(
        ctx,
        abandoned=lambda e: e.claimed_by.endswith("dead"),
        in_sent_folder=lambda message_ids: in_sent & set(message_ids),
    )
    assert counts == {"sent": 1, "unknown": 1}
    states = {r.id: (r.state, r.error) for r in outbox_rows(ctx)}
    assert states[ids[0]] == ("sent", "interrupted; found in the Sent folder")
    assert states[ids[1]] == ("unknown", ob.UNKNOWN)
    assert states[ids[2]][0] == "sending"  # its sender is alive: not ours to judge
    assert delivery.due_mail(ctx) == []  # unknown is never resent by itself
    control.resend_mail(ctx, "bob", ids[1])
    assert delivery.due_mail(ctx) == [ids[1]]


# -- acknowledgements (MAIL-5, MAIL-7) ----------------------------------------------------
def test_a_case_from_mail_is_acknowledged_in_the_same_transaction(ctx: Context) -> None:
    raw = customer_mail("Rechnung fehlt", message_id="<ack-me@acme.example>")
    (number,) = deliver(ctx, raw)
    (row,) = outbox_rows(ctx)
    assert (row.kind, row.automatic, row.state, row.recipient) == (
        "ack",
        True,
        "queued",
        "kunde@acme.example",
    )
    assert row.send_after == row.queued_at  # no undo window for automatic mail
    message = raw_of(ctx, row)
    assert message["Subject"] == f"Re: [#{number}] Rechnung fehlt"
    assert message["Auto-Submitted"] == "auto-replied"
    assert message["In-Reply-To"] == "<ack-me@acme.example>"
    body = message.get_body(("plain",))
    assert body is not None
    assert f"opened case {number}" in body.get_content()
    (entry,) = activities(ctx, ActivityKind.MAIL_OUT)
    assert entry.mail_id == row.mail_id
    assert f"opened case {number}" in entry.text


@pytest.mark.parametrize(
    "headers",
    [
        {"Auto-Submitted": "auto-replied"},
        {"Precedence": "bulk"},
        {"List-Id": "<news.acme.example>"},
        {"X-Auto-Response-Suppress": "All"},
    ],
)
def test_no_acknowledgement_to_noise(ctx: Context, headers: dict[str, str]) -> None:
    deliver(ctx, customer_mail("Abwesenheitsnotiz", headers=headers))
    assert outbox_rows(ctx) == []


def test_no_acknowledgement_to_our_own_addresses_or_bounces(ctx: Context) -> None:
    deliver(
        ctx,
        customer_mail("Loop?", sender="Support <support@helpdesk.example>"),
        customer_mail("Undeliverable", sender="MAILER-DAEMON@mx.acme.example"),
    )
    assert outbox_rows(ctx) == []
    # …and the guard holds on its own, whatever filing decided.
    number = svc.create_case(
        ctx, "alice", subject="intern", contact="support@helpdesk.example", group="billing"
    )
    record = _record("support@helpdesk.example")
    with ctx.uow() as uow:
        case = uow.cases.get(number)
        assert ob.acknowledge(uow, OUT, ctx.clock(), case, record) is None


def _record(sender: str, noise: str | None = None) -> NewMail:
    return NewMail(
        dedupe_key="x",
        raw=b"",
        message_id="m@x",
        mailbox="support",
        received_at=datetime(2026, 11, 23, tzinfo=UTC),
        sent_at=None,
        subject="s",
        from_email=sender,
        from_name="",
        recipients={},
        references=[],
        body_text="",
        quote_start=None,
        attachments=[],
        defects=[],
        noise=noise,
    )


def test_the_guard_refuses_noise_even_on_a_case(ctx: Context) -> None:
    number = svc.create_case(
        ctx, "alice", subject="x", contact="kunde@acme.example", group="billing"
    )
    with ctx.uow() as uow:
        case = uow.cases.get(number)
        assert ob.acknowledge(uow, OUT, ctx.clock(), case, _record("k@a.example", "list")) is None
        assert ob.acknowledge(uow, OUT, ctx.clock(), case, _record("k@a.example")) is not None


def test_at_most_n_automatic_mails_per_recipient_per_window(ctx: Context, clock: Clock) -> None:
    out = ob.MailOut(
        sender=OUT.sender,
        own_addresses=OWN,
        auto_limit=10,
        auto_window=timedelta(hours=3),
        acknowledgements={"support": ob.DEFAULT_ACK},
    )
    settings = FilingSettings(rules=SETTINGS.rules, own_addresses=OWN, mail_out=out)
    deliver(ctx, *[customer_mail(f"Anfrage {i}") for i in range(12)], settings=settings)
    deliver(ctx, customer_mail("Andere Person", sender="b@acme.example"), settings=settings)
    rows = outbox_rows(ctx)
    assert sum(r.recipient == "kunde@acme.example" for r in rows) == 10
    assert sum(r.recipient == "b@acme.example" for r in rows) == 1
    clock.advance(hours=2, minutes=59)
    deliver(ctx, customer_mail("Noch eine"), settings=settings)
    assert sum(r.recipient == "kunde@acme.example" for r in outbox_rows(ctx)) == 10
    clock.advance(minutes=2)
    deliver(ctx, customer_mail("Nach dem Fenster"), settings=settings)
    assert sum(r.recipient == "kunde@acme.example" for r in outbox_rows(ctx)) == 11


def test_a_mailbox_without_acknowledgement_sends_none(ctx: Context) -> None:
    quiet = ob.MailOut(sender=OUT.sender, own_addresses=OWN, acknowledgements={})
    deliver(
        ctx,
        customer_mail("Hallo"),
        settings=FilingSettings(rules=SETTINGS.rules, own_addresses=OWN, mail_out=quiet),
    )
    assert outbox_rows(ctx) == []


# -- updates, closing mail, bulk ----------------------------------------------------------
def test_interim_update_lists_external_actions_newest_first(
    ctx: Context, clock: Clock, case_from_mail: tuple[CaseNumber, bytes]
) -> None:
    number, _ = case_from_mail
    with pytest.raises(ValidationError, match="no external actions"):
        ob.send_interim_update(ctx, OUT, "alice", number)
    svc.record_activity(ctx, "alice", number, ActivityKind.EXTERNAL, "Ersatzteil bestellt")
    clock.advance(hours=1)
    svc.record_activity(ctx, "alice", number, ActivityKind.COMMENT, "intern: teuer")
    svc.record_activity(ctx, "alice", number, ActivityKind.EXTERNAL, "Techniker kommt morgen")
    queued = ob.send_interim_update(ctx, OUT, "alice", number)
    (row,) = outbox_rows(ctx)
    assert (row.kind, row.id) == ("update", queued.id)
    body = raw_of(ctx, row).get_body(("plain",))
    assert body is not None
    text = body.get_content()
    assert text.index("Techniker kommt morgen") < text.index("Ersatzteil bestellt")
    assert "intern" not in text
    (entry,) = activities(ctx, ActivityKind.MAIL_OUT)
    assert entry.mail_id == row.mail_id


def test_closing_mail_carries_the_history(
    ctx: Context, case_from_mail: tuple[CaseNumber, bytes]
) -> None:
    number, _ = case_from_mail
    svc.record_activity(ctx, "alice", number, ActivityKind.EXTERNAL, "Treiber neu installiert")
    svc.close_case(ctx, "alice", number, Resolution.SOLVED)
    ob.send_closing_mail(ctx, OUT, "alice", number)
    (row,) = outbox_rows(ctx)
    body = raw_of(ctx, row).get_body(("plain",))
    assert body is not None
    text = body.get_content()
    assert "is now closed (solved)" in text
    assert text.index("unser Drucker") < text.index("Treiber neu installiert")


def test_bulk_reply_previews_then_queues_one_mail_per_requester(ctx: Context) -> None:
    numbers = [
        svc.create_case(
            ctx, "alice", subject=f"Fall {i}", contact=f"k{i}@acme.example", group="billing"
        )
        for i in range(3)
    ]
    svc.close_case(ctx, "alice", numbers[1], Resolution.SOLVED)
    preview = ob.preview_bulk_reply(ctx, OUT, [*numbers, CaseNumber(99)])
    assert [(p.recipient, p.refusal) for p in preview][:3] == [
        ("k0@acme.example", None),
        ("k1@acme.example", f"{numbers[1]} is closed"),
        ("k2@acme.example", None),
    ]
    assert preview[3].refusal == "no case 0000099"
    result = ob.bulk_reply(ctx, OUT, "alice", [*numbers, CaseNumber(99)], "Wartung am Sonntag")
    assert [q.number for q in result.queued] == [numbers[0], numbers[2]]
    assert set(result.refused) == {numbers[1], CaseNumber(99)}
    rows = outbox_rows(ctx)
    assert sorted(r.recipient for r in rows) == ["k0@acme.example", "k2@acme.example"]
    assert len(activities(ctx, ActivityKind.EXTERNAL)) == 2
    assert raw_of(ctx, rows[0])["In-Reply-To"] is None  # a case without mail starts a thread
