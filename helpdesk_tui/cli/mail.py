"""`helpdesk mail …`: look at a mail file the way the sync would file it (`parse`), and
the conversations inbox (MAIL-8): `list`, `show`, `classify`, `file`, `open-case`,
`archive`, `stats`."""

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any, Literal

import typer

from helpdesk_tui.cli.errors import UsageError, refusals, typed_values
from helpdesk_tui.cli.mail_shapes import attachments_from, mail_json
from helpdesk_tui.cli.output import emit_json, fail, say, stream_json
from helpdesk_tui.cli.runtime import Runtime
from helpdesk_tui.domain.errors import NotFoundError
from helpdesk_tui.domain.mail_query import MAIL_CLASSES, MailFilter, parse_mail_class, parse_period
from helpdesk_tui.domain.numbering import parse_case_number
from helpdesk_tui.domain.quoted import text_before_quote
from helpdesk_tui.domain.safe_text import one_line, safe_text
from helpdesk_tui.storage.readmodels import MailListItem, MailStats

app = typer.Typer(help="Inspect mail; the conversations inbox.", no_args_is_help=True)

#: A shortened mail id must have at least this many characters (the list shows eight).
MIN_PREFIX = 6
#: Rows read per page when `--limit 0` lists everything.
_PAGE = 500
_CLASSES = "|".join(MAIL_CLASSES)

BODY_LINES = 40


@app.command("parse")
def parse_file(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="An .eml file (raw RFC 5322 message).")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON on stdout.")] = False,
    tag_prefix: Annotated[
        str | None,
        typer.Option("--tag-prefix", help='Case tag prefix (default: config, else "#").'),
    ] = None,
) -> None:
    """Parse one mail file: headers, body text, attachments, case tag, defects."""
    from helpdesk_tui.mail.parse import parse, to_json  # lazy: keeps `helpdesk` start fast

    runtime: Runtime = ctx.obj
    try:
        raw = file.read_bytes()
    except OSError as error:
        fail(f"cannot read {file}: {error.strerror or error}")
    with refusals():
        prefix = tag_prefix
        if prefix is None:
            # only a config file that exists is read: `mail parse` needs no set-up
            path = runtime.config_path
            prefix = runtime.settings.mail.case_tag_prefix if path.exists() else "#"
        mail = parse(raw, tag_prefix=prefix)
    if as_json:
        emit_json(to_json(mail))
        return
    sender = f"{one_line(mail.from_name)} <{one_line(mail.from_email)}>".strip()
    fields = [
        ("subject", one_line(mail.subject)),
        ("from", sender),
        ("to", one_line(", ".join(mail.to))),
        ("cc", one_line(", ".join(mail.cc))),
        ("date", mail.date.isoformat() if mail.date else "-"),
        ("message-id", one_line(mail.message_id or "-")),
        ("case", mail.case_number or "-"),
        ("noise", mail.noise or "-"),
        ("size", f"{mail.size:,} bytes"),
    ]
    for name, value in fields:
        say(f"  {name:<11} {value or '-'}")
    for attachment in mail.attachments:
        kind = "inline" if attachment.inline else "attached"
        name = one_line(attachment.filename) or "(no name)"
        kind_of = one_line(attachment.content_type)
        say(f"  {kind:<11} {name}  {kind_of}  {attachment.size:,} bytes")
    for defect in mail.defects:
        say(f"  defect      {one_line(defect)}")
    say("")
    shown = text_before_quote(mail.body_text, mail.quote_start)
    lines = safe_text(shown).rstrip().splitlines()
    for line in lines[:BODY_LINES]:
        say(line)
    if len(lines) > BODY_LINES or mail.quote_start:
        say(f"[… {len(mail.body_text):,} characters in all, quoted history folded]")


