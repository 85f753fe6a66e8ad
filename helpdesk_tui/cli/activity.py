"""`helpdesk activity`: the activity feed (issue 13) — what happened on the cases in a scope,
newest first."""

from typing import Annotated, Any

import typer

from helpdesk_tui.cli.errors import refusals
from helpdesk_tui.cli.output import activity_json, emit_json, say
from helpdesk_tui.cli.runtime import Runtime
from helpdesk_tui.domain.feed import FeedFilter, parse_kinds, parse_scope, parse_since
from helpdesk_tui.domain.numbering import parse_case_number
from helpdesk_tui.domain.safe_text import one_line
from helpdesk_tui.storage.activityreads import ActivityFeedEntry, FeedCursor
from helpdesk_tui.storage.reads import ReadStore


def feed_json(row: ActivityFeedEntry) -> dict[str, Any]:
    """A feed entry: the activity shape of `case show --json` plus its case and subject."""
    return {**activity_json(row.entry), "case": str(row.case), "subject": row.subject}


def _read(store: ReadStore, me: str, scope_text: str, feed: FeedFilter, limit: int) -> list[Any]:
    """Up to `limit` entries, page after page (a sparse scope ends pages early)."""
    scope = parse_scope(scope_text)
    rows: list[ActivityFeedEntry] = []
    after: FeedCursor | None = None
    while len(rows) < limit:
        page = store.activity.page(
            me=me, scope=scope, feed=feed, limit=limit - len(rows), after=after
        )
        rows += page.entries
        if page.after is None:
            break
        after = page.after
    return rows


def activity(
    ctx: typer.Context,
    scope: Annotated[
        str, typer.Option(help="mine (my cases), groups (+ my groups' cases), all (leads).")
    ] = "mine",
    since: Annotated[
        str | None, typer.Option(metavar="DATE|2d|3h", help="Only entries since then.")
    ] = None,
    case: Annotated[str | None, typer.Option(metavar="NUMBER", help="Only this case.")] = None,
    kind: Annotated[
        str | None, typer.Option(metavar="KIND", help="status, comment, mail, delegation, …")
    ] = None,
    by: Annotated[str | None, typer.Option(metavar="USER", help="Only entries by USER.")] = None,
    limit: Annotated[int, typer.Option(min=1, help="At most this many entries.")] = 50,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON on stdout.")] = False,
) -> None:
    """What happened on the cases of a scope, newest first."""
    runtime: Runtime = ctx.obj
    with refusals(), runtime.reads() as store:
        now = runtime.clock()
        feed = FeedFilter(
            kinds=parse_kinds(kind) if kind is not None else frozenset(),
            actors=frozenset({by.removeprefix("@").lower()}) if by else frozenset(),
            case=parse_case_number(case) if case is not None else None,
            since=parse_since(since, now) if since is not None else None,
        )
        rows = _read(store, runtime.user, scope, feed, limit)
        if as_json:
            emit_json([feed_json(row) for row in rows])
            return
        if not rows:
            say("(no activity)")
            return
        for row in rows:
            when = row.at.astimezone().strftime("%Y-%m-%d %H:%M")
            say(
                f"{when}  {one_line(row.actor or '—', 12):<12}  {row.case}  "
                f"{row.kind:<10}  {one_line(row.subject, 30):<30}  {row.summary}"
            )
