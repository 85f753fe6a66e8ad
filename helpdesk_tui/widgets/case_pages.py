"""The case list's reads: windows of rows by keyset cursor, run inside thread workers.

A window is what the list holds: some rows of a view in display order, whether the view
goes on before and after them, and where an anchor row fell. Reads go through a
`CaseSource` (the Desk) and never use OFFSET: a window around a row is the page before
its cursor plus the page from it on; the end of a view is read backwards from the end.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Protocol

from helpdesk_tui.domain.numbering import CaseNumber
from helpdesk_tui.domain.query import CaseQuery
from helpdesk_tui.storage.reads import CaseSummary, Cursor, Sort

if TYPE_CHECKING:
    from helpdesk_tui.services.desk import Page


class CaseSource(Protocol):
    """What the list reads from (the Desk); blocking, called only in thread workers."""

    def page(
        self,
        query: CaseQuery,
        *,
        limit: int,
        sort: Sort | None = None,
        after: Cursor | None = None,
        before: Cursor | None = None,
        from_end: bool = False,
    ) -> "Page": ...

    def count_queries(self, queries: Mapping[str, CaseQuery]) -> dict[str, int]: ...

    def today(self) -> date: ...


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

    keep: CaseNumber | None
    anchor_row: int
    cursor_offset: int | None
    anchor_position: int | None
    from_end: bool
    refresh: bool
    count: bool  # read the view's count again (not when only the position changes)


def read_window(
    source: CaseSource,
    query: CaseQuery,
    sort: Sort,
    anchor: Cursor | None,
    *,
    size: int,
    from_end: bool = False,
    count: bool = True,
) -> Window:
    """`size` rows before `anchor` and 2 × `size` from it on (None: from the start), or
    the last 2 × `size` rows of the view."""
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


def read_edges(
    source: CaseSource, query: CaseQuery, sort: Sort, *, size: int
) -> dict[bool, Window]:
    """The first and the last window of a view (keyed by `from_end`), for g/G."""
    return {
        end: read_window(source, query, sort, None, size=size, from_end=end, count=False)
        for end in (False, True)
    }
