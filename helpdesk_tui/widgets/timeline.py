"""The activity timeline of a case (ACT-1): newest or oldest first, filtered by kind.

Field changes show as `field: old → new` (CASE-8). All text is literal (SEC-2); an
`@name` of a known agent in a comment, external action or phone note stands out (ACT-3).
"""

from collections.abc import Callable, Collection, Iterable, Sequence
from typing import Any, ClassVar

from rich.console import Group, RenderableType
from rich.padding import Padding
from rich.text import Text
from textual import work
from textual.binding import Binding, BindingType
from textual.cache import LRUCache
from textual.geometry import Size
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.worker import Worker

from helpdesk_tui.domain.mentions import mention_spans
from helpdesk_tui.storage.readmodels import MailEntry
from helpdesk_tui.storage.reads import ActivityEntry
from helpdesk_tui.widgets.attachments import size_label
from helpdesk_tui.widgets.case_header import hours
from helpdesk_tui.widgets.colours import KIND_STYLES, MENTION_STYLE, RED, YELLOW
from helpdesk_tui.widgets.failure import report_failure
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
    kind: (label, KIND_STYLES[kind])
    for kind, label in (
        ("created", "Created"),
        ("comment", "Internal comment"),
        ("external", "External action"),
        ("phone", "Phone note"),
        ("status", "Status"),
        ("delegation", "Delegation"),
        ("edit", "Edit"),
        ("closed", "Closed"),
        ("reopened", "Reopened"),
        ("sub_case", "Sub-case"),
        ("mail_in", "Mail in"),
        ("mail_out", "Mail out"),
    )
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


#: Cells a heading's author keeps however narrow the timeline (then the tail is cut).
WHO_MIN = 12


def entry_heading(at: Text, who: Text, tail: Text, width: int = 0) -> Text:
    """`date  who  tail` on one line: within `width` (0: no limit) `who` gives way first,
    cut with an ellipsis (to no less than `WHO_MIN` cells), then the end of the tail, so
    the kind stays readable and nothing wraps."""
    heading = Text()
    heading.append_text(at).append("  ")
    room = width - at.cell_len - tail.cell_len - 4 if width else who.cell_len
    room = max(room, min(who.cell_len, WHO_MIN))
    if who.cell_len > room:
        who = who.copy()
        who.truncate(max(1, room), overflow="ellipsis")
    heading.append_text(who).append("  ").append_text(tail)
    heading.no_wrap = True
    heading.overflow = "ellipsis"
    return heading


def with_mentions(text: str, agents: Collection[str] = ()) -> Text:
    """Untrusted text as literal `Text`, each `@name` of one of `agents` in the mention
    style; anything else (an unknown name, markup) stays as typed."""
    shown = literal(text)
    if agents and "@" in shown.plain:
        for mention in mention_spans(shown.plain):
            if mention.username in agents:
                shown.stylize(MENTION_STYLE, mention.start, mention.end)
    return shown


def _when(entry: ActivityEntry) -> Text:
    return Text(entry.at.astimezone().strftime("%Y-%m-%d %H:%M"), style="dim")


def render_entry(
    entry: ActivityEntry,
    *,
    show_quotes: bool = False,
    width: int = 0,
    agents: Collection[str] = (),
) -> Group:
    """One entry: a heading line (never wrapped at `width`), the text (indented, `@name`
    of `agents` highlighted), then its changes."""
    if entry.mail is not None:
        return render_mail(entry, entry.mail, show_quotes=show_quotes, width=width)
    label, style = KIND_LABELS.get(entry.kind, (entry.kind, ""))
    tail = Text(label, style=style)
    if entry.kind in {"comment", "external", "phone"} or not entry.internal:
        tail.append("  internal" if entry.internal else "  visible to the customer", "dim")
    if entry.time_spent_centi:
        tail.append(f"  {hours(entry.time_spent_centi)} spent", style="bold")
    who = literal_line(entry.actor or "system", style="bold")
    text = entry_heading(_when(entry), who, tail, width)
    parts: list[RenderableType] = [text]
    if entry.text.strip():
        parts.append(Padding(with_mentions(entry.text.strip(), agents), (0, 0, 0, 4)))
    parts += [change_line(field, change) for field, change in entry.changes.items()]
    return Group(*parts)


