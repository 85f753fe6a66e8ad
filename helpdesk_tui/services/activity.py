"""The activity feed (issue 13): pages of it, and when the agent last looked.

Reading goes through the plain read store (`store.activity`); the one write is the
agent's `activity_seen_at`, set when they leave the activity screen.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from helpdesk_tui.domain.feed import FeedFilter, FeedScope
from helpdesk_tui.services.context import Context, retrying
from helpdesk_tui.storage.activityreads import FeedCursor, FeedPage
from helpdesk_tui.storage.reads import open_reads

if TYPE_CHECKING:
    from helpdesk_tui.storage.uow import UnitOfWork


def feed_page(
    ctx: Context,
    user: str,
    scope: FeedScope,
    feed: FeedFilter | None = None,
    *,
    limit: int = 50,
    after: FeedCursor | None = None,
) -> FeedPage:
    """One page of `user`'s feed in `scope`, newest first (refuses `all` to agents)."""
    with open_reads(ctx.location) as store:
        return store.activity.page(
            me=user, scope=scope, feed=feed or FeedFilter(), limit=limit, after=after
        )


def seen_at(ctx: Context, user: str) -> datetime | None:
    """When `user` last left the activity screen (None: never)."""
    with open_reads(ctx.location) as store:
        return store.activity.seen_at(user)


def mark_seen(ctx: Context, user: str, at: datetime) -> None:
    """Remember that `user` saw the feed up to `at` (the divider moves there)."""

    def work(uow: UnitOfWork) -> None:
        row = uow.directory.agents().get(user)
        if row is not None and (row.activity_seen_at is None or row.activity_seen_at < at):
            row.activity_seen_at = at
            uow.directory.save_agent(row)

    retrying(ctx, work)
