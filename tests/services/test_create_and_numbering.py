"""Creating cases and sub-cases (CASE-3, CASE-4, SUB-1, SUB-2) and deleting them (CASE-9)."""

import json
from datetime import date

import pytest
from sqlmodel import select

from helpdesk_tui.domain.enums import ActivityKind, Priority, Resolution, Status
from helpdesk_tui.domain.errors import (
    ClosedCaseError,
    NotFoundError,
    PermissionDeniedError,
    ValidationError,
)
from helpdesk_tui.domain.numbering import CaseNumber
from helpdesk_tui.services.cases import close_case, create_case, delete_case, record_activity
from helpdesk_tui.services.context import Context
from helpdesk_tui.storage.reads import open_reads
from helpdesk_tui.storage.tables import AccountRow, ActivityRow, AuditRow

N1, N2, N3, N4 = (CaseNumber(n) for n in (1, 2, 3, 4))


def create(ctx: Context, subject: str = "Printer jam", **kwargs: object) -> CaseNumber:
    kwargs.setdefault("contact", "kunde@example.com")
    if "user" not in kwargs and "group" not in kwargs:
        kwargs["group"] = "billing"
    return create_case(ctx, str(kwargs.pop("actor", "alice")), subject=subject, **kwargs)


class TestNumbering:
    def test_case_numbers_are_sequential_from_0000001(self, ctx: Context) -> None:
        assert [str(create(ctx)) for _ in range(3)] == ["0000001", "0000002", "0000003"]

    def test_sub_cases_are_numbered_per_parent(self, ctx: Context) -> None:
        create(ctx)
        create(ctx)
        subs = [
            create(ctx, "one", parent=N1),
            create(ctx, "two", parent=N1),
            create(ctx, "other", parent=N2),
        ]
        assert [str(n) for n in subs] == ["0000001-001", "0000001-002", "0000002-001"]
        assert str(create(ctx)) == "0000003"  # sub-cases do not use up main numbers
        with ctx.uow(write=False) as uow:
            assert [n for n, _, _ in uow.cases.sub_cases(N1)] == [
                CaseNumber(1, 1),
                CaseNumber(1, 2),
            ]
            assert uow.cases.get(CaseNumber(1, 2)).parent == N1
        with open_reads(ctx.location) as reads:
            assert [s.number for s in reads.case_detail(N2).sub_cases] == [CaseNumber(2, 1)]
            assert reads.case_detail(CaseNumber(1, 1)).case.parent == N1

    def test_numbers_are_never_reused_after_delete(self, ctx: Context) -> None:
        for _ in range(3):
            create(ctx)
        delete_case(ctx, "lena", N3)
        assert create(ctx) == N4
        create(ctx, "a", parent=N4)
        create(ctx, "b", parent=N4)
        delete_case(ctx, "lena", CaseNumber(4, 2))
        assert create(ctx, "c", parent=N4) == CaseNumber(4, 3)

    def test_a_refused_create_uses_up_no_number_and_leaves_nothing(
        self, ctx: Context, probe
    ) -> None:
        before = probe.fingerprint()
        with pytest.raises(ValidationError, match=r"^reminder 2026-12-02 is after due 2026-12-01$"):
            create(
                ctx,
                contact="new.person@example.org",
                due=date(2026, 12, 1),
                reminder=date(2026, 12, 2),
            )
        assert probe.fingerprint() == before  # not even the new contact row
        assert create(ctx) == N1


