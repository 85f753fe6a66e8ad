"""ACT-6: storing a 25 MB attachment — time, and peak Python memory beyond the mail's
own bytes (tracemalloc): the target is at most one extra copy of the attachment.

    .venv/bin/python benchmarks/bench_attachments.py
"""

import os
import sys
import tempfile
import time
import tracemalloc
from email.message import EmailMessage
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import emit

from helpdesk_tui.mail.parse import parse
from helpdesk_tui.services.attachments import incoming_parts, store_parts
from helpdesk_tui.services.context import Context
from helpdesk_tui.storage.location import locate

SIZE = 25 * 2**20


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
    with tempfile.TemporaryDirectory() as folder:
        ctx = Context(locate(str(Path(folder) / "bench.sqlite")))
        ctx.migrate()
        with ctx.uow() as uow:
            tracemalloc.start()
            start = time.perf_counter()
            listed, _ = store_parts(uow, incoming_parts(raw, parsed.attachments), 2 * SIZE)
            seconds = time.perf_counter() - start
            _, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
            uow.commit()
        ctx.dispose()
    emit(
        {
            "attachment_mb": SIZE / 2**20,
            "raw_mail_mb": round(len(raw) / 2**20, 1),
            "store_seconds": round(seconds, 3),
            "peak_extra_mb": round(peak / 2**20, 1),
            "peak_extra_copies_of_attachment": round(peak / SIZE, 2),
            "stored": listed[0]["sha256"] is not None,
        }
    )


if __name__ == "__main__":
    main()
