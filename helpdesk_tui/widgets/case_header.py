"""The case screen's header: number, subject, every header field (CASE-1), the SLA clocks
(DATE-3) and the custom fields of the case's type (CASE-2), after the others."""

from datetime import date

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual.widgets import Static

from helpdesk_tui.domain.csat import rating_text
from helpdesk_tui.domain.safe_text import one_line
from helpdesk_tui.storage.reads import CaseSummary
from helpdesk_tui.widgets.case_row import SLA_MARKS, SLA_STYLES
from helpdesk_tui.widgets.colours import OVERDUE_STYLE, REMINDER_STYLE
from helpdesk_tui.widgets.colours import PRIORITY_STYLES as PRIORITY_STYLES  # re-exported
from helpdesk_tui.widgets.colours import STATUS_STYLES as STATUS_STYLES  # re-exported
from helpdesk_tui.widgets.untrusted import literal_line

WIDE = 100  # columns from which the header shows three fields a row


def delegation_text(case: CaseSummary) -> Text:
    """`alice` or `group billing`."""
    if case.delegated_user:
        return literal_line(case.delegated_user)
    if case.delegated_group:
        return Text("group ").append(literal_line(case.delegated_group))
    return Text("—", style="dim")


def hours(centi: int) -> str:
    """Hundredths of an hour as `1.25 h`."""
    return f"{centi / 100:.2f} h"


def due_text(case: CaseSummary, today: date) -> Text:
    """The due date, marked when it has passed on an open case."""
    text = Text(case.due.isoformat())
    if case.status != "closed":
        days = (case.due - today).days
        if days < 0:
            text.append(f"  overdue {-days} d", style=OVERDUE_STYLE)
        else:
            text.append(f"  in {days} d", style="dim")
    return text


def reminder_text(case: CaseSummary, today: date) -> Text:
    """The reminder date, marked when it is due."""
    if case.reminder is None:
        return Text("—", style="dim")
    text = Text(case.reminder.isoformat())
    if case.status != "closed" and case.reminder <= today:
        text.append("  due", style=REMINDER_STYLE)
    return text


def resolution_text(case: CaseSummary) -> Text:
    """`solved`, `duplicate of 0001234`, or a dash."""
    if not case.resolution:
        return Text("—", style="dim")
    text = Text(case.resolution)
    if case.duplicate_of is not None:
        text.append(f" of {case.duplicate_of}")
    return text


def sla_cells(case: CaseSummary) -> list[tuple[str, Text]]:
    """Both SLA clocks (DATE-3): `First response  met`, `Resolution  ! 25m left`, coloured
    and marked as in the queue's SLA column; none without an SLA."""
    view = case.sla_view
    if view is None:
        return []
    return [
        (
            clock.title,
            Text(
                SLA_MARKS.get(clock.level, "") + clock.text,
                style=SLA_STYLES.get(clock.level, "dim"),
            ),
        )
        for clock in view.clocks
    ]


def field_label(key: str) -> str:
    """A custom field's key as a label: `serial_number` → `Serial number` (one line)."""
    words = one_line(key, 24).replace("_", " ")
    return words[:1].upper() + words[1:]


class CaseHeader(Static):
    """Shows one case's header fields; everything customer-typed is literal text."""

    DEFAULT_CSS = """
    CaseHeader { height: auto; padding: 0 1; background: $boost; }
    """

    def __init__(self, content: Text | str = "", *, id: str | None = None) -> None:  # noqa: A002
        super().__init__(content, id=id)
        self._shown: tuple[CaseSummary, date, int] | None = None

    def clear(self, content: Text | str = "") -> None:
        """Show `content` instead of a case (while one is being loaded)."""
        self._shown = None
        self.update(content)

    def on_resize(self) -> None:
        """The header is laid out for a width: show the case again at the new one."""
        if self._shown is not None:
            case, today, centi = self._shown
            self.show(case, today=today, time_centi=centi)

    def show(self, case: CaseSummary, *, today: date, time_centi: int) -> None:
        """Render `case` (as of `today`) with its recorded time."""
        self._shown = (case, today, time_centi)
        title = Text(str(case.number), style="bold")
        title.append("  ")
        title.append(literal_line(case.subject, style="bold"))
        if case.status == "closed":
            title.append("   closed: read-only (r reopens)", style="italic dim")

        contact = literal_line(case.contact_name or case.contact_email)
        if case.contact_name:
            contact.append(" <").append(literal_line(case.contact_email)).append(">")
        cells: list[tuple[str, Text]] = [
            ("Status", Text(case.status, style=STATUS_STYLES.get(case.status, ""))),
            ("Priority", Text(case.priority, style=PRIORITY_STYLES.get(case.priority, ""))),
            ("Type", literal_line(case.type)),
            ("Delegated", delegation_text(case)),
            ("Owner", literal_line(case.owner) if case.owner else Text("—", style="dim")),
            ("Time spent", Text(hours(time_centi))),
            ("Contact", contact),
            ("Account", literal_line(case.account) if case.account else Text("—", style="dim")),
            ("Resolution", resolution_text(case)),
            ("Due", due_text(case, today)),
            ("Reminder", reminder_text(case, today)),
            ("Created", Text(case.created_at.astimezone().strftime("%Y-%m-%d %H:%M"))),
        ]
        # Three label/value pairs a row on a wide terminal, two on a narrow one.
        ratios = (3, 2, 2) if self.size.width >= WIDE else (1, 1)
        grid = Table.grid(padding=(0, 2), expand=True)
        for ratio in ratios:
            grid.add_column(style="dim", no_wrap=True)
            grid.add_column(ratio=ratio, no_wrap=True, overflow="ellipsis")
        if len(ratios) == 2:
            cells = [cells[i] for i in (0, 3, 1, 2, 6, 7, 4, 5, 9, 10, 8, 11)]
        cells += sla_cells(case)
        if case.csat_rating is not None:  # CSAT: the customer's rating after closing
            cells.append(("Rating", Text(rating_text(case.csat_rating, case.csat_at))))
        cells += [(field_label(key), literal_line(value)) for key, value in case.fields or ()]
        per_row = len(ratios)
        for start in range(0, len(cells), per_row):
            row: list[str | Text] = []
            for name, value in cells[start : start + per_row]:
                row += [Text(name), value]  # a custom field's label is data, not markup
            grid.add_row(*row)
        self.update(Group(title, grid))
