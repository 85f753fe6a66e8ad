"""Starting the TUI without a config: the built-in settings, without loading pydantic."""

import subprocess
import sys
from pathlib import Path

import pytest
from pilotkit import INVOICE, Data, make_app, open_case, running, settle
from support import sync
from textual.widgets import TextArea

from helpdesk_tui.cli.runtime import Options, Runtime
from helpdesk_tui.cli.tui import default_canned
from helpdesk_tui.config import canned_responses
from helpdesk_tui.config_loading import load_settings
from helpdesk_tui.dialogs.canned import CannedDialog
from helpdesk_tui.domain.policy import Policy


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    """No HELPDESK_* variable (the developer's own must not leak into the test)."""
    import os

    for name in list(os.environ):
        if name.upper().startswith("HELPDESK_"):
            monkeypatch.delenv(name)
    return monkeypatch


def test_the_built_in_settings_equal_the_loaded_defaults(
    tmp_path: Path, clean_env: pytest.MonkeyPatch
) -> None:
    """The fast path must behave exactly like loading settings with nothing configured."""
    loaded = load_settings(tmp_path / "missing.toml")
    assert default_canned() == canned_responses(loaded)
    assert Policy() == loaded.policy()
    assert loaded.keys == {}
    assert loaded.users == []
    assert loaded.database is None
    assert loaded.user is None


def test_defaults_apply_only_without_config_file_and_settings_variables(
    tmp_path: Path, clean_env: pytest.MonkeyPatch
) -> None:
    missing = tmp_path / "missing.toml"
    assert Runtime(Options(config=missing)).uses_defaults
    clean_env.setenv("HELPDESK_DB", str(tmp_path / "x.sqlite"))  # options, not settings
    clean_env.setenv("HELPDESK_CONFIG", str(missing))
    assert Runtime(Options(config=missing)).uses_defaults
    clean_env.setenv("helpdesk_dates__due_days", "3")  # a setting (any case)
    assert not Runtime(Options(config=missing)).uses_defaults
    clean_env.delenv("helpdesk_dates__due_days")
    existing = tmp_path / "config.toml"
    existing.write_text("")
    assert not Runtime(Options(config=existing)).uses_defaults


def test_a_start_without_config_does_not_import_pydantic(tmp_path: Path, case_data: Data) -> None:
    db = case_data.ctx.location.display()
    script = f"""
import sys
from pathlib import Path
from helpdesk_tui.cli.runtime import Options, Runtime
runtime = Runtime(Options(db={db!r}, as_user="alice", config=Path({str(tmp_path / "no.toml")!r})))
with runtime.reads():
    pass
assert runtime.context.policy is not None
assert "pydantic" not in sys.modules, "pydantic was imported"
print(runtime.user, runtime.uses_defaults)
"""
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=env, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["alice", "True"]


@sync
async def test_canned_responses_read_after_the_first_paint_are_offered(case_data: Data) -> None:
    # As `helpdesk` without a config starts it.
    async with running(case_data, canned=(), load_canned=default_canned) as (app, pilot):
        assert app.desk.canned == default_canned()  # read by the warm-up worker
        await open_case(pilot, INVOICE)
        await pilot.press("c")
        await settle(pilot)
        assert isinstance(app.screen.query_one(TextArea), TextArea)
        await pilot.press("ctrl+o")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, CannedDialog)
        assert [c.name for c in dialog.canned] == [c.name for c in default_canned()]


def test_canned_responses_are_read_on_first_need_if_the_warm_up_is_late(
    case_data: Data,
) -> None:
    app = make_app(case_data, canned=(), load_canned=default_canned)
    assert app.desk.canned == ()
    assert app.canned_responses() == default_canned()
    assert app.desk.canned == default_canned()
