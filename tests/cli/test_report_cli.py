"""`helpdesk report kpi|sla|time` (issue 15 §6, §8) in-process on a small dataset made
through the CLI with HELPDESK_NOW moved by hand; expected numbers are computed here from
the rows the test made (the database read directly), never copied from the output."""

import csv
import io
import json
import os
import sqlite3
import statistics
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

Cli = Callable[..., Any]  # the `cli` fixture of conftest.py
MONDAY = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)

SLA = """
[calendar]
timezone = "UTC"
hours = "mon-fri 08:00-17:00"

[[sla.policies]]
name = "standard"
first_response = "4h"
resolution = "2d"
"""


def at(moment: datetime, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HELPDESK_NOW", moment.isoformat())


def db() -> sqlite3.Connection:
    return sqlite3.connect(os.environ["HELPDESK_DB"])


def ok(result: Any) -> Any:
    assert result.code == 0, result.err
    return result


@pytest.fixture
def desk(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> Iterator[Cli]:
    """Monday: 1 and 2 (billing), 3 (technical), 4 (alice) created; 1 answered after an
    hour and closed after 2 h, 2 answered after 6 h (breached) and closed on Tuesday;
    3 waits; time on 1, 3, 4 by alice and bob, some on Wednesday."""
    monkeypatch.setenv("TZ", "UTC")
    with open(os.environ["HELPDESK_CONFIG"], "a", encoding="utf-8") as config:
        config.write(SLA)
    at(MONDAY, monkeypatch)
    for subject, contact, target in (
        ("Drucker", "k@acme.de", ("--group", "billing")),
        ("Rechnung", "r@beta.de", ("--group", "billing")),
        ("VPN", "v@acme.de", ("--group", "technical")),
        ("Monitor", "m@gamma.de", ("--user", "alice")),
    ):
        ok(cli("case", "create", "--subject", subject, "--contact", contact, *target))
    at(MONDAY + timedelta(hours=1), monkeypatch)
    ok(cli("case", "comment", "0000001", "restart it", "--external", "--time", "0.5"))
    at(MONDAY + timedelta(hours=2), monkeypatch)
    ok(cli("case", "close", "0000001", "--resolution", "solved", as_="lena"))
    ok(cli("case", "comment", "0000003", "looking", "--time", "1.25", as_="bob"))
    at(MONDAY + timedelta(hours=6), monkeypatch)
    ok(cli("case", "comment", "0000002", "checking", "--external", as_="lena"))
    ok(cli("case", "comment", "0000004", "swap it", "--time", "0.75"))
    at(MONDAY + timedelta(days=1), monkeypatch)
    ok(cli("case", "close", "0000002", "--resolution", "solved", as_="lena"))
    ok(
        cli(
            "case",
            "status",
            "0000003",
            "waiting",
            "--comment",
            "photo",
            "--reminder",
            "+2d",
            as_="bob",
        )
    )
    at(MONDAY + timedelta(days=2), monkeypatch)
    ok(cli("case", "comment", "0000004", "swapped", "--time", "2"))
    ok(cli("case", "comment", "0000003", "still", "--time", "0.1", as_="bob"))
    at(MONDAY + timedelta(days=2, hours=3), monkeypatch)
    return cli


KPI_KEYS = [
    "open",
    "overdue",
    "unassigned",
    "waiting",
    "sla_at_risk",
    "sla_breached",
    "median_first_response_hours",
    "median_resolution_hours",
    "created_per_day",
    "closed_per_day",
]


def test_report_kpi_json_has_the_contract_keys_and_the_rows_values(desk: Cli) -> None:
    out = json.loads(ok(desk("report", "kpi", "--json", as_="lena")).out)
    assert list(out) == KPI_KEYS
    with db() as conn:
        rows = conn.execute(
            "SELECT status, delegated_user_id, created_at, closed_at, sla_first_response_at"
            " FROM cases"
        ).fetchall()
    stamp = datetime.fromisoformat
    assert out["open"] == sum(1 for r in rows if r[0] != "closed")
    assert out["waiting"] == sum(1 for r in rows if r[0] == "waiting")
    assert out["unassigned"] == sum(1 for r in rows if r[0] != "closed" and r[1] is None)
    resolution = [(stamp(r[3]) - stamp(r[2])).total_seconds() / 3600 for r in rows if r[3]]
    assert out["median_resolution_hours"] == pytest.approx(statistics.median(resolution), 0.01)
    first = [(stamp(r[4]) - stamp(r[2])).total_seconds() / 3600 for r in rows if r[4]]
    assert out["median_first_response_hours"] == pytest.approx(statistics.median(first), 0.01)
    days = [date.fromisoformat(d["day"]) for d in out["created_per_day"]]
    today = (MONDAY + timedelta(days=2)).date()
    assert days == [today - timedelta(days=n) for n in range(29, -1, -1)]
    created = {d["day"]: d["count"] for d in out["created_per_day"]}
    closed = {d["day"]: d["count"] for d in out["closed_per_day"]}
    assert created[MONDAY.date().isoformat()] == len(rows)
    assert sum(created.values()) == len(rows)
    assert closed[MONDAY.date().isoformat()] == 1
    assert closed[(MONDAY + timedelta(days=1)).date().isoformat()] == 1
    since = ok(desk("report", "kpi", "--json", "--since", "2026-12-01", as_="lena")).out
    assert [d["day"] for d in json.loads(since)["created_per_day"]] == ["2026-12-01", "2026-12-02"]


def test_report_kpi_group_filter_and_refusals(desk: Cli) -> None:
    billing = json.loads(ok(desk("report", "kpi", "--group", "billing", "--json")).out)
    # billing's cases and its members' (alice holds 0000004 and took 0000001)
    with db() as conn:
        expected = conn.execute(
            "SELECT count(*) FROM cases c WHERE c.status != 'closed' AND ("
            " c.delegated_group_id IN (SELECT id FROM groups WHERE name = 'billing')"
            " OR c.delegated_user_id IN (SELECT gm.agent_id FROM group_members gm"
            " JOIN groups g ON g.id = gm.group_id WHERE g.name = 'billing'))"
        ).fetchone()[0]
    assert billing["open"] == expected
    refused = desk("report", "kpi", "--group", "technical")
    assert refused.code == 1
    assert refused.err.strip() == "error: alice is no member of group 'technical'"
    unknown = desk("report", "kpi", "--group", "nope", as_="lena")
    assert (unknown.code, unknown.err.strip()) == (1, "error: no group 'nope'")
    bad = desk("report", "kpi", "--since", "yesterday-ish")
    assert bad.code == 2
    assert bad.err.startswith("error: ")


def test_report_sla_counts_outcomes_per_policy_and_clock(desk: Cli) -> None:
    out = json.loads(ok(desk("report", "sla", "--json", as_="lena")).out)
    assert out["since"] == (MONDAY + timedelta(days=2) - timedelta(days=29)).date().isoformat()
    [standard] = out["policies"]
    # 0000001 answered after 1 h (met), 0000002 after 6 h (> 4 h: breached); both resolved
    # within 2 working days (met).
    assert standard["policy"] == "standard"
    assert standard["first_response"] == {"met": 1, "breached": 1, "compliance": 50.0}
    assert standard["resolution"] == {"met": 2, "breached": 0, "compliance": 100.0}
    with db() as conn:
        breached_now = conn.execute(
            "SELECT count(*) FROM cases WHERE status != 'closed' AND sla_breach_at <= ?",
            [(MONDAY + timedelta(days=2, hours=3)).strftime("%Y-%m-%d %H:%M:%S")],
        ).fetchone()[0]
    assert standard["breached"] == breached_now
    text = ok(desk("report", "sla", as_="lena")).out
    assert "first_response" in text
    assert "50.0 %" in text


def expected_time(by: str, since: str | None = None, until: str | None = None) -> dict[str, float]:
    key = {
        "agent": "(SELECT username FROM agents u WHERE u.id = a.actor_id)",
        "case": "printf('%07d', c.number)",
        "type": "c.type",
        "account": "coalesce((SELECT name FROM accounts x WHERE x.id = c.account_id), '(none)')",
    }[by]
    where, params = "a.time_spent_centi IS NOT NULL", []
    if since:
        where += " AND a.at >= ?"
        params.append(since)
    if until:
        where += " AND a.at < ?"
        params.append(until)
    with db() as conn:
        rows = conn.execute(
            f"SELECT {key}, sum(a.time_spent_centi) FROM activities a"
            f" JOIN cases c ON c.id = a.case_id WHERE {where} GROUP BY 1",
            params,
        ).fetchall()
    return {str(k): v / 100 for k, v in rows}


@pytest.mark.parametrize("by", ["agent", "account", "case", "type"])
def test_report_time_totals_equal_the_sum_of_activity_time(desk: Cli, by: str) -> None:
    out = json.loads(ok(desk("report", "time", "--by", by, "--json")).out)
    assert {row["key"]: row["hours"] for row in out} == pytest.approx(expected_time(by))
    assert all(list(row) == ["key", "hours"] for row in out)
    table = list(csv.reader(io.StringIO(ok(desk("report", "time", "--by", by, "--csv")).out)))
    assert table[0] == ["key", "hours"]
    assert {k: float(h) for k, h in table[1:]} == pytest.approx(expected_time(by))


def test_report_time_since_and_until_are_whole_days(desk: Cli) -> None:
    wednesday = json.loads(ok(desk("report", "time", "--since", "2026-12-02", "--json")).out)
    assert {r["key"]: r["hours"] for r in wednesday} == pytest.approx(
        expected_time("agent", since="2026-12-02 00:00:00")
    )
    assert {r["key"]: r["hours"] for r in wednesday} == pytest.approx({"alice": 2.0, "bob": 0.1})
    monday = json.loads(ok(desk("report", "time", "--until", "2026-11-30", "--json")).out)
    assert {r["key"]: r["hours"] for r in monday} == pytest.approx(
        expected_time("agent", until="2026-12-01 00:00:00")
    )
    plain = ok(desk("report", "time", "--by", "type")).out.splitlines()
    assert plain[0].split() == ["type", "hours"]
    assert plain[-1].split() == ["total", f"{sum(expected_time('type').values()):.2f}"]
    both = desk("report", "time", "--json", "--csv")
    assert both.code == 2
    backwards = desk("report", "time", "--since", "2026-12-02", "--until", "2026-12-01")
    assert backwards.code == 2
