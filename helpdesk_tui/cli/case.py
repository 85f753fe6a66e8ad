"""`helpdesk case …`: create, list, show, assign, status, close, reopen, edit, comment, reply,
delete."""

import json
from collections.abc import Iterable, Iterator
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from helpdesk_tui.cli.errors import UsageError, refusals, typed_values
from helpdesk_tui.cli.output import (
    USAGE,
    case_json,
    detail_json,
    emit_json,
    fail,
    note,
    print_detail,
    print_table,
    say,
    stream_json,
)
from helpdesk_tui.cli.runtime import Runtime
from helpdesk_tui.domain.csat import rating_text
from helpdesk_tui.domain.dates import iso_z, parse_date
from helpdesk_tui.domain.numbering import CaseNumber, parse_case_number
from helpdesk_tui.domain.query import SLA_VIEWS, CaseQuery, parse_query, view_query
from helpdesk_tui.domain.safe_text import one_line
from helpdesk_tui.domain.sla import clock_lines, sla_facts
from helpdesk_tui.storage.readmodels import COUNT_CAP
from helpdesk_tui.storage.reads import CaseSummary, Cursor, ReadStore, Sort, SortKey

if TYPE_CHECKING:
    from helpdesk_tui.domain.calendar import BusinessCalendar

app = typer.Typer(help="Work with cases.", no_args_is_help=True)

Json = Annotated[bool, typer.Option("--json", help="Print JSON on stdout.")]
Fields = Annotated[
    list[str] | None,
    typer.Option(
        "--field",
        metavar="KEY=VALUE",
        help="A custom field of the case type (repeatable; KEY= clears it on edit).",
    ),
]
Comment = Annotated[str, typer.Option("--comment", help="A comment for the timeline.")]


def _number(text: str) -> CaseNumber:
    with typed_values():
        number = parse_case_number(text)
    return number


def _date(runtime: Runtime, text: str | None) -> date | None:
    """`text` as a date; `+3d` counts from today by the command's clock (HELPDESK_NOW)."""
    if text is None:
        return None
    with typed_values():
        value = parse_date(text, runtime.clock().date())
    return value


def _hours(text: str | None) -> int | None:
    from helpdesk_tui.domain.timespent import parse_time_spent

    if text is None:
        return None
    with typed_values():
        hours = parse_time_spent(text)
    return hours


def _fields(pairs: list[str] | None) -> dict[str, str]:
    """`--field KEY=VALUE` options as a mapping; which keys a type has is the domain's call."""
    fields: dict[str, str] = {}
    for pair in pairs or []:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise UsageError(f"--field takes KEY=VALUE, not {pair!r}")
        fields[key.strip()] = value
    return fields


def _show_json(runtime: Runtime, number: CaseNumber) -> None:
    with runtime.reads() as store:
        emit_json(case_json(store.case_detail(number).case))


#: Rows per read when `--limit 0` streams a whole view (more than a ranked search's
#: RESULT_LIMIT, so a full-text query, which is one page, comes in one read).
STREAM_PAGE = 1000


@app.command("list")
def list_cases(
    ctx: typer.Context,
    view: Annotated[
        str,
        typer.Option(
            help="mine, groups, unassigned, overdue, reminder, waiting, open, closed, all,"
            " sla_at_risk or sla_breached."
        ),
    ] = "open",
    query: Annotated[
        str, typer.Option(help='Narrows the view, e.g. "status:open prio:high @me overdue 27".')
    ] = "",
    limit: Annotated[
        int, typer.Option(min=0, help="At most this many rows; 0: all (streamed).")
    ] = 50,
    as_json: Json = False,
) -> None:
    """List cases of a view AND a query, most urgent (earliest due) first; a case number in
    the query comes first. A list cut at --limit says so on stderr."""
    runtime: Runtime = ctx.obj
    with refusals(), runtime.reads() as store:
        wanted = view_query(view).narrowed(parse_query(query), me=runtime.user)
        store.check_names(wanted)
        now = runtime.clock()  # the SLA views judge by the instant (HELPDESK_NOW)
        today = now.date()
        horizon = _risk_horizon(runtime, now) if wanted.sla_at_risk else None
        if limit == 0:
            cases: Iterable[CaseSummary] = _all_cases(
                store, wanted, runtime.user, today, now, horizon, _sort_for(view)
            )
        else:
            cases = store.list_cases(
                wanted,
                me=runtime.user,
                today=today,
                limit=limit + 1,
                now=now,
                sla_horizon=horizon,
                sort=_sort_for(view),
            )
            if len(cases) > limit:
                cases = cases[:limit]
                total = _total(store, wanted, runtime.user, (now, horizon), limit)
                note(f"showing {limit} of {total} (use --limit)")
        if as_json:
            stream_json(case_json(c) for c in cases)
        elif print_table(cases) == 0:
            say("(no cases)")


