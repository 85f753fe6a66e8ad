"""Canned responses and their placeholders (ACT-5)."""

import pytest

from helpdesk_tui.domain.errors import ValidationError
from helpdesk_tui.domain.templates import check_template, fill, placeholders


def test_fill_replaces_known_placeholders() -> None:
    text = "Hallo {contact_name},\nIhr Vorgang {case_number} ist erledigt.\n{agent_name}"
    values = {"contact_name": "Frau Schneider", "case_number": "0001234", "agent_name": "Alice"}
    assert fill(text, values) == ("Hallo Frau Schneider,\nIhr Vorgang 0001234 ist erledigt.\nAlice")
    assert fill("Fällig am {due}", {}) == "Fällig am "
    assert placeholders("{subject} / {due}") == {"subject", "due"}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("Hallo {kunde}", "unknown placeholder {kunde}"),
        ("Hallo {contact_name", "broken placeholder"),
    ],
)
def test_bad_templates_are_refused(text: str, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        check_template("greeting", text)
