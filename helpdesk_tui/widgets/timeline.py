"""The activity timeline of a case (ACT-1): newest or oldest first, filtered by kind.

Field changes show as `field: old → new` (CASE-8). All text is literal (SEC-2).
"""

from collections.abc import Sequence
from typing import ClassVar

from rich.console import Group, RenderableType
from rich.padding import Padding
from rich.text import Text
from textual.binding import Binding, BindingType
from textual.geometry import Size
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from helpdesk_tui.storage.reads import ActivityEntry
from helpdesk_tui.widgets.case_header import hours
from helpdesk_tui.widgets.untrusted import literal, literal_line

#: Filter name → the activity kinds it shows (None: all), in the order `f` cycles them.
FILTERS: dict[str, frozenset[str] | None] = {
    "all": None,
    "comments": frozenset({"comment"}),
    "external": frozenset({"external"}),
    "phone": frozenset({"phone"}),
    "status changes": frozenset(
        {"created", "status", "delegation", "edit", "closed", "reopened", "sub_case"}
    ),
    "mail": frozenset({"mail_in", "mail_out"}),
}
KIND_LABELS = {
    "created": ("Created", "bold"),
    "comment": ("Internal comment", "yellow"),
    "external": ("External action", "green"),
    "phone": ("Phone note", "cyan"),
    "status": ("Status", "magenta"),
    "delegation": ("Delegation", "blue"),
    "edit": ("Edit", "blue"),
    "closed": ("Closed", "bold green"),
    "reopened": ("Reopened", "bold magenta"),
    "sub_case": ("Sub-case", "blue"),
    "mail_in": ("Mail in", "bold cyan"),
    "mail_out": ("Mail out", "bold green"),
}


FIELD_LABELS = {
    "delegated_user": "delegated to user",
    "delegated_group": "delegated to group",
    "duplicate_of": "duplicate of",
}


def change_line(field: str, change: Sequence[str | None]) -> Text:
    """`status: open → waiting` (a dash for an empty value)."""
    old, new = [*change, None, None][:2]
    line = Text("  ")
    line.append(literal_line(FIELD_LABELS.get(field, field), style="dim"))
    line.append(": ")
    line.append(literal_line(old) if old is not None else Text("—", style="dim"))
    line.append(" → ")
    line.append(literal_line(new) if new is not None else Text("—", style="dim"))
    return line


def render_entry(entry: ActivityEntry) -> Group:
    """One entry: a heading line, the text (indented), then its changes."""
    label, style = KIND_LABELS.get(entry.kind, (entry.kind, ""))
    text = Text(entry.at.astimezone().strftime("%Y-%m-%d %H:%M"), style="dim")
    text.append("  ")
    text.append(literal_line(entry.actor or "system", style="bold"))
    text.append("  ")
    text.append(label, style=style)
    if entry.kind in {"comment", "external", "phone"} or not entry.internal:
        text.append("  internal" if entry.internal else "  visible to the customer", "dim")
    if entry.time_spent_centi:
        text.append(f"  {hours(entry.time_spent_centi)} spent", style="bold")
    parts: list[RenderableType] = [text]
    if entry.text.strip():
        parts.append(Padding(literal(entry.text.strip()), (0, 0, 0, 4)))
    parts += [change_line(field, change) for field, change in entry.changes.items()]
    return Group(*parts)


def _cache_key(entry: ActivityEntry) -> tuple[object, ...]:
    changes = tuple((field, tuple(change)) for field, change in entry.changes.items())
    return (entry.at, entry.kind, entry.actor, entry.text, entry.time_spent_centi, changes)


