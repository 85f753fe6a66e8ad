"""How one case looks as a row of the case list: columns, cells, markers.

Pure functions of a `CaseSummary` and today's date, so they are cheap to test and the
list can cache what they produce. Untrusted text (subjects, names, accounts) goes
through `one_line` into Rich `Text` objects, never markup (SEC-2).

Narrow terminals drop columns: first the ones that say nothing in the view shown
(`Delegated to` in a view of one agent's cases, `Status` in a view of one status), then
by rank. Priority is never dropped; nor are the flags that mark overdue and reminder-due
cases without colour (`!`, `◷`).
"""

from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style

from helpdesk_tui.domain.query import CaseQuery
from helpdesk_tui.domain.safe_text import one_line
from helpdesk_tui.storage.reads import CaseSummary, SortKey
from helpdesk_tui.widgets.colours import (
    EMPTY_STYLE,
    OVERDUE_STYLE,
    PRIORITY_STYLES,
    REMINDER_STYLE,
    STATUS_STYLES,
)

OVERDUE_MARK = "!"
REMINDER_MARK = "◷"
MARKED_MARK = "*"


@dataclass(frozen=True)
class Column:
    """A list column: at least `width` cells (`want` once optional columns are shown),
    plus a `flex` share of what is left."""

    key: str
    title: str
    width: int
    rank: int  # narrow terminals drop the highest rank first; 0 is never dropped
    flex: int = 0
    sort: SortKey | None = None
    want: int = 0  # optional columns (rank > CORE_RANK) only show once this fits


#: Columns up to this rank show whenever their minimum widths fit; the ones above it
#: (priority, last activity) only once the subject also gets the width it wants.
CORE_RANK = 3

COLUMNS = (
    Column("flags", "", 2, 0),
    Column("number", "Number", 11, 0, sort=SortKey.NUMBER),
    Column("subject", "Subject", 14, 0, flex=3, want=28),
    Column("contact", "Contact", 10, 3, flex=2),
    Column("status", "Status", 11, 1),
    Column("priority", "Prio", 6, 0),
    Column("delegated", "Delegated to", 12, 2),
    Column("due", "Due", 10, 1, sort=SortKey.DUE),
    Column("updated", "Activity", 11, 5, sort=SortKey.UPDATED),
)
#: The columns where SLA policies are configured (DATE-3): the SLA after the due date.
SLA_COLUMNS = (*COLUMNS[:8], Column("sla", "SLA", 17, 2, sort=SortKey.SLA), *COLUMNS[8:])

#: The SLA cell's colour by level, and its mark without colour: `!` once 75 % of a
#: clock's target is used, `!!` once it is breached.
SLA_STYLES = {"ok": "", "risk": REMINDER_STYLE, "breached": OVERDUE_STYLE}
SLA_MARKS = {"risk": "! ", "breached": "!! "}


def idle_columns(query: CaseQuery) -> frozenset[str]:
    """Columns that carry no information in the view `query` shows: every row would say
    the same (one agent's cases: `Delegated to`; one status: `Status`)."""
    idle: set[str] = set()
    if len(query.users) == 1 and not query.unassigned:
        idle.add("delegated")
    if len(query.statuses) == 1:
        idle.add("status")
    return frozenset(idle)


@lru_cache(maxsize=32)
def layout(
    width: int,
    columns: tuple[Column, ...] = COLUMNS,
    sort: SortKey | None = None,
    idle: frozenset[str] = frozenset(),
) -> list[tuple[Column, int]]:
    """Columns that fit in `width` (one space between them) with their widths (cached:
    treat the result as read-only). The column the list is sorted by stays; `idle`
    columns (see `idle_columns`) go first when the width is short.

    Spare cells go first to the columns below the width they want (the subject), then
    to the flexible columns by their shares: a wide terminal shows longer subjects
    rather than the same short ones with more room elsewhere.
    """
    shown = list(columns)

    def rank(column: Column) -> int:
        return 0 if sort is not None and column.sort is sort else column.rank

    def needed(wanted: bool = False) -> int:
        sizes = (max(c.width, c.want) if wanted else c.width for c in shown)
        return sum(sizes) + len(shown) - 1

    def drop_last() -> None:
        shown.remove(max(shown, key=rank))

    for column in [c for c in shown if c.key in idle and rank(c)]:
        if needed(wanted=True) <= width:
            break
        shown.remove(column)
    while needed(wanted=True) > width and any(rank(c) > CORE_RANK for c in shown):
        drop_last()
    while needed() > width and any(rank(c) for c in shown):
        drop_last()
    spare = max(0, width - needed())
    widths = {c.key: c.width for c in shown}
    for c in shown:
        extra = min(spare, max(0, c.want - c.width))
        widths[c.key] += extra
        spare -= extra
    flex = sum(c.flex for c in shown)
    if flex:
        for c in shown:
            widths[c.key] += spare * c.flex // flex
        # rounding leftovers go to the first flexible column
        first = next(c for c in shown if c.flex)
        widths[first.key] += width - (sum(widths.values()) + len(shown) - 1)
    return [(c, widths[c.key]) for c in shown]


