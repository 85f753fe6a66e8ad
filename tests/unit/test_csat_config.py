"""`[csat]` in the config (issue 15 §7): `helpdesk config check` refuses a bad value with
one `error:` line naming it, exit 1; good values reach filing and the closing mail."""

from datetime import timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from helpdesk_tui.cli.main import app
from helpdesk_tui.config import csat_rules
from helpdesk_tui.config_loading import load_settings
from helpdesk_tui.domain.csat import DEFAULT_REQUEST
from helpdesk_tui.sync.sender import mail_out

SMTP = '[smtp]\nhost = "127.0.0.1"\nport = 2525\ntls = "none"\nfrom = "Support <s@example.com>"\n'


def _check(tmp_path: Path, toml: str) -> object:
    config = tmp_path / "c.toml"
    config.write_text(toml, encoding="utf-8")
    return CliRunner().invoke(app, ["--config", str(config), "config", "check"])


@pytest.mark.parametrize(
    ("line", "says"),
    [
        ('window = "2w"', "not a rating window"),
        ('window = "0d"', "not a rating window"),
        ('window = "400d"', "longer than a year"),
        ('request = ""', "the rating request is empty"),
        ('request = "Rate us\\nplease"', "one line of printable text"),
        ('request = "Rate {case} 1-5"', "unknown placeholder {case}"),
        ("enabled = 1.5", "csat.enabled"),
        ('colour = "red"', "csat.colour"),
    ],
)
def test_a_bad_value_is_refused_with_one_line(tmp_path: Path, line: str, says: str) -> None:
    enabled = "" if line.startswith("enabled") else "enabled = true\n"
    result = _check(tmp_path, f"[csat]\n{enabled}{line}\n")
    assert result.exit_code == 1  # type: ignore[attr-defined]
    lines = result.stderr.splitlines()  # type: ignore[attr-defined]
    assert len(lines) == 1, lines
    assert lines[0].startswith("error: config ")
    assert "csat" in lines[0]
    assert says in lines[0]


def test_off_by_default_and_good_values_reach_filing_and_the_closing_mail(
    tmp_path: Path,
) -> None:
    config = tmp_path / "c.toml"
    config.write_text(SMTP, encoding="utf-8")
    settings = load_settings(config)
    assert csat_rules(settings) is None
    out = mail_out(settings)
    assert out is not None
    assert out.csat_request is None
    config.write_text(SMTP + '\n[csat]\nenabled = true\nwindow = "48h"\n', encoding="utf-8")
    assert _check(tmp_path, config.read_text()).exit_code == 0  # type: ignore[attr-defined]
    settings = load_settings(config)
    rules = csat_rules(settings)
    assert rules is not None
    assert (rules.request, rules.window) == (DEFAULT_REQUEST, timedelta(hours=48))
    out = mail_out(settings)
    assert out is not None
    assert out.csat_request == DEFAULT_REQUEST
