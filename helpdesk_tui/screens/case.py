"""The case screen (TUI-1): header fields, sub-cases, timeline, time, customer context.

Everything shown comes from one worker: it reads `Desk.detail` (header, sub-cases,
timeline, time) and shows it, then reads `Desk.customer_context` for the side list, which
appears a moment after the first paint. The screen reloads whenever this app or another
process changes data (`CasesChanged`, `DataChanged`), so edits elsewhere show up live.
"""

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import OptionList
from textual.widgets.option_list import Option
from textual.worker import get_current_worker

from helpdesk_tui.dialogs.goto import go_to_case
from helpdesk_tui.dialogs.save_attachment import SaveAttachmentDialog
from helpdesk_tui.domain.errors import DomainError
from helpdesk_tui.domain.numbering import CaseNumber, parse_case_number
from helpdesk_tui.messages import CasesChanged, DataChanged
from helpdesk_tui.screens.case_actions import CaseActionScreen
from helpdesk_tui.services.desk import CustomerContext, Desk
from helpdesk_tui.storage.reads import ActivityEntry, CaseDetail, CaseSummary
from helpdesk_tui.widgets.attachments import AttachmentList
from helpdesk_tui.widgets.case_header import STATUS_STYLES, CaseHeader
from helpdesk_tui.widgets.key_footer import KeyFooter
from helpdesk_tui.widgets.timeline import Timeline
from helpdesk_tui.widgets.untrusted import literal_line


def case_line(case: CaseSummary, width: int = 80) -> Text:
    """`0001234-001 waiting Subject…` cut to one line of `width` cells, for the side lists."""
    line = Text(str(case.number), style="bold")
    line.append(" ")
    line.append(case.status, style=STATUS_STYLES.get(case.status, ""))
    line.append(" ")
    line.append_text(literal_line(case.subject, max(1, width - line.cell_len)))
    return line


def heading(text: Text | str, width: int | None = None) -> Option:
    """A non-selectable heading row inside an option list, cut to one line of `width`."""
    row = text if isinstance(text, Text) else Text(text)
    row.stylize("bold")
    if width is not None:
        row.truncate(width, overflow="ellipsis")
    return Option(row, disabled=True)


if TYPE_CHECKING:
    from helpdesk_tui.dialogs.refile import RefileChoice
    from helpdesk_tui.storage.attachments import StoredAttachment


