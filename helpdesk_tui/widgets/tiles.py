"""The dashboard's number tiles (issue 15 §5): what each tile says, and the tile widget.

`tile_values` is pure (a `Dashboard` in, labelled strings out) so tests can compare a
tile with the numbers the Desk returned. A value that needs attention (overdue, SLA
breached, at risk) says so in words in its label too, never by colour alone.
"""

from dataclasses import dataclass
from typing import TYPE_CHECKING

from rich.text import Text
from textual.widget import Widget

from helpdesk_tui.widgets.colours import EMPTY_STYLE, OVERDUE_STYLE, REMINDER_STYLE

if TYPE_CHECKING:
    from helpdesk_tui.storage.statsmodels import Dashboard

#: What a missing number shows (no ratings, nothing closed in 30 days).
NONE = "–"


@dataclass(frozen=True)
class TileValue:
    """One tile: its id, label, the value as shown, and a style for the value."""

    id: str
    label: str
    value: str
    style: str = "bold"


def hours(value: float | None) -> str:
    """`3.5 h`, or `–` without a value."""
    return NONE if value is None else f"{value:.1f} h"


def percent(value: float | None) -> str:
    """`87.5 %`, or `–` without a value."""
    return NONE if value is None else f"{value:.1f} %"


def _alarm(count: int, style: str) -> str:
    return style if count else "bold"


def tile_values(dashboard: "Dashboard") -> list[TileValue]:
    """The tiles of `dashboard`, in the order the screen shows them."""
    kpi = dashboard.kpi
    csat = (
        NONE
        if dashboard.csat_average is None
        else f"{dashboard.csat_average:.1f}/5 ({dashboard.csat_count})"
    )
    return [
        TileValue("open", "Open", str(kpi.open)),
        TileValue("overdue", "Overdue", str(kpi.overdue), _alarm(kpi.overdue, OVERDUE_STYLE)),
        TileValue("unassigned", "Unassigned", str(kpi.unassigned)),
        TileValue("waiting", "Waiting", str(kpi.waiting)),
        TileValue(
            "sla_at_risk",
            "SLA at risk",
            str(kpi.sla_at_risk),
            _alarm(kpi.sla_at_risk, REMINDER_STYLE),
        ),
        TileValue(
            "sla_breached",
            "SLA breached",
            str(kpi.sla_breached),
            _alarm(kpi.sla_breached, OVERDUE_STYLE),
        ),
        TileValue("first_response", "1st response 30d", hours(kpi.median_first_response_hours)),
        TileValue("resolution", "Resolution 30d", hours(kpi.median_resolution_hours)),
        TileValue("time_week", "Time this week", hours(dashboard.time_this_week_hours)),
        TileValue("classified", "Mail classified", percent(dashboard.classification_rate)),
        TileValue("unclassified", "Unclassified mail", str(dashboard.unclassified_mail)),
        TileValue("csat", "CSAT 30d", csat),
    ]


class Tile(Widget):
    """A tile: its label on the first line, the value right-aligned on the second."""

    DEFAULT_CSS = """
    Tile { height: 2; background: $boost; padding: 0 0 0 1; }
    """

    def __init__(self, key: str, label: str) -> None:
        """The tile `key` (its widget id is `tile-<key>`) titled `label`, showing a dash
        until `show` is called."""
        super().__init__(id=f"tile-{key}")
        self.tile = TileValue(key, label, NONE)

    def show(self, tile: TileValue) -> None:
        """Show `tile` (its label and value)."""
        if tile != self.tile:
            self.tile = tile
            self.refresh()

    def render(self) -> Text:
        """Label left on the first line; the value right-aligned on the second."""
        width = max(self.content_region.width, 1)
        tile = self.tile
        text = Text(no_wrap=True, overflow="ellipsis")
        text.append(tile.label[:width], style=EMPTY_STYLE)
        text.append("\n")
        value = tile.value[:width]
        text.append(" " * (width - len(value)))
        text.append(value, style=tile.style if tile.value != NONE else EMPTY_STYLE)
        return text
