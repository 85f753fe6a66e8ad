"""Keyset paging in every sort order, forwards, backwards and from the end (VIEW-1, TUI-2)."""

import itertools
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from support import Clock

from helpdesk_tui.domain.enums import Resolution
from helpdesk_tui.domain.numbering import CaseNumber
from helpdesk_tui.domain.query import view_query
from helpdesk_tui.services import cases
from helpdesk_tui.services.context import Context
from helpdesk_tui.services.people import AgentSpec, GroupSpec, sync_people
from helpdesk_tui.storage.location import locate
from helpdesk_tui.storage.reads import ReadStore, Sort, SortKey, open_reads

TODAY = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """23 cases with shuffled due dates and update times, 5 of them closed."""
    path = tmp_path_factory.mktemp("paging") / "hd.sqlite"
    clock = Clock(TODAY)
    ctx = Context(locate(str(path)), clock=clock)
    ctx.migrate()
    sync_people(
        ctx,
        [AgentSpec("alice")],
        [GroupSpec("billing", members=("alice",)), GroupSpec("technical", members=("alice",))],
    )
    for index in range(23):
        clock.now = TODAY + timedelta(minutes=(index * 7) % 23)
        due = TODAY.date() + timedelta(days=(index * 5) % 11)
        cases.create_case(
            ctx,
            "alice",
            subject=f"Fall {index}",
            contact="k@acme.de",
            group=("billing", "technical")[index % 2],
            due=due,
            reminder=TODAY.date(),
        )
    for main in (2, 9, 10, 17, 23):
        cases.close_case(ctx, "alice", CaseNumber(main), Resolution.SOLVED)
    ctx.dispose()
    return path


def _all(store: ReadStore, sort: Sort, view: str) -> list[CaseNumber]:
    rows = store.list_cases(view_query(view), me="alice", today=TODAY.date(), limit=1000, sort=sort)
    return [r.number for r in rows]


SORTS = [Sort(key, descending) for key, descending in itertools.product(SortKey, (False, True))]


@pytest.mark.parametrize(
    "sort", SORTS, ids=lambda s: f"{s.key}-{'desc' if s.descending else 'asc'}"
)
@pytest.mark.parametrize("view", ["open", "all", "groups"])
def test_pages_walk_the_whole_list_both_ways(db: Path, sort: Sort, view: str) -> None:
    with open_reads(locate(str(db))) as store:
        expected = _all(store, sort, view)
        assert len(expected) == (23 if view == "all" else 18)
        # the order really is the sort order
        rows = store.list_cases(
            view_query(view), me="alice", today=TODAY.date(), limit=1000, sort=sort
        )
        keys = [r.cursor_for(sort) for r in rows]
        assert keys == sorted(keys, reverse=sort.descending)

        forward, after = [], None
        while page := store.list_cases(
            view_query(view), me="alice", today=TODAY.date(), limit=4, sort=sort, after=after
        ):
            forward += [r.number for r in page]
            after = page[-1].cursor_for(sort)
        assert forward == expected

        last = store.list_cases(
            view_query(view), me="alice", today=TODAY.date(), limit=4, sort=sort, from_end=True
        )
        backward = [r.number for r in last]
        while page := store.list_cases(
            view_query(view),
            me="alice",
            today=TODAY.date(),
            limit=4,
            sort=sort,
            before=last[0].cursor_for(sort),
        ):
            backward = [r.number for r in page] + backward
            last = page
        assert backward == expected


def test_capped_counts(db: Path) -> None:
    with open_reads(locate(str(db))) as store:

        def count(view: str, cap: int = 9999) -> int:
            return store.count_cases(view_query(view), me="alice", today=TODAY.date(), cap=cap)

        assert (count("open"), count("closed"), count("all")) == (18, 5, 23)
        assert count("all", cap=10) == 11  # "10+": never reads past cap + 1 rows


def test_change_token_moves_when_another_connection_commits(db: Path, tmp_path: Path) -> None:
    copy = tmp_path / "copy.sqlite"
    copy.write_bytes(db.read_bytes())  # the module's database stays as the others expect
    db = copy
    with open_reads(locate(str(db))) as store:
        before = store.change_token()
        assert store.change_token() == before
        ctx = Context(locate(str(db)))
        cases.create_case(ctx, "alice", subject="Neu", contact="k@acme.de", group="billing")
        ctx.dispose()
        assert store.change_token() != before
