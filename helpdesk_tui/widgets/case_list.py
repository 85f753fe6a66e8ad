"""A virtual case list on Textual's Line API: the rows on screen plus a margin, no more.

The list never holds a whole view. It keeps a *window* of rows around the screen and
fills it with keyset pages (`after` / `before` / `from_end`, never OFFSET) read in thread
workers, so a million cases scroll like fifty: moving the cursor is in-memory work, and
when it comes within `MARGIN_SCREENS` screens of the window's edge the next page is read
in the background and the far side of the window is dropped.

What a row shows is `case_row`'s business; this module pages, moves and paints.
"""

from collections.abc import Iterable
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
from textual.widget import Widget
from textual.worker import get_current_worker

from helpdesk_tui.domain.numbering import CaseNumber
from helpdesk_tui.domain.query import CaseQuery
from helpdesk_tui.storage.reads import CaseSummary, Cursor, Sort, SortKey
from helpdesk_tui.widgets.case_pages import (
    CaseSource,
    Placing,
    Window,
    read_edges,
    read_window,
)
from helpdesk_tui.widgets.case_row import (
    CAP,
    count_text,
    fit,
    is_overdue,
    is_reminder_due,
    layout,
    row_segments,
)

if TYPE_CHECKING:
    from helpdesk_tui.services.desk import Page

#: Rows kept and fetched beyond the screen, in screens, on each side.
MARGIN_SCREENS = 2
#: The smallest page asked for (a short terminal still reads in useful amounts).
MIN_PAGE = 40


