"""The Conversations list without the screen (issue 14, MAIL-8): what the header, the
title and the preview say, the one-key filters, and whether a mail changed here still
belongs in the list. No Textual here (screens/conversations.py does keys, workers and
painting); untrusted text stays literal.
"""

from dataclasses import dataclass, replace

from rich.text import Text

from helpdesk_tui.domain.classification import can_remember_domain, domain_of
from helpdesk_tui.domain.mail_query import MailFilter
from helpdesk_tui.storage.readmodels import COUNT_CAP, MailListItem, MailStats
from helpdesk_tui.widgets.mail_row import classified_line
from helpdesk_tui.widgets.untrusted import literal_line

#: The weekly review's goals (seed 004): (label, short label, goal text, met?).
GOALS = {
    "unclassified": ("unclassified", "unclass.", "< 10"),
    "old_open": ("old open", "old", "< 20"),
    "rate": ("classified", "rate", "> 95 %"),
    "reaction": ("reaction", "react", "< 24 h"),
}


def preview(item: MailListItem) -> Text:
    """The highlighted mail under the list: sender, subject, class and how, case."""
    text = Text()
    sender = f"{item.from_name} <{item.from_email}>" if item.from_name else item.from_email
    text.append("From:    ", style="bold")
    text.append_text(literal_line(sender))
    text.append("\nSubject: ", style="bold")
    text.append_text(literal_line(item.subject or "(no subject)"))
    text.append("\nClass:   ", style="bold")
    text.append_text(classified_line(item))
    text.append("   Case: ", style="bold")
    text.append(str(item.case) if item.case else "not filed")
    if item.attachments:
        text.append(f"   {item.attachments} attached")
    return text


def offered_domain(address: str | None) -> str | None:
    """The domain a class may be remembered for (None: not offered — a public freemail
    domain is remembered per address only)."""
    if not address or not can_remember_domain(address):
        return None
    return domain_of(address)


def _capped(count: int) -> str:
    """A count read up to COUNT_CAP: `9999+` when it stopped there."""
    return f"{COUNT_CAP}+" if count >= COUNT_CAP else str(count)


def review_line(stats: MailStats | None, width: int) -> Text:
    """`unclassified 12 ✗ missed (< 10) · old open 3 ✓ (< 20) · classified 96 % ✓ (> 95 %)
    · reaction 3.5 h ✓ (< 24 h)`; short labels without the goals when that does not fit
    in `width` cells."""
    if stats is None:
        return Text("weekly review: counting…", style="dim")
    rate = stats.classification_rate
    reaction = stats.median_reaction_hours
    items = [
        ("unclassified", _capped(stats.unclassified), stats.unclassified < 10),
        ("old_open", _capped(stats.old_open), stats.old_open < 20),
        ("rate", "—" if rate is None else f"{rate * 100:.0f} %", rate is None or rate > 0.95),
        (
            "reaction",
            "—" if reaction is None else f"{reaction:.1f} h",
            reaction is None or reaction < 24,
        ),
    ]
    for short in (False, True):
        line = Text(no_wrap=True, overflow="ellipsis")
        for index, (key, value, met) in enumerate(items):
            label, short_label, goal = GOALS[key]
            if index:
                line.append(" · ", style="dim")
            line.append(f"{short_label if short else label} ")
            line.append(value, style="bold")
            line.append(" ✓" if met else " ✗ missed", style="" if met else "bold")
            if not short:
                line.append(f" ({goal})", style="dim")
        if line.cell_len <= width - 2:
            break
    return line


def filter_words(mail_filter: MailFilter) -> str:
    """The toggles and query in force, as words for the title."""
    words = [
        name
        for name, on_ in (
            ("unread", mail_filter.unread),
            ("unclassified", mail_filter.unclassified),
            ("old", mail_filter.old_open),
            ("archived", mail_filter.archived),
        )
        if on_
    ]
    if mail_filter.mail_class:
        words.append(f"class:{mail_filter.mail_class}")
    if mail_filter.account:
        words.append(f"account:{mail_filter.account}")
    if mail_filter.sender:
        words.append(f"from:{mail_filter.sender}")
    if mail_filter.period_days:
        words.append(f"last:{mail_filter.period_days}d")
    if mail_filter.mailbox:
        words.append(f"mailbox:{mail_filter.mailbox}")
    if mail_filter.filed is not None:
        words.append("filed" if mail_filter.filed else "unfiled")
    if mail_filter.words:
        words.append(repr(mail_filter.words))
    return " ".join(words)


@dataclass(frozen=True)
class Toggles:
    """The one-key filters, ORed onto what the query bar says."""

    unread: bool = False
    unclassified: bool = False
    old_open: bool = False
    archived: bool = False

    def onto(self, typed: MailFilter) -> MailFilter:
        """`typed` with every toggle that is on."""
        return replace(
            typed,
            unread=typed.unread or self.unread,
            unclassified=typed.unclassified or self.unclassified,
            old_open=typed.old_open or self.old_open,
            archived=typed.archived or self.archived,
        )


def still_shown(item: MailListItem, mail_filter: MailFilter) -> bool:
    """Whether a mail changed here still belongs in the list (the rest waits for the
    next read): classified under `unclassified`, read under `unread`, archived (the
    list shows either archived mail or the rest)."""
    if mail_filter.unclassified and item.mail_class is not None:
        return False
    if mail_filter.unread and item.read:
        return False
    if mail_filter.mail_class and item.mail_class != mail_filter.mail_class:
        return False
    return item.archived == mail_filter.archived
