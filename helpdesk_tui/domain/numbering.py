"""Case numbers: 7 digits, zero-padded (CASE-3); sub-cases add `-001` (SUB-1)."""

import re
from dataclasses import dataclass

from helpdesk_tui.domain.errors import ValidationError

MAX_CASE_NUMBER = 9_999_999
_NUMBER = re.compile(r"^#?(\d{1,7})(?:-(\d{1,3}))?$")


@dataclass(frozen=True, order=True)
class CaseNumber:
    """A case's number; `sub` is 0 for a top-level case, 1… for its sub-cases."""

    main: int
    sub: int = 0

    def __str__(self) -> str:
        text = format_main(self.main)
        return f"{text}-{self.sub:03d}" if self.sub else text

    @property
    def is_sub_case(self) -> bool:
        """True for `0001234-002`, False for `0001234`."""
        return self.sub > 0


def format_main(main: int) -> str:
    """`1234` → `0001234`."""
    if not 0 < main <= MAX_CASE_NUMBER:
        raise ValidationError(f"case number {main} is out of range 1…{MAX_CASE_NUMBER}")
    return f"{main:07d}"


def parse_case_number(text: str) -> CaseNumber:
    """Parse `0001234`, `1234`, `#0001234` or `0001234-002`."""
    match = _NUMBER.match(text.strip())
    sub = int(match.group(2)) if match and match.group(2) else None  # `-000` is no sub-case
    if match is None or int(match.group(1)) == 0 or sub == 0:
        raise ValidationError(f"not a case number: {text!r} (expected e.g. 0001234 or 0001234-002)")
    sub = sub or 0
    return CaseNumber(int(match.group(1)), sub)
