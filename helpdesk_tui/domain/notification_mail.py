"""Notification mail (DATE-4): which agent gets a mail of their notifications, when, and
what it says.

An agent chooses `off`, `each` (a mail per notification) or `digest` (one mail with
everything new, once the oldest of it is `digest_interval` old); without a choice of
their own the configured default (`[notifications] email`) holds. A notification is
mailed once (the store marks it), only while it is unread (read in the TUI meanwhile, it
needs no mail), and never for the agent's own action.

The mails are plain text to the agent's own address. Their subject never carries the
case tag (`[#0001234]`): an agent's answer to a notification must not be filed on the
case as if the customer had written.
"""

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from helpdesk_tui.domain.errors import ValidationError
from helpdesk_tui.domain.numbering import CaseNumber
from helpdesk_tui.domain.safe_text import one_line


class MailChoice(StrEnum):
    """How an agent wants their notifications by mail (`agents.notify_email`)."""

    OFF = "off"
    EACH = "each"
    DIGEST = "digest"


#: Notifications older than this are never mailed: turning mail on does not send history.
LOOK_BACK = timedelta(days=1)
#: How many notifications one digest lists; the rest are counted.
DIGEST_LINES = 50

_WHAT = {
    "delegated": "delegated to you",
    "changed": "changed",
    "closed_activity": "activity on a closed case",
    "mention": "you were mentioned",
    "reminder": "reminder",
    "overdue": "overdue",
}


@dataclass(frozen=True)
class Noted:
    """A notification waiting to be mailed."""

    id: uuid.UUID
    kind: str
    case: CaseNumber | None
    subject: str
    at: datetime
    by: str | None
    text: str


@dataclass(frozen=True)
class NoticeMail:
    """One mail to an agent: its subject, its text, and the notifications it carries."""

    subject: str
    body: str
    notes: tuple[Noted, ...]


def parse_choice(text: str) -> MailChoice:
    """`off`, `each` or `digest`; anything else is refused in one line."""
    try:
        return MailChoice(text.strip().lower())
    except ValueError:
        raise ValidationError(
            f"notification mail is off, each or digest, not {one_line(text, 20)!r}"
        ) from None


def choice_of(own: str | None, default: MailChoice) -> MailChoice:
    """The agent's own choice, or the configured default (an unknown stored value: off)."""
    if own is None:
        return default
    try:
        return MailChoice(own)
    except ValueError:
        return MailChoice.OFF


def next_choice(own: MailChoice | None) -> MailChoice | None:
    """The choice after `own` as a key cycles it: default → off → each → digest →
    default (None: the configured default)."""
    cycle: list[MailChoice | None] = [None, MailChoice.OFF, MailChoice.EACH, MailChoice.DIGEST]
    return cycle[(cycle.index(own) + 1) % len(cycle)]


def describe_choice(
    own: MailChoice | None, default: MailChoice, *, address: str | None, can_send: bool
) -> list[str]:
    """What an agent is told of their notification mail: the mode and whose choice it is,
    then why nothing is sent when that is so (no address, no [smtp])."""
    mode = own or default
    said = [f"notification mail: {mode} ({'your choice' if own else 'the configured default'})"]
    if mode is not MailChoice.OFF and not address:
        said.append("but you have no mail address: ask an admin (helpdesk user add … --email)")
    elif mode is not MailChoice.OFF and not can_send:
        said.append("but no [smtp] is configured: nothing is sent")
    return said


def look_back(interval: timedelta) -> timedelta:
    """How far back notifications are considered: a day, or two digest intervals."""
    return max(LOOK_BACK, 2 * interval)


def mails_for(
    choice: MailChoice,
    agent: str,
    notes: Sequence[Noted],
    now: datetime,
    interval: timedelta,
    helpdesk: str = "helpdesk",
) -> list[NoticeMail]:
    """The mails due for `agent` now: none when off, one per notification when `each`,
    one digest once the oldest waiting notification is `interval` old. Notifications of
    the agent's own actions are left out."""
    waiting = sorted((n for n in notes if n.by != agent), key=lambda n: (n.at, str(n.id)))
    if choice is MailChoice.OFF or not waiting:
        return []
    if choice is MailChoice.EACH:
        return [_each(note, helpdesk) for note in waiting]
    if now - waiting[0].at < interval:
        return []
    return [_digest(waiting, helpdesk)]


def _what(note: Noted) -> str:
    return _WHAT.get(note.kind, note.kind.replace("_", " "))


def _about(note: Noted) -> str:
    """`0001234 Printer broken` (no brackets, no tag)."""
    if note.case is None:
        return ""
    return f"{note.case} {one_line(note.subject, 60)}".strip()


def _line(note: Noted) -> str:
    by = f" — {note.by}" if note.by else ""
    return f"{note.at:%Y-%m-%d %H:%M} UTC  {_what(note)}{by}\n  {one_line(note.text, 300)}"


def _footer(helpdesk: str, choice: MailChoice) -> str:
    return (
        f"\n\n-- \nSent by {helpdesk} because your notification mail is set to "
        f"'{choice}'.\nRead them with `helpdesk notifications`; change this with "
        "`helpdesk notifications email off|each|digest`.\n"
        "Please do not answer this mail: answers are not filed on the case.\n"
    )


def _each(note: Noted, helpdesk: str) -> NoticeMail:
    about = _about(note)
    subject = f"{helpdesk}: {_what(note)}" + (f" — {about}" if about else "")
    body = _line(note)
    if note.case is not None:
        body += f"\n\nCase {note.case}: {one_line(note.subject, 200)}"
        body += f"\nOpen it with `helpdesk case show {note.case}` or in the TUI."
    return NoticeMail(one_line(subject, 200), body + _footer(helpdesk, MailChoice.EACH), (note,))


def _digest(notes: Sequence[Noted], helpdesk: str) -> NoticeMail:
    count = len(notes)
    cases = {note.case for note in notes if note.case is not None}
    subject = f"{helpdesk}: {count} notification{'s' * (count != 1)}"
    if cases:
        subject += f" on {len(cases)} case{'s' * (len(cases) != 1)}"
    blocks = []
    for note in notes[:DIGEST_LINES]:
        about = _about(note)
        blocks.append((f"{about}\n" if about else "") + _line(note))
    if count > DIGEST_LINES:
        blocks.append(f"… and {count - DIGEST_LINES} more: `helpdesk notifications --unread`")
    body = "\n\n".join(blocks)
    return NoticeMail(subject, body + _footer(helpdesk, MailChoice.DIGEST), tuple(notes))