def attachments_line(attachments: list[dict[str, Any]]) -> Text:
    """ACT-6: `📎 rechnung.pdf (application/pdf, 12 KB), …` under a mail; a file over
    the size limit says `not stored`. Names are literal text."""
    line = Text("    📎 ", style="dim")
    for index, item in enumerate(attachments):
        if index:
            line.append(", ", style="dim")
        line.append_text(literal_line(item.get("filename") or "attachment", 60))
        kind = literal_line(str(item.get("content_type") or "?"), 40)
        detail = Text(" (", style="dim").append_text(kind)
        detail.append(f", {size_label(int(item.get('size') or 0))}")
        if "sha256" in item and item["sha256"] is None:
            detail.append(", not stored", style=YELLOW)
        line.append_text(detail.append(")"))
    return line


def render_mail(
    entry: ActivityEntry, mail: MailEntry, *, show_quotes: bool, width: int = 0
) -> Group:
    """A mail: who wrote, why it is on this case (MAIL-3), problems, body with the quoted
    history folded to one line unless `show_quotes` (`z` on the case screen)."""
    label, style = KIND_LABELS.get(entry.kind, (entry.kind, ""))
    sender = f"{mail.from_name} <{mail.from_email}>" if mail.from_name else mail.from_email
    who = literal_line(sender or "unknown sender", 60, style="bold")
    heading = entry_heading(_when(entry), who, Text(label, style=style), width)
    parts: list[RenderableType] = [heading]
    meta = Text("    ")
    meta.append_text(literal_line(mail.subject or "(no subject)", 70, style="dim"))
    meta.append(" · filed: ", style="dim")
    meta.append_text(literal_line(mail.filed_note or mail.filed_by, style="dim"))
    if mail.noise:
        meta.append(f" · {mail.noise.replace('_', ' ')}", style=YELLOW)
    parts.append(meta)
    if mail.attachments:
        parts.append(attachments_line(mail.attachments))
    if mail.defects:
        problems = Text("    parse problems: ", style=RED)
        problems.append(literal_line("; ".join(mail.defects), 100))
        parts.append(problems)
    body = mail.body_text if show_quotes else mail.new_text
    if body.strip():
        parts.append(Padding(literal(body.strip()), (0, 0, 0, 4)))
    hidden = mail.body_text[len(mail.new_text) :].strip()
    if hidden and not show_quotes:
        count = len(hidden.splitlines())
        parts.append(Text(f"    ▸ {count} quoted lines hidden (z shows them)", style="dim italic"))
    return Group(*parts)


def _cache_key(entry: ActivityEntry, show_quotes: bool = False) -> tuple[object, ...]:
    changes = tuple((field, tuple(change)) for field, change in entry.changes.items())
    mail = (entry.mail.id, entry.mail.filed_note, show_quotes) if entry.mail else None
    return (entry.at, entry.kind, entry.actor, entry.text, entry.time_spent_centi, changes, mail)


