"""Bulk writes for demo data and benchmarks: directory rows, counts, and generated cases.

The unit of work and the case repository write one case at a time through the ORM, which
is right for agents and far too slow for a million rows. `insert_generated_cases` writes
cases (and one `created` activity each) straight through the connection of a unit of
work, in batches, with values already in the form the column types would bind.

Row values obey the same invariants as the domain (`domain/case.py`): a case is delegated
to a user xor a group, reminder ≤ due, closed ⇔ resolution, a duplicate names its
original. `tests/services/test_bulk.py` checks them on the stored rows.
"""

import os
import random
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from types import TracebackType
from typing import Any, Self

from sqlalchemy import Connection, Engine, create_engine, event, func, select, update
from sqlalchemy.pool import StaticPool
from sqlmodel import Session, col

from helpdesk_tui.domain.case import Actor
from helpdesk_tui.domain.enums import Priority, Resolution, Status
from helpdesk_tui.storage.cases import CASE_COUNTER, CaseRepository
from helpdesk_tui.storage.directory import Directory
from helpdesk_tui.storage.engine import WRITE, _sqlite_begin, _sqlite_connect, make_engine
from helpdesk_tui.storage.location import BUSY_TIMEOUT_MS, DatabaseLocation
from helpdesk_tui.storage.tables import (
    AccountRow,
    ActivityRow,
    AgentRow,
    CaseRow,
    ContactRow,
    CounterRow,
    GroupRow,
    MembershipRow,
)
from helpdesk_tui.storage.uow import UnitOfWork

#: Below this many rows, dropping and rebuilding the secondary indexes costs more than it saves.
REINDEX_THRESHOLD = 100_000
BATCH_SIZE = 50_000


def pooled_engine(location: DatabaseLocation) -> Engine:
    """An engine whose units of work reuse one SQLite connection (demo seeding only).

    `make_engine` opens and closes a connection per unit of work (NullPool), so that a
    second process never waits on a pooled idle connection. Closing the last connection
    of a WAL database checkpoints it, which costs milliseconds per service call: fine for
    an agent, not for replaying hundreds of case lives. Same pragmas, same BEGIN IMMEDIATE.
    """
    if not location.is_sqlite:
        return make_engine(location)
    location.sqlite_path.parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(
        location.url,
        connect_args={
            "timeout": BUSY_TIMEOUT_MS / 1000,
            "isolation_level": None,
            "check_same_thread": False,
        },
        poolclass=StaticPool,
    )
    event.listen(engine, "connect", _sqlite_connect)
    event.listen(engine, "begin", _sqlite_begin)
    return engine


class DirectoryCache:
    """Directory lookups shared by all units of work of one demo replay.

    A replay makes over a thousand service calls, and each unit of work would reload
    agents, groups, memberships, contacts and accounts that the replay never changes:
    about half the cost of a call. Only found rows are cached (as detached copies), so a
    contact created during the replay is looked up in the database until it exists.
    Never use this where another writer may change the directory meanwhile.
    """

    def __init__(self) -> None:
        self.agents: dict[str, AgentRow] | None = None
        self.groups: dict[str, GroupRow] | None = None
        self.actors: dict[str, Actor] = {}
        self.contacts: dict[str, ContactRow] = {}
        self.contact_emails: dict[uuid.UUID, str] = {}
        self.account_names: dict[uuid.UUID, str | None] = {}
        self.account_ids: dict[str, uuid.UUID] = {}


class _CachedDirectory(Directory):
    """A Directory that answers repeated lookups from a DirectoryCache."""

    def __init__(self, session: Session, cache: DirectoryCache) -> None:
        super().__init__(session)
        self._cache = cache

    def agents(self) -> dict[str, AgentRow]:
        if self._cache.agents is None:
            rows = super().agents()
            for row in rows.values():
                self._session.expunge(row)
            self._cache.agents = rows
        return self._cache.agents

    def groups(self) -> dict[str, GroupRow]:
        if self._cache.groups is None:
            rows = super().groups()
            for row in rows.values():
                self._session.expunge(row)
            self._cache.groups = rows
        return self._cache.groups

    def actor(self, username: str) -> Actor:
        key = username.strip().lower()
        if key not in self._cache.actors:
            self._cache.actors[key] = super().actor(username)
        return self._cache.actors[key]

    def contact(self, email: str) -> ContactRow | None:
        key = email.strip().lower()
        row = self._cache.contacts.get(key)
        if row is None:
            row = super().contact(email)
            if row is not None:
                self._session.expunge(row)
                self._cache.contacts[key] = row
        return row

    def account_name(self, account_id: uuid.UUID | None) -> str | None:
        if account_id is None:
            return None
        if account_id not in self._cache.account_names:
            self._cache.account_names[account_id] = super().account_name(account_id)
        return self._cache.account_names[account_id]

    def account_id(self, name: str) -> uuid.UUID:
        if name not in self._cache.account_ids:
            self._cache.account_ids[name] = super().account_id(name)
        return self._cache.account_ids[name]

    def contact_email(self, contact_id: uuid.UUID) -> str:
        if contact_id not in self._cache.contact_emails:
            self._cache.contact_emails[contact_id] = super().contact_email(contact_id)
        return self._cache.contact_emails[contact_id]


