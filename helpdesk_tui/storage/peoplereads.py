"""Reading the directory: who the agents and groups are, as stored, and the plain entries
the directory's admin commands return.

A part of `ReadStore` (storage/reads.py), `store.people`, on the same plain DB-API
connection: a start asks whether there are users yet, and `config check` compares the
configured people with these, without loading SQLAlchemy.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from helpdesk_tui.storage.dialect import Fetch


@dataclass(frozen=True)
class AgentEntry:
    """An agent as stored (`role` is the Role's value)."""

    username: str
    name: str
    email: str
    role: str
    active: bool = True  # False: removed (SEC-6); the row stays for the history


@dataclass(frozen=True)
class GroupEntry:
    """A group as stored: lead and members by username."""

    name: str
    title: str
    lead: str | None
    members: frozenset[str]


@dataclass(frozen=True)
class UserEntry:
    """A user of the directory as an admin sees it."""

    username: str
    name: str
    email: str
    role: str
    active: bool
    groups: tuple[str, ...]
    db_login: str | None


@dataclass(frozen=True)
class ContactEntry:
    """A contact as the new-case form offers it."""

    email: str
    name: str
    phone: str | None
    account: str | None


#: Candidates a contact search reads before ranking (the form shows the best few).
CONTACT_CANDIDATES = 200


def subsequence_pattern(text: str) -> str:
    """A LIKE pattern matching `text`'s letters in order with anything between (`%a%b%`),
    `%`, `_` and the escape character escaped with backslash."""
    letters = [c for c in text.strip().lower() if not c.isspace()]
    escaped = ["\\" + c if c in "%_\\" else c for c in letters]
    return "%" + "%".join(escaped) + "%"


@dataclass(frozen=True)
class DirectoryChange:
    """One audited change of the directory: who (None: seeded), when, what changed.

    `changes` maps a field to `[old, new]`, as activities of a case do.
    """

    at: datetime
    actor: str | None
    action: str
    user: str
    changes: dict[str, list[Any]]


class PeopleReads:
    """Directory queries, run through the store's `fetch`."""

    def __init__(self, fetch: Fetch) -> None:
        self._fetch = fetch

    def agent_exists(self, username: str) -> bool:
        """Whether an active agent with this username exists (validating `--as`: a removed
        user cannot act)."""
        sql = "SELECT active FROM agents WHERE username = ?"
        return any(bool(active) for (active,) in self._fetch(sql, (username,)))

    def has_agents(self) -> bool:
        """Whether the directory has any user yet (config seeds only an empty one)."""
        return bool(self._fetch("SELECT 1 FROM agents LIMIT 1", ()))

    def agents(self) -> dict[str, AgentEntry]:
        """Every agent by username, removed ones too (agents are few: a directory, not a
        list view)."""
        rows = self._fetch("SELECT username, name, email, role, active FROM agents", ())
        return {
            username: AgentEntry(username, name, email, role, bool(active))
            for username, name, email, role, active in rows
        }

    def contacts_matching(self, text: str, limit: int = CONTACT_CANDIDATES) -> list[ContactEntry]:
        """Contacts whose address or name holds `text`'s letters in order (a fuzzy search
        ranks them after), at most `limit`, by address; the contact with exactly this
        address first, whether or not it is among them."""
        exact = self._fetch(
            "SELECT ct.email, ct.name, ct.phone, ac.name FROM contacts ct"
            " LEFT JOIN accounts ac ON ac.id = ct.account_id WHERE ct.email = ?",
            (text.strip().lower(),),
        )
        pattern = subsequence_pattern(text)
        rows = exact + self._fetch(
            "SELECT ct.email, ct.name, ct.phone, ac.name FROM contacts ct"
            " LEFT JOIN accounts ac ON ac.id = ct.account_id"
            " WHERE lower(ct.email) LIKE ? ESCAPE '\\' OR lower(ct.name) LIKE ? ESCAPE '\\'"
            " ORDER BY ct.email LIMIT ?",
            (pattern, pattern, limit),
        )
        entries = [ContactEntry(email, name or "", phone, acc) for email, name, phone, acc in rows]
        return list(dict.fromkeys(entries))  # the exact match once, first

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