# -- the conversations inbox (MAIL-8) ------------------------------------------------------
@app.command("list")
def list_mail(
    ctx: typer.Context,
    unfiled: Annotated[bool, typer.Option("--unfiled", help="Only mail on no case.")] = False,
    unread: Annotated[bool, typer.Option("--unread", help="Only mail nobody opened.")] = False,
    unclassified: Annotated[
        bool, typer.Option("--unclassified", help="Only mail without a class.")
    ] = False,
    mail_class: Annotated[
        str | None, typer.Option("--class", metavar="CLASS", help=f"Only this class ({_CLASSES}).")
    ] = None,
    account: Annotated[
        str | None, typer.Option("--account", metavar="NAME", help="Only this account's mail.")
    ] = None,
    older_than: Annotated[
        str | None,
        typer.Option("--older-than", metavar="7d", help="Older than this and still open."),
    ] = None,
    sender: Annotated[
        str | None, typer.Option("--from", metavar="ADDR", help="Only from this address/domain.")
    ] = None,
    archived: Annotated[
        bool, typer.Option("--archived", help="Only archived mail (hidden otherwise).")
    ] = False,
    limit: Annotated[int, typer.Option(min=0, help="At most this many (0: all).")] = 50,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON on stdout.")] = False,
) -> None:
    """Incoming mail, newest first; archived mail only with --archived."""
    runtime: Runtime = ctx.obj
    with refusals():
        with typed_values():
            wanted = MailFilter(
                unread=unread,
                unclassified=unclassified,
                old_open=older_than is not None,
                older_than_days=parse_period(older_than) if older_than is not None else None,
                mail_class=parse_mail_class(mail_class) if mail_class is not None else None,
                account=account,
                sender=sender.strip().lower() if sender else None,
                filed=False if unfiled else None,
                archived=archived,
            )
        if as_json:
            stream_json(_json_rows(runtime, wanted, limit))
            return
        shown = 0
        for item in _rows(runtime, wanted, limit):
            say(_line(item))
            shown += 1
        if not shown:
            say("(no mail)")


