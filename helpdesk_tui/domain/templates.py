"""Canned responses and templates with `{placeholders}` (ACT-5)."""

import string
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from helpdesk_tui.domain.errors import ValidationError

PLACEHOLDERS = frozenset(
    {"case_number", "case_tag", "subject", "contact_name", "agent_name", "due", "account"}
)
"""`case_tag` is the subject tag with the configured prefix, e.g. `[#0001234]`."""


@dataclass(frozen=True)
class CannedResponse:
    """A named text module."""

    name: str
    text: str


def placeholders(text: str) -> set[str]:
    """The `{names}` used in `text`; ValidationError on broken braces."""
    try:
        return {field for _, field, _, _ in string.Formatter().parse(text) if field is not None}
    except ValueError as error:
        raise ValidationError(f"broken placeholder in {text[:40]!r}: {error}") from None


def check_template(name: str, text: str) -> None:
    """Refuse unknown placeholders, naming them (run by `config check`)."""
    unknown = sorted(placeholders(text) - PLACEHOLDERS)
    if unknown:
        known = ", ".join("{" + p + "}" for p in sorted(PLACEHOLDERS))
        raise ValidationError(
            f"template {name!r}: unknown placeholder {{{unknown[0]}}} (known: {known})"
        )


def fill(text: str, values: Mapping[str, str]) -> str:
    """`text` with its placeholders replaced; missing values become empty."""
    check_template("text", text)
    return text.format_map({name: values.get(name, "") for name in PLACEHOLDERS})


def fill_canned(
    canned: CannedResponse,
    *,
    case_number: str,
    subject: str,
    contact_name: str,
    agent_name: str,
    due: date,
    account: str,
    today: date,
) -> str:
    """A canned response filled for one case (ACT-5): `{agent_name}` is the agent's display
    name, `{due}` the case's due date. A text that names `{due}` is refused while that
    date has passed: it would promise the customer a day that is gone."""
    if "due" in placeholders(canned.text) and due < today:
        raise ValidationError(
            f"{case_number} was due {due.isoformat()}: move the due date (s or e) before "
            f"inserting {canned.name!r}, which promises it"
        )
    values = {
        "case_number": case_number,
        "subject": subject,
        "contact_name": contact_name,
        "agent_name": agent_name,
        "due": due.isoformat(),
        "account": account,
    }
    return fill(canned.text, values)
