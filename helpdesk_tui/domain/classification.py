"""Classifying mail by its sender, not its content (MAIL-8, seed 004).

Pure rules: under which key a class is remembered (an address, or a whole domain —
never a public freemail domain, where each address is someone else), which remembered
rule applies to a sender (its address before its domain), our own domain as Internal by
default, and bulk or list mail suggested as Newsletter.
"""

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Literal

from helpdesk_tui.domain.errors import ValidationError
from helpdesk_tui.domain.mail_query import parse_mail_class

RuleKind = Literal["address", "domain"]

#: Public mail services: anyone can have an address there, so a class is remembered per
#: address only. `yahoo.*`, `hotmail.*` and the like match any country ending.
FREEMAIL_DOMAINS = frozenset(
    {
        "gmail.com",
        "googlemail.com",
        "web.de",
        "gmx.de",
        "gmx.net",
        "gmx.at",
        "gmx.ch",
        "gmx.com",
        "outlook.com",
        "outlook.de",
        "hotmail.com",
        "hotmail.de",
        "live.com",
        "live.de",
        "msn.com",
        "t-online.de",
        "icloud.com",
        "me.com",
        "mac.com",
        "aol.com",
        "aol.de",
        "freenet.de",
        "arcor.de",
        "posteo.de",
        "posteo.net",
        "mailbox.org",
        "protonmail.com",
        "proton.me",
        "pm.me",
        "yandex.ru",
        "mail.ru",
        "gmx.fr",
        "orange.fr",
        "libero.it",
        "zoho.com",
        "tutanota.com",
        "tuta.io",
        "1und1.de",
        "online.de",
        "email.de",
        "vodafone.de",
        "kabelmail.de",
    }
)
#: Freemail providers with many country endings (yahoo.de, yahoo.co.uk …).
_FREEMAIL_ANY_ENDING = re.compile(r"(?:yahoo|ymail|hotmail|outlook|live|gmx)\.[a-z.]{2,8}")

#: Noise kinds (mail/guard.py) that make a mail a newsletter candidate.
_NEWSLETTER_NOISE = frozenset({"bulk", "list"})

INTERNAL = "internal"
NEWSLETTER = "newsletter"
#: Classes that belong to an account (the sender's contact is linked to it).
WITH_ACCOUNT = frozenset({"customer", "supplier"})


def domain_of(address: str) -> str:
    """The domain of a mail address, lower case ("" when it has none)."""
    local, at, domain = address.strip().lower().rpartition("@")
    return domain if at and local and domain else ""


def is_freemail(domain: str) -> bool:
    """Whether `domain` is a public mail service (remembered per address only)."""
    domain = domain.strip().lower()
    return domain in FREEMAIL_DOMAINS or _FREEMAIL_ANY_ENDING.fullmatch(domain) is not None


def can_remember_domain(address: str) -> bool:
    """Whether a class for this sender may be remembered for its whole domain."""
    domain = domain_of(address)
    return bool(domain) and not is_freemail(domain)


@dataclass(frozen=True)
class RuleKey:
    """Under what a class is remembered: an address or a domain, lower case."""

    kind: RuleKind
    value: str

    @property
    def label(self) -> str:
        """How the list explains it: "domain kunde.de", "address anna@gmail.com"."""
        return f"{self.kind} {self.value}"


def rule_key(address: str, remember: RuleKind) -> RuleKey:
    """The key to remember a class for `address` under. A freemail domain is remembered
    per address only (asking for its domain gives the address)."""
    address = address.strip().lower()
    domain = domain_of(address)
    if not domain:
        raise ValidationError(f"not a mail address: {address!r}", field="sender")
    if remember == "domain" and not is_freemail(domain):
        return RuleKey("domain", domain)
    return RuleKey("address", address)


def domain_key(domain: str) -> RuleKey:
    """The key for a whole domain (`mail classify --domain`); a freemail domain is refused."""
    value = domain.strip().lower().lstrip("@")
    if not value or "@" in value or "." not in value or any(c.isspace() for c in value):
        raise ValidationError(f"not a mail domain: {domain.strip()!r}", field="sender")
    if is_freemail(value):
        raise ValidationError(
            f"{value} is a public mail service: classify its senders per address",
            field="sender",
        )
    return RuleKey("domain", value)


def address_key(address: str) -> RuleKey:
    """The key for one address (`mail classify --sender`)."""
    return rule_key(address, "address")


@dataclass(frozen=True)
class Rule:
    """A remembered class (and account, for customers and suppliers)."""

    key: RuleKey
    mail_class: str
    account_id: object | None = None


def keys_for(address: str) -> tuple[RuleKey, ...]:
    """The keys a sender's rule may be stored under, in lookup order: address first."""
    address = address.strip().lower()
    domain = domain_of(address)
    if not domain:
        return ()
    if is_freemail(domain):
        return (RuleKey("address", address),)
    return (RuleKey("address", address), RuleKey("domain", domain))


def find_rule(address: str, rules: Mapping[RuleKey, Rule]) -> Rule | None:
    """The rule that classifies mail from `address`: its address's before its domain's."""
    for key in keys_for(address):
        rule = rules.get(key)
        if rule is not None:
            return rule
    return None


def own_domains(addresses: Iterable[str]) -> frozenset[str]:
    """Our own domains, from the configured mailbox addresses and the SMTP sender."""
    return frozenset(d for d in (domain_of(a) for a in addresses) if d and not is_freemail(d))


def own_rule(address: str, own: frozenset[str]) -> Rule | None:
    """Mail from our own domain is Internal by default (no remembered rule needed)."""
    domain = domain_of(address)
    if domain and domain in own:
        return Rule(RuleKey("domain", domain), INTERNAL)
    return None


def classify_incoming(
    address: str, rules: Mapping[RuleKey, Rule], own: frozenset[str]
) -> Rule | None:
    """What classifies a new mail at ingest: a remembered rule (address, then domain),
    else our own domain as Internal; None leaves it unclassified."""
    return find_rule(address, rules) or own_rule(address, own)


def suggest_class(address: str, noise: str | None, own: frozenset[str]) -> str | None:
    """The class the classify dialog proposes: Internal for our own domain, Newsletter for
    mail the noise guard flags as bulk or list mail; None: no suggestion."""
    if own_rule(address, own) is not None:
        return INTERNAL
    if noise in _NEWSLETTER_NOISE:
        return NEWSLETTER
    return None


def check_class(mail_class: str, account: str | None) -> str:
    """The class, checked (an account only for customers and suppliers)."""
    value = parse_mail_class(mail_class)
    if account is not None and value not in WITH_ACCOUNT:
        raise ValidationError(f"only customers and suppliers have an account, not {value}")
    return value
