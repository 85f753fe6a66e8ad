"""What a rule records: drafts of timeline entries (ACT-1, CASE-8) and time spent (ACT-4)."""

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from helpdesk_tui.domain.enums import ActivityKind
from helpdesk_tui.domain.errors import ValidationError
from helpdesk_tui.domain.timespent import parse_time_spent

#: old → new, as text (None where a field was empty); keys are the JSON field names.
Changes = Mapping[str, tuple[str | None, str | None]]

MAX_HOURS_PER_ENTRY = Decimal(24)
#: Longest text an agent may write into a comment, reply, phone note or description,
#: characters: ~50 printed pages. Longer text (a pasted log) belongs in an attachment; a
#: 10 MB comment made the TUI take 383 MB to show the case.
MAX_TEXT = 100_000


@dataclass(frozen=True)
class ActivityDraft:
    """A timeline entry a rule produced; storage writes it in the same transaction."""

    kind: ActivityKind
    text: str = ""
    internal: bool = True
    changes: Changes = field(default_factory=dict)
    time_spent_centi: int | None = None  # hundredths of an hour (ACT-4: 0.01 h steps)


def check_text_size(what: str, text: str) -> None:
    """Refuse a written text longer than MAX_TEXT characters, naming it."""
    if len(text) > MAX_TEXT:
        raise ValidationError(f"{what} is longer than {MAX_TEXT} characters ({len(text)})")


def parse_hours(value: str | float | Decimal) -> int:
    """Time spent (`0.25`, `1,5`, `90m`, `1h30`, `1:30`) → hundredths of an hour; the one
    parser is `domain/timespent.parse_time_spent`."""
    return parse_time_spent(str(value))


def format_hours(centi: int | None) -> float | None:
    """Hundredths of an hour → hours as a float for JSON (`25` → `0.25`)."""
    return None if centi is None else centi / 100
