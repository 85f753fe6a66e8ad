"""The conversations inbox (MAIL-8): classify mail by its sender, remember the class per
address or domain, archive, read marks, and the weekly review's counters.

Classifying a customer or a supplier links the sender's contact to the account (the
contact is created when unknown). Remembering a class writes a sender rule and applies
it at once to the sender's mail that is unclassified (or classified by an earlier rule);
new mail gets it at ingest (`classify_new`, called by services/filing.py).
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Literal

from helpdesk_tui.domain.classification import (
    WITH_ACCOUNT,
    RuleKey,
    check_class,
    classify_incoming,
    domain_key,
    find_rule,
    keys_for,
    own_domains,
    rule_key,
    suggest_class,
)
from helpdesk_tui.domain.errors import NotFoundError, ValidationError
from helpdesk_tui.domain.mail_query import MailFilter
from helpdesk_tui.services.context import Context, retrying
from helpdesk_tui.storage.readmodels import MailEntry, MailListItem, MailStats
from helpdesk_tui.storage.reads import open_reads

if TYPE_CHECKING:
    from helpdesk_tui.storage.conversations import Classification, ConversationRepository
    from helpdesk_tui.storage.uow import UnitOfWork

Remember = Literal["address", "domain"]

#: The longest account name (accounts.name).
_ACCOUNT_NAME_MAX = 200


# -- reading ------------------------------------------------------------------------------
def mail_page(
    ctx: Context,
    mail_filter: MailFilter,
    *,
    after: tuple[datetime, uuid.UUID] | None,
    limit: int,
    now: datetime,
) -> list[MailListItem]:
    """One keyset page of inbound mail matching the filter, newest first."""
    with open_reads(ctx.location) as store:
        return store.conversations.page(mail_filter, now=now, after=after, limit=limit)


def mail_stats(ctx: Context, *, now: datetime) -> MailStats:
    """The weekly review's counters."""
    with open_reads(ctx.location) as store:
        return store.conversations.stats(now=now)


def open_mail(ctx: Context, user: str, mail_id: uuid.UUID) -> MailEntry:
    """The mail to read; opening it marks it read (for the whole team: a shared inbox)."""

    def work(uow: UnitOfWork) -> None:
        _repo(uow).mark_read(mail_id)

    retrying(ctx, work)
    with open_reads(ctx.location) as store:
        entry = store.conversations.entry(mail_id)
    if entry is None:
        raise NotFoundError(f"no mail {mail_id.hex}")
    return entry


def sender_preview(ctx: Context, sender: str) -> int:
    """How many unclassified mails `sender` (an address, or a domain) has: what
    classifying all its mail classifies (besides re-classifying what a rule did)."""

    def work(uow: UnitOfWork) -> int:
        return _repo(uow).count_of_sender(_sender_key(sender, None))

    with ctx.uow(write=False) as uow:
        return work(uow)


def accounts_matching(ctx: Context, text: str, limit: int) -> list[str]:
    """Account names with the letters of `text` in order, best first."""
    with ctx.uow(write=False) as uow:
        return _repo(uow).accounts_matching(text, limit)


def suggested_class(ctx: Context, mail_id: uuid.UUID) -> str | None:
    """The class the classify dialog proposes for a mail: its class if it has one, a
    remembered rule's, Internal for our own domain (the agents' addresses), Newsletter
    for bulk or list mail; None: no suggestion."""
    with ctx.uow(write=False) as uow:
        repo = _repo(uow)
        found = repo.senders([mail_id])
        if not found:
            raise NotFoundError(f"no mail {mail_id.hex}")
        sender = found[0]
        if sender.mail_class is not None:
            return sender.mail_class
        rule = find_rule(sender.from_email, repo.rules_for(keys_for(sender.from_email)))
        if rule is not None:
            return rule.mail_class
        own = own_domains(uow.mails.agent_addresses())
        return suggest_class(sender.from_email, sender.noise, own)


# -- classifying -------------------------------------------------------------------------
def classify(
    ctx: Context,
    user: str,
    mail_ids: Sequence[uuid.UUID],
    mail_class: str,
    *,
    account: str | None = None,
    remember: Remember | None = None,
) -> int:
    """Classify these mails (by the agent); returns how many mails changed, counting the
    sender's other mail a remembered rule classified too."""
    value = check_class(mail_class, account)
    if not mail_ids:
        return 0

    def work(uow: UnitOfWork) -> int:
        from helpdesk_tui.storage.conversations import Classification

        repo = _repo(uow)
        senders = repo.senders(mail_ids)
        known = {s.id for s in senders}
        missing = [m for m in mail_ids if m not in known]
        if missing:
            raise NotFoundError(f"no mail {missing[0].hex}")
        if any(s.direction != "in" for s in senders):
            raise ValidationError("only incoming mail is classified")
        account_id = _account(uow, repo, account) if value in WITH_ACCOUNT else None
        changed = repo.classify_ids(known, Classification(value, "agent", None, account_id))
        addresses = {s.from_email: s.from_name for s in senders if s.from_email}
        if account_id is not None:
            _link(uow, repo, addresses, account_id)
        if remember is not None:
            keys = {rule_key(address, remember) for address in addresses}
            for key in sorted(keys, key=lambda k: (k.kind, k.value)):
                changed += _remember(ctx, uow, repo, user, key, value, account_id)
        return changed

    return retrying(ctx, work)


