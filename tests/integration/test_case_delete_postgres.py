"""CASE-9 on PostgreSQL: deleting a case that has mail removes everything hanging off it."""

from services.case_delete_support import assert_deleting_it_leaves_nothing

from helpdesk_tui.services.context import Context


def test_deleting_a_case_with_mail_on_postgresql(pg: Context) -> None:
    assert_deleting_it_leaves_nothing(pg)
