"""The demo's mail (MAIL-3, MAIL-5, MAIL-9, MAIL-11, SEC-5): the `.eml` files of
`sample_data/mail/`, filed through the real intake (`parse`, then `ingest`), the agents'
replies of `outgoing.json` queued through the real outbox, and a few outbox entries.

They show what intake does: routing rules open cases, the agent answers, and the
customer's answer comes back — once by the case tag (quoting the history, with a PDF
attached), once as an HTML-only mail from Outlook that dropped the tag and is filed by
its References to our signed Message-ID. A customer's reply files onto a replay case by
its tag; a tag forged from an agent's address waits unverified in the unfiled inbox;
hostile text (escape sequences, Rich markup, a bidi override in an attachment name)
stays text; a malformed mail is kept with its defects. The unfiled inbox holds what
an agent sorts on a morning: customers' questions no rule takes, a supplier's shipping
notices, newsletters, auto-replies and a bounce. The outbox holds one failed, one
unknown and one retrying reply on open cases.

The files carry placeholders, filled when the demo is seeded: `{date-90m}` (the demo's
now minus 90 minutes; `m`, `h` or `d`); `{case:NAME}`, the case that the mail in
`NAME.eml` was filed on, and `{reply-id:NAME}`, the Message-ID of the agent's reply to
it; and the reply's and the forged mail's From and Subject, which name a case and
contact that only exist once the replay ran. Replies leave through the outbox's claim
and delivery steps at the moment they were written (no server: these are history).
"""

import json
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.header import Header
from email.utils import format_datetime, formataddr
from pathlib import Path

from helpdesk_tui.domain.enums import Priority
from helpdesk_tui.domain.errors import ValidationError
from helpdesk_tui.domain.filing import RoutingRule
from helpdesk_tui.domain.numbering import CaseNumber
from helpdesk_tui.domain.query import view_query
from helpdesk_tui.mail.parse import parse
from helpdesk_tui.services import delivery
from helpdesk_tui.services.cases import assign_to_me
from helpdesk_tui.services.context import Context
from helpdesk_tui.services.filing import FilingSettings, FolderBatch, Incoming, IngestResult, ingest
from helpdesk_tui.services.outbox import MailOut, queue_reply
from helpdesk_tui.services.people import AgentSpec
from helpdesk_tui.storage.mails import FolderState
from helpdesk_tui.storage.reads import CaseSummary, open_reads

#: The demo desk's address and routing: invoices to billing, access problems to
#: technical; anything else waits in the unfiled inbox.
SUPPORT_ADDRESS = "support@helpdesk.example"
#: The From of the demo's outgoing mail (`helpdesk demo` configures the same).
DEMO_SENDER = f"Helpdesk Support <{SUPPORT_ADDRESS}>"
#: The demo's outgoing-mail settings; a failed send is retried after 30 minutes.
DEMO_OUT = MailOut(
    sender=DEMO_SENDER, own_addresses=frozenset({SUPPORT_ADDRESS}), retry_seconds=1800.0
)
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
_THREAD = re.compile(rb"\{(case|reply-id):([\w-]+)\}")
_FOLDER = ("support", "INBOX", 1)  # mailbox, folder, uidvalidity
_CLAIMANT = "demo-seed:0:history"  # the "sender" that delivered the demo's past replies


@dataclass(frozen=True)
class DemoMail:
    """One sample mail: its file name and bytes (placeholders not yet filled)."""

    name: str
    raw: bytes


@dataclass(frozen=True)
class DemoReply:
    """An agent's reply to the case a sample mail opened, `minutes` after it arrived."""

    after: str
    agent: str
    minutes: float
    text: str


@dataclass(frozen=True)
class DemoOutboxEntry:
    """A reply on an open replay case that did not go out: `failed`, `unknown` or
    `retrying`, written `hours_ago`; texts by language, with {contact_name} and
    {agent_name}; the error names {recipient}."""

    state: str
    hours_ago: float
    error: str
    texts: dict[str, str]