def is_overdue(case: CaseSummary, today: date) -> bool:
    """Due before today and not closed."""
    return case.status != "closed" and case.due < today


def is_reminder_due(case: CaseSummary, today: date) -> bool:
    """A reminder on or before today on a case that is not closed."""
    return case.status != "closed" and case.reminder is not None and case.reminder <= today


#: A piece of a cell: plain text and a Rich style name. Never markup.
Fragment = tuple[str, str]


def cell(case: CaseSummary, key: str, *, today: date, marked: bool) -> list[Fragment]:
    """One cell of a row as plain-text fragments (untrusted parts never go through markup)."""
    if key == "flags":
        flag: Fragment = (" ", "")
        if is_overdue(case, today):
            flag = (OVERDUE_MARK, OVERDUE_STYLE)
        elif is_reminder_due(case, today):
            flag = (REMINDER_MARK, REMINDER_STYLE)
        return [(MARKED_MARK if marked else " ", "bold"), flag]
    if key == "number":
        return [(str(case.number), "")]
    if key == "subject":
        return [(one_line(case.subject), "")]
    if key == "contact":
        who = one_line(case.contact_name or case.contact_email)
        if case.account:
            who += " / " + one_line(case.account)
        return [(who, "")]
    if key == "status":
        return [(case.status, STATUS_STYLES.get(case.status, ""))]
    if key == "priority":
        return [(case.priority, PRIORITY_STYLES.get(case.priority, ""))]
    if key == "delegated":
        if case.delegated_user:
            return [(one_line(case.delegated_user), "")]
        if case.delegated_group:
            return [("group:" + one_line(case.delegated_group), EMPTY_STYLE)]
        return [("—", EMPTY_STYLE)]
    if key == "due":
        return [(case.due.isoformat(), OVERDUE_STYLE if is_overdue(case, today) else "")]
    if key == "updated":
        return [(case.updated_at.astimezone().strftime("%m-%d %H:%M"), "")]
    if key == "sla":
        return sla_cell(case)
    raise KeyError(key)


def sla_cell(case: CaseSummary) -> list[Fragment]:
    """`2h10m left`, `! 25m left` (≥ 75 % used), `!! breached 3h`, `paused`, `met`; a dash
    without an SLA. Coloured by level; the marks say the same without colour."""
    view = case.sla_view
    if view is None or not view.label:
        return [("—", EMPTY_STYLE)]
    style = SLA_STYLES.get(view.level, EMPTY_STYLE)
    return [(SLA_MARKS.get(view.level, "") + view.label, style)]


def fit(fragments: list[Fragment], width: int) -> list[Fragment]:
    """Fragments cut to `width` cells (with an ellipsis) or padded to it."""
    fitted: list[Fragment] = []
    used = 0
    for text, style in fragments:
        size = cell_len(text)
        if used + size > width:
            room = width - used - 1
            if room >= 0:
                fitted.append((set_cell_size(text, room) + "…", style))
            return fitted
        fitted.append((text, style))
        used += size
    if used < width:
        fitted.append((" " * (width - used), ""))
    return fitted


def row_segments(
    case: CaseSummary,
    columns: list[tuple[Column, int]],
    *,
    today: date,
    marked: bool,
    plain: bool = False,
) -> list[Segment]:
    """A whole row as segments: each column fitted to its width, one space between.
    `plain` drops the cells' colours (the cursor row: one colour on the cursor's
    background, readable; the words and marks still say what the colours said)."""
    segments: list[Segment] = []
    for column, width in columns:
        for text, style in fit(cell(case, column.key, today=today, marked=marked), width):
            parsed = Style.parse(style) if style else None
            if plain and parsed is not None:
                parsed = Style(bold=parsed.bold)
            segments.append(Segment(text, parsed))
        segments.append(Segment(" "))
    return segments
