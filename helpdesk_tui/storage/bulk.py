"""Generated cases in bulk, for `helpdesk demo --cases N` and the benchmarks.

The unit of work and the case repository write one case at a time through the ORM, which
is right for agents and far too slow for a million rows. `BulkLoad` writes generated
cases (and one `created` activity each) on its own connection, in batches of
INSERT … SELECT that compose the rows in the database from a few thousand case shapes.

Row values obey the same invariants as the domain (`domain/case.py`): a case is delegated
to a user xor a group, reminder ≤ due, closed ⇔ resolution, a duplicate names its
original. `tests/services/test_bulk.py` checks them on the stored rows.
"""

import random
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Self

from sqlalchemy import Connection, event, select, update
from sqlmodel import col

from helpdesk_tui.domain.closing import Closing
from helpdesk_tui.domain.enums import Priority, Resolution, Status
from helpdesk_tui.domain.errors import ValidationError
from helpdesk_tui.storage.bulk_sql import (
    DAY_TABLE,
    VARIANT_TABLE,
    VARIANTS,
    SqlDialect,
    activity_sql,
    case_sql,
)
from helpdesk_tui.storage.cases import CASE_COUNTER
from helpdesk_tui.storage.engine import WRITE, make_engine
from helpdesk_tui.storage.location import DatabaseLocation
from helpdesk_tui.storage.search import CASE_KEY
from helpdesk_tui.storage.tables import (
    AgentRow,
    ContactRow,
    CounterRow,
    GroupRow,
    MembershipRow,
)

#: Below this many rows, dropping and rebuilding the secondary indexes costs more than it saves.
REINDEX_THRESHOLD = 100_000
BATCH_SIZE = 50_000
#: The full-text trigger (migration 0002) a large load sets aside; see `_index_for_search`.
SEARCH_INSERT_TRIGGER = "case_search_insert"


@dataclass(frozen=True)
class SubjectTemplate:
    """A subject to generate cases from; `{n}` in `text` becomes a random number."""

    text: str
    group: str
    type: str
    priority: Priority
    language: str | None = None


@dataclass(frozen=True)
class GenerationSpec:
    """What generated cases look like: the service decides, the loader only obeys.

    Cases are created in number order, evenly over the last `past_days` days (numbers
    grow with time, as real ones do).
    Within the last `recent_days` only `recent_closed_share` are closed; the older ones
    are closed so often that `closed_share` holds overall, the rest is the overdue backlog.
    Due dates fall 1 to `due_days` days after creation, so they reach into the future.
    """

    templates: tuple[SubjectTemplate, ...]
    today: date
    past_days: int = 730
    recent_days: int = 30
    due_days: int = 30
    closed_share: float = 0.70
    recent_closed_share: float = 0.35
    #: Shares of the cases that are not closed (they sum to 1).
    open_mix: tuple[tuple[Status, float], ...] = (
        (Status.OPEN, 0.45),
        (Status.IN_PROGRESS, 0.30),
        (Status.WAITING, 0.25),
    )
    resolutions: tuple[tuple[Resolution, float], ...] = (
        (Resolution.SOLVED, 0.85),
        (Resolution.DEFERRED, 0.10),
        (Resolution.DUPLICATE, 0.05),
    )
    #: Share of open (not in progress, not waiting) cases that sit in a group queue.
    unassigned_share: float = 0.6
    #: Share of closed cases that were last delegated to a group.
    closed_group_share: float = 0.05


@dataclass(frozen=True)
class _Pools:
    """What variants are drawn from: per subject template its group, crew and contacts."""

    templates: list[tuple[str, str | None, str, str, str, tuple[str, ...], tuple[Any, ...]]]


