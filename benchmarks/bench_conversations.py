"""Time the conversations inbox's data side (issue 14, MAIL-8) on a million mails.

    .venv/bin/python benchmarks/bench_conversations.py [--mails 1000000] [--db PATH]
        [--runs 20]

Builds (unless `--db` names one made before) a migrated SQLite database with `--mails`
inbound mails over two years from 2,000 sender domains (plus 10 % outgoing mail, never
listed): about a third unclassified, most read, older ones archived; one domain,
`grosskunde.example`, with 10,000 unclassified mails. Rows go in by bulk INSERT (the
filing service would take hours for a million).

Prints one JSON object: median and p95 in milliseconds of

- `first_page`: the default list's first page (100 rows, archived hidden), through the
  read store (`store.conversations.page`, what `Desk.mail_page` calls);
- `filter_change`: the first page for each filter (unread, unclassified, class, account,
  sender, domain, old and open, last 30 days, unfiled, archived), and `next_page` deep in
  the default list through the keyset cursor;
- `counts`: the capped count per filter and `stats` (the weekly review);
- `classify_one`: `Desk.classify` of one mail (the `k 1 Enter` write);
- `classify_domain_10000`: `Desk.classify_sender` of the 10,000 mails of one domain,
  remembered (one run on a copy of the database per sample);
- `canary_update_10000`: the same-run anchor for it, a plain UPDATE of one unindexed
  column (`filed_note`) of the same 10,000 mails through the same engine (write lock,
  commit and its WAL checkpoint), on its own copy: what writing those rows costs on this
  machine at all. `classify_domain_ratio` is the two medians' ratio (machines differ 2×;
  the ratio does not).

Targets (issue 14): first page ≤ 1 s with paint (the query is a part of it), filter
change ≤ 100 ms, classify one ≤ 50 ms, classify 10,000 of one domain ≤ 1 s.
"""

import argparse
import random
import shutil
import sqlite3
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from _common import emit, file_bytes, remove_database, stats_ms, timed

NOW = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)
BIG_DOMAIN = "grosskunde.example"
BIG_COUNT = 10_000
CLASSES = ("customer", "supplier", "internal", "newsletter", "advertising")