class ReplayUnitOfWork(UnitOfWork):
    """A unit of work whose directory lookups come from a shared DirectoryCache."""

    def __init__(self, engine: Engine, cache: DirectoryCache, *, write: bool = True) -> None:
        super().__init__(engine, write=write)
        self._cache = cache

    def __enter__(self) -> Self:
        super().__enter__()
        self.directory = _CachedDirectory(self.session, self._cache)
        self.cases = CaseRepository(self.session, self.directory)
        return self


# -- accounts and contacts -------------------------------------------------------------
@dataclass(frozen=True)
class AccountData:
    """A customer organisation to load."""

    name: str
    domain: str | None = None


@dataclass(frozen=True)
class ContactData:
    """A contact to load; `account` is an account's name."""

    email: str
    name: str = ""
    phone: str | None = None
    language: str | None = None
    account: str | None = None


def insert_accounts_contacts(
    uow: UnitOfWork, accounts: Iterable[AccountData], contacts: Iterable[ContactData]
) -> tuple[int, int]:
    """Add accounts and contacts not yet present (by name / e-mail); returns how many."""
    session = uow.session
    known = {row.name: row for row in session.execute(select(AccountRow)).scalars()}
    added_accounts = 0
    for account in accounts:
        if account.name not in known:
            row = AccountRow(name=account.name, domain=account.domain)
            session.add(row)
            known[account.name] = row
            added_accounts += 1
    session.flush()
    emails = set(session.execute(select(ContactRow.email)).scalars())
    added_contacts = 0
    for contact in contacts:
        email = contact.email.strip().lower()
        if email in emails:
            continue
        account_row = known.get(contact.account) if contact.account else None
        session.add(
            ContactRow(
                email=email,
                name=contact.name,
                phone=contact.phone,
                language=contact.language,
                account_id=account_row.id if account_row else None,
            )
        )
        emails.add(email)
        added_contacts += 1
    session.flush()
    return added_accounts, added_contacts


# -- counts ------------------------------------------------------------------------------
@dataclass(frozen=True)
class TableCounts:
    """How many rows of each kind a database holds (demo summaries, benchmarks)."""

    by_status: dict[str, int]
    cases: int
    sub_cases: int
    activities: int
    agents: int
    groups: int
    accounts: int
    contacts: int


def table_counts(uow: UnitOfWork) -> TableCounts:
    """Count cases per status, sub-cases and directory rows (a few aggregate queries)."""
    session = uow.session

    def count(table: Any) -> int:
        return int(session.execute(select(func.count()).select_from(table)).scalar_one())

    by_status = {
        str(status): int(n)
        for status, n in session.execute(
            select(CaseRow.status, func.count()).group_by(col(CaseRow.status))
        ).all()
    }
    sub_cases = int(
        session.execute(
            select(func.count()).select_from(CaseRow).where(col(CaseRow.sub_number) > 0)
        ).scalar_one()
    )
    return TableCounts(
        by_status={s.value: by_status.get(s.value, 0) for s in Status},
        cases=sum(by_status.values()),
        sub_cases=sub_cases,
        activities=count(ActivityRow),
        agents=count(AgentRow),
        groups=count(GroupRow),
        accounts=count(AccountRow),
        contacts=count(ContactRow),
    )


# -- generated cases -----------------------------------------------------------------------
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

    Cases are created in number order, evenly over the last `past_days` days (so numbers
    grow with time, as real ones do, and every index is appended to near its end).
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