def _pools(connection: Connection, spec: GenerationSpec) -> _Pools:
    def hexes(value: uuid.UUID | None) -> str | None:
        return None if value is None else value.hex

    agents: dict[str, uuid.UUID] = dict(
        connection.execute(select(col(AgentRow.username), col(AgentRow.id))).all()
    )
    groups: dict[str, uuid.UUID] = dict(
        connection.execute(select(col(GroupRow.name), col(GroupRow.id))).all()
    )
    members: dict[uuid.UUID, list[uuid.UUID]] = {}
    for group_id, agent_id in connection.execute(
        select(col(MembershipRow.group_id), col(MembershipRow.agent_id))
    ).all():
        members.setdefault(group_id, []).append(agent_id)
    contacts: dict[str | None, list[tuple[str | None, str | None]]] = {}
    for contact_id, account_id, language in connection.execute(
        select(col(ContactRow.id), col(ContactRow.account_id), col(ContactRow.language))
    ).all():
        entry = (hexes(contact_id), hexes(account_id))
        contacts.setdefault(language, []).append(entry)
        contacts.setdefault(None, []).append(entry)
    if not agents or not groups or not contacts:
        raise ValidationError("generating cases needs agents, groups and contacts first")
    every_agent = tuple(str(hexes(a)) for a in agents.values())
    templates = []
    for template in spec.templates:
        found = groups.get(template.group)
        if found is None:
            continue
        pre, marker, post = template.text.partition("{n}")
        crew = tuple(str(hexes(a)) for a in members.get(found, ())) or every_agent
        people = tuple(contacts.get(template.language) or contacts[None])
        templates.append(
            (pre, post if marker else None, template.type, template.priority.value,
             str(hexes(found)), crew, people)
        )  # fmt: skip
    if not templates:
        raise ValidationError("no subject template names a known group")
    return _Pools(templates)


def _pick(rng: random.Random, weighted: Sequence[tuple[Any, float]]) -> Any:
    return rng.choices([value for value, _ in weighted], [w for _, w in weighted])[0]


def _closed_shares(spec: GenerationSpec) -> tuple[float, float]:
    """Share of closed cases among the older and among the recent ones."""
    recent = min(1.0, spec.recent_days / spec.past_days)
    older = (spec.closed_share - recent * spec.recent_closed_share) / max(1e-9, 1 - recent)
    return min(1.0, max(0.0, older)), spec.recent_closed_share


def _variants(spec: GenerationSpec, pools: _Pools, rng: random.Random) -> list[tuple[Any, ...]]:
    """Two pools of VARIANTS case shapes: keys 0… for older cases, VARIANTS… for recent.

    A shape is everything about a generated case but its id, number and creation day:
    subject, type, priority, status and resolution, contact, delegation, initiator, and
    the due / reminder / last-change offsets in days from creation. The invariants hold
    per shape: user xor group, reminder offset ≤ due offset, closed ⇔ resolution.
    """
    shapes = []
    for pool, closed_share in enumerate(_closed_shares(spec)):
        for k in range(VARIANTS):
            pre, post, type_key, priority, group_id, crew, people = rng.choice(pools.templates)
            contact_id, account_id = rng.choice(people)
            user: str | None = rng.choice(crew)
            group: str | None = None
            due_offset = rng.randint(1, spec.due_days)
            reminder_offset = min(7, due_offset)
            updated_offset = 0
            resolution: str | None = None
            if rng.random() < closed_share:
                status, version = Status.CLOSED, 3
                resolution = _pick(rng, spec.resolutions).value
                if rng.random() < spec.closed_group_share:
                    user, group = None, group_id
                updated_offset = rng.randint(0, due_offset + 3)
            else:
                status = _pick(rng, spec.open_mix)
                version = {Status.OPEN: 1, Status.IN_PROGRESS: 2}.get(status, 3)
                if status is Status.OPEN and rng.random() < spec.unassigned_share:
                    user, group = None, group_id
                if status is Status.WAITING:
                    reminder_offset = rng.randint(0, due_offset)
            subject = pre if post is None else f"{pre}{rng.randint(10_000, 99_999)}{post}"
            created = _time_of_day(rng)
            updated = created if updated_offset == 0 else _time_of_day(rng)
            shapes.append(
                (pool * VARIANTS + k, subject, type_key, status.value, priority, contact_id,
                 account_id, user, group, rng.choice(crew), resolution, version, due_offset,
                 reminder_offset, updated_offset, created, updated)
            )  # fmt: skip
    return shapes


def _time_of_day(rng: random.Random) -> str:
    """Office hours, mostly: 07:00–19:00 with a thin tail through the night."""
    hour = rng.randint(7, 18) if rng.random() < 0.93 else rng.randint(0, 23)
    minute, second, micro = rng.randrange(60), rng.randrange(60), rng.randrange(10**6)
    return f"{hour:02d}:{minute:02d}:{second:02d}.{micro:06d}"


