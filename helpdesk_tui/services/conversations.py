"""The conversations inbox (MAIL-8): classify mail by its sender, remember the class per
address or domain, archive, read marks, and the weekly review's counters."""

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Literal

from helpdesk_tui.domain.mail_query import MailFilter
from helpdesk_tui.services.context import Context
from helpdesk_tui.storage.readmodels import MailEntry, MailListItem, MailStats

Remember = Literal["address", "domain"]


def mail_page(
    ctx: Context,
    mail_filter: MailFilter,
    *,
    after: tuple[datetime, uuid.UUID] | None,
    limit: int,
    now: datetime,
) -> list[MailListItem]:
    """One keyset page of inbound mail, newest first."""
    raise NotImplementedError


def mail_stats(ctx: Context, *, now: datetime) -> MailStats:
    """The weekly review's counters."""
    raise NotImplementedError


def open_mail(ctx: Context, user: str, mail_id: uuid.UUID) -> MailEntry:
    """The mail; marks it read."""
    raise NotImplementedError


def classify(
    ctx: Context,
    user: str,
    mail_ids: Sequence[uuid.UUID],
    mail_class: str,
    *,
    account: str | None = None,
    remember: Remember | None = None,
) -> int:
    """Classify these mails; returns how many changed."""
    raise NotImplementedError


def sender_preview(ctx: Context, sender: str) -> int:
    """Unclassified mails of a sender (address or domain)."""
    raise NotImplementedError


def classify_sender(
    ctx: Context,
    user: str,
    sender: str,
    mail_class: str,
    *,
    account: str | None = None,
    remember: Remember | None = "address",
) -> int:
    """Classify all mail of a sender; returns how many changed."""
    raise NotImplementedError


def archive(ctx: Context, user: str, mail_ids: Sequence[uuid.UUID]) -> int:
    """Archive these mails."""
    raise NotImplementedError


def accounts_matching(ctx: Context, text: str, limit: int) -> list[str]:
    """Account names matching `text`."""
    raise NotImplementedError


def create_account(ctx: Context, user: str, name: str) -> str:
    """Create or find an account."""
    raise NotImplementedError


def suggested_class(ctx: Context, mail_id: uuid.UUID) -> str | None:
    """The class proposed for a mail."""
    raise NotImplementedError
