"""A virtual case list on Textual's Line API: the rows on screen plus a margin, no more.

The list never holds a whole view. It keeps a *window* of rows around the screen and
fills it with keyset pages (`after` / `before` / `from_end`, never OFFSET) read in thread
workers, so a million cases scroll like fifty: moving the cursor is in-memory work, and
when it comes within `MARGIN_SCREENS` screens of the window's edge the next page is read
in the background and the far side of the window is dropped.

This module is the widget: its state, keys, cursor moves and messages. Filling the
window is `case_list_window`'s job, painting it `case_list_paint`'s, and what a row
shows `case_row`'s.
"""

from datetime import date
from typing import ClassVar

from textual.binding import Binding, BindingType
from textual.cache import LRUCache
from textual.geometry import Region
from textual.message import Message
from textual.reactive import reactive
from textual.widget import Widget
from textual.worker import Worker

from helpdesk_tui.domain.numbering import CaseNumber
from helpdesk_tui.domain.query import CaseQuery
from helpdesk_tui.storage.reads import CaseSummary, Sort
from helpdesk_tui.widgets.case_list_paint import CaseListPaint
from helpdesk_tui.widgets.case_list_window import MARGIN_SCREENS, CaseListWindow
from helpdesk_tui.widgets.case_pages import CaseSource, Window
from helpdesk_tui.widgets.case_row import count_text
from helpdesk_tui.widgets.failure import report_failure

#: The smallest page asked for (a short terminal still reads in useful amounts).
MIN_PAGE = 40


class CaseList(CaseListWindow, CaseListPaint, Widget, can_focus=True):
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
        self._cache = LRUCache(1024)
        self._styles = {}

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

    # -- reading (the rest is CaseListWindow's) ---------------------------------------
    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """A worker this list started failed: one line on screen (never silently)."""
        report_failure(self, event)

    def on_mount(self) -> None:
        self._reload(None, None, 0)  # at once: the first page is the first paint

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
