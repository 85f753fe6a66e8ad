"""Where the shared robustness corpus lives, and real messages to mutate."""

import os
from pathlib import Path

import pytest

CORPUS = Path(os.environ.get("HELPDESK_MAIL_CORPUS", "/work/shared/mail-corpus"))

# Small real-shaped messages, so the property tests have seeds even without the corpus.
SEEDS: tuple[bytes, ...] = (
    b"From: =?utf-8?q?J=C3=B6rg?= <j@x.example>\r\nTo: s@helpdesk.example\r\n"
    b"Subject: =?utf-8?b?QVc6IFsjMDAwMTIzNF0gRHJ1Y2tlcg==?=\r\n"
    b"Date: Mon, 02 Jan 2023 10:39:23 +0000\r\nMessage-ID: <1@x.example>\r\n"
    b"MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=M\r\n\r\n"
    b"--M\r\nContent-Type: multipart/alternative; boundary=A\r\n\r\n"
    b"--A\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: "
    b"quoted-printable\r\n\r\nGr=C3=BC=C3=9Fe\r\n\r\nAm 01.01.2023 schrieb X:\r\n> alt\r\n"
    b"--A\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<p>Gr\xc3\xbc\xc3\x9fe</p>\r\n--A--\r\n"
    b"--M\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment; "
    b"filename*=UTF-8''a%C3%A4.pdf\r\nContent-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQK\r\n"
    b"--M\r\nContent-Type: message/rfc822\r\n\r\nFrom: c@y.example\r\nSubject: fwd\r\n\r\nold\r\n"
    b"--M--\r\n",
    b"From MAILER-DAEMON Mon Jan  2 10:00:00 2023\r\nFrom: MAILER-DAEMON@mx.example\r\n"
    b"Content-Type: multipart/report; report-type=delivery-status; boundary=R\r\n\r\n"
    b"--R\r\nContent-Type: text/plain\r\n\r\nfailed\r\n--R\r\n"
    b"Content-Type: message/delivery-status\r\n\r\nStatus: 5.1.1\r\n--R--\r\n",
)


def corpus_files() -> list[Path]:
    """Every file under the corpus (README and COPYING included: they are bytes too)."""
    if not CORPUS.is_dir():
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"mail corpus missing at {CORPUS} (required under CI)")
        pytest.skip(f"mail corpus not available at {CORPUS}")
    return sorted(path for path in CORPUS.rglob("*") if path.is_file())


def seed_messages() -> list[bytes]:
    """Corpus .eml files (when present) plus the built-in seeds."""
    found = [p.read_bytes() for p in CORPUS.rglob("*.eml")] if CORPUS.is_dir() else []
    return [*SEEDS, *sorted(found)]