@dataclass(frozen=True)
class DemoOutgoing:
    """`sample_data/mail/outgoing.json`: the agents' replies and the outbox entries."""

    replies: tuple[DemoReply, ...] = ()
    outbox: tuple[DemoOutboxEntry, ...] = ()


def load_outgoing(sample_dir: Path) -> DemoOutgoing:
    """Read `sample_dir/mail/outgoing.json` (missing: no replies, empty outbox)."""
    path = sample_dir / "mail" / "outgoing.json"
    if not path.exists():
        return DemoOutgoing()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return DemoOutgoing(
            tuple(
                DemoReply(r["after"], r["agent"], float(r["minutes"]), r["text"])
                for r in data.get("replies", ())
            ),
            tuple(
                DemoOutboxEntry(
                    o["state"], float(o["hours_ago"]), o["error"],
                    {lang: o[lang] for lang in ("de", "en") if lang in o},
                )
                for o in data.get("outbox", ())
            ),
        )  # fmt: skip
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as error:
        raise ValidationError(f"cannot read demo mail {path}: {error}") from None


def load_mails(sample_dir: Path) -> tuple[DemoMail, ...]:
    """The `.eml` files of `sample_dir/mail`, in name order (none: no demo mail)."""
    folder = sample_dir / "mail"
    try:
        paths = sorted(folder.glob("*.eml"))
        return tuple(DemoMail(p.name, p.read_bytes()) for p in paths)
    except OSError as error:
        raise ValidationError(f"cannot read demo mail in {folder}: {error}") from None


@dataclass
class _Threads:
    """What later mails refer to: the case each mail was filed on, our replies' ids."""

    cases: dict[str, CaseNumber] = field(default_factory=dict)
    reply_ids: dict[str, str] = field(default_factory=dict)

    def fill(self, name: str, raw: bytes) -> bytes:
        def one(match: re.Match[bytes]) -> bytes:
            kind, stem = match.group(1).decode(), match.group(2).decode()
            known = self.cases if kind == "case" else self.reply_ids
            if stem not in known:
                raise ValidationError(f"demo mail {name}: no {kind} for {stem!r} (yet)")
            value = known[stem]
            return (str(value) if kind == "case" else f"<{value}>").encode("ascii")

        return _THREAD.sub(one, raw)


def file_demo_mails(
    ctx: Context,
    mails: tuple[DemoMail, ...],
    agents: tuple[AgentSpec, ...],
    german: frozenset[str] = frozenset(),
    outgoing: DemoOutgoing = DemoOutgoing(),
) -> IngestResult:
    """Fill the placeholders and file the mails, each received a minute after its Date;
    after a mail that `outgoing.replies` answers, queue and deliver that reply; then
    leave `outgoing.outbox` in the outbox.

    The reply (German) goes to an open case of the replay whose contact writes German
    (`german`: their addresses) and comes from that contact; the forged tag names
    another open case and comes from an agent's address; the outbox entries sit on the
    next open cases.
    """
    now = ctx.clock()
    quiet = _open_cases(ctx, now, german)
    reply_case, forged_case = quiet[0], quiet[1]
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
    threads = _Threads()
    try:
        for uid, mail in enumerate(mails, start=1):
            raw = _DATE.sub(lambda m: _date(now, m), mail.raw)
            for key, value in values.items():
                raw = raw.replace(key, value)
            raw = threads.fill(mail.name, raw)
            parsed = parse(raw)
            sent = parsed.date
            clock.at = now if sent is None else min(now, sent + timedelta(minutes=1))
            reaches = FolderState(_FOLDER[2], uid, None)
            batch = FolderBatch(*_FOLDER, [Incoming(uid, raw, parsed)], reaches)
            filed = ingest(mail_ctx, DEMO_FILING, batch).filed
            result.filed.extend(filed)
            stem = Path(mail.name).stem
            case = next((f.case for f in filed if f.case is not None), None)
            if case is not None:
                threads.cases[stem] = case
            for reply in (r for r in outgoing.replies if r.after == stem):
                if case is None:
                    raise ValidationError(f"demo reply to {mail.name}: that mail opened no case")
                at = min(clock.at + timedelta(minutes=reply.minutes), now)
                threads.reply_ids[stem] = _answer(mail_ctx, clock, at, reply, case)
        for entry, summary in zip(outgoing.outbox, quiet[2:], strict=False):
            _stuck(mail_ctx, clock, now, entry, summary, german, agents)
    finally:
        mail_ctx.dispose()
    return result


