"""Generated cases (bulk loader): numbering, invariants, and that every reader accepts them.

A small demo is seeded through the services first, so generated rows land next to rows
the ORM wrote and must look exactly like them to SQL, the read store and the services.
"""

import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import pytest

from helpdesk_tui.domain.enums import Priority, Resolution, Status
from helpdesk_tui.domain.numbering import CaseNumber
from helpdesk_tui.domain.query import parse_query, view_query
from helpdesk_tui.services import cases as svc
from helpdesk_tui.services.context import Context
from helpdesk_tui.services.demo import generate_cases, seed_demo
from helpdesk_tui.storage import bulk, replay
from helpdesk_tui.storage.location import locate
from helpdesk_tui.storage.reads import open_reads

N = 2000


@dataclass(frozen=True)
class Loaded:
    ctx: Context
    before: replay.TableCounts
    after: replay.TableCounts
    max_before: int
    progress: list[int]


def counts(ctx: Context) -> replay.TableCounts:
    with ctx.uow(write=False) as uow:
        return replay.table_counts(uow)


def max_number(path: Path) -> int:
    with sqlite3.connect(path) as db:
        return int(db.execute("SELECT max(number) FROM cases").fetchone()[0])


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Loaded]:
    ctx = Context(locate(str(tmp_path_factory.mktemp("bulk") / "hd.sqlite")))
    seed_demo(ctx, cases=60)
    before = counts(ctx)
    max_before = max_number(ctx.location.sqlite_path)
    progress: list[int] = []
    assert generate_cases(ctx, N, progress=progress.append) == N
    yield Loaded(ctx, before, counts(ctx), max_before, progress)
    ctx.dispose()


@pytest.fixture(scope="module")
def db(loaded: Loaded) -> Iterator[sqlite3.Connection]:
    connection = sqlite3.connect(loaded.ctx.location.sqlite_path)
    yield connection
    connection.close()


GENERATED = "number > ?"


def test_exactly_n_cases_with_one_created_activity_each(
    loaded: Loaded, db: sqlite3.Connection
) -> None:
    assert loaded.after.cases == loaded.before.cases + N
    assert loaded.after.activities == loaded.before.activities + N
    assert loaded.progress[-1] == N
    rows = db.execute(
        "SELECT count(*), sum(a.kind = 'created'), sum(a.at = c.created_at),"
        " sum(a.text = c.subject), sum(a.actor_id = c.initiator_id)"
        " FROM cases c JOIN activities a ON a.case_id = c.id WHERE c.number > ?",
        (loaded.max_before,),
    ).fetchone()
    assert rows == (N, N, N, N, N)


def test_numbers_continue_and_the_next_create_follows(
    loaded: Loaded, db: sqlite3.Connection
) -> None:
    numbers = [n for (n,) in db.execute(
        "SELECT number FROM cases WHERE number > ? ORDER BY number", (loaded.max_before,)
    )]  # fmt: skip
    assert numbers == list(range(loaded.max_before + 1, loaded.max_before + N + 1))
    assert db.execute(
        "SELECT count(*) FROM (SELECT number, sub_number FROM cases"
        " GROUP BY number, sub_number HAVING count(*) > 1)"
    ).fetchone() == (0,)
    with sqlite3.connect(loaded.ctx.location.sqlite_path) as fresh:
        counter = fresh.execute("SELECT value FROM counters WHERE name = 'case'").fetchone()[0]
    assert counter == loaded.max_before + N


def test_every_row_keeps_the_domain_invariants(loaded: Loaded, db: sqlite3.Connection) -> None:
    rows = db.execute(
        "SELECT c.status, c.priority, c.type, c.resolution, c.duplicate_of_id,"
        " c.delegated_user_id, c.delegated_group_id, c.due, c.reminder,"
        " c.created_at, c.updated_at, c.version, c.sub_number, c.parent_id, c.custom"
        " FROM cases c WHERE c.number > ?",
        (loaded.max_before,),
    ).fetchall()
    assert len(rows) == N
    today = loaded.ctx.today()
    statuses = {s.value for s in Status}
    for (status, priority, type_key, resolution, duplicate_of, user, group, due, reminder,
         created, updated, version, sub, parent, custom) in rows:  # fmt: skip
        assert status in statuses
        assert priority in {p.value for p in Priority}
        assert type_key in {"general", "ticket", "complaint"}
        assert (user is None) != (group is None)
        assert reminder is not None
        assert reminder <= due
        assert (status == "closed") == (resolution is not None)
        if resolution is not None:
            assert resolution in {r.value for r in Resolution}
        assert (resolution == "duplicate") == (duplicate_of is not None)
        created_at = datetime.fromisoformat(created)
        assert created_at.tzinfo is None
        assert created <= updated
        assert date.fromisoformat(due) > created_at.date()
        assert date.fromisoformat(due) <= date.fromordinal(today.toordinal() + 30)
        assert version >= 1
        assert sub == 0
        assert parent is None
        assert custom == "{}"
    share = sum(1 for r in rows if r[0] == "closed") / N
    assert 0.6 < share < 0.8
    assert {r[0] for r in rows} == {"open", "in_progress", "waiting", "closed"}
    assert any(r[6] for r in rows if r[0] == "open")  # some sit in a group queue
    assert db.execute(
        "SELECT count(*) FROM cases c JOIN cases o ON o.id = c.duplicate_of_id"
        " WHERE c.number > ? AND o.id != c.id",
        (loaded.max_before,),
    ).fetchone()[0] == sum(1 for r in rows if r[3] == "duplicate")