def _total(
    store: ReadStore,
    query: CaseQuery,
    me: str,
    at: tuple[datetime, datetime | None],
    shown: int,
) -> str:
    """How many cases a cut list has: counted up to COUNT_CAP (or just past what was
    shown, if more), so a cut list of a million cases costs an index walk of ten
    thousand entries, not a million; beyond that it says `9999+`."""
    cap = max(COUNT_CAP, shown + 1)
    now, horizon = at
    counted = store.count_cases(
        query, me=me, today=now.date(), cap=cap, now=now, sla_horizon=horizon
    )
    total = max(counted, shown + 1)
    return f"{cap}+" if total > cap else str(total)


def _sort_for(view: str) -> Sort | None:
    """The SLA views list by SLA (most urgent first, off their index); the others by due."""
    return Sort(SortKey.SLA) if view.strip().lower() in SLA_VIEWS else None


def _risk_horizon(runtime: Runtime, now: datetime) -> datetime | None:
    """`SlaRules.risk_horizon` of the configured SLA (None without policies)."""
    if runtime.uses_defaults:
        return None
    from helpdesk_tui.config import sla_rules  # lazy: pydantic

    rules = sla_rules(runtime.settings)
    return rules.risk_horizon(now) if rules is not None else None


def _all_cases(
    store: ReadStore,
    query: CaseQuery,
    me: str,
    today: date,
    now: datetime | None = None,
    horizon: datetime | None = None,
    sort: Sort | None = None,
) -> Iterator[CaseSummary]:
    """Every case of `query`, read in keyset pages of STREAM_PAGE (constant memory)."""
    after: Cursor | None = None
    while True:
        page = store.list_cases(
            query,
            me=me,
            today=today,
            limit=STREAM_PAGE,
            after=after,
            now=now,
            sla_horizon=horizon,
            sort=sort,
        )
        yield from page
        if len(page) < STREAM_PAGE:
            return
        after = page[-1].cursor_for(sort or Sort())


@app.command("show")
def show(ctx: typer.Context, number: str, as_json: Json = False) -> None:
    """Show a case with its sub-cases and timeline."""
    runtime: Runtime = ctx.obj
    with refusals():
        with runtime.reads() as store:
            detail = store.case_detail(_number(number))
        stored = json.loads(detail.case.sla) if detail.case.sla else None
        calendar = _calendar(runtime) if stored else None
        rated = detail.case.csat_rating is not None  # CSAT: the customer's rating
        if as_json:
            data = detail_json(detail)
            data["sla"] = _sla_json(stored, calendar, runtime.clock())
            csat = {"rating": detail.case.csat_rating, "at": _iso(detail.case.csat_at)}
            data["csat"] = csat if rated else None
            emit_json(data)
        else:
            lines = clock_lines(stored, calendar, runtime.clock()) if calendar else []
            csat_at = detail.case.csat_at
            if rated:
                lines.append(("csat", rating_text(detail.case.csat_rating, csat_at)))
            print_detail(detail, lines)


def _iso(moment: datetime | None) -> str | None:
    return iso_z(moment) if moment is not None else None


def _calendar(runtime: Runtime) -> "BusinessCalendar":
    """The configured business calendar (the built-in one without a config)."""
    from helpdesk_tui.config import CalendarConfig, business_calendar  # lazy: pydantic

    if runtime.uses_defaults:
        return CalendarConfig().calendar()
    return business_calendar(runtime.settings)


