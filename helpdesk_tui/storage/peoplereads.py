"""Reading the directory: who the agents and groups are, as stored.

A mix-in of `ReadStore` (storage/reads.py), on the same plain DB-API connection: a start
compares the configured people with these without loading SQLAlchemy (cli/runtime.py).
"""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class AgentEntry:
    """An agent as stored (`role` is the Role's value)."""

    username: str
    name: str
    email: str
    role: str


@dataclass(frozen=True)
class GroupEntry:
    """A group as stored: lead and members by username."""

    name: str
    title: str
    lead: str | None
    members: frozenset[str]


class PeopleReads:
    """Directory queries; the store provides `_fetch`."""

    def _fetch(self, sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
        raise NotImplementedError

    def agent_exists(self, username: str) -> bool:
        """Whether an agent with this username exists (validating `--as`)."""
        return bool(self._fetch("SELECT 1 FROM agents WHERE username = ?", (username,)))

    def agents(self) -> dict[str, AgentEntry]:
        """Every agent by username (agents are few: a directory, not a list view)."""
        rows = self._fetch("SELECT username, name, email, role FROM agents", ())
        return {row[0]: AgentEntry(*row) for row in rows}

    def groups(self) -> dict[str, GroupEntry]:
        """Every group by name, with its lead's username and its members' usernames."""
        members: dict[str, set[str]] = {}
        for group, member in self._fetch(
            "SELECT g.name, a.username FROM group_members gm"
            " JOIN groups g ON g.id = gm.group_id JOIN agents a ON a.id = gm.agent_id",
            (),
        ):
            members.setdefault(group, set()).add(member)
        rows = self._fetch(
            "SELECT g.name, g.title, a.username FROM groups g"
            " LEFT JOIN agents a ON a.id = g.lead_id",
            (),
        )
        return {
            name: GroupEntry(name, title, lead, frozenset(members.get(name, ())))
            for name, title, lead in rows
        }
