"""The `helpdesk case` contract of CLI.md: JSON shapes, the `error:` line, exit codes."""

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

Cli = Callable[..., Any]  # the `cli` fixture of conftest.py

CASE_KEYS = {
    "number",
    "subject",
    "type",
    "status",
    "priority",
    "resolution",
    "duplicate_of",
    "delegated_user",
    "delegated_group",
    "owner",
    "contact",
    "account",
    "initiator",
    "due",
    "reminder",
    "parent",
    "created_at",
    "updated_at",
    "version",
}
ACTIVITY_KEYS = {"kind", "actor", "at", "internal", "text", "changes", "time_spent"}


def _today() -> datetime:
    return datetime.now(UTC)


def _create(cli: Cli, subject: str = "Rechnung doppelt abgebucht", *extra: str) -> dict:
    result = cli(
        "case",
        "create",
        "--subject",
        subject,
        "--contact",
        "kunde@acme.de",
        "--group",
        "billing",
        *extra,
        "--json",
    )
    assert result.code == 0, result.err
    return json.loads(result.out)


def _refused(result, message: str, code: int = 1) -> None:
    assert result.code == code
    assert result.err == f"error: {message}\n"


def test_create_prints_the_case_json_with_defaults(cli: Cli) -> None:
    case = _create(cli)
    assert set(case) == CASE_KEYS
    today = _today().date()
    assert case["number"] == "0000001"
    assert case["status"] == "open"
    assert case["type"] == "ticket"
    assert case["priority"] == "normal"
    assert case["delegated_group"] == "billing"
    assert case["delegated_user"] is None
    assert case["initiator"] == "alice"
    assert case["contact"] == {"email": "kunde@acme.de", "name": ""}
    assert case["due"] == (today + timedelta(days=14)).isoformat()
    assert case["reminder"] == (today + timedelta(days=7)).isoformat()
    assert case["created_at"].endswith("Z")
    assert case["version"] == 1
    assert _create(cli, "Zweiter Fall")["number"] == "0000002"


def test_create_needs_exactly_one_delegate(cli: Cli) -> None:
    both = cli(
        "case",
        "create",
        "--subject",
        "x",
        "--contact",
        "a@b.de",
        "--user",
        "bob",
        "--group",
        "billing",
    )
    _refused(both, "give exactly one of --user or --group", code=2)
    neither = cli("case", "create", "--subject", "x", "--contact", "a@b.de")
    assert neither.code == 2


def test_create_refuses_reminder_after_due(cli: Cli) -> None:
    result = cli(
        "case",
        "create",
        "--subject",
        "x",
        "--contact",
        "a@b.de",
        "--user",
        "bob",
        "--due",
        "2030-01-10",
        "--reminder",
        "2030-01-11",
    )
    _refused(result, "reminder 2030-01-11 is after due 2030-01-10")
    assert json.loads(cli("case", "list", "--view", "all", "--json").out) == []


def test_unparseable_values_are_usage_errors(cli: Cli) -> None:
    _create(cli)
    assert cli("case", "edit", "0000001", "--due", "tomorrow-ish").code == 2
    assert cli("case", "status", "0000001", "sleeping").code == 2
    assert cli("case", "show", "12x").code == 2
    assert cli("case", "close", "0000001", "--resolution", "fixed").code == 2


def test_list_views_and_query(cli: Cli) -> None:
    _create(cli, "Rechnung falsch", "--priority", "high")
    _create(cli, "Gutschrift fehlt")
    urgent = cli(
        "case",
        "create",
        "--subject",
        "Server down",
        "--contact",
        "ops@acme.de",
        "--user",
        "bob",
        "--priority",
        "urgent",
        "--due",
        "+1d",
        "--json",
    )
    assert urgent.code == 0
    listed = json.loads(cli("case", "list", "--json").out)
    assert all(set(c) == CASE_KEYS for c in listed)
    assert [c["number"] for c in listed] == ["0000003", "0000001", "0000002"]  # due order
    mine = json.loads(cli("case", "list", "--view", "mine", "--json", as_="bob").out)
    assert [c["number"] for c in mine] == ["0000003"]
    groups = json.loads(cli("case", "list", "--view", "groups", "--json").out)
    assert [c["number"] for c in groups] == ["0000001", "0000002"]
    high = cli("case", "list", "--query", "prio:high,urgent group:billing", "--json")
    assert [c["number"] for c in json.loads(high.out)] == ["0000001"]
    words = cli("case", "list", "--query", "gutschrift", "--json")
    assert [c["number"] for c in json.loads(words.out)] == ["0000002"]
    limited = cli("case", "list", "--limit", "1", "--json")
    assert len(json.loads(limited.out)) == 1


