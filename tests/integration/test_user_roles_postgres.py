"""What an agent's PostgreSQL login may do (TEAM-4, SEC-3, issue 16 §1), and where its
password comes from (never the config: `[storage] password_command`).

`helpdesk user add --db-login` makes a login that works on cases but cannot raise its own
role, change or delete audit entries, run DDL or read another schema.
"""

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import keyring
import psycopg
import pytest
from keyring.backend import KeyringBackend
from psycopg import errors
from typer.testing import CliRunner

from helpdesk_tui.cli.main import app

DATABASE = "hd_grants"


@dataclass(frozen=True)
class Result:
    code: int
    out: str
    err: str


def _run(*args: str, config: Path, db: str | None = None, as_: str | None = None) -> Result:
    options = ["--config", str(config)]
    if db is not None:
        options += ["--db", db]
    if as_ is not None:
        options += ["--as", as_]
    result = CliRunner().invoke(app, [*options, *args], env={"HELPDESK_USER": None})
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return Result(result.exit_code, result.stdout, result.stderr)


@dataclass(frozen=True)
class Team:
    server: str
    config: Path

    def url(self, login: str = "postgres") -> str:
        return self.server.replace("//postgres@", f"//{login}@") + f"/{DATABASE}"

    def run(self, *args: str, login: str = "postgres") -> Result:
        return _run(*args, config=self.config, db=self.url(login))

    def connect(self, login: str) -> psycopg.Connection:
        return psycopg.connect(self.url(login).replace("+psycopg", ""), autocommit=True)


@pytest.fixture
def team(postgres_url: str, tmp_path: Path) -> Team:
    server = postgres_url.rsplit("/", 1)[0]
    with psycopg.connect(f"{server.replace('+psycopg', '')}/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {DATABASE}")
    desk = Team(server, tmp_path / "none.toml")
    init = _run("init", config=desk.config, db=desk.url(), as_="root")
    assert init.code == 0, init.err
    return desk


def test_an_agent_login_works_on_cases_and_nothing_more(team: Team) -> None:
    assert team.run("user", "add", "carol", "--db-login", "hd_gr_carol").code == 0
    created = team.run(
        "case", "create", "--subject", "VPN", "--contact", "k@acme.de", "--user", "carol",
        login="hd_gr_carol",
    )  # fmt: skip
    assert created.code == 0, created.err
    closed = team.run("case", "close", "0000001", "--resolution", "solved", login="hd_gr_carol")
    assert closed.code == 0, closed.err
    with team.connect("postgres") as owner:
        owner.execute("DROP SCHEMA IF EXISTS other CASCADE")
        owner.execute("CREATE SCHEMA other")
        owner.execute("CREATE TABLE other.payroll (amount int)")
    with team.connect("hd_gr_carol") as carol:
        # Its own settings, yes; an audit entry may be written, never changed.
        carol.execute("UPDATE agents SET notify_email = 'each' WHERE db_login = current_user")
        carol.execute("INSERT INTO audit_log (id, at, action, subject, details) VALUES "
                      "(gen_random_uuid(), now(), 'case.test', '', '{}')")  # fmt: skip
        refused = [
            "UPDATE agents SET role = 'admin' WHERE db_login = current_user",
            "UPDATE agents SET db_login = 'postgres' WHERE db_login = current_user",
            "UPDATE agents SET email = 'carol@evil.example' WHERE username = 'root'",
            "INSERT INTO agents (id, username, name, email, role, active) VALUES "
            "(gen_random_uuid(), 'mallory', '', '', 'admin', true)",
            "UPDATE audit_log SET action = 'nothing'",
            "DELETE FROM audit_log",
            "UPDATE alembic_version SET version_num = '0001'",
            "CREATE TABLE evil (i int)",
            "SELECT * FROM other.payroll",
            "SELECT helpdesk_grant_login('hd_gr_carol', 'admin')",
        ]
        for statement in refused:
            with pytest.raises(errors.InsufficientPrivilege):
                carol.execute(statement)
        roles = carol.execute("SELECT role FROM agents WHERE db_login = current_user")
        assert roles.fetchall() == [("agent",)]


def test_an_admin_login_manages_logins_and_a_demoted_one_no_longer(team: Team) -> None:
    """An admin's login adds and removes logins; demoting itself takes its rights."""
    assert team.run("user", "add", "carol", "--db-login", "hd_gr_carol").code == 0
    assert team.run("user", "role", "carol", "admin").code == 0
    added = team.run("user", "add", "dave", "--db-login", "hd_gr_dave", login="hd_gr_carol")
    assert added.code == 0, added.err
    assert team.run("case", "list", login="hd_gr_dave").code == 0
    # A removed user's login keeps no rights on the tables (the role itself stays).
    assert team.run("user", "remove", "dave", login="hd_gr_carol").code == 0
    with team.connect("hd_gr_dave") as dave, pytest.raises(errors.InsufficientPrivilege):
        dave.execute("SELECT count(*) FROM cases")
    assert team.run("user", "role", "carol", "agent", login="hd_gr_carol").code == 0
    with team.connect("hd_gr_carol") as carol, pytest.raises(errors.InsufficientPrivilege):
        carol.execute("UPDATE agents SET role = 'admin' WHERE db_login = current_user")


