"""The queue screen (TUI-1): saved views with live counts, a virtual case list, a query bar.

Every key only starts work: the list reads its pages in its own workers, the counts come
from one worker, and the case actions (assign, status, close, …) are the `CaseActionScreen`
flows shared with the case screen, applied to the marked cases or the one under the cursor.
"""

from typing import ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.timer import Timer
from textual.widgets import Input, OptionList, Static

from helpdesk_tui.dialogs.goto import go_to_case
from helpdesk_tui.domain.errors import DomainError
from helpdesk_tui.domain.numbering import CaseNumber
from helpdesk_tui.domain.query import ME, SLA_VIEWS, CaseQuery, parse_query
from helpdesk_tui.messages import CasesChanged, DataChanged, OpenCaseRequested
from helpdesk_tui.screens.case_actions import CaseActionScreen
from helpdesk_tui.services.desk import Desk
from helpdesk_tui.storage.reads import CaseSummary, Sort, SortKey
from helpdesk_tui.widgets.case_list import CaseList
from helpdesk_tui.widgets.key_footer import KeyFooter
from helpdesk_tui.widgets.query_bar import QueryBar, QueryNote
from helpdesk_tui.widgets.sidebar import STANDARD_VIEWS, View, ViewSidebar, views_for
from helpdesk_tui.widgets.status_line import StatusLine

SORT_CYCLE = (SortKey.DUE, SortKey.NUMBER, SortKey.UPDATED)
#: Seconds typing must pause before the list narrows (a held key or a burst reads once).
DEBOUNCE = 0.02
SORT_NAMES = {
    SortKey.DUE: "due",
    SortKey.NUMBER: "number",
    SortKey.UPDATED: "last activity",
    SortKey.SLA: "SLA",
}


def _view_binding(n: int) -> Binding:
    label = STANDARD_VIEWS[n - 1][1]
    return Binding(str(n), f"view({n - 1})", f"View: {label}", id=f"queue.view_{n}", show=False)