#: Columns of a generated case; None = bound per row, else the SQL literal every row gets.
_CASE_COLUMNS: tuple[tuple[str, str | None], ...] = (
    ("id", None), ("number", None), ("sub_number", "0"), ("sub_seq", "0"),
    ("parent_id", "NULL"), ("subject", None), ("type", None), ("status", None),
    ("priority", None), ("description", "''"), ("contact_id", None), ("account_id", None),
    ("delegated_user_id", None), ("delegated_group_id", None), ("owner_id", "NULL"),
    ("initiator_id", None), ("due", None), ("reminder", None), ("resolution", None),
    ("duplicate_of_id", None), ("custom", "'{}'"), ("created_at", None),
    ("updated_at", None), ("version", None),
)  # fmt: skip
_ACTIVITY_COLUMNS: tuple[tuple[str, str | None], ...] = (
    ("id", None), ("case_id", None), ("kind", "'created'"), ("actor_id", None),
    ("at", None), ("internal", "TRUE"), ("text", None), ("changes", "'{}'"),
    ("time_spent_centi", "NULL"),
)  # fmt: skip


class _Binding:
    """How this dialect receives values on a driver-level executemany (the one seam).

    Text in the forms the column types bind on SQLite: UUIDs as 32 hex digits
    (SQLAlchemy's `Uuid`), dates ISO, timestamps naive UTC `YYYY-MM-DD HH:MM:SS.ffffff`
    (`UTCDateTime`), so reads parse generated and ORM-written rows alike. PostgreSQL
    parses the same text for `uuid` and `date`; its `timestamptz` values get an explicit
    `+00:00` so the session's time zone cannot shift them.
    """

    def __init__(self, connection: Connection) -> None:
        dialect = connection.dialect
        self.sqlite = dialect.name == "sqlite"
        self.ts_suffix = "" if self.sqlite else "+00:00"
        self.mark = "?" if dialect.paramstyle == "qmark" else "%s"

    @staticmethod
    def uuid(value: uuid.UUID | None) -> str | None:
        return None if value is None else value.hex

    def insert_sql(self, table: str, columns: Sequence[tuple[str, str | None]]) -> str:
        names = ", ".join(name for name, _ in columns)
        values = ", ".join(self.mark if literal is None else literal for _, literal in columns)
        return f"INSERT INTO {table} ({names}) VALUES ({values})"


_Template = tuple[str, str | None, str, str, str, tuple[str, ...], tuple[tuple[Any, Any], ...]]


@dataclass(frozen=True)
class _Pools:
    """Everything a row is drawn from, precomputed as the strings that get bound."""

    templates: list[_Template]
    days: list[str]  # index k → the date `today - past_days + k`, ISO
    times: list[str]  # times of day, "HH:MM:SS.ffffff" (+ suffix)


def _pools(
    connection: Connection, spec: GenerationSpec, binding: _Binding, rng: random.Random
) -> _Pools:
    agents = dict(connection.execute(select(AgentRow.username, AgentRow.id)).all())
    groups = dict(connection.execute(select(GroupRow.name, GroupRow.id)).all())
    members: dict[uuid.UUID, list[uuid.UUID]] = {}
    for group_id, agent_id in connection.execute(
        select(MembershipRow.group_id, MembershipRow.agent_id)
    ).all():
        members.setdefault(group_id, []).append(agent_id)
    contacts: dict[str | None, list[tuple[Any, Any]]] = {}
    for contact_id, account_id, language in connection.execute(
        select(ContactRow.id, ContactRow.account_id, ContactRow.language)
    ).all():
        entry = (binding.uuid(contact_id), binding.uuid(account_id))
        contacts.setdefault(language, []).append(entry)
        contacts.setdefault(None, []).append(entry)
    if not agents or not groups or not contacts:
        raise ValueError("generating cases needs agents, groups and contacts first")
    every_agent = tuple(str(binding.uuid(a)) for a in agents.values())
    templates: list[_Template] = []
    for template in spec.templates:
        group_id = groups.get(template.group)
        if group_id is None:
            continue
        pre, marker, post = template.text.partition("{n}")
        crew = tuple(str(binding.uuid(a)) for a in members.get(group_id, ())) or every_agent
        people = tuple(contacts.get(template.language) or contacts[None])
        templates.append(
            (pre, post if marker else None, template.type, template.priority.value,
             str(binding.uuid(group_id)), crew, people)
        )  # fmt: skip
    if not templates:
        raise ValueError("no subject template names a known group")
    start = spec.today - timedelta(days=spec.past_days)
    horizon = spec.past_days + spec.due_days + 1
    days = [(start + timedelta(days=k)).isoformat() for k in range(horizon)]
    times = []
    for _ in range(4096):
        # Office hours, mostly: 07:00–19:00 with a thin tail through the night.
        hour = rng.randint(7, 18) if rng.random() < 0.93 else rng.randint(0, 23)
        minute, second, micro = rng.randrange(60), rng.randrange(60), rng.randrange(10**6)
        times.append(f"{hour:02d}:{minute:02d}:{second:02d}.{micro:06d}{binding.ts_suffix}")
    return _Pools(templates, days, times)


