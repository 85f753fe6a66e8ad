"""The activity feed (issue 13, TUI-1): scopes, the filter syntax, and one-line summaries.

The feed lists timeline entries across cases, newest first. Who may see which scope and
how a row reads are rules, so they live here, stdlib only; storage pages the rows.

Filter syntax (the feed's query bar; the CLI options say the same):
`kind:mail @bob since:2d case:27` — `kind:` one or more kinds (comma-separated; `mail` is
mail in and out), `@user` an actor, `since:` a date (`2026-12-01`) or an age (`2d`, `3h`,
`30m`, `1w`), `case:` a case number (`27`, `0000027-001`).
"""

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, time, timedelta
from enum import StrEnum

from helpdesk_tui.domain.dates import check_date_range
from helpdesk_tui.domain.enums import ActivityKind, Role
from helpdesk_tui.domain.errors import PermissionDeniedError, QueryError, ValidationError
from helpdesk_tui.domain.numbering import CaseNumber, parse_case_number
from helpdesk_tui.domain.safe_text import one_line

#: Longest summary a feed row shows (the screen cuts it further to its width).
SUMMARY_WIDTH = 100


class FeedScope(StrEnum):
    """Whose cases the feed covers."""

    MINE = "mine"  # cases delegated to me or owned by me
    GROUPS = "groups"  # … plus the cases delegated to my groups
    ALL = "all"  # every case: leads and admins only


#: Kind names the filter accepts besides the ActivityKind values.
KIND_ALIASES: Mapping[str, frozenset[str]] = {
    "mail": frozenset({ActivityKind.MAIL_IN.value, ActivityKind.MAIL_OUT.value}),
    "delegated": frozenset({ActivityKind.DELEGATION.value}),
    "reply": frozenset({ActivityKind.MAIL_OUT.value}),
}


def check_scope(scope: FeedScope, role: Role) -> None:
    """Refuse the whole-desk feed to an agent (leads and admins see everything)."""
    if scope is FeedScope.ALL and role is Role.AGENT:
        raise PermissionDeniedError(
            "only leads and admins see all activity (use the scope mine or groups)"
        )


def parse_scope(text: str) -> FeedScope:
    """`mine`, `groups`, `all` → FeedScope."""
    try:
        return FeedScope(text.strip().lower())
    except ValueError:
        known = ", ".join(s.value for s in FeedScope)
        raise ValidationError(f"unknown scope {text!r} (known: {known})") from None


def parse_kinds(text: str) -> frozenset[str]:
    """`mail,status` → the activity kinds stored (`mail` = mail_in and mail_out)."""
    kinds: set[str] = set()
    for part in text.split(","):
        name = part.strip().lower()
        if not name:
            continue
        if name in KIND_ALIASES:
            kinds |= KIND_ALIASES[name]
            continue
        try:
            kinds.add(ActivityKind(name).value)
        except ValueError:
            known = ", ".join(sorted({*(k.value for k in ActivityKind), *KIND_ALIASES}))
            raise QueryError(f"unknown kind {part.strip()!r} (known: {known})") from None
    if not kinds:
        raise QueryError("kind: needs a value")
    return frozenset(kinds)


_AGE = re.compile(r"^(\d{1,5})([mhdw])$")
_AGE_UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def parse_since(text: str, now: datetime) -> datetime:
    """`2d`, `3h`, `30m`, `1w` before `now`, a date (its start, UTC), or an ISO instant."""
    value = text.strip().lower()
    match = _AGE.match(value)
    if match:
        unit = _AGE_UNITS[match.group(2)]
        return now.astimezone(UTC) - timedelta(**{unit: int(match.group(1))})
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise QueryError(
            f"not a time: {text!r} (expected YYYY-MM-DD, an ISO time, or an age like 2d, 3h)"
        ) from None
    check_date_range("since", moment.date())
    if moment.tzinfo is None:
        if len(text.strip()) == 10:  # a bare date: from its start
            moment = datetime.combine(moment.date(), time(), tzinfo=UTC)
        else:
            moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


@dataclass(frozen=True)
class FeedFilter:
    """What the feed is narrowed to; empty: everything in the scope."""

    kinds: frozenset[str] = frozenset()
    actors: frozenset[str] = frozenset()  # usernames, lower case
    case: CaseNumber | None = None
    since: datetime | None = None

    @property
    def empty(self) -> bool:
        """Whether nothing narrows the feed."""
        return self == FeedFilter()