def _sla_json(
    stored: dict[str, Any] | None, calendar: "BusinessCalendar | None", now: datetime
) -> dict[str, Any] | None:
    """`"sla"` of `case show --json` (CLI.md): null without a policy."""
    facts = sla_facts(stored, calendar, now) if stored and calendar else None
    if facts is None:
        return None
    for key in ("first_response_due", "first_response_at", "resolution_due"):
        facts[key] = iso_z(facts[key]) if facts[key] is not None else None
    return facts


@app.command("create")
def create(
    ctx: typer.Context,
    subject: Annotated[str, typer.Option("--subject", help="Short description.")],
    contact: Annotated[str, typer.Option("--contact", help="Contact's e-mail address.")],
    user: Annotated[str | None, typer.Option("--user", help="Delegate to this user.")] = None,
    group: Annotated[str | None, typer.Option("--group", help="Delegate to this group.")] = None,
    type_key: Annotated[str | None, typer.Option("--type")] = None,
    priority: Annotated[str | None, typer.Option("--priority")] = None,
    description: Annotated[str, typer.Option("--description")] = "",
    due: Annotated[str | None, typer.Option("--due", help="YYYY-MM-DD or +3d.")] = None,
    reminder: Annotated[str | None, typer.Option("--reminder", help="YYYY-MM-DD or +3d.")] = None,
    parent: Annotated[str | None, typer.Option("--parent", help="Create a sub-case.")] = None,
    contact_name: Annotated[str, typer.Option("--contact-name")] = "",
    contact_phone: Annotated[
        str, typer.Option("--contact-phone", help="Phone of a new contact.")
    ] = "",
    field: Fields = None,
    as_json: Json = False,
) -> None:
    """Create a case (or a sub-case with --parent), delegated to a user or a group."""
    runtime: Runtime = ctx.obj
    with refusals():
        from helpdesk_tui.domain.header_values import check_address
        from helpdesk_tui.domain.policy import parse_priority
        from helpdesk_tui.services.cases import create_case

        if (user is None) == (group is None):
            raise UsageError("give exactly one of --user or --group")
        with typed_values():
            check_address(contact, "contact address")  # SEC-5: it goes into mail headers
            prio = parse_priority(priority) if priority else None
        number = create_case(
            runtime.context,
            runtime.user,
            subject=subject,
            contact=contact,
            user=user,
            group=group,
            type_key=type_key,
            priority=prio,
            description=description,
            due=_date(runtime, due),
            reminder=_date(runtime, reminder),
            parent=_number(parent) if parent else None,
            contact_name=contact_name,
            contact_phone=contact_phone,
            custom=_fields(field),
        )
        if as_json:
            _show_json(runtime, number)
        else:
            say(str(number))


@app.command("assign")
def assign(
    ctx: typer.Context,
    number: str,
    me: Annotated[bool, typer.Option("--me", help="Assign to me (atomic).")] = False,
    user: Annotated[str | None, typer.Option("--user")] = None,
    group: Annotated[str | None, typer.Option("--group")] = None,
    comment: Comment = "",
) -> None:
    """Assign to me, or hand over to a user or a group."""
    runtime: Runtime = ctx.obj
    with refusals():
        from helpdesk_tui.services.cases import assign_to_me, delegate_case

        if sum([me, user is not None, group is not None]) != 1:
            raise UsageError("give exactly one of --me, --user or --group")
        case_number = _number(number)
        if me:
            result = assign_to_me(runtime.context, runtime.user, case_number, comment=comment)
        else:
            result = delegate_case(
                runtime.context, runtime.user, case_number, user=user, group=group, comment=comment
            )
        state = "assigned to" if result.changed else "already assigned to"
        say(f"{case_number} {state} {one_line(str(result.delegation))}")


@app.command("status")
def status(
    ctx: typer.Context,
    number: str,
    new_status: Annotated[str, typer.Argument(metavar="STATUS")],
    comment: Comment = "",
    reminder: Annotated[str | None, typer.Option("--reminder")] = None,
    due: Annotated[
        str | None, typer.Option("--due", help="Move the due date in the same change.")
    ] = None,
) -> None:
    """Set open, in_progress or waiting (waiting needs --comment and --reminder; --due moves
    the due date with it, e.g. when the wait outlasts it)."""
    runtime: Runtime = ctx.obj
    with refusals():
        from helpdesk_tui.domain.policy import parse_status
        from helpdesk_tui.services.cases import change_status

        with typed_values():
            target = parse_status(new_status)
        case_number = _number(number)
        change_status(
            runtime.context,
            runtime.user,
            case_number,
            target,
            comment=comment,
            reminder=_date(runtime, reminder),
            due=_date(runtime, due),
        )
        say(f"{case_number} is now {target}")