class Timeline(ScrollView, can_focus=True):
    """A scrollable timeline; `newest_first` and `kind_filter` re-render it.

    Line API: the entries are rendered to strips once per (content, width) and only
    the visible lines are painted, so a case with hundreds of activities opens and
    scrolls as fast as one with three.
    """

    DEFAULT_CSS = """
    Timeline { border: round $primary-darken-2; padding: 0 1; scrollbar-gutter: stable; }
    Timeline:focus { border: round $primary; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up", "scroll_up", "Scroll up", id="timeline.up", show=False),
        Binding("down", "scroll_down", "Scroll down", id="timeline.down", show=False),
        Binding("pageup", "page_up", "Page up", id="timeline.page_up", show=False),
        Binding("pagedown", "page_down", "Page down", id="timeline.page_down", show=False),
        Binding("home", "scroll_home", "Top", id="timeline.top", show=False),
        Binding("end", "scroll_end", "Bottom", id="timeline.bottom", show=False),
    ]
    newest_first: reactive[bool] = reactive(False)
    kind_filter: reactive[str] = reactive("all")

    def __init__(self, *, id: str | None = None) -> None:  # noqa: A002 - Textual's name
        super().__init__(id=id)
        self.entries: list[ActivityEntry] = []
        self.description = ""
        self._lines: list[Strip] = []
        self._width = 0
        self._cache: dict[tuple[object, ...], list[Strip]] = {}  # entry → its lines

    def show(self, entries: Sequence[ActivityEntry], description: str = "") -> None:
        """Replace the entries (oldest first, as storage returns them) and description."""
        self.entries = list(entries)
        self.description = description
        self._rebuild()

    def cycle_filter(self) -> str:
        """Switch to the next kind filter and return its name."""
        names = list(FILTERS)
        self.kind_filter = names[(names.index(self.kind_filter) + 1) % len(names)]
        return self.kind_filter

    def watch_newest_first(self) -> None:
        self._rebuild()
        self.scroll_home(animate=False)

    def watch_kind_filter(self) -> None:
        self._rebuild()
        self.scroll_home(animate=False)

    def on_resize(self) -> None:
        if self.scrollable_content_region.width != self._width:
            self._rebuild()

    @property
    def shown_entries(self) -> list[ActivityEntry]:
        """The entries shown, in display order."""
        kinds = FILTERS[self.kind_filter]
        shown = [e for e in self.entries if kinds is None or e.kind in kinds]
        return shown[::-1] if self.newest_first else shown

    @property
    def text(self) -> str:
        """The rendered timeline as plain text (tests and copy)."""
        return "\n".join(strip.text.rstrip() for strip in self._lines)

    def _rebuild(self) -> None:
        if not self.is_mounted:
            return
        shown = self.shown_entries
        order = "newest first" if self.newest_first else "oldest first"
        self.border_title = f"Timeline · {order} · {self.kind_filter} ({len(shown)})"
        width = max(1, self.scrollable_content_region.width)
        if width != self._width:
            self._cache.clear()  # rendered for another width
            self._width = width
        console = self.app.console
        options = console.options.update_width(width)

        def lines_of(renderable: RenderableType) -> list[Strip]:
            return [Strip(line).simplify() for line in console.render_lines(renderable, options)]

        lines: list[Strip] = []
        if self.description.strip():
            lines += lines_of(Text("Description", style="bold underline"))
            lines += lines_of(literal(self.description.strip()))
            lines.append(Strip.blank(0))
        for entry in shown:
            key = _cache_key(entry)
            rendered = self._cache.get(key)
            if rendered is None:
                rendered = self._cache[key] = [*lines_of(render_entry(entry)), Strip.blank(0)]
            lines += rendered
        if not shown:
            lines += lines_of(Text("nothing of this kind yet", style="dim italic"))
        self._lines = lines
        self.virtual_size = Size(width, len(lines))
        self.refresh()

    def render_line(self, y: int) -> Strip:
        _, scroll_y = self.scroll_offset
        index = scroll_y + y
        width = self.scrollable_content_region.width
        if index >= len(self._lines):
            return Strip.blank(width, self.rich_style)
        return (
            self._lines[index].crop_extend(0, width, self.rich_style).apply_style(self.rich_style)
        )