class TestCreate:
    def test_defaults_and_creation_activity_are_stored(self, ctx: Context) -> None:
        number = create(
            ctx, " Printer jam ", contact=" Kunde@Example.com ", contact_name="Kim Kunde"
        )
        with ctx.uow(write=False) as uow:
            case = uow.cases.get(number)
        assert (case.subject, case.type, case.priority, case.status) == (
            "Printer jam",
            "ticket",
            Priority.NORMAL,
            Status.OPEN,
        )
        assert (case.due, case.reminder) == (date(2026, 12, 7), date(2026, 11, 30))
        assert case.version == 1
        assert case.delegation.group == "billing"
        with open_reads(ctx.location) as reads:
            detail = reads.case_detail(number)
        assert detail.case.contact_email == "kunde@example.com"
        assert detail.case.contact_name == "Kim Kunde"
        assert detail.case.initiator == "alice"
        assert [(a.kind, a.actor, a.text) for a in detail.activities] == [
            ("created", "alice", "Printer jam")
        ]
        assert detail.activities[0].at == ctx.clock()

    def test_account_is_taken_from_the_contact(self, ctx: Context) -> None:
        with ctx.uow() as uow:
            uow.session.add(AccountRow(name="ACME GmbH", domain="acme.example"))
            uow.commit()
        number = create(ctx, contact="max@acme.example")
        with open_reads(ctx.location) as reads:
            assert reads.case_detail(number).case.account == "ACME GmbH"

    def test_sub_case_inherits_the_parent_due_and_notes_itself_on_the_parent(
        self,
        ctx: Context,
        probe,
    ) -> None:
        parent = create(ctx, due=date(2026, 12, 4))
        before = probe.activity_count()
        sub = create(ctx, "Order toner", parent=parent)
        assert probe.activity_count() == before + 2
        with open_reads(ctx.location) as reads:
            detail = reads.case_detail(parent)
            sub_detail = reads.case_detail(sub)
        assert sub_detail.case.due == date(2026, 12, 4)
        notes = [a.text for a in detail.activities if a.kind == ActivityKind.SUB_CASE]
        assert notes == ["sub-case 0000001-001: Order toner"]
        assert [a.kind for a in sub_detail.activities] == [ActivityKind.CREATED]
        assert detail.case.version == 1  # noting a sub-case is not an edit of the parent

    def test_sub_case_due_after_parent_due_is_refused(self, ctx: Context, probe) -> None:
        create(ctx)
        before = probe.fingerprint()
        with pytest.raises(
            ValidationError,
            match=r"^a sub-case's due 2026-12-08 cannot be after its parent's due 2026-12-07$",
        ):
            create(ctx, "late", parent=N1, due=date(2026, 12, 8))
        assert probe.fingerprint() == before

    def test_sub_case_of_a_sub_case_and_of_a_closed_case_are_refused(self, ctx: Context) -> None:
        create(ctx)
        create(ctx, "sub", parent=N1)
        with pytest.raises(ValidationError, match=r"^0000001-001 is a sub-case; sub-cases cannot"):
            create(ctx, "subsub", parent=CaseNumber(1, 1))
        create(ctx)
        close_case(ctx, "alice", N2, Resolution.SOLVED)
        with pytest.raises(ClosedCaseError, match=r"^cannot add a sub-case to 0000002: the case"):
            create(ctx, "late", parent=N2)

    def test_unknown_parent_user_group_and_actor_are_refused(self, ctx: Context) -> None:
        with pytest.raises(NotFoundError, match=r"^no case 0000009$"):
            create(ctx, parent=CaseNumber(9))
        with pytest.raises(NotFoundError, match=r"^unknown user 'zed'$"):
            create(ctx, user="zed")
        with pytest.raises(NotFoundError, match=r"^unknown group 'sales'$"):
            create(ctx, group="sales")
        with pytest.raises(NotFoundError, match=r"^unknown user 'zed'$"):
            create(ctx, actor="zed")
        assert create(ctx) == N1


class TestDelete:
    def test_agents_may_not_delete(self, ctx: Context, probe) -> None:
        create(ctx)
        before = probe.fingerprint()
        with pytest.raises(PermissionDeniedError, match=r"^only admin, lead may delete cases$"):
            delete_case(ctx, "alice", N1)
        assert probe.fingerprint() == before

    def test_lead_deletes_case_with_sub_cases_and_activities_and_it_is_logged(
        self,
        ctx: Context,
        clock,
    ) -> None:
        create(ctx, "Keep me")
        create(ctx, "Delete me")
        create(ctx, "sub one", parent=N2)
        create(ctx, "sub two", parent=N2)
        record_activity(ctx, "alice", CaseNumber(2, 1), ActivityKind.COMMENT, "note")
        clock.advance(hours=3)

        assert delete_case(ctx, "lena", N2) == 3

        for number in (N2, CaseNumber(2, 1), CaseNumber(2, 2)):
            with (
                ctx.uow(write=False) as uow,
                pytest.raises(NotFoundError, match=rf"^no case {number}$"),
            ):
                uow.cases.get(number)
            with open_reads(ctx.location) as reads, pytest.raises(NotFoundError):
                reads.case_detail(number)
        with ctx.uow(write=False) as uow:
            assert uow.cases.count() == 1
            remaining = uow.session.exec(select(ActivityRow)).all()
            assert {row.case_id for row in remaining} == {uow.cases.get(N1).id}
            [audit] = uow.session.exec(select(AuditRow)).all()
            assert audit.action == "case.delete"
            assert audit.subject == "0000002 Delete me"
            assert json.loads(audit.details) == {"number": "0000002", "sub_cases": 2}
            assert audit.actor_id == uow.directory.agent_id("lena")
            assert audit.at == clock.now

    def test_deleting_an_original_unlinks_its_duplicates(self, ctx: Context) -> None:
        create(ctx, "original")
        create(ctx, "copy")
        close_case(ctx, "alice", N2, Resolution.DUPLICATE, duplicate_of=N1)
        delete_case(ctx, "root", N1)
        with open_reads(ctx.location) as reads:
            summary = reads.case_detail(N2).case
        assert (summary.status, summary.resolution, summary.duplicate_of) == (
            "closed",
            "duplicate",
            None,
        )

    def test_unknown_case_is_refused(self, ctx: Context) -> None:
        with pytest.raises(NotFoundError, match=r"^no case 0000001$"):
            delete_case(ctx, "lena", N1)
