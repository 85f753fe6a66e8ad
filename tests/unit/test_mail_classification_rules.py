"""Classification by sender (MAIL-8): rule keys, freemail, own domain, bulk suggestion."""

import pytest

from helpdesk_tui.domain.classification import (
    Rule,
    RuleKey,
    can_remember_domain,
    check_class,
    classify_incoming,
    domain_key,
    domain_of,
    find_rule,
    is_freemail,
    keys_for,
    own_domains,
    rule_key,
    suggest_class,
)
from helpdesk_tui.domain.errors import ValidationError


@pytest.mark.parametrize(
    "domain",
    [
        "gmail.com",
        "web.de",
        "gmx.de",
        "outlook.com",
        "t-online.de",
        "icloud.com",
        "yahoo.de",
        "yahoo.co.uk",
        "hotmail.fr",
        "GMAIL.COM",
    ],
)
def test_public_mail_services_are_freemail(domain: str) -> None:
    assert is_freemail(domain)


@pytest.mark.parametrize("domain", ["kunde.de", "gmail.company.de", "yahoo-fans.de", "mygmx.de"])
def test_company_domains_are_not_freemail(domain: str) -> None:
    assert not is_freemail(domain)


def test_domain_of() -> None:
    assert domain_of(" Anna@Kunde.DE ") == "kunde.de"
    assert domain_of("no-address") == ""
    assert domain_of("@kunde.de") == ""


def test_remember_per_domain_except_freemail() -> None:
    assert rule_key("Anna@Kunde.de", "domain") == RuleKey("domain", "kunde.de")
    assert rule_key("anna@kunde.de", "address") == RuleKey("address", "anna@kunde.de")
    assert rule_key("anna@gmail.com", "domain") == RuleKey("address", "anna@gmail.com")
    assert can_remember_domain("anna@kunde.de")
    assert not can_remember_domain("anna@web.de")
    with pytest.raises(ValidationError, match="not a mail address"):
        rule_key("kunde.de", "address")


def test_domain_key_refuses_freemail_and_junk() -> None:
    assert domain_key("@Kunde.de") == RuleKey("domain", "kunde.de")
    assert domain_key("kunde.de").label == "domain kunde.de"
    for bad in ("gmail.com", "yahoo.it"):
        with pytest.raises(ValidationError, match="public mail service"):
            domain_key(bad)
    for bad in ("", "kunde", "a@kunde.de", "ku nde.de"):
        with pytest.raises(ValidationError, match="not a mail domain"):
            domain_key(bad)


def test_lookup_order_address_before_domain() -> None:
    by_domain = Rule(RuleKey("domain", "kunde.de"), "customer")
    by_address = Rule(RuleKey("address", "news@kunde.de"), "newsletter")
    rules = {r.key: r for r in (by_domain, by_address)}
    assert keys_for("News@Kunde.de") == (by_address.key, by_domain.key)
    assert find_rule("news@kunde.de", rules) is by_address
    assert find_rule("anna@kunde.de", rules) is by_domain
    assert find_rule("anna@other.de", rules) is None
    assert keys_for("anna@gmail.com") == (RuleKey("address", "anna@gmail.com"),)


def test_own_domain_is_internal_by_default_but_a_rule_wins() -> None:
    own = own_domains(["support@helpdesk.example", "Billing@Helpdesk.Example", "me@gmail.com"])
    assert own == frozenset({"helpdesk.example"})  # a freemail sender is no domain of ours
    found = classify_incoming("kollege@helpdesk.example", {}, own)
    assert found is not None
    assert found.mail_class == "internal"
    rule = Rule(RuleKey("address", "monitor@helpdesk.example"), "newsletter")
    found = classify_incoming("monitor@helpdesk.example", {rule.key: rule}, own)
    assert found is rule
    assert classify_incoming("anna@kunde.de", {}, own) is None


def test_bulk_and_list_mail_suggested_newsletter() -> None:
    own = frozenset({"helpdesk.example"})
    assert suggest_class("x@shop.example", "bulk", own) == "newsletter"
    assert suggest_class("x@verband.example", "list", own) == "newsletter"
    assert suggest_class("x@shop.example", "auto_reply", own) is None
    assert suggest_class("x@shop.example", None, own) is None
    assert suggest_class("kollege@helpdesk.example", "bulk", own) == "internal"


def test_check_class() -> None:
    assert check_class(" Customer ", "ACME") == "customer"
    assert check_class("newsletter", None) == "newsletter"
    with pytest.raises(ValidationError, match="unknown class"):
        check_class("spam", None)
    with pytest.raises(ValidationError, match="only customers and suppliers"):
        check_class("internal", "ACME")
