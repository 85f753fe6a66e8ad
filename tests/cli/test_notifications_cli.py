"""`helpdesk notifications` and the scheduler in `helpdesk sync` (DATE-4, OPS-5).

The test config has no mail accounts and no [smtp]: `sync` then runs the scheduler alone
and exits 0. Each `cli(...)` call is a fresh start (new runtime, new engine), so moving
HELPDESK_NOW between calls is a restart on another day.
"""

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from typing import Any

import pytest

Cli = Callable[..., Any]  # the `cli` fixture of tests/cli/conftest.py

KEYS = {"id", "kind", "case", "at", "by", "text", "read"}


def notes(cli: Cli, user: str, *args: str) -> list[dict[str, Any]]:
    done = cli("notifications", *args, "--json", as_=user)
    assert done.code == 0, done.err
    listed: list[dict[str, Any]] = json.loads(done.out)
    return listed


def at(monkeypatch: pytest.MonkeyPatch, moment: str) -> None:
    monkeypatch.setenv("HELPDESK_NOW", moment)


def test_the_reminder_fires_once_across_runs_and_restarts(
    cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    at(monkeypatch, "2026-12-07T09:00:00+01:00")  # Monday
    made = cli(
        "case", "create", "--subject", "Drucker", "--contact", "kunde@acme.example",
        "--user", "alice", "--reminder", "2026-12-09", "--due", "2026-12-10", "--json",
        as_="lena",
    )  # fmt: skip
    assert made.code == 0, made.err
    number = json.loads(made.out)["number"]
    first = cli("sync", "--once")
    assert (first.code, first.err) == (0, "")
    assert [n["kind"] for n in notes(cli, "alice")] == ["delegated"]

    at(monkeypatch, "2026-12-09T07:30:00+01:00")  # the reminder's day
    assert cli("sync", "--once").out == "1 notification of reminders and overdue cases\n"
    assert cli("sync", "--once").code == 0  # the same day again
    at(monkeypatch, "2026-12-09T17:00:00+01:00")  # a restart later that day
    assert cli("sync", "--once").code == 0
    reminders = [n for n in notes(cli, "alice") if n["kind"] == "reminder"]
    assert len(reminders) == 1
    assert reminders[0]["case"] == number
    assert reminders[0]["by"] is None
    assert reminders[0]["text"] == f"reminder 2026-12-09 of {number} has come"

    at(monkeypatch, "2026-12-11T09:00:00+01:00")  # due 2026-12-10 has passed
    cli("sync", "--once")
    cli("sync", "--once")
    kinds = [n["kind"] for n in notes(cli, "alice")]
    assert kinds == ["overdue", "reminder", "delegated"]
    assert notes(cli, "lena") == []  # lena acted; the reminder is alice's


def test_a_reminder_moved_to_today_fires_on_the_next_pass(
    cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    at(monkeypatch, "2026-12-07T09:00:00+01:00")
    cli(
        "case", "create", "--subject", "Drucker", "--contact", "kunde@acme.example",
        "--user", "bob", "--reminder", "2026-12-20", "--due", "2026-12-30", as_="bob",
    )  # fmt: skip
    assert cli("sync", "--once").code == 0
    at(monkeypatch, "2026-12-07T11:00:00+01:00")
    assert cli("case", "edit", "0000001", "--reminder", "2026-12-07", as_="bob").code == 0
    assert cli("sync", "--once").code == 0
    assert [n["kind"] for n in notes(cli, "bob")] == ["reminder"]


def test_list_json_shape_unread_and_read_marks(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    at(monkeypatch, "2026-12-07T09:00:00+01:00")
    cli(
        "case", "create", "--subject", "Drucker", "--contact", "kunde@acme.example",
        "--user", "alice", as_="alice",
    )  # fmt: skip
    for text in ("erster", "@alice zweiter"):
        assert cli("case", "comment", "0000001", text, as_="bob").code == 0
    listed = notes(cli, "alice")
    assert [set(n) for n in listed] == [KEYS, KEYS]
    assert [(n["kind"], n["by"], n["read"]) for n in listed] == [
        ("mention", "bob", False),
        ("changed", "bob", False),
    ]
    assert listed[0]["at"] == "2026-12-07T08:00:00.000Z"  # HELPDESK_NOW, in UTC
    done = cli("notifications", "read", listed[0]["id"][:8], as_="alice")
    assert (done.code, done.out) == (0, "1 marked read\n")
    assert [n["kind"] for n in notes(cli, "alice", "--unread")] == ["changed"]
    text = cli("notifications", as_="alice").out.splitlines()
    assert text[0].startswith(f"  {listed[0]['id'][:8]}  ")
    assert text[1].startswith(f"* {listed[1]['id'][:8]}  ")
    assert cli("notifications", "read", "--all", as_="alice").out == "1 marked read\n"
    assert cli("notifications", "--unread", as_="alice").out == "(no unread notifications)\n"


@pytest.mark.parametrize(
    ("args", "code", "error"),
    [
        ((), 2, "error: name notification ids or give --all (not both)\n"),
        (("abc",), 2, "error: give at least 6 characters of the id 'abc'\n"),
        (("abcdef12",), 1, "error: no notification 'abcdef12'\n"),
    ],
)
def test_read_refusals(cli: Cli, args: tuple[str, ...], code: int, error: str) -> None:
    done = cli("notifications", "read", *args)
    assert (done.code, done.err) == (code, error)


def test_sync_watch_without_mail_runs_the_scheduler_until_stopped(
    cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    at(monkeypatch, "2026-12-09T07:30:00+01:00")
    cli(
        "case", "create", "--subject", "Drucker", "--contact", "kunde@acme.example",
        "--user", "alice", "--reminder", "2026-12-09", "--due", "2026-12-10", as_="alice",
    )  # fmt: skip
    env = {**os.environ, "HELPDESK_USER": "alice"}  # HELPDESK_DB, _CONFIG, _NOW: the fixture's
    watch = subprocess.Popen(
        [sys.executable, "-m", "helpdesk_tui.cli", "sync", "--watch"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 20
        while not [n for n in notes(cli, "alice") if n["kind"] == "reminder"]:
            assert watch.poll() is None, watch.communicate()
            assert time.monotonic() < deadline, "sync --watch fired no reminder"
            time.sleep(0.1)
    finally:
        watch.send_signal(signal.SIGTERM)
        _, err = watch.communicate(timeout=30)
    assert (watch.returncode, err) == (0, "")
    assert [n["kind"] for n in notes(cli, "alice")] == ["reminder"]


IDLE_PASS = """
import json, os, sys
from helpdesk_tui.services.context import Context
from helpdesk_tui.services.notifications import fire_due
from helpdesk_tui.storage.location import locate
written = fire_due(Context(locate(os.environ["HELPDESK_DB"])))
heavy = [m for m in ("sqlalchemy", "sqlmodel") if m in sys.modules]
print(json.dumps([written, heavy]))
"""


def test_a_pass_with_nothing_due_stays_on_the_plain_read_path(
    cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`sync --once` right after mail opened cases (not due): no ORM, no write."""
    at(monkeypatch, "2026-12-09T07:30:00+01:00")
    assert cli("sync", "--once").code == 0  # the day's first pass
    cli(
        "case", "create", "--subject", "Neu", "--contact", "kunde@acme.example",
        "--user", "alice", "--reminder", "2026-12-10", "--due", "2026-12-11", as_="bob",
    )  # fmt: skip
    done = subprocess.run(
        [sys.executable, "-c", IDLE_PASS], capture_output=True, text=True, check=True
    )
    assert json.loads(done.stdout) == [0, []]
    cli("case", "edit", "0000001", "--reminder", "2026-12-09", as_="bob")  # due now
    done = subprocess.run(
        [sys.executable, "-c", IDLE_PASS], capture_output=True, text=True, check=True
    )
    assert json.loads(done.stdout) == [1, ["sqlalchemy", "sqlmodel"]]