def test_list_refusals_are_one_line(cli: Cli) -> None:
    bad_query = cli("case", "list", "--query", "colour:red", "--json")
    assert bad_query.code == 2
    assert bad_query.out == ""
    assert bad_query.err.count("\n") == 1
    assert bad_query.err.startswith("error: unknown filter 'colour:'")
    bad_view = cli("case", "list", "--view", "everything")
    assert bad_view.code == 2
    assert bad_view.err.startswith("error: unknown view 'everything'")


def test_show_json_has_sub_cases_and_activities(cli: Cli) -> None:
    _create(cli)
    sub = cli(
        "case",
        "create",
        "--subject",
        "Prüfung Buchhaltung",
        "--contact",
        "kunde@acme.de",
        "--group",
        "billing",
        "--parent",
        "0000001",
    )
    assert sub.out == "0000001-001\n"
    assert cli("case", "comment", "0000001", "Kunde angerufen", "--time", "0.25").code == 0
    shown = json.loads(cli("case", "show", "0000001", "--json").out)
    assert set(shown) >= CASE_KEYS | {"sub_cases", "activities"}
    assert [s["number"] for s in shown["sub_cases"]] == ["0000001-001"]
    assert shown["sub_cases"][0]["parent"] == "0000001"
    kinds = [a["kind"] for a in shown["activities"]]
    assert kinds == ["created", "sub_case", "comment"]
    assert all(set(a) == ACTIVITY_KEYS for a in shown["activities"])
    assert shown["activities"][2]["time_spent"] == 0.25
    assert shown["time_spent_total"] == 0.25


def test_show_unknown_case(cli: Cli) -> None:
    _refused(cli("case", "show", "0000099"), "no case 0000099")


def test_assign_to_me_and_conflict(cli: Cli) -> None:
    _create(cli)
    won = cli("case", "assign", "0000001", "--me", as_="lena")
    assert won.code == 0
    assert won.out == "0000001 assigned to lena\n"
    _refused(cli("case", "assign", "0000001", "--me"), "0000001 is already assigned to lena")
    case = json.loads(cli("case", "show", "0000001", "--json").out)
    assert case["delegated_user"] == "lena"
    assert case["delegated_group"] is None
    assert case["version"] == 2
    change = case["activities"][-1]
    assert change["kind"] == "delegation"
    assert change["changes"] == {
        "delegated_user": [None, "lena"],
        "delegated_group": ["billing", None],
    }


def test_assign_handover_with_comment(cli: Cli) -> None:
    _create(cli)
    result = cli("case", "assign", "0000001", "--user", "bob", "--comment", "Bitte übernehmen")
    assert result.code == 0
    case = json.loads(cli("case", "show", "0000001", "--json").out)
    assert case["delegated_user"] == "bob"
    assert case["activities"][-1]["text"] == "Bitte übernehmen"
    assert cli("case", "assign", "0000001", "--me", "--user", "bob").code == 2
    _refused(cli("case", "assign", "0000001", "--user", "nobody"), "unknown user 'nobody'")


def test_waiting_needs_comment_and_reminder(cli: Cli) -> None:
    _create(cli)
    _refused(
        cli("case", "status", "0000001", "waiting", "--reminder", "+3d"),
        "waiting needs a comment: what is awaited, from whom, until when",
    )
    _refused(
        cli("case", "status", "0000001", "waiting", "--comment", "Screenshot"),
        "waiting needs a reminder date",
    )
    ok = cli(
        "case",
        "status",
        "0000001",
        "waiting",
        "--comment",
        "Screenshot vom Kunden",
        "--reminder",
        "+3d",
    )
    assert ok.code == 0
    case = json.loads(cli("case", "show", "0000001", "--json").out)
    assert case["status"] == "waiting"
    assert case["reminder"] == (_today().date() + timedelta(days=3)).isoformat()
    # ASSIGN-3: alice is a billing member; her process action made the case hers
    assert case["delegated_user"] == "alice"


