"""Who acts on a shared PostgreSQL database (TEAM-4, issue 16 §1): the login's agent.

The CLI runs in-process (typer's runner) against a database `helpdesk init` made as the
cluster's owner login `postgres`; agents connect as their own logins (trust auth here).
"""

import json
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest
from typer.testing import CliRunner

from helpdesk_tui.cli.main import app
from helpdesk_tui.domain.enums import Role
from helpdesk_tui.services.context import Context
from helpdesk_tui.services.people import AgentSpec, sync_people
from helpdesk_tui.storage.schema import SCHEMA_HEAD

DATABASE = "hd_identity"


@dataclass(frozen=True)
class Result:
    code: int
    out: str
    err: str

    def error(self) -> str:
        """The one `error:` line of a refusal."""
        assert self.code == 1, (self.out, self.err)
        lines = self.err.splitlines()
        assert len(lines) == 1, self.err
        assert lines[0].startswith("error: "), self.err
        return lines[0]


@dataclass(frozen=True)
class Team:
    server: str  # postgresql+psycopg://postgres@host:port (no database)
    config: Path

    def url(self, login: str = "postgres") -> str:
        return self.server.replace("//postgres@", f"//{login}@") + f"/{DATABASE}"

    def run(self, *args: str, login: str = "postgres", as_: str | None = None) -> Result:
        options = ["--db", self.url(login), "--config", str(self.config)]
        if as_ is not None:
            options += ["--as", as_]
        result = CliRunner().invoke(app, [*options, *args], env={"HELPDESK_USER": None})
        if result.exception and not isinstance(result.exception, SystemExit):
            raise result.exception
        return Result(result.exit_code, result.stdout, result.stderr)

    def sql(self, statement: str, login: str = "postgres") -> list[tuple[object, ...]]:
        with psycopg.connect(self.url(login).replace("+psycopg", ""), autocommit=True) as conn:
            cursor = conn.execute(statement)
            return cursor.fetchall() if cursor.description else []


@pytest.fixture
def team(postgres_url: str, tmp_path: Path) -> Team:
    """A fresh database initialised by the owner login (`postgres`) as user `root`."""
    server = postgres_url.rsplit("/", 1)[0]
    with psycopg.connect(f"{server.replace('+psycopg', '')}/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {DATABASE}")
    desk = Team(server, tmp_path / "none.toml")
    init = desk.run("init", as_="root")
    assert init.code == 0, init.err
    assert "created admin user 'root' for the database login 'postgres'" in init.out
    return desk


def _users(team: Team, login: str = "postgres") -> dict[str, dict[str, object]]:
    listed = team.run("user", "list", "--json", login=login)
    assert listed.code == 0, listed.err
    return {u["username"]: u for u in json.loads(listed.out)}


def test_the_owner_is_the_first_admin_after_init(team: Team) -> None:
    users = _users(team)
    assert (users["root"]["role"], users["root"]["db_login"]) == ("admin", "postgres")
    # The owner's login is root now: no --as needed, and init again claims nothing.
    again = team.run("init")
    assert again.code == 0, again.err
    assert "created admin user" not in again.out


def test_an_agent_login_acts_as_itself_and_may_not_use_as(team: Team) -> None:
    added = team.run("user", "add", "alice", "--db-login", "hd_id_alice")
    assert added.code == 0, added.err
    created = team.run(
        "case", "create", "--subject", "Drucker", "--contact", "k@acme.de",
        "--user", "alice", "--json", login="hd_id_alice",
    )  # fmt: skip
    assert created.code == 0, created.err
    assert json.loads(created.out)["initiator"] == "alice"
    # The same name through --as is fine; anyone else's is refused, and so is admin work.
    assert team.run("case", "list", login="hd_id_alice", as_="alice").code == 0
    line = team.run("case", "list", login="hd_id_alice", as_="root").error()
    assert line == (
        "error: alice (database login 'hd_id_alice') cannot act as 'root': "
        "on a shared database only admins use --as"
    )
    assert "admin" in team.run("user", "list", login="hd_id_alice").error()


