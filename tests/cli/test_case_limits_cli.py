"""Found 12 through the CLI: far dates and oversized texts are refused with one line."""

from collections.abc import Callable
from typing import Any

import pytest

from helpdesk_tui.domain.activity import MAX_TEXT

Cli = Callable[..., Any]  # the `cli` fixture of conftest.py


def _create(cli: Cli, *extra: str) -> tuple[int, str, str]:
    result = cli(
        "case", "create", "--subject", "Limits", "--contact", "a@example.org",
        "--user", "alice", *extra,
    )  # fmt: skip
    return result.code, result.out, result.err


@pytest.mark.parametrize(
    ("option", "value"),
    [("--due", "0001-01-01"), ("--due", "9999-12-31"), ("--reminder", "0001-01-01")],
)
def test_far_dates_are_refused(cli: Cli, option: str, value: str) -> None:
    code, out, err = _create(cli, option, value)
    name = option.removeprefix("--")
    assert (code, out) == (1, "")
    assert err == f"error: {name} {value} is out of range (2000-01-01 to 2199-12-31)\n"


def test_edit_refuses_a_far_due_date(cli: Cli) -> None:
    number = _create(cli)[1].strip()
    result = cli("case", "edit", number, "--due", "9999-12-31")
    assert result.code == 1
    assert result.err.startswith("error: due 9999-12-31 is out of range")


def test_an_oversized_comment_is_refused(cli: Cli) -> None:
    number = _create(cli)[1].strip()
    result = cli("case", "comment", number, "x" * (MAX_TEXT + 1))
    assert result.code == 1
    assert result.err == f"error: the text is longer than {MAX_TEXT} characters ({MAX_TEXT + 1})\n"
    assert cli("case", "comment", number, "x" * MAX_TEXT).code == 0


def test_an_oversized_description_is_refused(cli: Cli) -> None:
    code, _, err = _create(cli, "--description", "d" * (MAX_TEXT + 1))
    assert code == 1
    assert err.startswith(f"error: the description is longer than {MAX_TEXT} characters")
