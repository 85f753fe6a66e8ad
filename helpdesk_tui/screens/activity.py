"""The activity screen (issue 13, TUI-1): what happened on the cases I may see, newest
first, live; and my notifications as its second tab.

The feed is a list on keyset pages (`Desk.feed`): the first page paints, the next one is
read when the cursor comes near the end, so the activities table is never loaded. Scopes
by key (`1` my cases, `2` my groups, `3` everything: leads and admins), a filter bar
(`/`: `kind:mail @bob since:2d case:27`, parsed by domain/feed), a divider where "since you
last looked" begins (moved when the screen is left), Enter opens the case. A commit by
anyone (the app's DataChanged) puts the new entries on top.
"""

from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import Input, OptionList, Static, TabbedContent, TabPane
from textual.widgets.option_list import Option

from helpdesk_tui.domain.errors import DomainError
from helpdesk_tui.domain.feed import FeedFilter, FeedScope, age, parse_feed_filter
from helpdesk_tui.messages import DataChanged, OpenCaseRequested
from helpdesk_tui.screens.base import WorkerScreen
from helpdesk_tui.services.desk import Desk
from helpdesk_tui.storage.activityreads import ActivityFeedEntry, FeedCursor, FeedPage
from helpdesk_tui.widgets.key_footer import KeyFooter
from helpdesk_tui.widgets.notification_list import NotificationList
from helpdesk_tui.widgets.status_line import StatusLine
from helpdesk_tui.widgets.untrusted import literal_line

#: Entries a page reads (the first: a screenful and some, so it paints soon); the next
#: page is read when the cursor is NEAR_END rows from the end.
FIRST_PAGE = 40
PAGE = 100
NEAR_END = 20
SCOPE_TITLES = {
    FeedScope.MINE: "My cases",
    FeedScope.GROUPS: "My groups",
    FeedScope.ALL: "Everything",
}
DIVIDER = "since you last looked"
KIND_STYLES = {
    "mail_in": "bold",
    "status": "cyan",
    "delegation": "magenta",
    "closed": "green",
    "reopened": "yellow",
}


def _cell(text: str | None, width: int, style: str = "") -> Text:
    """Untrusted text as one cell of a row: one line, cut and padded to `width`."""
    cell = literal_line(text, width, style=style)
    cell.align("left", width)
    return cell


