"""`helpdesk activity` (issue 13, CLI.md): the feed's JSON shape, scopes, filters."""

import json
from collections.abc import Callable
from typing import Any

import pytest

Cli = Callable[..., Any]  # the `cli` fixture of conftest.py


@pytest.fixture
def desk(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> Cli:
    """0000001 alice's, 0000002 bob's (he commented, then it waits), 0000003 billing's."""
    monkeypatch.setenv("HELPDESK_NOW", "2026-12-01T09:00:00+00:00")
    for subject, target in (("Drucker", "alice"), ("VPN", "bob")):
        made = cli(
            "case", "create", "--subject", subject, "--contact", "k@acme.de", "--user", target
        )
        assert made.code == 0, made.err
    made = cli(
        "case", "create", "--subject", "Rechnung", "--contact", "k@acme.de", "--group", "billing"
    )
    assert made.code == 0, made.err
    monkeypatch.setenv("HELPDESK_NOW", "2026-12-03T09:00:00+00:00")
    assert cli("case", "comment", "0000002", "asked @alice", "--time", "0.25", as_="bob").code == 0
    monkeypatch.setenv("HELPDESK_NOW", "2026-12-04T09:00:00+00:00")
    waiting = cli(
        "case",
        "status",
        "0000002",
        "waiting",
        "--comment",
        "customer",
        "--reminder",
        "+2d",
        as_="bob",
    )
    assert waiting.code == 0, waiting.err
    monkeypatch.setenv("HELPDESK_NOW", "2026-12-05T09:00:00+00:00")
    return cli


def _feed(cli: Cli, *args: str, as_: str = "alice") -> list[dict[str, Any]]:
    result = cli("activity", *args, "--json", as_=as_)
    assert result.code == 0, result.err
    return json.loads(result.out)


def test_json_is_the_case_show_activity_plus_case_and_subject(desk: Cli) -> None:
    rows = _feed(desk, "--scope", "all", as_="lena")
    shown = json.loads(desk("case", "show", "0000002", "--json").out)["activities"]
    newest_first = [r for r in rows if r["case"] == "0000002"]
    assert [{k: v for k, v in r.items() if k not in ("case", "subject")} for r in newest_first] == (
        shown[::-1]
    )
    assert {r["subject"] for r in newest_first} == {"VPN"}
    assert list(rows[0]) == [
        "kind", "actor", "at", "internal", "text", "changes", "time_spent", "case", "subject"
    ]  # fmt: skip
    assert rows[0]["case"] == "0000002"
    assert rows[0]["kind"] == "status"
    assert rows[0]["changes"]["status"] == ["open", "waiting"]


def test_scopes(desk: Cli) -> None:
    assert {r["case"] for r in _feed(desk)} == {"0000001"}  # mine is the default
    assert {r["case"] for r in _feed(desk, "--scope", "groups")} == {"0000001", "0000003"}
    assert {r["case"] for r in _feed(desk, "--scope", "mine", as_="bob")} == {"0000002"}
    assert {r["case"] for r in _feed(desk, "--scope", "all", as_="lena")} == {
        "0000001", "0000002", "0000003"
    }  # fmt: skip


def test_an_agent_is_refused_the_whole_desk_in_one_line(desk: Cli) -> None:
    result = desk("activity", "--scope", "all", "--json")
    assert result.code == 1
    assert result.out == ""
    assert result.err.startswith("error: only leads and admins see all activity")
    assert len(result.err.splitlines()) == 1


def test_filters(desk: Cli) -> None:
    by_bob = _feed(desk, "--scope", "all", "--by", "bob", as_="lena")
    assert [(r["case"], r["kind"]) for r in by_bob] == [
        ("0000002", "status"),
        ("0000002", "comment"),
    ]
    comments = _feed(desk, "--scope", "all", "--kind", "comment", as_="lena")
    assert [(r["text"], r["time_spent"]) for r in comments] == [("asked @alice", 0.25)]
    assert [r["kind"] for r in _feed(desk, "--scope", "all", "--since", "2d", as_="lena")] == [
        "status",
        "comment",
    ]  # fmt: skip — since 12-03 09:00 (now is 12-05 09:00)
    assert len(_feed(desk, "--scope", "all", "--since", "2026-12-04", as_="lena")) == 1
    one_case = _feed(desk, "--scope", "all", "--case", "2", as_="lena")
    assert {r["case"] for r in one_case} == {"0000002"}
    assert len(one_case) == 3
    assert len(_feed(desk, "--scope", "all", "--limit", "2", as_="lena")) == 2


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (("--kind", "gossip"), 2, "error: unknown kind 'gossip'"),
        (("--since", "soon"), 2, "error: not a time: 'soon'"),
        (("--scope", "team"), 1, "error: unknown scope 'team'"),
        (("--by", "nobody"), 1, "error: unknown user @nobody"),
        (("--case", "99"), 1, "error: no case 0000099"),
    ],
)
def test_bad_options_in_one_line(desk: Cli, args: tuple[str, ...], code: int, message: str) -> None:
    result = desk("activity", *args)
    assert (result.code, result.out) == (code, "")
    assert result.err.startswith(message)
    assert len(result.err.splitlines()) == 1


def test_plain_output_one_line_per_entry(desk: Cli) -> None:
    result = desk("activity", "--scope", "mine", as_="bob")
    lines = result.out.splitlines()
    assert len(lines) == 3
    assert "0000002" in lines[0]
    assert "open → waiting: customer" in lines[0]
    assert desk("activity", "--since", "1h").out == "(no activity)\n"
