"""Re-file a mail (MAIL-3): pick one of the case's mails, type the case it belongs to."""

from collections.abc import Sequence
from dataclasses import dataclass

from rich.text import Text
from textual.app import ComposeResult
from textual.widgets import Input, OptionList, Static

from helpdesk_tui.dialogs.base import Dialog
from helpdesk_tui.domain.numbering import CaseNumber, parse_case_number
from helpdesk_tui.storage.readmodels import MailEntry
from helpdesk_tui.widgets.fuzzy_picker import FuzzyPicker
from helpdesk_tui.widgets.untrusted import plain


@dataclass(frozen=True)
class RefileChoice:
    """Which mail goes to which case."""

    mail_id: str
    number: CaseNumber


def mail_choices(mails: Sequence[MailEntry]) -> list[tuple[str, str]]:
    """(mail id, `30.11. 09:14  Kunde Eins  Re: Drucker`) newest first, as plain text."""
    ordered = sorted(mails, key=lambda m: m.received_at, reverse=True)
    return [
        (
            m.id,
            " ".join(
                plain(
                    f"{m.received_at:%d.%m. %H:%M}  {m.from_name or m.from_email}  {m.subject}"
                ).split()
            ),
        )
        for m in ordered
    ]


class RefileDialog(Dialog[RefileChoice | None]):
    """The newest mail is preselected; Tab to the number, Enter."""

    FOCUS = "#refile-number"

    def __init__(self, heading: Text | str, mails: Sequence[MailEntry]) -> None:
        """Offers `mails` (the case's), newest first."""
        super().__init__(heading)
        self.mails = list(mails)

    def compose_body(self) -> ComposeResult:
        """The mail picker and the target case number."""
        yield Static("Mail:", classes="field-label")
        yield FuzzyPicker(mail_choices(self.mails), placeholder="type to filter", id="refile-mail")
        yield Static("Move it to case:", classes="field-label")
        yield Input(placeholder="0001234", id="refile-number")

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        """Enter on a mail moves on to the case number."""
        event.stop()
        self.query_one("#refile-number", Input).focus()

    def result(self) -> RefileChoice | None:
        """The picked mail and the case typed."""
        mail_id = self.picked("no mail matches")
        return RefileChoice(
            mail_id, parse_case_number(self.query_one("#refile-number", Input).value)
        )
