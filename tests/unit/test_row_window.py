"""The case list's window of rows without a screen: placing, moving, growing, marks, position.

A view here is a plain list of summaries numbered 1…N; pages are slices of it, read the
way the list's workers read them (after the last row, before the first).
"""

from datetime import UTC, date, datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from helpdesk_tui.domain.enums import Priority, Status
from helpdesk_tui.domain.numbering import CaseNumber
from helpdesk_tui.storage.readmodels import COUNT_CAP, CaseSummary
from helpdesk_tui.widgets.case_pages import (
    MARGIN_SCREENS,
    Placing,
    RowWindow,
    Window,
    count_text,
)

TODAY = date(2025, 3, 10)
VISIBLE = 10  # rows on screen
PAGE = VISIBLE * MARGIN_SCREENS


def case(n: int, subject: str = "") -> CaseSummary:
    return CaseSummary(
        number=CaseNumber(n),
        subject=subject or f"case {n}",
        type="question",
        status=Status.OPEN,
        priority=Priority.NORMAL,
        resolution=None,
        duplicate_of=None,
        delegated_user=None,
        delegated_group=None,
        owner=None,
        contact_email="c@example.com",
        contact_name="C",
        account=None,
        initiator=None,
        due=TODAY,
        reminder=None,
        created_at=datetime(2025, 3, 1, tzinfo=UTC),
        updated_at=datetime(2025, 3, 1, tzinfo=UTC),
        version=1,
    )


def view(size: int) -> list[CaseSummary]:
    return [case(n) for n in range(1, size + 1)]


def read(
    rows: list[CaseSummary], start: int, stop: int, *, anchor: int | None = None, total: bool = True
) -> Window:
    """rows[start:stop] as a window read around case number `anchor` (default: its first row)."""
    return Window(
        rows=rows[start:stop],
        at_start=start == 0,
        at_end=stop >= len(rows),
        anchor_index=0 if anchor is None else anchor - 1 - start,
        total=len(rows) if total else None,
        today=TODAY,
    )


def placing(
    *,
    keep: int | None = None,
    anchor_row: int = 0,
    anchor_position: int | None = None,
    from_end: bool = False,
    refresh: bool = False,
) -> Placing:
    number = CaseNumber(keep) if keep is not None else None
    return Placing(number, anchor_row, None, anchor_position, from_end, refresh, count=True)


def numbers(window: RowWindow) -> list[int]:
    return [c.number.main for c in window.rows]


def current(window: RowWindow) -> int:
    assert window.current is not None
    return window.current.number.main


def placed(window_read: Window, how: Placing | None = None) -> RowWindow:
    """A new window holding `window_read`, placed as `how` says (default: as read)."""
    window = RowWindow()
    window.place(window_read, how or placing(), VISIBLE)
    return window


def grow(
    window: RowWindow, direction: int, edge: int, page: list[CaseSummary], *, more: bool
) -> bool:
    """A page read past case number `edge` arrives (screen and page sizes as above)."""
    return window.grow(
        direction, CaseNumber(edge), page, more=more, visible=VISIBLE, page_size=PAGE
    )


