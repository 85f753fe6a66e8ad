"""The queue's parts without a screen: column layout, cell fitting, the Desk reads it adds."""

from pilotkit import TODAY, Data, off_loop

from helpdesk_tui.domain.enums import Priority
from helpdesk_tui.domain.query import CaseQuery, view_query
from helpdesk_tui.services import cases
from helpdesk_tui.services.desk import COUNT_CAP, Desk
from helpdesk_tui.storage.reads import SortKey
from helpdesk_tui.widgets.case_pages import count_text
from helpdesk_tui.widgets.case_row import COLUMNS, SLA_COLUMNS, fit, layout


def test_columns_fill_the_width_and_narrow_screens_drop_the_least_needed() -> None:
    for width in (60, 80, 98, 120, 200):
        for sort in (None, *SortKey):
            # The SLA column (and sort) exist where SLA policies are configured.
            shown = layout(width, SLA_COLUMNS if sort is SortKey.SLA else COLUMNS, sort=sort)
            assert sum(size for _, size in shown) + len(shown) - 1 == width
            keys = {c.key for c, _ in shown}
            assert {"flags", "number", "subject"} <= keys
            if sort is None:
                assert {"status", "due"} <= keys
            else:
                assert sort in {c.sort for c, _ in shown}  # the sorted-by column stays
    assert [c.key for c, _ in layout(120)] == [c.key for c in COLUMNS]
    assert "updated" not in {c.key for c, _ in layout(80)}
    assert "priority" in {c.key for c, _ in layout(80)}  # kept at any width (issue 12)


def test_the_subject_takes_the_slack() -> None:
    """Spare cells widen the subject first; optional columns wait until it has room."""

    def widths(width: int, sort: SortKey | None = None) -> dict[str, int]:
        return {c.key: size for c, size in layout(width, sort=sort)}

    assert widths(80)["subject"] == 22  # 80 columns: the list is the whole terminal
    assert "contact" not in widths(80)  # priority stays; the contact gives way
    at_120 = widths(98)  # 120 columns: the list beside the sidebar
    assert at_120["subject"] >= 28
    assert "priority" in at_120
    assert "updated" not in at_120  # the least needed column gives way …
    assert "updated" in widths(98, SortKey.UPDATED)  # … unless the list is sorted by it
    assert widths(118)["subject"] > at_120["subject"]  # wider still: more subject
    assert widths(178)["subject"] > widths(118)["subject"] > widths(118)["contact"]


def test_fit_cuts_with_an_ellipsis_and_pads_by_terminal_cells() -> None:
    assert fit([("Rechnung", "")], 5) == [("Rech…", "")]
    assert fit([("ok", "bold")], 4) == [("ok", "bold"), ("  ", "")]
    assert fit([("日本語テキスト", "")], 5) == [("日本…", "")]  # wide characters: 2 cells
    assert fit([("*", "bold"), ("!", "red")], 2) == [("*", "bold"), ("!", "red")]


def test_counts_above_the_cap_show_as_cap_plus() -> None:
    assert count_text(COUNT_CAP) == "9999"
    assert count_text(COUNT_CAP + 1) == "9999+"


def test_desk_counts_any_queries_capped(queue_data: Data) -> None:
    desk = Desk(queue_data.ctx, "alice")
    queries = {
        "billing": CaseQuery(groups=frozenset({"billing"}), not_closed=True),
        "mine": view_query("mine"),
    }
    counts = off_loop(desk.count_queries, queries)
    assert counts == {key: len(queue_data.rows(query)) for key, query in queries.items()}


def test_the_change_watcher_sees_commits_made_elsewhere(queue_data: Data) -> None:
    desk = Desk(queue_data.ctx, "alice")

    def watch() -> tuple[object, object, object]:
        with desk.watch_changes() as token:
            first, again = token(), token()
            cases.create_case(
                queue_data.ctx,
                "bob",
                subject="elsewhere",
                contact="otto@example.org",
                group="billing",
                priority=Priority.LOW,
                due=TODAY,
            )
            return first, again, token()

    first, again, after = off_loop(watch)
    assert first == again
    assert after != first
