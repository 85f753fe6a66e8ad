"""How fast ImapMailbox.fetch_raw pulls a whole folder, and where the time goes.

usage: bench_imap_fetch.py [--port PORT] [-n N] [--batch 200,500] [--repeat 3]

With --port it reads INBOX of an already-filled server (user agent/secret on 127.0.0.1,
e.g. a Dovecot filled by hand with load_mail.py --mode maildir). Without it, it starts
the project's test Dovecot (tests/integration/dovecot.py) in a temp dir and drops N
synthetic mails of 2-20 KB straight into its Maildir.

Prints, per batch size, mails/s and MB/s of: fetch_raw; fetch_raw with imapclient's
default imaplib debug level 5 (which ImapMailbox switches off: it formats every literal
for the log); and the same transfer with imaplib alone (the socket/literal reading
imapclient builds on, no response parsing), so the share of imapclient's parsing shows.
"""

import argparse
import imaplib
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from helpdesk_tui.mail.imap import ImapEndpoint, ImapMailbox  # noqa: E402


def synthetic_mail(i: int, rng: random.Random) -> bytes:
    words = ["Drucker", "printer", "Rechnung", "invoice", "kaputt", "broken", "bitte", "please"]
    size = rng.randint(2_000, 20_000)
    line = " ".join(rng.choice(words) for _ in range(12)) + "\r\n"
    body = line * (size // len(line) + 1)
    return (
        f"From: Kunde {i} <kunde{i}@example.com>\r\nTo: support@example.com\r\n"
        f"Subject: Anfrage {i}\r\nMessage-ID: <bench{i}@example.com>\r\n"
        f"Date: Mon, 30 Nov 2026 10:00:00 +0100\r\n\r\n{body}"
    ).encode()


def fill_maildir(maildir: Path, n: int) -> int:
    rng = random.Random(1)
    owner = os.stat(maildir)
    total = 0
    for i in range(n):
        raw = synthetic_mail(i, rng)
        total += len(raw)
        path = maildir / "cur" / f"{1_700_000_000 + i}.M{i}P1.bench,S={len(raw)}:2,"
        path.write_bytes(raw)
        if os.geteuid() == 0:
            os.chown(path, owner.st_uid, owner.st_gid)
    return total


def bench_fetch_raw(
    endpoint: ImapEndpoint, batch: int, imaplib_debug: int = 0
) -> tuple[float, int, int]:
    with ImapMailbox(endpoint) as box:
        if imaplib_debug:
            box._client._imap.debug = imaplib_debug  # imapclient's own default
        box.select("INBOX")
        uids = box.uids_after(0)
        started = time.perf_counter()
        count = size = 0
        for at in range(0, len(uids), batch):
            got = box.fetch_raw(uids[at : at + batch])
            count += len(got)
            size += sum(len(raw) for raw in got.values())
        return time.perf_counter() - started, count, size


def bench_fetch_raw_debug5(endpoint: ImapEndpoint, batch: int) -> tuple[float, int, int]:
    """fetch_raw as it would be with imapclient's default imaplib debug level 5."""
    return bench_fetch_raw(endpoint, batch, imaplib_debug=5)


def bench_imaplib(endpoint: ImapEndpoint, batch: int) -> tuple[float, int, int]:
    """The same UID FETCH BODY.PEEK[] with plain imaplib: reading, no parsing."""
    conn = imaplib.IMAP4(endpoint.host, endpoint.port)
    try:
        conn.login(endpoint.username, endpoint.password)
        conn.select("INBOX")
        _, data = conn.uid("SEARCH", "ALL")
        uids = [int(u) for u in data[0].split()]
        started = time.perf_counter()
        count = size = 0
        for at in range(0, len(uids), batch):
            ids = ",".join(str(u) for u in uids[at : at + batch])
            _, items = conn.uid("FETCH", ids, "(BODY.PEEK[])")
            for item in items:
                if isinstance(item, tuple):
                    count += 1
                    size += len(item[1])
        return time.perf_counter() - started, count, size
    finally:
        conn.logout()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, help="an already-filled server on 127.0.0.1")
    parser.add_argument("-n", type=int, default=10_000, help="mails to generate (no --port)")
    parser.add_argument("--batch", default="200,500", help="comma-separated batch sizes")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    server = None
    workdir = None
    if args.port:
        endpoint = ImapEndpoint("127.0.0.1", args.port, "none", "agent", "secret")
    else:
        from integration.dovecot import Dovecot, instance_dir

        workdir = Path(tempfile.mkdtemp(prefix="bench-imap-"))
        root, remove = instance_dir(workdir)
        server = Dovecot(root, remove_root=remove)
        server.start()
        total = fill_maildir(server.maildir, args.n)
        endpoint = server.endpoint()
        started = time.perf_counter()
        with ImapMailbox(endpoint) as box:
            exists = box.select("INBOX").exists  # Dovecot indexes the new files here
        print(
            f"generated {exists} mails, {total / 1e6:.1f} MB; "
            f"first SELECT (indexing) {time.perf_counter() - started:.2f} s"
        )
    try:
        for batch in (int(b) for b in args.batch.split(",")):
            variants = (
                ("fetch_raw             ", bench_fetch_raw),
                ("fetch_raw, debug=5    ", bench_fetch_raw_debug5),
                ("imaplib, no parsing   ", bench_imaplib),
            )
            for name, run in variants:
                times = []
                for _ in range(args.repeat):
                    seconds, count, size = run(endpoint, batch)
                    times.append(seconds)
                best, median = min(times), statistics.median(times)
                print(
                    f"batch {batch:4d} {name}: {count} mails {size / 1e6:.1f} MB in "
                    f"{median:.2f} s median ({best:.2f} best) = {count / median:,.0f} mails/s, "
                    f"{size / 1e6 / median:.0f} MB/s"
                )
    finally:
        if server is not None:
            server.stop()
            server.cleanup()
        if workdir is not None:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
