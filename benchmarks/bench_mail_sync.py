"""Mail sync speed (issue 4): `helpdesk sync --once` against mbsync on the same Dovecot.

Starts a private Dovecot with the shared bench scripts (../shared/bench: they are run from
there, not copied), loads N realistic support mails into its Maildir, then times
  - mbsync pulling the folder into a local Maildir (the anchor; FSync as given),
  - `helpdesk sync --once` from an empty database to everything stored, filed, searchable,
  - an incremental pass with nothing new (in-process poll and whole process),
  - an incremental pass with 100 new mails (whole process, and in a running process),
  - a pass with 1,000 customer replies onto existing cases (by In-Reply-To/References),
  - peak RSS of `sync --once` for ten 30 MB mails (issue 10, found 8: ≤ 300 MB), with
    the default `mail.max_size` (25 MB: stubs of their headers) and with 64 MB (each
    fetched whole: the byte-cut batches bound memory), on a Dovecot of their own,
and prints one JSON object. Peak RSS comes from the child's rusage.

    python benchmarks/bench_mail_sync.py [-n 10000] [--bench-dir ../shared/bench] [--big-only]
"""

import argparse
import base64
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from _common import ROOT, emit, file_bytes, remove_database

CONFIG = """
[[users]]
username = "bench"
role = "admin"

[[groups]]
name = "support"
members = ["bench"]

[mail]
batch_size = {batch}
{mail_extra}

[[mail.accounts]]
name = "support"
host = "127.0.0.1"
port = {port}
tls = "none"
username = "agent"
password_command = "printf secret"
address = "support@example.com"

[[mail.rules]]
name = "everything"
group = "support"
"""


def run(command: list[str], **kwargs: object) -> tuple[float, subprocess.CompletedProcess[str]]:
    """Run a command, returning (seconds, result); raises with its stderr if it fails."""
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=False, **kwargs)  # type: ignore[call-overload]
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed ({done.returncode}):\n{done.stderr}")
    return seconds, done


def child_peak_rss_mb() -> float:
    """The largest RSS of any finished child so far (Linux reports kilobytes)."""
    return round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=10_000)
    parser.add_argument("--batch", type=int, default=500)
    parser.add_argument("--bench-dir", type=Path, default=ROOT.parent / "shared" / "bench")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    parser.add_argument("--big-only", action="store_true", help="only the ten 30 MB mails")
    args = parser.parse_args()
    bench: Path = args.bench_dir.resolve()
    work = Path(tempfile.mkdtemp(prefix="hd-bench-mail-"))
    helpdesk = [sys.executable, "-m", "helpdesk_tui.cli"]
    if args.big_only:
        try:
            emit({"big_mails": big_mail_rss(bench, work, helpdesk)})
        finally:
            if not args.keep:
                shutil.rmtree(work, ignore_errors=True)
        return
    try:
        # Its stdout goes to a file: Dovecot's daemon inherits it, so a pipe never closes.
        port_file = work / "port.out"
        with port_file.open("w") as out:
            subprocess.run(
                ["bash", str(bench / "dovecot_up.sh"), str(work / "dovecot")],
                stdout=out,
                check=True,
            )
        port = port_file.read_text().strip().splitlines()[-1]
        maildir = work / "dovecot" / "mail" / "agent" / "Maildir"
        load_s, _ = run(
            [
                sys.executable,
                str(bench / "load_mail.py"),
                "--port",
                port,
                "-n",
                str(args.n),
                "--mode",
                "maildir",
                "--maildir",
                str(maildir),
            ]
        )
        size_mb = sum(f.stat().st_size for f in maildir.rglob("*") if f.is_file()) / 1e6

        result: dict[str, object] = {
            "mails": args.n,
            "maildir_mb": round(size_mb, 1),
            "load_s": round(load_s, 2),
        }
        if shutil.which("mbsync"):
            conf = work / "mbsync.conf"
            subprocess.run(
                ["bash", str(bench / "mbsync_conf.sh"), port, str(work / "mbsync"), str(conf)],
                check=True,
                capture_output=True,
            )
            mbsync_s, _ = run(["mbsync", "-c", str(conf), "-a", "-q"])
            result["mbsync_s"] = round(mbsync_s, 2)
        config = work / "config.toml"
        config.write_text(CONFIG.format(port=port, batch=args.batch, mail_extra=""))
        db = work / "hd.sqlite"
        remove_database(db)
        base = [*helpdesk, "--db", str(db), "--config", str(config), "--as", "bench"]
        run([*base, "init"])  # creates and migrates the database (only init creates one)
        full_s, full = run([*base, "sync", "--once"])
        result["helpdesk_full_s"] = round(full_s, 2)
        result["helpdesk_mails_per_s"] = round(args.n / full_s)
        if "mbsync_s" in result:
            result["ratio_to_mbsync"] = round(full_s / float(result["mbsync_s"]), 1)  # type: ignore[arg-type]
        result["full_output"] = full.stdout.strip().splitlines()
        search_s, found = run(
            [*base, "case", "list", "--view", "all", "--query", "drucker", "--json"]
        )
        result["search_after_sync_s"] = round(search_s, 2)
        result["search_hits"] = found.stdout.count('"number"')

        nothing = [run([*base, "sync", "--once"])[0] for _ in range(5)]
        result["nothing_new_process_s"] = round(sorted(nothing)[2], 3)
        result["nothing_new_poll_ms"] = round(in_process_poll(db, config) * 1000, 1)
        run(
            [
                sys.executable,
                str(bench / "load_mail.py"),
                "--port",
                port,
                "-n",
                "100",
                "--start",
                str(args.n),
                "--mode",
                "append",
            ]
        )
        inc_s, inc = run([*base, "sync", "--once"])
        result["hundred_new_process_s"] = round(inc_s, 3)
        result["hundred_new_output"] = inc.stdout.strip().splitlines()
        more = [sys.executable, str(bench / "load_mail.py"), "--port", port, "-n", "100",
                "--start", str(args.n + 100), "--mode", "append"]  # fmt: skip
        seconds = in_process_new(db, config, lambda: run(more))
        result["hundred_new_in_process_ms"] = round(seconds * 1000, 1)
        # The realistic mix has replies to cases that exist (load_mail's tags name case
        # numbers this database never had): reply to 1,000 stored mails, then sync.
        append_replies(int(port), db, REPLIES)
        replies_s, replied = run([*base, "sync", "--once"])
        result["replies_onto_cases"] = REPLIES
        result["replies_process_s"] = round(replies_s, 3)
        result["replies_output"] = replied.stdout.strip().splitlines()
        result["peak_rss_mb"] = child_peak_rss_mb()
        result["big_mails"] = big_mail_rss(bench, work, helpdesk)
        emit(result)
    finally:
        subprocess.run(
            ["bash", str(bench / "dovecot_down.sh"), str(work / "dovecot")],
            capture_output=True,
            check=False,
        )
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


