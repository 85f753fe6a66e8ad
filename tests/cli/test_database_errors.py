"""A database that cannot be used gives one `error:` line, never a traceback (CLI.md):
disk full, read-only mount, unreachable server, a directory, a non-SQLite file, an
unsupported URL, a mistyped path. Through real processes where the failure is real.
"""

import contextlib
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest


def _env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HELPDESK_")}
    env["XDG_CONFIG_HOME"] = str(tmp_path / "xdg-config")
    env["XDG_DATA_HOME"] = str(tmp_path / "xdg-data")
    env["HELPDESK_USER"] = "greta"
    return env


def helpdesk(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """`helpdesk ARGS` as its own process."""
    return subprocess.run(
        [sys.executable, "-m", "helpdesk_tui.cli", *args],
        env=_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def assert_one_error(result: subprocess.CompletedProcess[str], code: int, *words: str) -> str:
    """Exactly one `error:` line on stderr naming `words`, exit `code`, nothing on stdout."""
    assert result.returncode == code, result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: "), lines[0]
    for word in words:
        assert word in lines[0], lines[0]
    assert "Traceback" not in result.stderr
    return lines[0]


def _mount(*args: str) -> bool:
    done = subprocess.run(["mount", *args], capture_output=True, check=False)
    return done.returncode == 0


@contextlib.contextmanager
def mounted(*args: str) -> Iterator[None]:
    target = args[-1]
    if os.geteuid() != 0 or not _mount(*args):
        pytest.skip("needs root with mount (tmpfs / bind mounts)")
    try:
        yield
    finally:
        subprocess.run(["umount", "-l", target], capture_output=True, check=False)


# -- what the --db value names -------------------------------------------------------


def test_a_directory_is_no_database(tmp_path: Path) -> None:
    result = helpdesk(tmp_path, "--db", str(tmp_path), "case", "list")
    assert_one_error(result, 1, str(tmp_path), "directory")


def test_a_non_sqlite_file_is_no_database(tmp_path: Path) -> None:
    other = tmp_path / "notes.txt"
    other.write_text("hello, this is not SQLite\n" * 10, encoding="utf-8")
    for command in (["case", "list"], ["init"], ["case", "show", "1"]):
        result = helpdesk(tmp_path, "--db", str(other), *command)
        assert_one_error(result, 1, str(other), "not an SQLite database")
    assert other.read_text(encoding="utf-8").startswith("hello")


@pytest.mark.parametrize("url", ["mysql://u:secret@db.example.org/hd", "sqlite://relative.db"])
def test_an_unsupported_url_is_refused(tmp_path: Path, url: str) -> None:
    for command in (["case", "list"], ["init"]):
        line = assert_one_error(helpdesk(tmp_path, "--db", url, *command), 1, "unsupported")
        assert "secret" not in line


def test_an_unreachable_postgresql_server(tmp_path: Path) -> None:
    url = "postgresql+psycopg://hd:secret@127.0.0.1:1/helpdesk"
    for command in (["case", "list"], ["init"]):
        line = assert_one_error(helpdesk(tmp_path, "--db", url, *command), 1, "127.0.0.1")
        assert "secret" not in line


# -- a mistyped path never creates a database ------------------------------------------


@pytest.mark.parametrize(
    "command",
    [
        ["case", "list"],
        ["case", "show", "0000001"],
        ["outbox"],
        ["case", "create", "--subject", "x", "--contact", "a@example.org", "--user", "greta"],
        ["case", "comment", "0000001", "hello"],
        ["tui"],
    ],
)
def test_commands_other_than_init_never_create_a_database(
    tmp_path: Path, command: list[str]
) -> None:
    db = tmp_path / "typo" / "deeper" / "hd.sqlite"
    result = helpdesk(tmp_path, "--db", str(db), *command)
    line = assert_one_error(result, 1)
    assert line == f"error: no database at {db} (run helpdesk init)"
    assert not (tmp_path / "typo").exists()


def test_an_empty_file_is_no_database_either(tmp_path: Path) -> None:
    db = tmp_path / "empty.sqlite"
    db.touch()
    line = assert_one_error(helpdesk(tmp_path, "--db", str(db), "case", "list"), 1)
    assert line == f"error: no database at {db} (run helpdesk init)"
    assert db.stat().st_size == 0


# -- concurrency -----------------------------------------------------------------------


def test_eight_parallel_first_inits_all_succeed(tmp_path: Path) -> None:
    db = tmp_path / "new" / "hd.sqlite"
    command = [sys.executable, "-m", "helpdesk_tui.cli", "--db", str(db), "init"]
    processes = [
        subprocess.Popen(
            command, env=_env(tmp_path), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        for _ in range(8)
    ]
    outputs = [(p.wait(timeout=180), *p.communicate()) for p in processes]
    assert [code for code, _, _ in outputs] == [0] * 8, [err for _, _, err in outputs]
    created = [out for _, out, _ in outputs if "created admin user 'greta'" in out]
    assert len(created) == 1
    listed = helpdesk(tmp_path, "--db", str(db), "case", "list")
    assert listed.returncode == 0, listed.stderr


# -- the file system refuses -------------------------------------------------------------


def test_disk_full_on_a_write_command(tmp_path: Path) -> None:
    disk = tmp_path / "disk"
    disk.mkdir()
    with mounted("-t", "tmpfs", "-o", "size=2m", "tmpfs", str(disk)):
        db = disk / "hd.sqlite"
        assert helpdesk(tmp_path, "--db", str(db), "init").returncode == 0
        with contextlib.suppress(OSError), (disk / "filler").open("wb") as filler:
            while True:
                filler.write(b"\0" * 65536)
                filler.flush()
        # Room to open the database (its -shm file) but not for the new case's pages.
        with (disk / "filler").open("r+b") as filler:
            filler.truncate(filler.seek(0, os.SEEK_END) - 128 * 1024)
        listed = helpdesk(tmp_path, "--db", str(db), "case", "list")
        assert listed.returncode == 0, listed.stderr
        text = "x" * 60_000
        result = helpdesk(
            tmp_path, "--db", str(db), "case", "create", "--subject", "Full",
            "--contact", "a@example.org", "--user", "greta", "--description", text,
        )  # fmt: skip
        assert_one_error(result, 1, "disk full", str(db))
        (disk / "filler").unlink()
        assert helpdesk(tmp_path, "--db", str(db), "case", "list").returncode == 0


def test_disk_full_on_init(tmp_path: Path) -> None:
    disk = tmp_path / "disk"
    disk.mkdir()
    with mounted("-t", "tmpfs", "-o", "size=64k", "tmpfs", str(disk)):
        result = helpdesk(tmp_path, "--db", str(disk / "hd.sqlite"), "init")
        assert_one_error(result, 1, "disk full")


def test_read_only_mount(tmp_path: Path) -> None:
    source, view = tmp_path / "source", tmp_path / "view"
    source.mkdir()
    view.mkdir()
    assert helpdesk(tmp_path, "--db", str(source / "hd.sqlite"), "init").returncode == 0
    with mounted("--bind", "-o", "ro", str(source), str(view)):
        db = view / "hd.sqlite"
        for command in (
            ["case", "list"],
            ["init"],
            ["case", "create", "--subject", "x", "--contact", "a@example.org", "--user", "greta"],
        ):
            result = helpdesk(tmp_path, "--db", str(db), *command)
            assert_one_error(result, 1, "read-only", str(db))


# -- the option parser ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--bogus"], ["--bogus"]),
        (["case", "list", "--bogus"], ["--bogus"]),
        (["case", "list", "--limit"], ["--limit", "requires an argument"]),
        (["case", "list", "--limit", "many"], ["--limit", "integer"]),
        (["case", "show"], ["Missing argument", "number"]),
        (["case", "frobnicate"], ["frobnicate"]),
        (["--db"], ["--db"]),
    ],
)
def test_option_parser_errors_are_one_line(
    tmp_path: Path, args: list[str], words: list[str]
) -> None:
    result = helpdesk(tmp_path, *args)
    assert_one_error(result, 2, *words)
    assert result.stdout == ""