# -- a fresh window ----------------------------------------------------------------------
class TestPlacing:
    def test_nothing_placed_yet_reads_as_loading(self) -> None:
        window = RowWindow()
        assert window.current is None
        assert window.position() == "loading…"

    def test_an_empty_view_says_so(self) -> None:
        window = placed(read([], 0, 0))
        assert window.current is None
        assert window.position() == "no cases"

    def test_the_start_of_a_view_puts_the_cursor_on_the_first_row(self) -> None:
        window = placed(read(view(100), 0, 60))
        assert (window.cursor, window.top, window.base) == (0, 0, 0)
        assert window.at_start
        assert not window.at_end
        assert window.position() == "row 1 of 100"

    def test_the_kept_case_gets_the_cursor_and_the_anchor_its_screen_row(self) -> None:
        # A re-sort: the anchor (case 50) is read with a page before it, shown on row 3.
        window = placed(read(view(100), 30, 90, anchor=50), placing(keep=50, anchor_row=3))
        assert current(window) == 50
        assert window.top == window.cursor - 3
        assert window.base is None  # the middle of a view: where it is is not known

    def test_a_known_anchor_position_gives_row_numbers_in_the_middle(self) -> None:
        window = placed(read(view(100), 30, 90, anchor=50), placing(keep=50, anchor_position=49))
        assert window.base == 30
        assert window.position() == "row 50 of 100"

    def test_without_a_known_place_the_row_is_approximate(self) -> None:
        window = placed(read(view(100), 30, 90, anchor=50), placing(keep=50))
        assert window.position() == f"row ~{window.cursor + 1} of 100"

    def test_the_end_of_a_view_puts_the_cursor_on_the_last_row(self) -> None:
        window = placed(read(view(100), 60, 100), placing(from_end=True))
        assert current(window) == 100
        assert window.top == len(window.rows) - VISIBLE
        assert window.base == 60
        assert window.position() == "row 100 of 100"

    def test_the_end_of_a_view_beyond_the_cap_counts_from_the_end(self) -> None:
        big = Window(view(40), False, True, anchor_index=40, total=COUNT_CAP + 1, today=TODAY)
        window = RowWindow()
        window.place(big, placing(from_end=True), VISIBLE)
        assert window.base is None
        assert window.position() == "last row of 9999+"
        window.move_to(window.cursor - 3)
        assert window.position() == "row end−3 of 9999+"

    def test_a_refresh_keeps_the_case_under_the_cursor_on_its_screen_row(self) -> None:
        rows = view(100)
        window = placed(read(rows, 0, 60))
        window.move_to(14)
        window.follow(VISIBLE)
        screen_row = window.cursor - window.top
        # Read again after two cases above it were closed away (the rows moved up by two).
        fewer = [c for c in rows if c.number.main not in (2, 3)]
        window.place(read(fewer, 0, 60), placing(refresh=True), VISIBLE)
        assert current(window) == 15
        assert window.cursor - window.top == screen_row

    def test_a_count_read_along_is_kept_until_a_new_one_comes(self) -> None:
        rows = view(100)
        window = placed(read(rows, 0, 60))
        window.place(read(rows, 60, 100, total=False), placing(from_end=True), VISIBLE)
        assert window.total == 100


# -- moving ------------------------------------------------------------------------------
class TestMoving:
    def test_moves_stay_inside_the_rows_in_hand(self) -> None:
        window = placed(read(view(100), 0, 60))
        assert window.move_to(500)
        assert current(window) == 60
        assert window.move_to(-3)
        assert current(window) == 1

    def test_nothing_moves_in_an_empty_window(self) -> None:
        window = placed(read([], 0, 0))
        assert not window.move_to(3)

    def test_the_screen_follows_the_cursor_down_and_up(self) -> None:
        window = placed(read(view(100), 0, 60))
        window.move_to(VISIBLE)
        window.follow(VISIBLE)
        assert window.top == 1  # one row scrolled: the cursor is on the last screen row
        window.move_to(0)
        window.follow(VISIBLE)
        assert window.top == 0

    def test_a_page_scrolls_the_screen_with_the_cursor(self) -> None:
        window = placed(read(view(100), 0, 60))
        window.move_to(3 + VISIBLE, scroll=VISIBLE)
        window.follow(VISIBLE)
        assert (window.cursor, window.top) == (13, 10)

    def test_the_screen_never_shows_blank_rows_that_rows_above_could_fill(self) -> None:
        window = placed(read(view(100), 80, 100), placing(from_end=True))
        window.move_to(len(window.rows) - 1, scroll=50)
        window.follow(VISIBLE)
        assert window.top == len(window.rows) - VISIBLE

    def test_more_is_wanted_near_an_edge_where_the_view_goes_on(self) -> None:
        window = placed(read(view(100), 0, 60))
        assert window.wanted(VISIBLE) == []  # 50 rows below the screen: enough
        window.move_to(45)  # the screen's last row is 46: 14 rows below it
        window.follow(VISIBLE)
        assert window.wanted(VISIBLE) == [1]
        middle = placed(read(view(100), 30, 90, anchor=50), placing(keep=50, anchor_row=3))
        assert -1 in middle.wanted(VISIBLE)
        whole = placed(read(view(30), 0, 30))
        whole.move_to(29)
        whole.follow(VISIBLE)
        assert whole.wanted(VISIBLE) == []  # the whole view is in hand


