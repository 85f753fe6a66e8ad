"""`case show` with an SLA (DATE-3, issue 15 §6): `"sla"` in the JSON exactly as CLI.md
says, null without a policy; the plain output says the two clocks in one line each. Time
moves by HELPDESK_NOW."""

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

Cli = Callable[..., Any]  # the `cli` fixture of tests/cli/conftest.py

SLA_CONFIG = """
[calendar]
timezone = "UTC"
hours = "mon-fri 08:00-17:00"

[[sla.policies]]
name = "Standard"
first_response = "4h"
resolution = "2d"
"""


def with_sla(monkeypatch: pytest.MonkeyPatch) -> None:
    config = Path(__import__("os").environ["HELPDESK_CONFIG"])
    config.write_text(config.read_text(encoding="utf-8") + SLA_CONFIG, encoding="utf-8")


def create(cli: Cli) -> str:
    made = cli(
        "case", "create", "--subject", "Printer jam", "--contact", "kunde@acme.example",
        "--group", "billing", "--json",
    )  # fmt: skip
    assert made.code == 0, made.err
    return str(json.loads(made.out)["number"])


def test_without_a_policy_sla_is_null(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    number = create(cli)
    shown = json.loads(cli("case", "show", number, "--json").out)
    assert shown["sla"] is None
    plain = cli("case", "show", number).out
    assert "first response" not in plain


def test_sla_json_follows_the_clocks(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    with_sla(monkeypatch)
    monkeypatch.setenv("HELPDESK_NOW", "2026-11-23T09:00:00Z")  # a Monday
    number = create(cli)
    shown = json.loads(cli("case", "show", number, "--json").out)
    assert shown["sla"] == {
        "policy": "Standard",
        "first_response_due": "2026-11-23T13:00:00.000Z",
        "first_response_at": None,
        "resolution_due": "2026-11-25T09:00:00.000Z",
        "paused": False,
        "breached": [],
    }
    monkeypatch.setenv("HELPDESK_NOW", "2026-11-23T14:00:00Z")
    late = json.loads(cli("case", "show", number, "--json").out)["sla"]
    assert late["breached"] == ["first_response"]
    done = cli("case", "comment", number, "Restarted it remotely.", "--external")
    assert done.code == 0, done.err
    monkeypatch.setenv("HELPDESK_NOW", "2026-11-23T15:00:00Z")
    done = cli(
        "case", "status", number, "waiting", "--comment", "logs from the customer",
        "--reminder", "2026-11-24",
    )  # fmt: skip
    assert done.code == 0, done.err
    sla = json.loads(cli("case", "show", number, "--json").out)["sla"]
    assert sla["first_response_at"] == "2026-11-23T14:00:00.000Z"
    assert sla["paused"] is True
    assert sla["resolution_due"] is None
    assert sla["breached"] == ["first_response"]


def test_plain_show_says_each_clock_in_one_line(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    with_sla(monkeypatch)
    monkeypatch.setenv("HELPDESK_NOW", "2026-11-23T09:00:00Z")
    number = create(cli)
    monkeypatch.setenv("HELPDESK_NOW", "2026-11-23T10:50:00Z")
    lines = cli("case", "show", number).out.splitlines()
    assert "  sla          Standard" in lines
    assert "  first response 2h10m left (due Mon 23 Nov 13:00)" in lines
    assert "  resolution   1d7h left (due Wed 25 Nov 09:00)" in lines  # a day is 9 h


def test_case_list_sla_views_judge_by_helpdesk_now(
    cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    with_sla(monkeypatch)
    monkeypatch.setenv("HELPDESK_NOW", "2026-11-23T09:00:00Z")
    number = create(cli)

    def listed(view: str) -> list[str]:
        done = cli("case", "list", "--view", view, "--json")
        assert done.code == 0, done.err
        return [case["number"] for case in json.loads(done.out)]

    monkeypatch.setenv("HELPDESK_NOW", "2026-11-23T12:30:00Z")  # 3.5 h of 4 h used
    assert listed("sla_at_risk") == [number]
    assert listed("sla_breached") == []
    monkeypatch.setenv("HELPDESK_NOW", "2026-11-23T13:30:00Z")
    assert listed("sla_at_risk") == []
    assert listed("sla_breached") == [number]
