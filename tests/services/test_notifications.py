"""Notifications through the services (DATE-4, ASSIGN-4, ACT-3, MAIL-6): made in the
transaction of their cause, exactly once, to exactly whom they concern, read per agent.

People (tests/conftest.py): alice, bob (agents), lena (lead), root (admin);
billing = {alice, lena}, technical = {bob}.
"""

import uuid
from datetime import date

import pytest
from filing_support import deliver
from lifecycle_support import create
from mailmaker import customer_mail
from sqlmodel import select

from helpdesk_tui.domain.enums import ActivityKind, Resolution, Status
from helpdesk_tui.domain.errors import ValidationError
from helpdesk_tui.services import cases as svc
from helpdesk_tui.services.context import Context
from helpdesk_tui.services.desk import Desk
from helpdesk_tui.storage.tables import NotificationRow


def seen(ctx: Context, user: str) -> list[tuple[str, str | None, str | None]]:
    """(kind, case, by) of `user`'s notifications, oldest first."""
    return [
        (n.kind, str(n.case) if n.case else None, n.by)
        for n in reversed(Desk(ctx, user).notifications())
    ]


def everyone(ctx: Context) -> dict[str, list[str]]:
    return {user: [k for k, _, _ in seen(ctx, user)] for user in ("alice", "bob", "lena", "root")}


class TestDelegation:
    def test_a_handover_tells_the_new_delegate_with_the_comment(self, ctx: Context) -> None:
        number = create(ctx, user="lena", actor="lena")
        svc.delegate_case(ctx, "lena", number, user="bob", comment="printer on floor 3")
        [note] = Desk(ctx, "bob").notifications()
        assert (note.kind, note.case, note.by, note.subject) == (
            "delegated",
            number,
            "lena",
            "Printer jam",
        )
        assert note.text == f"lena handed {number} to you: printer on floor 3"
        assert not note.read
        assert everyone(ctx) == {"alice": [], "bob": ["delegated"], "lena": [], "root": []}

    def test_a_handover_to_a_group_tells_each_member_but_the_actor(self, ctx: Context) -> None:
        number = create(ctx, user="bob", actor="bob")
        svc.delegate_case(ctx, "lena", number, group="billing", comment="yours")
        assert everyone(ctx) == {
            "alice": ["delegated"],
            "bob": ["changed"],  # delegation away from bob, by someone else
            "lena": [],  # a member, but she acted
            "root": [],
        }
        [note] = Desk(ctx, "alice").notifications()
        assert note.text == f"lena handed {number} to group billing: yours"
        assert (
            Desk(ctx, "bob").notifications()[0].text
            == f"{number}: lena handed it to group billing: yours"
        )

    def test_each_member_reads_a_group_notification_on_their_own(self, ctx: Context) -> None:
        number = create(ctx, user="bob", actor="bob")
        svc.delegate_case(ctx, "root", number, group="billing")
        alice, lena = Desk(ctx, "alice"), Desk(ctx, "lena")
        assert (alice.unread_count(), lena.unread_count()) == (1, 1)
        assert alice.mark_read([alice.notifications()[0].id]) == 1
        assert (alice.unread_count(), lena.unread_count()) == (0, 1)

    def test_taking_a_case_yourself_tells_nobody(self, ctx: Context) -> None:
        number = create(ctx, group="technical", actor="lena")  # the queue shows new cases
        svc.assign_to_me(ctx, "bob", number)
        assert everyone(ctx) == {"alice": [], "bob": [], "lena": [], "root": []}

    def test_a_new_case_for_a_user_is_handed_to_them(self, ctx: Context) -> None:
        number = create(ctx, user="bob", actor="lena")
        [note] = Desk(ctx, "bob").notifications()
        assert (note.kind, note.text) == ("delegated", f"lena opened {number} for you")
        create(ctx, user="bob", actor="bob")  # bob's own
        assert len(Desk(ctx, "bob").notifications()) == 1


