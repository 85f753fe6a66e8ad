"""ACT-6: storing a 25 MB attachment — time, and peak memory beyond the mail's own bytes:
the target is at most one extra copy of the attachment.

Two measures, each on a fresh database: Python's allocations (tracemalloc), and the
process's resident peak (Linux VmHWM, reset through /proc/self/clear_refs), which also
sees what SQLite allocates in C. Run:

    .venv/bin/python benchmarks/bench_attachments.py
"""

import gc
import os
import sys
import tempfile
import time
import tracemalloc
from email.message import EmailMessage
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import emit

from helpdesk_tui.mail.model import ParsedMail
from helpdesk_tui.mail.parse import parse
from helpdesk_tui.services.attachments import incoming_parts, store_parts
from helpdesk_tui.services.context import Context
from helpdesk_tui.storage.location import locate

SIZE = 25 * 2**20
MB = 2**20


def _status(field: str) -> int | None:
    """A /proc/self/status figure in bytes (None off Linux)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024
    except OSError:
        return None
    return None


def _reset_peak() -> bool:
    try:
        Path("/proc/self/clear_refs").write_text("5")  # resets VmHWM to the current RSS
    except OSError:
        return False
    return True


def store(raw: bytes, parsed: ParsedMail, *, trace: bool) -> dict[str, Any]:
    """Store the mail's attachment once on a new database; time and peak memory."""
    with tempfile.TemporaryDirectory() as folder:
        ctx = Context(locate(str(Path(folder) / "bench.sqlite")))
        ctx.migrate()
        with ctx.uow() as uow:
            gc.collect()
            rss = _status("VmRSS") if not trace and _reset_peak() else None
            if trace:
                tracemalloc.start()
            start = time.perf_counter()
            listed, _ = store_parts(uow, incoming_parts(raw, parsed.attachments), 2 * SIZE)
            seconds = time.perf_counter() - start
            result: dict[str, Any] = {"seconds": seconds, "stored": listed[0]["sha256"]}
            if trace:
                result["peak"] = tracemalloc.get_traced_memory()[1]
                tracemalloc.stop()
            else:
                peak = _status("VmHWM")
                result["rss_peak"] = None if rss is None or peak is None else peak - rss
            uow.commit()
        ctx.dispose()
    return result


def main() -> None:
    data = os.urandom(SIZE)
    message = EmailMessage()
    message["From"] = "kunde@acme.example"
    message["To"] = "support@helpdesk.example"
    message["Subject"] = "Großer Anhang"
    message.set_content("Anbei.")
    message.add_attachment(data, maintype="application", subtype="pdf", filename="gross.pdf")
    raw = message.as_bytes()
    del message, data
    parsed = parse(raw)
    resident = store(raw, parsed, trace=False)
    traced = store(raw, parsed, trace=True)
    rss_peak = resident["rss_peak"]
    emit(
        {
            "attachment_mb": SIZE / MB,
            "raw_mail_mb": round(len(raw) / MB, 1),
            "store_seconds": round(traced["seconds"], 3),
            "peak_extra_mb": round(traced["peak"] / MB, 1),
            "peak_extra_copies_of_attachment": round(traced["peak"] / SIZE, 2),
            "resident_peak_extra_mb": None if rss_peak is None else round(rss_peak / MB, 1),
            "resident_peak_extra_copies": None if rss_peak is None else round(rss_peak / SIZE, 2),
            "stored": traced["stored"] is not None and resident["stored"] == traced["stored"],
        }
    )


if __name__ == "__main__":
    main()