def _ts(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


def build(path: Path, mails: int) -> None:
    """A migrated database with people, accounts and `mails` inbound mails."""
    from helpdesk_tui.domain.enums import Role
    from helpdesk_tui.services.context import Context
    from helpdesk_tui.services.people import AgentSpec, sync_people
    from helpdesk_tui.storage.location import locate

    ctx = Context(locate(str(path)))
    ctx.migrate()
    sync_people(ctx, [AgentSpec("alice", "Alice", "alice@helpdesk.example", Role.AGENT)], [])
    ctx.dispose()
    rng = random.Random(14)
    db = sqlite3.connect(path)
    db.execute("PRAGMA synchronous = OFF")
    accounts = [
        (uuid.uuid4().hex, f"Kunde {n:04d} GmbH", f"kunde{n:04d}.example") for n in range(500)
    ]
    db.executemany("INSERT INTO accounts (id, name, domain) VALUES (?, ?, ?)", accounts)
    account_of = {domain: account_id for account_id, _, domain in accounts}
    domains = [f"kunde{n:04d}.example" for n in range(500)] + [
        f"firma{n:04d}.example" for n in range(1500)
    ]
    span = timedelta(days=730).total_seconds()
    columns = (
        "id, dedupe_key, direction, mailbox, received_at, subject, from_email, from_domain,"
        ' from_name, recipients, "references", body_text, attachments, defects, size,'
        " filed_by, filed_note, class, classified_by, account_id, read, archived"
    )
    sql = f"INSERT INTO mails ({columns}) VALUES ({', '.join('?' * 22)})"
    batch: list[tuple[Any, ...]] = []
    big_left = BIG_COUNT
    total = mails + mails // 10
    for n in range(total):
        outgoing = n % 11 == 10
        age = rng.random() ** 2 * span  # more recent mail than old mail
        received = NOW - timedelta(seconds=age)
        if not outgoing and big_left and rng.random() < BIG_COUNT / mails * 1.2:
            domain, big_left = BIG_DOMAIN, big_left - 1
            mail_class = None
        else:
            domain = rng.choice(domains)
            mail_class = None if rng.random() < 0.33 else rng.choice(CLASSES)
        sender = f"p{rng.randrange(20)}@{domain}"
        account = account_of.get(domain) if mail_class in ("customer", "supplier") else None
        old = age > 14 * 86400
        batch.append(
            (
                uuid.uuid4().hex,
                f"k{n}",
                "out" if outgoing else "in",
                "support",
                _ts(received),
                f"Anfrage {n} zu Auftrag {rng.randrange(100000)}",
                "support@helpdesk.example" if outgoing else sender,
                "helpdesk.example" if outgoing else domain,
                f"Person {n % 997}",
                "{}",
                "[]",
                "",
                "[]",
                "[]",
                2000,
                "outgoing" if outgoing else "unfiled",
                "",
                None if outgoing else mail_class,
                None if outgoing or mail_class is None else "agent",
                account,
                1 if (old or rng.random() < 0.5) else 0,
                1 if (old and rng.random() < 0.7) else 0,
            )
        )
        if len(batch) == 20_000:
            db.executemany(sql, batch)
            batch.clear()
            print(f"  {n + 1:,}/{total:,}", file=sys.stderr, flush=True)
    db.executemany(sql, batch)
    db.commit()
    db.execute("ANALYZE")
    db.commit()
    db.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mails", type=int, default=1_000_000)
    parser.add_argument("--db", type=Path)
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()

    from helpdesk_tui.domain.mail_query import MailFilter
    from helpdesk_tui.services.context import Context
    from helpdesk_tui.services.desk import Desk
    from helpdesk_tui.storage.location import locate
    from helpdesk_tui.storage.reads import open_reads

    path = args.db or Path(tempfile.mkdtemp(prefix="hd-bench-conv-")) / "bench.sqlite"
    started = time.perf_counter()
    if not path.exists():
        build(path, args.mails)
    build_s = round(time.perf_counter() - started, 1)

    location = locate(str(path))
    filters = {
        "unread": MailFilter(unread=True),
        "unclassified": MailFilter(unclassified=True),
        "class_newsletter": MailFilter(mail_class="newsletter"),
        "account": MailFilter(account="Kunde 0042 GmbH"),
        "sender": MailFilter(sender=f"p3@{BIG_DOMAIN}"),
        "domain": MailFilter(sender=BIG_DOMAIN),
        "old_open": MailFilter(old_open=True),
        "last_30d": MailFilter(period_days=30),
        "unfiled": MailFilter(filed=False),
        "archived": MailFilter(archived=True),
        "unread_unclassified_30d": MailFilter(unread=True, unclassified=True, period_days=30),
    }
    result: dict[str, Any] = {"mails_in": args.mails, "build_s": build_s}
    with open_reads(location) as store:
        conv = store.conversations
        first = conv.page(MailFilter(), now=NOW, limit=100)
        result["first_page"] = timed(args.runs, lambda: conv.page(MailFilter(), now=NOW, limit=100))
        result["filter_change"] = {
            name: timed(args.runs, lambda f=f: conv.page(f, now=NOW, limit=100))
            for name, f in filters.items()
        }
        result["filter_rows"] = {
            name: len(conv.page(f, now=NOW, limit=100)) for name, f in filters.items()
        }
        deep = first
        for _ in range(50):  # 50 pages down
            deep = conv.page(MailFilter(), now=NOW, after=deep[-1].cursor, limit=100)
        result["next_page_at_5000"] = timed(
            args.runs, lambda: conv.page(MailFilter(), now=NOW, after=deep[-1].cursor, limit=100)
        )
        result["counts"] = {
            name: timed(5, lambda f=f: conv.count(f, now=NOW)) for name, f in filters.items()
        }
        result["stats"] = timed(5, lambda: conv.stats(now=NOW))
        result["stats_figures"] = conv.stats(now=NOW).__dict__
        unclassified = conv.page(MailFilter(unclassified=True), now=NOW, limit=args.runs + 1)

    ctx = Context(location, clock=lambda: NOW)
    desk = Desk(ctx, "alice")
    samples = []
    for item in unclassified[: args.runs]:
        t0 = time.perf_counter()
        desk.classify([item.id], "customer", account="Kunde 0042 GmbH")
        samples.append(time.perf_counter() - t0)
    result["classify_one"] = stats_ms(samples[1:] or samples)
    ctx.dispose()

    domain_samples: list[float] = []
    canary_samples: list[float] = []
    changed = 0
    copy = path.with_name("copy.sqlite")
    for _ in range(3):
        for samples in (canary_samples, domain_samples):  # alternating: same machine load
            remove_database(copy)
            shutil.copyfile(path, copy)
            copy_ctx = Context(locate(str(copy)), clock=lambda: NOW)
            copy_desk = Desk(copy_ctx, "alice")
            copy_desk.classify_sender_preview(BIG_DOMAIN)  # engine and page cache warm
            t0 = time.perf_counter()
            if samples is canary_samples:
                with copy_ctx.uow() as uow:
                    uow.session.connection().exec_driver_sql(
                        "UPDATE mails SET filed_note = 'canary'"
                        " WHERE from_domain = ? AND direction = 'in'",
                        (BIG_DOMAIN,),
                    )
                    uow.commit()
            else:
                changed = copy_desk.classify_sender(
                    BIG_DOMAIN, "customer", account="Grosskunde AG", remember="domain"
                )
            samples.append(time.perf_counter() - t0)
            copy_ctx.dispose()
    remove_database(copy)
    result["classify_domain_10000"] = {**stats_ms(domain_samples), "mails_changed": changed}
    result["canary_update_10000"] = stats_ms(canary_samples)
    result["classify_domain_ratio"] = round(
        result["classify_domain_10000"]["median_ms"] / result["canary_update_10000"]["median_ms"],
        2,
    )
    with sqlite3.connect(path) as db:
        plan = db.execute(
            "EXPLAIN QUERY PLAN SELECT m.id FROM mails m INDEXED BY ix_mails_in_listed"
            " WHERE m.direction = 'in' AND m.archived = false"
            " ORDER BY m.received_at DESC, m.id DESC LIMIT 100"
        ).fetchall()
    result["plan_first_page"] = [row[-1] for row in plan]
    result["db_bytes"] = file_bytes(path)
    emit(result)


if __name__ == "__main__":
    main()