class TestChanges:
    def test_a_comment_on_my_case_by_someone_else_tells_me_once(self, ctx: Context) -> None:
        number = create(ctx, user="alice", actor="alice")
        svc.record_activity(ctx, "bob", number, ActivityKind.COMMENT, "checked the toner")
        svc.record_activity(ctx, "alice", number, ActivityKind.COMMENT, "thanks")  # my own
        [note] = Desk(ctx, "alice").notifications()
        assert (note.kind, note.by, note.text) == (
            "changed",
            "bob",
            f"{number}: bob commented: checked the toner",
        )
        assert everyone(ctx)["bob"] == []

    def test_the_owner_hears_of_a_status_change(self, ctx: Context) -> None:
        number = create(ctx, user="bob", actor="bob")
        svc.edit_case(ctx, "bob", number, {"owner": "lena"})
        svc.change_status(ctx, "bob", number, Status.IN_PROGRESS)
        [note] = Desk(ctx, "lena").notifications()
        assert note.text == f"{number}: bob set the status open → in_progress"

    def test_an_external_action_and_a_close_tell_the_delegate(self, ctx: Context) -> None:
        number = create(ctx, user="alice", actor="alice")
        svc.record_activity(ctx, "lena", number, ActivityKind.EXTERNAL, "called back")
        svc.close_case(ctx, "lena", number, Resolution.SOLVED)
        texts = [n.text for n in reversed(Desk(ctx, "alice").notifications())]
        assert texts == [
            f"{number}: lena wrote to the customer: called back",
            f"{number}: lena closed it (solved)",
        ]

    def test_a_refused_action_notifies_nobody(self, ctx: Context) -> None:
        number = create(ctx, user="alice", actor="alice")
        with pytest.raises(ValidationError):
            svc.change_status(ctx, "bob", number, Status.WAITING, comment="")
        assert Desk(ctx, "alice").notifications() == []

    def test_activity_on_a_closed_case_tells_who_had_it(self, ctx: Context) -> None:
        number = create(ctx, user="alice", actor="alice")
        svc.close_case(ctx, "alice", number, Resolution.SOLVED)
        svc.record_activity(ctx, "bob", number, ActivityKind.COMMENT, "customer called again")
        [note] = Desk(ctx, "alice").notifications()
        assert (note.kind, note.text) == (
            "closed_activity",
            f"{number} (closed): bob commented: customer called again",
        )


class TestMentions:
    def test_a_mention_notifies_exactly_the_mentioned_agent(self, ctx: Context) -> None:
        number = create(ctx, group="technical", actor="lena")
        before = everyone(ctx)
        svc.record_activity(
            ctx, "lena", number, ActivityKind.COMMENT, "@alice can you look? mail bob@example.com"
        )
        after = everyone(ctx)
        new = {user: after[user][len(before[user]) :] for user in after}
        assert new == {"alice": ["mention"], "bob": [], "lena": [], "root": []}
        note = Desk(ctx, "alice").notifications()[0]
        assert (note.by, note.case) == ("lena", number)
        assert (
            note.text
            == f"lena mentioned you on {number}: @alice can you look? mail bob@example.com"
        )

    def test_mentioning_yourself_or_nobody_known_tells_nobody(self, ctx: Context) -> None:
        number = create(ctx, user="alice", actor="alice")
        svc.record_activity(ctx, "alice", number, ActivityKind.COMMENT, "@alice @ghost note")
        assert everyone(ctx) == {"alice": [], "bob": [], "lena": [], "root": []}

    def test_a_mentioned_delegate_hears_it_once_as_a_mention(self, ctx: Context) -> None:
        number = create(ctx, user="alice", actor="alice")
        svc.record_activity(ctx, "bob", number, ActivityKind.EXTERNAL, "@alice @Alice done")
        assert [k for k, _, _ in seen(ctx, "alice")] == ["mention"]


class TestReading:
    def test_unread_only_limit_and_mark_all(self, ctx: Context) -> None:
        number = create(ctx, user="alice", actor="alice")
        for text in ("one", "two", "three"):
            svc.record_activity(ctx, "bob", number, ActivityKind.COMMENT, text)
        alice = Desk(ctx, "alice")
        newest = alice.notifications(limit=2)
        assert [n.text.rsplit(" ", 1)[-1] for n in newest] == ["three", "two"]
        assert alice.mark_read([newest[0].id, newest[0].id]) == 1
        assert alice.unread_count() == 2
        assert len(alice.notifications(unread_only=True)) == 2
        assert alice.mark_all_read() == 2
        assert alice.unread_count() == 0
        assert alice.mark_all_read() == 0

    def test_nobody_marks_another_agents_notifications(self, ctx: Context) -> None:
        number = create(ctx, user="alice", actor="alice")
        svc.record_activity(ctx, "bob", number, ActivityKind.COMMENT, "hi")
        note = Desk(ctx, "alice").notifications()[0]
        assert Desk(ctx, "bob").mark_read([note.id, uuid.uuid4()]) == 0
        assert Desk(ctx, "alice").unread_count() == 1

    def test_the_notifications_of_a_deleted_case_go_with_it(self, ctx: Context) -> None:
        number = create(ctx, user="alice", actor="alice")
        svc.record_activity(ctx, "bob", number, ActivityKind.COMMENT, "hi")
        svc.delete_case(ctx, "root", number)
        assert Desk(ctx, "alice").notifications() == []


