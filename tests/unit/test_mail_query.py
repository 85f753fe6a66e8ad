"""The conversations query bar (MAIL-8): parse_mail_query and its one-line refusals."""

import pytest

from helpdesk_tui.domain.errors import ValidationError
from helpdesk_tui.domain.mail_query import MAIL_CLASSES, MailFilter, parse_mail_query


def test_empty_query_filters_nothing() -> None:
    assert parse_mail_query("") == MailFilter()
    assert parse_mail_query("   ") == MailFilter()


def test_every_term() -> None:
    found = parse_mail_query(
        'unread unclassified old class:Newsletter account:"ACME GmbH" from:Anna@Kunde.de'
        ' last:30d mailbox:support unfiled Rechnung "offene Posten"'
    )
    assert found == MailFilter(
        unread=True,
        unclassified=True,
        old_open=True,
        mail_class="newsletter",
        account="ACME GmbH",
        sender="anna@kunde.de",
        period_days=30,
        mailbox="support",
        filed=False,
        words="Rechnung offene Posten",
    )


def test_filed_archived_and_older() -> None:
    assert parse_mail_query("filed archived") == MailFilter(filed=True, archived=True)
    assert parse_mail_query("older:14d") == MailFilter(old_open=True, older_than_days=14)
    assert parse_mail_query("from:kunde.de").sender == "kunde.de"
    assert parse_mail_query("ARCHIVED UNREAD") == MailFilter(unread=True, archived=True)


def test_classes_in_dialog_order() -> None:
    assert MAIL_CLASSES == ("customer", "supplier", "internal", "newsletter", "advertising")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("class:spam", "unknown class 'spam'"),
        ("last:30", "bad period '30'"),
        ("last:0d", "bad period '0d'"),
        ("older:week", "bad period 'week'"),
        ("colour:red", "unknown filter colour:"),
        ("account:", "account: needs a value"),
    ],
)
def test_bad_tokens_are_refused_in_one_line(text: str, message: str) -> None:
    with pytest.raises(ValidationError) as refused:
        parse_mail_query(text)
    assert message in str(refused.value)
    assert "\n" not in str(refused.value)