def estimated_height(entry: ActivityEntry, width: int) -> int:
    """Lines an entry will take, guessed without rendering it (for the scrollbar only)."""
    text = (entry.mail.new_text if entry.mail else entry.text).strip()
    room = max(1, width - 4)
    body = sum(1 + len(line) // room for line in text.splitlines()) if text else 0
    extra = 2 if entry.mail else 0  # the "filed:" line and the fold note
    return 1 + body + len(entry.changes) + 1 + extra  # heading, text, changes, blank line


#: A block of the timeline: the description or one entry (None: the "nothing" note).
Block = ActivityEntry | str | None

#: Entries rendered per slice while idle; a slice costs a few milliseconds.
SLICE = 12
#: Lines rendered beyond the bottom of the screen before the first paint.
AHEAD = 10


class Timeline(ScrollView, can_focus=True):
    """A scrollable timeline; `newest_first` and `kind_filter` re-render it.

    Line API, rendered lazily: opening a case renders only the entries that fill the
    screen, paints, and renders the rest in small slices while the app is idle (or at
    once when a scroll needs them). A case with hundreds of activities therefore opens
    as fast as one with three. Rendered entries are kept per (content, width), so a
    reload after a change renders only what is new.
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
    show_quotes: reactive[bool] = reactive(False)

    def __init__(
        self,
        *,
        agents: Callable[[], Iterable[str]] | None = None,
        id: str | None = None,  # noqa: A002 - Textual's name
    ) -> None:
        """`agents` reads the usernames whose `@mentions` stand out (in a worker, once)."""
        super().__init__(id=id)
        self._read_agents = agents
        self.agents: frozenset[str] = frozenset()
        self.entries: list[ActivityEntry] = []
        self.description = ""
        self._blocks: list[Block] = []  # what is shown, in display order
        self._rendered = 0  # blocks[:rendered] are in `_lines`
        self._estimate = 0  # guessed lines of the blocks not rendered yet
        self._lines: list[Strip] = []
        self._starts: list[int] = []  # the first line of each rendered block
        self._width = 0
        self._generation = 0  # moves on with every rebuild: stale idle slices stop
        self._cache: LRUCache[tuple[object, ...], list[Strip]] = LRUCache(2048)

    def on_mount(self) -> None:
        """Read the agents whose mentions stand out (the entries show meanwhile)."""
        if self._read_agents is not None:
            self._load_agents()

    @work(
        thread=True,
        exclusive=True,
        group="timeline-agents",
        exit_on_error=False,
        description="read agents",
    )
    def _load_agents(self) -> None:
        assert self._read_agents is not None
        agents = frozenset(self._read_agents())
        self.app.call_from_thread(self.set_agents, agents)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """A failed read of the agents is said in one line (mentions then stay plain)."""
        report_failure(self, event)

    def set_agents(self, agents: Iterable[str]) -> None:
        """Highlight `@mentions` of these usernames (renders again if they changed)."""
        known = frozenset(agents)
        if known != self.agents:
            self.agents = known
            self._cache.clear()
            self._rebuild()

    def show(self, entries: Sequence[ActivityEntry], description: str = "") -> None:
        """Replace the entries (oldest first, as storage returns them) and description."""
        self.entries = list(entries)
        self.description = description
        self._rebuild()

    def clear(self) -> None:
        """Show nothing (a case is being loaded): back to the top, default order and filter."""
        self.entries, self.description = [], ""
        self.set_reactive(Timeline.newest_first, False)
        self.set_reactive(Timeline.kind_filter, "all")
        self._rebuild()
        self.scroll_to(0, 0, animate=False, immediate=True)

    def cycle_filter(self) -> str:
        """Switch to the next kind filter and return its name."""
        names = list(FILTERS)
        self.kind_filter = names[(names.index(self.kind_filter) + 1) % len(names)]
        return self.kind_filter

    def watch_newest_first(self) -> None:
        """The order flipped: lay out again and start at the (new) top."""
        self._rebuild()
        self.scroll_home(animate=False)

    def watch_kind_filter(self) -> None:
        """Another kind filter: lay out again and start at the top."""
        self._rebuild()
        self.scroll_home(animate=False)

    def watch_show_quotes(self) -> None:
        """Quoted history shown or hidden: lay out again where we are."""
        self._rebuild()

    def on_resize(self) -> None:
        """Lines are wrapped for a width: wrap again when the width changed."""
        if self.scrollable_content_region.width != self._width:
            self._rebuild()

    @property
    def shown_entries(self) -> list[ActivityEntry]:
        """The entries shown, in display order."""
        kinds = FILTERS[self.kind_filter]
        shown = [e for e in self.entries if kinds is None or e.kind in kinds]
        return shown[::-1] if self.newest_first else shown

    @property
    def complete(self) -> bool:
        """Whether every entry is rendered (else the rest is on its way)."""
        return self._rendered >= len(self._blocks)

    @property
    def lines_rendered(self) -> int:
        """Lines rendered so far (the screen shows them; the rest follows while idle)."""
        return len(self._lines)

    @property
    def text(self) -> str:
        """The whole timeline as plain text (tests and copy): renders what is left."""
        self.render_all()
        return "\n".join(strip.text.rstrip() for strip in self._lines)

    def _rebuild(self) -> None:
        if not self.is_mounted:
            return
        shown = self.shown_entries
        order = "newest first" if self.newest_first else "oldest first"
        self.border_title = Text(f"Timeline · {order} · {self.kind_filter} ({len(shown)})")
        width = max(1, self.scrollable_content_region.width)
        if width != self._width:
            self._cache.clear()  # rendered for another width
            self._width = width
        blocks: list[Block] = [self.description] if self.description.strip() else []
        blocks += shown
        if not shown:
            blocks.append(None)
        self._blocks, self._rendered, self._lines, self._starts = blocks, 0, [], []
        self._estimate = sum(
            estimated_height(b, width) if isinstance(b, ActivityEntry) else 1 for b in blocks
        )
        self.virtual_size = Size(width, self._estimate)
        self._generation += 1
        self._render_until(round(self.scroll_y) + self.scrollable_content_region.height + AHEAD)
        self.refresh()
        if not self.complete:
            self.call_after_refresh(self._render_slice, self._generation)

    def _render_slice(self, generation: int) -> None:
        """Render a few more entries while idle, then give the event loop back."""
        if generation != self._generation or self.complete:
            return
        self._render_blocks(SLICE)
        if not self.complete:
            self.call_after_refresh(self._render_slice, generation)

    def scroll_to_entry(self, wanted: ActivityEntry) -> bool:
        """Scroll so that the entry that happened at `wanted.at` (of its kind and actor)
        is the first line shown: renders the entries before it first. False when no such
        entry is shown (not loaded yet, or hidden by the kind filter)."""
        key = (wanted.at, wanted.kind, wanted.actor)
        index = next(
            (
                i
                for i, block in enumerate(self._blocks)
                if isinstance(block, ActivityEntry) and (block.at, block.kind, block.actor) == key
            ),
            None,
        )
        if index is None:
            return False
        if self._rendered <= index:
            self._render_blocks(index + 1 - self._rendered)
        # After the next refresh: the lines just rendered are not in the virtual size yet,
        # and a scroll now would be clamped to the old end (under load, the top).
        y = self._starts[index]
        self.call_after_refresh(self.scroll_to, y=y, animate=False, immediate=True)
        return True

    def render_all(self) -> None:
        """Render every entry now (End, and anything that needs the whole timeline)."""
        if not self.complete:
            self._render_blocks(len(self._blocks))

    def _render_until(self, lines: int) -> None:
        while not self.complete and len(self._lines) < lines:
            self._render_blocks(1)

    def _render_blocks(self, count: int) -> None:
        if not self._blocks or not self.is_mounted:
            return
        width = self._width
        console = self.app.console
        options = console.options.update_width(width)

        def lines_of(renderable: RenderableType) -> list[Strip]:
            return [Strip(line).simplify() for line in console.render_lines(renderable, options)]

        for block in self._blocks[self._rendered : self._rendered + count]:
            if isinstance(block, ActivityEntry):
                key = _cache_key(block, self.show_quotes)
                rendered = self._cache.get(key)
                if rendered is None:
                    entry = render_entry(
                        block, show_quotes=self.show_quotes, width=width, agents=self.agents
                    )
                    rendered = [*lines_of(entry), Strip.blank(0)]
                    self._cache[key] = rendered
                self._estimate -= estimated_height(block, width)
            elif block is None:
                rendered = lines_of(Text("nothing of this kind yet", style="dim italic"))
                self._estimate -= 1
            else:
                rendered = [
                    *lines_of(Text("Description", style="bold underline")),
                    *lines_of(literal(block.strip())),
                    Strip.blank(0),
                ]
                self._estimate -= 1
            self._starts.append(len(self._lines))
            self._lines += rendered
            self._rendered += 1
        if self.complete:
            self._estimate = 0
        # Lines not rendered yet count as their estimate, so the scrollbar is about right.
        # The size changes (a relayout of the screen) only when the estimate ran out and
        # once all is rendered, not with every slice.
        height = len(self._lines) + max(0, self._estimate)
        current = self.virtual_size
        due = current.width != width or self.complete or len(self._lines) > current.height
        if due and current != Size(width, height):
            self.virtual_size = Size(width, height)

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        """Scrolling into lines not rendered yet renders them first."""
        self._render_until(round(new_value) + self.scrollable_content_region.height + AHEAD)
        super().watch_scroll_y(old_value, new_value)

    def scroll_end(self, *args: Any, **kwargs: Any) -> None:
        """To the last line (renders what is left first: the end must be the real end)."""
        self.render_all()
        super().scroll_end(*args, **kwargs)

    def render_line(self, y: int) -> Strip:
        """Line `y` of the visible region, from the lines rendered so far."""
        _, scroll_y = self.scroll_offset
        index = scroll_y + y
        width = self.scrollable_content_region.width
        if index >= len(self._lines):
            return Strip.blank(width, self.rich_style)
        return (
            self._lines[index].crop_extend(0, width, self.rich_style).apply_style(self.rich_style)
        )