_TOKEN = re.compile(r"\S+")


def parse_feed_filter(text: str, now: datetime) -> FeedFilter:
    """The filter bar's text (`kind:mail @bob since:2d case:27`) → FeedFilter."""
    feed = FeedFilter()
    for match in _TOKEN.finditer(text):
        token = match.group()
        if token.startswith("@"):
            if len(token) == 1:
                raise QueryError("@ needs a user name")
            feed = replace(feed, actors=feed.actors | {token[1:].lower()})
            continue
        key, sep, value = token.partition(":")
        key = key.lower()
        if not sep or key not in ("kind", "since", "case", "by"):
            raise QueryError(
                f"unknown filter {token!r} (use kind:KIND, @user, since:2d, case:NUMBER)"
            )
        if not value:
            raise QueryError(f"{key}: needs a value")
        if key == "kind":
            feed = replace(feed, kinds=feed.kinds | parse_kinds(value))
        elif key == "by":
            feed = replace(feed, actors=feed.actors | {value.removeprefix("@").lower()})
        elif key == "since":
            feed = replace(feed, since=parse_since(value, now))
        else:
            try:
                number = parse_case_number(value)
            except ValidationError as error:
                raise QueryError(str(error)) from None
            feed = replace(feed, case=number)
    return feed


def _value(value: str | None) -> str:
    return "–" if value is None or value == "" else one_line(value, 40)


def _excerpt(text: str) -> str:
    return one_line(text, SUMMARY_WIDTH)


def summary(
    kind: str,
    changes: Mapping[str, Sequence[str | None]],
    text: str,
    *,
    mail_from: str | None = None,
) -> str:
    """One line saying what an entry did: `open → waiting`, `→ bob`, `mail from …`, or the
    comment's first words. `mail_from` is the sender of a mail entry (name or address)."""
    line = _summary(kind, changes, text, mail_from)
    return one_line(line, SUMMARY_WIDTH)


def _summary(
    kind: str, changes: Mapping[str, Sequence[str | None]], text: str, mail_from: str | None
) -> str:
    note = f": {_excerpt(text)}" if text.strip() else ""
    if kind == ActivityKind.STATUS and "status" in changes:
        old, new = changes["status"][0], changes["status"][1]
        return f"{_value(old)} → {_value(new)}{note}"
    if kind == ActivityKind.DELEGATION:
        user = changes.get("delegated_user", (None, None))[1]
        group = changes.get("delegated_group", (None, None))[1]
        target = user if user else (f"@{group}" if group else "nobody")
        return f"→ {one_line(target, 40)}{note}"
    if kind == ActivityKind.CLOSED:
        resolution = changes.get("resolution", (None, None))[1]
        return f"closed ({resolution}){note}" if resolution else f"closed{note}"
    if kind == ActivityKind.REOPENED:
        return f"reopened{note}"
    if kind == ActivityKind.MAIL_IN:
        sender = f"mail from {one_line(mail_from, 60)}" if mail_from else "mail in"
        return f"{sender}{note}"
    if kind == ActivityKind.MAIL_OUT:
        return f"mail sent{note}"
    if kind == ActivityKind.CREATED:
        return "created"
    if kind == ActivityKind.EDIT and changes:
        parts = [f"{field} {_value(old)} → {_value(new)}" for field, (old, new) in changes.items()]
        more = f" (+{len(parts) - 1} more)" if len(parts) > 1 else ""
        return parts[0] + more
    return _excerpt(text) if text.strip() else kind


def age(at: datetime, now: datetime) -> str:
    """How long ago, in at most four characters: `now`, `5m`, `3h`, `2d`, `7w`, `2y`."""
    seconds = (now - at).total_seconds()
    if seconds < 60:
        return "now"
    for unit, size in (("m", 60), ("h", 3600), ("d", 86400), ("w", 7 * 86400)):
        nxt = {"m": 3600, "h": 86400, "d": 7 * 86400, "w": 365 * 86400}[unit]
        if seconds < nxt:
            return f"{int(seconds // size)}{unit}"
    return f"{int(seconds // (365 * 86400))}y"
