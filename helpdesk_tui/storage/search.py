"""Full-text search (VIEW-2) behind one seam: SQLite FTS5 here, a LIKE scan elsewhere.

SQLite: `case_search` is an FTS5 table whose rowid is the case key
`number * 1000 + sub_number` (an integer, so joins stay index lookups — an FTS5 table
keyed by a text UUID makes joins take seconds). Triggers from migration 0002 keep it in
step with cases (subject, description) and activities (their text, appended to `notes`).

Ranking: FTS5's bm25 costs per matching row, and a common word can match a third of a
million cases. So the newest SCAN_LIMIT matches (rowid order, which FTS5 walks without
ranking) are ranked and the best RESULT_LIMIT returned — bounded work on any table size.
"""

from collections.abc import Sequence
from typing import Any

SCAN_LIMIT = 5000
RESULT_LIMIT = 500
CASE_KEY = "(c.number * 1000 + c.sub_number)"


def match_expression(words: Sequence[str]) -> str:
    """Words → an FTS5 query: every word must occur, as a prefix, taken literally.

    Each word is a quoted string (FTS5 operators and column filters in user input stay
    text); the trailing `*` makes `druck` find `Drucker` while typing.
    """
    terms = []
    for word in words:
        for part in word.split():
            cleaned = part.replace('"', '""')
            if cleaned.strip("*"):
                terms.append(f'"{cleaned.strip("*")}"*')
    return " AND ".join(terms)


def ranked_join(words: Sequence[str]) -> tuple[str, list[Any]]:
    """A JOIN that keeps matching cases and exposes `s.score` (lower is better)."""
    sql = (
        " JOIN (SELECT key, score FROM (SELECT rowid AS key, rank AS score FROM case_search"
        " WHERE case_search MATCH ? ORDER BY rowid DESC LIMIT ?)"
        " ORDER BY score LIMIT ?) s"
        " ON c.number = s.key / 1000 AND c.sub_number = s.key % 1000"
    )
    return sql, [match_expression(words), SCAN_LIMIT, RESULT_LIMIT]


def like_filter(words: Sequence[str]) -> tuple[list[str], list[Any]]:
    """Without FTS5 (PostgreSQL until team mode): every word in subject or description."""
    where, params = [], []
    for word in words:
        pattern = "%" + word.lower().replace("%", "").replace("_", "") + "%"
        where.append("(lower(c.subject) LIKE ? OR lower(c.description) LIKE ?)")
        params.extend([pattern, pattern])
    return where, params


#: DDL run by migration 0002 on SQLite (and by the bulk loader after a large load).
FTS_TABLE = (
    "CREATE VIRTUAL TABLE case_search USING fts5("
    "subject, description, notes, tokenize = 'unicode61 remove_diacritics 2')"
)
FTS_TRIGGERS = (
    """CREATE TRIGGER case_search_insert AFTER INSERT ON cases BEGIN
        INSERT INTO case_search (rowid, subject, description, notes)
        VALUES (new.number * 1000 + new.sub_number, new.subject, new.description, '');
    END""",
    """CREATE TRIGGER case_search_update AFTER UPDATE OF subject, description ON cases BEGIN
        UPDATE case_search SET subject = new.subject, description = new.description
        WHERE rowid = new.number * 1000 + new.sub_number;
    END""",
    """CREATE TRIGGER case_search_delete AFTER DELETE ON cases BEGIN
        DELETE FROM case_search WHERE rowid = old.number * 1000 + old.sub_number;
    END""",
    """CREATE TRIGGER case_search_note AFTER INSERT ON activities
        WHEN new.text != '' AND new.kind NOT IN ('created', 'sub_case') BEGIN
        UPDATE case_search SET notes = notes || char(10) || new.text
        WHERE rowid = (SELECT number * 1000 + sub_number FROM cases WHERE id = new.case_id);
    END""",
)
FTS_TRIGGER_NAMES = (
    "case_search_insert",
    "case_search_update",
    "case_search_delete",
    "case_search_note",
)
#: Fills the index from the tables (after the migration, or a bulk load without triggers).
FTS_REBUILD = (
    "DELETE FROM case_search",
    """INSERT INTO case_search (rowid, subject, description, notes)
       SELECT c.number * 1000 + c.sub_number, c.subject, c.description,
              coalesce((SELECT group_concat(a.text, char(10)) FROM activities a
                        WHERE a.case_id = c.id AND a.text != ''
                        AND a.kind NOT IN ('created', 'sub_case')), '')
       FROM cases c""",
)
