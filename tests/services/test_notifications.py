"""Notifications through the services (DATE-4, ASSIGN-4, ACT-3, MAIL-6): made in the
transaction of their cause, exactly once, to exactly whom they concern, read per agent.

People (tests/conftest.py): alice, bob (agents), lena (lead), root (admin);
billing = {alice, lena}, technical = {bob}.
"""

import uuid
from datetime import date

import pytest
from lifecycle_support import create
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
        number = create(ctx, group="technical", actor="lena")
        svc.assign_to_me(ctx, "bob", number)
        # only the creation for bob's group, by lena; bob's own pull tells nobody
        [note] = Desk(ctx, "bob").notifications()
        assert note.text == f"lena opened {number} for group technical"
        assert everyone(ctx) == {"alice": [], "bob": ["delegated"], "lena": [], "root": []}


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
