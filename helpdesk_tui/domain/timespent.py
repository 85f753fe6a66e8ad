"""Time spent as people type it (ACT-4): `1.5`, `1,5`, `90m`, `1h30`, `1:30`, `2h`.

One parser for the compose screen and the CLI. Time is kept in hundredths of an hour;
hours are taken as typed (at most two decimals: 0.01 h steps), minutes are rounded to
the nearest hundredth of an hour (20 min → 0.33 h), half up.
"""

import re
from decimal import ROUND_HALF_UP, Decimal

from helpdesk_tui.domain.errors import ValidationError

#: Longest entry: a day.
MAX_CENTI = 2400  # = activity.MAX_HOURS_PER_ENTRY * 100
EXAMPLES = "e.g. 1.5, 1,5, 90m, 1h30, 1:30"

_HOURS = re.compile(r"^(\d*[.,]?\d+)\s*(?:h|hrs?|hours?)?$")
_MINUTES = re.compile(r"^(\d+)\s*(?:m|min|mins|minutes?)$")
_HOURS_MINUTES = re.compile(r"^(\d+)\s*(?:h|:)\s*(\d{1,2})\s*(?:m|min|mins|minutes?)?$")


def parse_time_spent(text: str) -> int:
    """`text` as hundredths of an hour; ValidationError saying what is accepted otherwise."""
    value = text.strip().lower()
    if match := _HOURS.match(value):
        hours = Decimal(match.group(1).replace(",", "."))
        centi = hours * 100
        if centi != centi.to_integral_value():
            raise ValidationError(f"time spent is recorded in 0.01 h steps, not {text.strip()}")
        return _checked(int(centi), text)
    if match := _MINUTES.match(value):
        return _checked(_minutes(int(match.group(1))), text)
    if match := _HOURS_MINUTES.match(value):
        whole, minutes = int(match.group(1)), int(match.group(2))
        if minutes >= 60:
            raise ValidationError(f"not a time spent: {text.strip()!r} (minutes go up to 59)")
        return _checked(_minutes(whole * 60 + minutes), text)
    raise ValidationError(f"not a time spent: {text.strip()!r} ({EXAMPLES})")


def format_time_spent(centi: int) -> str:
    """Hundredths of an hour as hours the parser reads back: `150` → `1.5`."""
    hours = Decimal(centi) / 100
    return f"{hours.normalize():f}"


def _minutes(minutes: int) -> int:
    return int((Decimal(minutes) * 100 / 60).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _checked(centi: int, text: str) -> int:
    if centi <= 0:
        raise ValidationError(f"time spent must be more than 0 hours, not {text.strip()}")
    if centi > MAX_CENTI:
        raise ValidationError(f"time spent must be at most 24 hours per entry, not {text.strip()}")
    return centi
