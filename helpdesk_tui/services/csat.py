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
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from helpdesk_tui.domain.csat import CsatRules, parse_rating
from helpdesk_tui.domain.enums import Resolution, Status
from helpdesk_tui.domain.query import CaseQuery
from helpdesk_tui.domain.quoted import text_before_quote
from helpdesk_tui.domain.templates import fill
from helpdesk_tui.services.context import Context, retrying

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


#: The ratings the demo's customers gave, newest closed case first (the dashboard's
#: average of these is 4.1).
DEMO_RATINGS = (5, 4, 5, 3, 5, 4, 2, 5, 4, 4)


def rate_demo(ctx: Context, ratings: tuple[int, ...] = DEMO_RATINGS) -> int:
    """The demo's customers rated its most recently closed solved cases (one rating each
    from `ratings`, a few hours after the close, always before now), as their replies to
    the closing mail would have; returns how many were rated."""
    from helpdesk_tui.storage.reads import Sort, SortKey, open_reads  # lazy: storage

    query = CaseQuery(statuses=frozenset({Status.CLOSED}))
    newest = Sort(SortKey.UPDATED, descending=True)
    with open_reads(ctx.location) as store:
        page = store.list_cases(query, me="", today=ctx.clock().date(), limit=50, sort=newest)
    solved = [c.number for c in page if c.resolution == Resolution.SOLVED.value]
    chosen = list(zip(solved, ratings, strict=False))

    def work(uow: UnitOfWork) -> int:
        now = ctx.clock()
        for step, (number, rating) in enumerate(chosen):
            case = uow.cases.get(number)
            closed_at = uow.cases.closed_at(case.id) or now
            at = closed_at + timedelta(hours=2 + 3 * step)
            if at >= now:  # closed only just now: half-way from the close to now
                at = closed_at + (now - closed_at) / 2
            draft = case.rate(at, rating)
            if draft is not None:
                uow.cases.save(case, None, at, [draft])
        return len(chosen)

    rated: int = retrying(ctx, work)
    return rated
