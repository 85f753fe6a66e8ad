"""Reading one customer (VIEW-4): a contact with its account, the account's other
addresses, its cases (open first) and the time spent on them.

A part of `ReadStore` (storage/reads.py), `store.contacts`, on the same plain DB-API
connection. Every query is bounded (LIMIT, or an aggregate over the contact's own cases
through the `contact_id` / `account_id` indexes): a customer with thousands of cases
costs a page, not the table. The customer's recent mail is the conversations list
narrowed to the sender (`store.mail`'s page), so it looks as it does there.
"""

import json
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from helpdesk_tui.domain.classification import keys_for
from helpdesk_tui.domain.enums import Status
from helpdesk_tui.domain.query import CaseQuery
from helpdesk_tui.storage.chunks import chunked
from helpdesk_tui.storage.dialect import Fetch
from helpdesk_tui.storage.readmodels import CaseSummary

#: Cases, addresses a view reads at most.
CASES_LIMIT = 50
ADDRESSES_LIMIT = 20

#: Lists a page of cases for a query (ReadStore.list_cases without the agent's context).
ListCases = Callable[[CaseQuery, int], list[CaseSummary]]


@dataclass(frozen=True)
class ContactCard:
    """A contact as the customer view and `contact show` present it.

    `known` is False for a sender that is no contact yet (mail only): the name is then
    the one its newest mail gave. `addresses` are the account's other contacts' addresses
    (at most `ADDRESSES_LIMIT`); `cases` the contact's own cases, open ones first (at
    most `CASES_LIMIT`, `more_cases` when there are more); `account_cases` the account's
    cases of other contacts, likewise. Time spent is in hundredths of an hour.
    """

    email: str
    name: str
    phone: str | None
    account: str | None
    account_domain: str | None
    known: bool
    addresses: tuple[str, ...]
    cases: tuple[CaseSummary, ...]
    more_cases: bool
    account_cases: tuple[CaseSummary, ...]
    time_spent_centi: int
    account_time_spent_centi: int
    mail_class: str | None = None
    """The class remembered for the address, else for its domain, else the class of its
    newest classified mail (MAIL-8); None: unclassified."""
    class_source: str | None = None
    """Where `mail_class` comes from: `address a@b.de`, `domain b.de`, `mail`."""


def open_first(
    list_cases: ListCases, query: CaseQuery, limit: int
) -> tuple[list[CaseSummary], bool]:
    """Up to `limit` cases of `query`: the ones not closed first (by due date), then the
    closed ones; and whether there are more."""
    open_rows = list_cases(replace(query, not_closed=True), limit + 1)
    rows = open_rows[:limit]
    more = len(open_rows) > limit
    if len(rows) < limit:
        closed = list_cases(
            replace(query, statuses=frozenset({Status.CLOSED})), limit - len(rows) + 1
        )
        more = len(rows) + len(closed) > limit
        rows += closed[: limit - len(rows)]
    return rows, more