def test_an_admin_may_act_as_someone_and_it_is_audited(team: Team) -> None:
    assert team.run("user", "add", "alice", "--db-login", "hd_id_alice").code == 0
    assert team.run("user", "add", "bob", "--role", "admin", "--db-login", "hd_id_bob").code == 0
    created = team.run(
        "case", "create", "--subject", "Für Alice", "--contact", "k@acme.de",
        "--user", "alice", "--json", login="hd_id_bob", as_="alice",
    )  # fmt: skip
    assert created.code == 0, created.err
    case = json.loads(created.out)
    assert case["initiator"] == "alice"
    log = json.loads(team.run("user", "log", "--json", login="hd_id_bob").out)
    acted = [entry for entry in log if entry["action"] == "user.as"]
    assert [(e["actor"], e["user"], e["changes"]) for e in acted] == [
        ("bob", "alice", {"login": [None, "hd_id_bob"], "cases": [None, [case["number"]]]})
    ]
    # bob as himself writes no such entry.
    own = team.run(
        "case", "create", "--subject", "Eigener", "--contact", "k@acme.de",
        "--user", "bob", login="hd_id_bob",
    )  # fmt: skip
    assert own.code == 0, own.err
    log = json.loads(team.run("user", "log", "--json", login="hd_id_bob").out)
    assert len([entry for entry in log if entry["action"] == "user.as"]) == 1


def test_a_login_without_an_agent_is_told_what_to_do(team: Team) -> None:
    team.sql("DROP ROLE IF EXISTS hd_id_nobody")
    team.sql("CREATE ROLE hd_id_nobody LOGIN")
    line = team.run("case", "list", login="hd_id_nobody").error()
    assert line == (
        "error: database login 'hd_id_nobody' is no helpdesk user: an admin runs "
        "helpdesk user add NAME --db-login hd_id_nobody"
    )
    assert team.run("case", "list", login="hd_id_nobody", as_="root").error() == line


def test_a_non_owner_on_an_old_schema_never_migrates(team: Team) -> None:
    assert team.run("user", "add", "alice", "--db-login", "hd_id_alice").code == 0
    team.sql("UPDATE alembic_version SET version_num = '0001'")
    line = team.run("case", "list", login="hd_id_alice").error()
    assert line == (
        f"error: schema is at 0001, head is {SCHEMA_HEAD}: ask the owner to run helpdesk init"
    )
    assert team.sql("SELECT version_num FROM alembic_version") == [("0001",)]


def test_the_owner_login_without_an_agent_may_act_as_anyone(pg: Context, tmp_path: Path) -> None:
    """A database migrated by the owner but never `init`ed by it (no agent for its login):
    the owner may still act as anyone, recorded with its login."""
    sync_people(pg, [AgentSpec("root", role=Role.ADMIN)], [])
    base = ["--db", pg.location.url, "--config", str(tmp_path / "none.toml")]
    runner = CliRunner()
    created = runner.invoke(
        app,
        [*base, "--as", "alice", "case", "create", "--subject", "S", "--contact", "k@acme.de",
         "--user", "alice"],
        env={"HELPDESK_USER": None},
    )  # fmt: skip
    assert created.exit_code == 0, created.stderr
    log = runner.invoke(app, [*base, "--as", "root", "user", "log"], env={"HELPDESK_USER": None})
    assert log.exit_code == 0, log.stderr
    [line] = [row for row in log.stdout.splitlines() if "user.as" in row]
    assert line.split()[1:4] == ["login", "postgres", "user.as"]
    assert "'0000001'" in line
    nobody = runner.invoke(app, [*base, "case", "list"], env={"HELPDESK_USER": None})
    assert nobody.exit_code == 1
    assert "database login 'postgres' is no helpdesk user" in nobody.stderr
