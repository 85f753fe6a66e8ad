"""The CLI starts the TUI: `helpdesk`, `helpdesk tui`, `helpdesk demo`; lists never load Textual."""

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from helpdesk_tui.cli import tui
from helpdesk_tui.cli.main import app
from helpdesk_tui.services import demo

CONFIG = """
user = "alice"

[[users]]
username = "alice"
role = "agent"

[keys]
"queue.next_case" = "N"
"""


@pytest.fixture
def launched(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """Calls of `launch`, instead of running the app; an isolated config and database."""
    calls: list[dict[str, Any]] = []

    def fake_launch(context: object, user: str, **kwargs: Any) -> None:
        calls.append({"context": context, "user": user, **kwargs})

    monkeypatch.setattr(tui, "launch", fake_launch)
    config = tmp_path / "config.toml"
    config.write_text(CONFIG, encoding="utf-8")
    monkeypatch.setenv("HELPDESK_CONFIG", str(config))
    monkeypatch.setenv("HELPDESK_DB", str(tmp_path / "hd.sqlite"))
    monkeypatch.delenv("HELPDESK_USER", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg-config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    # Only `init` creates the database (the TUI refuses a missing one, CLI-HARDENING).
    assert CliRunner().invoke(app, ["init"]).exit_code == 0
    return calls


@pytest.mark.parametrize("args", [[], ["tui"]])
def test_helpdesk_starts_the_tui_as_the_configured_user(
    launched: list[dict[str, Any]], args: list[str]
) -> None:
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert len(launched) == 1
    assert launched[0]["user"] == "alice"
    assert launched[0]["keymap"] == {"queue.next_case": "N"}


def test_an_unknown_user_is_an_error_line_not_a_tui(launched: list[dict[str, Any]]) -> None:
    result = CliRunner().invoke(app, ["--as", "nobody", "tui"])
    assert result.exit_code == 1
    assert "error: unknown user 'nobody'" in result.stderr
    assert not launched


def test_demo_seeds_a_fresh_database_and_starts_the_tui_as_alice(
    launched: list[dict[str, Any]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seeded: list[object] = []
    real_summary = demo.demo_summary

    def small_seed(ctx: Any, **_: Any) -> demo.DemoSummary:
        seeded.append(ctx)
        return real_summary(ctx)

    monkeypatch.setattr(demo, "seed_demo", small_seed)  # the real one takes seconds
    monkeypatch.delenv("HELPDESK_DB")
    result = CliRunner().invoke(app, ["demo"])
    assert result.exit_code == 0, result.output
    assert len(seeded) == 1
    assert launched[0]["user"] == "alice"
    assert launched[0]["context"] is seeded[0]
    assert "helpdesk-demo-" in str(launched[0]["context"].location.display())
    assert not CliRunner().invoke(app, ["demo", "--no-tui"]).exception
    assert len(launched) == 1  # --no-tui only seeds


def test_case_commands_never_import_textual() -> None:
    code = (
        "import sys\n"
        "import helpdesk_tui.cli.main\n"
        "assert 'textual' not in sys.modules, 'textual imported'\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