def test_close_rules_and_cascade(cli: Cli) -> None:
    _create(cli)
    for subject in ("Prüfung Buchhaltung", "Rückfrage Entwicklung"):
        cli(
            "case",
            "create",
            "--subject",
            subject,
            "--contact",
            "kunde@acme.de",
            "--group",
            "billing",
            "--parent",
            "0000001",
        )
    _refused(
        cli("case", "close", "0000001", "--resolution", "solved"),
        "cannot close 0000001: sub-case 0000001-001 is still open",
    )
    _refused(
        cli("case", "close", "0000001-001", "--resolution", "duplicate"),
        "a duplicate must name the original case",
    )
    first = cli("case", "close", "0000001-001", "--resolution", "solved")
    assert first.out == "closed 0000001-001 (solved)\n"
    last = cli("case", "close", "0000001-002", "--resolution", "solved", "--close-parent")
    assert last.code == 0
    assert last.out == "closed 0000001-002 (solved)\nclosed 0000001 (solved)\n"
    parent = json.loads(cli("case", "show", "0000001", "--json").out)
    assert parent["status"] == "closed"
    assert parent["resolution"] == "solved"


def test_close_last_sub_case_offers_the_parent(cli: Cli) -> None:
    _create(cli)
    cli(
        "case",
        "create",
        "--subject",
        "Teil",
        "--contact",
        "k@acme.de",
        "--group",
        "billing",
        "--parent",
        "0000001",
    )
    result = cli("case", "close", "0000001-001", "--resolution", "solved")
    assert "0000001 has no open sub-cases left" in result.out
    parent = json.loads(cli("case", "show", "0000001", "--json").out)
    assert parent["status"] == "open"


def test_duplicate_names_the_original(cli: Cli) -> None:
    _create(cli)
    _create(cli, "Nochmal: Rechnung doppelt")
    result = cli(
        "case", "close", "0000002", "--resolution", "duplicate", "--duplicate-of", "0000001"
    )
    assert result.code == 0
    case = json.loads(cli("case", "show", "0000002", "--json").out)
    assert (case["resolution"], case["duplicate_of"]) == ("duplicate", "0000001")


def test_closed_case_is_read_only_and_reopen_is_role_gated(cli: Cli) -> None:
    _create(cli)
    assert cli("case", "close", "0000001", "--resolution", "deferred").code == 0
    _refused(
        cli("case", "edit", "0000001", "--subject", "neu"),
        "cannot edit 0000001: the case is closed",
    )
    _refused(cli("case", "assign", "0000001", "--me"), "cannot assign 0000001: the case is closed")
    _refused(
        cli("case", "status", "0000001", "open"),
        "cannot change the status of 0000001: the case is closed",
    )
    _refused(cli("case", "reopen", "0000001"), "only admin, lead may change status closed → open")
    reopened = cli("case", "reopen", "0000001", "--comment", "Kunde meldet sich erneut", as_="lena")
    assert reopened.out == "reopened 0000001\n"
    case = json.loads(cli("case", "show", "0000001", "--json").out)
    assert (case["status"], case["resolution"]) == ("open", None)


def test_edit_records_old_and_new(cli: Cli) -> None:
    _create(cli)
    result = cli(
        "case",
        "edit",
        "0000001",
        "--subject",
        "Rechnung RE-1 doppelt",
        "--priority",
        "high",
        "--owner",
        "lena",
    )
    assert result.out == "updated 0000001\n"
    case = json.loads(cli("case", "show", "0000001", "--json").out)
    assert case["owner"] == "lena"
    assert case["activities"][-1]["changes"] == {
        "subject": ["Rechnung doppelt abgebucht", "Rechnung RE-1 doppelt"],
        "priority": ["normal", "high"],
        "owner": [None, "lena"],
    }
    assert cli("case", "edit", "0000001").code == 2


def test_external_comment_and_time(cli: Cli) -> None:
    _create(cli)
    assert cli("case", "comment", "0000001", "Wir prüfen das.", "--external").code == 0
    assert cli("case", "comment", "0000001", "x", "--time", "0.001").code == 2
    case = json.loads(cli("case", "show", "0000001", "--json").out)
    external = case["activities"][-1]
    assert (external["kind"], external["internal"]) == ("external", False)


def test_delete_needs_yes_and_a_lead(cli: Cli) -> None:
    _create(cli)
    _refused(cli("case", "delete", "0000001"), "deleting a case needs --yes", code=2)
    _refused(cli("case", "delete", "0000001", "--yes"), "only admin, lead may delete cases")
    assert cli("case", "delete", "0000001", "--yes", as_="lena").out == "deleted 0000001\n"
    _refused(cli("case", "show", "0000001"), "no case 0000001")
    assert _create(cli)["number"] == "0000002"  # numbers are never reused


def test_unknown_acting_user(cli: Cli) -> None:
    _refused(cli("case", "list", as_="zed"), "unknown user 'zed'")
    _refused(
        cli("case", "create", "--subject", "x", "--contact", "a@b.de", "--user", "bob", as_="zed"),
        "unknown user 'zed'",
    )
