"""The dashboard a team lead steers by (issue 15 §5, VIEW-3): key `D` from the queue.

Tiles with the steering numbers and four charts in the terminal (created vs closed per
day, backlog, open cases per agent by priority, SLA compliance per week), for all the
groups the viewer may see or for one (`g` cycles). Everything comes from one call,
`Desk.dashboard(group)`, in a thread worker; a commit anywhere (the app's `DataChanged`)
reads it again, at most once every `REFRESH_EVERY` seconds, so the screen is live within
about two seconds and a burst of commits costs one read.
"""

import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual import work
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Grid, VerticalScroll
from textual.timer import Timer
from textual.widget import Widget
from textual.widgets import Static

from helpdesk_tui.messages import CasesChanged, DataChanged
from helpdesk_tui.screens.base import WorkerScreen
from helpdesk_tui.services.desk import Desk
from helpdesk_tui.widgets.charts import bar_chart, day_label, points_chart
from helpdesk_tui.widgets.key_footer import KeyFooter
from helpdesk_tui.widgets.status_line import StatusLine
from helpdesk_tui.widgets.tiles import Tile, tile_values
from helpdesk_tui.widgets.untrusted import literal_line

if TYPE_CHECKING:
    from helpdesk_tui.storage.statsmodels import Dashboard

#: The least time between two reads caused by commits (TUI-3: live within 2 s).
REFRESH_EVERY = 1.0
#: Priorities low..urgent as the load chart draws them (the title names the markers).
PRIORITY_MARKERS = {"urgent": "█", "high": "▓", "normal": "▒", "low": "░"}
TILES = (
    ("open", "Open"),
    ("overdue", "Overdue"),
    ("unassigned", "Unassigned"),
    ("waiting", "Waiting"),
    ("sla_at_risk", "SLA at risk"),
    ("sla_breached", "SLA breached"),
    ("first_response", "1st response 30d"),
    ("resolution", "Resolution 30d"),
    ("time_week", "Time this week"),
    ("classified", "Mail classified"),
    ("unclassified", "Unclassified mail"),
    ("csat", "CSAT 30d"),
)

ChartText = Callable[["Dashboard", int, int], str]


def created_closed_text(board: "Dashboard", width: int, height: int) -> str:
    """Created (`+`) and closed (`o`) cases per day, the last 30 days."""
    created = board.kpi.created_per_day
    closed = board.kpi.closed_per_day
    return points_chart(
        "Created + / closed o per day",
        [("+", [d.count for d in created]), ("o", [d.count for d in closed])],
        [day_label(d.day) for d in created],
        width,
        height,
    )


def backlog_text(board: "Dashboard", width: int, height: int) -> str:
    """Open cases at the end of each day."""
    days = board.backlog_per_day
    return points_chart(
        "Backlog (open cases) per day",
        [("•", [d.count for d in days])],
        [day_label(d.day) for d in days],
        width,
        height,
    )


def load_text(board: "Dashboard", width: int, height: int) -> str:
    """Each agent's open cases, stacked by priority (low at the bottom)."""
    priorities = [p for p, _ in board.load[0].by_priority] if board.load else []
    groups = [
        (PRIORITY_MARKERS.get(p, "#"), [dict(a.by_priority).get(p, 0) for a in board.load])
        for p in priorities
    ]
    legend = " ".join(f"{PRIORITY_MARKERS.get(p, '#')} {p}" for p in reversed(priorities))
    return bar_chart(
        f"Open per agent: {legend}".rstrip(": ") if legend else "Open per agent",
        [a.agent for a in board.load],
        groups,
        width,
        height,
        stacked=True,
    )


def compliance_text(board: "Dashboard", width: int, height: int) -> str:
    """SLA clocks met (`█`) and breached (`░`) per week (its Monday)."""
    weeks = board.sla_compliance
    return bar_chart(
        "SLA per week: █ met ░ breached",
        [day_label(w.week) for w in weeks],
        [("█", [w.met for w in weeks]), ("░", [w.breached for w in weeks])],
        width,
        height,
    )


class Chart(Widget):
    """A chart drawn to the widget's size from the dashboard it was last given."""

    DEFAULT_CSS = """
    Chart { height: 12; }
    """

    def __init__(self, draw: ChartText, *, id: str) -> None:  # noqa: A002 - Textual's
        """A chart that `draw` makes of a dashboard."""
        super().__init__(id=id)
        self.draw = draw
        self.board: Dashboard | None = None
        self._drawn: tuple[int, int, Dashboard | None, str] | None = None

    def show(self, board: "Dashboard") -> None:
        """Draw `board` (again, if it changed)."""
        if board != self.board:
            self.board = board
            self.refresh()

    def render(self) -> Text:
        """The chart as text, built once per size and dashboard."""
        width, height = self.content_region.width, self.content_region.height
        if self.board is None:
            return Text("…", style="dim")
        drawn = self._drawn
        if drawn is None or drawn[:3] != (width, height, self.board):
            drawn = (width, height, self.board, self.draw(self.board, width, height))
            self._drawn = drawn
        return Text(drawn[3], no_wrap=True)


def open_dashboard(app: "App[Any]", desk: Desk) -> None:
    """`D`: read the dashboard in a thread, then show it with its numbers in its first
    frame. The screen below stays live meanwhile (reading with no frames being drawn is
    what makes the first paint fast at a million cases); if the user went elsewhere
    before the numbers came, nothing opens. A failed read is the app's one-line notice."""
    below = app.screen

    def read() -> None:
        board = desk.dashboard(None)
        app.call_from_thread(show, board)

    def show(board: "Dashboard") -> None:
        if app.screen is below:
            app.push_screen(DashboardScreen(desk, board=board))

    app.run_worker(
        read,
        thread=True,
        exclusive=True,
        group="dashboard-open",
        exit_on_error=False,
        description="dashboard",
    )


