"""`config check` refuses values that would fail later or silently do nothing (found 12):
ports out of range, unknown key binding ids, tls = "none" to a remote host, a directory
as the config path. One `error:` line naming the key, exit 1."""

from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from helpdesk_tui.cli.main import app

ACCOUNT = """
[[mail.accounts]]
name = "support"
host = "{host}"
port = {port}
tls = "{tls}"
username = "support@example.com"
password_command = "pass show imap"
"""
SMTP = """
[smtp]
host = "{host}"
port = {port}
tls = "{tls}"
"""


def _check(isolated: Path, toml: str) -> Any:
    config = isolated / "c.toml"
    config.write_text(toml, encoding="utf-8")
    return CliRunner().invoke(app, ["--config", str(config), "config", "check"])


def _one_error(result: Any, *words: str) -> str:
    assert result.exit_code == 1, result.output
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: config ")
    for word in words:
        assert word in lines[0], lines[0]
    return str(lines[0])


@pytest.mark.parametrize("template", [ACCOUNT, SMTP])
@pytest.mark.parametrize("port", [0, 65536, 99999999, -1])
def test_ports_out_of_range_are_refused(isolated: Path, template: str, port: int) -> None:
    toml = template.format(host="mail.example.com", port=port, tls="ssl")
    _one_error(_check(isolated, toml), "port", "65535")


@pytest.mark.parametrize("template", [ACCOUNT, SMTP])
def test_tls_none_to_a_remote_host_is_refused(isolated: Path, template: str) -> None:
    toml = template.format(host="mail.example.com", port=143, tls="none")
    _one_error(_check(isolated, toml), "tls", "none", "mail.example.com", "loopback")


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "::1", "127.0.0.2"])
def test_tls_none_to_a_loopback_host_is_fine(isolated: Path, host: str) -> None:
    toml = ACCOUNT.format(host=host, port=1143, tls="none")
    toml += SMTP.format(host=host, port=1025, tls="none")
    result = _check(isolated, toml)
    assert result.exit_code == 0, result.stderr


def test_unknown_key_binding_ids_are_refused(isolated: Path) -> None:
    result = _check(isolated, '[keys]\n"queue.assign_me" = "ctrl+a"\n"queue.asign_me" = "x"\n')
    _one_error(result, "keys", "queue.asign_me", "unknown")


def test_known_key_binding_ids_pass(isolated: Path) -> None:
    result = _check(isolated, '[keys]\n"queue.assign_me" = "ctrl+a"\n"case.reply" = "R"\n')
    assert result.exit_code == 0, result.stderr


def test_a_directory_as_config_path_is_refused(isolated: Path) -> None:
    folder = isolated / "conf.d"
    folder.mkdir()
    for command in (["config", "check"], ["case", "list"]):
        result = CliRunner().invoke(app, ["--config", str(folder), *command])
        line = _one_error(result, str(folder), "directory")
        assert line.startswith(f"error: config {folder}")
