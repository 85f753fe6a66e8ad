"""The conversations inbox's filter (MAIL-8): `unread unclassified old older:14d class:newsletter
account:"ACME GmbH" from:anna@kunde.de last:30d mailbox:support filed unfiled archived`
plus free words (searched in sender and subject).

Pure: no storage. Terms are AND-ed; a later term of the same key replaces an earlier one.
"""

import re
from dataclasses import dataclass, replace

from helpdesk_tui.domain.errors import ValidationError

#: The classes a mail can be given, in the order of the classify dialog's keys 1–5.
MAIL_CLASSES = ("customer", "supplier", "internal", "newsletter", "advertising")

#: Mail older than this many days and neither archived nor answered is "old and open".
OLD_DAYS = 7

_TOKEN = re.compile(r'(\w+:)"([^"]*)"?|"([^"]*)"?|(\S+)')
_PERIOD = re.compile(r"(\d{1,4})d")


@dataclass(frozen=True)
class MailFilter:
    """A filter over the conversations list; defaults do not filter.

    `filed`: None both, True filed onto a case, False unfiled. `archived`: False hides
    archived mail, True shows only archived mail. `period_days`: received in the last N
    days. `old_open`: older than OLD_DAYS days, not archived, not answered.
    """

    unread: bool = False
    unclassified: bool = False
    old_open: bool = False
    mail_class: str | None = None
    account: str | None = None
    sender: str | None = None
    period_days: int | None = None
    mailbox: str | None = None
    filed: bool | None = None
    archived: bool = False
    words: str = ""
    older_than_days: int | None = None
    """With `old_open`: older than this many days instead of OLD_DAYS."""


def parse_mail_class(text: str) -> str:
    """A class name (`customer` … `advertising`, any case); ValidationError otherwise."""
    value = text.strip().lower()
    if value not in MAIL_CLASSES:
        raise ValidationError(
            f"unknown class {text.strip()!r} (one of {', '.join(MAIL_CLASSES)})", field="class"
        )
    return value


def parse_period(text: str) -> int:
    """`30d` → 30; ValidationError on anything else."""
    match = _PERIOD.fullmatch(text.strip().lower())
    if match is None or int(match.group(1)) == 0:
        raise ValidationError(f"bad period {text.strip()!r} (e.g. 7d, 30d)", field="period")
    return int(match.group(1))


def parse_mail_query(text: str) -> MailFilter:
    """The filter a query-bar text asks for; ValidationError (one line) on a bad token."""
    found = MailFilter()
    words: list[str] = []
    for match in _TOKEN.finditer(text):
        key, quoted_value, phrase, bare = match.groups()
        if phrase is not None:
            if phrase.strip():
                words.append(phrase.strip())
            continue
        if key is not None:
            found = _keyed(found, key[:-1].lower(), quoted_value)
            continue
        assert bare is not None
        if ":" in bare and not bare.startswith(":"):
            name, _, value = bare.partition(":")
            found = _keyed(found, name.lower(), value)
            continue
        flag = bare.lower()
        if flag == "unread":
            found = replace(found, unread=True)
        elif flag == "unclassified":
            found = replace(found, unclassified=True)
        elif flag == "old":
            found = replace(found, old_open=True)
        elif flag in ("filed", "unfiled"):
            found = replace(found, filed=flag == "filed")
        elif flag == "archived":
            found = replace(found, archived=True)
        else:
            words.append(bare)
    return replace(found, words=" ".join(words))


def _keyed(found: MailFilter, key: str, value: str) -> MailFilter:
    value = value.strip()
    if not value:
        raise ValidationError(f"{key}: needs a value", field="query")
    if key == "class":
        return replace(found, mail_class=parse_mail_class(value))
    if key == "account":
        return replace(found, account=value)
    if key == "from":
        return replace(found, sender=value.lower())
    if key == "last":
        return replace(found, period_days=parse_period(value))
    if key == "older":
        return replace(found, old_open=True, older_than_days=parse_period(value))
    if key == "mailbox":
        return replace(found, mailbox=value)
    raise ValidationError(
        f"unknown filter {key}: (class: account: from: last: older: mailbox:)", field="query"
    )
