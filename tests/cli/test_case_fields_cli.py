"""`case create|edit --field KEY=VALUE` and `"fields"` in `case show --json` (CLI.md)."""

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

Cli = Callable[..., Any]  # the `cli` fixture of conftest.py

TYPES = """
[cases]
default_type = "general"

[[cases.types]]
key = "hardware"
label = "Hardware"
fields = ["serial", "device"]

[[cases.types]]
key = "general"
"""


@pytest.fixture
def hw_cli(cli: Cli) -> Cli:
    """The `cli` fixture with a hardware type that has two custom fields."""
    config = Path(os.environ["HELPDESK_CONFIG"])
    config.write_text(config.read_text(encoding="utf-8") + TYPES, encoding="utf-8")
    return cli


def _create(cli: Cli, *extra: str) -> Any:
    return cli(
        "case", "create", "--subject", "Laptop bootet nicht", "--contact", "k@acme.de",
        "--user", "alice", "--type", "hardware", *extra,
    )  # fmt: skip


def test_create_with_fields_shows_them_in_json_and_text(hw_cli: Cli) -> None:
    created = _create(hw_cli, "--field", "serial=SN-42", "--field", "device=ThinkPad T14")
    assert (created.code, created.out, created.err) == (0, "0000001\n", "")
    shown = json.loads(hw_cli("case", "show", "0000001", "--json").out)
    assert shown["fields"] == {"serial": "SN-42", "device": "ThinkPad T14"}
    text = hw_cli("case", "show", "0000001").out
    assert "  serial       SN-42\n" in text
    assert "  device       ThinkPad T14\n" in text


def test_a_case_without_fields_shows_an_empty_object(hw_cli: Cli) -> None:
    _create(hw_cli)
    assert json.loads(hw_cli("case", "show", "0000001", "--json").out)["fields"] == {}


def test_an_unknown_key_is_one_error_line_naming_it(hw_cli: Cli) -> None:
    refused = _create(hw_cli, "--field", "colour=red")
    assert (refused.code, refused.out) == (1, "")
    assert refused.err == "error: case type 'hardware' has no field 'colour'\n"
    _create(hw_cli, "--field", "serial=1")
    edit = hw_cli("case", "edit", "0000001", "--field", "colour=red")
    assert (edit.code, edit.err) == (1, "error: case type 'hardware' has no field 'colour'\n")


def test_a_field_without_equals_is_a_usage_error(hw_cli: Cli) -> None:
    refused = _create(hw_cli, "--field", "serial")
    assert refused.code == 2
    assert refused.err == "error: --field takes KEY=VALUE, not 'serial'\n"


def test_edit_sets_changes_and_clears_fields(hw_cli: Cli) -> None:
    _create(hw_cli, "--field", "serial=SN-1")
    edited = hw_cli("case", "edit", "0000001", "--field", "serial=SN-2", "--field", "device=X1")
    assert (edited.code, edited.out) == (0, "updated 0000001\n")
    shown = json.loads(hw_cli("case", "show", "0000001", "--json").out)
    assert shown["fields"] == {"serial": "SN-2", "device": "X1"}
    assert shown["activities"][-1]["changes"] == {
        "fields.device": [None, "X1"],
        "fields.serial": ["SN-1", "SN-2"],
    }
    cleared = hw_cli("case", "edit", "0000001", "--field", "device=")
    assert cleared.code == 0
    assert json.loads(hw_cli("case", "show", "0000001", "--json").out)["fields"] == {
        "serial": "SN-2"
    }
    same = hw_cli("case", "edit", "0000001", "--field", "serial=SN-2")
    assert same.out == "0000001: nothing changed\n"


def test_create_with_a_new_contact_keeps_name_and_phone(hw_cli: Cli) -> None:
    created = hw_cli(
        "case", "create", "--subject", "Anruf", "--contact", "neu@acme.de", "--user", "alice",
        "--contact-name", "Nina Neu", "--contact-phone", "+49 30 123456", "--json",
    )  # fmt: skip
    assert created.code == 0
    assert json.loads(created.out)["contact"] == {"email": "neu@acme.de", "name": "Nina Neu"}
