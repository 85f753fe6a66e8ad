"""Closing and reopening through the services.

Sub-cases close and reopen their parent, duplicates link the original, and a closed case
takes only internal comments.
"""

import pytest
from lifecycle_support import N1, N2, SUB1, SUB2, create, detail, version

from helpdesk_tui.domain.enums import ActivityKind, Resolution, Status
from helpdesk_tui.domain.errors import (
    ClosedCaseError,
    PermissionDeniedError,
    SubCaseOpenError,
    ValidationError,
)
from helpdesk_tui.services import cases as svc
from helpdesk_tui.services.context import Context
from helpdesk_tui.storage.reads import open_reads


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