class CaseScreen(CaseActionScreen):
    """One case, opened from the queue (Enter) or from another case's side lists.

    The app keeps one instance and refills it for every case it opens (`open`): building
    and styling a screen costs far more than reading a case. Cases opened from the side
    lists are a history inside the screen; Esc walks back through it, then to the queue.
    """

    CSS_PATH = "case.tcss"
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (100, "-wide")]  # noqa: RUF012 - Textual's
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back", id="case.back"),
        Binding("s", "status", "Status", id="case.status"),
        Binding("x", "close", "Close", id="case.close"),
        Binding("d", "delegate", "Delegate", id="case.delegate"),
        Binding("c", "comment", "Comment", id="case.comment"),
        Binding("m", "external", "External action", id="case.external", show=False),
        Binding("p", "phone", "Phone note", id="case.phone", show=False),
        Binding("M", "reply", "Reply by mail", id="case.reply", show=False),
        Binding("U", "interim_update", "Mail interim update", id="case.interim", show=False),
        Binding("e", "edit", "Edit", id="case.edit"),
        Binding("r", "reopen", "Reopen", id="case.reopen"),
        Binding("a", "assign_me", "Assign to me", id="case.assign_me", show=False),
        Binding("plus", "new_subcase", "New sub-case", id="case.new_subcase", show=False),
        Binding("N", "new_case", "New case", id="case.new_case", show=False),
        Binding("o", "toggle_order", "Order", id="case.order"),
        Binding("number_sign", "go_to_case", "Go to case …", id="case.go_to", show=False),
        Binding("f", "cycle_filter", "Filter", id="case.filter"),
        Binding("z", "toggle_quotes", "Quoted text", id="case.quotes", show=False),
        Binding("R", "refile", "Re-file a mail", id="case.refile", show=False),
        Binding("C", "customer", "Customer", id="case.customer", show=False),
        Binding("S", "save_attachment", "Save attachment", id="case.save_attachment", show=False),
        Binding("j,down", "move(1)", "Down", id="case.down", show=False),
        Binding("k,up", "move(-1)", "Up", id="case.up", show=False),
        Binding("g,home", "edge(False)", "Top", id="case.top", show=False),
        Binding("G,end", "edge(True)", "Bottom", id="case.bottom", show=False),
    ]

    def __init__(self, desk: Desk, number: CaseNumber | None = None) -> None:
        """A case screen reading through `desk`; with `number`, that case on mount."""
        super().__init__(desk, self._case_on_screen)
        self.number: CaseNumber | None = number
        self.detail: CaseDetail | None = None
        self.context: CustomerContext | None = None
        self.history: list[CaseNumber] = []  # cases opened before this one, from here
        self._side_width: tuple[int, int] | None = None  # list widths the side was cut to
        self._entry_wanted: ActivityEntry | None = None  # the entry asked for, until shown
        self._attachments: tuple[CaseNumber, list[StoredAttachment]] | None = None

    def compose(self) -> ComposeResult:
        """Header on top; timeline beside the sub-case and customer lists; keys below."""
        yield CaseHeader(self._loading_text(), id="case-header")
        with Horizontal(id="case-body"):
            yield Timeline(id="timeline", agents=self.desk.agents)
            with Vertical(id="case-side"):
                yield AttachmentList(id="attachments")
                yield OptionList(id="subcases")
                yield OptionList(id="context")
        yield KeyFooter()

    @property
    def is_built(self) -> bool:
        """Whether the widgets are mounted (not so in a screen pushed while the app quits)."""
        return bool(self.query("#timeline"))

    def action_go_to_case(self) -> None:
        """`#`: type a case number, Enter opens that case here."""
        go_to_case(self, self.desk.case_exists)

    def on_mount(self) -> None:
        """Focus the timeline and load the case (if one is set)."""
        if not self.is_built:
            return
        self.query_one(Timeline).focus()
        if self.number is not None:
            self.sub_title = str(self.number)
            self.reload()

    def open(
        self,
        number: CaseNumber,
        detail: CaseDetail | None = None,
        *,
        entry: ActivityEntry | None = None,
    ) -> None:
        """Show case `number` (nothing of the case shown before stays on screen); `detail`,
        the case as just read (a new case's), is shown at once and the side follows;
        the timeline scrolls to `entry` once it is shown (from the activity feed)."""
        self._entry_wanted = entry
        if number != self.number or self.detail is None:
            self.number, self.detail, self.context = number, None, None
            self.sub_title = str(number)
            if self.is_built:
                self._clear()
        if self.is_built:
            if detail is not None:
                self._show(detail, self.desk.today())
            self.reload()

    def _loading_text(self) -> Text:
        return Text(f"{self.number or ''}  loading…")

    def _clear(self) -> None:
        """The empty state of a case being loaded: no header fields, timeline or lists."""
        self.query_one(CaseHeader).clear(self._loading_text())
        self.query_one(Timeline).clear()
        for listing in self.query(OptionList):
            listing.clear_options()
            listing.border_title = None
        self._side_width = None
        self.query_one(Timeline).focus()

    def _case_on_screen(self) -> list[CaseSummary]:
        """What the case actions act on: the case on screen (once loaded)."""
        return [self.detail.case] if self.detail else []

    # -- loading ------------------------------------------------------------------------
    @work(
        thread=True, exclusive=True, group="case-load", exit_on_error=False, description="load case"
    )
    def reload(self) -> None:
        """Read the case and show it; then read the customer's other cases for the side."""
        desk, number = self.desk, self.number
        if number is None:
            return
        try:
            detail = desk.detail(number)
        except DomainError as error:
            self.app.call_from_thread(self._gone, number, error.message)
            return
        self.app.call_from_thread(self._show, detail, desk.today())
        attachments = desk.attachments(number)  # ACT-6: beside the timeline
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self._show_attachments, number, attachments)
        # The customer context is not needed for the first look: it follows the paint.
        context = desk.customer_context(detail.case)
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self._show_context, detail, context)

    def _gone(self, number: CaseNumber, message: str) -> None:
        if number != self.number:
            return
        self.notify(message, severity="error", markup=False)
        if self.app.screen is self:
            self.action_back()

    def _show(self, detail: CaseDetail, today: date) -> None:
        if detail.case.number != self.number or not self.is_built:
            return  # another case was opened meanwhile
        self.detail = detail
        case = detail.case
        self.query_one(CaseHeader).show(case, today=today, time_centi=detail.time_spent_centi)
        timeline = self.query_one(Timeline)
        timeline.show(detail.activities, case.description)
        if self._entry_wanted is not None and timeline.scroll_to_entry(self._entry_wanted):
            self._entry_wanted = None  # once: a later reload stays where the agent is
        self._fill_side()

    # -- attachments (ACT-6) ------------------------------------------------------------
    def _show_attachments(self, number: CaseNumber, items: list["StoredAttachment"]) -> None:
        if number != self.number or not self.is_built:
            return
        self._attachments = (number, items)
        self._fit_attachments()

    def _fit_attachments(self) -> None:
        """(Re)list the attachments at the side's width: also once the side is laid out
        (they may arrive before it is) and after a resize (`_fill_side`)."""
        if self._attachments is None or self._attachments[0] != self.number:
            return
        # the sub-cases' width: its 2 spare cells hold this list's scrollbar when it
        # scrolls, so a row's size never wraps onto a second line
        width = _list_width(self.query_one("#subcases", OptionList))
        self.query_one(AttachmentList).show(self._attachments[1], width)

    def on_attachment_list_chosen(self, event: AttachmentList.Chosen) -> None:
        """`o` / `S` in the attachments list: open or save the highlighted one."""
        event.stop()
        self._act_on_attachment(event.item, save=event.save)

    def action_save_attachment(self) -> None:
        """`S`: save the attachment highlighted in the list (the list gets the cursor)."""
        listing = self.query_one(AttachmentList)
        if listing.current is None:
            self.notify("no attachments on this case", markup=False)
            return
        listing.focus()
        self._act_on_attachment(listing.current, save=True)

    def _act_on_attachment(self, item: "StoredAttachment", *, save: bool) -> None:
        number = self.number
        if number is None:
            return
        if item.sha256 is None:
            self.notify(f"{item.filename}: {item.note}", severity="warning", markup=False)
            return
        if not save:
            self._open_attachment(number, item)
            return
        desk, app = self.desk, self.app

        def write(folder: Path | None) -> None:
            if folder is not None:
                path = desk.save_attachment(number, str(item.id), folder)
                app.call_from_thread(app.notify, f"saved {path}", markup=False)

        self.app.push_screen(SaveAttachmentDialog(item.filename).submitting(write))

    @work(thread=True, group="attachment", exit_on_error=False, description="open attachment")
    def _open_attachment(self, number: CaseNumber, item: "StoredAttachment") -> None:
        self.desk.open_attachment(number, str(item.id))
        self.app.call_from_thread(self.notify, f"opened {item.filename}", markup=False)

    def _show_context(self, detail: CaseDetail, context: CustomerContext) -> None:
        if detail.case.number != self.number or not self.is_built:
            return
        self.context = context
        self._fill_side()

    def _fill_side(self) -> None:
        if self.detail is not None:
            self._fill_subcases(self.detail)
        if self.detail is not None and self.context is not None:
            self._fill_context(self.detail.case, self.context)
        self._fit_attachments()
        if self._side_width is None:
            self.call_after_refresh(self._refill_if_resized)  # once the lists have a width
        self._side_width = self._list_widths()

    def _list_widths(self) -> tuple[int, int]:
        subcases = self.query_one("#subcases", OptionList)
        return _list_width(subcases), _list_width(self.query_one("#context", OptionList))

    def _refill_if_resized(self) -> None:
        if self.is_built and self._list_widths() != self._side_width:
            self._fill_side()

    def _fill_subcases(self, detail: CaseDetail) -> None:
        options: list[Option] = []
        subs = detail.sub_cases
        listing = self.query_one("#subcases", OptionList)
        if detail.case.parent is not None:
            listing.border_title = "Parent"
            options.append(Option(Text(f"{detail.case.parent}  (Enter opens)"), id="parent"))
        else:
            still_open = sum(1 for s in subs if s.status != "closed")
            listing.border_title = Text(f"Sub-cases ({still_open} open / {len(subs)})")
            width = _list_width(listing)
            options += [Option(case_line(s, width), id=f"s:{s.number}") for s in subs]
            if not subs:
                options.append(heading("none (+ splits one off)"))
        _replace_options(listing, options)

    def _fill_context(self, case: CaseSummary, context: CustomerContext) -> None:
        listing = self.query_one("#context", OptionList)
        listing.border_title = "Customer context"
        width = _list_width(listing)
        who = literal_line(case.contact_name or case.contact_email)
        options = [heading(Text("Contact ").append_text(who), width)]
        # Other cases: not this case's own family, and not listed twice.
        own = case.number.main
        by_contact = [c for c in context.contact_cases if c.number.main != own]
        listed = {c.number for c in by_contact}
        by_account = [
            c for c in context.account_cases if c.number.main != own and c.number not in listed
        ]
        options += [Option(case_line(c, width), id=f"c:{c.number}") for c in by_contact]
        if not by_contact:
            options.append(heading("  no other cases"))
        if case.account:
            account = Text("Account ").append_text(literal_line(case.account))
            options.append(heading(account, width))
            options += [Option(case_line(c, width), id=f"a:{c.number}") for c in by_account]
            if not by_account:
                options.append(heading("  no other cases"))
        _replace_options(listing, options)

    def on_resize(self) -> None:
        """Side lists cut their lines to the width: redo them at the new one."""
        self.call_after_refresh(self._refill_if_resized)

    def on_data_changed(self, _: DataChanged) -> None:
        """Another process committed: show its changes."""
        self.reload()

    def on_cases_changed(self, _: CasesChanged) -> None:
        """This app changed cases (maybe this one, a sub-case or its parent)."""
        self.reload()

    # -- navigation ---------------------------------------------------------------------
    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        """Enter on a sub-case, the parent or a customer case opens it."""
        event.stop()
        option_id = event.option.id or ""
        if option_id == "parent" and self.detail and self.detail.case.parent:
            self._open_from_here(self.detail.case.parent)
        elif ":" in option_id:
            self._open_from_here(parse_case_number(option_id.split(":", 1)[1]))

    def _open_from_here(self, number: CaseNumber) -> None:
        if self.number is not None:
            self.history.append(self.number)
        self.open(number)

    def action_back(self) -> None:
        """Esc: back to the case this one was opened from, else to the queue."""
        if self.history:
            self.open(self.history.pop())
        else:
            self.dismiss()

    def action_toggle_order(self) -> None:
        """`o`: newest first ↔ oldest first."""
        timeline = self.query_one(Timeline)
        timeline.newest_first = not timeline.newest_first

    def action_cycle_filter(self) -> None:
        """`f`: all → comments → external → phone → status changes → mail."""
        self.query_one(Timeline).cycle_filter()

    def action_toggle_quotes(self) -> None:
        """`z`: show or fold the quoted history of the mails."""
        timeline = self.query_one(Timeline)
        timeline.show_quotes = not timeline.show_quotes

    def action_customer(self) -> None:
        """`C`: the contact and its account (VIEW-4): details, cases, mail, time."""
        from helpdesk_tui.screens.customer import CustomerScreen  # lazy import: on first use

        if self.detail is None:
            self.notify("The case is still loading", severity="warning")
            return
        self.app.push_screen(CustomerScreen(self.desk, self.detail.case.contact_email))

    def action_refile(self) -> None:
        """`R`: move one of this case's mails to another case (MAIL-3)."""
        from helpdesk_tui.dialogs.refile import RefileDialog  # lazy import: rarely needed

        mails = [a.mail for a in self.detail.activities if a.mail] if self.detail else []
        if not mails:
            self.notify("This case has no mail", severity="warning")
            return
        dialog = RefileDialog(f"Re-file a mail of {self.number}", mails)
        self.app.push_screen(dialog, self._refile_chosen)

    def _refile_chosen(self, choice: "RefileChoice | None") -> None:
        if choice is None:
            return
        desk = self.desk
        self.run_service(
            lambda: desk.refile(choice.mail_id, choice.number),
            done=lambda _: f"mail moved to {choice.number}",
            changed=[n for n in (self.number, choice.number) if n is not None],
        )

    def action_move(self, step: int) -> None:
        """j/k: move in the focused list, or scroll the timeline."""
        focused = self.focused
        if isinstance(focused, OptionList):
            if step > 0:
                focused.action_cursor_down()
            else:
                focused.action_cursor_up()
            return
        timeline = self.query_one(Timeline)
        if step > 0:
            timeline.scroll_down(animate=False)
        else:
            timeline.scroll_up(animate=False)

    def action_edge(self, end: bool) -> None:
        """g/G: to the top or bottom of the focused list or the timeline."""
        focused = self.focused
        if isinstance(focused, OptionList):
            if end:
                focused.action_last()
            else:
                focused.action_first()
            return
        timeline = self.query_one(Timeline)
        if end:
            timeline.scroll_end(animate=False)
        else:
            timeline.scroll_home(animate=False)


def _list_width(listing: OptionList) -> int:
    """Cells a one-line option may use (the list's width minus borders and padding)."""
    return max(20, listing.scrollable_content_region.width - 2)


def _replace_options(listing: OptionList, options: list[Option]) -> None:
    """Swap the options, keeping the cursor where it was (live reloads must not jump)."""
    highlighted = listing.highlighted
    listing.clear_options()
    listing.add_options(options)
    enabled = [index for index, option in enumerate(options) if not option.disabled]
    if not enabled:
        return
    if highlighted is None or highlighted >= len(options) or options[highlighted].disabled:
        highlighted = enabled[0]
    listing.highlighted = highlighted