class QueueScreen(CaseActionScreen):
    """Views on the left, the cases of the chosen view on the right."""

    CSS_PATH = "queue.tcss"
    BINDING_GROUP_TITLE = "Queue"
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (100, "-wide")]  # noqa: RUF012 - Textual's
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("a", "assign_me", "Assign to me", id="queue.assign_me"),
        Binding("n", "next_case", "Next case", id="queue.next_case"),
        Binding("s", "status", "Status", id="queue.status"),
        Binding("x", "close", "Close", id="queue.close"),
        Binding("d", "delegate", "Delegate", id="queue.delegate"),
        Binding("c", "comment", "Comment", id="queue.comment"),
        Binding("slash", "query", "Search", id="queue.query"),
        Binding("number_sign", "go_to_case", "Go to case …", id="queue.go_to", show=False),
        Binding("i", "inbox", "Conversations (mail)", id="queue.inbox", show=False),
        Binding("u", "outbox", "Outbox (unsent)", id="queue.outbox", show=False),
        Binding("D", "dashboard", "Dashboard", id="queue.dashboard", show=False),
        Binding("o", "cycle_sort", "Sort", id="queue.sort", show=False),
        Binding("O", "reverse_sort", "Reverse order", id="queue.reverse", show=False),
        Binding("escape", "clear", "Clear marks/query", id="queue.clear", show=False),
        Binding("m", "external", "External action", id="queue.external", show=False),
        Binding("p", "phone", "Phone note", id="queue.phone", show=False),
        Binding("M", "reply", "Reply by mail", id="queue.reply", show=False),
        Binding("U", "interim_update", "Mail interim update", id="queue.interim", show=False),
        Binding("e", "edit", "Edit", id="queue.edit", show=False),
        Binding("r", "reopen", "Reopen", id="queue.reopen", show=False),
        Binding("plus", "new_subcase", "New sub-case", id="queue.new_subcase", show=False),
        Binding("N", "new_case", "New case", id="queue.new_case", show=False),
        *(_view_binding(n) for n in range(1, 10)),
    ]

    def __init__(self, desk: Desk) -> None:
        """The queue of the agent `desk` acts as."""
        super().__init__(desk, self._marked_or_current)
        self.view: View = views_for([])[0]
        self.query_text = ""  # the query applied (Enter); the bar may show a newer one
        self.typed_text = ""  # the query the list shows while the bar is open
        self._before: tuple[CaseSummary, int] | None = None  # where Esc goes back to
        self._typing: Timer | None = None  # the debounce of what is typed
        self._typed_generation = 0  # moves on with each edit: older checks are dropped
        self._counted = False  # counts start once the list has painted (first paint first)

    def compose(self) -> ComposeResult:
        """Views left; title, query bar and case list right; status line and keys."""
        desk = self.desk
        with Horizontal(id="queue-body"):
            yield ViewSidebar(sla=desk.sla_enabled, id="sidebar")
            with Vertical(id="queue-main"):
                yield Static(id="list-title")
                yield QueryBar(id="query")
                yield QueryNote(id="query-note")
                yield CaseList(desk, self._view_query(), id="cases")
        yield StatusLine(desk.user, desk.database_label(), desk=desk, id="status")
        yield KeyFooter(compact=True)

    def on_mount(self) -> None:
        """Focus the list and keep the title in step with its position."""
        if not self.query(CaseList):
            return  # pushed while the app quits: Textual mounted nothing
        self.query_one(CaseList).focus()
        self.watch(self.query_one(CaseList), "position", self._show_title, init=False)
        self._show_title()

    def on_case_list_rows_loaded(self, _: CaseList.RowsLoaded) -> None:
        """The first page is on screen: now count the views (and read my groups). The
        title follows the marks (a marked case that left the view lost its mark)."""
        self._show_title()
        if not self._counted:
            self._counted = True
            self._load_counts(None)

    # -- what the actions act on ------------------------------------------------------
    @property
    def case_list(self) -> CaseList:
        """The list of cases."""
        return self.query_one(CaseList)

    def _marked_or_current(self) -> list[CaseSummary]:
        """What the case actions act on: the marked cases, else the one under the cursor."""
        cases = self.case_list
        marked = cases.marked()
        if marked:
            return marked
        return [cases.current] if cases.current is not None else []

    def actions_done(self) -> None:
        """An action went through on the marked cases: the marks are used up."""
        self.case_list.clear_marks()
        self._show_title()

    # -- views, counts, query, order ------------------------------------------------------
    def _view_query(self, text: str | None = None) -> CaseQuery:
        """The view AND the query `text` (default: the one applied)."""
        text = self.query_text if text is None else text
        base = self.view.query
        if not text.strip():
            return base
        return base.narrowed(parse_query(text), me=self.desk.user)

    @work(
        thread=True,
        exclusive=True,
        group="queue-counts",
        exit_on_error=False,
        description="count the views",
    )
    def _load_counts(self, views: list[View] | None) -> None:
        """Count every view (None: read my groups first, which adds their views)."""
        desk = self.desk
        if views is None:
            groups = desk.my_groups()
            views = views_for(groups, sla=desk.sla_enabled)
            self.app.call_from_thread(self.query_one(ViewSidebar).set_groups, groups)
        counts = desk.count_queries({v.key: v.query for v in views})
        self.app.call_from_thread(self._show_counts, counts)

    def _show_counts(self, counts: dict[str, int]) -> None:
        self.query_one(ViewSidebar).set_counts(counts)

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        """Moving in the sidebar shows the highlighted view."""
        if isinstance(event.option_list, ViewSidebar):
            self.view = event.option_list.view
            # The SLA views come sorted by SLA: most urgent first, read off their index.
            self._show_view(Sort(SortKey.SLA) if self.view.key in SLA_VIEWS else None)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        """Enter in the sidebar: go to the list."""
        if isinstance(event.option_list, ViewSidebar):
            self.case_list.focus()

    def action_view(self, index: int) -> None:
        """1…9: jump to a standard view (My cases … All)."""
        sidebar = self.query_one(ViewSidebar)
        key = STANDARD_VIEWS[index][0]
        # Switch now, not when the sidebar's message arrives: the next key (say G)
        # must already act on the new view.
        self.view = next(v for v in sidebar.views if v.key == key)
        self._show_view()
        sidebar.select_key(key)

    def _show_view(self, sort: Sort | None = None) -> None:
        cases = self.case_list
        query = self._view_query()
        if query != cases.case_query or (sort is not None and sort != cases.sort):
            cases.show(query, sort)
        self._show_title()

    def action_query(self) -> None:
        """`/`: type a query (VIEW-1 syntax, case numbers, full-text words); the list
        narrows as it is typed."""
        bar = self.query_one(QueryBar)
        if not bar.active:
            cases = self.case_list
            window = cases.window
            current = cases.current
            self._before = (current, window.cursor - window.top) if current else None
            self.typed_text = self.query_text
        bar.open()

    def on_input_changed(self, event: Input.Changed) -> None:
        """A key in the query bar: narrow the list once typing pauses (DEBOUNCE)."""
        if not isinstance(event.input, QueryBar) or not event.input.active:
            return
        event.stop()
        self._typed_generation += 1
        if self._typing is not None:
            self._typing.stop()
            self._typing = None
        if DEBOUNCE > 0:
            self._typing = self.set_timer(DEBOUNCE, self._narrow)
        else:  # no pause wanted (tests): at the loop's next turn
            self.call_later(self._narrow)

    def _narrow(self, *, submit: bool = False) -> None:
        """Show the view AND what is typed; a query that cannot be read, or names people
        or groups that do not exist, says why under the bar and leaves the list as it is."""
        self._typing = None
        bar = self.query_one(QueryBar)
        if not bar.active:
            return  # left meanwhile (Enter or Esc)
        text = bar.value.strip()
        try:
            typed = parse_query(text)
        except DomainError as error:
            self.query_one(QueryNote).say(error.message)
            return
        query = self.view.query.narrowed(typed, me=self.desk.user) if text else self.view.query
        if typed.users - {ME} or typed.groups:
            self._check_names(self._typed_generation, text, query, submit)
        else:
            self._narrowed(self._typed_generation, text, query, submit)

    @work(
        thread=True,
        exclusive=True,
        group="queue-query",
        exit_on_error=False,
        description="check the names in the query",
    )
    def _check_names(self, generation: int, text: str, query: CaseQuery, submit: bool) -> None:
        try:
            self.desk.check_query(parse_query(text))
        except DomainError as error:
            self.app.call_from_thread(self._query_refused, generation, error.message)
            return
        self.app.call_from_thread(self._narrowed, generation, text, query, submit)

    def _query_refused(self, generation: int, message: str) -> None:
        if generation == self._typed_generation:
            self.query_one(QueryNote).say(message)

    def _narrowed(self, generation: int, text: str, query: CaseQuery, submit: bool) -> None:
        bar = self.query_one(QueryBar)
        if generation != self._typed_generation or not bar.active:
            return  # typed on meanwhile, or the bar was left
        self.query_one(QueryNote).say("")
        self.typed_text = text
        cases = self.case_list
        if query != cases.case_query:
            cases.show(query, count_later=not submit)
        if submit:
            cases.count_now()
            self._apply_query(text)
        else:
            self._show_title()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Enter in the query bar: apply what is typed (the list already shows it), or
        stay in the bar when it cannot be applied."""
        if not isinstance(event.input, QueryBar):
            return
        event.stop()
        if self._typing is not None:
            self._typing.stop()
        self._typed_generation += 1
        self._narrow(submit=True)

    def on_query_bar_cancelled(self, _: QueryBar.Cancelled) -> None:
        """Esc in the query bar: the view as it was before the bar opened."""
        if self._typing is not None:
            self._typing.stop()
            self._typing = None
        self._typed_generation += 1
        self.query_one(QueryNote).say("")
        self.query_one(QueryBar).close(self.query_text)
        self.typed_text = self.query_text
        cases = self.case_list
        if self._view_query() != cases.case_query:
            cases.show(self._view_query(), at=self._before)
        self.case_list.focus()
        self._show_title()

    def _apply_query(self, text: str) -> None:
        self.query_text = self.typed_text = text
        bar = self.query_one(QueryBar)
        bar.remember(text)
        bar.close(text)
        self.query_one(QueryNote).say("")
        self.case_list.focus()
        self._show_view()

    def action_clear(self) -> None:
        """Esc: unmark every case and drop the query."""
        self.case_list.clear_marks()
        if self.query_text:
            self._apply_query("")
        self._show_title()

    def action_cycle_sort(self) -> None:
        """`o`: order by due date → number → last activity (→ SLA, with SLA policies)."""
        current = self.case_list.sort
        cycle = (*SORT_CYCLE, SortKey.SLA) if self.desk.sla_enabled else SORT_CYCLE
        key = cycle[(cycle.index(current.key) + 1) % len(cycle)]
        self._show_view(Sort(key, current.descending))

    def action_reverse_sort(self) -> None:
        """`O`: reverse the order."""
        current = self.case_list.sort
        self._show_view(Sort(current.key, not current.descending))

    def on_case_list_marks_changed(self, _: CaseList.MarksChanged) -> None:
        """The title counts the marked cases."""
        self._show_title()

    def _show_title(self, _: object = None) -> None:
        if not self.is_mounted:
            return
        cases = self.case_list
        title = Text(self.view.label, style="bold")
        if self.typed_text if self.query_one(QueryBar).active else self.query_text:
            title.append(" · query", style="italic")
        order = "rank" if cases.case_query.words else SORT_NAMES[cases.sort.key]
        arrow = "" if cases.case_query.words else (" ▼" if cases.sort.descending else " ▲")
        title.append(f" · by {order}{arrow} · {cases.position}")
        if cases.window.marks:
            title.append(f" · {len(cases.window.marks)} marked", style="bold")
        self.query_one("#list-title", Static).update(title, layout=False)  # fixed size

    # -- opening cases --------------------------------------------------------------------
    def action_go_to_case(self) -> None:
        """`#`: type a case number, Enter opens that case."""
        go_to_case(self, self.desk.case_exists)

    def on_case_list_open_requested(self, event: CaseList.OpenRequested) -> None:
        """Enter on a case: open it."""
        self.open_case(event.number)

    def open_case(self, number: CaseNumber) -> None:
        """Ask the app to show the case screen for `number`."""
        self.post_message(OpenCaseRequested(number))

    def action_next_case(self) -> None:
        """`n`: assign me the most urgent unassigned case of my groups and open it."""
        self._take_next_case()

    @work(
        thread=True, exclusive=True, group="next-case", exit_on_error=False, description="next case"
    )
    def _take_next_case(self) -> None:
        number = self.desk.next_case()
        if number is None:
            self.app.call_from_thread(
                self.notify, "No unassigned case in your groups", severity="warning"
            )
            return
        self.app.call_from_thread(self._took, number)

    def _took(self, number: CaseNumber) -> None:
        self.notify(f"{number} assigned to you", markup=False)
        self.announce_change([number])
        self.open_case(number)

    # -- live -----------------------------------------------------------------------------
    def on_data_changed(self, _: DataChanged) -> None:
        """Someone committed: recount and read the visible page again."""
        self._refresh_all()

    def on_cases_changed(self, _: CasesChanged) -> None:
        """This app changed cases: the same, at once."""
        self._refresh_all()

    def on_screen_resume(self) -> None:
        """Back from a case or a dialog: changes made meanwhile show up."""
        if self._counted:  # not on the first showing: the list is reading already
            self._refresh_all()

    def action_inbox(self) -> None:
        """Conversations: all mail, classified by sender (MAIL-8)."""
        from helpdesk_tui.screens.conversations import ConversationsScreen  # lazy: on use

        self.app.push_screen(ConversationsScreen(self.desk))

    def action_dashboard(self) -> None:
        """`D`: the dashboard: tiles and charts for steering (issue 15 §5)."""
        from helpdesk_tui.screens.dashboard import open_dashboard  # lazy: on use

        open_dashboard(self.app, self.desk)

    def action_outbox(self) -> None:
        """Outgoing mail not delivered yet."""
        from helpdesk_tui.screens.outbox import OutboxScreen  # lazy import: rarely needed

        self.app.push_screen(OutboxScreen(self.desk))

    def _refresh_all(self) -> None:
        self._load_counts(list(self.query_one(ViewSidebar).views))
        self.case_list.refresh_data()
