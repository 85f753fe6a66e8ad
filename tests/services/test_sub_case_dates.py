"""Due dates of sub-cases and their parent, edited through the services."""

from datetime import date

import pytest
from lifecycle_support import N1, SUB1, SUB2, create, detail

from helpdesk_tui.domain.enums import Resolution
from helpdesk_tui.domain.errors import ValidationError
from helpdesk_tui.services import cases as svc
from helpdesk_tui.services.context import Context


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
