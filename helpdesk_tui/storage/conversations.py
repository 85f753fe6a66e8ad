"""Writing the conversations inbox (MAIL-8): classes, accounts, read and archived marks on
mails, and the remembered sender rules.

Bulk statements on the Core tables (no ORM objects): classifying a whole domain is one
UPDATE over an index range (`from_domain`), not ten thousand loaded rows.
"""

import uuid
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, func, or_, select, update
from sqlmodel import Session

from helpdesk_tui.domain.classification import Rule, RuleKey, domain_of
from helpdesk_tui.storage.chunks import chunked
from helpdesk_tui.storage.rows import insert_rows
from helpdesk_tui.storage.tables import (
    AccountRow,
    ContactRow,
    MailRow,
    SenderRuleRow,
    table,
)

_MAILS = table(MailRow)
_RULES = table(SenderRuleRow)
_ACCOUNTS = table(AccountRow)
_CONTACTS = table(ContactRow)


@dataclass(frozen=True)
class MailSender:
    """Who sent a stored mail, and what it is (for classifying it)."""

    id: uuid.UUID
    direction: str
    from_email: str
    from_name: str
    noise: str | None
    mail_class: str | None


@dataclass(frozen=True)
class Classification:
    """What a classification writes onto mails."""

    mail_class: str
    by: str  # "agent" | "rule"
    rule: str | None = None
    account_id: uuid.UUID | None = None

    def values(self) -> dict[str, Any]:
        """The column values."""
        return {
            "class": self.mail_class,
            "classified_by": self.by,
            "classified_rule": self.rule,
            "account_id": self.account_id,
        }


