"""Date input (`YYYY-MM-DD`, `+3d`, `+2w`, `today`) and the default deadlines (CASE-4)."""

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import overload

from helpdesk_tui.domain.errors import ValidationError

_RELATIVE = re.compile(r"^\+(\d{1,4})([dw])$")
#: Dates a case may carry: a year like 0001 or 9999 is a typo, and far dates break sorting,
#: date arithmetic (SLA, reminders) and other tools reading the data.
EARLIEST = date(2000, 1, 1)
LATEST = date(2199, 12, 31)


@dataclass(frozen=True)
class DateDefaults:
    """Days from creation to the default due date and reminder date."""

    due_days: int = 14
    reminder_days: int = 7

    def due(self, today: date) -> date:
        """The default due date of a case created `today`."""
        return today + timedelta(days=self.due_days)

    def reminder(self, today: date) -> date:
        """The default reminder date of a case created `today`."""
        return today + timedelta(days=self.reminder_days)


def parse_date(text: str, today: date) -> date:
    """Parse an absolute (`2026-12-07`) or relative (`+3d`, `+2w`, `today`) date."""
    value = text.strip().lower()
    if value == "today":
        return today
    match = _RELATIVE.match(value)
    if match:
        amount = int(match.group(1))
        return today + timedelta(days=amount * (7 if match.group(2) == "w" else 1))
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValidationError(
            f"not a date: {text!r} (expected YYYY-MM-DD, +3d, +2w or today)"
        ) from None


def check_date_range(what: str, value: date) -> None:
    """Refuse a date outside EARLIEST..LATEST, naming it (`due 9999-12-31 is out of …`)."""
    if not EARLIEST <= value <= LATEST:
        raise ValidationError(
            f"{what} {value.isoformat()} is out of range ({EARLIEST} to {LATEST})"
        )


def parse_instant(name: str, text: str) -> datetime:
    """An ISO 8601 date-time (`2026-12-07T09:00:00+01:00`, or a date) as an aware UTC instant.

    For settings such as `HELPDESK_NOW` (OPS-5); a value without an offset is taken as UTC.
    """
    try:
        value = datetime.fromisoformat(text.strip())
    except ValueError:
        raise ValidationError(
            f"{name}={text!r} is not an ISO date-time (e.g. 2026-12-07T09:00:00+01:00)"
        ) from None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    check_date_range(name, value.date())
    return value.astimezone(UTC)


@overload
def iso_z(moment: datetime) -> str: ...
@overload
def iso_z(moment: None) -> None: ...
@overload
def iso_z(moment: datetime | None) -> str | None: ...
def iso_z(moment: datetime | None) -> str | None:
    """A UTC instant as the JSON of CLI.md writes it (`2026-12-07T09:00:00.000Z`); None stays
    None (a moment not reached yet)."""
    if moment is None:
        return None
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
