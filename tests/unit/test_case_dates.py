"""A case's due and reminder dates (CASE-4): policy defaults, reminder never after due."""

from datetime import UTC, date, datetime

import pytest
from case_rules_support import ALICE, LATER, POLICY, make_case

from helpdesk_tui.domain.case import Delegation, new_case
from helpdesk_tui.domain.dates import DateDefaults
from helpdesk_tui.domain.errors import ValidationError
from helpdesk_tui.domain.policy import Policy


# -- CASE-4: dates -----------------------------------------------------------------------
class TestDates:
    def test_default_due_is_14_and_reminder_7_days_after_today(self) -> None:
        late_evening = datetime(2026, 11, 23, 23, 59, tzinfo=UTC)
        case, _ = new_case(
            policy=POLICY,
            actor=ALICE,
            now=late_evening,
            subject="s",
            contact="c@x.example",
            delegation=Delegation(user="alice"),
        )
        assert case.due == date(2026, 12, 7)
        assert case.reminder == date(2026, 11, 30)

    def test_date_defaults_come_from_the_policy(self) -> None:
        case = make_case(policy=Policy(dates=DateDefaults(due_days=3, reminder_days=1)))
        assert (case.due, case.reminder) == (date(2026, 11, 26), date(2026, 11, 24))

    def test_default_reminder_never_lands_after_an_early_due(self) -> None:
        case = make_case(due=date(2026, 11, 25))
        assert case.reminder == date(2026, 11, 25)

    def test_reminder_after_due_is_refused_naming_both_dates(self) -> None:
        with pytest.raises(ValidationError, match=r"^reminder 2026-12-02 is after due 2026-12-01$"):
            make_case(due=date(2026, 12, 1), reminder=date(2026, 12, 2))

    def test_reminder_on_the_due_date_is_fine(self) -> None:
        case = make_case(due=date(2026, 12, 1), reminder=date(2026, 12, 1))
        assert case.reminder == case.due == date(2026, 12, 1)

    def test_edit_refuses_a_reminder_after_due(self) -> None:
        case = make_case()
        with pytest.raises(ValidationError, match=r"^reminder 2026-12-08 is after due 2026-12-07$"):
            case.edit(ALICE, LATER, POLICY, values={"reminder": date(2026, 12, 8)})
        assert case.reminder == date(2026, 11, 30)

    def test_edit_refuses_moving_due_before_the_reminder(self) -> None:
        case = make_case()
        with pytest.raises(ValidationError, match=r"^reminder 2026-11-30 is after due 2026-11-29$"):
            case.edit(ALICE, LATER, POLICY, values={"due": date(2026, 11, 29)})

    def test_edit_refuses_a_due_that_is_not_a_date(self) -> None:
        with pytest.raises(ValidationError, match=r"^not a date: '2026-12-10'$"):
            make_case().edit(ALICE, LATER, POLICY, values={"due": "2026-12-10"})