def _thresholds(shares: Sequence[float]) -> list[int]:
    """Cumulative shares → thresholds on a 16-bit random number."""
    total, out = 0.0, []
    for share in shares:
        total += share
        out.append(round(total * 65536))
    out[-1] = 65536
    return out


def _closed_cuts(spec: GenerationSpec) -> tuple[int, int]:
    """16-bit thresholds for 'closed' among recent and among older cases."""
    recent = min(1.0, spec.recent_days / spec.past_days)
    older = (spec.closed_share - recent * spec.recent_closed_share) / max(1e-9, 1 - recent)
    older = min(1.0, max(0.0, older))
    return round(spec.recent_closed_share * 65536), round(older * 65536)


_VARIANT = {h: "89ab"[int(h, 16) & 3] for h in "0123456789abcdef"}


def _rows(
    spec: GenerationSpec,
    pools: _Pools,
    rng: random.Random,
    *,
    first: int,
    offset: int,
    count: int,
    total: int,
) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """Rows `offset … offset+count` of `total` generated cases, and their activities.

    Hot loop (a million turns): one 64-bit draw per row is sliced into the small random
    choices, and every string that repeats is precomputed in `pools`.
    """
    hexes = os.urandom(32 * count).hex()
    templates, n_templates = pools.templates, len(pools.templates)
    days, times, n_times = pools.days, pools.times, len(pools.times)
    past, recent, due_span = spec.past_days, spec.recent_days, spec.due_days
    recent_cut, older_cut = _closed_cuts(spec)
    open_cut, progress_cut, _ = _thresholds([share for _, share in spec.open_mix])
    open_status, progress_status, waiting_status = (s.value for s, _ in spec.open_mix)
    solved_cut, deferred_cut, _ = _thresholds([share for _, share in spec.resolutions])
    solved, deferred, duplicate = (r.value for r, _ in spec.resolutions)
    unassigned_cut = round(spec.unassigned_share * 1024)
    closed_group_cut = round(spec.closed_group_share * 1024)
    getrandbits, variant = rng.getrandbits, _VARIANT
    cases: list[tuple[Any, ...]] = []
    activities: list[tuple[Any, ...]] = []
    add_case, add_activity = cases.append, activities.append
    previous_id: str | None = None
    for i in range(count):
        h = hexes[64 * i : 64 * i + 64]
        case_id = h[:12] + "4" + h[13:16] + variant[h[16]] + h[17:32]
        activity_id = h[32:44] + "4" + h[45:48] + variant[h[48]] + h[49:]
        bits = getrandbits(64)
        pre, post, type_key, priority, group_id, crew, people = templates[bits % n_templates]
        bits >>= 8
        contact_id, account_id = people[bits % len(people)]
        bits >>= 8
        crew_size = len(crew)
        user: str | None = crew[bits % crew_size]
        initiator_id = crew[(bits >> 4) % crew_size]
        bits >>= 8
        ago = past - (offset + i) * past // total  # from past_days down to 1 day ago
        created_day = past - ago
        due_offset = 1 + bits % due_span
        bits >>= 5
        created_at = days[created_day] + " " + times[bits % n_times]
        bits >>= 12
        due = days[created_day + due_offset]
        reminder = days[created_day + min(7, due_offset)]
        roll = bits & 0xFFFF
        bits = getrandbits(40)  # a fresh draw for the choices that depend on the status
        group: str | None = None
        resolution: str | None = None
        duplicate_of: str | None = None
        updated_at = created_at
        if roll < (recent_cut if ago <= recent else older_cut):
            status = "closed"
            cut = bits & 0xFFFF
            if cut < solved_cut:
                resolution = solved
            elif cut < deferred_cut or previous_id is None:
                resolution = deferred
            else:
                resolution, duplicate_of = duplicate, previous_id
            if (bits >> 16) & 1023 < closed_group_cut:
                user, group = None, group_id
            later = min(ago - 1, due_offset + 3)
            if later > 0:
                updated_at = days[created_day + later] + " " + times[getrandbits(12) % n_times]
            version = 3
        else:
            share = bits & 0xFFFF
            if share < open_cut:
                status, version = open_status, 1
                if (bits >> 16) & 1023 < unassigned_cut:
                    user, group = None, group_id
            elif share < progress_cut:
                status, version = progress_status, 2
            else:
                status, version = waiting_status, 3
                reminder = days[created_day + (bits >> 16) % (due_offset + 1)]
        subject = pre if post is None else f"{pre}{10000 + getrandbits(20) % 90000}{post}"
        add_case(
            (case_id, first + i, subject, type_key, status, priority, contact_id, account_id,
             user, group, initiator_id, due, reminder, resolution, duplicate_of, created_at,
             updated_at, version)
        )  # fmt: skip
        add_activity((activity_id, case_id, initiator_id, created_at, subject))
        previous_id = case_id
    return cases, activities


