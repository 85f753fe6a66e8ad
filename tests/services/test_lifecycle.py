"""Working a case through the services: every change and its activities commit together.

Results are read back both through the unit of work (domain objects) and through the
read store the lists and `case show` use.
"""

from datetime import date

import pytest

from helpdesk_tui.domain.activity import ActivityDraft
from helpdesk_tui.domain.enums import ActivityKind, Resolution, Status
from helpdesk_tui.domain.errors import (
    AlreadyAssignedError,
    ClosedCaseError,
    ConflictError,
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
from helpdesk_tui.storage.reads import CaseDetail, open_reads

N1, N2 = CaseNumber(1), CaseNumber(2)
SUB1, SUB2 = CaseNumber(1, 1), CaseNumber(1, 2)


def create(ctx: Context, subject: str = "Printer jam", **kwargs: object) -> CaseNumber:
    kwargs.setdefault("contact", "kunde@example.com")
    if "user" not in kwargs and "group" not in kwargs:
        kwargs["group"] = "billing"
    return svc.create_case(ctx, str(kwargs.pop("actor", "alice")), subject=subject, **kwargs)


def detail(ctx: Context, number: CaseNumber) -> CaseDetail:
    with open_reads(ctx.location) as reads:
        return reads.case_detail(number)


def version(ctx: Context, number: CaseNumber) -> int:
    with ctx.uow(write=False) as uow:
        loaded = uow.cases.get(number).version
    assert detail(ctx, number).case.version == loaded
    return loaded


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


class TestAssign:
    def test_assign_to_me_takes_a_group_case(self, ctx: Context) -> None:
        number = create(ctx)
        result = svc.assign_to_me(ctx, "alice", number)
        assert (result.changed, str(result.delegation)) == (True, "alice")
        summary = detail(ctx, number).case
        assert (summary.delegated_user, summary.delegated_group) == ("alice", None)

    def test_assign_to_me_loses_against_the_holder(self, ctx: Context, probe) -> None:
        number = create(ctx)
        svc.assign_to_me(ctx, "bob", number)
        before = probe.fingerprint()
        with pytest.raises(
            AlreadyAssignedError, match=r"^0000001 is already assigned to bob$"
        ) as info:
            svc.assign_to_me(ctx, "alice", number)
        assert info.value.holder == "bob"
        assert probe.fingerprint() == before
        assert detail(ctx, number).case.delegated_user == "bob"

    def test_a_stale_save_is_a_conflict(self, ctx: Context, probe) -> None:
        number = create(ctx)
        with ctx.uow(write=False) as uow_a:
            stale = uow_a.cases.get(number)
            actor = uow_a.directory.actor("alice")
        svc.assign_to_me(ctx, "bob", number)  # someone else saves in between
        before = probe.fingerprint()
        draft = stale.edit(actor, ctx.clock(), ctx.policy, values={"subject": "mine now"})
        assert draft is not None
        with (
            ctx.uow() as uow_b,
            pytest.raises(
                ConflictError, match=r"^0000001 was changed by someone else meanwhile; try again$"
            ),
        ):
            uow_b.cases.save(stale, actor, ctx.clock(), [draft])
        assert probe.fingerprint() == before
        assert detail(ctx, number).case.subject == "Printer jam"

    def test_a_save_with_the_current_version_succeeds(self, ctx: Context) -> None:
        number = create(ctx)
        with ctx.uow() as uow:
            case = uow.cases.get(number)
            actor = uow.directory.actor("alice")
            uow.cases.save(case, actor, ctx.clock(), [ActivityDraft(ActivityKind.COMMENT, "x")])
            uow.commit()
        assert case.version == 2
        assert version(ctx, number) == 2

    def test_uncommitted_work_is_rolled_back(self, ctx: Context, probe) -> None:
        number = create(ctx)
        before = probe.fingerprint()
        with ctx.uow() as uow:
            case = uow.cases.get(number)
            draft = case.edit(
                uow.directory.actor("alice"), ctx.clock(), ctx.policy, values={"subject": "never"}
            )
            uow.cases.save(case, uow.directory.actor("alice"), ctx.clock(), [draft])
        assert probe.fingerprint() == before

    def test_a_group_members_process_action_takes_the_case(self, ctx: Context, clock) -> None:
        number = create(ctx)
        svc.change_status(ctx, "bob", number, Status.IN_PROGRESS)  # bob is not in billing
        assert detail(ctx, number).case.delegated_group == "billing"
        svc.record_activity(ctx, "alice", number, ActivityKind.COMMENT, "internal")
        assert detail(ctx, number).case.delegated_group == "billing"
        before = version(ctx, number)
        clock.advance(minutes=1)
        svc.record_activity(ctx, "alice", number, ActivityKind.EXTERNAL, "we are on it")
        entries = detail(ctx, number)
        assert (entries.case.delegated_user, entries.case.delegated_group) == ("alice", None)
        assert [a.kind for a in entries.activities[-2:]] == ["delegation", "external"]
        assert entries.case.version == before + 1  # one save for delegation + external action

    def test_delegate_to_a_group_and_to_unknown_group(self, ctx: Context) -> None:
        number = create(ctx, user="alice")
        assert str(svc.delegate_case(ctx, "alice", number, group="Technical").delegation) == (
            "group technical"
        )
        with pytest.raises(NotFoundError, match=r"^unknown group 'sales'$"):
            svc.delegate_case(ctx, "alice", number, group="sales")
        with pytest.raises(ValidationError, match=r"^delegate to a user or a group, not both$"):
            svc.delegate_case(ctx, "alice", number, user="bob", group="billing")


class TestCloseAndReopen:
    def test_closing_the_last_open_sub_case_offers_the_parent(self, ctx: Context) -> None:
        create(ctx)
        create(ctx, "one", parent=N1)
        create(ctx, "two", parent=N1)
        assert svc.close_case(ctx, "alice", SUB1, Resolution.SOLVED) == svc.CloseResult([SUB1])
        result = svc.close_case(ctx, "alice", SUB2, Resolution.SOLVED)
        assert result.closed == [SUB2]
        assert result.parent_closable == N1
        assert detail(ctx, N1).case.status == "open"
        with pytest.raises(
            ClosedCaseError, match=r"^cannot close 0000001-002: the case is closed$"
        ):
            svc.close_case(ctx, "alice", SUB2, Resolution.SOLVED)

    def test_close_parent_closes_both(self, ctx: Context) -> None:
        create(ctx)
        create(ctx, "one", parent=N1)
        with pytest.raises(SubCaseOpenError, match=r"^cannot close 0000001: sub-case 0000001-001"):
            svc.close_case(ctx, "alice", N1, Resolution.SOLVED)
        result = svc.close_case(ctx, "alice", SUB1, Resolution.DEFERRED, close_parent=True)
        assert result == svc.CloseResult([SUB1, N1], parent_closable=None)
        with ctx.uow(write=False) as uow:
            parent, sub = uow.cases.get(N1), uow.cases.get(SUB1)
        assert (parent.status, parent.resolution) == (Status.CLOSED, Resolution.DEFERRED)
        assert (sub.status, sub.resolution) == (Status.CLOSED, Resolution.DEFERRED)
        closings = [a for a in detail(ctx, N1).activities if a.kind == "closed"]
        assert [(a.actor, a.text) for a in closings] == [
            ("alice", "closed with its last sub-case 0000001-001")
        ]

    def test_close_as_duplicate_links_the_original(self, ctx: Context) -> None:
        create(ctx)
        create(ctx)
        svc.close_case(ctx, "alice", N2, Resolution.DUPLICATE, duplicate_of=N1)
        summary = detail(ctx, N2).case
        assert (summary.status, summary.resolution, summary.duplicate_of) == (
            "closed",
            "duplicate",
            N1,
        )
        with pytest.raises(ValidationError, match=r"^0000001 cannot be a duplicate of itself$"):
            svc.close_case(ctx, "alice", N1, Resolution.DUPLICATE, duplicate_of=N1)

    def test_reopening_a_sub_case_reopens_its_parent(self, ctx: Context, clock) -> None:
        create(ctx)
        create(ctx, "one", parent=N1)
        svc.close_case(ctx, "alice", SUB1, Resolution.SOLVED, close_parent=True)
        clock.advance(days=1)
        assert svc.reopen_case(ctx, "lena", SUB1, comment="customer wrote") == [SUB1, N1]
        with ctx.uow(write=False) as uow:
            for number in (N1, SUB1):
                case = uow.cases.get(number)
                assert (case.status, case.resolution) == (Status.OPEN, None)
        last = detail(ctx, N1).activities[-1]
        assert (last.kind, last.actor, last.text) == (
            "reopened",
            "lena",
            "reopened with sub-case 0000001-001",
        )

    def test_reopening_a_sub_case_leaves_an_open_parent_alone(self, ctx: Context) -> None:
        create(ctx)
        create(ctx, "one", parent=N1)
        create(ctx, "two", parent=N1)
        svc.close_case(ctx, "alice", SUB1, Resolution.SOLVED)
        before = version(ctx, N1)
        assert svc.reopen_case(ctx, "root", SUB1) == [SUB1]
        assert version(ctx, N1) == before

    def test_agents_may_not_reopen(self, ctx: Context, probe) -> None:
        create(ctx)
        create(ctx, "one", parent=N1)
        svc.close_case(ctx, "alice", SUB1, Resolution.SOLVED, close_parent=True)
        before = probe.fingerprint()
        with pytest.raises(
            PermissionDeniedError, match=r"^only admin, lead may change status closed → open$"
        ):
            svc.reopen_case(ctx, "alice", SUB1)
        assert probe.fingerprint() == before

    def test_a_closed_case_is_read_only_but_takes_internal_comments(
        self,
        ctx: Context,
        probe,
    ) -> None:
        number = create(ctx, user="alice")
        svc.close_case(ctx, "alice", number, Resolution.SOLVED)
        before = probe.fingerprint()
        with pytest.raises(ClosedCaseError, match=r"^cannot edit 0000001: the case is closed$"):
            svc.edit_case(ctx, "alice", number, {"subject": "changed"})
        with pytest.raises(ClosedCaseError, match=r"^cannot delegate 0000001: the case is closed$"):
            svc.delegate_case(ctx, "alice", number, user="bob")
        with pytest.raises(ClosedCaseError, match=r"^cannot add an external action or phone"):
            svc.record_activity(ctx, "alice", number, ActivityKind.EXTERNAL, "mail")
        with pytest.raises(ClosedCaseError, match=r"^cannot assign 0000001: the case is closed$"):
            svc.assign_to_me(ctx, "bob", number)
        assert probe.fingerprint() == before
        svc.record_activity(ctx, "bob", number, ActivityKind.COMMENT, "customer said thanks")
        entries = detail(ctx, number)
        assert (entries.case.subject, entries.case.status) == ("Printer jam", "closed")
        comments = [a for a in entries.activities if a.kind == "comment"]
        assert [(a.actor, a.text, a.internal) for a in comments] == [
            ("bob", "customer said thanks", True)
        ]


class TestEditDates:
    def test_sub_case_due_may_not_pass_the_parent_due(self, ctx: Context, probe) -> None:
        create(ctx, due=date(2026, 12, 10))
        create(ctx, "one", parent=N1)
        svc.edit_case(ctx, "alice", SUB1, {"due": date(2026, 12, 9)})
        before = probe.fingerprint()
        with pytest.raises(
            ValidationError,
            match=r"^a sub-case's due 2026-12-11 cannot be after its parent's due 2026-12-10$",
        ):
            svc.edit_case(ctx, "alice", SUB1, {"due": date(2026, 12, 11)})
        assert probe.fingerprint() == before

    def test_parent_due_may_not_move_before_an_open_sub_case_due(
        self,
        ctx: Context,
        probe,
    ) -> None:
        create(ctx, reminder=date(2026, 11, 24))
        create(ctx, "one", parent=N1, due=date(2026, 12, 1))
        create(ctx, "two", parent=N1, due=date(2026, 12, 5))
        before = probe.fingerprint()
        with pytest.raises(
            ValidationError,
            match=r"^due 2026-12-04 is before a sub-case's due 2026-12-05; "
            r"move the sub-case first$",
        ):
            svc.edit_case(ctx, "alice", N1, {"due": date(2026, 12, 4)})
        assert probe.fingerprint() == before
        svc.close_case(ctx, "alice", SUB2, Resolution.SOLVED)  # closed sub-cases do not count
        assert svc.edit_case(ctx, "alice", N1, {"due": date(2026, 12, 4)}) is True
        assert detail(ctx, N1).case.due == date(2026, 12, 4)


class TestTimeSpent:
    def test_time_spent_adds_up_per_case(self, ctx: Context) -> None:
        number = create(ctx, user="alice")
        other = create(ctx, user="alice")
        svc.record_activity(ctx, "alice", number, ActivityKind.PHONE, "call", time_spent_centi=25)
        svc.record_activity(
            ctx, "alice", number, ActivityKind.EXTERNAL, "mail", time_spent_centi=150
        )
        svc.record_activity(ctx, "alice", other, ActivityKind.COMMENT, "x", time_spent_centi=300)
        svc.close_case(ctx, "alice", number, Resolution.SOLVED)
        svc.record_activity(
            ctx, "alice", number, ActivityKind.COMMENT, "write-up", time_spent_centi=50
        )
        entries = detail(ctx, number)
        assert entries.time_spent_centi == 225
        assert [a.time_spent_centi for a in entries.activities if a.time_spent_centi] == [
            25,
            150,
            50,
        ]
        assert detail(ctx, other).time_spent_centi == 300


def test_duplicate_last_sub_case_closes_the_parent_as_solved(ctx: Context) -> None:
    parent = svc.create_case(
        ctx, "alice", subject="Sammelfall", contact="k@acme.de", group="billing"
    )
    original = svc.create_case(
        ctx, "alice", subject="Original", contact="k@acme.de", group="billing"
    )
    sub = svc.create_case(
        ctx, "alice", subject="Teil", contact="k@acme.de", group="billing", parent=parent
    )
    result = svc.close_case(
        ctx, "alice", sub, Resolution.DUPLICATE, duplicate_of=original, close_parent=True
    )
    assert result.closed == [sub, parent]
    with open_reads(ctx.location) as store:
        closed = store.case_detail(parent).case
    assert (closed.status, closed.resolution, closed.duplicate_of) == ("closed", "solved", None)


def test_same_instant_actions_keep_their_order(ctx: Context) -> None:
    number = svc.create_case(ctx, "alice", subject="x", contact="k@acme.de", group="billing")
    for text in ("eins", "zwei", "drei", "vier"):  # the test clock does not move
        svc.record_activity(ctx, "alice", number, ActivityKind.COMMENT, text)
    with open_reads(ctx.location) as store:
        texts = [a.text for a in store.case_detail(number).activities]
    assert texts == ["x", "eins", "zwei", "drei", "vier"]
