"""Real servers for integration tests: a private PostgreSQL cluster and a private Dovecot
IMAP server, both on 127.0.0.1."""

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from integration.dovecot import Dovecot, dovecot_binary, instance_dir
from integration.smtp_server import SmtpServer

from helpdesk_tui.domain.enums import Role
from helpdesk_tui.services.context import Context
from helpdesk_tui.services.people import AgentSpec, GroupSpec, sync_people
from helpdesk_tui.storage.location import locate


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _pg_bin() -> Path | None:
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), reverse=True)
    found = shutil.which("initdb")
    if found:
        candidates.insert(0, found)
    return Path(os.path.realpath(candidates[0])).parent if candidates else None


def _as_postgres(command: list[str]) -> list[str]:
    """initdb refuses to run as root; CI runs as root, so drop to the postgres user."""
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *command]
    return command


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A fresh PostgreSQL server for this test session; yields a `postgresql+psycopg` URL."""
    bin_dir = _pg_bin()
    if bin_dir is None:
        if os.environ.get("CI"):
            pytest.fail("PostgreSQL is not installed; .ci/run must install it")
        pytest.skip("PostgreSQL is not installed here (CI installs it)")
    root = Path(tempfile.mkdtemp(prefix="hd-pg-"))
    data, sockets = root / "data", root / "sock"
    sockets.mkdir()
    if os.geteuid() == 0:
        shutil.chown(root, "postgres")
        shutil.chown(sockets, "postgres")
    port = _free_port()
    subprocess.run(
        _as_postgres(
            [
                str(bin_dir / "initdb"),
                "-D",
                str(data),
                "-U",
                "postgres",
                "--auth=trust",
                "-E",
                "UTF8",
                "--no-sync",
            ]
        ),
        check=True,
        capture_output=True,
    )
    options = (
        f"-c listen_addresses=127.0.0.1 -c port={port} -c fsync=off "
        f"-c unix_socket_directories={sockets}"
    )
    subprocess.run(
        _as_postgres(
            [
                str(bin_dir / "pg_ctl"),
                "-D",
                str(data),
                "-o",
                options,
                "-l",
                str(root / "log"),
                "-w",
                "start",
            ]
        ),
        check=True,
        capture_output=True,
    )
    try:
        import psycopg

        deadline = time.monotonic() + 30
        while True:
            try:
                with psycopg.connect(
                    f"postgresql://postgres@127.0.0.1:{port}/postgres", autocommit=True
                ) as conn:
                    conn.execute("CREATE DATABASE helpdesk")
                break
            except psycopg.OperationalError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/helpdesk"
    finally:
        subprocess.run(
            _as_postgres([str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"]),
            check=False,
            capture_output=True,
        )
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def pg(postgres_url: str) -> Context:
    """A migrated, emptied PostgreSQL database with two agents and a group."""
    import psycopg

    with psycopg.connect(postgres_url.replace("+psycopg", ""), autocommit=True) as conn:
        conn.execute("DROP SCHEMA public CASCADE")
        conn.execute("CREATE SCHEMA public")
    ctx = Context(locate(postgres_url))
    ctx.migrate()
    sync_people(
        ctx,
        [AgentSpec("alice"), AgentSpec("lena", role=Role.LEAD)],
        [GroupSpec("billing", lead="lena", members=("alice", "lena"))],
    )
    return ctx


@pytest.fixture(scope="session")
def _dovecot_instances() -> Iterator[list[Dovecot]]:
    """Dovecots stopped without waiting; cleaned up (and deleted) once at the end."""
    instances: list[Dovecot] = []
    yield instances
    for server in instances:
        server.cleanup()


@pytest.fixture
def dovecot(
    tmp_path_factory: pytest.TempPathFactory, _dovecot_instances: list[Dovecot]
) -> Iterator[Dovecot]:
    """A private Dovecot IMAP server on 127.0.0.1 (user agent/secret, empty INBOX)."""
    if dovecot_binary() is None:
        if os.environ.get("CI"):
            pytest.fail("Dovecot is not installed; .ci/run must install dovecot-imapd")
        pytest.skip("Dovecot is not installed here (CI installs dovecot-imapd)")
    root, remove = instance_dir(tmp_path_factory.mktemp("dovecot"))
    server = Dovecot(root, remove_root=remove)
    _dovecot_instances.append(server)
    try:
        server.start()
        yield server
    finally:
        # Shutting down takes Dovecot ~1.5 s; nobody needs this port again, so do
        # not wait here (the session fixture waits and deletes the files at the end).
        server.stop(wait=False)


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    """A real SMTP server (aiosmtpd) on 127.0.0.1 that records what it receives."""
    server = SmtpServer()
    server.start()
    try:
        yield server
    finally:
        server.stop()
