"""One mail as a row of the Conversations list (MAIL-8) and of the customer view's recent
mail: read mark, class, sender, account, subject, case, age — cut to the width, literal.

No Textual here: plain functions from a `MailListItem` to Rich `Text`, unit-tested on
their own. Sender, subject and account are untrusted and stay text (SEC-2).
"""

from datetime import datetime

from rich.text import Text

from helpdesk_tui.domain.feed import age
from helpdesk_tui.storage.readmodels import MailListItem
from helpdesk_tui.widgets.untrusted import literal_line

#: The read mark: a filled dot for an unread mail (said by the mark, not only by bold).
UNREAD_MARK = "●"
#: A mail marked for a bulk classification.
MARKED_MARK = "✓"
#: The class column: short words, so the column is narrow and needs no colour.
CLASS_LABELS = {
    "customer": "customer",
    "supplier": "supplier",
    "internal": "internal",
    "newsletter": "newsltr",
    "advertising": "advert",
}
CLASS_WIDTH = 9  # `customer*`
#: Classes by the key that chooses them in the classify dialog (seed: 1 = Kunde …).
CLASS_KEYS = ("customer", "supplier", "internal", "newsletter", "advertising")


def _cell(text: str | None, width: int, style: str = "") -> Text:
    """Untrusted text as one cell: one line, cut and padded to `width`."""
    cell = literal_line(text, width, style=style)
    cell.align("left", width)
    return cell


def class_cell(item: MailListItem) -> Text:
    """`customer` (agent), `customer*` (by rule), `–` unclassified, padded."""
    if item.mail_class is None:
        label, style = "–", "dim"
    else:
        label = CLASS_LABELS.get(item.mail_class, item.mail_class)
        if item.classified_by == "rule":
            label += "*"
        style = ""
    return Text(f"{label:<{CLASS_WIDTH + 1}}", style=style)


def mail_row(item: MailListItem, now: datetime, width: int, *, marked: bool = False) -> Text:
    """`● ✓ customer  Karl Kunde        ACME GmbH    Drucker …   0000012   2h`, `width`
    cells, never wrapped: the subject takes what the fixed columns leave; on a narrow
    list the account column goes first."""
    line = Text(no_wrap=True, overflow="ellipsis")
    line.append(UNREAD_MARK if not item.read else " ", style="bold")
    line.append(MARKED_MARK if marked else " ", style="bold")
    line.append(" ")
    line.append_text(class_cell(item))
    sender_width = 18 if width >= 100 else 14
    account_width = 14 if width >= 100 else 0
    case_width = 8
    age_width = 4
    fixed = 3 + CLASS_WIDTH + 1 + sender_width + 1 + account_width + 1 + case_width + age_width
    subject_width = max(width - fixed - 2, 10)
    line.append_text(
        _cell(item.from_name or item.from_email, sender_width, "bold" * (not item.read))
    )
    line.append(" ")
    if account_width:
        line.append_text(_cell(item.account or "", account_width))
        line.append(" ")
    subject = item.subject or "(no subject)"
    if item.archived:
        subject = "[archived] " + subject
    line.append_text(_cell(subject, subject_width))
    line.append(" ")
    line.append(f"{str(item.case) if item.case else '':<{case_width}}", style="bold")
    line.append(f"{age(item.received_at, now):>{age_width}}", style="dim")
    return line


def classified_line(item: MailListItem) -> Text:
    """How the mail got its class: `customer · ACME GmbH · classified by agent`, `… by
    rule (domain kunde.de)`, or `unclassified`."""
    if item.mail_class is None:
        return Text("unclassified", style="dim")
    text = Text(item.mail_class, style="bold")
    if item.account:
        text.append(" · ")
        text.append_text(literal_line(item.account))
    if item.classified_by:
        text.append(f" · classified by {item.classified_by}")
    if item.classified_rule:
        text.append(" ")
        text.append_text(literal_line(f"({item.classified_rule})"))
    return text
