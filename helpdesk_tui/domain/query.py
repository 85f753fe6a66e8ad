"""The query syntax of VIEW-1: `status:open prio:high @me type:complaint overdue "printer jam"`.

Terms are AND-ed; the values of one key (`status:open,waiting`, `prio:high prio:low`) are
alternatives. A view narrowed by a typed query is both at once (`CaseQuery.narrowed`).
A case number (`27`, `0000027`, `27-2`, `#27`) is a term of its own: that case first,
then what the rest of the query finds (the number is searched as text too: mails quote
case numbers).
"""

import re
from dataclasses import dataclass, field, replace
from typing import Any

from helpdesk_tui.domain.enums import Priority, Status
from helpdesk_tui.domain.errors import QueryError, ValidationError
from helpdesk_tui.domain.numbering import CaseNumber, parse_case_number
from helpdesk_tui.domain.policy import parse_priority, parse_status

VIEWS = ("mine", "groups", "unassigned", "overdue", "reminder", "waiting", "open", "closed", "all")
#: The SLA views (DATE-3): shown after VIEWS where SLA policies are configured.
SLA_VIEWS = ("sla_at_risk", "sla_breached")
ME = "@me"
#: `key:"quoted value"`, a "quoted phrase" (an unterminated quote runs to the end of the
#: text, which is friendlier while typing), or a bare token.
_TOKEN = re.compile(r'(\w+:)"([^"]*)"?|"([^"]*)"?|(\S+)')
_KEYS = {
    "status": "statuses",
    "prio": "priorities",
    "priority": "priorities",
    "type": "types",
    "group": "groups",
    "account": "accounts",
    "contact": "contacts",
    "user": "users",
}  # `is:` is handled apart
# Bare words that are flags; others go through `is:` so "cannot open file" stays text.
_FLAGS = {"overdue", "unassigned"}
_IS = {"overdue", "reminder", "unassigned", "open", "closed"}
#: What may be a case number: `27`, `0000027`, `27-2`, `0000027-002`, `#27`.
_NUMBER = re.compile(r"#?\d{1,7}(?:-\d{1,3})?")


@dataclass(frozen=True)
class CaseQuery:
    """A filter over cases; empty fields do not filter. `users` may hold `@me`."""

    statuses: frozenset[Status] = frozenset()
    not_closed: bool = False
    priorities: frozenset[Priority] = frozenset()
    types: frozenset[str] = frozenset()
    groups: frozenset[str] = frozenset()
    my_groups: bool = False
    users: frozenset[str] = frozenset()
    unassigned: bool = False
    accounts: frozenset[str] = frozenset()
    contacts: frozenset[str] = frozenset()
    overdue: bool = False
    reminder_due: bool = False
    words: tuple[str, ...] = field(default_factory=tuple)
    numbers: frozenset[CaseNumber] = frozenset()
    """Cases asked for by number: listed first, if the other filters let them."""
    sla_at_risk: bool = False
    """A running SLA clock has used ≥ 75 % of its target, none is breached (not closed)."""
    sla_breached: bool = False
    """An SLA clock is breached (not closed)."""
    nothing: bool = False
    """The filters contradict each other (Closed and `status:open`): no case matches."""

    def __post_init__(self) -> None:
        # Not closed (also implied by overdue / reminder due) and `status:closed` at once.
        if self.statuses and (self.not_closed or self.overdue or self.reminder_due):
            open_ones = self.statuses - {Status.CLOSED}
            object.__setattr__(self, "statuses", open_ones)
            if not open_ones:
                object.__setattr__(self, "nothing", True)
        if self.unassigned and self.users:
            object.__setattr__(self, "nothing", True)

    def narrowed(self, other: "CaseQuery", *, me: str) -> "CaseQuery":
        """Both filters at once (a view AND a typed query); `me` is who `@me` is.

        A key both filter on keeps the values they share; none shared: nothing matches.
        """
        nothing = self.nothing or other.nothing

        def both(mine: frozenset[Any], theirs: frozenset[Any], key: Any = None) -> frozenset[Any]:
            nonlocal nothing
            if not mine or not theirs:
                return mine | theirs
            if key is None:
                shared = mine & theirs
            else:
                wanted = {key(v) for v in theirs}
                shared = frozenset(v for v in mine if key(v) in wanted)
            nothing = nothing or not shared
            return shared

        def who(user: str) -> str:
            return "@" + me.lower() if user == ME else user

        users = self.users | other.users
        if self.users and other.users:  # `@me` and `@alice` may be the same agent
            users = both(frozenset(map(who, self.users)), frozenset(map(who, other.users)))
        narrowed = CaseQuery(
            statuses=both(self.statuses, other.statuses),
            not_closed=self.not_closed or other.not_closed,
            priorities=both(self.priorities, other.priorities),
            types=both(self.types, other.types),
            groups=both(self.groups, other.groups),
            my_groups=self.my_groups or other.my_groups,
            users=users,
            unassigned=self.unassigned or other.unassigned,
            accounts=both(self.accounts, other.accounts, str.lower),
            contacts=both(self.contacts, other.contacts),
            overdue=self.overdue or other.overdue,
            reminder_due=self.reminder_due or other.reminder_due,
            words=self.words + other.words,
            numbers=self.numbers | other.numbers,
            sla_at_risk=self.sla_at_risk or other.sla_at_risk,
            sla_breached=self.sla_breached or other.sla_breached,
        )
        return replace(narrowed, nothing=True) if nothing else narrowed


