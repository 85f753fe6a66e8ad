"""The case list without the screen: keyset reads of windows, and the window of rows held.

A window is what the list holds: some rows of a view in display order, whether the view
goes on before and after them, and where an anchor row fell. `read_window` reads one
through the Desk and never uses OFFSET: a window around a row is the page before its
cursor plus the page from it on; the end of a view is read backwards from the end.

`RowWindow` is the arithmetic on the rows in hand: where the cursor and the screen's top
row are, where a fresh window goes, how the window grows by a page at one edge and drops
rows far off the other, what is marked, and the "row 12 of 348" it all adds up to. No
Textual here (the widget, `case_list`, does keys, workers and painting), so it is
unit-tested on plain rows.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from helpdesk_tui.domain.numbering import CaseNumber
from helpdesk_tui.domain.query import CaseQuery
from helpdesk_tui.storage.readmodels import COUNT_CAP
from helpdesk_tui.storage.reads import CaseSummary, Cursor, Sort

if TYPE_CHECKING:
    from helpdesk_tui.services.desk import Desk

#: Rows kept and read beyond the screen, in screens, on each side.
MARGIN_SCREENS = 2


def count_text(count: int) -> str:
    """A capped count as shown: `348` or `9999+`."""
    return f"{COUNT_CAP}+" if count > COUNT_CAP else str(count)


@dataclass(frozen=True)
class Window:
    """Rows of a view as read: in display order, with what lies beyond them."""

    rows: list[CaseSummary]
    at_start: bool
    at_end: bool
    anchor_index: int  # where the anchor row (or the first row after it) is in `rows`
    total: int | None  # the view's capped count, when it was read along
    today: date


@dataclass(frozen=True)
class Placing:
    """Where a fresh window goes on screen."""

    keep: CaseNumber | None  # the case to put the cursor on, if it is in the window
    anchor_row: int  # the screen row the anchor row is shown on
    cursor_offset: int | None  # the cursor's screen row when `keep` is not found
    anchor_position: int | None  # the anchor's known position in the view
    from_end: bool
    refresh: bool  # the same view read again: the cursor's case stays where it was
    count: bool  # read the view's count again (not when only the position changes)


def read_window(
    source: "Desk",
    query: CaseQuery,
    sort: Sort,
    anchor: Cursor | None,
    *,
    size: int,
    from_end: bool = False,
    count: bool = True,
) -> Window:
    """`size` rows before `anchor` and 2 × `size` from it on (None: from the start), or
    the last 2 × `size` rows of the view. Blocking: call it in a thread worker."""
    if from_end:
        back = source.page(query, limit=size * 2, sort=sort, from_end=True)
        rows, at_start, at_end, anchor_index = back.rows, not back.more, True, len(back.rows)
    else:
        before: list[CaseSummary] = []
        at_start = True
        if anchor is not None:
            back = source.page(query, limit=size, sort=sort, before=anchor)
            before, at_start = back.rows, not back.more
        after = before[-1].cursor_for(sort) if before else None
        forward = source.page(query, limit=size * 2, sort=sort, after=after)
        rows, at_end, anchor_index = before + forward.rows, not forward.more, len(before)
    total = source.count_queries({"list": query})["list"] if count else None
    return Window(rows, at_start, at_end, anchor_index, total, source.today())


def read_edges(source: "Desk", query: CaseQuery, sort: Sort, *, size: int) -> dict[bool, Window]:
    """The first and the last window of a view (keyed by `from_end`), for g/G."""
    return {
        end: read_window(source, query, sort, None, size=size, from_end=end, count=False)
        for end in (False, True)
    }


class RowWindow:
    """The rows of a view the list holds, the cursor and the screen's top row among them.

    `visible` (the rows that fit on screen) and `page_size` are the widget's to know and
    are passed in. Indexes (`cursor`, `top`) are into `rows`; `base` turns them into
    positions in the whole view when that is known (it is not after a jump into the
    middle of a view longer than the count's cap).
    """

    def __init__(self) -> None:
        self.rows: list[CaseSummary] = []
        self.cursor = 0  # index into rows
        self.top = 0  # index into rows of the first row on screen
        self.at_start = True  # nothing of the view before rows[0]
        self.at_end = True  # nothing of the view after rows[-1]
        self.base: int | None = 0  # position of rows[0] in the whole view, when known
        self.total: int | None = None  # the view's capped count, once read
        self.loaded = False  # a first window has been placed
        self.today: date | None = None  # the day the rows were read on (overdue, reminder)
        self.marks: dict[CaseNumber, CaseSummary] = {}

    @property
    def current(self) -> CaseSummary | None:
        """The case under the cursor."""
        return self.rows[self.cursor] if self.rows else None

    # -- a fresh window -------------------------------------------------------------------
    def place(self, window: Window, placing: Placing, visible: int) -> None:
        """Hold a freshly read window and put the cursor and the screen where `placing` says.

        A refresh keeps the case under the cursor (as it is now, not as when the read
        started: keys may have moved it) on the same screen row.
        """
        keep = placing.keep
        screen_row: int | None = None
        if placing.refresh and self.current is not None:
            keep, screen_row = self.current.number, self.cursor - self.top
        rows = window.rows
        self.rows, self.at_start, self.at_end = rows, window.at_start, window.at_end
        self.today, self.loaded = window.today, True
        if window.total is not None:
            self.total = window.total
        total = self.total
        self._refresh_marks(rows)
        if window.at_start and window.at_end:
            self._keep_marks_in(rows)
        if placing.from_end:
            self.cursor = len(rows) - 1
            self.top = max(0, len(rows) - visible)
        else:
            self.top = max(0, min(window.anchor_index - placing.anchor_row, len(rows) - 1))
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
        elif self.at_end and total is not None and total <= COUNT_CAP:
            self.base = total - len(rows)
        elif placing.anchor_position is not None:
            self.base = max(1, placing.anchor_position - window.anchor_index)
        else:
            self.base = None

    # -- moving ---------------------------------------------------------------------------
    def move_to(self, index: int, *, scroll: int = 0) -> bool:
        """Put the cursor on row `index` (kept in the window) with the screen scrolled by
        `scroll` rows; False when there are no rows. `follow` then fixes the screen."""
        if not self.rows:
            return False
        self.top = max(0, self.top + scroll)
        self.cursor = max(0, min(index, len(self.rows) - 1))
        return True

    def follow(self, visible: int) -> None:
        """Scroll the screen so the cursor is on it, with no blank rows below the last
        row that could be filled from above."""
        if self.cursor < self.top:
            self.top = self.cursor
        elif self.cursor >= self.top + visible:
            self.top = self.cursor - visible + 1
        self.top = max(0, min(self.top, max(0, len(self.rows) - visible)))

    def wanted(self, visible: int) -> list[int]:
        """Where to read more (+1 forward, -1 back): the view goes on past an edge of the
        window and the screen is within `MARGIN_SCREENS` screens of that edge."""
        margin = visible * MARGIN_SCREENS
        directions: list[int] = []
        if not self.at_end and len(self.rows) - (self.top + visible) < margin:
            directions.append(1)
        if not self.at_start and self.top < margin:
            directions.append(-1)
        return directions

    # -- growing at an edge ---------------------------------------------------------------
    def edge(self, direction: int) -> CaseSummary | None:
        """The last row (+1) or the first row (-1): where the next page is read from."""
        if not self.rows:
            return None
        return self.rows[-1] if direction > 0 else self.rows[0]

    def grow(
        self,
        direction: int,
        edge: CaseNumber,
        rows: list[CaseSummary],
        *,
        more: bool,
        visible: int,
        page_size: int,
    ) -> bool:
        """Add a page read past `edge` (+1 after the last row, -1 before the first) and
        drop rows far off the other side, so the window stays a few screens long.

        False (nothing changed) when `edge` is no longer that edge: the window moved on
        while the page was read.
        """
        now = self.edge(direction)
        if now is None or now.number != edge:
            return False
        limit = visible * (1 + 2 * MARGIN_SCREENS) + page_size
        if direction > 0:
            self.rows.extend(rows)
            self.at_end = not more
            drop = min(len(self.rows) - limit, self.top - visible * MARGIN_SCREENS)
            if drop > 0:
                del self.rows[:drop]
                self.top -= drop
                self.cursor -= drop
                self.at_start = False
                self.base = None if self.base is None else self.base + drop
        else:
            self.rows[:0] = rows
            added = len(rows)
            self.top += added
            self.cursor += added
            self.at_start = not more
            if self.at_start:
                self.base = 0
            elif self.base is not None:
                self.base = max(1, self.base - added)
            keep_until = self.top + visible * (1 + MARGIN_SCREENS)
            drop = min(len(self.rows) - limit, len(self.rows) - keep_until)
            if drop > 0:
                del self.rows[-drop:]
                self.at_end = False
        self._refresh_marks(rows)
        return True

    # -- marks ----------------------------------------------------------------------------
    def toggle_mark(self) -> bool:
        """Mark or unmark the case under the cursor; False when there is none."""
        case = self.current
        if case is None:
            return False
        if case.number in self.marks:
            del self.marks[case.number]
        else:
            self.marks[case.number] = case
        return True

    def marked(self) -> list[CaseSummary]:
        """The marked cases, in number order (as last read)."""
        return [self.marks[n] for n in sorted(self.marks)]

    def _keep_marks_in(self, rows: Iterable[CaseSummary]) -> None:
        """The whole view is `rows`: a marked case not among them left the view (its
        status changed, another agent took it), and its mark goes with it, so no count
        or action counts an invisible case."""
        shown = {case.number for case in rows}
        for number in [n for n in self.marks if n not in shown]:
            del self.marks[number]

    def _refresh_marks(self, rows: Iterable[CaseSummary]) -> None:
        # A mark keeps the newest copy of its case, so an action on the marks sees it.
        for case in rows:
            if case.number in self.marks:
                self.marks[case.number] = case

    # -- where we are ---------------------------------------------------------------------
    def position(self) -> str:
        """The cursor's place in the view for the title: `row 12 of 348`, `last row of
        9999+`, `row end−3 of …` near the end of a long view, `row ~40 of …` when the
        window's place in the view is not known."""
        if not self.loaded:
            return "loading…"
        if not self.rows:
            return "no cases"
        of = " of …" if self.total is None else f" of {count_text(self.total)}"
        if self.base is not None:
            return f"row {self.base + self.cursor + 1}{of}"
        if self.at_end:
            from_last = len(self.rows) - 1 - self.cursor
            return f"row end−{from_last}{of}" if from_last else f"last row{of}"
        return f"row ~{self.cursor + 1}{of}"
