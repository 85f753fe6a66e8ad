"""A virtual case list on Textual's Line API: the rows on screen plus a margin, no more.

The list never holds a whole view. It keeps a window of rows around the screen
(`RowWindow`, the pure arithmetic in `case_pages`) and fills it with keyset pages
(`after` / `before` / `from_end`, never OFFSET) read in thread workers, so a million
cases scroll like fifty: moving the cursor is in-memory work, and when it comes within
`MARGIN_SCREENS` screens of the window's edge the next page is read in the background
and the far side of the window is dropped.

This module is the widget, top to bottom: what the screen asks, the reads (a fresh
window, both ends of the view read ahead for g/G, a page at an edge), the keys, and the
painting (one cached strip per row). What the cells of a row say is `case_row`'s.
"""

from dataclasses import replace
from datetime import date
from typing import TYPE_CHECKING, ClassVar, NamedTuple

from rich.segment import Segment
from rich.style import Style
from textual import work
from textual.binding import Binding, BindingType
from textual.cache import LRUCache
from textual.geometry import Region
from textual.message import Message
from textual.reactive import reactive
from textual.strip import Strip
from textual.timer import Timer
from textual.widget import Widget
from textual.worker import Worker, get_current_worker

from helpdesk_tui.domain.numbering import CaseNumber
from helpdesk_tui.domain.query import CaseQuery
from helpdesk_tui.storage.reads import CaseSummary, Cursor, Sort, SortKey
from helpdesk_tui.widgets.case_pages import (
    MARGIN_SCREENS,
    Placing,
    RowWindow,
    Window,
    read_edges,
    read_window,
)
from helpdesk_tui.widgets.case_row import (
    COLUMNS,
    SLA_COLUMNS,
    fit,
    idle_columns,
    is_overdue,
    is_reminder_due,
    layout,
    row_segments,
)
from helpdesk_tui.widgets.failure import report_failure

if TYPE_CHECKING:
    from helpdesk_tui.services.desk import Desk, Page

#: The smallest page asked for (a short terminal still reads in useful amounts).
MIN_PAGE = 40
#: Seconds a view must stay before its ends are read ahead for g/G (typing a query
#: shows many views in a row; reading both ends of each would slow the next one).
EDGES_DELAY = 0.25
#: Seconds a typed query must stay before it is counted ("row 1 of …" meanwhile).
COUNT_DELAY = 0.25


class _RowKey(NamedTuple):
    """Everything a painted row depends on: the key of its cached strip."""

    case: CaseSummary
    width: int
    sort: SortKey  # the sorted-by column always shows, so the columns depend on it
    idle: frozenset[str]  # columns that say nothing in this view go first
    cursor: bool
    marked: bool
    focused: bool
    today: date