@app.command("close")
def close(
    ctx: typer.Context,
    number: str,
    resolution: Annotated[str, typer.Option("--resolution", help="solved, deferred or duplicate.")],
    duplicate_of: Annotated[str | None, typer.Option("--duplicate-of")] = None,
    comment: Comment = "",
    close_parent: Annotated[
        bool,
        typer.Option(
            "--close-parent", help="Also close the parent when this was its last open sub-case."
        ),
    ] = False,
) -> None:
    """Close with a resolution; a duplicate names the original."""
    runtime: Runtime = ctx.obj
    with refusals():
        from helpdesk_tui.domain.enums import Resolution
        from helpdesk_tui.services.cases import close_case

        try:
            chosen = Resolution(resolution.strip().lower())
        except ValueError:
            raise UsageError(
                f"unknown resolution {resolution!r} (known: solved, deferred, duplicate)"
            ) from None
        result = close_case(
            runtime.context,
            runtime.user,
            _number(number),
            chosen,
            duplicate_of=_number(duplicate_of) if duplicate_of else None,
            comment=comment,
            close_parent=close_parent,
        )
        for closed in result.closed:
            say(f"closed {closed} ({chosen})")
        _csat_closing_mails(runtime, result.closed)
        if result.parent_closable:
            say(
                f"{result.parent_closable} has no open sub-cases left; close it too with "
                f"--close-parent or `helpdesk case close {result.parent_closable}`"
            )


def _csat_closing_mails(runtime: Runtime, numbers: list[CaseNumber]) -> None:
    """With `[csat] enabled` (and [smtp]) closing queues the closing mail, which ends with
    the rating request; a case it cannot go to (no address) is named and stays closed."""
    from helpdesk_tui.config import csat_rules
    from helpdesk_tui.domain.errors import DomainError
    from helpdesk_tui.services.outbox import send_closing_mail
    from helpdesk_tui.sync.sender import mail_out

    out = mail_out(runtime.settings)
    if out is None or csat_rules(runtime.settings) is None:
        return
    for number in numbers:
        try:
            queued = send_closing_mail(runtime.context, out, runtime.user, number)
        except DomainError as error:
            say(f"no closing mail for {number}: {one_line(error.message)}")
            continue
        say(f"queued closing mail with the rating request to {one_line(queued.recipient)}")


@app.command("reopen")
def reopen(
    ctx: typer.Context,
    number: str,
    comment: Comment = "",
    due: Annotated[
        str | None, typer.Option("--due", help="YYYY-MM-DD or +3d; default: today + due_days.")
    ] = None,
    reminder: Annotated[
        str | None,
        typer.Option("--reminder", help="YYYY-MM-DD or +3d; default: today + reminder_days."),
    ] = None,
) -> None:
    """Reopen a closed case with new dates (a sub-case reopens its parent too)."""
    runtime: Runtime = ctx.obj
    with refusals():
        from helpdesk_tui.services.cases import reopen_case

        for reopened in reopen_case(
            runtime.context,
            runtime.user,
            _number(number),
            comment=comment,
            due=_date(runtime, due),
            reminder=_date(runtime, reminder),
        ):
            say(f"reopened {reopened}")


