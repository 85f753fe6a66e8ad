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


def test_fill_canned_names_the_due_and_the_agent() -> None:
    from datetime import date

    from helpdesk_tui.domain.templates import CannedResponse, fill_canned

    def filled(canned: CannedResponse, today: date) -> str:
        return fill_canned(
            canned,
            case_number="0000027",
            subject="Drucker",
            contact_name="Karl",
            agent_name="Alice Becker",
            due=date(2026, 12, 7),
            account="",
            today=today,
        )

    canned = CannedResponse("Acknowledge", "case {case_number}, by {due}. {agent_name}")
    assert filled(canned, date(2026, 12, 7)) == "case 0000027, by 2026-12-07. Alice Becker"
    with pytest.raises(
        ValidationError,
        match=r"^0000027 was due 2026-12-07: move the due date \(s or e\) before inserting "
        r"'Acknowledge', which promises it$",
    ):
        filled(canned, date(2026, 12, 8))
    # a text that promises no date may still go in
    thanks = CannedResponse("Thanks", "thanks, {agent_name}")
    assert filled(thanks, date(2027, 1, 1)) == "thanks, Alice Becker"
