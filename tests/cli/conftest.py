"""Run `helpdesk` in-process against a fresh SQLite file and a test config."""

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner

from helpdesk_tui.cli.main import app

CONFIG = """
[[users]]
username = "alice"
name = "Alice Becker"
role = "agent"

[[users]]
username = "bob"
name = "Bob Brandt"
role = "agent"

[[users]]
username = "lena"
name = "Lena Lorenz"
role = "lead"

[[groups]]
name = "billing"
title = "Billing"
lead = "lena"
members = ["alice", "lena"]

[[groups]]
name = "technical"
members = ["bob"]
"""


@dataclass(frozen=True)
class Result:
    """What a command did."""

    code: int
    out: str
    err: str


Cli = Callable[..., Result]


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Cli:
    """`cli("case", "list", as_="bob")` → Result; the database is initialised first."""
    config = tmp_path / "config.toml"
    config.write_text(CONFIG, encoding="utf-8")
    monkeypatch.setenv("HELPDESK_CONFIG", str(config))
    monkeypatch.setenv("HELPDESK_DB", str(tmp_path / "hd.sqlite"))
    monkeypatch.delenv("HELPDESK_USER", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg-config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    runner = CliRunner()

    def run(*args: str, as_: str = "alice") -> Result:
        result = runner.invoke(app, ["--as", as_, *args])
        if result.exception and not isinstance(result.exception, SystemExit):
            raise result.exception
        return Result(result.exit_code, result.stdout, result.stderr)

    assert run("init").code == 0
    return run


@pytest.fixture
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """No real config or data dirs; no HELPDESK_* from the developer's shell."""
    for name in ("HELPDESK_DB", "HELPDESK_USER", "HELPDESK_CONFIG"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg-config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    return tmp_path
