"""Painting the case list: the header line and one strip per row, cached.

`CaseListPaint` is mixed into `CaseList`. It turns the rows in hand into Textual strips
through the Line API, with the component-class styles (cursor, marks, overdue, reminder)
laid over each row, and caches strips and styles so scrolling repaints little. What the
cells of a row say is `case_row`'s business.
"""

from datetime import date
from typing import TYPE_CHECKING, NamedTuple

from rich.segment import Segment
from rich.style import Style
from textual.cache import LRUCache
from textual.strip import Strip

from helpdesk_tui.domain.numbering import CaseNumber
from helpdesk_tui.domain.query import CaseQuery
from helpdesk_tui.storage.reads import CaseSummary, Sort, SortKey
from helpdesk_tui.widgets.case_row import (
    fit,
    is_overdue,
    is_reminder_due,
    layout,
    row_segments,
)

if TYPE_CHECKING:
    from textual.widget import Widget as _WidgetMixin
else:
    _WidgetMixin = object  # at run time CaseList's own bases supply the Widget


class _RowKey(NamedTuple):
    case: CaseSummary
    width: int
    sort: SortKey  # the sorted-by column always shows, so the columns depend on it
    cursor: bool
    marked: bool
    focused: bool
    today: date


class CaseListPaint(_WidgetMixin):
    """Line-API painting for `CaseList`: header, rows, the empty line, and their caches."""

    # The list's state, set up in `CaseList.__init__`.
    case_query: CaseQuery
    sort: Sort
    rows: list[CaseSummary]
    cursor: int
    top: int
    loaded: bool
    today: date | None
    marks: dict[CaseNumber, CaseSummary]
    _cache: LRUCache[_RowKey, Strip]
    _styles: dict[tuple[object, ...], Style]

    if TYPE_CHECKING:  # provided by CaseList

        @property
        def visible_rows(self) -> int: ...

    def _prerender(self) -> None:
        """Paint the screens above and below into the cache while idle (PgUp/PgDn hit it)."""
        width, visible = self.size.width, self.visible_rows
        below = range(self.top + visible, min(len(self.rows), self.top + 2 * visible))
        above = range(max(0, self.top - visible), min(self.top, len(self.rows)))
        for index in (*below, *above):
            self._row(index, width)

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
