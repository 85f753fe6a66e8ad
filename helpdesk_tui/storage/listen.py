"""Live updates on PostgreSQL (TEAM-2, TUI-3): the NOTIFY every commit sends, and the
dedicated connection a TUI LISTENs on.

Every unit of work that wrote something sends, from the same transaction (so only what
is committed is ever announced, and a rollback announces nothing), on channel
`helpdesk`, one small JSON notice per case whose timeline it wrote:

    {"case": "<uuid>", "number": 1234567, "sub": 0, "kind": "comment", "version": 4}

(`kind`: the first timeline entry's kind; `version`: the case's version as committed;
`number`/`version` are null when the case was deleted in the same commit). A commit of
more than `MANY` cases (a mail sync batch) sends one `{"kind": "many", "cases": n}`
instead; a commit that wrote rows but no timeline (notifications read, mail classified
or archived, the outbox's state, people) sends `{"kind": "changed"}`. SQLite sends
nothing: there the app watches `PRAGMA data_version`.
"""

import contextlib
import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from helpdesk_tui.domain.closing import Closing
from helpdesk_tui.storage.location import DatabaseLocation

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from helpdesk_tui.storage.notifications import CaseEvent

#: The one channel of the helpdesk.
CHANNEL = "helpdesk"
#: More cases than this in one commit are announced as one "many" notice (a payload stays
#: far below PostgreSQL's 8000 bytes, and a listener gets one notice, not thousands).
MANY = 100

_NOTIFY_CASES = f"""
SELECT pg_notify('{CHANNEL}', json_build_object(
    'case', e.id, 'number', c.number, 'sub', c.sub_number, 'kind', e.kind,
    'version', c.version)::text)
FROM unnest(CAST(:ids AS uuid[]), CAST(:kinds AS text[])) AS e(id, kind)
LEFT JOIN cases c ON c.id = e.id
"""
# Only a transaction that wrote has an id: a read-only unit of work announces nothing.
_NOTIFY_IF_WRITTEN = (
    f"SELECT pg_notify('{CHANNEL}', :payload) WHERE pg_current_xact_id_if_assigned() IS NOT NULL"
)


def notify_commit(session: "Session", events: Sequence["CaseEvent"]) -> None:
    """Queue the notices of this transaction (PostgreSQL delivers them at its commit)."""
    from sqlalchemy import text  # the unit of work has loaded it already

    kinds: dict[uuid.UUID, str] = {}
    for event in events:  # one notice per case: its first entry's kind
        if event.case_id not in kinds:
            kinds[event.case_id] = event.entries[0][0].kind.value if event.entries else "case"
    if len(kinds) > MANY:
        payload = json.dumps({"kind": "many", "cases": len(kinds)})
        session.execute(text(_NOTIFY_IF_WRITTEN), {"payload": payload})
    elif kinds:
        ids = list(kinds)
        session.execute(text(_NOTIFY_CASES), {"ids": ids, "kinds": [kinds[i] for i in ids]})
    else:
        session.execute(text(_NOTIFY_IF_WRITTEN), {"payload": json.dumps({"kind": "changed"})})


@dataclass(frozen=True)
class Notice:
    """One change another connection committed (fields it did not say are None)."""

    kind: str
    case: str | None = None
    number: int | None = None
    sub: int | None = None
    version: int | None = None
    cases: int | None = None  # "many": how many cases

    @classmethod
    def parse(cls, payload: str) -> "Notice":
        """The notice a payload carries; an unreadable one is a plain "changed"."""
        try:
            data: Any = json.loads(payload)
            if not isinstance(data, dict):
                raise ValueError(payload)
            return cls(
                kind=str(data.get("kind") or "changed"),
                case=_opt(data.get("case"), str),
                number=_opt(data.get("number"), int),
                sub=_opt(data.get("sub"), int),
                version=_opt(data.get("version"), int),
                cases=_opt(data.get("cases"), int),
            )
        except (ValueError, TypeError):
            return cls(kind="changed")


def _opt(value: object, kind: type[Any]) -> Any:
    return None if value is None else kind(value)


class ListenerLost(Exception):
    """The listening connection could not be opened or was lost (server restart, network)."""


class ChangeListener(Closing):
    """A dedicated autocommit connection that LISTENs on the helpdesk channel; used by one
    thread. Any connection error becomes `ListenerLost`."""

    def __init__(self, location: DatabaseLocation) -> None:
        import psycopg  # lazy: team mode only

        self._errors: tuple[type[BaseException], ...] = (psycopg.Error, OSError)
        try:
            self._conn = psycopg.connect(
                location.libpq_url, autocommit=True, password=location.password, connect_timeout=5
            )
            self._conn.execute(f"LISTEN {CHANNEL}")
        except self._errors as error:
            raise ListenerLost(str(error)) from error

    @property
    def backend_pid(self) -> int:
        """The server process of this connection (tests end it to cut the line)."""
        return int(self._conn.info.backend_pid)

    def wait(self, timeout: float) -> list[Notice]:
        """The notices that arrive within `timeout` seconds: returns at the first one
        (with any others already there), or empty-handed after the timeout."""
        try:
            got = list(self._conn.notifies(timeout=max(0.0, timeout), stop_after=1))
            if got:
                got += self._conn.notifies(timeout=0.0)
        except self._errors as error:
            raise ListenerLost(str(error)) from error
        return [Notice.parse(n.payload) for n in got]

    def close(self) -> None:
        """Close the connection (a lost one too)."""
        with contextlib.suppress(*self._errors):
            self._conn.close()