class ContactReads:
    """Customer queries, run through the store's `fetch`; case pages through `list_cases`."""

    def __init__(self, fetch: Fetch, list_cases: ListCases, *, sqlite: bool) -> None:
        self._fetch = fetch
        self._list_cases = list_cases
        self._sqlite = sqlite

    def card(self, email: str, *, limit: int = CASES_LIMIT) -> ContactCard | None:
        """The contact with address `email` (case-insensitive), or the sender of that
        address known from mail only; None when neither exists."""
        address = email.strip().lower()
        rows = self._fetch(
            "SELECT ct.id, ct.email, ct.name, ct.phone, ac.id, ac.name, ac.domain"
            " FROM contacts ct LEFT JOIN accounts ac ON ac.id = ct.account_id"
            " WHERE ct.email = ?",
            (address,),
        )
        if not rows:
            return self._sender_only(address)
        contact_id, stored, name, phone, account_id, account, domain = rows[0]
        cases, more = open_first(self._list_cases, CaseQuery(contacts=frozenset({stored})), limit)
        account_cases: list[CaseSummary] = []
        addresses: tuple[str, ...] = ()
        account_time = 0
        if account_id is not None:
            found, _ = open_first(
                self._list_cases, CaseQuery(accounts=frozenset({account})), limit + len(cases)
            )
            own = {c.number for c in cases}
            account_cases = [c for c in found if c.contact_email != stored and c.number not in own]
            account_cases = account_cases[:limit]
            addresses = tuple(
                str(row[0])
                for row in self._fetch(
                    "SELECT email FROM contacts WHERE account_id = ? AND id != ?"
                    " ORDER BY email LIMIT ?",
                    (account_id, contact_id, ADDRESSES_LIMIT),
                )
            )
            account_time = self._time_spent("c.account_id = ?", account_id)
        return ContactCard(
            email=stored,
            name=name or "",
            phone=phone,
            account=account,
            account_domain=domain,
            known=True,
            addresses=addresses,
            cases=tuple(cases),
            more_cases=more,
            account_cases=tuple(account_cases),
            time_spent_centi=self._time_spent("c.contact_id = ?", contact_id),
            account_time_spent_centi=account_time,
            **self._class_of(stored),
        )

    def _sender_only(self, address: str) -> ContactCard | None:
        """A sender no contact row knows: its name from its newest mail."""
        rows = self._fetch(
            "SELECT from_email, from_name FROM mails WHERE from_email = ?"
            " ORDER BY received_at DESC LIMIT 1",
            (address,),
        )
        if not rows:
            return None
        stored, name = rows[0]
        return ContactCard(
            email=stored,
            name=name or "",
            phone=None,
            account=None,
            account_domain=None,
            known=False,
            addresses=(),
            cases=(),
            more_cases=False,
            account_cases=(),
            time_spent_centi=0,
            account_time_spent_centi=0,
            **self._class_of(stored),
        )

    def attachments(self, mail_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, list[dict[str, Any]]]:
        """The stored attachment list (`mails.attachments`) of each of these mails, for
        the mail JSON of `contact show` (a customer's recent mail: a few ids)."""
        found: dict[uuid.UUID, list[dict[str, Any]]] = {}
        for chunk in chunked(list(mail_ids), 500):
            marks = ", ".join("?" * len(chunk))
            params = [m.hex if self._sqlite else m for m in chunk]
            for mail_id, stored in self._fetch(
                f"SELECT id, attachments FROM mails WHERE id IN ({marks})", params
            ):
                key = mail_id if isinstance(mail_id, uuid.UUID) else uuid.UUID(str(mail_id))
                found[key] = json.loads(stored or "[]")
        return found

    def _class_of(self, address: str) -> dict[str, str | None]:
        """The sender's class: its address rule, its domain rule, its newest classified
        mail (one index lookup each, at most)."""
        for key in keys_for(address):
            rows = self._fetch(
                'SELECT "class" FROM sender_rules WHERE kind = ? AND value = ?',
                (key.kind, key.value),
            )
            if rows:
                return {"mail_class": rows[0][0], "class_source": key.label}
        rows = self._fetch(
            "SELECT \"class\" FROM mails WHERE direction = 'in' AND from_email = ?"
            ' AND "class" IS NOT NULL ORDER BY received_at DESC LIMIT 1',
            (address,),
        )
        if rows:
            return {"mail_class": rows[0][0], "class_source": "mail"}
        return {"mail_class": None, "class_source": None}

    def _time_spent(self, where: str, key: Any) -> int:
        """Hundredths of an hour recorded on the cases matching `where` (ACT-4)."""
        rows = self._fetch(
            "SELECT coalesce(sum(a.time_spent_centi), 0) FROM activities a"
            " JOIN cases c ON c.id = a.case_id WHERE " + where + " AND a.time_spent_centi > 0",
            (key,),
        )
        return int(rows[0][0] or 0)