class DashboardScreen(WorkerScreen[None]):
    """Tiles and charts of the cases the viewer may see, all groups or one."""

    BINDING_GROUP_TITLE = "Dashboard"
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (100, "-wide")]  # noqa: RUF012 - Textual's
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Back", id="dashboard.back"),
        Binding("r", "refresh", "Refresh", id="dashboard.refresh"),
        Binding("g", "next_group", "Group", id="dashboard.group"),
    ]

    def __init__(
        self, desk: Desk, group: str | None = None, board: "Dashboard | None" = None
    ) -> None:
        """The dashboard of `desk`'s viewer, for `group` (None: all the viewer may see);
        `board`: that dashboard as just read, shown in the first frame."""
        super().__init__()
        self.desk = desk
        self.group = group
        self.board: Dashboard | None = None
        self._first = board
        self.refresh_every = REFRESH_EVERY
        self._last_read = 0.0
        self._reads = 0  # reads started; the one shown last (stale ones are dropped)
        self._shown = 0
        self._pending: Timer | None = None

    def compose(self) -> ComposeResult:
        """Title, the tiles, the charts, status line, keys."""
        self._size_classes()
        yield Static(id="dashboard-title")
        with VerticalScroll(id="dashboard-body"):
            with Grid(id="dashboard-tiles"):
                for tile_id, label in TILES:
                    yield Tile(tile_id, label)
            with Grid(id="dashboard-charts"):
                yield Chart(created_closed_text, id="chart-created-closed")
                yield Chart(backlog_text, id="chart-backlog")
                yield Chart(load_text, id="chart-load")
                yield Chart(compliance_text, id="chart-compliance")
        yield StatusLine(self.desk.user, self.desk.database_label(), id="status")
        yield KeyFooter(compact=True)

    def _size_classes(self) -> None:
        """The breakpoint classes for the app's size now, before the first layout:
        Textual adds them on the first resize, after a first frame laid out without
        them (the charts drawn twice, the first paint later)."""
        width, height = self.app.size
        for size, breakpoints in (
            (width, self.HORIZONTAL_BREAKPOINTS or []),
            (height, self.app.VERTICAL_BREAKPOINTS or []),
        ):
            reached = [name for least, name in breakpoints if size >= least]
            for _, name in breakpoints:
                self.set_class(bool(reached) and name == reached[-1], name)

    def on_mount(self) -> None:
        """Read the dashboard."""
        status = self.query_one(StatusLine)
        status.sync = getattr(self.app, "sync_label", status.sync)
        if self._first is not None and self._first.group == self.group:
            self._last_read = time.monotonic()
            self._show(self._first)
        else:
            self._show_title()
            self._start_read()

    # -- reading ---------------------------------------------------------------------
    @work(
        thread=True, exclusive=True, group="dashboard", exit_on_error=False, description="dashboard"
    )
    def _read(self, group: str | None, number: int) -> None:
        """The dashboard for `group`, off the event loop; a refusal is shown in one line."""
        board = self.desk.dashboard(group)
        self.app.call_from_thread(self._show, board, number)

    def _start_read(self) -> None:
        self._last_read = time.monotonic()
        self._reads += 1
        self._read(self.group, self._reads)

    def _show(self, board: "Dashboard", number: int = 0) -> None:
        if board.group != self.group or number < self._shown:
            return  # the group changed meanwhile, or a later read came first
        self._shown = number
        self.board = board
        for tile in tile_values(board):
            self.query_one(f"#tile-{tile.id}", Tile).show(tile)
        for chart in self.query(Chart):
            chart.show(board)
        self._show_title()

    def _show_title(self) -> None:
        title = Text("Dashboard", style="bold")
        title.append(" · group: ")
        title.append_text(literal_line(self.group or "all"))
        if self.board is None:
            title.append(" · reading …", style="dim")
        title.append("   g group · r refresh", style="dim")
        self.query_one("#dashboard-title", Static).update(title)

    def _changed(self) -> None:
        """Read again now, or once `refresh_every` has passed since the last read."""
        if self._pending is not None:
            return  # one read is due already: it will see this change too
        wait = self._last_read + self.refresh_every - time.monotonic()
        if wait <= 0:
            self._start_read()
        else:
            self._pending = self.set_timer(wait, self._due)

    def _due(self) -> None:
        self._pending = None
        self._start_read()

    def on_data_changed(self, _: DataChanged) -> None:
        """Someone committed: read again (throttled)."""
        self._changed()

    def on_cases_changed(self, _: CasesChanged) -> None:
        """This app changed cases: read again (throttled)."""
        self._changed()

    # -- keys ------------------------------------------------------------------------
    def action_refresh(self) -> None:
        """`r`: read the dashboard again now."""
        self._start_read()

    def action_next_group(self) -> None:
        """`g`: all groups → each group the viewer may filter by → all groups."""
        choices: list[str | None] = [None, *(self.board.groups if self.board else ())]
        index = choices.index(self.group) if self.group in choices else 0
        self.group = choices[(index + 1) % len(choices)]
        self._show_title()
        self._start_read()

    def action_close(self) -> None:
        """Esc: back to the screen below."""
        self.app.pop_screen()