class CaseList(Widget, can_focus=True):
    """The queue's list of cases: virtual, keyset-paged, with marks and a cursor."""

    BINDING_GROUP_TITLE = "Case list"
    DEFAULT_CSS = """
    CaseList {
        height: 1fr;
    }
    CaseList > .case-list--header {
        text-style: bold;
        background: $panel;
    }
    CaseList > .case-list--cursor {
        background: $block-cursor-blurred-background;
    }
    CaseList:focus > .case-list--cursor {
        background: $block-cursor-background;
        color: $block-cursor-foreground;
    }
    CaseList > .case-list--marked {
        background: $accent 15%;
        text-style: bold;
    }
    CaseList > .case-list--overdue {
        color: $text-error;
    }
    CaseList > .case-list--reminder {
        color: $text-warning;
    }
    CaseList > .case-list--empty {
        color: $text-muted;
        text-style: italic;
    }
    """
    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "case-list--header",
        "case-list--cursor",
        "case-list--marked",
        "case-list--overdue",
        "case-list--reminder",
        "case-list--empty",
    }
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j,down", "move(1)", "Down", id="list.down", show=False),
        Binding("k,up", "move(-1)", "Up", id="list.up", show=False),
        Binding("pagedown", "page(1)", "Page down", id="list.page_down", show=False),
        Binding("pageup", "page(-1)", "Page up", id="list.page_up", show=False),
        Binding("g,home", "first", "First", id="list.first", show=False),
        Binding("G,end", "last", "Last", id="list.last", show=False),
        Binding("enter", "open", "Open", id="list.open"),
        Binding("space", "toggle_mark", "Mark", id="list.mark"),
    ]

    #: "row 12 of 348" — for the screen's title bar.
    position: reactive[str] = reactive("", layout=False, repaint=False)

    class OpenRequested(Message):
        """The user asked to open the case under the cursor."""

        def __init__(self, number: CaseNumber) -> None:
            super().__init__()
            self.number = number

    class RowsLoaded(Message):
        """A fresh window of rows arrived (the first one means: the list is painted)."""

    class MarksChanged(Message):
        """The set of marked cases changed."""

        def __init__(self, count: int) -> None:
            super().__init__()
            self.count = count

    def __init__(
        self,
        source: "Desk",
        query: CaseQuery | None = None,
        *,
        sort: Sort | None = None,
        name: str | None = None,
        id: str | None = None,  # noqa: A002 - Textual's name
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.source = source
        self.case_query = query or CaseQuery()
        self.sort = sort or Sort()
        #: With SLA policies the list has an SLA column (DATE-3).
        self.columns = SLA_COLUMNS if source.sla_enabled else COLUMNS
        self.window = RowWindow()
        # Reading: which read is current, what is in flight, what was read ahead.
        self.loading_rows = False  # a fresh window is being read: edges are not known
        self._pending_step = 0  # moves asked for while it is read
        self._count_stale = False  # a count was asked for and has not arrived yet
        self._data_epoch = 0  # moves on whenever the data may have changed
        self._edges: dict[bool, Window] = {}  # first/last window, read ahead for g/G
        self._edges_key: object = None
        self._edges_timer: Timer | None = None
        self._count_later = False  # the next fresh window is counted after COUNT_DELAY
        self._count_timer: Timer | None = None
        self._generation = 0  # moves on with each fresh window; older reads are dropped
        self._extending: set[int] = set()  # directions being read: +1 forward, -1 back
        # Painting: strips per row and styles per focus state.
        self._cache: LRUCache[_RowKey, Strip] = LRUCache(1024)
        self._styles: dict[tuple[object, ...], Style] = {}

    # -- what the screen reads (the rest is in `window`) ---------------------------------
    @property
    def current(self) -> CaseSummary | None:
        """The case under the cursor."""
        return self.window.current

    @property
    def visible_rows(self) -> int:
        """Rows of cases that fit (one line is the column header)."""
        return max(1, self.size.height - 1)

    @property
    def page_size(self) -> int:
        """How many rows one read asks for."""
        return max(MIN_PAGE, self.visible_rows * MARGIN_SCREENS)

    def marked(self) -> list[CaseSummary]:
        """The marked cases, in number order."""
        return self.window.marked()

    def clear_marks(self) -> None:
        """Unmark everything."""
        if self.window.marks:
            self.window.marks.clear()
            self.post_message(self.MarksChanged(0))
            self.refresh()

    def show(
        self,
        query: CaseQuery,
        sort: Sort | None = None,
        *,
        at: tuple[CaseSummary, int] | None = None,
        count_later: bool = False,
    ) -> None:
        """Show another view / query / order, keeping the current case if it is in it;
        `at` puts a case back on a screen row (a view shown again as it was);
        `count_later` counts the view only once it has stayed COUNT_DELAY seconds (a
        query being typed: the next key would make the count moot)."""
        self._count_later = count_later
        changed_order = sort is not None and sort != self.sort
        if query != self.case_query:
            # Marks belong to the view (and query) they were made in: an action must
            # never reach cases the agent no longer sees (TUI-4). Another order keeps them.
            self.clear_marks()
        self.case_query = query
        if sort is not None:
            self.sort = sort
        keep = self.current
        if at is not None and not (query.words or query.numbers):  # ranked: no cursors
            case, screen_row = at
            self._reload(case.cursor_for(self.sort), case.number, screen_row)
        elif changed_order and keep is not None:
            # The same case stays under the cursor, at the same height on screen.
            screen_row = self.window.cursor - self.window.top
            self._reload(keep.cursor_for(self.sort), keep.number, screen_row)
        else:
            self._reload(None, None, 0)

    def refresh_data(self) -> None:
        """Read the window again (data changed): same top row, same case under the cursor."""
        self._data_epoch += 1
        window = self.window
        if not window.loaded or not window.rows:
            self._reload(None, None, 0)
            return
        top = window.rows[window.top]
        self._reload(
            top.cursor_for(self.sort),
            None,  # the case under the cursor when the rows arrive (keys may move it)
            0,
            anchor_position=None if window.base is None else window.base + window.top,
            refresh=True,
        )

    # -- reading a fresh window ---------------------------------------------------------
    def on_mount(self) -> None:
        """Read the first window at once: the first page is the first paint."""
        self._reload(None, None, 0)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """A worker this list started failed: one line on screen (never silently)."""
        report_failure(self, event)

    def _reload(
        self,
        anchor: Cursor | None,
        keep: CaseNumber | None,
        anchor_row: int,
        *,
        cursor_offset: int | None = None,
        anchor_position: int | None = None,
        from_end: bool = False,
        refresh: bool = False,
        count: bool = True,
    ) -> None:
        """Read a fresh window around `anchor` (None: the start), or the end of the view.

        `keep` is the case to put the cursor on; the anchor row is shown on screen row
        `anchor_row`; `anchor_position` is the anchor's known position in the view.
        A `refresh` reads the same view again: the rows in hand stay valid meanwhile.
        """
        self._generation += 1
        self._extending.clear()
        if not refresh:
            self.loading_rows = True  # keys move the cursor once the new rows are in
            self._pending_step = 0
        # A count asked for by a read still in flight must not get lost when it is
        # superseded (a view switch, then G at once).
        count = count or self._count_stale or self.window.total is None
        self._count_stale = count
        placing = Placing(
            keep, anchor_row, cursor_offset, anchor_position, from_end, refresh, count
        )
        if self._count_timer is not None:
            self._count_timer.stop()
            self._count_timer = None
        later, self._count_later = self._count_later, False
        self._load(
            self._generation, self.case_query, self.sort, anchor, placing, self.page_size, later
        )

    @work(
        thread=True,
        exclusive=True,
        group="case-list-load",
        exit_on_error=False,
        description="read the case list",
    )
    def _load(
        self,
        generation: int,
        query: CaseQuery,
        sort: Sort,
        anchor: Cursor | None,
        placing: Placing,
        size: int,
        count_later: bool,
    ) -> None:
        worker = get_current_worker()
        result = read_window(
            self.source, query, sort, anchor, size=size, from_end=placing.from_end, count=False
        )
        if worker.is_cancelled:
            return
        # The rows first, the count after them: a count may walk ten thousand index
        # entries, and the list must not wait for it. A view read whole is its own count.
        whole = result.at_start and result.at_end
        if placing.count and whole:
            result = replace(result, total=len(result.rows))
        self.app.call_from_thread(self._loaded, generation, result, placing, count_later)
        if placing.count and not whole and not count_later and not worker.is_cancelled:
            self._count_view(generation, query)

    def _count_view(self, generation: int, query: CaseQuery) -> None:
        """Count the view (blocking: in a worker) and show the count if still current."""
        total = self.source.count_queries({"list": query})["list"]
        self.app.call_from_thread(self._counted, generation, total)

    @work(
        thread=True,
        exclusive=True,
        group="case-list-count",
        exit_on_error=False,
        description="count the case list",
    )
    def _count_in_worker(self, generation: int, query: CaseQuery) -> None:
        if generation == self._generation:
            self._count_view(generation, query)

    def _count_now(self, generation: int) -> None:
        self._count_timer = None
        if generation == self._generation:
            self._count_in_worker(generation, self.case_query)

    def count_now(self) -> None:
        """Count the view at once if its count was put off (a typed query applied)."""
        if self._count_timer is not None:
            self._count_timer.stop()
            self._count_now(self._generation)

    def _loaded(
        self, generation: int, result: Window, placing: Placing, count_later: bool = False
    ) -> None:
        """A fresh window arrived: place it, read the view's ends ahead, replay keys."""
        if generation != self._generation:
            return
        self.loading_rows = False
        if placing.count:
            self.window.total = None  # "of …" until the count arrives
            if result.total is not None:
                self._count_stale = False
            elif count_later:
                self._count_timer = self.set_timer(COUNT_DELAY, lambda: self._count_now(generation))
        self.window.place(result, placing, self.visible_rows)
        self.post_message(self.RowsLoaded())
        if self._edges_key != self._edges_wanted():
            self._edges, self._edges_key = {}, self._edges_wanted()
            # Once the view stays a moment: not for every query typed on the way.
            if self._edges_timer is not None:
                self._edges_timer.stop()
            self._edges_timer = self.set_timer(EDGES_DELAY, self._read_edges_later)
        pending, self._pending_step = self._pending_step, 0
        if pending:
            self.window.move_to(self.window.cursor + pending)
        self._settle()

    def _counted(self, generation: int, total: int) -> None:
        """The count of the view whose rows are on screen."""
        if generation != self._generation:
            return
        self._count_stale = False
        self.window.total = total
        self.position = self.window.position()

    # -- the view's ends, read ahead for g/G ----------------------------------------------
    def _edges_wanted(self) -> tuple[object, ...]:
        return (self.case_query, self.sort, self._data_epoch)

    def _read_edges_later(self) -> None:
        self._edges_timer = None
        wanted = self._edges_wanted()
        self._read_edges(wanted, self.case_query, self.sort, self.page_size)

    @work(
        thread=True,
        exclusive=True,
        group="case-list-edges",
        exit_on_error=False,
        description="read the ends of the case list",
    )
    def _read_edges(self, key: object, query: CaseQuery, sort: Sort, size: int) -> None:
        """The first and the last window, so g/G (Home/End) need no read of their own."""
        edges = read_edges(self.source, query, sort, size=size)
        self.app.call_from_thread(self._edges_read, key, edges)

    def _edges_read(self, key: object, edges: dict[bool, Window]) -> None:
        if key == self._edges_wanted():
            self._edges = edges

    def _jump(self, end: bool) -> None:
        """Show the window read ahead for this end of the view."""
        self._generation += 1
        self._extending.clear()
        placing = Placing(None, 0, None, None, end, refresh=False, count=False)
        edge = self._edges[end]  # copied: the window's list grows and shrinks in place
        self._loaded(self._generation, replace(edge, rows=list(edge.rows)), placing)

    # -- a page at an edge of the window --------------------------------------------------
    def _extend(self, direction: int) -> None:
        edge = self.window.edge(direction)
        if direction in self._extending or edge is None:
            return
        self._extending.add(direction)
        query, sort = self.case_query, self.sort
        self._read_more(self._generation, direction, edge, query, sort, self.page_size)

    @work(thread=True, group="case-list-extend", exit_on_error=False, description="read more cases")
    def _read_more(
        self,
        generation: int,
        direction: int,
        edge: CaseSummary,
        query: CaseQuery,
        sort: Sort,
        size: int,
    ) -> None:
        cursor = edge.cursor_for(sort)
        if direction > 0:
            page = self.source.page(query, limit=size, sort=sort, after=cursor)
        else:
            page = self.source.page(query, limit=size, sort=sort, before=cursor)
        self.app.call_from_thread(self._more, generation, direction, edge.number, page)

    def _more(self, generation: int, direction: int, edge: CaseNumber, page: "Page") -> None:
        self._extending.discard(direction)
        if generation != self._generation:
            return
        grown = self.window.grow(
            direction,
            edge,
            page.rows,
            more=page.more,
            visible=self.visible_rows,
            page_size=self.page_size,
        )
        if grown:
            self._settle()

    # -- keys -----------------------------------------------------------------------------
    def _settle(self, old_cursor: int | None = None, old_top: int | None = None) -> None:
        """After a move or a load: scroll the cursor into view, read ahead, repaint."""
        window, visible = self.window, self.visible_rows
        window.follow(visible)
        # Read ahead once this frame is painted, so the read never delays the paint.
        for direction in window.wanted(visible):
            self.call_after_refresh(self._extend, direction)
        self.position = window.position()
        if old_cursor is not None and old_top == window.top:
            width = self.size.width
            for index in {old_cursor, window.cursor}:
                self.refresh(Region(0, index - window.top + 1, width, 1))
        else:
            self.refresh()
            self.call_after_refresh(self._prerender)

    def _move_to(self, index: int, *, scroll: int = 0) -> None:
        old_cursor, old_top = self.window.cursor, self.window.top
        if self.window.move_to(index, scroll=scroll):
            self._settle(old_cursor, old_top)

    def action_move(self, step: int) -> None:
        """j/k: one row down or up."""
        if self.loading_rows:
            self._pending_step += step
            return
        self._move_to(self.window.cursor + step)

    def action_page(self, direction: int) -> None:
        """PgDn/PgUp: one screen down or up (the screen scrolls with the cursor)."""
        step = direction * self.visible_rows
        if self.loading_rows:
            self._pending_step += step
            return
        self._move_to(self.window.cursor + step, scroll=step)

    def action_first(self) -> None:
        """g / Home: the first case of the view."""
        if self.window.at_start and not self.loading_rows:
            self._move_to(0, scroll=-self.window.top)
        elif False in self._edges and not self.loading_rows:
            self._jump(end=False)
        else:
            self._reload(None, None, 0, count=False)

    def action_last(self) -> None:
        """G / End: the last case of the view (read from the end, not through the middle)."""
        if self.window.at_end and not self.loading_rows:
            self._move_to(len(self.window.rows) - 1)
        elif True in self._edges and not self.loading_rows:
            self._jump(end=True)
        else:
            self._reload(None, None, 0, from_end=True, count=False)

    def action_open(self) -> None:
        """Enter: ask the screen to open the case under the cursor."""
        if self.current is not None:
            self.post_message(self.OpenRequested(self.current.number))

    def action_toggle_mark(self) -> None:
        """Space: mark or unmark the case under the cursor, then go to the next one."""
        window = self.window
        if not window.toggle_mark():
            return
        self.post_message(self.MarksChanged(len(window.marks)))
        self.refresh(Region(0, window.cursor - window.top + 1, self.size.width, 1))
        self._move_to(window.cursor + 1)

    def on_resize(self) -> None:
        """Rows are painted for a width: forget them; the screen may hold more rows now."""
        self._cache.clear()
        if self.window.rows:
            self._settle()

    def on_focus(self) -> None:
        """The cursor row is drawn differently with focus."""
        self.refresh()

    def on_blur(self) -> None:
        """The cursor row is drawn differently without focus."""
        self.refresh()

    # -- painting -------------------------------------------------------------------------
    def render_line(self, y: int) -> Strip:
        """Line `y` of the widget: the column header, a row, or the "No cases" line."""
        width, window = self.size.width, self.window
        if y == 0:
            return self._header(width)
        index = window.top + y - 1
        if 0 <= index < len(window.rows):
            return self._row(index, width)
        if y == 1 and window.loaded and not window.rows:
            style = self._style("case-list--empty")
            return Strip([Segment(" No cases here", style)]).extend_cell_length(width)
        return Strip.blank(width, self._style())

    def rows_text(self) -> list[str]:
        """The rows on screen as plain text (tests and debugging)."""
        return [self.render_line(y).text for y in range(1, self.visible_rows + 1)]

    def notify_style_update(self) -> None:
        """CSS or theme changed: forget the styles and rows painted with them."""
        super().notify_style_update()
        self._styles.clear()
        self._cache.clear()

    def _prerender(self) -> None:
        """Paint the screens above and below into the cache while idle (PgUp/PgDn hit it)."""
        width, visible = self.size.width, self.visible_rows
        top, count = self.window.top, len(self.window.rows)
        below = range(top + visible, min(count, top + 2 * visible))
        above = range(max(0, top - visible), min(top, count))
        for index in (*below, *above):
            self._row(index, width)

    def _style(self, *names: str) -> Style:
        """The widget's style plus component classes, computed once per focus state."""
        key = (self.has_focus, *names)
        style = self._styles.get(key)
        if style is None:
            style = self.rich_style
            for name in names:
                style += self.get_component_rich_style(name)
            self._styles[key] = style
        return style

    @property
    def _idle(self) -> frozenset[str]:
        return idle_columns(self.case_query)

    def _header(self, width: int) -> Strip:
        ranked = bool(self.case_query.words)  # full-text results come best first
        segments: list[Segment] = []
        for column, size in layout(width, self.columns, sort=self.sort.key, idle=self._idle):
            title = column.title
            if column.sort is not None and column.sort is self.sort.key and not ranked:
                title += " ▼" if self.sort.descending else " ▲"
            segments += [Segment(text) for text, _ in fit([(title, "")], size)]
            segments.append(Segment(" "))
        return self._strip(segments, width, self._style("case-list--header"))

    def _row(self, index: int, width: int) -> Strip:
        window = self.window
        case = window.rows[index]
        today = window.today or date.min
        key = _RowKey(
            case,
            width,
            self.sort.key,
            self._idle,
            index == window.cursor,
            case.number in window.marks,
            self.has_focus,
            today,
        )
        cached = self._cache.get(key)
        if cached is not None:
            return cached
        names: list[str] = []
        if is_overdue(case, today):
            names.append("case-list--overdue")
        elif is_reminder_due(case, today):
            names.append("case-list--reminder")
        if key.marked:
            names.append("case-list--marked")
        if key.cursor:
            names.append("case-list--cursor")
        columns = layout(width, self.columns, sort=self.sort.key, idle=key.idle)
        segments = row_segments(case, columns, today=today, marked=key.marked, plain=key.cursor)
        strip = self._strip(segments, width, self._style(*names))
        self._cache[key] = strip
        return strip

    @staticmethod
    def _strip(segments: list[Segment], width: int, style: Style) -> Strip:
        return Strip(segments).adjust_cell_length(width).apply_style(style)