def _answer(
    ctx: Context, clock: "_MailClock", at: datetime, reply: DemoReply, case: CaseNumber
) -> str:
    """The agent takes the case and replies; the reply went out a little later (its
    Message-ID, for the customer's answer to refer to)."""
    clock.at = at
    assign_to_me(ctx, reply.agent, case)
    clock.at = at + timedelta(minutes=3)
    queued = queue_reply(ctx, DEMO_OUT, reply.agent, case, reply.text, time_spent_centi=25)
    clock.at = queued.send_after + timedelta(seconds=2)
    claimed = delivery.claim(ctx, queued.id, _CLAIMANT)
    if claimed is not None:
        delivery.delivered(ctx, claimed.entry, "250 2.0.0 Ok: queued as demo")
    return queued.message_id


def _stuck(
    ctx: Context,
    clock: "_MailClock",
    now: datetime,
    entry: DemoOutboxEntry,
    case: CaseSummary,
    german: frozenset[str],
    agents: tuple[AgentSpec, ...],
) -> None:
    """A reply on `case` that ended `entry.state` in the outbox."""
    who = case.delegated_user or next(a.username for a in agents if a.role.value == "agent")
    name = next((a.name for a in agents if a.username == who and a.name), who)
    language = "de" if case.contact_email in german else "en"
    text = entry.texts.get(language) or next(iter(entry.texts.values()))
    text = text.replace("{contact_name}", case.contact_name or case.contact_email)
    clock.at = now - timedelta(hours=entry.hours_ago)
    queued = queue_reply(ctx, DEMO_OUT, who, case.number, text.replace("{agent_name}", name))
    clock.at = queued.send_after + timedelta(seconds=2)
    error = entry.error.replace("{recipient}", case.contact_email)
    if delivery.claim(ctx, queued.id, _CLAIMANT) is None:
        return
    if entry.state == "failed":
        delivery.refused(ctx, queued.id, error)
    elif entry.state == "unknown":
        delivery.outcome_unknown(ctx, queued.id, error)
    else:
        delivery.deferred(ctx, DEMO_OUT, queued.id, error, claimed=True)


class _MailClock:
    """The moment each demo mail arrives: set before it is filed."""

    def __init__(self, at: datetime) -> None:
        self.at = at

    def __call__(self) -> datetime:
        return self.at


def _open_cases(ctx: Context, now: datetime, german: frozenset[str]) -> list[CaseSummary]:
    """Open top-level cases with a contact, oldest first, last changed more than two days
    ago (so the demo's mail is the newest entry of their timelines); the first one's
    contact writes German if any does."""
    with open_reads(ctx.location) as reads:
        rows = reads.list_cases(view_query("open"), me="", today=now.date(), limit=5000)
    quiet = sorted(
        (
            r
            for r in rows
            if not r.number.is_sub_case
            and r.contact_email
            and r.status != "waiting"
            and r.updated_at < now - timedelta(days=2)
        ),
        key=lambda r: r.number,
    )
    if len(quiet) < 2:
        raise ValidationError("the demo replay left no open cases for the demo mail")
    reply = next((r for r in quiet if r.contact_email in german), quiet[0])
    return [reply, *(r for r in quiet if r is not reply)]


def _date(now: datetime, match: re.Match[bytes]) -> bytes:
    age = timedelta(**{_UNITS[match.group(2)]: int(match.group(1))})
    return format_datetime(now - age).encode("ascii")


def _address(name: str, email: str) -> bytes:
    return formataddr((name, email), charset="utf-8").encode("ascii")


def _subject(text: str) -> bytes:
    return Header(text, "utf-8").encode().encode("ascii")