class ConversationRepository:
    """Classes, marks and sender rules, on a unit of work's session."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def _execute(self, statement: Any) -> Any:
        return self._session.connection().execute(statement)

    # -- mails ---------------------------------------------------------------------
    def senders(self, mail_ids: Collection[uuid.UUID]) -> list[MailSender]:
        """The senders of these mails (unknown ids are left out)."""
        found: list[MailSender] = []
        m = _MAILS.c
        for chunk in chunked(sorted(set(mail_ids))):
            rows = self._execute(
                select(m.id, m.direction, m.from_email, m.from_name, m.noise, m["class"]).where(
                    m.id.in_(chunk)
                )
            )
            found.extend(MailSender(*row) for row in rows)
        return found

    def classify_ids(self, mail_ids: Collection[uuid.UUID], how: Classification) -> int:
        """Classify these inbound mails; returns how many."""
        changed = 0
        for chunk in chunked(sorted(set(mail_ids))):
            result = self._execute(
                update(_MAILS)
                .where(_MAILS.c.id.in_(chunk), _MAILS.c.direction == "in")
                .values(how.values())
            )
            changed += int(result.rowcount)
        return changed

    def _of_sender(self, key: RuleKey) -> Any:
        """The condition "inbound mail of this address / domain"."""
        m = _MAILS.c
        column = m.from_email if key.kind == "address" else m.from_domain
        return and_(column == key.value, m.direction == "in")

    def _open_to(self, how: Classification) -> Any:
        """Mail a sender-wide classification changes: unclassified, or by a rule (an
        agent's own choice for one mail stays) — unless that rule already gave it this
        class, explanation and account (re-applying a rule rewrites nothing)."""
        m = _MAILS.c
        by_rule: Any = m.classified_by == "rule"
        if how.by == "rule":
            by_rule = and_(
                by_rule,
                or_(
                    m["class"].is_distinct_from(how.mail_class),
                    m.classified_rule.is_distinct_from(how.rule),
                    m.account_id.is_distinct_from(how.account_id),
                ),
            )
        return or_(m["class"].is_(None), by_rule)

    def count_of_sender(self, key: RuleKey) -> int:
        """How many of the sender's inbound mails are unclassified."""
        statement = (
            select(func.count())
            .select_from(_MAILS)
            .where(self._of_sender(key), _MAILS.c["class"].is_(None))
        )
        return int(self._execute(statement).scalar_one())

    def classify_sender(self, key: RuleKey, how: Classification) -> int:
        """Classify the sender's unclassified (or rule-classified) inbound mail; returns
        how many mails changed."""
        result = self._execute(
            update(_MAILS).where(self._of_sender(key), self._open_to(how)).values(how.values())
        )
        return int(result.rowcount)

    def apply_rules(self, mails: Iterable[tuple[uuid.UUID, Rule, str]]) -> int:
        """Classify new mails by rule: (mail id, rule, explanation); one UPDATE per rule."""
        by_rule: dict[tuple[str, Any, str], list[uuid.UUID]] = {}
        for mail_id, rule, label in mails:
            account = rule.account_id if isinstance(rule.account_id, uuid.UUID) else None
            by_rule.setdefault((rule.mail_class, account, label), []).append(mail_id)
        changed = 0
        for (mail_class, account, label), ids in by_rule.items():
            changed += self.classify_ids(ids, Classification(mail_class, "rule", label, account))
        return changed

    def archive(self, mail_ids: Collection[uuid.UUID], at: datetime) -> int:
        """Archive these inbound mails; returns how many were not archived yet."""
        changed = 0
        for chunk in chunked(sorted(set(mail_ids))):
            result = self._execute(
                update(_MAILS)
                .where(
                    _MAILS.c.id.in_(chunk),
                    _MAILS.c.direction == "in",
                    _MAILS.c.archived.is_(False),
                )
                .values(archived=True, archived_at=at)
            )
            changed += int(result.rowcount)
        return changed

    def mark_read(self, mail_id: uuid.UUID) -> bool:
        """Mark a mail read; returns whether it was unread."""
        result = self._execute(
            update(_MAILS).where(_MAILS.c.id == mail_id, _MAILS.c.read.is_(False)).values(read=True)
        )
        return int(result.rowcount) == 1

    # -- sender rules ----------------------------------------------------------------
    def rules_for(self, keys: Collection[RuleKey]) -> dict[RuleKey, Rule]:
        """The remembered rules under these keys."""
        found: dict[RuleKey, Rule] = {}
        r = _RULES.c
        for kind in ("address", "domain"):
            values = sorted({k.value for k in keys if k.kind == kind})
            for chunk in chunked(values):
                rows = self._execute(
                    select(r.value, r["class"], r.account_id).where(
                        r.kind == kind, r.value.in_(chunk)
                    )
                )
                for value, mail_class, account_id in rows:
                    key = RuleKey(kind, value)
                    found[key] = Rule(key, mail_class, account_id)
        return found

    def remember(
        self,
        key: RuleKey,
        mail_class: str,
        account_id: uuid.UUID | None,
        agent_id: uuid.UUID | None,
        at: datetime,
    ) -> None:
        """Remember (or replace) the class for a key."""
        r = _RULES.c
        values = {"class": mail_class, "account_id": account_id, "created_by": agent_id, "at": at}
        result = self._execute(
            update(_RULES).where(r.kind == key.kind, r.value == key.value).values(values)
        )
        if int(result.rowcount) == 0:
            insert_rows(
                self._session.connection(),
                _RULES,
                [{"id": uuid.uuid4(), "kind": key.kind, "value": key.value, **values}],
            )

    # -- accounts and contacts ---------------------------------------------------------
    def account_named(self, name: str) -> tuple[uuid.UUID, str] | None:
        """The account with this name (case-insensitive), if any."""
        a = _ACCOUNTS.c
        row = self._execute(
            select(a.id, a.name)
            .where(func.lower(a.name) == name.strip().lower())
            .order_by(a.name)
            .limit(1)
        ).first()
        return None if row is None else (row[0], row[1])

    def create_account(self, name: str, domain: str | None = None) -> uuid.UUID:
        """A new account."""
        account_id = uuid.uuid4()
        insert_rows(
            self._session.connection(),
            _ACCOUNTS,
            [{"id": account_id, "name": name.strip(), "domain": domain}],
        )
        return account_id

    def claim_domain(self, account_id: uuid.UUID, domain: str) -> None:
        """New contacts of `domain` belong to the account (if it names no domain yet)."""
        self._execute(
            update(_ACCOUNTS)
            .where(_ACCOUNTS.c.id == account_id, _ACCOUNTS.c.domain.is_(None))
            .values(domain=domain)
        )

    def accounts_matching(self, text: str, limit: int) -> list[str]:
        """Account names with the letters of `text` in order; names starting with it first,
        then names containing it, then the rest, each alphabetical."""
        needle = "".join(text.lower().split())
        a = _ACCOUNTS.c
        statement = select(a.name)
        if needle:
            cleaned = needle.replace("%", "").replace("_", "")
            statement = statement.where(func.lower(a.name).like("%" + "%".join(cleaned) + "%"))
        names = [row[0] for row in self._execute(statement.order_by(a.name).limit(500))]

        def rank(name: str) -> tuple[int, str]:
            low = name.lower()
            return (0 if low.startswith(needle) else 1 if needle in low else 2, low)

        return sorted(names, key=rank)[:limit]

    def link_contacts(self, emails: Collection[str], account_id: uuid.UUID) -> int:
        """Link these contacts to the account."""
        changed = 0
        for chunk in chunked(sorted({e.lower() for e in emails})):
            result = self._execute(
                update(_CONTACTS).where(_CONTACTS.c.email.in_(chunk)).values(account_id=account_id)
            )
            changed += int(result.rowcount)
        return changed

    def link_domain_contacts(self, domain: str, account_id: uuid.UUID) -> int:
        """Link the contacts of `domain` that have no account yet."""
        result = self._execute(
            update(_CONTACTS)
            .where(_CONTACTS.c.email.like("%@" + domain), _CONTACTS.c.account_id.is_(None))
            .values(account_id=account_id)
        )
        return int(result.rowcount)

    def senders_of(self, key: RuleKey, limit: int = 1000) -> list[tuple[str, str]]:
        """The distinct (address, name) of a sender key's inbound mail (at most `limit`)."""
        m = _MAILS.c
        rows = self._execute(
            select(m.from_email, func.max(m.from_name))
            .where(self._of_sender(key))
            .group_by(m.from_email)
            .limit(limit)
        )
        return [(row[0], row[1] or "") for row in rows]


def sender_domain(address: str) -> str | None:
    """The `from_domain` stored for a sender address (None: no domain)."""
    return domain_of(address) or None
