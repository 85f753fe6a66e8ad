"""Customer satisfaction (CSAT, issue 15 §7): the request in the closing mail and the
rating taken from the customer's reply.

Both run inside the callers' transactions: the closing mail's body is composed by
`services/outbox.send_closing_mail`, which asks `request_line` for its last line; mail
filing (`services/filing.py`) asks `reply_rating` whether a mail onto a closed case is the
customer's rating, and if so records it with `Case.rate` instead of reopening the case.
The rules themselves are in `domain/csat.py`.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING

from helpdesk_tui.domain.csat import CsatRules, parse_rating
from helpdesk_tui.domain.quoted import text_before_quote
from helpdesk_tui.domain.templates import fill

if TYPE_CHECKING:
    from helpdesk_tui.domain.case import Case
    from helpdesk_tui.storage.mails import NewMail
    from helpdesk_tui.storage.uow import UnitOfWork


def request_line(request: str | None, values: Mapping[str, str]) -> str:
    """The rating request as the closing mail's last line (placeholders filled, one
    line), or "" without `[csat]`."""
    if not request:
        return ""
    return " ".join(fill(request, values).split())


def with_request(body: str, request: str | None, values: Mapping[str, str]) -> str:
    """`body` ending with the rating request, when there is one."""
    line = request_line(request, values)
    return f"{body.rstrip()}\n\n{line}" if line else body


def reply_rating(
    uow: UnitOfWork, rules: CsatRules | None, case: Case, record: NewMail, now: datetime
) -> int | None:
    """The rating a mail onto `case` records, or None when it is filed as any other mail.

    A rating needs `[csat]` on, a closed case, a mail from the case's contact (the one the
    closing mail went to) that is no auto-reply or bounce, whose own words begin with a
    rating (`domain.csat.parse_rating`), and arriving within the window after the case
    was (last) closed.
    """
    if rules is None or not case.is_closed or record.noise is not None:
        return None
    if record.direction != "in" or record.from_email.strip().lower() != case.contact:
        return None
    rating = parse_rating(text_before_quote(record.body_text, record.quote_start))
    if rating is None or not rules.accepts(uow.cases.closed_at(case.id), now):
        return None
    return rating