class BulkLoad:
    """One write transaction on its own connection, tuned for loading many rows.

    `with BulkLoad(location, rows=n) as load: ...; load.commit()` — like a unit of work,
    anything not committed is rolled back, and the service decides when to commit.
    """

    def __init__(self, location: DatabaseLocation, *, rows: int = 0) -> None:
        self._engine = make_engine(location)
        if location.is_sqlite:
            # SQLite seam, for this connection only. The load is demo/benchmark data:
            # synchronous=OFF skips the fsyncs of the big commit and checkpoint (an OS
            # crash mid-load may lose the load; WAL keeps the data committed before it);
            # a page cache that holds the new pages keeps them from spilling into the
            # WAL twice; index builds sort in memory.
            cache_kib = min(2_000_000, max(64_000, rows * 2))
            event.listen(self._engine, "connect", _bulk_pragmas(cache_kib))
        self._connection: Connection | None = None
        self._committed = False

    def __enter__(self) -> Self:
        self._connection = self._engine.execution_options(**{WRITE: True}).connect()
        self._connection.begin()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
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
        For a large load (≥ REINDEX_THRESHOLD rows) the secondary indexes of `cases` and
        `activities` are dropped first and rebuilt at the end, inside the transaction:
        building an index from the finished table sorts once, instead of a million random
        inserts into it; a failed load rolls back to the old indexes.
        """
        if count <= 0:
            return (0, 0)
        connection = self.connection
        binding = _Binding(connection)
        rng = random.Random(seed)
        pools = _pools(connection, spec, binding, rng)
        last = connection.execute(
            update(CounterRow)
            .where(col(CounterRow.name) == CASE_COUNTER)
            .values(value=CounterRow.value + count)
            .returning(CounterRow.value)
        ).scalar_one()
        first = last - count + 1
        dropped: list[tuple[str, str]] = []
        if count >= REINDEX_THRESHOLD:
            dropped = _secondary_indexes(connection, "cases") + _secondary_indexes(
                connection, "activities"
            )
            for name, _ in dropped:
                connection.exec_driver_sql(f"DROP INDEX {name}")
        case_sql = binding.insert_sql("cases", _CASE_COLUMNS)
        activity_sql = binding.insert_sql("activities", _ACTIVITY_COLUMNS)
        done = 0
        while done < count:
            size = min(batch_size, count - done)
            cases, activities = _rows(
                spec, pools, rng, first=first + done, offset=done, count=size, total=count
            )
            connection.exec_driver_sql(case_sql, cases)
            connection.exec_driver_sql(activity_sql, activities)
            done += size
            if progress is not None:
                progress(done)
        for _, definition in dropped:
            connection.exec_driver_sql(definition)
        return (first, last)


def _bulk_pragmas(cache_kib: int) -> Callable[[Any, Any], None]:
    def apply(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA synchronous=OFF")
        cursor.execute(f"PRAGMA cache_size=-{cache_kib}")
        cursor.execute("PRAGMA temp_store=MEMORY")
        cursor.execute("PRAGMA foreign_keys=OFF")
        cursor.close()

    return apply


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
