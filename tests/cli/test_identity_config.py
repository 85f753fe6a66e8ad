"""Where a PostgreSQL login's password comes from (TEAM-4, SEC-1): never the config file.

No server needed: the password is resolved before anything connects, and a URL that
holds one is refused when the config is read.
"""

from pathlib import Path

import pytest
from typer.testing import CliRunner

from helpdesk_tui.cli.main import app


def _run(config: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["--config", str(config), *args], env={"HELPDESK_DB": None})
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stderr


@pytest.mark.parametrize(
    "url",
    [
        "postgresql+psycopg://alice:hunter22@db.example.com/helpdesk",
        "postgresql://alice@db.example.com/helpdesk?password=hunter22",
    ],
)
def test_a_password_in_the_configured_url_is_refused(tmp_path: Path, url: str) -> None:
    config = tmp_path / "config.toml"
    config.write_text(f'database = "{url}"\n')
    for command in (["config", "check"], ["case", "list"]):
        code, err = _run(config, *command)
        assert code == 1
        assert len(err.splitlines()) == 1
        assert err.startswith("error: ")
        assert "the URL holds a password" in err
        assert "hunter22" not in err


def test_the_password_command_runs_before_connecting(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text(
        'database = "postgresql+psycopg://alice@127.0.0.1:1/helpdesk"\n'
        '[storage]\npassword_command = "false"\n'
    )
    code, err = _run(config, "case", "list")
    assert (code, err) == (1, "error: database login: password_command exited 1\n")
    code, err = _run(config, "config", "check")
    assert code == 0, err