# -- the password from password_command, on a cluster that asks for one ------------------
def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _as_postgres(command: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


@pytest.fixture(scope="module")
def password_server(postgres_url: str) -> Iterator[str]:
    """A second cluster with scram-sha-256 auth: `postgres` / `s3cret`; yields its URL
    without a password."""
    bin_dir = Path(os.path.realpath(sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))[-1]))
    bin_dir = bin_dir.parent
    root = Path(tempfile.mkdtemp(prefix="hd-pgpw-"))
    (root / "pw").write_text("s3cret\n")
    if os.geteuid() == 0:
        shutil.chown(root, "postgres")
        shutil.chown(root / "pw", "postgres")
    data, port = root / "data", _free_port()
    subprocess.run(
        _as_postgres([str(bin_dir / "initdb"), "-D", str(data), "-U", "postgres",
                      "--auth=scram-sha-256", f"--pwfile={root / 'pw'}", "--no-sync"]),
        check=True, capture_output=True,
    )  # fmt: skip
    options = f"-c listen_addresses=127.0.0.1 -c port={port} -c unix_socket_directories={root}"
    subprocess.run(
        _as_postgres([str(bin_dir / "pg_ctl"), "-D", str(data), "-o", options, "-w", "start",
                      "-l", str(root / "log")]),
        check=True, capture_output=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with psycopg.connect(
                    f"postgresql://postgres@127.0.0.1:{port}/postgres",
                    password="s3cret",
                    autocommit=True,
                ) as conn:
                    conn.execute("CREATE DATABASE desk")
                break
            except psycopg.OperationalError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/desk"
    finally:
        subprocess.run(
            _as_postgres([str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"]),
            check=False,
            capture_output=True,
        )
        shutil.rmtree(root, ignore_errors=True)


def test_the_password_comes_from_password_command(password_server: str, tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text(f'database = "{password_server}"\n')
    refused = _run("init", config=config, as_="root")
    assert refused.code == 1, refused.err
    assert len(refused.err.splitlines()) == 1
    assert refused.err.startswith("error: ")
    assert "password" in refused.err
    config.write_text(
        f'database = "{password_server}"\n[storage]\npassword_command = "echo s3cret"\n'
    )
    done = _run("init", config=config, as_="root")
    assert done.code == 0, done.err
    listed = _run("user", "list", "--json", config=config)
    assert listed.code == 0, listed.err
    assert '"db_login": "postgres"' in listed.out
    # A password in the configured URL is refused, with one line.
    with_password = password_server.replace("postgres@", "postgres:s3cret@")
    config.write_text(f'database = "{with_password}"\n')
    checked = _run("config", "check", config=config)
    assert checked.code == 1
    assert checked.err.startswith("error: ")
    assert len(checked.err.splitlines()) == 1
    assert "the URL holds a password" in checked.err
    assert "s3cret" not in checked.err


class _MemoryKeyring(KeyringBackend):
    """A keyring holding one password, for the test."""

    priority = 1

    def get_password(self, service: str, username: str) -> str | None:
        return "s3cret" if (service, username) == ("helpdesk-db", "postgres") else None

    def set_password(self, service: str, username: str, password: str) -> None:
        raise NotImplementedError

    def delete_password(self, service: str, username: str) -> None:
        raise NotImplementedError


def test_the_password_comes_from_the_keyring_or_pgpass(
    password_server: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "config.toml"
    config.write_text(
        f'database = "{password_server}"\n[storage]\nkeyring_service = "helpdesk-db"\n'
    )
    previous = keyring.get_keyring()
    keyring.set_keyring(_MemoryKeyring())  # type: ignore[no-untyped-call]
    try:
        done = _run("init", config=config, as_="root")
    finally:
        keyring.set_keyring(previous)
    assert done.code == 0, done.err
    # ~/.pgpass: libpq reads it itself; the config names no password source at all.
    port = password_server.split(":")[-1].split("/")[0]
    pgpass = tmp_path / "pgpass"
    pgpass.write_text(f"127.0.0.1:{port}:*:postgres:s3cret\n")
    pgpass.chmod(0o600)
    monkeypatch.setenv("PGPASSFILE", str(pgpass))
    config.write_text(f'database = "{password_server}"\n')
    listed = _run("case", "list", config=config)
    assert listed.code == 0, listed.err


def test_an_owner_with_createrole_but_no_superuser(team: Team) -> None:
    with team.connect("postgres") as admin:
        admin.execute("DROP DATABASE IF EXISTS hd_grants_owned WITH (FORCE)")
        admin.execute("DROP ROLE IF EXISTS hd_gr_owner")
        admin.execute("CREATE ROLE hd_gr_owner LOGIN CREATEROLE")
        admin.execute("CREATE DATABASE hd_grants_owned OWNER hd_gr_owner")
    owned = team.server.replace("//postgres@", "//{}@") + "/hd_grants_owned"
    init = _run("init", config=team.config, db=owned.format("hd_gr_owner"), as_="root")
    assert init.code == 0, init.err
    added = _run(
        "user", "add", "erin", "--db-login", "hd_gr_erin",
        config=team.config, db=owned.format("hd_gr_owner"),
    )  # fmt: skip
    assert added.code == 0, added.err
    created = _run(
        "case", "create", "--subject", "S", "--contact", "k@acme.de", "--user", "erin",
        config=team.config, db=owned.format("hd_gr_erin"),
    )  # fmt: skip
    assert created.code == 0, created.err
