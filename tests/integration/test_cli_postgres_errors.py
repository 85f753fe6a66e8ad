"""The CLI on a PostgreSQL URL it cannot use: one `error:` line, exit 1 (found 10).
An unknown database, and a fresh one where only `init` creates the schema."""

import os
import subprocess
import sys
from pathlib import Path


def _helpdesk(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HELPDESK_")}
    env.update(
        XDG_CONFIG_HOME=str(tmp_path / "xdg-config"),
        XDG_DATA_HOME=str(tmp_path / "xdg-data"),
        HELPDESK_USER="greta",
    )
    return subprocess.run(
        [sys.executable, "-m", "helpdesk_tui.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _one_error(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 1, result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ")
    return lines[0]


def test_an_unknown_postgresql_database(postgres_url: str, tmp_path: Path) -> None:
    url = postgres_url.rsplit("/", 1)[0] + "/no_such_desk"
    for command in (["case", "list"], ["init"], ["outbox"]):
        line = _one_error(_helpdesk(tmp_path, "--db", url, *command))
        assert "no_such_desk" in line
        assert "does not exist" in line


def test_a_database_without_schema_is_created_by_init_only(
    postgres_url: str, tmp_path: Path
) -> None:
    import psycopg

    base = postgres_url.replace("+psycopg", "").rsplit("/", 1)[0]
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute("DROP DATABASE IF EXISTS fresh_desk")
        conn.execute("CREATE DATABASE fresh_desk")
    url = postgres_url.rsplit("/", 1)[0] + "/fresh_desk"
    line = _one_error(_helpdesk(tmp_path, "--db", url, "case", "list"))
    assert line.endswith("(run helpdesk init)")
    assert _helpdesk(tmp_path, "--db", url, "init").returncode == 0
    assert _helpdesk(tmp_path, "--db", url, "case", "list").returncode == 0