class BulkLoad(Closing):
    """One write transaction on its own connection, tuned for loading many rows.

    `with BulkLoad(location, rows=n) as load: ...; load.commit()` — like a unit of work,
    anything not committed is rolled back, and the service decides when to commit.
    """

    def __init__(self, location: DatabaseLocation, *, rows: int = 0) -> None:
        self._engine = make_engine(location)
        if location.is_sqlite:
            # SQLite seam, for this connection only. The load is demo/benchmark data:
            # synchronous=OFF skips the fsyncs of the big commit and checkpoint (an OS
            # crash mid-load may lose the load; WAL keeps what was committed before);
            # a page cache that holds the new pages keeps them from spilling into the
            # WAL twice; temporary tables and index sorts stay in memory; foreign keys
            # are not re-checked row by row because every id the loader writes was
            # read from the same database in the same transaction.
            cache_kib = min(2_000_000, max(64_000, rows * 2))
            event.listen(self._engine, "connect", _bulk_pragmas(cache_kib))
        self._connection: Connection | None = None
        self._committed = False

    def __enter__(self) -> Self:
        self._connection = self._engine.execution_options(**{WRITE: True}).connect()
        self._connection.begin()
        return self

    def close(self) -> None:
        """Roll back what is not committed, and close the connection and its engine."""
        if self._connection is not None:
            if not self._committed:
                self._connection.rollback()
            self._connection.close()
            self._connection = None
        self._engine.dispose()

    @property
    def connection(self) -> Connection:
        """The connection of the load (inside the `with` block only)."""
        assert self._connection is not None, "use the bulk load in a with block"
        return self._connection

    def commit(self) -> None:
        """Make the load durable, at once."""
        self.connection.commit()
        self._committed = True

    def insert_generated_cases(
        self,
        spec: GenerationSpec,
        count: int,
        *,
        seed: int = 11,
        progress: Callable[[int], None] | None = None,
        batch_size: int = BATCH_SIZE,
    ) -> tuple[int, int]:
        """Insert `count` generated cases with a `created` activity each; (first, last) number.

        The numbers come from the `case` counter, advanced once by `count` in this same
        transaction, so a case created afterwards continues after them (CASE-3).

        How (measured on the reference machine, 300k cases): Python builds 2 × VARIANTS
        case shapes and the calendar into temporary tables (executemany, a few thousand
        rows); each batch is then one INSERT … SELECT that composes the rows in the
        database, and one more for the activities. That is twice as fast as building every
        row in Python and sending it through executemany (driver-level; Core's
        `insert()` with type processing was slower still): per-row Python work and
        parameter binding were half the cost.
        For a large load (≥ REINDEX_THRESHOLD rows) the secondary indexes of `cases` and
        `activities` are dropped first and rebuilt at the end, inside the transaction:
        building an index from the finished table sorts once, instead of a million random
        inserts into it; a failed load rolls back to the old indexes. Likewise on SQLite
        the full-text trigger on new cases is set aside and the new cases are indexed in
        one statement (`_index_for_search`).
        """
        if count <= 0:
            return (0, 0)
        connection = self.connection
        d = SqlDialect(connection)
        rng = random.Random(seed)
        pools = _pools(connection, spec)
        last = connection.execute(
            update(CounterRow)
            .where(col(CounterRow.name) == CASE_COUNTER)
            .values(value=CounterRow.value + count)
            .returning(col(CounterRow.value))
        ).scalar_one()
        first = last - count + 1
        self._prepare(d, spec, _variants(spec, pools, rng))
        dropped: list[tuple[str, str]] = []
        search_trigger: list[tuple[str, str]] = []
        if count >= REINDEX_THRESHOLD:
            dropped = _secondary_indexes(connection, "cases") + _secondary_indexes(
                connection, "activities"
            )
            for name, _ in dropped:
                connection.exec_driver_sql(f"DROP INDEX {name}")
            search_trigger = _search_trigger(connection)
            for name, _ in search_trigger:
                connection.exec_driver_sql(f"DROP TRIGGER {name}")
        cases_sql, activities_sql = case_sql(d), activity_sql(d)
        fixed = {
            "past": spec.past_days,
            "total": count,
            "recent_from": spec.past_days - spec.recent_days,
        }
        done = 0
        while done < count:
            size = min(batch_size, count - done)
            low = first + done
            connection.exec_driver_sql(
                cases_sql, {**fixed, "offset": done, "size": size, "first": low}
            )
            connection.exec_driver_sql(activities_sql, {"size": size, "first": low})
            done += size
            if progress is not None:
                progress(done)
        for _, definition in search_trigger:
            _index_for_search(connection, first, last)
            connection.exec_driver_sql(definition)
        for _, definition in dropped:
            connection.exec_driver_sql(definition)
        connection.exec_driver_sql("DROP TABLE hd_variant")
        connection.exec_driver_sql("DROP TABLE hd_day")
        return (first, last)

    def _prepare(self, d: SqlDialect, spec: GenerationSpec, shapes: list[tuple[Any, ...]]) -> None:
        connection = self.connection
        connection.exec_driver_sql(VARIANT_TABLE)
        connection.exec_driver_sql(DAY_TABLE)
        names = ("k", "subject", "type", "status", "priority", "contact_id", "account_id",
                 "user_id", "group_id", "initiator_id", "resolution", "version", "due_offset",
                 "reminder_offset", "updated_offset", "created_time", "updated_time")  # fmt: skip
        marks = ", ".join(d.param(name) for name in names)
        connection.exec_driver_sql(
            f"INSERT INTO hd_variant ({', '.join(names)}) VALUES ({marks})",
            [dict(zip(names, shape, strict=True)) for shape in shapes],
        )
        start = spec.today - timedelta(days=spec.past_days)
        connection.exec_driver_sql(
            f"INSERT INTO hd_day (k, iso) VALUES ({d.param('k')}, {d.param('iso')})",
            [
                {"k": k, "iso": (start + timedelta(days=k)).isoformat()}
                for k in range(spec.past_days + spec.due_days + 8)
            ],
        )


