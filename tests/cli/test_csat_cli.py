"""CSAT on the command line (issue 15 §7): with `[csat] enabled`, `case close` queues the
closing mail with the rating request; `case show` says the customer's rating (plain line
and `"csat": {"rating", "at"}` in JSON, null without one)."""

import json
import os
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from helpdesk_tui.services.context import Context
from helpdesk_tui.storage.location import locate

Cli = Callable[..., Any]  # the `cli` fixture of conftest.py

CONFIG = """
[smtp]
host = "smtp.example.com"
port = 465
from = "Helpdesk Support <support@helpdesk.example>"

[csat]
enabled = true
request = "Rate case {case_number}: reply with 1 (poor) to 5 (excellent)."
"""


@pytest.fixture
def csat_cli(cli: Cli) -> Cli:
    config = Path(os.environ["HELPDESK_CONFIG"])
    config.write_text(config.read_text(encoding="utf-8") + CONFIG, encoding="utf-8")
    return cli


def _closed_case(cli: Cli) -> str:
    made = cli(
        "case", "create", "--subject", "Printer jam", "--contact", "kunde@acme.example",
        "--group", "billing",
    )  # fmt: skip
    assert made.code == 0, made.err
    number = str(made.out.strip())
    closed = cli("case", "close", number, "--resolution", "solved")
    assert closed.code == 0, closed.err
    assert "queued closing mail with the rating request to kunde@acme.example" in closed.out
    return number


def _rate(number: str, rating: int, at: datetime) -> None:
    from helpdesk_tui.domain.numbering import parse_case_number

    ctx = Context(locate(os.environ["HELPDESK_DB"]), clock=lambda: at)
    try:
        with ctx.uow() as uow:
            case = uow.cases.get(parse_case_number(number))
            draft = case.rate(at, rating)
            assert draft is not None
            uow.cases.save(case, None, at, [draft])
            uow.commit()
    finally:
        ctx.dispose()


def test_close_queues_the_closing_mail_with_the_request(csat_cli: Cli) -> None:
    number = _closed_case(csat_cli)
    (entry,) = json.loads(csat_cli("outbox", "--json").out)
    assert entry["kind"] == "closing"
    assert f"[#{number}]" in entry["subject"]
    shown = json.loads(csat_cli("case", "show", number, "--json").out)
    (mail,) = [a for a in shown["activities"] if a["kind"] == "mail_out"]
    assert (
        mail["text"].rstrip().endswith(f"Rate case {number}: reply with 1 (poor) to 5 (excellent).")
    )


def test_show_says_the_rating(csat_cli: Cli) -> None:
    number = _closed_case(csat_cli)
    shown = json.loads(csat_cli("case", "show", number, "--json").out)
    assert shown["csat"] is None
    assert "status" in shown
    assert "sla" in shown
    assert "csat" not in csat_cli("case", "show", number).out
    _rate(number, 4, datetime(2026, 12, 1, 9, 30, tzinfo=UTC))
    shown = json.loads(csat_cli("case", "show", number, "--json").out)
    assert shown["csat"] == {"rating": 4, "at": "2026-12-01T09:30:00.000Z"}
    assert shown["status"] == "closed"
    assert shown["activities"][-1]["changes"] == {"csat": [None, "4"]}
    plain = csat_cli("case", "show", number).out
    assert "  csat         4/5 (2026-12-01)" in plain.splitlines()


def test_without_csat_close_sends_nothing(cli: Cli) -> None:
    made = cli(
        "case", "create", "--subject", "Printer jam", "--contact", "kunde@acme.example",
        "--group", "billing",
    )  # fmt: skip
    closed = cli("case", "close", made.out.strip(), "--resolution", "solved")
    assert closed.code == 0, closed.err
    assert "closing mail" not in closed.out
