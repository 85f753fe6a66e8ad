"""Notification mail (DATE-4): an agent's notifications through the outbox — one mail
each or a digest, to the agent's own address, exactly once, never for their own action,
not once read, and on no case's timeline.

People (tests/conftest.py): alice, bob (agents), lena (lead), root (admin), each with an
address; billing = {alice, lena}, technical = {bob}.
"""

import email
import sqlite3
from datetime import timedelta
from email.message import Message
from pathlib import Path

import pytest
from lifecycle_support import create, detail
from support import Clock

from helpdesk_tui.domain.enums import ActivityKind
from helpdesk_tui.domain.errors import ValidationError
from helpdesk_tui.domain.notification_mail import MailChoice, parse_choice
from helpdesk_tui.services import cases as svc
from helpdesk_tui.services.context import Context
from helpdesk_tui.services.desk import Desk
from helpdesk_tui.services.notification_mail import NotificationMail, mail_due, set_choice
from helpdesk_tui.services.outbox import MailOut
from helpdesk_tui.services.people import add_user
from helpdesk_tui.storage.outbox import OutboxEntry
from helpdesk_tui.storage.reads import open_reads

OUT = MailOut(sender="Support Desk <support@example.com>")
EACH = NotificationMail(OUT, MailChoice.EACH, timedelta(hours=1))
DIGEST = NotificationMail(OUT, MailChoice.DIGEST, timedelta(hours=1))
OFF = NotificationMail(OUT, MailChoice.OFF, timedelta(hours=1))


def outbox(ctx: Context) -> list[OutboxEntry]:
    with ctx.uow(write=False) as uow:
        return uow.outbox.entries()


def message(ctx: Context, entry: OutboxEntry) -> Message:
    with ctx.uow(write=False) as uow:
        return email.message_from_bytes(uow.outbox.raw(entry.mail_id))


def test_each_mails_one_notification_to_the_agent_and_only_once(ctx: Context) -> None:
    number = create(ctx, user="lena", actor="lena")
    svc.delegate_case(ctx, "lena", number, user="bob", comment="printer on floor 3")
    assert mail_due(ctx, EACH) == 1
    assert mail_due(ctx, EACH) == 0  # marked mailed: a second pass sends nothing
    [entry] = outbox(ctx)
    assert (entry.recipient, entry.case, entry.kind, entry.automatic) == (
        "bob@helpdesk.example",
        None,
        "notify",
        True,
    )
    sent = message(ctx, entry)
    assert sent["To"] == "Bob Agent <bob@helpdesk.example>"
    assert sent["Auto-Submitted"] == "auto-generated"
    assert f"[#{number}]" not in sent["Subject"]  # an answer must not land on the case
    assert str(number) in sent["Subject"]
    assert "delegated to you" in sent["Subject"]
    body = sent.get_payload(decode=True).decode()
    assert "printer on floor 3" in body
    assert "lena" in body


def test_the_mail_is_on_no_timeline_and_not_in_the_unfiled_inbox(ctx: Context) -> None:
    number = create(ctx, user="lena", actor="lena")
    svc.delegate_case(ctx, "lena", number, user="bob")
    before = detail(ctx, number).activities
    assert mail_due(ctx, EACH) == 1
    assert detail(ctx, number).activities == before
    with open_reads(ctx.location) as store:
        assert store.mail.unfiled() == []
        assert store.mail.unfiled_count() == 0


def test_off_by_default_and_an_agents_own_choice_wins(ctx: Context) -> None:
    number = create(ctx, user="lena", actor="lena")
    svc.delegate_case(ctx, "lena", number, group="billing")  # alice hears of it
    assert mail_due(ctx, OFF) == 0
    set_choice(ctx, "alice", MailChoice.EACH)
    assert mail_due(ctx, OFF) == 1
    assert [e.recipient for e in outbox(ctx)] == ["alice@helpdesk.example"]
    set_choice(ctx, "bob", MailChoice.OFF)  # bob opts out of the default
    svc.delegate_case(ctx, "lena", number, user="bob")
    assert mail_due(ctx, EACH) == 0


