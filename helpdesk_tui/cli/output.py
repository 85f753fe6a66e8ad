"""Output helpers: the JSON shapes of CLI.md, plain tables, the one `error:` line.

Every line a command prints goes through `say`, `note` or `fail`, which pass it through
the one sanitiser (SEC-7): data in it may carry escape sequences or bidi overrides. Values
that must stay on their line are flattened with `one_line` first; JSON keeps its values
exactly and only writes the characters a terminal would act on as `\\u` escapes.
"""

import json
import sys
from collections.abc import Iterable, Sequence
from typing import Any, NoReturn

import typer

from helpdesk_tui.domain.activity import format_hours
from helpdesk_tui.domain.dates import iso_z
from helpdesk_tui.domain.safe_text import json_for_terminal, one_line, safe_text
from helpdesk_tui.storage.reads import ActivityEntry, CaseDetail, CaseSummary

REFUSED = 1
USAGE = 2


def fail(message: str, code: int = REFUSED) -> NoReturn:
    """Print exactly one `error:` line on stderr and exit with `code`."""
    print(f"error: {one_line(message)}", file=sys.stderr)
    raise typer.Exit(code)


def say(line: str) -> None:
    """Human text on stdout, made safe for the terminal (its newlines and tabs kept)."""
    print(safe_text(line))


def note(line: str) -> None:
    """A human line on stderr (progress, state changes), made safe like `say`."""
    print(safe_text(line), file=sys.stderr)


def emit_json(value: Any) -> None:
    """Machine-readable JSON on stdout (and nothing else): values exactly as stored,
    non-ASCII text readable, no raw control or bidi character (see `json_for_terminal`)."""
    sys.stdout.write(json_for_terminal(json.dumps(value, ensure_ascii=False, indent=2)))
    sys.stdout.write("\n")


def stream_json(items: Iterable[Any]) -> None:
    """A JSON array on stdout written item by item as `items` are read (constant memory),
    the same text `emit_json(list(items))` would write."""
    out, first = sys.stdout, True
    for item in items:
        dumped = json.dumps(item, ensure_ascii=False, indent=2).replace("\n", "\n  ")
        out.write(("[\n  " if first else ",\n  ") + json_for_terminal(dumped))
        first = False
    out.write("[]\n" if first else "\n]\n")


def case_json(case: CaseSummary) -> dict[str, Any]:
    """A case in the JSON shape of CLI.md."""
    return {
        "number": str(case.number),
        "subject": case.subject,
        "type": case.type,
        "status": case.status,
        "priority": case.priority,
        "resolution": case.resolution,
        "duplicate_of": str(case.duplicate_of) if case.duplicate_of else None,
        "delegated_user": case.delegated_user,
        "delegated_group": case.delegated_group,
        "owner": case.owner,
        "contact": {"email": case.contact_email, "name": case.contact_name},
        "account": case.account,
        "initiator": case.initiator,
        "due": case.due.isoformat(),
        "reminder": case.reminder.isoformat() if case.reminder else None,
        "parent": str(case.parent) if case.parent else None,
        "created_at": iso_z(case.created_at),
        "updated_at": iso_z(case.updated_at),
        "version": case.version,
    }


def activity_json(entry: ActivityEntry) -> dict[str, Any]:
    """An activity in the JSON shape of CLI.md."""
    return {
        "kind": entry.kind,
        "actor": entry.actor,
        "at": iso_z(entry.at),
        "internal": entry.internal,
        "text": entry.text,
        "changes": entry.changes,
        "time_spent": format_hours(entry.time_spent_centi),
    }


def detail_json(detail: CaseDetail) -> dict[str, Any]:
    """`case show --json`: the case plus description, sub-cases, activities, time total."""
    data = case_json(detail.case)
    data["description"] = detail.case.description
    data["sub_cases"] = [case_json(sub) for sub in detail.sub_cases]
    data["activities"] = [activity_json(a) for a in detail.activities]
    data["time_spent_total"] = format_hours(detail.time_spent_centi)
    data["fields"] = dict(detail.case.fields or ())
    return data


def delegate_text(case: CaseSummary) -> str:
    """`alice` or `@billing` for a list column."""
    return case.delegated_user or f"@{case.delegated_group}"


#: Column widths of `print_table`: the widest value each column can hold, so rows printed
#: page by page (`case list --limit 0`) line up without reading the whole list first.
TABLE_WIDTHS = (11, 11, 6, 10, 16)


def print_table(cases: Iterable[CaseSummary]) -> int:
    """A plain, aligned list of cases (untrusted text made safe), printed as `cases` are
    read, the header with the first row; returns the row count."""
    header = ("NUMBER", "STATUS", "PRIO", "DUE", "DELEGATE", "SUBJECT")

    def line(row: Sequence[str]) -> str:
        cells = (cell.ljust(width) for cell, width in zip(row, TABLE_WIDTHS, strict=False))
        return "  ".join(cells) + "  " + row[5]

    count = 0
    for c in cases:
        if not count:
            say(line(header))
        due = c.due.isoformat()
        delegate = one_line(delegate_text(c), 16)
        say(line((str(c.number), c.status, c.priority, due, delegate, one_line(c.subject, 70))))
        count += 1
    return count


def print_detail(detail: CaseDetail, sla: Sequence[tuple[str, str]] = ()) -> None:
    """`case show` for people: header, description, sub-cases, timeline; `sla` adds the
    SLA clocks to the header, (name, state) each."""
    c = detail.case
    say(f"{c.number}  {one_line(c.subject)}")
    fields = [
        ("status", c.status + (f" ({c.resolution})" if c.resolution else "")),
        ("priority", c.priority),
        ("type", c.type),
        ("delegated", delegate_text(c)),
        ("owner", c.owner or "-"),
        ("contact", f"{c.contact_name} <{c.contact_email}>".strip()),
        ("account", c.account or "-"),
        ("due", c.due.isoformat()),
        ("reminder", c.reminder.isoformat() if c.reminder else "-"),
        ("time spent", f"{format_hours(detail.time_spent_centi) or 0:.2f} h"),
    ]
    if c.duplicate_of:
        fields.append(("duplicate of", str(c.duplicate_of)))
    if c.parent:
        fields.append(("parent", str(c.parent)))
    fields += list(sla)
    fields += list(c.fields or ())
    for name, value in fields:
        say(f"  {name:<12} {one_line(value)}")
    if c.description:
        say("")
        say(safe_text(c.description).rstrip())
    if detail.sub_cases:
        say("\nSub-cases:")
        for sub in detail.sub_cases:
            say(f"  {sub.number}  {sub.status:<11}  {one_line(sub.subject, 70)}")
    say("\nTimeline:")
    for a in detail.activities:
        who = one_line(a.actor or "system")
        line = f"  {a.at:%Y-%m-%d %H:%M}  {a.kind:<10} {who}"
        if a.changes:
            line += "  " + ", ".join(
                f"{one_line(k)}: {one_line(str(v[0]))} → {one_line(str(v[1]))}"
                for k, v in a.changes.items()
            )
        if a.time_spent_centi:
            line += f"  [{format_hours(a.time_spent_centi):.2f} h]"
        say(line)
        if a.text:
            for text_line in safe_text(a.text).splitlines():
                say(f"      {text_line}")
        for item in a.mail.attachments if a.mail is not None else ():  # ACT-6
            name = one_line(str(item.get("filename") or "(no name)"))
            kind = one_line(str(item.get("content_type") or ""))
            size = item.get("size") or 0
            note = f"  ({one_line(str(item['note']))})" if item.get("note") else ""
            say(f"      attachment  {name}  {kind}  {size:,} bytes{note}")
