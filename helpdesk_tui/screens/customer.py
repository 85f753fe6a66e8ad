"""The customer view (VIEW-4): one contact and its account, from a case or a mail (`C`).

Details (name, address and the account's other addresses, phone, class, account), the
contact's cases with the open ones first and then the account's other cases (Enter opens
one), its recent mail as the Conversations list shows it (Enter opens the mail), and the
time spent on its cases. Two workers: the card (storage/contactreads.py) paints first,
the mail follows. Everything a customer typed stays literal text (SEC-2).
"""

from datetime import datetime
from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from helpdesk_tui.domain.errors import DomainError
from helpdesk_tui.domain.numbering import parse_case_number
from helpdesk_tui.domain.timespent import format_time_spent
from helpdesk_tui.messages import DataChanged, OpenCaseRequested
from helpdesk_tui.screens.base import WorkerScreen
from helpdesk_tui.screens.case import heading
from helpdesk_tui.services.desk import Desk
from helpdesk_tui.storage.contactreads import ContactCard
from helpdesk_tui.storage.readmodels import CaseSummary, MailListItem
from helpdesk_tui.widgets.key_footer import KeyFooter
from helpdesk_tui.widgets.mail_row import mail_row
from helpdesk_tui.widgets.untrusted import literal_line

#: Recent mails the view shows.
RECENT_MAILS = 20


def case_row(case: CaseSummary, width: int) -> Text:
    """`0001234-001  waiting      Subject…` on one line: the status as a word (the
    focused list's cursor colour would not leave a coloured word readable)."""
    line = Text(f"{case.number!s:<12}", style="bold")
    line.append(f"{case.status:<12}")
    line.append_text(literal_line(case.subject, max(1, width - line.cell_len)))
    return line


def card_text(card: ContactCard) -> Text:
    """The details block: name, addresses, phone, class, account, time spent."""
    text = Text()
    text.append("Name:     ", style="bold")
    text.append_text(literal_line(card.name or "—"))
    if not card.known:
        text.append("  (no contact yet: known from mail only)", style="dim")
    text.append("\nAddress:  ", style="bold")
    text.append_text(literal_line(card.email))
    if card.addresses:
        text.append("  · also at the account: ", style="dim")
        text.append_text(literal_line(", ".join(card.addresses), 120))
    text.append("\nPhone:    ", style="bold")
    text.append_text(literal_line(card.phone or "—"))
    text.append("   Class: ", style="bold")
    text.append(card.mail_class or "unclassified")
    if card.class_source and card.class_source != "mail":
        text.append(" ")
        text.append_text(literal_line(f"(remembered for the {card.class_source})"))
    text.append("\nAccount:  ", style="bold")
    text.append_text(literal_line(card.account or "—"))
    if card.account_domain:
        text.append(" ")
        text.append_text(literal_line(f"({card.account_domain})"))
    text.append("\nTime:     ", style="bold")
    text.append(f"{format_time_spent(card.time_spent_centi)} h on this contact's cases")
    if card.account:
        text.append(f" · {format_time_spent(card.account_time_spent_centi)} h on the account's")
    return text


