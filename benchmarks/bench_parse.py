"""Time `helpdesk_tui.mail.parse.parse` on generated support mail.

    .venv/bin/python benchmarks/bench_parse.py [-n 2000] [--workers 2] [--dir DIR]

Mail comes from `/work/shared/bench/load_mail.py --mode eml` (deterministic; written to
a temporary directory unless --dir holds .eml files already). Prints one JSON object:
per-mail median/p95 in one process, mails/s in one process and in a pool of --workers
processes (the sync's set-up), the noise/tag/quote counts as a sanity check, and peak
RSS of this process and of the pool's workers.
"""

import argparse
import resource
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from _common import emit, stats_ms

from helpdesk_tui.mail.parse import parse

LOAD_MAIL = Path("/work/shared/bench/load_mail.py")
OWN_DOMAINS = ("helpdesk.example",)


def generate(count: int) -> Path:
    out = Path(tempfile.mkdtemp(prefix="hd-bench-mail-"))
    subprocess.run(
        [sys.executable, str(LOAD_MAIL), "--mode", "eml", "--out", str(out), "-n", str(count)],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return out


def _parse_one(raw: bytes) -> int:
    return len(parse(raw, own_domains=OWN_DOMAINS).body_text)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=2000, help="mails to generate")
    parser.add_argument("--workers", type=int, default=2, help="pool size")
    parser.add_argument("--dir", type=Path, help="use the .eml files already in DIR")
    args = parser.parse_args()

    folder = args.dir or generate(args.n)
    mails = [path.read_bytes() for path in sorted(folder.glob("*.eml"))]
    if not mails:
        sys.exit(f"error: no .eml files in {folder}")
    for raw in mails[:50]:  # warm imports and regex caches
        parse(raw)

    samples: list[float] = []
    noise = tags = quoted = defective = 0
    started = time.perf_counter()
    for raw in mails:
        t0 = time.perf_counter()
        parsed = parse(raw, own_domains=OWN_DOMAINS)
        samples.append(time.perf_counter() - t0)
        noise += parsed.noise is not None
        tags += parsed.case_number is not None
        quoted += parsed.quote_start is not None
        defective += bool(parsed.defects)
    single_s = time.perf_counter() - started

    with ProcessPoolExecutor(max_workers=args.workers) as pool:
        list(pool.map(_parse_one, mails[: args.workers * 20], chunksize=10))  # start workers
        started = time.perf_counter()
        list(pool.map(_parse_one, mails, chunksize=64))
        pool_s = time.perf_counter() - started

    emit(
        {
            "mails": len(mails),
            "mean_bytes": round(sum(map(len, mails)) / len(mails)),
            **stats_ms(samples),
            "mails_per_s_1_process": round(len(mails) / single_s),
            f"mails_per_s_{args.workers}_workers": round(len(mails) / pool_s),
            "noise": noise,
            "case_tags": tags,
            "quoted": quoted,
            "with_defects": defective,
            "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
            "peak_rss_worker_mb": round(
                resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, 1
            ),
        }
    )


if __name__ == "__main__":
    main()
