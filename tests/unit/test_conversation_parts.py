"""The Conversations list's texts and filters without a screen (widgets/conversation_parts.py):
the weekly review's goals said with a mark (not only a colour), toggles ORed onto the query,
which changed mails leave the list, and where a class may be remembered."""

import uuid
from dataclasses import replace
from datetime import UTC, datetime

from helpdesk_tui.domain.mail_query import MailFilter, parse_mail_query
from helpdesk_tui.storage.readmodels import MailListItem, MailStats
from helpdesk_tui.widgets.conversation_parts import (
    Toggles,
    filter_words,
    offered_domain,
    preview,
    review_line,
    still_shown,
)

ITEM = MailListItem(
    id=uuid.uuid4(),
    received_at=datetime(2026, 12, 1, 9, tzinfo=UTC),
    from_email="anna@kunde.de",
    from_name="[b]Anna[/b]\x1b[2J",
    subject="Frage",
    mailbox="support",
    mail_class="customer",
    classified_by="rule",
    account="Kunde GmbH",
    case=None,
    read=False,
    archived=False,
    noise=None,
    attachments=2,
    classified_rule="domain kunde.de",
)


def test_the_review_marks_each_goal_met_or_missed_in_words() -> None:
    wide = review_line(MailStats(12, 19, 0.951, 30.0), 130).plain
    assert wide == (
        "unclassified 12 ✗ missed (< 10) · old open 19 ✓ (< 20) · "
        "classified 95 % ✓ (> 95 %) · reaction 30.0 h ✗ missed (< 24 h)"
    )
    narrow = review_line(MailStats(9, 20, None, None), 80).plain
    assert narrow == "unclass. 9 ✓ · old 20 ✗ missed · rate — ✓ · react — ✓"
    assert review_line(None, 80).plain == "weekly review: counting…"
    capped = review_line(MailStats(9999, 9999, 0.7, 1.0), 140).plain
    assert capped.startswith("unclassified 9999+ ✗ missed (< 10) · old open 9999+ ✗ missed")
    assert review_line(MailStats(9999, 9999, 0.7, 30.0), 120).plain.startswith("unclass.")


def test_toggles_are_ored_onto_the_query() -> None:
    typed = parse_mail_query("class:newsletter unread")
    both = Toggles(unread=True, old_open=True).onto(typed)
    assert (both.unread, both.old_open, both.mail_class) == (True, True, "newsletter")
    assert filter_words(both) == "unread old class:newsletter"
    assert Toggles().onto(MailFilter()) == MailFilter()


def test_a_mail_changed_here_leaves_a_list_that_no_longer_shows_it() -> None:
    assert still_shown(ITEM, MailFilter())
    assert not still_shown(ITEM, MailFilter(unclassified=True))
    assert not still_shown(replace(ITEM, read=True), MailFilter(unread=True))
    assert not still_shown(replace(ITEM, archived=True), MailFilter())
    assert still_shown(replace(ITEM, archived=True), MailFilter(archived=True))
    assert not still_shown(ITEM, MailFilter(mail_class="supplier"))


def test_a_freemail_domain_is_never_offered() -> None:
    assert offered_domain("anna@Kunde.de") == "kunde.de"
    assert offered_domain("anna@gmail.com") is None
    assert offered_domain("anna@yahoo.co.uk") is None
    assert offered_domain(None) is None


def test_the_preview_says_how_the_mail_was_classified_and_stays_literal() -> None:
    text = preview(ITEM).plain
    assert "From:    [b]Anna[/b] <anna@kunde.de>" in text
    assert "\x1b" not in text
    assert "customer · Kunde GmbH · classified by rule (domain kunde.de)" in text
    assert "Case: not filed   2 attached" in text
