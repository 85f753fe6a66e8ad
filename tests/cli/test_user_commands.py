"""`helpdesk user …` and where roles come from (SEC-3, SEC-6): the database decides; the
config seeds an empty database only; admins change users, audited."""

import json
import os
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner

from helpdesk_tui.cli.main import app

CONFIG = """
[[users]]
username = "root"
name = "Root Admin"
role = "admin"

[[users]]
username = "bjoern"
name = "Björn Berg"
email = "bjoern@helpdesk.example"

[[users]]
username = "lena"
role = "lead"

[[groups]]
name = "billing"
lead = "lena"
members = ["bjoern", "lena"]
"""

ATTACK = {"HELPDESK_USERS": '[{"username":"bjoern","role":"admin"}]', "HELPDESK_GROUPS": "[]"}


@dataclass(frozen=True)
class Result:
    code: int
    out: str
    err: str


@dataclass
class Desk:
    folder: Path

    @property
    def db(self) -> Path:
        return self.folder / "hd.sqlite"

    def run(self, *args: str, as_: str = "root", env: dict[str, str] | None = None) -> Result:
        result = CliRunner().invoke(app, ["--as", as_, *args], env=env)
        if result.exception and not isinstance(result.exception, SystemExit):
            raise result.exception
        return Result(result.exit_code, result.stdout, result.stderr)

    def users(self) -> dict[str, dict[str, object]]:
        return self.users_as("root")

    def users_as(self, admin: str) -> dict[str, dict[str, object]]:
        listed = self.run("user", "list", "--json", as_=admin)
        assert listed.code == 0, listed.err
        return {u["username"]: u for u in json.loads(listed.out)}

    def role_in_db(self, username: str) -> str:
        with sqlite3.connect(self.db) as connection:
            row = connection.execute(
                "SELECT role FROM agents WHERE username = ?", (username,)
            ).fetchone()
        return str(row[0])

    def data_version(self) -> object:
        """Changes when another connection commits a write (SQLite)."""
        return self._watch.execute("PRAGMA data_version").fetchone()[0]

    def watch(self) -> None:
        self._watch = sqlite3.connect(self.db)