@app.command("show")
def show(
    ctx: typer.Context,
    mail_id: Annotated[str, typer.Argument(metavar="ID", help="A mail id (or its first chars).")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON on stdout.")] = False,
) -> None:
    """One mail: headers, class, case, attachments and text; marks it read."""
    runtime: Runtime = ctx.obj
    with refusals():
        [found] = _resolve(runtime, [mail_id])
        from helpdesk_tui.services.conversations import open_mail  # lazy: the write stack

        entry = open_mail(runtime.context, runtime.user, found)
        with runtime.reads() as store:
            item = store.conversations.get(found)
        assert item is not None
    if as_json:
        shape = mail_json(item, entry.attachments)
        shape["text"] = entry.body_text
        emit_json(shape)
        return
    how = item.mail_class or "-"
    if item.classified_by == "rule":
        how += f" (classified by rule: {one_line(item.classified_rule or '')})"
    elif item.classified_by == "agent":
        how += " (classified by an agent)"
    fields = [
        ("id", str(item.id)),
        ("from", f"{one_line(item.from_name)} <{one_line(item.from_email)}>".strip()),
        ("subject", one_line(item.subject)),
        ("received", item.received_at.astimezone().strftime("%Y-%m-%d %H:%M")),
        ("mailbox", one_line(item.mailbox) or "-"),
        ("class", how),
        ("account", one_line(item.account or "") or "-"),
        ("case", str(item.case) if item.case else "-"),
        ("filed", f"{entry.filed_by}: {one_line(entry.filed_note)}".rstrip(": ")),
        ("archived", "yes" if item.archived else "no"),
    ]
    if entry.noise:
        fields.append(("noise", entry.noise))
    for name, value in fields:
        say(f"  {name:<9} {value}")
    for attachment in attachments_from(entry.attachments):
        name = one_line(attachment["filename"]) or "(no name)"
        kind = one_line(attachment["content_type"])
        say(f"  attached  {name}  {kind}  {attachment['size']:,} bytes")
    say("")
    lines = safe_text(entry.new_text).rstrip().splitlines()
    for line in lines[:BODY_LINES]:
        say(line)
    if len(lines) > BODY_LINES or entry.quote_start:
        say(f"[… {len(entry.body_text):,} characters in all, quoted history folded]")


@app.command("classify")
def classify(
    ctx: typer.Context,
    args: Annotated[
        list[str],
        typer.Argument(metavar=f"(ID ... | --sender ADDR | --domain DOMAIN) {_CLASSES}"),
    ],
    sender: Annotated[
        str | None,
        typer.Option("--sender", metavar="ADDR", help="All mail of this address; remembered."),
    ] = None,
    domain: Annotated[
        str | None,
        typer.Option("--domain", metavar="DOMAIN", help="All mail of this domain; remembered."),
    ] = None,
    account: Annotated[
        str | None,
        typer.Option("--account", metavar="NAME", help="The customer's or supplier's account."),
    ] = None,
) -> None:
    """Classify mail by its sender: the mails named, or all mail of a sender or domain
    (then remembered: the sender's future mail arrives classified)."""
    runtime: Runtime = ctx.obj
    with refusals():
        *ids, class_name = args
        with typed_values():
            value = parse_mail_class(class_name)
        if sum([bool(ids), sender is not None, domain is not None]) != 1:
            raise UsageError("name mail ids, or give --sender or --domain (one of them)")
        from helpdesk_tui.services import conversations  # lazy: the write stack

        context, user = runtime.context, runtime.user
        if ids:
            done = conversations.classify(
                context, user, _resolve(runtime, ids), value, account=account
            )
            say(f"classified {_mails(done)} as {value}")
            return
        who = sender if sender is not None else domain
        assert who is not None
        kind: Literal["address", "domain"] = "address" if sender is not None else "domain"
        done = conversations.classify_sender(
            context, user, who, value, account=account, remember=kind
        )
        say(f"classified {_mails(done)} as {value}")
        suffix = f" ({one_line(account)})" if account else ""
        say(f"remembered: {kind} {one_line(who.strip().lower().lstrip('@'))} → {value}{suffix}")


@app.command("file")
def file_mail(
    ctx: typer.Context,
    mail_id: Annotated[str, typer.Argument(metavar="ID", help="A mail id (or its first chars).")],
    number: Annotated[str, typer.Argument(metavar="NUMBER", help="The case to file it onto.")],
) -> None:
    """File a mail onto a case (from the inbox, or moved from another case)."""
    runtime: Runtime = ctx.obj
    with refusals():
        with typed_values():
            case_number = parse_case_number(number)
        [found] = _resolve(runtime, [mail_id])
        from helpdesk_tui.services.filing import refile  # lazy: the write stack

        refile(runtime.context, runtime.user, found, case_number)
    say(f"filed {str(found)[:8]} onto {case_number}")


@app.command("open-case")
def open_case(
    ctx: typer.Context,
    mail_id: Annotated[str, typer.Argument(metavar="ID", help="A mail id (or its first chars).")],
    group: Annotated[str | None, typer.Option("--group", help="Delegate to this group.")] = None,
    user: Annotated[str | None, typer.Option("--user", help="Delegate to this user.")] = None,
) -> None:
    """Turn an unfiled mail into a new case (yours, unless --group or --user)."""
    runtime: Runtime = ctx.obj
    with refusals():
        if group is not None and user is not None:
            raise UsageError("give at most one of --group or --user")
        [found] = _resolve(runtime, [mail_id])
        from helpdesk_tui.services.filing import open_case as open_from_mail  # lazy

        number = open_from_mail(runtime.context, runtime.user, found, user=user, group=group)
    say(str(number))


@app.command("archive")
def archive(
    ctx: typer.Context,
    ids: Annotated[list[str], typer.Argument(metavar="ID ...", help="Mail ids (or first chars).")],
) -> None:
    """Archive mail (the case is done): hidden from the list unless asked for."""
    runtime: Runtime = ctx.obj
    with refusals():
        found = _resolve(runtime, ids)
        from helpdesk_tui.services.conversations import archive as archive_mail  # lazy

        done = archive_mail(runtime.context, runtime.user, found)
    say(f"archived {_mails(done)}")


@app.command("stats")
def stats(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON on stdout.")] = False,
) -> None:
    """The weekly review: unclassified mail, old open mail, classification rate and the
    median reaction time to customer mail (last 30 days)."""
    runtime: Runtime = ctx.obj
    with refusals(), runtime.reads() as store:
        figures = store.conversations.stats(now=runtime.clock())
    if as_json:
        emit_json(stats_json(figures))
        return
    for line in stats_lines(figures):
        say(line)


def stats_json(figures: MailStats) -> dict[str, Any]:
    """`mail stats --json` (CLI.md)."""
    return {
        "unclassified": figures.unclassified,
        "old_open": figures.old_open,
        "classification_rate": figures.classification_rate,
        "median_reaction_hours": figures.median_reaction_hours,
    }


def stats_lines(figures: MailStats) -> list[str]:
    """The weekly review as text, each figure with its goal (✓ when met)."""
    rate = figures.classification_rate
    hours = figures.median_reaction_hours

    def met(ok: bool | None) -> str:
        return "" if ok is None else ("  ✓" if ok else "  ✗")

    return [
        f"unclassified            {figures.unclassified:>6}    goal < 10"
        + met(figures.unclassified < 10),
        f"older than 7 days, open {figures.old_open:>6}    goal < 20" + met(figures.old_open < 20),
        f"classification rate     {'-' if rate is None else f'{rate * 100:.1f} %':>8}  goal > 95 %"
        + met(None if rate is None else rate > 0.95),
        f"median reaction (30d)   {'-' if hours is None else f'{hours:.1f} h':>8}  goal < 24 h"
        + met(None if hours is None else hours < 24),
    ]


# -- helpers -------------------------------------------------------------------------------
def _mails(count: int) -> str:
    return f"{count} mail" if count == 1 else f"{count} mails"


def _line(item: MailListItem) -> str:
    """One list line: read mark, id, when, class, sender, account, case, subject."""
    mark = " " if item.read else "*"
    when = item.received_at.astimezone().strftime("%Y-%m-%d %H:%M")
    how = item.mail_class or "-"
    if item.classified_by == "rule":
        how += "*"
    sender = one_line(item.from_email, 32)
    account = one_line(item.account or "-", 20)
    case = str(item.case) if item.case else "-"
    return (
        f"{mark} {str(item.id)[:8]}  {when}  {how:<12} {sender:<32}  {account:<20}  {case:<11}  "
        f"{one_line(item.subject, 80)}"
    )


def _rows(runtime: Runtime, wanted: MailFilter, limit: int) -> Iterator[MailListItem]:
    """The matching mails, page by page (`limit` 0: all)."""
    now = runtime.clock()
    after: tuple[Any, uuid.UUID] | None = None
    left = limit or None
    while True:
        size = _PAGE if left is None else min(_PAGE, left)
        with runtime.reads() as store:
            items = store.conversations.page(wanted, now=now, after=after, limit=size)
        yield from items
        if left is not None:
            left -= len(items)
        if len(items) < size or left == 0:
            return
        after = items[-1].cursor


def _json_rows(runtime: Runtime, wanted: MailFilter, limit: int) -> Iterator[dict[str, Any]]:
    batch: list[MailListItem] = []
    for item in _rows(runtime, wanted, limit):
        batch.append(item)
        if len(batch) == _PAGE:
            yield from _shaped(runtime, batch)
            batch = []
    yield from _shaped(runtime, batch)


def _shaped(runtime: Runtime, items: list[MailListItem]) -> Iterator[dict[str, Any]]:
    if not items:
        return
    with runtime.reads() as store:
        lists = store.conversations.attachment_lists([i.id for i in items])
    for item in items:
        yield mail_json(item, lists.get(item.id, []))


def _resolve(runtime: Runtime, given: list[str]) -> list[uuid.UUID]:
    """Full ids as given; a shortened one (at least MIN_PREFIX characters) must name
    exactly one mail."""
    found: list[uuid.UUID] = []
    with runtime.reads() as store:
        for text in given:
            wanted = text.strip().lower()
            try:
                mail_id = uuid.UUID(wanted)
            except ValueError:
                if len(wanted.replace("-", "")) < MIN_PREFIX:
                    raise UsageError(
                        f"give at least {MIN_PREFIX} characters of the id {text!r}"
                    ) from None
                matches = store.conversations.ids_with_prefix(wanted)
                if not matches:
                    raise NotFoundError(f"no mail {text.strip()!r}") from None
                if len(matches) > 1:
                    raise UsageError(f"id {text!r} is ambiguous: give more characters") from None
                mail_id = matches[0]
            else:
                if store.conversations.get(mail_id) is None:
                    raise NotFoundError(f"no mail {text.strip()!r}")
            found.append(mail_id)
    return found