def view_query(view: str) -> CaseQuery:
    """The saved views of VIEW-1 as queries."""
    name = view.strip().lower()
    match name:
        case "mine":
            return CaseQuery(users=frozenset({ME}), not_closed=True)
        case "groups":
            return CaseQuery(my_groups=True, not_closed=True)
        case "unassigned":
            return CaseQuery(unassigned=True, not_closed=True)
        case "overdue":
            return CaseQuery(overdue=True, not_closed=True)
        case "reminder":
            return CaseQuery(reminder_due=True, not_closed=True)
        case "waiting":
            return CaseQuery(statuses=frozenset({Status.WAITING}))
        case "open":
            return CaseQuery(not_closed=True)
        case "closed":
            return CaseQuery(statuses=frozenset({Status.CLOSED}))
        case "all":
            return CaseQuery()
        case "sla_at_risk":
            return CaseQuery(sla_at_risk=True, not_closed=True)
        case "sla_breached":
            return CaseQuery(sla_breached=True, not_closed=True)
    raise QueryError(f"unknown view {view!r} (known: {', '.join(VIEWS + SLA_VIEWS)})")


def parse_query(text: str) -> CaseQuery:
    """Parse the query bar / `--query` text; bare words (or "quoted phrases") are full text."""
    query = CaseQuery()
    for match in _TOKEN.finditer(text):
        key, value, phrase, token = match.groups()
        if key is not None:
            query = _apply_token(query, key + value)
        elif phrase is not None:  # "quoted text" is always searched for, never a filter
            if phrase.strip():
                query = replace(query, words=(*query.words, phrase.strip()))
        else:
            query = _apply_token(query, token)
    return query


def _apply_token(query: CaseQuery, token: str) -> CaseQuery:
    lowered = token.lower()
    if _NUMBER.fullmatch(token):
        try:
            number = parse_case_number(token)
        except ValidationError:  # `0`, `27-0`: digits, not a case
            return replace(query, words=(*query.words, token))
        return replace(query, words=(*query.words, token), numbers=query.numbers | {number})
    if lowered.startswith("@") and len(token) > 1:
        return replace(query, users=query.users | {lowered})
    if lowered in _FLAGS:
        return _flag(query, lowered)
    key, sep, value = token.partition(":")
    if not sep or " " in key:
        return replace(query, words=(*query.words, token))
    if key.lower() == "is":
        if value.lower() not in _IS:
            raise QueryError(f"unknown is:{value} (known: {', '.join(sorted(_IS))})")
        return _flag(query, value.lower())
    attribute = _KEYS.get(key.lower())
    if attribute is None:
        known = ", ".join(sorted(_KEYS))
        raise QueryError(f"unknown filter {key + ':'!r} (known: {known})")
    if not value:
        raise QueryError(f"{key}: needs a value")
    values: set[object] = set(getattr(query, attribute))
    for part in value.split(","):
        values.add(_value(attribute, part))
    update: dict[str, Any] = {attribute: frozenset(values)}
    return replace(query, **update)


def _flag(query: CaseQuery, flag: str) -> CaseQuery:
    if flag == "overdue":
        return replace(query, overdue=True)
    if flag == "reminder":
        return replace(query, reminder_due=True)
    if flag == "unassigned":
        return replace(query, unassigned=True)
    if flag == "open":
        return replace(query, not_closed=True)
    return replace(query, statuses=query.statuses | {Status.CLOSED})


def _value(attribute: str, raw: str) -> object:
    try:
        if attribute == "statuses":
            return parse_status(raw)
        if attribute == "priorities":
            return parse_priority(raw)
    except ValidationError as error:
        raise QueryError(error.message) from None
    if attribute == "users":
        return "@" + raw.lower().lstrip("@")
    return raw.lower() if attribute != "accounts" else raw
