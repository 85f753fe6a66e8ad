"""The demo shows custom fields (issue 12 #6): its hardware type has `device` and
`serial_number`, its config names the type, and open hardware cases carry values."""

import json
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from helpdesk_tui.cli.main import app


def _run(*args: str, env: dict[str, str] | None = None) -> Any:
    return CliRunner().invoke(app, list(args), env=env)


def test_demo_hardware_cases_carry_custom_fields(isolated: Path) -> None:
    db = isolated / "demo" / "demo.sqlite"
    seeded = _run("demo", "--no-tui", "--db", str(db), "--json")
    assert seeded.exit_code == 0, seeded.stderr
    config = json.loads(seeded.stdout)["config"]
    assert 'fields = ["device", "serial_number"]' in Path(config).read_text(encoding="utf-8")
    env = {"HELPDESK_CONFIG": config}
    base = ("--db", str(db), "--as", "alice", "case")
    listed = _run(*base, "list", "--query", "type:hardware", "--json", env=env)
    assert listed.exit_code == 0, listed.stderr
    numbers = [c["number"] for c in json.loads(listed.stdout)]
    assert len(numbers) >= 3  # open hardware cases a newcomer finds
    shown = json.loads(_run(*base, "show", numbers[0], "--json", env=env).stdout)
    assert set(shown["fields"]) == {"device", "serial_number"}
    assert shown["fields"]["serial_number"].split("-")[1].isdigit()
    edited = _run(*base, "edit", numbers[0], "--field", "device=Ersatzgerät", env=env)
    assert edited.exit_code == 0, edited.stderr
