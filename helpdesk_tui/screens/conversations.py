"""Conversations (issue 14, MAIL-8; seed 004): all mail, newest first, classified by sender.

A list over keyset pages (`Desk.mail_page`): the first page paints, the next is read as
the cursor comes near the end, so the mails table is never loaded. Columns: read mark,
class (`*`: by a rule), sender, account, subject, case, age. Filters: the query bar (`/`,
`unread unclassified old class:newsletter account:ACME from:addr last:30d mailbox:support
filed unfiled archived` and words) and one-key toggles (`u` unread, `c` unclassified,
`o` older than 7 days and not archived, `a` the archived mail instead of the rest). The
header shows the weekly review (unclassified < 10, old open < 20, classified > 95 %,
reaction < 24 h), each marked ✓ met or ✗ missed (said, not only coloured).

Enter opens the mail (and marks it read); `k` classifies it (dialogs/classify.py) — or
every mail marked with space —, `K` all mail of its sender (a preview count first), `e`
archives, `f` files it onto a case, `n` opens a case from it, `C` shows its sender as a
customer. After a classification the cursor is on the next mail.
"""

import uuid
from dataclasses import dataclass, replace
from datetime import datetime
from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from helpdesk_tui.dialogs.classify import CLASS_TITLES, ClassifyChoice, ClassifyDialog
from helpdesk_tui.dialogs.text import TextDialog
from helpdesk_tui.domain.errors import DomainError
from helpdesk_tui.domain.mail_query import MailFilter, parse_mail_query
from helpdesk_tui.domain.numbering import parse_case_number
from helpdesk_tui.messages import DataChanged
from helpdesk_tui.screens.base import WorkerScreen
from helpdesk_tui.screens.mail_view import MailScreen
from helpdesk_tui.services.desk import Desk
from helpdesk_tui.storage.readmodels import MailListItem, MailStats
from helpdesk_tui.widgets.conversation_parts import (
    Toggles,
    filter_words,
    offered_domain,
    preview,
    review_line,
    still_shown,
)
from helpdesk_tui.widgets.key_footer import KeyFooter
from helpdesk_tui.widgets.mail_row import mail_row
from helpdesk_tui.widgets.query_bar import QueryBar, QueryNote
from helpdesk_tui.widgets.untrusted import literal_line

#: The first page: a screenful and some, so it paints soon; later pages are longer. The
#: next page is read when the cursor is NEAR_END rows from the end.
FIRST_PAGE = 60
PAGE = 100
NEAR_END = 20
#: A refresh after a change reads the rows shown again, at most this many.
REFRESH_LIMIT = 300
PLACEHOLDER = "unread unclassified old class:newsletter account:ACME from:a@b last:30d filed"


@dataclass(frozen=True)
class _Loaded:
    """A page as a worker read it."""

    mail_filter: MailFilter
    items: list[MailListItem]
    full: bool  # the page was full: more may follow
    now: datetime


