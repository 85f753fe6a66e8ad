"""Bulk inserts (storage/rows.py) on SQLite; tests/integration/test_postgres.py runs the
same checks on PostgreSQL."""

import rows_check

from helpdesk_tui.services.context import Context


def test_stores_what_the_orm_stores(ctx: Context) -> None:
    rows_check.stores_what_the_orm_stores(ctx)


def test_splits_into_statements_below_the_parameter_limit(ctx: Context) -> None:
    rows_check.splits_into_statements_below_the_parameter_limit(ctx)


def test_ignores_duplicates_when_asked(ctx: Context) -> None:
    rows_check.ignores_duplicates_when_asked(ctx)


def test_refuses_naive_timestamps(ctx: Context) -> None:
    rows_check.refuses_naive_timestamps(ctx)
