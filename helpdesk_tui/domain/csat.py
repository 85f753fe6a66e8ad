"""Customer satisfaction (CSAT, issue 15 §7) — pure rules.

With `[csat] enabled`, the closing mail ends with a one-line rating request ("reply with
a number from 1 to 5"). The customer's reply to a closed case, within the window after
closing, whose own words (the text before the quoted history) begin with a rating is
recorded on the case (`Case.rate`) instead of reopening it; a second rating replaces the
first. Anything else is filed as any other mail.

The rule is strict on purpose: only the first non-empty line counts, and it must be a
rating and nothing else — a digit 1–5 alone, `Rating: 4`, `4/5`, `4 of 5`, `5 stars`,
or a digit followed by a separator and words (`5 - great`, `4, fine`, `3 (ok)`). So
`5 items are broken`, `1. Open the app`, `10`, `4.5` or `2 - 3 days` are not ratings.
A line carrying control or formatting characters (escapes, bidi overrides) is not one
either: what the customer meant cannot be read off it with certainty.
"""

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta

from helpdesk_tui.domain.errors import ValidationError

DEFAULT_REQUEST = "How did we do? Reply with a number from 1 (poor) to 5 (excellent)."
DEFAULT_WINDOW = "14d"
MAX_REQUEST = 300
"""The request is one line of the closing mail."""
MAX_WINDOW = timedelta(days=366)

_LABEL = r"(?:(?:my\s+)?(?:rating|score|csat|note|bewertung)\s*[:=]?\s*)?"
_SCALE = r"(?:\s*(?:/|of|out\s+of|von)\s*5)?"
_UNIT = r"(?:\s*(?:stars?|sterne?|points?|punkte?))?"
# Words after the rating need a separator first and may not start with a digit
# ("2 - 3 days" is a duration, not a rating with a remark).
_REMARK = r"(?:\s*(?:[-–—:,;]\s*(?![0-9])\S.*|\(\s*[^0-9\s)][^)]*\)\s*[.!]*))?"
_RATING = re.compile(rf"{_LABEL}([1-5]){_SCALE}{_UNIT}\s*[.!]*{_REMARK}", re.IGNORECASE)
_WINDOW = re.compile(r"\s*([1-9][0-9]{0,4})\s*([hd])\s*", re.IGNORECASE)


@dataclass(frozen=True)
class CsatRules:
    """The `[csat]` settings the services need: the request line and the window."""

    request: str = DEFAULT_REQUEST
    window: timedelta = timedelta(days=14)

    def accepts(self, closed_at: datetime | None, now: datetime) -> bool:
        """A rating is taken from `closed_at` until the window has passed."""
        return closed_at is not None and closed_at <= now <= closed_at + self.window


def parse_rating(text: str) -> int | None:
    """The rating 1–5 that the first non-empty line of `text` is, or None when it is not
    (exactly) a rating; see the module's rule."""
    for line in text.splitlines():
        if line.strip():
            return _line_rating(line)
    return None


def _line_rating(line: str) -> int | None:
    if len(line) > 200:
        return None
    line = line.replace("\u00a0", " ").strip()
    if any(unicodedata.category(c) in ("Cc", "Cf", "Co", "Cs") for c in line if c != "\t"):
        return None
    match = _RATING.fullmatch(line)
    return int(match.group(1)) if match else None


def check_rating(rating: int) -> int:
    """A rating is a whole number from 1 to 5; ValidationError otherwise."""
    if isinstance(rating, bool) or not isinstance(rating, int) or not 1 <= rating <= 5:
        raise ValidationError(f"a rating is a number from 1 to 5, not {rating!r}")
    return rating


def parse_window(text: str) -> timedelta:
    """`14d` or `48h` (calendar time, not business time), at most a year; ValidationError
    with one line otherwise."""
    match = _WINDOW.fullmatch(text)
    if match is None:
        raise ValidationError(f"not a rating window: {text!r} (e.g. '14d' or '48h')")
    amount, unit = int(match.group(1)), match.group(2).lower()
    window = timedelta(days=amount) if unit == "d" else timedelta(hours=amount)
    if window > MAX_WINDOW:
        raise ValidationError(f"rating window {text!r} is longer than a year")
    return window


def check_request(text: str) -> str:
    """The rating request: one line of printable text, not empty, at most MAX_REQUEST
    characters; ValidationError with one line otherwise."""
    line = text.strip()
    if not line:
        raise ValidationError("the rating request is empty")
    if len(line) > MAX_REQUEST:
        raise ValidationError(f"the rating request is longer than {MAX_REQUEST} characters")
    if any(not c.isprintable() for c in line):
        raise ValidationError("the rating request must be one line of printable text")
    return line


def rating_text(rating: int | None, at: datetime | None = None) -> str:
    """How a rating is shown: `4/5` (with the day it came when known), `-` without."""
    if rating is None:
        return "-"
    return f"{rating}/5" + (f" ({at:%Y-%m-%d})" if at is not None else "")
