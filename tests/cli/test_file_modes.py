"""SEC-6: the database is private by default (file 0600, a folder we create 0700), whatever
the umask; `[storage] shared_group = true` makes them 0660 / 0770."""

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from helpdesk_tui.cli.main import app


@pytest.fixture
def permissive_umask() -> Iterator[None]:
    """umask 000: anything we create is world-writable unless we set its mode ourselves."""
    old = os.umask(0)
    try:
        yield
    finally:
        os.umask(old)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args))
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stderr


@pytest.mark.usefixtures("permissive_umask")
def test_init_makes_a_private_file_and_folder(isolated: Path) -> None:
    db = isolated / "new" / "deeper" / "hd.sqlite"
    assert _run("--db", str(db), "--as", "greta", "init")[0] == 0
    assert _mode(db) == 0o600
    assert _mode(db.parent) == 0o700
    assert _mode(db.parent.parent) == 0o700


@pytest.mark.usefixtures("permissive_umask")
def test_wal_and_shm_files_are_private_too(isolated: Path) -> None:
    import sqlite3

    db = isolated / "hd.sqlite"
    assert _run("--db", str(db), "--as", "greta", "init")[0] == 0
    # Another process holds the database open: its -wal and -shm files stay.
    holder = sqlite3.connect(db)
    holder.execute("BEGIN")
    holder.execute("SELECT count(*) FROM cases").fetchall()
    try:
        code, _ = _run(
            "--db", str(db), "--as", "greta", "case", "create", "--subject", "x",
            "--contact", "a@example.org", "--user", "greta",
        )  # fmt: skip
        assert code == 0
        for suffix in ("-wal", "-shm"):
            side = db.with_name(db.name + suffix)
            assert side.exists()
            assert _mode(side) == 0o600, suffix
    finally:
        holder.close()


@pytest.mark.usefixtures("permissive_umask")
def test_an_existing_folder_keeps_its_mode(isolated: Path) -> None:
    folder = isolated / "shared"
    folder.mkdir(mode=0o755)
    folder.chmod(0o755)
    assert _run("--db", str(folder / "hd.sqlite"), "--as", "greta", "init")[0] == 0
    assert _mode(folder) == 0o755
    assert _mode(folder / "hd.sqlite") == 0o600


@pytest.mark.usefixtures("permissive_umask")
def test_the_default_database_is_private(isolated: Path) -> None:
    assert _run("--as", "greta", "init")[0] == 0
    db = isolated / "xdg-data" / "helpdesk-tui" / "helpdesk.sqlite"
    assert _mode(db) == 0o600
    assert _mode(db.parent) == 0o700


@pytest.mark.usefixtures("permissive_umask")
def test_init_tightens_an_older_world_readable_database(isolated: Path) -> None:
    db = isolated / "hd.sqlite"
    assert _run("--db", str(db), "--as", "greta", "init")[0] == 0
    db.chmod(0o644)
    assert _run("--db", str(db), "--as", "greta", "init")[0] == 0
    assert _mode(db) == 0o600


@pytest.mark.usefixtures("permissive_umask")
def test_shared_group_mode_is_a_config_option(isolated: Path) -> None:
    config = isolated / "config.toml"
    config.write_text("[storage]\nshared_group = true\n", encoding="utf-8")
    db = isolated / "team" / "hd.sqlite"
    code, err = _run("--config", str(config), "--db", str(db), "--as", "greta", "init")
    assert (code, err) == (0, "")
    assert _mode(db) == 0o660
    assert _mode(db.parent) == 0o770


@pytest.mark.usefixtures("permissive_umask")
def test_demo_database_is_private(isolated: Path) -> None:
    db = isolated / "demo" / "demo.sqlite"
    assert _run("demo", "--no-tui", "--db", str(db))[0] == 0
    assert _mode(db) == 0o600
    assert _mode(db.parent) == 0o700
    assert _mode(db.parent / "demo-config.toml") == 0o600
