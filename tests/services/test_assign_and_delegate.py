"""Assign-to-me, delegation and concurrent saves through the services.

A stale save is a conflict; uncommitted work is rolled back.
"""

import pytest
from lifecycle_support import create, detail, version

from helpdesk_tui.domain.activity import ActivityDraft
from helpdesk_tui.domain.enums import ActivityKind, Status
from helpdesk_tui.domain.errors import (
    AlreadyAssignedError,
    ConflictError,
    NotFoundError,
    ValidationError,
)
from helpdesk_tui.services import cases as svc
from helpdesk_tui.services.context import Context


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
