"""Shared by the case-lifecycle service tests: case numbers and create/read-back helpers
(on the test dir's import path: `from lifecycle_support import …`)."""

from helpdesk_tui.domain.numbering import CaseNumber
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
