"""People and organisations: agents, groups, contacts, accounts, and their ids."""

import json
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import text
from sqlmodel import Session, col, select

from helpdesk_tui.domain.case import Actor
from helpdesk_tui.domain.enums import Role
from helpdesk_tui.domain.errors import NotFoundError, ValidationError
from helpdesk_tui.domain.numbering import CaseNumber
from helpdesk_tui.storage.chunks import chunked
from helpdesk_tui.storage.peoplereads import DirectoryChange, UserEntry
from helpdesk_tui.storage.rows import insert_rows
from helpdesk_tui.storage.tables import (
    AccountRow,
    AgentRow,
    AuditRow,
    CaseRow,
    ContactRow,
    GroupRow,
    MembershipRow,
    table,
)

#: Audit actions of the directory start with this (`user.add`, `user.role`, …); the rest
#: of the audit log is about cases (`case.delete`).
USER_ACTION = "user."


@dataclass(frozen=True, slots=True)
class ContactRef:
    """A contact as the services need it: a plain value, not an ORM object (a mail batch
    looks up and creates thousands)."""

    id: uuid.UUID
    email: str
    name: str
    account_id: uuid.UUID | None


class Directory:
    """Maps names (usernames, group names, e-mail addresses) to ids and back.

    Agents and groups are few, so they are cached per unit of work.
    """

    def __init__(self, session: Session) -> None:
        self._session = session
        self._agents: dict[str, AgentRow] | None = None
        self._groups: dict[str, GroupRow] | None = None
        self._contacts: dict[str, ContactRef | None] = {}  # None: known to be absent
        self._new_contacts: dict[str, dict[str, Any]] = {}  # created, not yet written
        self._account_names: dict[uuid.UUID, str | None] = {}
        self._domain_accounts: dict[str, uuid.UUID | None] = {}

    # -- agents and groups ------------------------------------------------------
    def agents(self) -> dict[str, AgentRow]:
        """All agents by username."""
        if self._agents is None:
            rows = self._session.exec(select(AgentRow)).all()
            self._agents = {row.username: row for row in rows}
        return self._agents

    def groups(self) -> dict[str, GroupRow]:
        """All groups by name."""
        if self._groups is None:
            rows = self._session.exec(select(GroupRow)).all()
            self._groups = {row.name: row for row in rows}
        return self._groups

    def agent_id(self, username: str) -> uuid.UUID:
        """The id of agent `username`, or NotFoundError."""
        row = self.agents().get(username.strip().lower())
        if row is None:
            raise NotFoundError(f"unknown user {username!r}")
        return row.id

    def group_id(self, name: str) -> uuid.UUID:
        """The id of group `name`, or NotFoundError."""
        row = self.groups().get(name.strip().lower())
        if row is None:
            raise NotFoundError(f"unknown group {name!r}")
        return row.id

    def username(self, agent_id: uuid.UUID | None) -> str | None:
        """The username for an id (None stays None)."""
        if agent_id is None:
            return None
        return next(r.username for r in self.agents().values() if r.id == agent_id)

    def group_name(self, group_id: uuid.UUID | None) -> str | None:
        """The group name for an id (None stays None)."""
        if group_id is None:
            return None
        return next(r.name for r in self.groups().values() if r.id == group_id)

    def actor(self, username: str) -> Actor:
        """The acting agent with role and groups, or NotFoundError."""
        agent_id = self.agent_id(username)
        row = self.agents()[username.strip().lower()]
        if not row.active:
            raise NotFoundError(f"user {username!r} is deactivated")
        group_ids = self._session.exec(
            select(MembershipRow.group_id).where(MembershipRow.agent_id == agent_id)
        ).all()
        names = frozenset(g.name for g in self.groups().values() if g.id in set(group_ids))
        return Actor(username=row.username, role=Role(row.role), groups=names)

    def upsert_agent(self, username: str, name: str, email: str, role: Role) -> uuid.UUID:
        """Create or update an agent from config or demo data."""
        row = self.agents().get(username)
        if row is None:
            row = AgentRow(username=username, name=name, email=email, role=role.value)
            self.agents()[username] = row
        else:
            row.name, row.email, row.role = name, email, role.value
        self._session.add(row)
        self._session.flush()
        return row.id

    def upsert_group(
        self, name: str, title: str, lead: str | None, members: Iterable[str]
    ) -> uuid.UUID:
        """Create or update a group and set its members exactly."""
        row = self.groups().get(name)
        lead_id = self.agent_id(lead) if lead else None
        if row is None:
            row = GroupRow(name=name, title=title, lead_id=lead_id)
            self.groups()[name] = row
        else:
            row.title, row.lead_id = title, lead_id
        self._session.add(row)
        self._session.flush()
        wanted = {self.agent_id(member) for member in members}
        current = set(
            self._session.exec(
                select(MembershipRow.agent_id).where(MembershipRow.group_id == row.id)
            ).all()
        )
        for agent_id in wanted - current:
            self._session.add(MembershipRow(group_id=row.id, agent_id=agent_id))
        for agent_id in current - wanted:
            member = self._session.get(MembershipRow, (row.id, agent_id))
            if member is not None:
                self._session.delete(member)
        self._session.flush()
        return row.id

    # -- changing users (admin commands and seeding an empty database) ------------
    def create_agent(
        self, username: str, name: str, email: str, role: Role, db_login: str | None
    ) -> AgentRow:
        """A new active agent."""
        row = AgentRow(username=username, name=name, email=email, role=role.value)
        row.db_login = db_login
        self.agents()[username] = row
        self._session.add(row)
        self._session.flush()
        return row

    def save_agent(self, row: AgentRow) -> None:
        """Write changes made to an agent's row."""
        self._session.add(row)
        self._session.flush()

    def active_admins(self) -> int:
        """How many active admins there are, their rows locked until commit.

        On PostgreSQL two admins demoting each other at once would both see two admins;
        FOR UPDATE makes the second wait and count again. SQLite's write transaction
        already serialises them (SQLAlchemy leaves FOR UPDATE out there).
        """
        query = (
            select(AgentRow.id)
            .where(col(AgentRow.role) == Role.ADMIN.value, col(AgentRow.active).is_(True))
            .with_for_update()
        )
        return len(self._session.exec(query).all())

    def login_owner(self, db_login: str) -> str | None:
        """The username holding this database login, if any."""
        query = select(AgentRow.username).where(col(AgentRow.db_login) == db_login)
        return self._session.exec(query).first()

    def grant_login(self, db_login: str, grants: str) -> None:
        """PostgreSQL: create the database login if missing and give it the agent's or the
        admin's grants, or take them (`none`), in this transaction (storage/pgroles.py).
        SQLite: nothing."""
        connection = self._session.connection()
        if connection.dialect.name != "postgresql":
            return
        from helpdesk_tui.storage.pgroles import GRANT_FUNCTION

        known = connection.exec_driver_sql(
            f"SELECT to_regprocedure('{GRANT_FUNCTION}(text, text)') IS NOT NULL"
        ).scalar_one()
        if not known:
            raise ValidationError(
                "this database does not manage logins: its owner needs CREATEROLE "
                "and must run helpdesk init"
            )
        connection.execute(
            text(f"SELECT {GRANT_FUNCTION}(:login, :grants)"), {"login": db_login, "grants": grants}
        )

    def agent_groups(self, agent_id: uuid.UUID) -> tuple[str, ...]:
        """The names of the groups an agent belongs to, sorted."""
        ids = set(
            self._session.exec(
                select(MembershipRow.group_id).where(MembershipRow.agent_id == agent_id)
            ).all()
        )
        return tuple(sorted(g.name for g in self.groups().values() if g.id in ids))

    def join_groups(self, agent_id: uuid.UUID, names: Iterable[str]) -> None:
        """Add an agent to these groups (NotFoundError for an unknown one)."""
        current = set(self.agent_groups(agent_id))
        for name in names:
            if name.strip().lower() not in current:
                self._session.add(MembershipRow(group_id=self.group_id(name), agent_id=agent_id))
        self._session.flush()

    def users(self) -> list[UserEntry]:
        """Every user, active or not, by username."""
        memberships: dict[uuid.UUID, list[str]] = {}
        names = {g.id: g.name for g in self.groups().values()}
        for group_id, agent_id in self._session.exec(
            select(MembershipRow.group_id, MembershipRow.agent_id)
        ).all():
            memberships.setdefault(agent_id, []).append(names[group_id])
        return [
            UserEntry(
                row.username,
                row.name,
                row.email,
                row.role,
                row.active,
                tuple(sorted(memberships.get(row.id, ()))),
                row.db_login,
            )
            for row in sorted(self.agents().values(), key=lambda r: r.username)
        ]

    def record_change(
        self,
        at: datetime,
        actor: str | None,
        action: str,
        username: str,
        changes: dict[str, list[Any]],
    ) -> None:
        """Audit one change of the directory (`action` starts with USER_ACTION)."""
        assert action.startswith(USER_ACTION)
        self._session.add(
            AuditRow(
                at=at,
                actor_id=self.agent_id(actor) if actor else None,
                action=action,
                subject=username,
                details=json.dumps(changes, ensure_ascii=False),
            )
        )
        self._session.flush()

    def record_acting_as(
        self,
        at: datetime,
        real_user: str | None,
        login: str,
        acting: str,
        case_ids: Iterable[uuid.UUID],
    ) -> None:
        """Audit that `real_user` (an admin; None: the schema owner's login without an
        agent) wrote as `acting` on these cases (TEAM-4: "bob as alice"): action `user.as`,
        actor the real user, subject the user acted as, details the login and the cases."""
        ids = sorted(set(case_ids))
        numbers: list[str] = []
        if ids:
            cases = table(CaseRow)
            query = select(cases.c.number, cases.c.sub_number).where(cases.c.id.in_(ids))
            numbers = sorted(
                str(CaseNumber(main, sub))
                for main, sub in self._session.connection().execute(query)
            )
        changes: dict[str, list[Any]] = {"login": [None, login], "cases": [None, numbers]}
        self._session.add(
            AuditRow(
                at=at,
                actor_id=self.agent_id(real_user) if real_user else None,
                action=f"{USER_ACTION}as",
                subject=acting,
                details=json.dumps(changes, ensure_ascii=False),
            )
        )
        self._session.flush()

    def changes(self, limit: int) -> list[DirectoryChange]:
        """The newest `limit` audited changes of the directory, oldest of them first."""
        query = (
            select(AuditRow)
            .where(col(AuditRow.action).startswith(USER_ACTION))
            .order_by(col(AuditRow.at).desc(), col(AuditRow.subject).desc())
            .limit(limit)
        )
        rows = reversed(self._session.exec(query).all())
        return [
            DirectoryChange(
                row.at,
                self.username(row.actor_id),
                row.action,
                row.subject,
                json.loads(row.details),
            )
            for row in rows
        ]

    # -- contacts and accounts ---------------------------------------------------
    def contact(self, email: str) -> ContactRef | None:
        """The contact with this address (case-insensitive), if known."""
        address = email.strip().lower()
        if address not in self._contacts:
            self.prefetch_contacts([address])
        return self._contacts[address]

    def is_unwritten(self, email: str) -> bool:
        """Whether the contact was created in this unit of work and is not written yet."""
        return email.strip().lower() in self._new_contacts

    def ensure_contact(self, email: str, name: str = "", phone: str | None = None) -> ContactRef:
        """The contact for `email`, created when unknown (with `name` and `phone`); its
        account is matched by domain. A known contact is returned as it is.

        A new contact is written with the next `write_contacts` (the case repository calls
        it before inserting cases, the unit of work before committing): a mail sync
        creates contacts by the thousand, and one statement writes a batch of them.
        """
        address = email.strip().lower()
        found = self.contact(address)
        if found is not None:
            return found
        domain = address.rpartition("@")[2]
        if domain not in self._domain_accounts:
            self._prefetch_domains([domain])
        contact = ContactRef(uuid.uuid4(), address, name, self._domain_accounts[domain])
        self._new_contacts[address] = {
            "id": contact.id,
            "email": address,
            "name": name,
            "phone": phone or None,
            "language": None,
            "account_id": contact.account_id,
        }
        self._contacts[address] = contact
        return contact

    def write_contacts(self) -> None:
        """Insert the contacts `ensure_contact` created since the last call."""
        if self._new_contacts:
            rows = list(self._new_contacts.values())
            self._new_contacts = {}
            insert_rows(self._session.connection(), table(ContactRow), rows)

    def account_name(self, account_id: uuid.UUID | None) -> str | None:
        """The account's name for an id."""
        if account_id is None:
            return None
        if account_id not in self._account_names:
            row = self._session.get(AccountRow, account_id)
            self._account_names[account_id] = row.name if row else None
        return self._account_names[account_id]

    def account_id(self, name: str) -> uuid.UUID:
        """The id of account `name`, or NotFoundError."""
        for account_id, known in self._account_names.items():
            if known == name:
                return account_id
        row = self._session.exec(select(AccountRow).where(col(AccountRow.name) == name)).first()
        if row is None:
            raise NotFoundError(f"unknown account {name!r}")
        self._account_names[row.id] = row.name
        return row.id

    def prefetch_contacts(self, emails: Iterable[str]) -> None:
        """Load these contacts (and the accounts of their domains) in a few queries: a mail
        batch needs many at once."""
        wanted = {e.strip().lower() for e in emails} - self._contacts.keys()
        contacts = table(ContactRow)
        columns = (contacts.c.id, contacts.c.email, contacts.c.name, contacts.c.account_id)
        for chunk in chunked(sorted(wanted)):
            self._contacts.update(dict.fromkeys(chunk))
            query = select(*columns).where(contacts.c.email.in_(chunk))
            for row in self._session.connection().execute(query):
                self._contacts[row.email] = ContactRef(*row)
        domains = {e.rpartition("@")[2] for e in wanted if self._contacts.get(e) is None}
        self._prefetch_domains(domains - self._domain_accounts.keys())

    def _prefetch_domains(self, domains: Iterable[str]) -> None:
        """Which account each of these e-mail domains belongs to (None: none)."""
        accounts = table(AccountRow)
        for chunk in chunked(sorted(domains)):
            self._domain_accounts.update(dict.fromkeys(chunk))
            query = select(accounts.c.domain, accounts.c.id).where(accounts.c.domain.in_(chunk))
            for domain, account_id in self._session.connection().execute(query):
                if self._domain_accounts[domain] is None:  # the first account of a domain
                    self._domain_accounts[domain] = account_id

    def contact_email(self, contact_id: uuid.UUID) -> str:
        """The e-mail address of a contact id."""
        row = self._session.get(ContactRow, contact_id)
        if row is None:
            raise NotFoundError(f"unknown contact {contact_id}")
        return row.email
