"""Seed the demo and bulk-generate N cases into a fresh SQLite file; print the timings.

    .venv/bin/python benchmarks/bench_generate.py [--cases 1000000] [--db PATH] [--progress]

The file is replaced if it exists. Prints one JSON object: seconds to seed the demo
(through the services), seconds to generate, cases per second, and the file size.
"""

import argparse
import os
import sqlite3
import tempfile
import time
from pathlib import Path

from _common import emit, file_bytes, progress_printer, remove_database


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=1_000_000, help="cases to generate")
    parser.add_argument("--db", type=Path, help="SQLite file (default: a temporary one)")
    parser.add_argument("--progress", action="store_true", help="report batches on stderr")
    args = parser.parse_args()
    temporary = args.db is None
    path: Path = args.db or Path(tempfile.mkdtemp(prefix="hd-bench-")) / "bench.sqlite"
    path = path.expanduser().resolve()
    remove_database(path)

    started = time.perf_counter()
    from helpdesk_tui.services.context import Context
    from helpdesk_tui.services.demo import demo_summary, generate_cases, seed_demo
    from helpdesk_tui.storage.location import locate

    imported = time.perf_counter()
    ctx = Context(locate(str(path)))
    ctx.migrate()
    seeded = seed_demo(ctx)
    after_seed = time.perf_counter()
    seed_bytes = file_bytes(path)
    generated = generate_cases(
        ctx, args.cases, progress=progress_printer(args.cases, args.progress)
    )
    after_generate = time.perf_counter()
    summary = demo_summary(ctx, generated=generated)
    ctx.dispose()
    # The load commits with synchronous=OFF: the OS still holds much of the file in
    # dirty pages. Time making it durable, apart (the next checkpoint's fsync pays it).
    flushed = time.perf_counter()
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
    fsync_seconds = time.perf_counter() - flushed
    generate_seconds = after_generate - after_seed
    emit(
        {
            "benchmark": "generate",
            "db": str(path),
            "temporary_db": temporary,
            "import_seconds": round(imported - started, 3),
            "seed_seconds": round(after_seed - imported, 3),
            "seed_cases": seeded.cases,
            "seed_activities": seeded.activities,
            "seed_file_bytes": seed_bytes,
            "generate_cases": generated,
            "generate_seconds": round(generate_seconds, 3),
            "rows_per_second": round(generated / generate_seconds) if generated else None,
            "fsync_after_generate_seconds": round(fsync_seconds, 3),
            "cases_total": summary.cases,
            "activities_total": summary.activities,
            "by_status": summary.by_status,
            "file_bytes": file_bytes(path),
            "file_mb": round(file_bytes(path) / 1e6, 1),
            "sqlite_version": sqlite3.sqlite_version,
        }
    )


if __name__ == "__main__":
    main()