def test_a_notification_read_before_the_pass_is_not_mailed(ctx: Context) -> None:
    number = create(ctx, user="lena", actor="lena")
    svc.delegate_case(ctx, "lena", number, user="bob")
    assert Desk(ctx, "bob").mark_all_read() == 1
    assert mail_due(ctx, EACH) == 0
    assert outbox(ctx) == []


def test_own_actions_are_never_mailed(ctx: Context) -> None:
    number = create(ctx, user="bob", actor="bob")
    svc.record_activity(ctx, "bob", number, ActivityKind.COMMENT, "note to self, @bob")
    assert Desk(ctx, "bob").notifications() == []
    assert mail_due(ctx, EACH) == 0


def test_a_digest_waits_for_its_interval_then_carries_everything(
    ctx: Context, clock: Clock
) -> None:
    first = create(ctx, user="lena", actor="lena")
    second = create(ctx, subject="VPN down", user="lena", actor="lena")
    svc.delegate_case(ctx, "lena", first, user="bob", comment="one")
    clock.advance(minutes=20)
    svc.delegate_case(ctx, "lena", second, user="bob", comment="two")
    assert mail_due(ctx, DIGEST) == 0  # the oldest is 20 minutes old
    clock.advance(minutes=41)  # the oldest is an hour old
    assert mail_due(ctx, DIGEST) == 1
    assert mail_due(ctx, DIGEST) == 0
    [entry] = outbox(ctx)
    assert entry.subject == "Support Desk: 2 notifications on 2 cases"
    body = message(ctx, entry).get_payload(decode=True).decode()
    assert body.index(str(first)) < body.index(str(second))  # oldest first
    assert "VPN down" in body


def test_a_digest_still_gathering_takes_no_write_lock(
    ctx: Context, clock: Clock, tmp_path: Path
) -> None:
    number = create(ctx, user="lena", actor="lena")
    svc.delegate_case(ctx, "lena", number, user="bob")
    clock.advance(minutes=30)  # bob's digest is not due for another 30 minutes
    writer = sqlite3.connect(tmp_path / "hd.sqlite", isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")  # a long sync is writing
    try:
        # A pass that would send nothing must not wait for the lock (then fail "locked").
        assert mail_due(ctx, DIGEST) == 0
    finally:
        writer.execute("ROLLBACK")
        writer.close()
    clock.advance(minutes=31)
    assert mail_due(ctx, DIGEST) == 1


def test_an_agent_without_an_address_gets_no_mail(ctx: Context) -> None:
    add_user(ctx, "root", "nomail", name="No Mail")
    number = create(ctx, user="lena", actor="lena")
    svc.delegate_case(ctx, "lena", number, user="nomail")
    assert Desk(ctx, "nomail").unread_count() == 1
    assert mail_due(ctx, EACH) == 0


def test_old_notifications_are_not_mailed_when_mail_is_turned_on(
    ctx: Context, clock: Clock
) -> None:
    number = create(ctx, user="lena", actor="lena")
    svc.delegate_case(ctx, "lena", number, user="bob")
    clock.advance(days=3)
    assert mail_due(ctx, EACH) == 0


def test_a_choice_is_one_of_three() -> None:
    assert parse_choice(" Digest ") is MailChoice.DIGEST
    with pytest.raises(ValidationError, match="off, each or digest"):
        parse_choice("weekly")


def test_passes_at_the_same_time_mail_each_notification_once(ctx: Context) -> None:
    import threading

    numbers = [create(ctx, subject=f"Case {i}", user="lena", actor="lena") for i in range(6)]
    for number in numbers:
        svc.delegate_case(ctx, "lena", number, user="bob")
    queued: list[int] = []
    start = threading.Barrier(4)

    def one_pass() -> None:
        start.wait()
        queued.append(mail_due(ctx, EACH))

    threads = [threading.Thread(target=one_pass) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(queued) == 6
    assert sorted(e.subject for e in outbox(ctx)) == sorted(
        f"Support Desk: delegated to you — {n} Case {i}" for i, n in enumerate(numbers)
    )