@app.command("edit")
def edit(
    ctx: typer.Context,
    number: str,
    subject: Annotated[str | None, typer.Option("--subject")] = None,
    priority: Annotated[str | None, typer.Option("--priority")] = None,
    type_key: Annotated[str | None, typer.Option("--type")] = None,
    due: Annotated[str | None, typer.Option("--due")] = None,
    reminder: Annotated[str | None, typer.Option("--reminder")] = None,
    owner: Annotated[str | None, typer.Option("--owner")] = None,
    description: Annotated[str | None, typer.Option("--description")] = None,
    field: Fields = None,
) -> None:
    """Change header fields and custom fields (refused on closed cases)."""
    runtime: Runtime = ctx.obj
    with refusals():
        from helpdesk_tui.domain.policy import parse_priority
        from helpdesk_tui.services.cases import edit_case

        values: dict[str, object] = {}
        for key, value in (
            ("subject", subject),
            ("type", type_key),
            ("owner", owner),
            ("description", description),
        ):
            if value is not None:
                values[key] = value
        if priority is not None:
            with typed_values():
                values["priority"] = parse_priority(priority)
        if due is not None:
            values["due"] = _date(runtime, due)
        if reminder is not None:
            values["reminder"] = _date(runtime, reminder)
        if field:
            values["fields"] = _fields(field)
        if not values:
            raise UsageError("nothing to change: give at least one field option")
        case_number = _number(number)
        changed = edit_case(runtime.context, runtime.user, case_number, values)
        say(f"updated {case_number}" if changed else f"{case_number}: nothing changed")


@app.command("comment")
def comment(
    ctx: typer.Context,
    number: str,
    text: str,
    external: Annotated[bool, typer.Option("--external", help="Visible to the customer.")] = False,
    time: Annotated[
        str | None, typer.Option("--time", help="Time spent: 1.5, 1,5, 90m, 1h30 or 1:30.")
    ] = None,
) -> None:
    """Add an internal comment (or an external action with --external)."""
    runtime: Runtime = ctx.obj
    with refusals():
        from helpdesk_tui.domain.enums import ActivityKind
        from helpdesk_tui.services.cases import record_activity

        kind = ActivityKind.EXTERNAL if external else ActivityKind.COMMENT
        case_number = _number(number)
        record_activity(
            runtime.context, runtime.user, case_number, kind, text, time_spent_centi=_hours(time)
        )
        say(f"{kind} added to {case_number}")


@app.command("reply")
def reply(
    ctx: typer.Context,
    number: str,
    text: str,
    attach: Annotated[
        list[Path] | None, typer.Option("--attach", metavar="FILE", help="Attach a file.")
    ] = None,
    time: Annotated[
        str | None, typer.Option("--time", help="Time spent: 1.5, 1,5, 90m, 1h30 or 1:30.")
    ] = None,
) -> None:
    """An external reply mailed to the requester via the outbox (after the undo window)."""
    runtime: Runtime = ctx.obj
    with refusals():
        from helpdesk_tui.domain.errors import ConfigError
        from helpdesk_tui.mail.outgoing import OutgoingAttachment
        from helpdesk_tui.services.outbox import queue_reply
        from helpdesk_tui.sync.sender import mail_out

        case_number = _number(number)
        hours = _hours(time)
        files = []
        for path in attach or []:
            try:
                files.append(OutgoingAttachment(path.name, path.read_bytes()))
            except OSError as error:
                raise UsageError(f"cannot read {path}: {error.strerror or error}") from None
        out = mail_out(runtime.settings)
        if out is None:
            raise ConfigError("no [smtp] section in the config: replies cannot be mailed")
        queued = queue_reply(
            runtime.context,
            out,
            runtime.user,
            case_number,
            text,
            attachments=files,
            time_spent_centi=hours,
        )
        wait = round((queued.send_after - runtime.clock()).total_seconds())
        when = f"leaves in {wait} s unless cancelled" if wait > 0 else "leaves with the next send"
        ident = str(queued.id)[:8]
        to, subject = one_line(queued.recipient), one_line(queued.subject)
        say(f"queued reply to {to}: {subject} ({when}; id {ident})")


@app.command("delete")
def delete(
    ctx: typer.Context,
    number: str,
    yes: Annotated[bool, typer.Option("--yes", help="Confirm the deletion.")] = False,
) -> None:
    """Delete a case with its sub-cases and timeline (leads and admins; logged)."""
    runtime: Runtime = ctx.obj
    if not yes:
        fail("deleting a case needs --yes", USAGE)
    with refusals():
        from helpdesk_tui.services.cases import delete_case

        case_number = _number(number)
        removed = delete_case(runtime.context, runtime.user, case_number)
        extra = f" and {removed - 1} sub-case(s)" if removed > 1 else ""
        say(f"deleted {case_number}{extra}")