class ConversationsScreen(WorkerScreen[None]):
    """All mail, newest first; classify, file, archive; the weekly review on top."""

    BINDING_GROUP_TITLE = "Conversations"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back", id="conversations.back"),
        Binding("k", "classify", "Classify", id="conversations.classify"),
        Binding("K", "classify_sender", "All of sender", id="conversations.sender"),
        Binding("space", "mark", "Mark", id="conversations.mark"),
        Binding("e", "archive", "Archive", id="conversations.archive"),
        Binding("f", "file", "File onto case", id="conversations.file"),
        Binding("n", "open_case", "New case", id="conversations.open_case"),
        Binding("C", "customer", "Customer", id="conversations.customer"),
        Binding("u", "toggle_filter('unread')", "Unread", id="conversations.unread"),
        Binding(
            "c", "toggle_filter('unclassified')", "Unclassified", id="conversations.unclassified"
        ),
        Binding("o", "toggle_filter('old_open')", "Old (7d+)", id="conversations.old"),
        Binding("a", "toggle_filter('archived')", "Archived", id="conversations.archived"),
        Binding("slash", "query", "Filter", id="conversations.query"),
        Binding("j", "move(1)", "Down", id="conversations.down", show=False),
    ]
    DEFAULT_CSS = """
    ConversationsScreen #conv-title { height: 1; background: $panel; padding: 0 1; }
    ConversationsScreen #conv-review { height: 1; background: $panel; padding: 0 1; }
    ConversationsScreen #conv-list { height: 1fr; border: none; }
    ConversationsScreen #conv-detail {
        height: 4; padding: 0 1; border-top: solid $panel; color: $text-muted;
    }
    """

    def __init__(self, desk: Desk) -> None:
        """All mail, read and classified through `desk`."""
        super().__init__()
        self.desk = desk
        self.toggles = Toggles()
        self.typed = MailFilter()
        self.query_text = ""
        self.items: list[MailListItem] = []
        self.marks: dict[uuid.UUID, MailListItem] = {}
        self.stats: MailStats | None = None
        self._full = False
        self._loading_more = False
        self._loaded = False
        self._now: datetime | None = None
        self.shown_filter: MailFilter | None = None  # the filter of the rows on screen

    @property
    def mail_filter(self) -> MailFilter:
        """What the list shows: the query bar's filter with the toggles on it."""
        return self.toggles.onto(self.typed)

    def compose(self) -> ComposeResult:
        """Title, review, query bar, the list, the highlighted mail, keys."""
        yield Static(Text("Conversations · loading…", style="bold"), id="conv-title")
        yield Static(review_line(None, 80), id="conv-review")
        bar = QueryBar(id="conv-query")
        bar.placeholder = PLACEHOLDER
        yield bar
        yield QueryNote(id="conv-query-note")
        yield OptionList(id="conv-list")
        yield Static("", id="conv-detail")
        yield KeyFooter(compact=True)

    def on_mount(self) -> None:
        """Focus the list; read the first page, then the review's counters."""
        self.query_one("#conv-list", OptionList).focus()
        self._load(self.mail_filter)
        self._count()

    # -- reading ---------------------------------------------------------------------
    @work(thread=True, exclusive=True, group="conv", exit_on_error=False, description="mail")
    def _load(self, mail_filter: MailFilter, limit: int = FIRST_PAGE, keep: bool = False) -> None:
        """The first `limit` mails of `mail_filter`; `keep`: a refresh (cursor stays)."""
        desk = self.desk
        items = desk.mail_page(mail_filter, limit=limit)
        loaded = _Loaded(mail_filter, items, len(items) >= limit, desk.now())
        self.app.call_from_thread(self._show_first, loaded, keep)

    @work(thread=True, group="conv-more", exit_on_error=False, description="mail page")
    def _load_more(self, mail_filter: MailFilter, after: tuple[datetime, uuid.UUID]) -> None:
        desk = self.desk
        items = desk.mail_page(mail_filter, after=after, limit=PAGE)
        self.app.call_from_thread(
            self._show_more, _Loaded(mail_filter, items, len(items) >= PAGE, desk.now())
        )

    @work(
        thread=True, exclusive=True, group="conv-stats", exit_on_error=False, description="review"
    )
    def _count(self) -> None:
        """The weekly review's counters (after the list: they must not hold its paint)."""
        stats = self.desk.mail_stats()
        self.app.call_from_thread(self._show_stats, stats)

    def _show_stats(self, stats: MailStats) -> None:
        self.stats = stats
        self.query_one("#conv-review", Static).update(review_line(stats, self.app.size.width))

    def _show_first(self, loaded: _Loaded, keep: bool) -> None:
        if loaded.mail_filter != self.mail_filter:
            return  # the filter changed meanwhile: that read is on its way
        listing = self.query_one("#conv-list", OptionList)
        current = self.current
        index = listing.highlighted or 0
        self.items, self._full, self._now = list(loaded.items), loaded.full, loaded.now
        self.shown_filter = loaded.mail_filter
        self._loaded = True
        self._loading_more = False
        for item in self.items:  # a mark keeps the newest copy of its mail
            if item.id in self.marks:
                self.marks[item.id] = item
        self._rebuild()
        if keep and current is not None:
            found = next((i for i, m in enumerate(self.items) if m.id == current.id), None)
            self._select(found if found is not None else index)
        else:
            self._select(0)
        self._show_title()
        self._more_if_short()

    def _show_more(self, loaded: _Loaded) -> None:
        self._loading_more = False
        if loaded.mail_filter != self.mail_filter:
            return
        known = {m.id for m in self.items}
        added = [m for m in loaded.items if m.id not in known]
        self._full, self._now = loaded.full, loaded.now
        if added:
            self.items += added
            width = self._width()
            listing = self.query_one("#conv-list", OptionList)
            listing.add_options([self._option(m, width) for m in added])
            self._show_title()
        self._more_if_short()

    def _more_if_short(self) -> None:
        listing = self.query_one("#conv-list", OptionList)
        near = (listing.highlighted or 0) >= len(self.items) - NEAR_END
        if near or len(self.items) < listing.size.height:
            self._request_more()

    def _request_more(self) -> None:
        if self._full and self.items and not self._loading_more:
            self._loading_more = True
            last = self.items[-1]
            self._load_more(self.mail_filter, (last.received_at, last.id))

    def refresh_list(self) -> None:
        """Read the rows shown again (a change here or elsewhere); the cursor stays."""
        limit = min(max(len(self.items), FIRST_PAGE), REFRESH_LIMIT)
        self._load(self.mail_filter, limit, keep=True)
        self._count()

    def on_data_changed(self, _: DataChanged) -> None:
        """Someone committed (new mail, a classification elsewhere): read again."""
        if self._loaded:
            self.refresh_list()

    # -- the list --------------------------------------------------------------------
    def _width(self) -> int:
        listing = self.query_one("#conv-list", OptionList)
        return max((listing.scrollable_content_region.width or self.app.size.width) - 1, 40)

    def _option(self, item: MailListItem, width: int) -> Option:
        now = self._now or item.received_at
        return Option(mail_row(item, now, width, marked=item.id in self.marks), id=item.id.hex)

    def _rebuild(self) -> None:
        listing = self.query_one("#conv-list", OptionList)
        width = self._width()
        listing.clear_options()
        listing.add_options([self._option(m, width) for m in self.items])

    def _select(self, index: int) -> None:
        listing = self.query_one("#conv-list", OptionList)
        if not self.items:
            listing.highlighted = None
            self._show_detail()
            return
        listing.highlighted = max(0, min(index, len(self.items) - 1))
        self._show_detail()

    def _redraw(self, index: int) -> None:
        """Row `index` again (its mark, class or read mark changed)."""
        listing = self.query_one("#conv-list", OptionList)
        item = self.items[index]
        listing.replace_option_prompt_at_index(index, self._option(item, self._width()).prompt)

    @property
    def current(self) -> MailListItem | None:
        """The highlighted mail."""
        index = self.query_one("#conv-list", OptionList).highlighted
        if index is None or index >= len(self.items):
            return None
        return self.items[index]

    def _show_title(self) -> None:
        shown = f"{len(self.items)}{'+' if self._full else ''}"
        title = Text("Conversations", style="bold")
        title.append(f" · {shown} mails" if self.items or not self._loaded else " · no mail")
        words = filter_words(self.mail_filter)
        if words:
            title.append(" · ")
            title.append_text(Text(words))
        if self.marks:
            title.append(f" · {len(self.marks)} marked", style="bold")
        self.query_one("#conv-title", Static).update(title)

    def _show_detail(self) -> None:
        item = self.current
        detail = self.query_one("#conv-detail", Static)
        if item is None:
            message = "No mail." if self.mail_filter == MailFilter() else "No mail matches."
            detail.update(Text(message if self._loaded else "", style="dim"))
            return
        detail.update(preview(item))

    @on(OptionList.OptionHighlighted, "#conv-list")
    def _highlighted(self, event: OptionList.OptionHighlighted) -> None:
        self._show_detail()
        if event.option_index >= len(self.items) - NEAR_END:
            self._request_more()

    @on(OptionList.OptionSelected, "#conv-list")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        """Enter: open the mail (it is marked read)."""
        event.stop()
        item = self.current
        if item is None:
            return
        if not item.read:
            self._replace(replace(item, read=True))
        screen = MailScreen(self.desk, item, in_list=True)

        def handed(action: str | None) -> None:
            if action:
                self._select(next((i for i, m in enumerate(self.items) if m.id == item.id), 0))
                getattr(self, f"action_{action}")()

        self.app.push_screen(screen, handed)

    def _replace(self, item: MailListItem) -> None:
        """A mail changed here: its row anew, or gone when the filter no longer shows it."""
        index = next((i for i, m in enumerate(self.items) if m.id == item.id), None)
        if index is None:
            return
        if item.id in self.marks:
            self.marks[item.id] = item
        if still_shown(item, self.mail_filter):
            self.items[index] = item
            self._redraw(index)
        else:
            self.items.pop(index)
            self.query_one("#conv-list", OptionList).remove_option_at_index(index)

    # -- keys: moving, filtering -----------------------------------------------------
    def action_move(self, step: int) -> None:
        """`j`: down (↑/↓ move too; `k` classifies here)."""
        listing = self.query_one("#conv-list", OptionList)
        if step > 0:
            listing.action_cursor_down()
        else:
            listing.action_cursor_up()

    def action_back(self) -> None:
        """Esc: clear the marks first, then back."""
        if self.marks:
            self.marks.clear()
            self._rebuild_keep()
            return
        self.app.pop_screen()

    def _rebuild_keep(self) -> None:
        index = self.query_one("#conv-list", OptionList).highlighted or 0
        self._rebuild()
        self._select(index)
        self._show_title()

    def action_toggle_filter(self, name: str) -> None:
        """`u` `c` `o` `a`: unread, unclassified, older than 7 days, archived."""
        self.toggles = replace(self.toggles, **{name: not getattr(self.toggles, name)})
        self._filter_changed()

    def _filter_changed(self) -> None:
        self._show_title()
        self._load(self.mail_filter)

    def action_query(self) -> None:
        """`/`: type a filter (`unread class:newsletter from:a@b last:30d …`), Enter."""
        self.query_one(QueryBar).open()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Enter in the bar: apply it (a bad word says why under the bar)."""
        if not isinstance(event.input, QueryBar):
            return
        event.stop()
        bar = event.input
        text = bar.value.strip()
        try:
            typed = parse_mail_query(text)
        except DomainError as error:
            self.query_one(QueryNote).say(error.message)
            return
        self.query_one(QueryNote).say("")
        bar.remember(text)
        bar.close(text)
        self.query_text, self.typed = text, typed
        self.query_one("#conv-list", OptionList).focus()
        self._filter_changed()

    def on_query_bar_cancelled(self, _: QueryBar.Cancelled) -> None:
        """Esc in the bar: back to the filter in force."""
        self.query_one(QueryNote).say("")
        self.query_one(QueryBar).close(self.query_text)
        self.query_one("#conv-list", OptionList).focus()

    # -- keys: acting ----------------------------------------------------------------
    def action_mark(self) -> None:
        """Space: mark or unmark the mail (for a bulk classification), then down."""
        item = self.current
        if item is None:
            return
        if item.id in self.marks:
            del self.marks[item.id]
        else:
            self.marks[item.id] = item
        index = self.query_one("#conv-list", OptionList).highlighted or 0
        self._redraw(index)
        self._select(index + 1)
        self._show_title()

    def _targets(self) -> list[MailListItem]:
        """The marked mails, else the highlighted one."""
        if self.marks:
            return list(self.marks.values())
        return [self.current] if self.current is not None else []

    def action_classify(self) -> None:
        """`k`: classify the highlighted mail, or every marked one."""
        targets = self._targets()
        if not targets:
            self.notify("No mail selected", severity="warning")
            return
        self._prepare_dialog(targets)

    @work(
        thread=True,
        exclusive=True,
        group="conv-dialog",
        exit_on_error=False,
        description="suggest a class",
    )
    def _prepare_dialog(self, targets: list[MailListItem]) -> None:
        """The suggested class of a single mail (bulk mail → newsletter), then the dialog."""
        first = targets[0]
        suggested = first.mail_class
        if len(targets) == 1 and suggested is None:
            suggested = self.desk.suggested_class(first.id)
        account = next((m.account for m in targets if m.account), None)
        if account is None and len({m.from_email for m in targets}) == 1:
            account = self._contact_account(first.from_email)
        self.app.call_from_thread(self._open_dialog, targets, suggested, account)

    def _contact_account(self, address: str) -> str | None:
        """The account of the sender's contact, if it has one (in a worker)."""
        contacts = self.desk.find_contacts(address)
        return next((c.account for c in contacts if c.email == address.lower()), None)

    def _open_dialog(
        self, targets: list[MailListItem], suggested: str | None, account: str | None
    ) -> None:
        senders = {m.from_email for m in targets}
        first = targets[0]
        if len(targets) == 1:
            who = f"{first.from_name} <{first.from_email}>" if first.from_name else first.from_email
            heading = Text("Classify mail from ").append_text(literal_line(who, 50))
        else:
            heading = Text(f"Classify {len(targets)} marked mails")
        sender = first.from_email if len(senders) == 1 else None
        dialog = ClassifyDialog(
            heading,
            search=self.desk.accounts_matching,
            suggested=suggested,
            account=account,
            address=sender,
            domain=offered_domain(sender) if sender else None,
            detail=f"{len(targets)} mails from {len(senders)} senders"
            if len(targets) > 1
            else None,
        )
        ids = [m.id for m in targets]
        desk = self.desk

        def write(choice: ClassifyChoice | None) -> None:
            if choice is not None:
                account_name = self._account(choice)
                desk.classify(
                    ids, choice.mail_class, account=account_name, remember=choice.remember
                )

        dialog.submitting(write)
        self.app.push_screen(dialog, lambda choice: self._classified(targets, choice))

    def _account(self, choice: ClassifyChoice) -> str | None:
        """The account the choice names, created when it is new (in the writer's thread)."""
        name = choice.account
        if name is None:
            return None
        known = {a.lower(): a for a in self.desk.accounts_matching(name)}
        if name.lower() in known and not choice.new_account:
            return known[name.lower()]
        if name.lower() in known:
            return known[name.lower()]
        return self.desk.create_account(name)

    def _classified(self, targets: list[MailListItem], choice: ClassifyChoice | None) -> None:
        """Saved: the rows show the class (or leave the list), the cursor goes to the
        next mail; the list is read again for what the rule changed."""
        if choice is None:
            return
        listing = self.query_one("#conv-list", OptionList)
        index = listing.highlighted or 0
        done = {m.id for m in targets}
        for item in targets:
            self._replace(
                replace(
                    item,
                    mail_class=choice.mail_class,
                    classified_by="agent",
                    account=choice.account,
                )
            )
        self.marks = {k: v for k, v in self.marks.items() if k not in done}
        still_here = any(m.id == targets[-1].id for m in self.items)
        self._select(index + 1 if still_here and len(targets) == 1 else index)
        self._show_title()
        title = CLASS_TITLES[choice.mail_class]
        self.notify(
            f"{len(targets)} mail{'s' * (len(targets) != 1)}: {title}", timeout=2, markup=False
        )
        self.refresh_list()

    def action_classify_sender(self) -> None:
        """`K`: every unclassified mail of the highlighted mail's sender (a count first)."""
        item = self.current
        if item is None:
            self.notify("No mail selected", severity="warning")
            return
        self._sender_preview(item)

    @work(
        thread=True, group="conv-dialog", exit_on_error=False, description="count the sender's mail"
    )
    def _sender_preview(self, item: MailListItem) -> None:
        count = self.desk.classify_sender_preview(item.from_email)
        suggested = item.mail_class or self.desk.suggested_class(item.id)
        account = item.account or self._contact_account(item.from_email)
        self.app.call_from_thread(self._sender_dialog, item, count, suggested, account)

    def _sender_dialog(
        self, item: MailListItem, count: int, suggested: str | None, account: str | None
    ) -> None:
        sender = item.from_email
        heading = Text(f"Classify all {count} unclassified mails of ")
        heading.append_text(literal_line(sender, 40))
        dialog = ClassifyDialog(
            heading,
            search=self.desk.accounts_matching,
            suggested=suggested,
            account=account,
            address=sender,
            domain=offered_domain(sender),
            detail=f"{count} unclassified mail{'s' * (count != 1)} of this sender",
        )
        desk = self.desk

        def write(choice: ClassifyChoice | None) -> None:
            if choice is not None:
                account_name = self._account(choice)
                desk.classify_sender(
                    sender, choice.mail_class, account=account_name, remember=choice.remember
                )

        dialog.submitting(write)
        self.app.push_screen(dialog, lambda choice: self._classified([item], choice))

    def action_archive(self) -> None:
        """`e`: archive the marked mails, or the highlighted one (then shown under `a`)."""
        targets = self._targets()
        if not targets:
            self.notify("No mail selected", severity="warning")
            return
        self._archive(targets)

    @work(thread=True, group="conv-write", exit_on_error=False, description="archive")
    def _archive(self, targets: list[MailListItem]) -> None:
        count = self.desk.archive([m.id for m in targets])
        self.app.call_from_thread(self._archived, targets, count)

    def _archived(self, targets: list[MailListItem], count: int) -> None:
        index = self.query_one("#conv-list", OptionList).highlighted or 0
        for item in targets:
            self.marks.pop(item.id, None)
            self._replace(replace(item, archived=True))
        self._select(index)
        self._show_title()
        self.notify(f"{count} mail{'s' * (count != 1)} archived", timeout=2, markup=False)
        self.refresh_list()

    def action_customer(self) -> None:
        """`C`: the sender as a customer: details, cases, mail, time."""
        item = self.current
        if item is None:
            self.notify("No mail selected", severity="warning")
            return
        from helpdesk_tui.screens.customer import CustomerScreen  # lazy: on first use

        self.app.push_screen(CustomerScreen(self.desk, item.from_email))

    def action_file(self) -> None:
        """`f`: ask for a case number and file the highlighted mail there."""
        item = self.current
        if item is None:
            self.notify("No mail selected", severity="warning")
            return
        dialog = TextDialog(
            Text("File mail onto a case"), label="Case number:", placeholder="0001234"
        )

        def filed(answer: str | None) -> None:
            if answer:
                self._file(item.id.hex, answer)

        self.app.push_screen(dialog, filed)

    @work(thread=True, group="conv-write", exit_on_error=False, description="file mail")
    def _file(self, mail_id: str, answer: str) -> None:
        try:
            number = parse_case_number(answer)
            self.desk.refile(mail_id, number)
        except DomainError as error:
            self.app.call_from_thread(self.notify, error.message, severity="error", markup=False)
            return
        self.app.call_from_thread(self.notify, f"mail filed onto {number}", markup=False)
        self.app.call_from_thread(self.refresh_list)

    def action_open_case(self) -> None:
        """`n`: turn the highlighted mail into a new case, assigned to the agent."""
        item = self.current
        if item is None:
            self.notify("No mail selected", severity="warning")
            return
        if item.case is not None:
            self.notify(f"this mail is on {item.case} already", severity="warning", markup=False)
            return
        self._open_case(item.id.hex)

    @work(thread=True, group="conv-write", exit_on_error=False, description="new case from mail")
    def _open_case(self, mail_id: str) -> None:
        try:
            number = self.desk.open_case(mail_id)
        except DomainError as error:
            self.app.call_from_thread(self.notify, error.message, severity="error", markup=False)
            return
        self.app.call_from_thread(self.notify, f"new case {number} from the mail", markup=False)
        self.app.call_from_thread(self.refresh_list)