class CustomerScreen(WorkerScreen[None]):
    """A contact and its account: details, cases (open first), recent mail, time."""

    BINDING_GROUP_TITLE = "Customer"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "app.pop_screen", "Back", id="customer.back"),
        Binding("tab", "app.focus_next", "Cases/mail", id="customer.switch", show=False),
    ]
    DEFAULT_CSS = """
    CustomerScreen #customer-title { height: 1; background: $panel; padding: 0 1; }
    CustomerScreen #customer-card { height: auto; padding: 0 1; }
    CustomerScreen #customer-cases { height: 1fr; border: round $panel; }
    CustomerScreen #customer-mails { height: 1fr; border: round $panel; }
    CustomerScreen OptionList:focus { border: round $primary; }
    """

    def __init__(self, desk: Desk, email: str) -> None:
        """The contact with address `email` (or the sender known from mail only)."""
        super().__init__()
        self.desk = desk
        self.email = email
        self.card: ContactCard | None = None
        self.mails: list[MailListItem] = []
        self._now: datetime | None = None

    def compose(self) -> ComposeResult:
        """Title, details, the cases, the recent mail, keys."""
        yield Static(Text("Customer · loading…", style="bold"), id="customer-title")
        yield Static("", id="customer-card")
        yield OptionList(id="customer-cases")
        yield OptionList(id="customer-mails")
        yield KeyFooter(compact=True)

    def on_mount(self) -> None:
        """Focus the cases and read the customer."""
        self.query_one("#customer-cases", OptionList).focus()
        self.query_one("#customer-cases", OptionList).border_title = "Cases"
        self.query_one("#customer-mails", OptionList).border_title = "Recent mail"
        self.reload()

    def on_data_changed(self, _: DataChanged) -> None:
        """Someone committed: read the customer again."""
        self.reload()

    @work(
        thread=True, exclusive=True, group="customer", exit_on_error=False, description="customer"
    )
    def reload(self) -> None:
        """Read the card, show it; then the recent mail."""
        desk = self.desk
        try:
            card = desk.contact_card(self.email)
        except DomainError as error:
            self.app.call_from_thread(self._gone, error.message)
            return
        self.app.call_from_thread(self._show_card, card)
        mails = desk.recent_mail(card.email, RECENT_MAILS)
        self.app.call_from_thread(self._show_mails, mails, desk.now())

    def _gone(self, message: str) -> None:
        self.query_one("#customer-title", Static).update(literal_line(message, style="bold"))

    def _show_card(self, card: ContactCard) -> None:
        self.card = card
        title = Text("Customer · ", style="bold")
        title.append_text(literal_line(card.name or card.email, 60, style="bold"))
        if card.account:
            title.append(" · ")
            title.append_text(literal_line(card.account, 40))
        self.query_one("#customer-title", Static).update(title)
        self._show_details()
        listing = self.query_one("#customer-cases", OptionList)
        width = max(20, listing.scrollable_content_region.width - 2)
        still_open = sum(1 for c in card.cases if c.status != "closed")
        shown = f"{len(card.cases)}{'+' if card.more_cases else ''}"
        listing.border_title = Text(f"Cases ({still_open} open / {shown})")
        options: list[Option] = [Option(case_row(c, width), id=f"c:{c.number}") for c in card.cases]
        if not card.cases:
            options.append(heading("no cases"))
        if card.account_cases:
            account = Text("Other cases of ").append_text(literal_line(card.account))
            options.append(heading(account, width))
            options += [Option(case_row(c, width), id=f"a:{c.number}") for c in card.account_cases]
        _keep_cursor(listing, options)

    def _show_details(self) -> None:
        if self.card is None:
            return
        self.query_one("#customer-card", Static).update(card_text(self.card))

    def _show_mails(self, mails: list[MailListItem], now: datetime) -> None:
        self.mails, self._now = mails, now
        listing = self.query_one("#customer-mails", OptionList)
        width = max(40, listing.scrollable_content_region.width - 2)
        more = "+" if len(mails) >= RECENT_MAILS else ""
        listing.border_title = Text(f"Recent mail ({len(mails)}{more})")
        options = [Option(mail_row(m, now, width), id=f"m:{m.id.hex}") for m in mails]
        if not mails:
            options.append(heading("no mail"))
        _keep_cursor(listing, options)

    @on(OptionList.OptionSelected)
    def _selected(self, event: OptionList.OptionSelected) -> None:
        """Enter on a case opens it; on a mail, opens the mail."""
        event.stop()
        kind, _, key = (event.option.id or "").partition(":")
        if kind in ("c", "a"):
            self.post_message(OpenCaseRequested(parse_case_number(key), replace_top=True))
        elif kind == "m":
            item = next((m for m in self.mails if m.id.hex == key), None)
            if item is not None:
                from helpdesk_tui.screens.mail_view import MailScreen  # lazy: on first use

                self.app.push_screen(MailScreen(self.desk, item))


def _keep_cursor(listing: OptionList, options: list[Option]) -> None:
    """Swap the options, the cursor on the first selectable one (or where it was)."""
    highlighted = listing.highlighted
    listing.clear_options()
    listing.add_options(options)
    enabled = [i for i, option in enumerate(options) if not option.disabled]
    if not enabled:
        return
    if highlighted is None or highlighted >= len(options) or options[highlighted].disabled:
        highlighted = enabled[0]
    listing.highlighted = highlighted
