"""The unfiled inbox: mail that no tag, no References and no routing rule placed (MAIL-3).

A list of mails (newest first) over a preview of the selected one. `f` files the mail onto
a case by number; `n` turns it into a new case of the agent's (MAIL-8). The reason it sat
here ("no routing rule matched", "auto reply: no new case", a stranger's tag that was
refused) shows with it. Mail text is untrusted: it is shown as literal text with control
sequences stripped (SEC-2).
"""

from typing import ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from helpdesk_tui.dialogs.text import TextDialog
from helpdesk_tui.domain.errors import DomainError
from helpdesk_tui.domain.numbering import parse_case_number
from helpdesk_tui.messages import DataChanged
from helpdesk_tui.screens.base import WorkerScreen
from helpdesk_tui.services.desk import Desk
from helpdesk_tui.storage.readmodels import MailEntry
from helpdesk_tui.widgets.key_footer import KeyFooter
from helpdesk_tui.widgets.untrusted import literal, literal_line


def mail_line(mail: MailEntry) -> Text:
    """One row: when, who, subject (all literal), cut at the list's width, never wrapped."""
    line = Text()
    line.append(mail.received_at.strftime("%d.%m. %H:%M"), style="dim")
    line.append("  ")
    line.append_text(literal_line(mail.from_name or mail.from_email, 28, style="bold"))
    line.append("  ")
    line.append_text(literal_line(mail.subject or "(no subject)", 80))
    return line


def mail_preview(mail: MailEntry) -> Text:
    """Headers, why it is unfiled, parse problems, then the body."""
    text = Text()
    sender = f"{mail.from_name} <{mail.from_email}>" if mail.from_name else mail.from_email
    text.append("From:    ", style="bold")
    text.append_text(literal_line(sender))
    text.append("\nSubject: ", style="bold")
    text.append_text(literal_line(mail.subject))
    text.append("\nWhy here: ", style="bold")
    text.append_text(literal_line(mail.filed_note))
    if mail.noise:
        text.append(f"  [{mail.noise.replace('_', ' ')}]", style="yellow")
    if mail.defects:
        text.append("\nProblems: ", style="bold red")
        text.append_text(literal_line("; ".join(mail.defects)))
    if mail.attachments:
        names = ", ".join(a.get("filename") or a.get("content_type", "?") for a in mail.attachments)
        text.append("\nAttached: ", style="bold")
        text.append_text(literal_line(names))
    text.append("\n\n")
    text.append_text(literal(mail.body_text))
    return text


class InboxScreen(WorkerScreen[None]):
    """Unfiled mail; `f` files the selected one onto a case, `n` opens a case from it."""

    BINDING_GROUP_TITLE = "Unfiled mail"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "app.pop_screen", "Back", id="inbox.back"),
        Binding("f", "file", "File onto case", id="inbox.file"),
        Binding("n", "open_case", "New case", id="inbox.open_case"),
        Binding("r", "reload", "Reload", id="inbox.reload"),
        Binding("j", "move(1)", "Down", id="inbox.down", show=False),
        Binding("k", "move(-1)", "Up", id="inbox.up", show=False),
    ]
    DEFAULT_CSS = """
    InboxScreen #inbox-list {
        height: 40%; border-bottom: solid $panel; text-wrap: nowrap; text-overflow: ellipsis;
    }
    InboxScreen #inbox-preview { height: 1fr; padding: 0 1; }
    InboxScreen #inbox-title { height: 1; background: $panel; padding: 0 1; }
    """

    def __init__(self, desk: Desk) -> None:
        """The unfiled mail, read and filed through `desk`."""
        super().__init__()
        self.desk = desk
        self.mails: list[MailEntry] = []

    def compose(self) -> ComposeResult:
        """Title, the list of mails, the preview of the highlighted one, keys."""
        yield Static(Text("Unfiled mail", style="bold"), id="inbox-title")
        yield OptionList(id="inbox-list")
        with VerticalScroll(id="inbox-preview"):
            yield Static("", id="inbox-body")
        yield KeyFooter(compact=True)

    def on_mount(self) -> None:
        """Read the inbox."""
        self.action_reload()

    def on_data_changed(self, _: DataChanged) -> None:
        """Someone committed (a mail filed elsewhere, new mail): read again."""
        self.action_reload()

    def action_move(self, delta: int) -> None:
        """j/k move in the mail list, as in the queue."""
        listing = self.query_one("#inbox-list", OptionList)
        if delta > 0:
            listing.action_cursor_down()
        else:
            listing.action_cursor_up()

    @work(thread=True, exclusive=True, group="inbox", exit_on_error=False, description="inbox")
    def action_reload(self) -> None:
        """Read the inbox in a thread and show it."""
        mails = self.desk.unfiled()
        self.app.call_from_thread(self._show, mails)

    def _show(self, mails: list[MailEntry]) -> None:
        listing = self.query_one("#inbox-list", OptionList)
        keep = self.selected.id if self.selected else None
        self.mails = mails
        listing.clear_options()
        listing.add_options([Option(mail_line(m), id=m.id) for m in mails])
        title = f"Unfiled mail · {len(mails)}" if mails else "Unfiled mail · empty"
        self.query_one("#inbox-title", Static).update(Text(title, style="bold"))
        if mails:
            index = next((i for i, m in enumerate(mails) if m.id == keep), 0)
            listing.highlighted = index
        self._preview()

    @property
    def selected(self) -> MailEntry | None:
        """The highlighted mail."""
        index = self.query_one("#inbox-list", OptionList).highlighted
        return self.mails[index] if index is not None and index < len(self.mails) else None

    def on_option_list_option_highlighted(self, _: OptionList.OptionHighlighted) -> None:
        """Preview the highlighted mail."""
        self._preview()

    def _preview(self) -> None:
        mail = self.selected
        body = mail_preview(mail) if mail else Text("No unfiled mail.", style="dim")
        self.query_one("#inbox-body", Static).update(body)

    def action_file(self) -> None:
        """Ask for a case number and file the highlighted mail there."""
        mail = self.selected
        if mail is None:
            self.notify("No mail selected", severity="warning")
            return
        dialog = TextDialog(
            Text("File mail onto a case"), label="Case number:", placeholder="0001234"
        )

        def filed(answer: str | None) -> None:
            if answer:
                self._file(mail.id, answer)

        self.app.push_screen(dialog, filed)

    @work(thread=True, group="inbox", exit_on_error=False, description="file mail")
    def _file(self, mail_id: str, answer: str) -> None:
        try:
            number = parse_case_number(answer)
            self.desk.refile(mail_id, number)
        except DomainError as error:
            self.app.call_from_thread(self.notify, error.message, severity="error", markup=False)
            return
        self.app.call_from_thread(self.notify, f"mail filed onto {number}", markup=False)
        self.app.call_from_thread(self.action_reload)

    def action_open_case(self) -> None:
        """Turn the highlighted mail into a new case, assigned to the agent."""
        mail = self.selected
        if mail is None:
            self.notify("No mail selected", severity="warning")
            return
        self._open_case(mail.id)

    @work(thread=True, group="inbox", exit_on_error=False, description="new case from mail")
    def _open_case(self, mail_id: str) -> None:
        try:
            number = self.desk.open_case(mail_id)
        except DomainError as error:
            self.app.call_from_thread(self.notify, error.message, severity="error", markup=False)
            return
        self.app.call_from_thread(self.notify, f"new case {number} from the mail", markup=False)
        self.app.call_from_thread(self.action_reload)
