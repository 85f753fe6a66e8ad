"""HELPDESK_NOW sets "now" for every command (OPS-5): planning, and time-based tests."""

import json
from collections.abc import Callable
from typing import Any

import pytest

Cli = Callable[..., Any]  # the `cli` fixture of tests/cli/conftest.py


def test_relative_dates_and_stamps_follow_helpdesk_now(
    cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HELPDESK_NOW", "2031-03-10T23:30:00-02:00")  # 2031-03-11 01:30 UTC
    made = cli(
        "case", "create", "--subject", "Planning", "--contact", "kunde@acme.example",
        "--group", "billing", "--due", "+3d", "--json",
    )  # fmt: skip
    assert made.code == 0, made.err
    case = json.loads(made.out)
    assert case["created_at"].startswith("2031-03-11T01:30:00")
    assert case["due"] == "2031-03-14"


@pytest.mark.parametrize("value", ["tomorrow", "2031-13-01T00:00:00", "9999-01-01T00:00:00Z"])
def test_a_bad_helpdesk_now_is_one_error_line(
    cli: Cli, monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    monkeypatch.setenv("HELPDESK_NOW", value)
    done = cli(
        "case", "create", "--subject", "Planning", "--contact", "kunde@acme.example",
        "--group", "billing",
    )  # fmt: skip
    assert done.code == 1
    assert done.err.startswith("error: HELPDESK_NOW")
    assert done.err.count("\n") == 1
