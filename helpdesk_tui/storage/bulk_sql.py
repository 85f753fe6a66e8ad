"""The SQL text of the bulk generator (storage/bulk.py): cases and their `created`
activities composed inside the database from a table of case shapes and a table of days.

`SqlDialect` is the one seam between SQLite and PostgreSQL here.
"""

from sqlalchemy import Connection

#: Distinct generated "case shapes" per pool (a power of two); each row picks one at random.
VARIANTS = 8192


class SqlDialect:
    """The SQL that differs between SQLite and PostgreSQL in the generator (the one seam).

    Values are composed as text in the forms the column types store on SQLite — UUIDs as
    32 hex digits (SQLAlchemy's `Uuid`), dates ISO, timestamps naive UTC
    `YYYY-MM-DD HH:MM:SS.ffffff` (`UTCDateTime`) — so reads parse generated and
    ORM-written rows alike; PostgreSQL casts the same text to uuid, date, timestamptz.
    """

    def __init__(self, connection: Connection) -> None:
        self.sqlite = connection.dialect.name == "sqlite"

    def param(self, name: str) -> str:
        return f":{name}" if self.sqlite else f"%({name})s"

    def random64(self) -> str:
        """A random integer per evaluation (bits are taken with >> and &)."""
        return "random()" if self.sqlite else "CAST(random() * 4503599627370496 AS bigint)"

    def random_hex(self) -> str:
        """32 random lowercase hex digits."""
        if self.sqlite:
            return "lower(hex(randomblob(16)))"
        return "replace(CAST(gen_random_uuid() AS text), '-', '')"

    def uuid(self, text: str) -> str:
        return text if self.sqlite else f"CAST({text} AS uuid)"

    def date(self, text: str) -> str:
        return text if self.sqlite else f"CAST({text} AS date)"

    def timestamp(self, text: str) -> str:
        return text if self.sqlite else f"CAST(({text}) || '+00:00' AS timestamptz)"


VARIANT_TABLE = (
    "CREATE TEMPORARY TABLE hd_variant (k INTEGER PRIMARY KEY, subject TEXT, type TEXT,"
    " status TEXT, priority TEXT, contact_id TEXT, account_id TEXT, user_id TEXT,"
    " group_id TEXT, initiator_id TEXT, resolution TEXT, version INTEGER,"
    " due_offset INTEGER, reminder_offset INTEGER, updated_offset INTEGER,"
    " created_time TEXT, updated_time TEXT)"
)
DAY_TABLE = "CREATE TEMPORARY TABLE hd_day (k INTEGER PRIMARY KEY, iso TEXT)"


def uuid4_sql(d: SqlDialect, hex32: str, bits: str) -> str:
    """32 random hex digits and a random integer → a version 4 UUID in the column's form."""
    text = (
        f"substr({hex32}, 1, 12) || '4' || substr({hex32}, 14, 3)"
        f" || substr('89ab', CAST(1 + ({bits} & 3) AS INTEGER), 1) || substr({hex32}, 18)"
    )
    return d.uuid(text)


def sequence_sql(d: SqlDialect) -> str:
    """Rows 0 … size-1, each with a random integer and random hex digits drawn once, and
    the previous row's draws (a recursive CTE is evaluated once per row on SQLite and
    PostgreSQL alike, so a draw read twice is the same draw)."""
    p = d.param
    return (
        f"WITH RECURSIVE s(i, r, h, pr, ph) AS (SELECT 0, {d.random64()}, {d.random_hex()},"
        f" CAST(NULL AS BIGINT), CAST(NULL AS TEXT)"
        f" UNION ALL SELECT i + 1, {d.random64()}, {d.random_hex()}, r, h FROM s"
        f" WHERE i < {p('size')} - 1)"
    )


def case_sql(d: SqlDialect) -> str:
    """Cases `first …` of a batch, composed in the database from variants and days.

    One random draw per row picks the shape; the creation day follows the row's
    position, so numbers grow with time across the whole load. A duplicate names the
    case made just before it (the first row of a batch cannot: it is solved instead).
    """
    p = d.param
    day = f"(({p('past')} * ({p('offset')} + s.i)) / {p('total')})"
    created = "dc.iso || ' ' || v.created_time"
    updated = (
        f"CASE WHEN {day} + v.updated_offset < {p('past')}"
        f" THEN du.iso || ' ' || v.updated_time ELSE {created} END"
    )
    duplicate = "v.resolution = 'duplicate'"
    return (
        f"{sequence_sql(d)}"
        " INSERT INTO cases (id, number, sub_number, sub_seq, parent_id, subject, type, status,"
        " priority, description, contact_id, account_id, delegated_user_id,"
        " delegated_group_id, owner_id, initiator_id, due, reminder, resolution,"
        " duplicate_of_id, custom, created_at, updated_at, version)"
        f" SELECT {uuid4_sql(d, 's.h', 's.r')}, {p('first')} + s.i, 0, 0, NULL, v.subject, v.type,"
        f" v.status, v.priority, '', {d.uuid('v.contact_id')}, {d.uuid('v.account_id')},"
        f" {d.uuid('v.user_id')}, {d.uuid('v.group_id')}, NULL, {d.uuid('v.initiator_id')},"
        f" {d.date('dd.iso')}, {d.date('dr.iso')},"
        f" CASE WHEN {duplicate} AND s.ph IS NULL THEN 'solved' ELSE v.resolution END,"
        f" CASE WHEN {duplicate} AND s.ph IS NOT NULL THEN {uuid4_sql(d, 's.ph', 's.pr')} END,"
        f" '{{}}', {d.timestamp(created)}, {d.timestamp(updated)}, v.version"
        " FROM s"
        f" JOIN hd_variant v ON v.k = ((s.r / 256) & {VARIANTS - 1})"
        f" + CASE WHEN {day} >= {p('recent_from')} THEN {VARIANTS} ELSE 0 END"
        f" JOIN hd_day dc ON dc.k = {day}"
        f" JOIN hd_day dd ON dd.k = {day} + v.due_offset"
        f" JOIN hd_day dr ON dr.k = {day} + v.reminder_offset"
        f" JOIN hd_day du ON du.k = {day} + v.updated_offset"
    )


def activity_sql(d: SqlDialect) -> str:
    """The `created` activity of each case of a batch, as create_case records it."""
    p = d.param
    return (
        f"{sequence_sql(d)}"
        " INSERT INTO activities (id, case_id, kind, actor_id, at, internal, text, changes,"
        f" time_spent_centi) SELECT {uuid4_sql(d, 's.h', 's.r')}, c.id, 'created',"
        " c.initiator_id, c.created_at, TRUE, c.subject, '{}', NULL"
        f" FROM s JOIN cases c ON c.number = {p('first')} + s.i AND c.sub_number = 0"
    )