def classify_sender(
    ctx: Context,
    user: str,
    sender: str,
    mail_class: str,
    *,
    account: str | None = None,
    remember: Remember | None = "address",
) -> int:
    """Classify all mail of `sender` (an address, or a whole domain) that is
    unclassified or classified by a rule; `remember` keeps the class for the sender's
    future mail (per address, or per domain — a freemail domain per address only).
    Returns how many mails changed."""
    value = check_class(mail_class, account)
    key = _sender_key(sender, remember)

    def work(uow: UnitOfWork) -> int:
        from helpdesk_tui.storage.conversations import Classification

        repo = _repo(uow)
        account_id = _account(uow, repo, account) if value in WITH_ACCOUNT else None
        if remember is not None:
            return _remember(ctx, uow, repo, user, key, value, account_id)
        changed = repo.classify_sender(key, Classification(value, "agent", None, account_id))
        if account_id is not None:
            _link(uow, repo, dict(repo.senders_of(key)), account_id)
        return changed

    return retrying(ctx, work)


def archive(ctx: Context, user: str, mail_ids: Sequence[uuid.UUID]) -> int:
    """Archive these mails (hidden from the list unless filtered for); returns how many
    were not archived yet."""
    if not mail_ids:
        return 0

    def work(uow: UnitOfWork) -> int:
        uow.directory.actor(user)  # an unknown agent is refused
        return _repo(uow).archive(mail_ids, ctx.clock())

    return retrying(ctx, work)


def create_account(ctx: Context, user: str, name: str) -> str:
    """Create an account named `name` (or find the one of that name); returns its name."""
    cleaned = " ".join(name.split())
    if not cleaned:
        raise ValidationError("an account needs a name", field="account")
    if len(cleaned) > _ACCOUNT_NAME_MAX:
        raise ValidationError(f"account names are at most {_ACCOUNT_NAME_MAX} characters")

    def work(uow: UnitOfWork) -> str:
        uow.directory.actor(user)
        repo = _repo(uow)
        found = repo.account_named(cleaned)
        if found is not None:
            return found[1]
        repo.create_account(cleaned)
        return cleaned

    return retrying(ctx, work)


def classify_new(
    uow: UnitOfWork, own_addresses: Collection[str], mails: Sequence[tuple[uuid.UUID, str]]
) -> int:
    """At ingest: classify new inbound mails (id, sender) by the remembered rules (the
    address's before the domain's), and mail from our own domain as Internal."""
    if not mails:
        return 0
    repo = _repo(uow)
    rules = repo.rules_for({key for _, address in mails for key in keys_for(address)})
    own = own_domains(own_addresses)
    hits = []
    for mail_id, address in mails:
        rule = classify_incoming(address, rules, own)
        if rule is not None:
            label = rule.key.label if rule.key in rules else f"own domain {rule.key.value}"
            hits.append((mail_id, rule, label))
    return repo.apply_rules(hits)


# -- helpers ------------------------------------------------------------------------------
def _repo(uow: UnitOfWork) -> ConversationRepository:
    from helpdesk_tui.storage.conversations import ConversationRepository  # lazy: SQLAlchemy

    return ConversationRepository(uow.session)


def _sender_key(sender: str, remember: Remember | None) -> RuleKey:
    """An address (remembered per address or per its domain) or a bare domain."""
    text = sender.strip().lower()
    if "@" in text:
        return rule_key(text, remember or "address")
    return domain_key(text)


def _account(uow: UnitOfWork, repo: ConversationRepository, name: str | None) -> uuid.UUID | None:
    """The account's id; an unknown name is created (the classify dialog's "create")."""
    if name is None or not name.strip():
        return None
    cleaned = " ".join(name.split())
    if len(cleaned) > _ACCOUNT_NAME_MAX:
        raise ValidationError(f"account names are at most {_ACCOUNT_NAME_MAX} characters")
    found = repo.account_named(cleaned)
    return found[0] if found is not None else repo.create_account(cleaned)


def _link(
    uow: UnitOfWork,
    repo: ConversationRepository,
    addresses: dict[str, str],
    account_id: uuid.UUID,
) -> None:
    """The senders' contacts (created when unknown) belong to the account."""
    uow.directory.prefetch_contacts(addresses)  # a few queries, not one per address
    for address, name in addresses.items():
        uow.directory.ensure_contact(address, name)
    uow.directory.write_contacts()
    repo.link_contacts(addresses.keys(), account_id)


def _remember(
    ctx: Context,
    uow: UnitOfWork,
    repo: ConversationRepository,
    user: str,
    key: RuleKey,
    mail_class: str,
    account_id: uuid.UUID | None,
) -> int:
    """Remember the class under `key` and apply it to the sender's past mail."""
    from helpdesk_tui.storage.conversations import Classification

    agent_id = uow.directory.agent_id(user)
    repo.remember(key, mail_class, account_id, agent_id, ctx.clock())
    how: Classification = Classification(mail_class, "rule", key.label, account_id)
    changed = repo.classify_sender(key, how)
    if account_id is not None:
        if key.kind == "domain":
            repo.claim_domain(account_id, key.value)
            repo.link_domain_contacts(key.value, account_id)
        _link(uow, repo, dict(repo.senders_of(key)), account_id)
    return changed
