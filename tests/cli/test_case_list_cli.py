"""`case list` (issue 12, findings 2 and 14): a view AND a query, a cut list says so,
`--limit 0` streams everything, unknown users and groups in a query are refused."""

import json
from collections.abc import Callable
from typing import Any

import pytest

Cli = Callable[..., Any]  # the `cli` fixture of conftest.py


def _create(cli: Cli, subject: str, *extra: str, user: str = "alice") -> str:
    result = cli(
        "case", "create", "--subject", subject, "--contact", "k@acme.example",
        "--user", user, *extra,
    )  # fmt: skip
    assert result.code == 0, result.err
    return str(result.out.strip())


def _numbers(cli: Cli, *args: str, as_: str = "alice") -> list[str]:
    result = cli("case", "list", *args, "--json", as_=as_)
    assert result.code == 0, result.err
    return [case["number"] for case in json.loads(result.out)]


@pytest.fixture
def three(cli: Cli) -> Cli:
    """0000001 alice's (closed), 0000002 alice's, 0000003 bob's."""
    _create(cli, "Drucker streikt")
    assert cli("case", "close", "0000001", "--resolution", "solved").code == 0
    _create(cli, "Rechnung doppelt")
    _create(cli, "VPN weg", user="bob")
    return cli


def test_closed_view_and_status_open_lists_nothing(three: Cli) -> None:
    assert _numbers(three, "--view", "closed", "--query", "status:open") == []
    assert _numbers(three, "--view", "closed") == ["0000001"]


def test_my_cases_and_another_user_list_nothing(three: Cli) -> None:
    assert _numbers(three, "--view", "mine", "--query", "@bob") == []
    assert _numbers(three, "--view", "all", "--query", "@bob") == ["0000003"]


def test_a_number_comes_first(three: Cli) -> None:
    for text in ("3", "0000003", "#3"):
        assert _numbers(three, "--query", text)[0] == "0000003"


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("@zed", "error: unknown user @zed in the query\n"),
        ("prio:high group:nobody", "error: unknown group nobody in the query\n"),
    ],
)
def test_unknown_names_in_a_query_are_refused(three: Cli, query: str, message: str) -> None:
    result = three("case", "list", "--query", query, "--json")
    assert (result.code, result.out, result.err) == (1, "", message)


def test_a_cut_list_says_so_on_stderr(three: Cli) -> None:
    result = three("case", "list", "--view", "all", "--limit", "2")
    assert result.code == 0
    assert result.err == "showing 2 of 3 (use --limit)\n"
    assert len(result.out.splitlines()) == 3  # header and two rows
    whole = three("case", "list", "--view", "all", "--limit", "3")
    assert whole.err == ""


def test_a_cut_json_list_stays_json_and_says_so_on_stderr(three: Cli) -> None:
    result = three("case", "list", "--view", "all", "--limit", "1", "--json")
    assert len(json.loads(result.out)) == 1
    assert result.err == "showing 1 of 3 (use --limit)\n"


def test_limit_zero_lists_all_the_same_as_a_big_limit(three: Cli) -> None:
    for extra in ((), ("--json",)):
        streamed = three("case", "list", "--view", "all", "--limit", "0", *extra)
        whole = three("case", "list", "--view", "all", "--limit", "100", *extra)
        assert streamed.code == 0
        assert streamed.out == whole.out
        assert streamed.err == ""


def test_limit_zero_on_nothing(three: Cli) -> None:
    assert three("case", "list", "--view", "waiting", "--limit", "0", "--json").out == "[]\n"
    assert three("case", "list", "--view", "waiting", "--limit", "0").out == "(no cases)\n"


def test_limits_above_ten_thousand_are_allowed(three: Cli) -> None:
    assert three("case", "list", "--limit", "20000").code == 0
    assert three("case", "list", "--limit", "-1").code == 2


def test_limit_zero_streams_in_pages(three: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    import helpdesk_tui.cli.case as case_cli

    monkeypatch.setattr(case_cli, "STREAM_PAGE", 1)  # one row a page: the paging is walked
    assert _numbers(three, "--view", "all", "--limit", "0") == ["0000001", "0000002", "0000003"]
    text = three("case", "list", "--view", "all", "--limit", "0").out.splitlines()
    assert [line.split()[0] for line in text] == ["NUMBER", "0000001", "0000002", "0000003"]
