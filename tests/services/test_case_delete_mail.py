"""Deleting a case that has mail (CASE-9, issue 10 found 11) removes its mails, their raw
bytes, outbox rows and notifications, and its sub-cases' ones, with it."""

from case_delete_support import assert_deleting_it_leaves_nothing

from helpdesk_tui.services.context import Context


def test_deleting_a_case_with_mail_removes_everything_that_hangs_off_it(ctx: Context) -> None:
    assert_deleting_it_leaves_nothing(ctx)