def feed_line(entry: ActivityFeedEntry, now: datetime, width: int) -> Text:
    """`  2h  bob        0000027      Printer jam        status     open → waiting`, cut
    to `width`: subject and summary share what the fixed columns leave."""
    rest = max(width - 6 - 11 - 12 - 11, 20)
    subject_width = min(max(rest // 3, 12), 36)
    line = Text(no_wrap=True, overflow="ellipsis")
    line.append(f"{age(entry.at, now):>4}  ", style="dim")
    line.append_text(_cell(entry.actor or "—", 10))
    line.append(f" {entry.case!s:<11} ", style="bold")
    line.append_text(_cell(entry.subject, subject_width))
    line.append(" ")
    line.append(f"{entry.kind:<10} ", style=KIND_STYLES.get(entry.kind, ""))
    line.append_text(literal_line(entry.summary, max(rest - subject_width - 1, 8)))
    return line


def detail_line(entry: ActivityFeedEntry) -> Text:
    """The highlighted entry in full: absolute time, actor, case, subject, summary."""
    line = Text(no_wrap=True, overflow="ellipsis")
    line.append(entry.at.astimezone().strftime("%Y-%m-%d %H:%M:%S %Z"), style="bold")
    line.append(f"  {entry.case}  ")
    line.append_text(literal_line(entry.subject, 60))
    line.append("  ·  ")
    line.append_text(literal_line(entry.actor or "—"))
    line.append(f"  {entry.kind}  ")
    line.append_text(literal_line(entry.summary))
    return line


@dataclass(frozen=True)
class _Loaded:
    """A page as a worker read it, for the screen to show."""

    scope: FeedScope
    feed: FeedFilter
    page: FeedPage
    seen_at: datetime | None
    now: datetime


class ActivityScreen(WorkerScreen[None]):
    """The activity feed and the notifications, as two tabs."""

    BINDING_GROUP_TITLE = "Activity"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Back", id="activity.back"),
        Binding("1", "scope('mine')", "My cases", id="activity.mine"),
        Binding("2", "scope('groups')", "My groups", id="activity.groups"),
        Binding("3", "scope('all')", "Everything", id="activity.all"),
        Binding("slash", "filter", "Filter", id="activity.filter"),
        Binding("t", "other_tab", "Activity/Notifications", id="activity.tab"),
        Binding("j", "move(1)", "Down", id="activity.down", show=False),
        Binding("k", "move(-1)", "Up", id="activity.up", show=False),
    ]
    DEFAULT_CSS = """
    ActivityScreen #activity-title { height: 1; background: $panel; padding: 0 1; }
    ActivityScreen #activity-tabs { height: 1fr; }
    ActivityScreen #activity-filter { height: 1; border: none; padding: 0 1; }
    ActivityScreen #activity-feed { height: 1fr; border: none; }
    ActivityScreen #activity-detail { height: 1; padding: 0 1; color: $text-muted; }
    """

    def __init__(self, desk: Desk, scope: FeedScope = FeedScope.MINE) -> None:
        """The feed of `desk`'s agent in `scope`."""
        super().__init__()
        self.desk = desk
        self.scope = scope
        self.feed = FeedFilter()
        self.entries: list[ActivityFeedEntry] = []
        self._rows: list[ActivityFeedEntry | None] = []  # per option; None: the divider
        self._after: FeedCursor | None = None
        self._loading_more = False
        self._seen_at: datetime | None = None
        self._now: datetime | None = None
        self._newest_seen: datetime | None = None

    def compose(self) -> ComposeResult:
        """Title, the two tabs, status line, keys."""
        yield Static(id="activity-title")
        with TabbedContent(id="activity-tabs"):
            with TabPane("Activity", id="tab-activity"):
                yield Input(
                    placeholder="filter: kind:mail @bob since:2d case:27  (/ then Enter)",
                    id="activity-filter",
                )
                yield OptionList(id="activity-feed")
                yield Static(id="activity-detail")
            with TabPane("Notifications", id="tab-notifications"):
                yield NotificationList(self.desk)
        yield StatusLine(self.desk.user, self.desk.database_label(), id="status")
        yield KeyFooter(compact=True)

    def on_mount(self) -> None:
        """Focus the feed and read its first page."""
        status = self.query_one(StatusLine)
        status.sync = getattr(self.app, "sync_label", status.sync)
        self.query_one("#activity-feed", OptionList).focus()
        self._show_title()
        self._load(self.scope, self.feed)

    # -- reading ---------------------------------------------------------------------
    @work(thread=True, exclusive=True, group="activity", exit_on_error=False, description="feed")
    def _load(self, scope: FeedScope, feed: FeedFilter, *, fresh: bool = False) -> None:
        """The first page of `scope` narrowed by `feed` (a refusal is shown, nothing moves)."""
        desk = self.desk
        seen_at = desk.feed_seen_at() if self._seen_at is None and not fresh else self._seen_at
        page = desk.feed(scope, feed, limit=FIRST_PAGE)
        loaded = _Loaded(scope, feed, page, seen_at, desk.now())
        self.app.call_from_thread(self._show_first if not fresh else self._show_fresh, loaded)

    @work(thread=True, group="activity-more", exit_on_error=False, description="feed page")
    def _load_more(self, scope: FeedScope, feed: FeedFilter, after: FeedCursor) -> None:
        desk = self.desk
        page = desk.feed(scope, feed, limit=PAGE, after=after)
        self.app.call_from_thread(self._show_more, _Loaded(scope, feed, page, None, desk.now()))

    def _show_first(self, loaded: _Loaded) -> None:
        self.scope, self.feed = loaded.scope, loaded.feed
        self._seen_at, self._now = loaded.seen_at, loaded.now
        self.entries = list(loaded.page.entries)
        self._after = loaded.page.after
        self._rebuild(keep=None, top=True)
        self._show_title()
        self._more_if_short()

    def _show_fresh(self, loaded: _Loaded) -> None:
        """After a change: the entries newer than the top go on top (all anew if many)."""
        if (loaded.scope, loaded.feed) != (self.scope, self.feed):
            return  # the scope or filter changed meanwhile: that read is on its way
        self._now = loaded.now
        top = self.entries[0].cursor if self.entries else None
        new = [e for e in loaded.page.entries if top is None or e.cursor > top]
        if len(new) == len(loaded.page.entries) and loaded.page.after is not None:
            self.entries, self._after = list(loaded.page.entries), loaded.page.after
        elif new:
            self.entries = new + self.entries
        else:
            return
        self._rebuild(keep=self._current_id())
        self._show_title()

    def _show_more(self, loaded: _Loaded) -> None:
        self._loading_more = False
        if (loaded.scope, loaded.feed) != (self.scope, self.feed):
            return
        known = {e.id for e in self.entries}
        added = [e for e in loaded.page.entries if e.id not in known]
        self._after = loaded.page.after
        self._now = loaded.now
        if added:
            self.entries += added
            self._append(added)
            self._show_title()
        self._more_if_short()

    def _more_if_short(self) -> None:
        """Read on while the list does not fill the screen (a sparse scope ends pages
        early) or the cursor is near the end."""
        listing = self.query_one("#activity-feed", OptionList)
        near = (listing.highlighted or 0) >= len(self._rows) - NEAR_END
        if near or len(self._rows) < listing.size.height:
            self._request_more()

    def _request_more(self) -> None:
        if self._after is not None and not self._loading_more:
            self._loading_more = True
            self._load_more(self.scope, self.feed, self._after)

    # -- the list --------------------------------------------------------------------
    def _width(self) -> int:
        listing = self.query_one("#activity-feed", OptionList)
        return max((listing.scrollable_content_region.width or self.app.size.width) - 1, 40)

    def _options(
        self, entries: list[ActivityFeedEntry], previous: ActivityFeedEntry | None
    ) -> list[Option]:
        """Options for `entries` following `previous`, with the divider where it falls."""
        now = self._now or self.desk.now()
        width = self._width()
        options: list[Option] = []
        for entry in entries:
            if (
                self._seen_at is not None
                and entry.at <= self._seen_at
                and (previous is None or previous.at > self._seen_at)
            ):
                options.append(
                    Option(Text(f"── {DIVIDER} ──", style="bold", justify="center"), disabled=True)
                )
                self._rows.append(None)
            options.append(Option(feed_line(entry, now, width), id=entry.id))
            self._rows.append(entry)
            previous = entry
        return options

    def _rebuild(self, keep: str | None, *, top: bool = False) -> None:
        """All options anew; the cursor stays on entry `keep`, or its row, or (`top`) goes
        to the first entry."""
        listing = self.query_one("#activity-feed", OptionList)
        highlighted = None if top else listing.highlighted
        self._rows = []
        listing.clear_options()
        listing.add_options(self._options(self.entries, None))
        if not self.entries:
            self.query_one("#activity-detail", Static).update(
                Text("Nothing here yet." if self.feed.empty else "Nothing matches the filter.")
            )
            return
        index = next((i for i, r in enumerate(self._rows) if r and r.id == keep), None)
        if index is None:
            index = min(highlighted or 0, len(self._rows) - 1)
        if self._rows[index] is None:  # never rest on the divider
            index = min(index + 1, len(self._rows) - 1)
        listing.highlighted = index
        self._show_detail(index)

    def _append(self, entries: list[ActivityFeedEntry]) -> None:
        listing = self.query_one("#activity-feed", OptionList)
        previous = next((r for r in reversed(self._rows) if r is not None), None)
        listing.add_options(self._options(entries, previous))

    def _current_id(self) -> str | None:
        entry = self.current
        return entry.id if entry else None

    @property
    def current(self) -> ActivityFeedEntry | None:
        """The highlighted feed entry."""
        index = self.query_one("#activity-feed", OptionList).highlighted
        if index is None or index >= len(self._rows):
            return None
        return self._rows[index]

    def _show_title(self) -> None:
        title = Text("Activity", style="bold")
        title.append(f" · {SCOPE_TITLES[self.scope]}")
        if not self.feed.empty:
            title.append(" · filtered")
        shown = f"{len(self.entries)}{'+' if self._after is not None else ''}"
        title.append(f" · {shown} entries", style="dim")
        title.append("   1 My cases · 2 My groups · 3 Everything · / filter", style="dim")
        self.query_one("#activity-title", Static).update(title)

    def _show_detail(self, index: int | None) -> None:
        row = self._rows[index] if index is not None and index < len(self._rows) else None
        text = detail_line(row) if row is not None else Text("")
        self.query_one("#activity-detail", Static).update(text)

    @on(OptionList.OptionHighlighted, "#activity-feed")
    def _highlighted(self, event: OptionList.OptionHighlighted) -> None:
        self._show_detail(event.option_index)
        if event.option_index >= len(self._rows) - NEAR_END:
            self._request_more()

    @on(OptionList.OptionSelected, "#activity-feed")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        """Enter: open the entry's case, its timeline scrolled to the entry."""
        row = self._rows[event.option_index] if event.option_index < len(self._rows) else None
        if row is not None:
            self.post_message(OpenCaseRequested(row.case, entry=row.entry))

    # -- keys ------------------------------------------------------------------------
    def action_scope(self, name: str) -> None:
        """`1` `2` `3`: my cases, my groups, everything (leads and admins)."""
        self._load(FeedScope(name), self.feed)

    def action_move(self, step: int) -> None:
        """`j` `k`: next / previous entry (or notification, on that tab)."""
        tabs = self.query_one(TabbedContent)
        if tabs.active == "tab-activity":
            listing: OptionList = self.query_one("#activity-feed", OptionList)
        else:
            listing = self.query_one(NotificationList)
        if step > 0:
            listing.action_cursor_down()
        else:
            listing.action_cursor_up()

    def action_filter(self) -> None:
        """`/`: to the filter bar (Enter applies, Esc returns)."""
        self.query_one(TabbedContent).active = "tab-activity"
        self.query_one("#activity-filter", Input).focus()

    @on(Input.Submitted, "#activity-filter")
    def _filter_submitted(self, event: Input.Submitted) -> None:
        try:
            feed = parse_feed_filter(event.value, self.desk.now())
        except DomainError as error:
            self.notify(error.message, severity="error", markup=False)
            return
        self.query_one("#activity-feed", OptionList).focus()
        self._load(self.scope, feed)

    def action_other_tab(self) -> None:
        """`t`: Activity ↔ Notifications."""
        tabs = self.query_one(TabbedContent)
        tabs.active = "tab-notifications" if tabs.active == "tab-activity" else "tab-activity"
        if tabs.active == "tab-activity":
            self.query_one("#activity-feed", OptionList).focus()
        else:
            pane = self.query_one("#tab-notifications", TabPane)
            focusable = [w for w in pane.query("*") if w.can_focus]
            if focusable:
                focusable[0].focus()

    def action_close(self) -> None:
        """Esc: out of the filter bar; else back, remembering what was seen."""
        if self.query_one("#activity-filter", Input).has_focus:
            self.query_one("#activity-feed", OptionList).focus()
            return
        newest = max((e.at for e in self.entries), default=None)
        if newest is not None and (self._seen_at is None or newest > self._seen_at):
            self.app.run_worker(
                partial(self.desk.mark_feed_seen, newest),
                thread=True,
                exit_on_error=False,
                group="activity-seen",
                description="remember the feed was seen",
            )
        self.app.pop_screen()

    def on_data_changed(self, _: DataChanged) -> None:
        """Someone committed: read the first page again; new entries go on top."""
        self._load(self.scope, self.feed, fresh=True)
        for listing in self.query("NotificationList"):  # the Notifications tab too
            listing.post_message(DataChanged())
