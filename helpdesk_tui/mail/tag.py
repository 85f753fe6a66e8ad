"""The case tag in subjects: `[#0001234]` / `[#0001234-002]` (MAIL-3).

Rule: exactly 7 digits (CASE-3), optionally `-` and exactly 3 digits for a sub-case;
`0000000` and `-000` are no case. Spacing inside the brackets and the case of the
prefix are forgiven because mail clients and people mangle them.
"""

import re
from functools import lru_cache

_PREFIX_WORDS = (
    r"re|aw|wg|fwd?|sv|vs|antw|antwort|réf|tr|rv|rif|odp|vl|"
    r"回复|回覆|答复|转发|轉寄"
)
# One reply/forward marker: `Re:`, `RE[2]:`, `Re^3:`, `AW :`, fullwidth colon, or a
# bracketed `[External]`/`[EXT]` notice that gateways put in front.
_MARKER = re.compile(
    rf"^\s*(?:(?:{_PREFIX_WORDS})\s*(?:\[\d+\]|\^\d+)?\s*[:：]|\[(?:external|ext)\])\s*",
    re.IGNORECASE,
)


@lru_cache(maxsize=16)
def _tag_pattern(prefix: str) -> re.Pattern[str]:
    return re.compile(
        rf"\[\s*{re.escape(prefix.strip())}\s*([0-9]{{7}})(?:\s*-\s*([0-9]{{3}}))?\s*\]",
        re.IGNORECASE,
    )


def find_case_tag(subject: str, prefix: str = "#") -> str | None:
    """The first case number tagged anywhere in `subject` (`0001234` / `0001234-002`)."""
    for match in _tag_pattern(prefix).finditer(subject):
        main, sub = match.group(1), match.group(2)
        if main == "0000000" or sub == "000":
            continue
        return f"{main}-{sub}" if sub else main
    return None


def format_tag(number: str, prefix: str = "#") -> str:
    """`0001234` → `[#0001234]` (with the configured prefix)."""
    return f"[{prefix}{number}]"


def strip_reply_prefixes(subject: str) -> str:
    """`Re: AW: [External] Fwd: Hello` → `Hello` (any number of markers, any order)."""
    text = subject
    while True:
        stripped = _MARKER.sub("", text, count=1)
        if stripped == text:
            return text.strip()
        text = stripped


def tag_subject(subject: str, number: str, prefix: str = "#", *, reply: bool = True) -> str:
    """`Re: [#0001234] original`: the tag once, reply markers once, spaces tidied.

    Tags of *this* case are removed wherever they stand (and re-added in front); tags of
    other cases stay part of the text. `reply=False` leaves out the `Re: `.
    """
    pattern = _tag_pattern(prefix)

    def same_case(match: re.Match[str]) -> str:
        found = match.group(1) + (f"-{match.group(2)}" if match.group(2) else "")
        return "" if found == number else match.group(0)

    rest = subject
    while True:  # markers and our tags can interleave: `Re: [#1] AW: [#1] x`
        cleaned = strip_reply_prefixes(pattern.sub(same_case, rest))
        if cleaned == rest:
            break
        rest = cleaned
    rest = " ".join(rest.split())
    tagged = f"{format_tag(number, prefix)} {rest}".rstrip()
    return f"Re: {tagged}" if reply else tagged
