"""One mail, opened (Enter in Conversations or in the customer view): headers, its class
and how it got it, why it was filed where it is, its attachments, then its text.

Opening marks it read (`Desk.open_mail`). From Conversations the list's keys work on the
open mail too (`k` classify, `f` file, `n` new case, `e` archive): the screen closes and
hands the key to the list, which acts on this mail. `C` opens the sender's customer view.
Everything in a mail is untrusted and shown as literal text (SEC-2).
"""

from typing import ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.widgets import Static

from helpdesk_tui.screens.base import WorkerScreen
from helpdesk_tui.services.desk import Desk
from helpdesk_tui.storage.readmodels import MailEntry, MailListItem
from helpdesk_tui.widgets.key_footer import KeyFooter
from helpdesk_tui.widgets.mail_row import classified_line
from helpdesk_tui.widgets.untrusted import literal, literal_line

#: Keys the open mail hands to the Conversations list (action names there).
LIST_ACTIONS = frozenset({"classify", "file", "open_case", "archive"})


def mail_text(item: MailListItem, mail: MailEntry | None) -> Text:
    """Headers, class, why filed, problems, attachments, then the body (once read)."""
    text = Text()
    sender = f"{item.from_name} <{item.from_email}>" if item.from_name else item.from_email
    text.append("From:      ", style="bold")
    text.append_text(literal_line(sender))
    text.append("\nSubject:   ", style="bold")
    text.append_text(literal_line(item.subject or "(no subject)"))
    text.append("\nReceived:  ", style="bold")
    text.append(item.received_at.astimezone().strftime("%Y-%m-%d %H:%M"))
    text.append(f"  mailbox {item.mailbox}" if item.mailbox else "")
    text.append("\nClass:     ", style="bold")
    text.append_text(classified_line(item))
    text.append("\nCase:      ", style="bold")
    text.append(str(item.case) if item.case else "not filed")
    if item.archived:
        text.append("  · archived")
    if mail is None:
        text.append("\n\nloading…", style="dim")
        return text
    text.append("\nWhy here:  ", style="bold")
    text.append_text(
        literal_line(f"{mail.filed_by}: {mail.filed_note}" if mail.filed_note else mail.filed_by)
    )
    if mail.noise:
        text.append(f"  [{mail.noise.replace('_', ' ')}]")
    if mail.defects:
        text.append("\nProblems:  ", style="bold")
        text.append_text(literal_line("; ".join(mail.defects)))
    for index, attached in enumerate(mail.attachments):
        text.append("\nAttached:  " if index == 0 else "\n           ", style="bold")
        name = attached.get("filename") or "(no name)"
        text.append_text(literal_line(name, 60))
        size = attached.get("size")
        kind = attached.get("content_type") or "?"
        text.append("  ")
        text.append_text(literal_line(kind))
        if size is not None:
            text.append(f", {size} bytes")
        if attached.get("note"):  # a stub: why its bytes were not kept
            text.append("  ")
            text.append_text(literal_line(str(attached["note"]), 60, style="italic"))
    text.append("\n\n")
    text.append_text(literal(mail.body_text))
    return text


class MailScreen(WorkerScreen[str | None]):
    """The opened mail; dismisses with a list action (`classify` …) or None (Esc)."""

    BINDING_GROUP_TITLE = "Mail"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back", id="mail.back"),
        Binding("k", "hand('classify')", "Classify", id="mail.classify"),
        Binding("f", "hand('file')", "File onto case", id="mail.file"),
        Binding("n", "hand('open_case')", "New case", id="mail.open_case"),
        Binding("e", "hand('archive')", "Archive", id="mail.archive"),
        Binding("C", "customer", "Customer", id="mail.customer"),
    ]
    DEFAULT_CSS = """
    MailScreen #mail-body { height: 1fr; padding: 0 1; }
    """

    def __init__(
        self,
        desk: Desk,
        item: MailListItem,
        *,
        in_list: bool = False,
    ) -> None:
        """`item` as the list showed it; `in_list`: opened from Conversations (its keys
        act on this mail)."""
        super().__init__()
        self.desk = desk
        self.item = item
        self.mail: MailEntry | None = None
        self.in_list = in_list

    def compose(self) -> ComposeResult:
        """The mail, scrollable; keys."""
        with VerticalScroll(id="mail-body"):
            yield Static(mail_text(self.item, None), id="mail-text")
        yield KeyFooter(compact=True)

    def on_mount(self) -> None:
        """Read the mail (which marks it read)."""
        self.query_one("#mail-body").focus()
        self._open()

    @work(
        thread=True, exclusive=True, group="mail-open", exit_on_error=False, description="open mail"
    )
    def _open(self) -> None:
        mail = self.desk.open_mail(self.item.id)
        self.app.call_from_thread(self._show, mail)

    def _show(self, mail: MailEntry) -> None:
        self.mail = mail
        self.query_one("#mail-text", Static).update(mail_text(self.item, mail))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """The list's keys only when opened from the list."""
        if action == "hand":
            return self.in_list
        return True

    def action_hand(self, action: str) -> None:
        """`k` `f` `n` `e`: back to the list, which does this to the mail."""
        if action in LIST_ACTIONS:
            self.dismiss(action)

    def action_back(self) -> None:
        """Esc: back."""
        self.dismiss(None)

    def action_customer(self) -> None:
        """`C`: the sender's customer view."""
        from helpdesk_tui.screens.customer import CustomerScreen  # lazy: on first use

        self.app.push_screen(CustomerScreen(self.desk, self.item.from_email))