def _bulk_pragmas(cache_kib: int) -> Callable[[Any, Any], None]:
    def apply(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA synchronous=OFF")
        cursor.execute(f"PRAGMA cache_size=-{cache_kib}")
        cursor.execute("PRAGMA temp_store=MEMORY")
        cursor.execute("PRAGMA foreign_keys=OFF")
        cursor.execute("PRAGMA threads=2")  # index builds may sort on a second core
        cursor.close()

    return apply


def _search_trigger(connection: Connection) -> list[tuple[str, str]]:
    """The full-text trigger that indexes each new case (SQLite only), as (name, DDL)."""
    if connection.dialect.name != "sqlite":
        return []
    rows = connection.exec_driver_sql(
        "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND name = ?",
        (SEARCH_INSERT_TRIGGER,),
    ).all()
    return [(str(name), str(definition)) for name, definition in rows]


def _index_for_search(connection: Connection, first: int, last: int) -> None:
    """What the insert trigger does, for all generated cases at once (FTS5 takes a bulk
    insert faster than a million trigger runs). Their only activity is `created`, which
    the notes trigger skips, so their notes are empty."""
    connection.exec_driver_sql(
        f"INSERT INTO case_search (rowid, subject, description, notes)"
        f" SELECT {CASE_KEY}, c.subject, c.description, '' FROM cases c"
        " WHERE c.number BETWEEN ? AND ? AND c.sub_number = 0",
        (first, last),
    )


def _secondary_indexes(connection: Connection, table: str) -> list[tuple[str, str]]:
    """(name, CREATE INDEX statement) of the indexes a table has beyond its constraints.

    Read from the database itself, so they are rebuilt exactly as the migrations made
    them; indexes behind primary keys and unique constraints stay in place.
    """
    if connection.dialect.name == "sqlite":
        rows = connection.exec_driver_sql(
            "SELECT name, sql FROM sqlite_master"
            " WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL ORDER BY name",
            (table,),
        ).all()
    else:
        rows = connection.exec_driver_sql(
            "SELECT i.relname, pg_get_indexdef(i.oid) FROM pg_index x"
            " JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid"
            " WHERE t.relname = %(table)s AND NOT x.indisprimary AND NOT x.indisunique"
            " ORDER BY i.relname",
            {"table": table},
        ).all()
    return [(str(name), str(definition)) for name, definition in rows]