class _RowKey(NamedTuple):
    case: CaseSummary
    width: int
    sort: SortKey  # the sorted-by column always shows, so the columns depend on it
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
        background: $accent 35%;
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
        source: CaseSource,
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
        self.rows: list[CaseSummary] = []
        self.cursor = 0  # index into rows
        self.top = 0  # index into rows of the first row on screen
        self.at_start = True
        self.at_end = True
        self.base: int | None = 0  # position of rows[0] in the whole view, when known
        self.total: int | None = None  # capped count of the view
        self.loaded = False
        self.loading_rows = False  # a fresh window is being read: edges are not known
        self._pending_step = 0  # moves asked for while it is read
        self._count_stale = False  # a count was asked for and has not arrived yet
        self._data_epoch = 0  # moves on whenever the data may have changed
        self._edges: dict[bool, Window] = {}  # first/last window, read ahead for g/G
        self._edges_key: object = None
        self.today: date | None = None
        self.marks: dict[CaseNumber, CaseSummary] = {}
        self._generation = 0
        self._extending: set[int] = set()  # directions being read: +1 forward, -1 back
        self._cache: LRUCache[_RowKey, Strip] = LRUCache(1024)
        self._styles: dict[tuple[object, ...], Style] = {}

    # -- what the screen asks -------------------------------------------------------
    @property
    def current(self) -> CaseSummary | None:
        """The case under the cursor."""
        return self.rows[self.cursor] if self.rows else None

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
        return [self.marks[n] for n in sorted(self.marks)]

    def clear_marks(self) -> None:
        """Unmark everything."""
        if self.marks:
            self.marks.clear()
            self.post_message(self.MarksChanged(0))
            self.refresh()

    def show(self, query: CaseQuery, sort: Sort | None = None) -> None:
        """Show another view / query / order, keeping the current case if it is in it."""
        changed_order = sort is not None and sort != self.sort
        self.case_query = query
        if sort is not None:
            self.sort = sort
        keep = self.current
        if changed_order and keep is not None:
            # The same case stays under the cursor, at the same height on screen.
            self._reload(keep.cursor_for(self.sort), keep.number, self.cursor - self.top)
        else:
            self._reload(None, None, 0)

    def refresh_data(self) -> None:
        """Read the window again (data changed): same top row, same case under the cursor."""
        self._data_epoch += 1
        if not self.loaded or not self.rows:
            self._reload(None, None, 0)
            return
        top = self.rows[self.top]
        self._reload(
            top.cursor_for(self.sort),
            None,  # the case under the cursor when the rows arrive (keys may move it)
            0,
            anchor_position=None if self.base is None else self.base + self.top,
            refresh=True,
        )

    # -- reading --------------------------------------------------------------------
    def on_mount(self) -> None:
        self._reload(None, None, 0)  # at once: the first page is the first paint

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
        count = count or self._count_stale or self.total is None
        self._count_stale = count
        placing = Placing(
            keep, anchor_row, cursor_offset, anchor_position, from_end, refresh, count
        )
        self._load(self._generation, self.case_query, self.sort, anchor, placing, self.page_size)

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
    ) -> None:
        result = read_window(
            self.source,
            query,
            sort,
            anchor,
            size=size,
            from_end=placing.from_end,
            count=placing.count,
        )
        if get_current_worker().is_cancelled:
            return
        self.app.call_from_thread(self._loaded, generation, result, placing)

    def _loaded(self, generation: int, result: Window, placing: Placing) -> None:
        if generation != self._generation:
            return
        self.loading_rows = False
        keep: CaseNumber | None = placing.keep
        screen_row: int | None = None
        if placing.refresh and self.current is not None:
            keep, screen_row = self.current.number, self.cursor - self.top
        rows = result.rows
        self.rows, self.at_start, self.at_end = rows, result.at_start, result.at_end
        self.today, self.loaded = result.today, True
        if result.total is not None:
            self.total = result.total
            self._count_stale = False
        total = self.total or 0
        self._refresh_marks(rows)
        if placing.from_end:
            self.cursor = len(rows) - 1
            self.top = max(0, len(rows) - self.visible_rows)
        else:
            self.top = max(0, min(result.anchor_index - placing.anchor_row, len(rows) - 1))
            found = next((i for i, c in enumerate(rows) if c.number == keep), None)
            offset = placing.cursor_offset if screen_row is None else screen_row
            if offset is None:
                offset = placing.anchor_row
            if found is not None:
                self.cursor = found
                if screen_row is not None:  # the cursor's row stays where it was on screen
                    self.top = max(0, found - screen_row)
            else:
                self.cursor = self.top + offset
        self.cursor = max(0, min(self.cursor, len(rows) - 1))
        if self.at_start:
            self.base = 0
        elif self.at_end and total <= CAP:
            self.base = total - len(rows)
        elif placing.anchor_position is not None:
            self.base = max(1, placing.anchor_position - result.anchor_index)
        else:
            self.base = None
        self.post_message(self.RowsLoaded())
        if self._edges_key != self._edges_wanted():
            self._edges, self._edges_key = {}, self._edges_wanted()
            self.call_after_refresh(self._read_edges_later)
        pending, self._pending_step = self._pending_step, 0
        if pending:
            self.cursor = max(0, min(self.cursor + pending, len(rows) - 1))
        self._settle()

    def _edges_wanted(self) -> tuple[object, ...]:
        return (self.case_query, self.sort, self._data_epoch)

    def _read_edges_later(self) -> None:
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

    def _extend(self, direction: int) -> None:
        if direction in self._extending or not self.rows:
            return
        self._extending.add(direction)
        edge = self.rows[-1] if direction > 0 else self.rows[0]
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
        if generation != self._generation or not self.rows:
            return
        limit = self.visible_rows * (1 + 2 * MARGIN_SCREENS) + self.page_size
        if direction > 0:
            if self.rows[-1].number != edge:
                return
            self.rows.extend(page.rows)
            self.at_end = not page.more
            drop = min(len(self.rows) - limit, self.top - self.visible_rows * MARGIN_SCREENS)
            if drop > 0:
                del self.rows[:drop]
                self.top -= drop
                self.cursor -= drop
                self.at_start = False
                self.base = None if self.base is None else self.base + drop
        else:
            if self.rows[0].number != edge:
                return
            self.rows[:0] = page.rows
            added = len(page.rows)
            self.top += added
            self.cursor += added
            self.at_start = not page.more
            if self.at_start:
                self.base = 0
            elif self.base is not None:
                self.base = max(1, self.base - added)
            keep_until = self.top + self.visible_rows * (1 + MARGIN_SCREENS)
            drop = min(len(self.rows) - limit, len(self.rows) - keep_until)
            if drop > 0:
                del self.rows[-drop:]
                self.at_end = False
        self._refresh_marks(page.rows)
        self._settle()

    def _refresh_marks(self, rows: Iterable[CaseSummary]) -> None:
        for case in rows:
            if case.number in self.marks:
                self.marks[case.number] = case

    # -- moving -----------------------------------------------------------------------
    def _settle(self, old_cursor: int | None = None, old_top: int | None = None) -> None:
        """After a move or a load: scroll the cursor into view, read ahead, repaint."""
        visible = self.visible_rows
        if self.cursor < self.top:
            self.top = self.cursor
        elif self.cursor >= self.top + visible:
            self.top = self.cursor - visible + 1
        self.top = max(0, min(self.top, max(0, len(self.rows) - visible)))
        # Read ahead once this frame is painted, so the read never delays the paint.
        if not self.at_end and len(self.rows) - (self.top + visible) < visible * MARGIN_SCREENS:
            self.call_after_refresh(self._extend, 1)
        if not self.at_start and self.top < visible * MARGIN_SCREENS:
            self.call_after_refresh(self._extend, -1)
        self.position = self._position_text()
        if old_cursor is not None and old_top == self.top:
            width = self.size.width
            for index in {old_cursor, self.cursor}:
                self.refresh(Region(0, index - self.top + 1, width, 1))
        else:
            self.refresh()
            self.call_after_refresh(self._prerender)

    def _prerender(self) -> None:
        """Paint the screens above and below into the cache while idle (PgUp/PgDn hit it)."""
        width, visible = self.size.width, self.visible_rows
        below = range(self.top + visible, min(len(self.rows), self.top + 2 * visible))
        above = range(max(0, self.top - visible), min(self.top, len(self.rows)))
        for index in (*below, *above):
            self._row(index, width)

    def _move_to(self, index: int, *, scroll: int = 0) -> None:
        if not self.rows:
            return
        old_cursor, old_top = self.cursor, self.top
        self.top = max(0, self.top + scroll)
        self.cursor = max(0, min(index, len(self.rows) - 1))
        self._settle(old_cursor, old_top)

    def action_move(self, step: int) -> None:
        """j/k: one row down or up."""
        if self.loading_rows:
            self._pending_step += step
            return
        self._move_to(self.cursor + step)

    def action_page(self, direction: int) -> None:
        """PgDn/PgUp: one screen down or up (the screen scrolls with the cursor)."""
        step = direction * self.visible_rows
        if self.loading_rows:
            self._pending_step += step
            return
        self._move_to(self.cursor + step, scroll=step)

    def action_first(self) -> None:
        """g / Home: the first case of the view."""
        if self.at_start and not self.loading_rows:
            self._move_to(0, scroll=-self.top)
        elif False in self._edges and not self.loading_rows:
            self._jump(end=False)
        else:
            self._reload(None, None, 0, count=False)

    def action_last(self) -> None:
        """G / End: the last case of the view (read from the end, not through the middle)."""
        if self.at_end and not self.loading_rows:
            self._move_to(len(self.rows) - 1)
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
        case = self.current
        if case is None:
            return
        if case.number in self.marks:
            del self.marks[case.number]
        else:
            self.marks[case.number] = case
        self.post_message(self.MarksChanged(len(self.marks)))
        self.refresh(Region(0, self.cursor - self.top + 1, self.size.width, 1))
        self._move_to(self.cursor + 1)

    def on_resize(self) -> None:
        self._cache.clear()
        if self.rows:
            self._settle()

    def on_focus(self) -> None:
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()

    def _position_text(self) -> str:
        if not self.loaded:
            return "loading…"
        if not self.rows:
            return "no cases"
        total = self.total if self.total is not None else 0
        of = f" of {count_text(total)}"
        if self.base is not None:
            return f"row {self.base + self.cursor + 1}{of}"
        if self.at_end:
            from_last = len(self.rows) - 1 - self.cursor
            return f"row end−{from_last}{of}" if from_last else f"last row{of}"
        return f"row ~{self.cursor + 1}{of}"

    # -- painting -----------------------------------------------------------------------
    def notify_style_update(self) -> None:
        """CSS or theme changed: forget the styles and rows painted with them."""
        super().notify_style_update()
        self._styles.clear()
        self._cache.clear()

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

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        if y == 0:
            return self._header(width)
        index = self.top + y - 1
        if 0 <= index < len(self.rows):
            return self._row(index, width)
        if y == 1 and self.loaded and not self.rows:
            style = self._style("case-list--empty")
            return Strip([Segment(" No cases here", style)]).extend_cell_length(width)
        return Strip.blank(width, self._style())

    def _header(self, width: int) -> Strip:
        ranked = bool(self.case_query.words)  # full-text results come best first
        segments: list[Segment] = []
        for column, size in layout(width, sort=self.sort.key):
            title = column.title
            if column.sort is not None and column.sort is self.sort.key and not ranked:
                title += " ▼" if self.sort.descending else " ▲"
            segments += [Segment(text) for text, _ in fit([(title, "")], size)]
            segments.append(Segment(" "))
        return self._strip(segments, width, self._style("case-list--header"))

    def _row(self, index: int, width: int) -> Strip:
        case = self.rows[index]
        today = self.today or date.min
        key = _RowKey(
            case,
            width,
            self.sort.key,
            index == self.cursor,
            case.number in self.marks,
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
        columns = layout(width, sort=self.sort.key)
        segments = row_segments(case, columns, today=today, marked=key.marked)
        strip = self._strip(segments, width, self._style(*names))
        self._cache[key] = strip
        return strip

    @staticmethod
    def _strip(segments: list[Segment], width: int, style: Style) -> Strip:
        return Strip(segments).adjust_cell_length(width).apply_style(style)

    def rows_text(self) -> list[str]:
        """The rows on screen as plain text (tests and debugging)."""
        return [self.render_line(y).text for y in range(1, self.visible_rows + 1)]
