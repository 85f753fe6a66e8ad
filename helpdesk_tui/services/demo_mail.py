"""The demo's mail (MAIL-3, MAIL-9, MAIL-11, SEC-5): a few `.eml` files from
`sample_data/mail/`, filed through the real intake (`parse`, then `ingest`).

They show what intake does: routing rules open cases, a customer's reply files onto a
demo case by its tag, a tag forged from an agent's address waits unverified in the
unfiled inbox, hostile text (escape sequences, Rich markup, a bidi override in an
attachment name) stays text, and a malformed mail is kept with its defects.

The files carry a few placeholders, filled when the demo is seeded: `{date-90m}` (the
demo's now minus 90 minutes; `m`, `h` or `d`), and the reply's and the forged mail's
From and Subject, which name a case and contact that only exist once the replay ran.
"""

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.header import Header
from email.utils import format_datetime, formataddr
from pathlib import Path

from helpdesk_tui.domain.enums import Priority
from helpdesk_tui.domain.errors import ValidationError
from helpdesk_tui.domain.filing import RoutingRule
from helpdesk_tui.domain.query import view_query
from helpdesk_tui.mail.parse import parse
from helpdesk_tui.services.context import Context
from helpdesk_tui.services.filing import FilingSettings, FolderBatch, Incoming, IngestResult, ingest
from helpdesk_tui.services.people import AgentSpec
from helpdesk_tui.storage.mails import FolderState
from helpdesk_tui.storage.reads import CaseSummary, open_reads

#: The demo desk's address and routing: invoices to billing, access problems to
#: technical; anything else waits in the unfiled inbox.
SUPPORT_ADDRESS = "support@helpdesk.example"
DEMO_FILING = FilingSettings(
    rules=(
        RoutingRule(
            "invoices", keywords=("rechnung", "invoice"), group="billing", priority=Priority.HIGH
        ),
        RoutingRule("access", keywords=("log in", "login", "passwort"), group="technical"),
    ),
    own_addresses=frozenset({SUPPORT_ADDRESS}),
)
_DATE = re.compile(rb"\{date-(\d+)([mhd])\}")
_UNITS = {b"m": "minutes", b"h": "hours", b"d": "days"}
_FOLDER = ("support", "INBOX", 1)  # mailbox, folder, uidvalidity


@dataclass(frozen=True)
class DemoMail:
    """One sample mail: its file name and bytes (placeholders not yet filled)."""

    name: str
    raw: bytes


def load_mails(sample_dir: Path) -> tuple[DemoMail, ...]:
    """The `.eml` files of `sample_dir/mail`, in name order (none: no demo mail)."""
    folder = sample_dir / "mail"
    try:
        paths = sorted(folder.glob("*.eml"))
        return tuple(DemoMail(p.name, p.read_bytes()) for p in paths)
    except OSError as error:
        raise ValidationError(f"cannot read demo mail in {folder}: {error}") from None


def file_demo_mails(
    ctx: Context,
    mails: tuple[DemoMail, ...],
    agents: tuple[AgentSpec, ...],
    german: frozenset[str] = frozenset(),
) -> IngestResult:
    """Fill the placeholders and file the mails, each received a minute after its Date.

    The reply (German) goes to an open case of the replay whose contact writes German
    (`german`: their addresses) and comes from that contact; the forged tag names
    another open case and comes from an agent's address.
    """
    now = ctx.clock()
    reply_case, forged_case = _two_open_cases(ctx, now, german)
    agent = next((a for a in agents if a.email and a.role.value == "agent"), agents[0])
    values = {
        b"{reply_from}": _address(reply_case.contact_name, reply_case.contact_email),
        b"{reply_subject}": _subject(f"Re: [#{reply_case.number}] {reply_case.subject}"),
        b"{forged_from}": _address(agent.name, agent.email),
        b"{forged_subject}": _subject(
            f"Re: [#{forged_case.number}] {forged_case.subject} – please close"
        ),
    }
    clock = _MailClock(now)
    mail_ctx = Context(ctx.location, policy=ctx.policy, clock=clock)
    result = IngestResult()
    try:
        for uid, mail in enumerate(mails, start=1):
            raw = _DATE.sub(lambda m: _date(now, m), mail.raw)
            for key, value in values.items():
                raw = raw.replace(key, value)
            parsed = parse(raw)
            sent = parsed.date
            clock.at = now if sent is None else min(now, sent + timedelta(minutes=1))
            reaches = FolderState(_FOLDER[2], uid, None)
            batch = FolderBatch(*_FOLDER, [Incoming(uid, raw, parsed)], reaches)
            result.filed.extend(ingest(mail_ctx, DEMO_FILING, batch).filed)
    finally:
        mail_ctx.dispose()
    return result


class _MailClock:
    """The moment each demo mail arrives: set before it is filed."""

    def __init__(self, at: datetime) -> None:
        self.at = at

    def __call__(self) -> datetime:
        return self.at


def _two_open_cases(
    ctx: Context, now: datetime, german: frozenset[str]
) -> tuple[CaseSummary, CaseSummary]:
    """Two open top-level cases with a contact, last changed more than a day ago (so the
    mail is the newest entry of their timelines); the first one's contact writes German
    if any does."""
    with open_reads(ctx.location) as reads:
        rows = reads.list_cases(view_query("open"), me="", today=now.date(), limit=200)
    quiet = [
        r
        for r in rows
        if not r.number.is_sub_case
        and r.contact_email
        and r.status != "waiting"
        and r.updated_at < now - timedelta(days=1)
    ]
    if len(quiet) < 2:
        raise ValidationError("the demo replay left no open cases for the demo mail")
    reply = next((r for r in quiet if r.contact_email in german), quiet[0])
    return reply, next(r for r in quiet if r is not reply)


def _date(now: datetime, match: re.Match[bytes]) -> bytes:
    age = timedelta(**{_UNITS[match.group(2)]: int(match.group(1))})
    return format_datetime(now - age).encode("ascii")


def _address(name: str, email: str) -> bytes:
    return formataddr((name, email), charset="utf-8").encode("ascii")


def _subject(text: str) -> bytes:
    return Header(text, "utf-8").encode().encode("ascii")
