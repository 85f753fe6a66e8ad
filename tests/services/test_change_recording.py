"""Working a case through the services: every change and its activities commit together,
and a refused or failing action changes nothing.

Results are read back both through the unit of work (domain objects) and through the
read store the lists and `case show` use.
"""

from datetime import date

import pytest
from lifecycle_support import N1, N2, SUB1, create, detail, version

from helpdesk_tui.domain.enums import ActivityKind, Resolution, Status
from helpdesk_tui.domain.errors import (
    AlreadyAssignedError,
    NotFoundError,
    PermissionDeniedError,
    SubCaseOpenError,
    TransitionError,
    ValidationError,
)
from helpdesk_tui.domain.numbering import CaseNumber
from helpdesk_tui.domain.policy import Policy, Transition, Workflow
from helpdesk_tui.services import cases as svc
from helpdesk_tui.services.context import Context
from helpdesk_tui.storage.reads import open_reads


class TestEveryChangeIsRecorded:
    def test_each_mutation_bumps_the_version_once_and_writes_its_activities(
        self,
        ctx: Context,
        clock,
        probe,
    ) -> None:
        number = create(ctx)
        steps = [
            (lambda: svc.assign_to_me(ctx, "alice", number), 1, ["delegation"]),
            (
                lambda: svc.delegate_case(ctx, "alice", number, user="bob", comment="yours"),
                1,
                ["delegation"],
            ),
            (lambda: svc.change_status(ctx, "bob", number, Status.IN_PROGRESS), 1, ["status"]),
            (lambda: svc.edit_case(ctx, "bob", number, {"priority": "high"}), 1, ["edit"]),
            (
                lambda: svc.record_activity(ctx, "bob", number, ActivityKind.EXTERNAL, "reply"),
                1,
                ["external"],
            ),
            (
                lambda: svc.change_status(
                    ctx, "bob", number, Status.WAITING, comment="logs", reminder=date(2026, 11, 25)
                ),
                1,
                ["status"],
            ),
            (lambda: svc.close_case(ctx, "bob", number, Resolution.SOLVED), 1, ["closed"]),
            (
                lambda: svc.record_activity(ctx, "alice", number, ActivityKind.COMMENT, "noted"),
                0,
                ["comment"],
            ),
            (lambda: svc.reopen_case(ctx, "lena", number), 1, ["reopened"]),
        ]
        for action, bump, kinds in steps:
            clock.advance(minutes=5)
            before_version, before_count = version(ctx, number), probe.activity_count()
            action()
            assert version(ctx, number) == before_version + bump
            assert probe.activity_count() == before_count + len(kinds)
            assert [a.kind for a in detail(ctx, number).activities[-len(kinds) :]] == kinds
            assert detail(ctx, number).activities[-1].at == clock.now
        assert version(ctx, number) == 9

    def test_activities_carry_old_and_new_values(self, ctx: Context, clock) -> None:
        number = create(ctx)
        clock.advance(minutes=1)
        svc.delegate_case(ctx, "alice", number, user="bob", comment="please check")
        clock.advance(minutes=1)
        svc.edit_case(ctx, "bob", number, {"subject": "Printer on fire", "due": date(2026, 12, 10)})
        clock.advance(minutes=1)
        svc.change_status(
            ctx,
            "bob",
            number,
            Status.WAITING,
            comment="awaiting photo",
            reminder=date(2026, 11, 27),
        )
        entries = detail(ctx, number).activities
        assert [(a.kind, a.actor, a.text, a.changes) for a in entries[1:]] == [
            (
                "delegation",
                "alice",
                "please check",
                {"delegated_user": [None, "bob"], "delegated_group": ["billing", None]},
            ),
            (
                "edit",
                "bob",
                "",
                {
                    "subject": ["Printer jam", "Printer on fire"],
                    "due": ["2026-12-07", "2026-12-10"],
                },
            ),
            (
                "status",
                "bob",
                "awaiting photo",
                {"status": ["open", "waiting"], "reminder": ["2026-11-30", "2026-11-27"]},
            ),
        ]
        with ctx.uow(write=False) as uow:
            case = uow.cases.get(number)
        assert (case.subject, case.due, case.reminder, case.status) == (
            "Printer on fire",
            date(2026, 12, 10),
            date(2026, 11, 27),
            Status.WAITING,
        )

    def test_no_op_actions_change_nothing(self, ctx: Context, probe) -> None:
        number = create(ctx, user="alice")
        before = probe.fingerprint()
        assert svc.assign_to_me(ctx, "alice", number).changed is False
        assert svc.delegate_case(ctx, "bob", number, user="alice").changed is False
        assert svc.edit_case(ctx, "alice", number, {"subject": "Printer jam"}) is False
        assert probe.fingerprint() == before

    @pytest.mark.parametrize(
        ("action", "error", "message"),
        [
            (
                lambda c: svc.change_status(
                    c, "alice", N1, Status.WAITING, reminder=date(2026, 12, 1)
                ),
                ValidationError,
                "^waiting needs a comment",
            ),
            (
                lambda c: svc.change_status(c, "alice", N1, Status.WAITING, comment="x"),
                ValidationError,
                "^waiting needs a reminder date$",
            ),
            (
                lambda c: svc.close_case(c, "alice", N1, Resolution.SOLVED),
                SubCaseOpenError,
                "^cannot close 0000001: sub-case 0000001-001 is still open$",
            ),
            (
                lambda c: svc.close_case(c, "alice", SUB1, Resolution.DUPLICATE),
                ValidationError,
                "^a duplicate must name the original case$",
            ),
            (
                lambda c: svc.close_case(
                    c, "alice", SUB1, Resolution.DUPLICATE, duplicate_of=CaseNumber(7)
                ),
                NotFoundError,
                "^no case 0000007$",
            ),
            (
                lambda c: svc.assign_to_me(c, "alice", N2),
                AlreadyAssignedError,
                "^0000002 is already assigned to bob$",
            ),
            (
                lambda c: svc.delegate_case(c, "alice", N1, user="zed"),
                NotFoundError,
                "^unknown user 'zed'$",
            ),
            (
                lambda c: svc.edit_case(c, "alice", N1, {"status": "closed"}),
                ValidationError,
                "^status cannot be edited$",
            ),
            (
                lambda c: svc.edit_case(c, "alice", N1, {"owner": "zed"}),
                NotFoundError,
                "^unknown user 'zed'$",
            ),
            (
                lambda c: svc.edit_case(c, "alice", N1, {"due": date(2026, 12, 1)}),
                ValidationError,
                "^due 2026-12-01 is before a sub-case's due 2026-12-05",
            ),
            (
                lambda c: svc.record_activity(c, "alice", N1, ActivityKind.STATUS, "x"),
                ValidationError,
                "is recorded by the system",
            ),
            (
                lambda c: svc.record_activity(c, "zed", N1, ActivityKind.COMMENT, "x"),
                NotFoundError,
                "^unknown user 'zed'$",
            ),
            (lambda c: svc.reopen_case(c, "lena", N1), ValidationError, "^0000001 is not closed$"),
            (
                lambda c: svc.delete_case(c, "bob", N1),
                PermissionDeniedError,
                "^only admin, lead may delete cases$",
            ),
        ],
        ids=[
            "waiting-no-comment",
            "waiting-no-reminder",
            "close-open-sub",
            "duplicate-no-orig",
            "duplicate-unknown",
            "assign-taken",
            "delegate-unknown",
            "edit-status",
            "edit-owner-unknown",
            "edit-due-before-sub",
            "record-system-kind",
            "unknown-actor",
            "reopen-open",
            "delete-agent",
        ],
    )
    def test_a_refused_action_changes_nothing(
        self, ctx: Context, probe, action, error: type[Exception], message: str
    ) -> None:
        create(ctx)
        create(ctx, "sub", parent=N1, due=date(2026, 12, 5))
        create(ctx, "Bob's", user="bob")
        before = probe.fingerprint()
        with pytest.raises(error, match=message):
            action(ctx)
        assert probe.fingerprint() == before

    def test_a_failure_after_a_first_save_rolls_the_whole_action_back(
        self,
        ctx: Context,
        probe,
    ) -> None:
        # A workflow where a waiting case cannot be closed: closing the last sub-case
        # saves the sub-case first, then fails on the parent, and must leave both as they were.
        ctx.policy = Policy(
            workflow=Workflow(
                (
                    Transition(Status.OPEN, Status.WAITING),
                    Transition(Status.OPEN, Status.CLOSED),
                )
            )
        )
        create(ctx)
        create(ctx, "sub", parent=N1)
        svc.change_status(ctx, "bob", N1, Status.WAITING, comment="x", reminder=date(2026, 11, 24))
        before = probe.fingerprint()
        with pytest.raises(
            TransitionError, match=r"^the workflow does not allow waiting → closed$"
        ):
            svc.close_case(ctx, "bob", SUB1, Resolution.SOLVED, close_parent=True)
        assert probe.fingerprint() == before
        assert detail(ctx, SUB1).case.status == "open"


def test_same_instant_actions_keep_their_order(ctx: Context) -> None:
    number = svc.create_case(ctx, "alice", subject="x", contact="k@acme.de", group="billing")
    for text in ("eins", "zwei", "drei", "vier"):  # the test clock does not move
        svc.record_activity(ctx, "alice", number, ActivityKind.COMMENT, text)
    with open_reads(ctx.location) as store:
        texts = [a.text for a in store.case_detail(number).activities]
    assert texts == ["x", "eins", "zwei", "drei", "vier"]