@pytest.fixture
def desk(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Desk]:
    for name in list(os.environ):
        if name.upper().startswith("HELPDESK_"):
            monkeypatch.delenv(name)
    (tmp_path / "config.toml").write_text(CONFIG, encoding="utf-8")
    monkeypatch.setenv("HELPDESK_CONFIG", str(tmp_path / "config.toml"))
    monkeypatch.setenv("HELPDESK_DB", str(tmp_path / "hd.sqlite"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg-config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    desk = Desk(tmp_path)
    assert desk.run("init").code == 0  # the config seeds the new database
    desk.watch()
    yield desk
    desk._watch.close()


def _refused(result: Result, message: str, code: int = 1) -> None:
    assert result.code == code, (result.out, result.err)
    assert result.out == ""
    assert result.err == f"error: {message}\n"


# -- the attack of issue 10, found 5 ------------------------------------------------------------
def test_helpdesk_users_in_the_environment_raises_nobody(desk: Desk) -> None:
    attack = ATTACK
    created = desk.run(
        "case", "create", "--subject", "x", "--contact", "k@kunde.example", "--user", "bjoern",
        as_="bjoern", env=attack,
    )  # fmt: skip
    assert created.code == 0, created.err
    _refused(
        desk.run("user", "role", "bjoern", "admin", as_="bjoern", env=attack),
        "only admin may manage users (bjoern is agent)",
    )
    _refused(
        desk.run("user", "add", "mallory", "--role", "admin", as_="bjoern", env=attack),
        "only admin may manage users (bjoern is agent)",
    )
    _refused(
        desk.run("case", "delete", "0000001", "--yes", as_="bjoern", env=attack),
        "only admin, lead may delete cases",
    )
    assert desk.role_in_db("bjoern") == "agent"  # for everyone, not only this process
    assert desk.users()["bjoern"]["role"] == "agent"


def test_a_changed_config_file_is_not_applied_either(desk: Desk) -> None:
    changed = CONFIG.replace('email = "bjoern@helpdesk.example"', 'role = "admin"')
    (desk.folder / "config.toml").write_text(changed + '\n[[users]]\nusername = "neu"\n')
    before = desk.data_version()
    assert desk.run("case", "list", as_="bjoern").code == 0
    assert desk.run("init", as_="bjoern").code == 0
    assert desk.data_version() == before
    assert desk.role_in_db("bjoern") == "agent"
    _refused(desk.run("case", "list", as_="neu"), "unknown user 'neu'")


# -- the commands ------------------------------------------------------------------------------
def test_an_admin_adds_a_user_with_groups_and_login(desk: Desk) -> None:
    added = desk.run(
        "user", "add", "carla", "--role", "lead", "--email", "Carla@Helpdesk.example",
        "--name", "Carla Castro", "--groups", "billing", "--db-login", "carla_c",
    )  # fmt: skip
    assert added.code == 0, added.err
    assert added.out == "added user 'carla' (lead) in billing\n"
    assert desk.users()["carla"] == {
        "username": "carla",
        "name": "Carla Castro",
        "email": "carla@helpdesk.example",
        "role": "lead",
        "active": True,
        "groups": ["billing"],
        "db_login": "carla_c",
    }
    assert desk.run("case", "list", as_="carla").code == 0  # she can act now


def test_an_admin_changes_a_role(desk: Desk) -> None:
    assert desk.run("user", "role", "bjoern", "lead").out == "bjoern: agent → lead\n"
    assert desk.role_in_db("bjoern") == "lead"
    assert desk.run("user", "role", "bjoern", "lead").out == "bjoern is lead already\n"
    # A lead may now reopen and delete, as the workflow allows leads.
    desk.run("case", "create", "--subject", "x", "--contact", "k@k.example", "--user", "bjoern")
    assert desk.run("case", "delete", "0000001", "--yes", as_="bjoern").code == 0


@pytest.mark.parametrize(
    "command",
    [
        ("user", "add", "zoe"),
        ("user", "role", "bjoern", "admin"),
        ("user", "remove", "root"),
        ("user", "list"),
        ("user", "log"),
    ],
)
@pytest.mark.parametrize(("who", "role"), [("bjoern", "agent"), ("lena", "lead")])
def test_only_admins_change_or_list_users(
    desk: Desk, command: tuple[str, ...], who: str, role: str
) -> None:
    before = desk.data_version()
    _refused(desk.run(*command, as_=who), f"only admin may manage users ({who} is {role})")
    assert desk.data_version() == before


@pytest.mark.parametrize(
    ("command", "message", "code"),
    [
        (("user", "role", "nobody", "lead"), "unknown user 'nobody'", 1),
        (("user", "remove", "nobody"), "unknown user 'nobody'", 1),
        (("user", "add", "bjoern"), "user 'bjoern' already exists", 1),
        (("user", "add", "zoe", "--groups", "sales"), "unknown group 'sales'", 1),
        (
            ("user", "add", "Bad Name"),
            "invalid username 'Bad Name': 1-64 of a-z 0-9 . _ -, starting with a letter or digit",
            1,
        ),
        (("user", "add", "zoe", "--email", "z@x\r\nBcc: v@x"), None, 1),
        (("user", "add", "zoe", "--name", "Zoe\x1b[2J"), None, 1),
        (("user", "add", "zoe", "--db-login", "a b"), "invalid database login 'a b'", 1),
        (
            ("user", "add", "zoe", "--role", "god"),
            "unknown role 'god': use agent, lead or admin",
            2,
        ),
        (("user", "role", "bjoern", "root"), "unknown role 'root': use agent, lead or admin", 2),
    ],
)
def test_refusals_name_the_problem_and_write_nothing(
    desk: Desk, command: tuple[str, ...], message: str | None, code: int
) -> None:
    before = desk.data_version()
    result = desk.run(*command)
    assert result.code == code
    assert result.out == ""
    assert result.err.startswith("error: ")
    assert result.err.count("\n") == 1
    if message is not None:
        assert result.err == f"error: {message}\n"
    assert "\x1b" not in result.err
    assert desk.data_version() == before


def test_a_database_login_belongs_to_one_user(desk: Desk) -> None:
    assert desk.run("user", "add", "zoe", "--db-login", "shared").code == 0
    _refused(
        desk.run("user", "add", "zack", "--db-login", "shared"),
        "database login 'shared' belongs to 'zoe'",
    )


# -- the last admin ----------------------------------------------------------------------------
def test_the_last_admin_cannot_be_removed_or_demoted(desk: Desk) -> None:
    _refused(desk.run("user", "role", "root", "lead"), "cannot demote 'root': the last admin")
    _refused(desk.run("user", "remove", "root"), "cannot remove 'root': the last admin")
    assert desk.run("user", "role", "lena", "admin").code == 0
    assert desk.run("user", "role", "root", "agent").code == 0  # lena is admin now
    _refused(desk.run("user", "remove", "lena", as_="lena"), "cannot remove 'lena': the last admin")
    assert desk.role_in_db("lena") == "admin"


# -- removing keeps history ----------------------------------------------------------------------
def test_a_removed_user_cannot_act_and_keeps_their_cases(desk: Desk) -> None:
    desk.run("case", "create", "--subject", "x", "--contact", "k@k.example", "--user", "bjoern")
    desk.run("case", "comment", "0000001", "Notiz", as_="bjoern")
    assert desk.run("user", "remove", "bjoern").out == (
        "removed user 'bjoern' (deactivated; cases and history stay)\n"
    )
    _refused(desk.run("case", "list", as_="bjoern"), "unknown user 'bjoern'")
    _refused(
        desk.run("case", "comment", "0000001", "x", as_="bjoern"), "user 'bjoern' is deactivated"
    )
    shown = json.loads(desk.run("case", "show", "0000001", "--json").out)
    assert shown["delegated_user"] == "bjoern"
    assert [a["actor"] for a in shown["activities"]] == ["root", "bjoern"]
    assert desk.users()["bjoern"]["active"] is False
    _refused(desk.run("user", "remove", "bjoern"), "unknown user 'bjoern'")
    # Added again: the same person, history and all, with the values given now.
    assert desk.run("user", "add", "bjoern", "--role", "lead").code == 0
    assert desk.users()["bjoern"]["active"] is True
    assert desk.users()["bjoern"]["groups"] == ["billing"]
    assert desk.run("case", "list", as_="bjoern").code == 0


# -- the audit ---------------------------------------------------------------------------------
def test_every_change_is_audited_with_who_when_and_what(desk: Desk) -> None:
    desk.run("user", "add", "zoe", "--groups", "billing", "--email", "zoe@x.example")
    desk.run("user", "role", "zoe", "lead")
    desk.run("user", "remove", "zoe")
    desk.run("user", "role", "bjoern", "admin", as_="bjoern")  # refused: not audited
    log = json.loads(desk.run("user", "log", "--json").out)
    seeded = [e for e in log if e["action"] == "user.seed"]
    assert {e["user"]: e["changes"]["role"] for e in seeded} == {
        "root": [None, "admin"],
        "bjoern": [None, "agent"],
        "lena": [None, "lead"],
    }
    assert {e["actor"] for e in seeded} == {None}
    assert {e["changes"]["source"][1] for e in seeded} == {"config"}
    assert seeded[0]["at"].endswith("Z")
    changes = [(e["actor"], e["action"], e["user"], e["changes"]) for e in log[3:]]
    assert changes == [
        (
            "root",
            "user.add",
            "zoe",
            {
                "email": ["", "zoe@x.example"],
                "role": [None, "agent"],
                "groups": [[], ["billing"]],
            },
        ),
        ("root", "user.role", "zoe", {"role": ["agent", "lead"]}),
        ("root", "user.remove", "zoe", {"active": [True, False]}),
    ]
    plain = desk.run("user", "log").out.splitlines()
    assert len(plain) == 6
    assert plain[-1].split()[1:4] == ["root", "user.remove", "zoe"]


def test_init_on_an_empty_database_makes_its_first_admin_and_audits_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in list(os.environ):
        if name.upper().startswith("HELPDESK_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg-config"))
    monkeypatch.setenv("HELPDESK_DB", str(tmp_path / "first.sqlite"))
    desk = Desk(tmp_path)
    assert desk.run("init", as_="greta").out.startswith("created admin user 'greta'\n")
    [entry] = json.loads(desk.run("user", "log", "--json", as_="greta").out)
    assert (entry["actor"], entry["action"], entry["user"]) == (None, "user.seed", "greta")
    assert entry["changes"] == {"role": [None, "admin"], "source": [None, "init"]}
    # HELPDESK_USERS on a database that has users seeds nothing.
    desk.run("init", as_="greta", env=ATTACK)
    _refused(desk.run("case", "list", as_="bjoern"), "unknown user 'bjoern'")


# -- config check ---------------------------------------------------------------------------------
def test_config_check_reports_where_the_database_differs_and_applies_nothing(
    desk: Desk,
) -> None:
    same = desk.run("config", "check")
    assert same.code == 0, same.err
    assert same.out.splitlines()[-1] == (
        f"database {desk.db}: holds the configured users and groups as configured"
    )
    desk.run("user", "role", "bjoern", "lead")
    desk.run("user", "remove", "lena")
    before = desk.data_version()
    attack = ATTACK
    report = desk.run("config", "check")
    assert report.code == 0, report.err
    assert report.out.splitlines()[2:] == [
        f"database {desk.db}: 2 differences from the config; the database wins "
        "(change users with `helpdesk user`)",
        "  user 'bjoern': role 'agent' in the config, 'lead' in the database",
        "  user 'lena': removed in the database",
    ]
    env_report = desk.run("config", "check", env=attack)
    assert env_report.out.splitlines()[3:] == [
        "  user 'bjoern': role 'admin' in the config, 'lead' in the database",
        "  user 'bjoern': name '' in the config, 'Björn Berg' in the database",
        "  user 'bjoern': email '' in the config, 'bjoern@helpdesk.example' in the database",
    ]
    assert desk.data_version() == before
    assert desk.role_in_db("bjoern") == "lead"


def test_config_check_does_not_create_the_database(desk: Desk) -> None:
    missing = desk.folder / "nowhere" / "new.sqlite"
    report = desk.run("--db", str(missing), "config", "check")
    assert report.code == 0, report.err
    assert report.out.splitlines()[-1] == (
        f"database {missing}: not created yet; the configured users will seed it"
    )
    assert not missing.parent.exists()


def test_sync_writes_no_people_when_the_database_has_users(desk: Desk) -> None:
    smtp = '\n[smtp]\nhost = "127.0.0.1"\nport = 1\ntls = "none"\nfrom = "S <s@example.com>"\n'
    (desk.folder / "config.toml").write_text(CONFIG + smtp, encoding="utf-8")
    log_before = desk.run("user", "log", "--json").out
    synced = desk.run("sync", "--once", as_="bjoern", env=ATTACK)
    assert synced.code == 0, synced.err
    assert synced.out == "outbox: 0 sent, 0 retrying, 0 failed, 0 unknown\n"
    assert desk.role_in_db("bjoern") == "agent"
    assert desk.run("user", "log", "--json").out == log_before


@pytest.fixture
def no_admin_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Desk:
    for name in list(os.environ):
        if name.upper().startswith("HELPDESK_"):
            monkeypatch.delenv(name)
    config = CONFIG.replace('role = "admin"', 'role = "agent"')
    (tmp_path / "config.toml").write_text(config, encoding="utf-8")
    monkeypatch.setenv("HELPDESK_CONFIG", str(tmp_path / "config.toml"))
    monkeypatch.setenv("HELPDESK_DB", str(tmp_path / "hd.sqlite"))
    return Desk(tmp_path)


def test_a_config_without_an_admin_makes_an_unlisted_init_runner_the_admin(
    no_admin_config: Desk,
) -> None:
    done = no_admin_config.run("init", as_="carol")
    assert done.code == 0
    assert "warning" not in done.err
    roles = {name: user["role"] for name, user in no_admin_config.users_as("carol").items()}
    assert roles == {"carol": "admin", "root": "agent", "bjoern": "agent", "lena": "lead"}


def test_a_config_without_an_admin_keeps_a_listed_runner_s_role_and_warns(
    no_admin_config: Desk,
) -> None:
    done = no_admin_config.run("init", as_="bjoern")
    assert done.code == 0
    assert done.err.startswith("warning: no admin in this database")
    assert done.err.count("\n") == 1
    assert no_admin_config.role_in_db("bjoern") == "agent"
