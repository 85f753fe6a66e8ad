"""`helpdesk init`, `config check`, and how global options and env vars are resolved."""

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from helpdesk_tui.cli.main import app
from helpdesk_tui.config import Settings, canned_responses
from helpdesk_tui.domain.templates import check_template
from helpdesk_tui.storage.migrate import head_revision
from helpdesk_tui.storage.schema import SCHEMA_HEAD

Cli = Callable[..., Any]


def _run(*args: str) -> Any:
    return CliRunner().invoke(app, list(args))


def test_schema_head_constant_matches_the_migrations() -> None:
    assert head_revision() == SCHEMA_HEAD


def test_init_bootstraps_the_first_admin_and_is_idempotent(isolated: Path) -> None:
    db = str(isolated / "hd.sqlite")
    first = _run("--db", db, "--as", "greta", "init")
    assert first.exit_code == 0
    assert first.stdout.splitlines() == [
        "created admin user 'greta'",
        f"database ready: {db} (schema {SCHEMA_HEAD})",
    ]
    again = _run("--db", db, "--as", "greta", "init")
    assert again.stdout.splitlines() == [f"database ready: {db} (schema {SCHEMA_HEAD})"]
    created = _run(
        "--db",
        db,
        "--as",
        "greta",
        "case",
        "create",
        "--subject",
        "Test",
        "--contact",
        "x@example.org",
        "--user",
        "greta",
    )
    assert created.stdout == "0000001\n"


def test_default_database_lives_in_the_user_data_dir(isolated: Path) -> None:
    assert _run("--as", "greta", "init").exit_code == 0
    assert (isolated / "xdg-data" / "helpdesk-tui" / "helpdesk.sqlite").exists()


def test_env_vars_choose_database_and_user(isolated: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = isolated / "env.sqlite"
    monkeypatch.setenv("HELPDESK_DB", str(db))
    monkeypatch.setenv("HELPDESK_USER", "omar")
    assert _run("init").stdout.startswith("created admin user 'omar'")
    assert (
        _run("case", "create", "--subject", "x", "--contact", "a@b.de", "--user", "omar").exit_code
        == 0
    )
    listed = json.loads(_run("case", "list", "--view", "mine", "--json").stdout)
    assert [c["delegated_user"] for c in listed] == ["omar"]
    assert db.exists()


def test_config_file_supplies_database_and_user(isolated: Path) -> None:
    config = isolated / "c.toml"
    config.write_text(f'database = "{isolated / "cfg.sqlite"}"\nuser = "pia"\n')
    assert _run("--config", str(config), "init").stdout.startswith("created admin user 'pia'")
    assert (isolated / "cfg.sqlite").exists()


def test_config_check_defaults_and_a_good_file(isolated: Path) -> None:
    missing = _run("--config", str(isolated / "nope.toml"), "config", "check")
    assert missing.exit_code == 0
    assert missing.stdout.startswith("config ok: built-in defaults")
    config = isolated / "c.toml"
    config.write_text(
        '[[users]]\nusername = "ann"\nrole = "lead"\n'
        '[[groups]]\nname = "billing"\nlead = "ann"\nmembers = ["ann"]\n'
        "[dates]\ndue_days = 10\nreminder_days = 3\n"
        '[[workflow.transitions]]\nfrom = "open"\nto = "closed"\n'
        '[[cases.types]]\nkey = "ticket"\nfields = ["serial"]\n'
    )
    good = _run("--config", str(config), "config", "check")
    assert good.exit_code == 0, good.stderr
    assert good.stdout.splitlines()[1] == (
        "  1 users, 1 groups, 1 case types, 1 workflow transitions, "
        "due +10 d, reminder +3 d, 0 mail accounts"
    )


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ("[cases]\ntypo = 1\n", "cases.typo: Extra inputs are not permitted"),
        (
            "[dates]\ndue_days = 3\nreminder_days = 5\n",
            "reminder_days must not be more than due_days",
        ),
        (
            '[[users]]\nusername = "ann"\n[[groups]]\nname = "x"\nmembers = ["bob"]\n',
            "group 'x': unknown member 'bob'",
        ),
        ('[[workflow.transitions]]\nfrom = "open"\nto = "done"\n', "workflow.transitions.0.to"),
        ("[mail\n", "Expected ']'"),
    ],
)
def test_config_check_names_the_problem(isolated: Path, toml: str, message: str) -> None:
    config = isolated / "c.toml"
    config.write_text(toml)
    result = _run("--config", str(config), "config", "check")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.startswith(f"error: config {config}")
    assert message in result.stderr
    assert result.stderr.count("\n") == 1


def test_configured_workflow_lets_agents_reopen(isolated: Path) -> None:
    config = isolated / "c.toml"
    config.write_text(
        '[[users]]\nusername = "ann"\n'
        '[[workflow.transitions]]\nfrom = "open"\nto = "closed"\n'
        '[[workflow.transitions]]\nfrom = "closed"\nto = "open"\nroles = ["agent"]\n'
    )
    base = ("--config", str(config), "--db", str(isolated / "w.sqlite"), "--as", "ann")
    assert _run(*base, "init").exit_code == 0
    _run(*base, "case", "create", "--subject", "x", "--contact", "a@b.de", "--user", "ann")
    refused = _run(*base, "case", "status", "0000001", "in_progress")
    assert refused.exit_code == 1
    assert refused.stderr == "error: the workflow does not allow open → in_progress\n"
    assert _run(*base, "case", "close", "0000001", "--resolution", "solved").exit_code == 0
    assert _run(*base, "case", "reopen", "0000001").stdout == "reopened 0000001\n"


def test_config_check_refuses_an_unknown_placeholder(isolated: Path) -> None:
    config = isolated / "c.toml"
    config.write_text('[[canned]]\nname = "thanks"\ntext = "Danke {kunde}"\n')
    result = _run("--config", str(config), "config", "check")
    assert result.exit_code == 1
    assert "template 'thanks': unknown placeholder {kunde}" in result.stderr


def test_demo_no_tui_seeds_a_fresh_database(isolated: Path) -> None:
    db = isolated / "demo.sqlite"
    result = _run("--as", "alice", "demo", "--no-tui", "--db", str(db), "--json")
    assert result.exit_code == 0, result.stderr
    summary = json.loads(result.stdout)
    assert summary["cases"] >= 480
    listed = _run(
        "--db",
        str(db),
        "--as",
        "alice",
        "case",
        "list",
        "--view",
        "all",
        "--limit",
        "1000",
        "--json",
    )
    assert len(json.loads(listed.stdout)) == summary["cases"]
    again = _run("demo", "--no-tui", "--db", str(db))
    assert again.exit_code == 1
    assert again.stderr == (
        f"error: {db} already exists; demo wants a fresh database"
        " (--reset replaces an earlier demo)\n"
    )


def test_default_canned_responses_are_valid() -> None:
    responses = canned_responses(Settings())
    assert len(responses) == 4
    for response in responses:
        check_template(response.name, response.text)