BIG_MAILS = 10
BIG_BYTES = 30 * 1000 * 1000
#: Runs a command and prints its peak RSS (this process has no other child).
MEASURE = """
import json, resource, subprocess, sys, time
started = time.perf_counter()
done = subprocess.run(sys.argv[1:], capture_output=True, text=True, check=False)
print(json.dumps({"rc": done.returncode, "s": time.perf_counter() - started,
    "rss_kb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,
    "out": done.stdout.strip().splitlines(), "err": done.stderr.strip().splitlines()[-3:]}))
"""


def big_mail(serial: int) -> bytes:
    """A customer mail of about 30 MB: a short text and a base64 attachment."""
    data = os.urandom(BIG_BYTES * 3 // 4 - 2000)
    encoded = base64.encodebytes(data).replace(b"\n", b"\r\n")
    head = (
        f"From: Kunde {serial} <kunde{serial}@acme.example>\r\n"
        "To: support@example.com\r\n"
        f"Subject: Scan {serial} vom Kopierer\r\n"
        f"Message-ID: <big{serial}@acme.example>\r\n"
        "Date: Mon, 23 Nov 2026 09:00:00 +0100\r\n"
        "MIME-Version: 1.0\r\n"
        'Content-Type: multipart/mixed; boundary="b1"\r\n\r\n'
        "--b1\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
        "Anbei der Scan.\r\n"
        "--b1\r\nContent-Type: application/pdf; name=scan.pdf\r\n"
        "Content-Disposition: attachment; filename=scan.pdf\r\n"
        "Content-Transfer-Encoding: base64\r\n\r\n"
    ).encode()
    return head + encoded + b"--b1--\r\n"


def big_mail_rss(bench: Path, work: Path, helpdesk: list[str]) -> dict[str, object]:
    """Peak RSS and time of `sync --once` for ten 30 MB mails, by `mail.max_size`."""
    home = work / "dovecot-big"
    port_file = work / "port-big.out"
    with port_file.open("w") as out:
        subprocess.run(["bash", str(bench / "dovecot_up.sh"), str(home)], stdout=out, check=True)
    try:
        port = port_file.read_text().strip().splitlines()[-1]
        maildir = home / "mail" / "agent" / "Maildir"
        owner = maildir.stat()
        for serial in range(BIG_MAILS):
            path = maildir / "new" / f"{time.time_ns()}.big{serial}.bench"
            path.write_bytes(big_mail(serial))
            os.chown(path, owner.st_uid, owner.st_gid)
        result: dict[str, object] = {
            "mails": BIG_MAILS,
            "mail_mb": round(BIG_BYTES / 1e6),
            "limit_mb": 300,
        }
        for label, extra in (("max_size_25MB", ""), ("max_size_64MB", 'max_size = "64MB"')):
            config = work / f"config-{label}.toml"
            config.write_text(CONFIG.format(port=port, batch=500, mail_extra=extra))
            db = work / f"big-{label}.sqlite"
            base = [*helpdesk, "--db", str(db), "--config", str(config), "--as", "bench"]
            run([*base, "init"])
            _, done = run([sys.executable, "-c", MEASURE, *base, "sync", "--once"])
            measured = json.loads(done.stdout)
            result[label] = {
                "peak_rss_mb": round(measured["rss_kb"] / 1024, 1),
                "s": round(measured["s"], 2),
                "exit": measured["rc"],
                "output": measured["out"] or measured["err"],
                "db_mb": round(file_bytes(db) / 1e6, 1),
            }
        return result
    finally:
        subprocess.run(
            ["bash", str(bench / "dovecot_down.sh"), str(home)], capture_output=True, check=False
        )


def in_process_poll(db: Path, config: Path) -> float:
    """Median time of one `sync_once` pass with nothing new, after imports and connect."""
    from helpdesk_tui.cli.runtime import Options, Runtime
    from helpdesk_tui.sync.poller import MailPoller

    runtime = Runtime(Options(db=str(db), config=config, as_user="bench"))
    poller = MailPoller(runtime.context, runtime.settings)
    poller.sync_once()
    samples = []
    for _ in range(7):
        started = time.perf_counter()
        poller.sync_once()
        samples.append(time.perf_counter() - started)
    poller.close()
    return sorted(samples)[3]


REPLIES = 1000


def append_replies(port: int, db: Path, count: int) -> None:
    """APPEND `count` customer replies (In-Reply-To/References, no tag) to stored mails."""
    import sqlite3
    from email.message import EmailMessage
    from email.utils import make_msgid

    from imapclient import IMAPClient

    with sqlite3.connect(db) as connection:
        originals = connection.execute(
            "SELECT message_id, from_email, subject FROM mails"
            " WHERE case_id IS NOT NULL AND message_id IS NOT NULL ORDER BY received_at LIMIT ?",
            (count,),
        ).fetchall()
    replies = []
    for message_id, sender, subject in originals:
        reply = EmailMessage()
        reply["From"] = sender
        reply["To"] = "support@example.com"
        reply["Subject"] = f"Re: {subject}"
        reply["Message-ID"] = make_msgid("reply", "customer.example")
        reply["In-Reply-To"] = message_id
        reply["References"] = message_id
        reply.set_content("Danke, das hat geholfen. Eine Frage habe ich noch.\n")
        replies.append(reply.as_bytes())
    with IMAPClient("127.0.0.1", port=port, ssl=False) as client:
        client.login("agent", "secret")
        for start in range(0, len(replies), 200):
            client.multiappend("INBOX", replies[start : start + 200])


def in_process_new(db: Path, config: Path, add_mail: Callable[[], object]) -> float:
    """One `sync_once` pass that files 100 new mails in a process already running, as in
    `sync --watch` and the TUI (a first pass with nothing new has loaded everything)."""
    from helpdesk_tui.cli.runtime import Options, Runtime
    from helpdesk_tui.services.filing import ingest  # noqa: F401  (loaded, as when running)
    from helpdesk_tui.sync.poller import MailPoller

    runtime = Runtime(Options(db=str(db), config=config, as_user="bench"))
    poller = MailPoller(runtime.context, runtime.settings)
    poller.sync_once()
    with runtime.context.uow(write=False):
        pass  # the engine exists in a running process
    add_mail()
    started = time.perf_counter()
    report = poller.sync_once()
    seconds = time.perf_counter() - started
    poller.close()
    if report.stored != 100:
        raise SystemExit(f"expected 100 new mails, stored {report.stored}")
    return seconds


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    main()
