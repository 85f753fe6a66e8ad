"""Plumbing for replaying demo case lives through the real services, fast.

The services open one unit of work per call, and each reloads agents, groups and
contacts. Replaying hundreds of case lives that way costs seconds, so the demo replay
shares those look-ups across its units of work (`DirectoryCache`). Also here: inserting
the demo directory (accounts, contacts) and counting tables for summaries.
"""

import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import Engine, func, select
from sqlmodel import Session, col

from helpdesk_tui.domain.case import Actor
from helpdesk_tui.domain.enums import Status
from helpdesk_tui.storage.directory import ContactRef, Directory
from helpdesk_tui.storage.tables import (
    AccountRow,
    ActivityRow,
    AgentRow,
    CaseRow,
    ContactRow,
    GroupRow,
)
from helpdesk_tui.storage.uow import UnitOfWork

Row = TypeVar("Row", AgentRow, GroupRow)


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
        self.contacts: dict[str, ContactRef] = {}
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
            self._cache.agents = self._detached(super().agents())
        return self._cache.agents

    def groups(self) -> dict[str, GroupRow]:
        if self._cache.groups is None:
            self._cache.groups = self._detached(super().groups())
        return self._cache.groups

    def _detached(self, rows: dict[str, Row]) -> dict[str, Row]:
        """The rows, taken out of this session so that the cache can keep them."""
        for row in rows.values():
            self._session.expunge(row)
        return rows

    def actor(self, username: str) -> Actor:
        key = username.strip().lower()
        if key not in self._cache.actors:
            self._cache.actors[key] = super().actor(username)
        return self._cache.actors[key]

    def contact(self, email: str) -> ContactRef | None:
        key = email.strip().lower()
        row = self._cache.contacts.get(key)
        if row is None:
            row = super().contact(email)
            if row is not None and not self.is_unwritten(key):  # only what is stored
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


def replay_uow(
    engine: Engine,
    cache: DirectoryCache,
    *,
    write: bool = True,
    before_commit: Callable[[UnitOfWork], None] | None = None,
) -> UnitOfWork:
    """A unit of work whose directory look-ups come from a shared DirectoryCache
    (`before_commit` as for any unit of work: the notifications of what it wrote)."""
    return UnitOfWork(
        engine,
        write=write,
        directory=lambda session: _CachedDirectory(session, cache),
        before_commit=before_commit,
    )


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
    emails = set(session.execute(select(col(ContactRow.email))).scalars())
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
            select(col(CaseRow.status), func.count()).group_by(col(CaseRow.status))
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