def test_every_notification_has_a_kind_and_a_unique_key(ctx: Context) -> None:
    number = create(ctx, user="alice", actor="alice", reminder=date(2026, 11, 24))
    svc.delegate_case(ctx, "lena", number, group="billing")
    with ctx.uow(write=False) as uow:
        rows = uow.session.exec(select(NotificationRow)).all()
        uow.session.expunge_all()
    assert rows
    assert all(r.kind and r.dedupe_key and r.agent_id for r in rows)
    assert len({r.dedupe_key for r in rows}) == len(rows)


class TestMail:
    """Mail through the real intake (services/filing.ingest)."""

    def test_a_customer_mail_on_a_closed_case_tells_the_last_delegate(self, ctx: Context) -> None:
        number = deliver(ctx, customer_mail("Drucker")).filed[0].case
        assert number is not None  # a new case of group technical, by the catch-all rule
        svc.delegate_case(ctx, "lena", number, user="bob")
        svc.close_case(ctx, "bob", number, Resolution.SOLVED)
        before = everyone(ctx)
        reply = customer_mail(f"Re: [#{number}] Drucker", body="Schon wieder kaputt!")
        assert deliver(ctx, reply).filed[0].case == number
        after = everyone(ctx)
        assert {u: after[u][len(before[u]) :] for u in after} == {
            "alice": [],
            "bob": ["closed_activity"],
            "lena": [],
            "root": [],
        }
        note = Desk(ctx, "bob").notifications()[0]
        assert (note.case, note.by) == (number, None)
        assert note.text == (
            f"{number} (closed): mail from kunde@acme.example: Schon wieder kaputt!;"
            " it stays closed: reopen or open a new case"
        )

    def test_a_closed_group_case_tells_each_member(self, ctx: Context) -> None:
        number = deliver(ctx, customer_mail("Rechnung falsch")).filed[0].case
        assert number is not None  # group billing, by the invoices rule
        with ctx.uow() as uow:  # closed while still the group's (a lead's bulk close)
            case = uow.cases.get(number)
            actor = uow.directory.actor("root")
            uow.cases.save(
                case,
                actor,
                ctx.clock(),
                case.close(actor, ctx.clock(), ctx.policy, Resolution.SOLVED),
            )
            uow.commit()
        deliver(ctx, customer_mail(f"Re: [#{number}] Rechnung falsch", body="Noch was"))
        assert {u: k for u, k in everyone(ctx).items() if k} == {
            "alice": ["closed_activity"],
            "lena": ["closed_activity"],
        }

    def test_mail_on_my_open_case_is_a_change(self, ctx: Context) -> None:
        number = deliver(ctx, customer_mail("Drucker")).filed[0].case
        assert number is not None
        svc.assign_to_me(ctx, "bob", number)
        deliver(ctx, customer_mail(f"Re: [#{number}] Drucker", body="Danke, geht wieder"))
        [note] = Desk(ctx, "bob").notifications()
        assert (note.kind, note.text) == (
            "changed",
            f"{number}: mail from kunde@acme.example: Danke, geht wieder",
        )

    def test_two_mails_in_one_batch_are_one_change_quoting_the_newest(self, ctx: Context) -> None:
        number = deliver(ctx, customer_mail("Drucker")).filed[0].case
        assert number is not None
        svc.assign_to_me(ctx, "bob", number)
        deliver(
            ctx,
            customer_mail(f"Re: [#{number}] Drucker", body="Erste"),
            customer_mail(f"Re: [#{number}] Drucker", body="Zweite", sender="kunde@acme.example"),
        )
        [note] = Desk(ctx, "bob").notifications()
        assert note.text == f"{number}: mail from kunde@acme.example: Zweite"

    def test_a_new_case_by_a_rule_for_a_group_tells_nobody(self, ctx: Context) -> None:
        deliver(ctx, customer_mail("Drucker"), customer_mail("Rechnung"))
        assert everyone(ctx) == {"alice": [], "bob": [], "lena": [], "root": []}
