"""The dashboard's charts and tiles as text (issue 15 §5): plotext draws the series it is
given, each with its own marker, and the tiles say the numbers of the dashboard."""

from datetime import date, timedelta

from helpdesk_tui.screens.dashboard import (
    compliance_text,
    created_closed_text,
    load_text,
)
from helpdesk_tui.storage.statsmodels import (
    AgentLoad,
    Dashboard,
    DayCount,
    Kpi,
    WeekCompliance,
)
from helpdesk_tui.widgets.charts import bar_chart, points_chart
from helpdesk_tui.widgets.tiles import NONE, tile_values

DAYS = [date(2026, 11, 1) + timedelta(days=i) for i in range(30)]


def board(**changes: object) -> Dashboard:
    created = tuple(DayCount(d, 8 if i == 10 else 1) for i, d in enumerate(DAYS))
    closed = tuple(DayCount(d, 0) for d in DAYS)
    kpi = Kpi(
        open=41,
        overdue=3,
        unassigned=7,
        waiting=5,
        sla_at_risk=2,
        sla_breached=1,
        median_first_response_hours=2.25,
        median_resolution_hours=None,
        created_per_day=created,
        closed_per_day=closed,
    )
    values: dict[str, object] = {
        "group": None,
        "kpi": kpi,
        "time_this_week_hours": 12.5,
        "classification_rate": 87.5,
        "unclassified_mail": 9,
        "backlog_per_day": tuple(DayCount(d, 30 + i) for i, d in enumerate(DAYS)),
        "load": (
            AgentLoad("alice", (("low", 1), ("normal", 2), ("high", 0), ("urgent", 3))),
            AgentLoad("bob", (("low", 0), ("normal", 1), ("high", 0), ("urgent", 0))),
        ),
        "sla_compliance": (
            WeekCompliance(date(2026, 11, 16), 6, 0),
            WeekCompliance(date(2026, 11, 23), 2, 4),
        ),
        "csat_average": None,
        "csat_count": 0,
        "groups": ("billing", "technical"),
    }
    values.update(changes)
    return Dashboard(**values)  # type: ignore[arg-type]


def plot_rows(text: str) -> dict[str, str]:
    """The chart's rows that carry a y tick label, by that label."""
    rows = {}
    for line in text.splitlines():
        label, tick, rest = line.partition("┤")
        if tick and label.strip().isdigit():
            rows[label.strip()] = rest
    return rows


def test_points_land_on_the_rows_of_their_values() -> None:
    text = points_chart(
        "t", [("+", [0, 4, 0, 8]), ("o", [8, 8, 4, 4])], ["a", "b", "c", "d"], 60, 12
    )
    rows = plot_rows(text)
    assert rows["8"].count("+") == 1
    assert rows["8"].count("o") == 2
    assert rows["0"].count("+") == 2
    assert rows["0"].count("o") == 0
    assert rows["4"].count("+") == 1
    assert rows["4"].count("o") == 2
    assert sum(line.count("+") for line in text.splitlines()) == 4  # nothing else drawn
    assert text.splitlines()[-1].split() == ["a", "b", "c", "d"]


def test_created_vs_closed_names_its_markers_and_the_first_and_last_day() -> None:
    text = created_closed_text(board(), 70, 12)
    assert text.splitlines()[0].strip() == "Created + / closed o per day"
    assert "8" in plot_rows(text)
    assert plot_rows(text)["8"].count("+") == 1
    assert plot_rows(text)["0"].count("o") == 30  # nothing closed on any day
    days = text.splitlines()[-1].split()
    assert days[0] == "11-01"
    assert days[-1] == "11-30"


def test_stacked_load_per_agent_uses_one_marker_per_priority() -> None:
    text = load_text(board(), 60, 14)
    assert text.splitlines()[0].strip() == "Open per agent: █ urgent ▓ high ▒ normal ░ low"
    body = "\n".join(text.splitlines()[1:])
    assert "█" in body
    assert "▒" in body
    assert "░" in body
    assert "▓" not in body
    assert text.splitlines()[-1].split() == ["alice", "bob"]
    assert "6" in plot_rows(text)  # alice's 6 open cases set the top


def test_compliance_bars_per_week() -> None:
    text = compliance_text(board(), 50, 12)
    assert "SLA per week: █ met ░ breached" in text
    assert text.splitlines()[-1].split() == ["11-16", "11-23"]
    assert "█" in plot_rows(text)["6"]
    assert "░" not in plot_rows(text)["6"]


def test_no_categories_and_no_room_are_said_in_words() -> None:
    assert bar_chart("Load", [], [], 40, 10) == "Load\n(nothing to show)"
    assert points_chart("Backlog", [("o", [1])], ["a"], 10, 3) == "Backlog (too small to draw)"


def test_tiles_say_the_dashboards_numbers() -> None:
    tiles = {t.id: t.value for t in tile_values(board())}
    assert tiles["open"] == "41"
    assert tiles["overdue"] == "3"
    assert tiles["unassigned"] == "7"
    assert tiles["waiting"] == "5"
    assert tiles["sla_at_risk"] == "2"
    assert tiles["sla_breached"] == "1"
    assert tiles["first_response"] == "2.2 h"
    assert tiles["resolution"] == NONE
    assert tiles["time_week"] == "12.5 h"
    assert tiles["classified"] == "87.5 %"
    assert tiles["unclassified"] == "9"
    assert tiles["csat"] == NONE
    rated = {t.id: t.value for t in tile_values(board(csat_average=4.25, csat_count=8))}
    assert rated["csat"] == "4.2/5 (8)"