# -- growing at the edges ----------------------------------------------------------------
class TestGrowing:
    def test_a_page_after_the_last_row_is_added_and_the_far_side_dropped(self) -> None:
        rows = view(300)
        window = placed(read(rows, 0, 60))
        window.move_to(55)
        window.follow(VISIBLE)
        assert grow(window, 1, 60, rows[60:80], more=True)
        assert numbers(window)[-1] == 80
        assert window.top == 46 - (80 - len(window.rows))  # top shifted by what was dropped
        assert current(window) == 56
        assert not window.at_start
        assert window.base == numbers(window)[0] - 1
        assert window.position() == "row 56 of 300"
        assert len(window.rows) <= VISIBLE * (1 + 2 * MARGIN_SCREENS) + PAGE

    def test_a_page_before_the_first_row_is_added_and_the_tail_dropped(self) -> None:
        rows = view(300)
        window = placed(read(rows, 100, 190, anchor=120), placing(keep=120, anchor_position=119))
        assert window.base == 100
        assert grow(window, -1, 101, rows[80:100], more=True)
        assert numbers(window)[0] == 81
        assert current(window) == 120
        assert window.base == 80
        assert not window.at_end
        assert window.position() == "row 120 of 300"

    def test_reaching_the_first_row_makes_row_numbers_known(self) -> None:
        rows = view(300)
        window = placed(read(rows, 20, 80, anchor=40), placing(keep=40))
        assert window.base is None
        grow(window, -1, 21, rows[0:20], more=False)
        assert window.at_start
        assert window.base == 0
        assert window.position() == "row 40 of 300"

    def test_a_page_for_an_edge_that_moved_meanwhile_is_ignored(self) -> None:
        rows = view(300)
        window = placed(read(rows, 0, 60))
        before = numbers(window)
        assert not grow(window, 1, 59, rows[59:79], more=True)
        assert numbers(window) == before

    @settings(max_examples=60, deadline=None)
    @given(st.lists(st.sampled_from([1, -1, VISIBLE, -VISIBLE]), min_size=1, max_size=120))
    def test_any_walk_keeps_a_bounded_slice_of_the_view_around_the_cursor(
        self, steps: list[int]
    ) -> None:
        rows = view(400)
        window = placed(read(rows, 0, 3 * PAGE))
        for step in steps:
            window.move_to(window.cursor + step, scroll=step if abs(step) > 1 else 0)
            window.follow(VISIBLE)
            for direction in window.wanted(VISIBLE):  # the reads answer at once
                edge = window.edge(direction)
                assert edge is not None
                at = edge.number.main - 1
                page = (
                    rows[at + 1 : at + 1 + PAGE] if direction > 0 else rows[max(0, at - PAGE) : at]
                )
                more = at + 1 + PAGE < len(rows) if direction > 0 else at - PAGE > 0
                grow(window, direction, edge.number.main, page, more=more)
                window.follow(VISIBLE)
            first = numbers(window)[0]
            assert numbers(window) == list(range(first, first + len(window.rows)))
            assert window.at_start == (first == 1)
            assert window.at_end == (numbers(window)[-1] == len(rows))
            assert window.top <= window.cursor < window.top + VISIBLE
            assert len(window.rows) <= VISIBLE * (1 + 2 * MARGIN_SCREENS) + 2 * PAGE
            if window.base is not None:
                assert window.base == first - 1
                assert window.position() == f"row {current(window)} of 400"


# -- marks -------------------------------------------------------------------------------
class TestMarks:
    def test_toggling_marks_and_unmarks_the_case_under_the_cursor(self) -> None:
        window = placed(read(view(100), 0, 60))
        window.move_to(4)
        assert window.toggle_mark()
        window.move_to(1)
        window.toggle_mark()
        assert [c.number.main for c in window.marked()] == [2, 5]
        window.toggle_mark()
        assert [c.number.main for c in window.marked()] == [5]

    def test_nothing_to_mark_in_an_empty_window(self) -> None:
        assert not placed(read([], 0, 0)).toggle_mark()

    def test_a_mark_keeps_the_newest_copy_of_its_case(self) -> None:
        rows = view(100)
        window = placed(read(rows, 0, 60))
        window.toggle_mark()
        renamed = [case(1, "renamed"), *rows[1:]]
        window.place(read(renamed, 0, 60), placing(refresh=True), VISIBLE)
        assert window.marked()[0].subject == "renamed"

    def test_marks_outlive_the_rows_they_were_made_on(self) -> None:
        rows = view(300)
        window = placed(read(rows, 0, 60))
        window.toggle_mark()
        window.place(read(rows, 240, 300), placing(from_end=True), VISIBLE)
        assert [c.number.main for c in window.marked()] == [1]

    def test_a_case_that_left_a_view_shown_whole_loses_its_mark(self) -> None:
        """Issue 12: no `3 marked` on cases that left the view."""
        rows = view(20)
        window = placed(read(rows, 0, 20))
        window.toggle_mark()
        window.move_to(5)
        window.toggle_mark()
        left = [r for r in rows if r.number.main != 6]  # case 6 left the view
        window.place(read(left, 0, 19), placing(refresh=True), VISIBLE)
        assert [c.number.main for c in window.marked()] == [1]


def test_counts_show_their_cap() -> None:
    assert count_text(348) == "348"
    assert count_text(COUNT_CAP) == "9999"
    assert count_text(COUNT_CAP + 1) == "9999+"
