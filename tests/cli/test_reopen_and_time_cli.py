"""Issue 12: `case reopen` gives new dates (`--due`/`--reminder`, defaults today + the
configured days); `--time` takes 1.5, 1,5, 90m, 1h30, 1:30."""

import json
from collections.abc import Callable
from typing import Any

import pytest

Cli = Callable[..., Any]  # the `cli` fixture of conftest.py


def _closed_case(cli: Cli) -> None:
    created = cli(
        "case", "create", "--subject", "Drucker", "--contact", "k@acme.de", "--group", "billing"
    )
    assert created.code == 0, created.err
    assert cli("case", "close", "0000001", "--resolution", "solved").code == 0


def _show(cli: Cli) -> dict:
    return json.loads(cli("case", "show", "0000001", "--json").out)


def test_reopen_sets_today_plus_the_configured_days(
    cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HELPDESK_NOW", "2026-11-23T09:00:00+00:00")
    _closed_case(cli)
    assert _show(cli)["due"] == "2026-12-07"
    monkeypatch.setenv("HELPDESK_NOW", "2027-01-19T09:00:00+00:00")  # the due is 43 d past
    result = cli("case", "reopen", "0000001", as_="lena")
    assert (result.code, result.out) == (0, "reopened 0000001\n")
    case = _show(cli)
    assert (case["status"], case["due"], case["reminder"]) == ("open", "2027-02-02", "2027-01-26")
    overdue = json.loads(cli("case", "list", "--view", "overdue", "--json").out)
    assert overdue == []


def test_reopen_with_dates_and_a_refusal_in_one_line(
    cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HELPDESK_NOW", "2026-11-23T09:00:00+00:00")
    _closed_case(cli)
    refused = cli("case", "reopen", "0000001", "--due", "+10d", "--reminder", "+20d", as_="lena")
    assert refused.code == 1
    assert refused.err == "error: reminder 2026-12-13 is after due 2026-12-03\n"
    assert _show(cli)["status"] == "closed"
    done = cli("case", "reopen", "0000001", "--due", "2027-01-15", "--reminder", "+3d", as_="lena")
    assert done.code == 0
    case = _show(cli)
    assert (case["due"], case["reminder"]) == ("2027-01-15", "2026-11-26")


@pytest.mark.parametrize(
    ("typed", "hours"),
    [("1.5", 1.5), ("1,5", 1.5), ("90m", 1.5), ("1h30", 1.5), ("1:30", 1.5), ("45m", 0.75)],
)
def test_time_takes_the_usual_forms(cli: Cli, typed: str, hours: float) -> None:
    cli("case", "create", "--subject", "Drucker", "--contact", "k@acme.de", "--group", "billing")
    result = cli("case", "comment", "0000001", "angerufen", "--time", typed)
    assert result.code == 0, result.err
    assert _show(cli)["activities"][-1]["time_spent"] == hours


def test_time_refusal_says_what_is_accepted(cli: Cli) -> None:
    cli("case", "create", "--subject", "Drucker", "--contact", "k@acme.de", "--group", "billing")
    result = cli("case", "comment", "0000001", "angerufen", "--time", "1x")
    assert result.code == 2  # a value that cannot be read is a usage error
    assert result.err == "error: not a time spent: '1x' (e.g. 1.5, 1,5, 90m, 1h30, 1:30)\n"


def test_waiting_moves_the_due_with_the_status(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HELPDESK_NOW", "2026-11-23T09:00:00+00:00")
    cli("case", "create", "--subject", "Drucker", "--contact", "k@acme.de", "--group", "billing")
    wait = ("case", "status", "0000001", "waiting", "--comment", "Teile", "--reminder", "+27d")
    refused = cli(*wait)
    assert (refused.code, refused.err) == (
        1,
        "error: reminder 2026-12-20 is after due 2026-12-07\n",
    )
    done = cli(*wait, "--due", "2026-12-31")
    assert (done.code, done.out) == (0, "0000001 is now waiting\n")
    case = _show(cli)
    assert (case["status"], case["reminder"], case["due"]) == (
        "waiting",
        "2026-12-20",
        "2026-12-31",
    )
