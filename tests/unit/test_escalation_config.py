"""`[[sla.escalations]]` in the config (issue 15 §4): `helpdesk config check` refuses a bad
level with one `error:` line naming it, exit 1; good levels reach the SLA rules."""

from pathlib import Path

import pytest
from typer.testing import CliRunner

from helpdesk_tui.cli.main import app
from helpdesk_tui.config import sla_rules
from helpdesk_tui.config_loading import load_settings


def _check(tmp_path: Path, toml: str) -> object:
    config = tmp_path / "c.toml"
    config.write_text(toml, encoding="utf-8")
    return CliRunner().invoke(app, ["--config", str(config), "config", "check"])


@pytest.mark.parametrize(
    ("at", "notify", "says"),
    [
        ('"75"', '"lead"', "share of the target"),
        ('"100%+4x"', '"lead"', "duration"),
        ('"0%"', '"lead"', "more than 0%"),
        ('"75%"', '"boss"', "'delegate', 'lead', 'owner' or 'admins'"),
    ],
)
def test_a_bad_level_is_refused_with_one_line(
    tmp_path: Path, at: str, notify: str, says: str
) -> None:
    result = _check(tmp_path, f"[[sla.escalations]]\nat = {at}\nnotify = {notify}\n")
    assert result.exit_code == 1  # type: ignore[attr-defined]
    lines = result.stderr.splitlines()  # type: ignore[attr-defined]
    assert len(lines) == 1
    assert lines[0].startswith("error: config ")
    assert "sla.escalations.0" in lines[0]
    assert says in lines[0]


def test_good_levels_reach_the_sla_rules(tmp_path: Path) -> None:
    config = tmp_path / "c.toml"
    config.write_text(
        '[[sla.policies]]\nname = "std"\nfirst_response = "4h"\n\n'
        '[[sla.escalations]]\nat = "75%"\n\n'
        '[[sla.escalations]]\nat = "100% + 4h"\nnotify = "admins"\nraise_priority = true\n',
        encoding="utf-8",
    )
    assert _check(tmp_path, config.read_text()).exit_code == 0  # type: ignore[attr-defined]
    rules = sla_rules(load_settings(config))
    assert rules is not None
    assert [(e.at, e.notify, e.raise_priority) for e in rules.escalations] == [
        ("75%", "delegate", False),
        ("100%+4h", "admins", True),
    ]