def test_references_point_at_real_rows(loaded: Loaded, db: sqlite3.Connection) -> None:
    assert db.execute("PRAGMA foreign_key_check").fetchall() == []
    assert (
        db.execute(
            "SELECT count(*) FROM cases c JOIN contacts ct ON ct.id = c.contact_id"
            " WHERE c.number > ? AND c.account_id IS ct.account_id",
            (loaded.max_before,),
        ).fetchone()[0]
        == N
    )


def test_lists_detail_and_services_accept_generated_cases(
    loaded: Loaded, db: sqlite3.Connection
) -> None:
    ctx, today = loaded.ctx, loaded.ctx.today()
    generated = range(loaded.max_before + 1, loaded.max_before + N + 1)
    with open_reads(ctx.location) as reads:
        for view in ("open", "closed", "overdue", "waiting", "unassigned", "all"):
            page = reads.list_cases(view_query(view), me="alice", today=today, limit=2000)
            assert any(c.number.main in generated for c in page), view
        first = CaseNumber(loaded.max_before + 1)
        detail = reads.case_detail(first)
        assert [a.kind for a in detail.activities] == ["created"]
        assert detail.case.created_at.tzinfo is not None
    # The ORM and the rules read the same rows: pull one from a queue, close another.
    queued = db.execute(
        "SELECT number FROM cases WHERE number > ? AND status = 'open'"
        " AND delegated_group_id = (SELECT id FROM groups WHERE name = 'first-level') LIMIT 1",
        (loaded.max_before,),
    ).fetchone()[0]
    result = svc.assign_to_me(ctx, "carla", CaseNumber(queued))
    assert result.changed
    assert result.delegation.user == "carla"
    svc.close_case(ctx, "carla", CaseNumber(queued), Resolution.SOLVED, comment="done")
    with ctx.uow(write=False) as uow:
        case = uow.cases.get(CaseNumber(queued))
    assert case.status is Status.CLOSED
    assert case.version >= 3
    nxt = svc.create_case(ctx, "carla", subject="after the load", contact="a@b.example",
                          group="billing")  # fmt: skip
    assert nxt == CaseNumber(loaded.max_before + N + 1)


def schema(path: Path) -> dict[str, str]:
    with sqlite3.connect(path) as fresh:
        return dict(
            fresh.execute(
                "SELECT name, sql FROM sqlite_master WHERE type IN ('index', 'trigger')"
                " AND sql IS NOT NULL"
            ).fetchall()
        )


def test_large_load_rebuilds_indexes_and_search(
    loaded: Loaded, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = loaded.ctx.location.sqlite_path
    before_schema = schema(path)
    assert "case_search_insert" in before_schema  # migration 0002's full-text trigger
    monkeypatch.setattr(bulk, "REINDEX_THRESHOLD", 100)
    before = counts(loaded.ctx).cases
    assert generate_cases(loaded.ctx, 500, seed=3) == 500
    assert counts(loaded.ctx).cases == before + 500
    assert schema(path) == before_schema  # every index and trigger is back, unchanged
    with sqlite3.connect(path) as fresh:
        plan = fresh.execute(
            "EXPLAIN QUERY PLAN SELECT number FROM cases WHERE status != 'closed'"
            " ORDER BY due, number, sub_number LIMIT 5"
        ).fetchall()
        indexed = fresh.execute("SELECT count(*) FROM case_search").fetchone()[0]
        last = fresh.execute("SELECT max(number), subject FROM cases").fetchone()
    assert "ix_cases_open_due" in str(plan)
    assert indexed == counts(loaded.ctx).cases  # the new cases were indexed for search
    word = max(last[1].split(), key=len)
    with open_reads(loaded.ctx.location) as reads:
        found = reads.list_cases(
            parse_query(f'"{word}"'), me="alice", today=loaded.ctx.today(), limit=500
        )
    assert any(c.number.main > last[0] - 500 for c in found)


def test_nothing_to_generate(loaded: Loaded) -> None:
    assert generate_cases(loaded.ctx, 0) == 0
