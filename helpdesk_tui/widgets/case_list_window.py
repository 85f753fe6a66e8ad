"""Keeping the case list's window of rows filled: keyset reads in thread workers.

`CaseListWindow` is mixed into `CaseList`. It reads a fresh window (a view switch, a
refresh, a jump to either end), places it on screen, reads both ends of the view ahead
for g/G, and grows the window a page at a time as the cursor nears an edge, dropping
rows far off the other side. The reads themselves are `case_pages`'; moving the cursor
and painting are the widget's.
"""

from collections.abc import Iterable
from dataclasses import replace
from datetime import date
from typing import TYPE_CHECKING, ClassVar

from textual import work
from textual.worker import get_current_worker

from helpdesk_tui.domain.numbering import CaseNumber
from helpdesk_tui.domain.query import CaseQuery
from helpdesk_tui.storage.reads import CaseSummary, Cursor, Sort
from helpdesk_tui.widgets.case_pages import (
    CaseSource,
    Placing,
    Window,
    read_edges,
    read_window,
)
from helpdesk_tui.widgets.case_row import CAP

if TYPE_CHECKING:
    from textual.message import Message
    from textual.widget import Widget as _WidgetMixin

    from helpdesk_tui.services.desk import Page
else:
    _WidgetMixin = object  # at run time CaseList's own bases supply the Widget

#: Rows kept and fetched beyond the screen, in screens, on each side.
MARGIN_SCREENS = 2


class CaseListWindow(_WidgetMixin):
    """Reads for `CaseList`: fresh windows, the view's ends, and pages at the edges."""

    # The list's state, set up in `CaseList.__init__`.
    source: CaseSource
    case_query: CaseQuery
    sort: Sort
    rows: list[CaseSummary]
    cursor: int
    top: int
    at_start: bool
    at_end: bool
    base: int | None
    total: int | None
    loaded: bool
    loading_rows: bool
    today: date | None
    marks: dict[CaseNumber, CaseSummary]
    _pending_step: int
    _count_stale: bool
    _data_epoch: int
    _edges: dict[bool, Window]
    _edges_key: object
    _generation: int
    _extending: set[int]

    if TYPE_CHECKING:  # provided by CaseList
        RowsLoaded: ClassVar[type[Message]]

        @property
        def current(self) -> CaseSummary | None: ...

        @property
        def visible_rows(self) -> int: ...

        @property
        def page_size(self) -> int: ...

        def _settle(self, old_cursor: int | None = None, old_top: int | None = None) -> None: ...

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
