"""Header values → text: RFC 2047 words, addresses, message ids, dates.

RFC 2047 is decoded by hand rather than with `email.header.decode_header` because real
mail needs leniency the stdlib lacks: adjacent encoded words are joined *before*
decoding when they share a charset (a UTF-8 character may be split across two words),
bad base64 padding is repaired, unknown charsets fall back like bodies do, and a broken
word is kept as literal text with a defect instead of raising.
"""

import binascii
import re
from datetime import UTC, datetime, timedelta, timezone
from email.utils import getaddresses, parsedate_tz

from helpdesk_tui.mail import charset

_WORD = re.compile(r"=\?([^?\s]+)\?([bBqQ])\?([^?\s]*)\?=")
_BETWEEN_WORDS = re.compile(r"[ \t\r\n]*")
_FOLD = re.compile(r"\r?\n(?=[ \t])|\r?\n$")
_QP_HEX = re.compile(rb"=([0-9A-Fa-f]{2})")
_B64_JUNK = re.compile(rb"[^A-Za-z0-9+/]")
_MSG_ID = re.compile(r"<([^<>\s]+)>")
# One plain `Name <a@b>` or `a@b`: the common case, parsed without getaddresses' tokenizer.
_SIMPLE_ADDRESS = re.compile(
    r'\s*(?:([^"<>(),;:\\@]*?)\s*<([^<>\s"(),;:\\@]+@[^<>\s"(),;:\\@]+)>'
    r'|([^<>\s"(),;:\\@]+@[^<>\s"(),;:\\@]+))\s*'
)


def unfold(value: str) -> str:
    """Join folded header lines (RFC 5322 2.2.3)."""
    return _FOLD.sub("", value) if "\n" in value else value


def _q_bytes(text: str) -> bytes:
    data = text.replace("_", " ").encode("utf-8", "surrogateescape")
    return _QP_HEX.sub(lambda m: bytes([int(m.group(1), 16)]), data)


def _b_bytes(text: str, defects: list[str]) -> bytes | None:
    raw = text.encode("utf-8", "surrogateescape").rstrip(b"=")
    if _B64_JUNK.search(raw):
        defects.append("header: bad base64 in encoded word, kept as text")
        return None
    # wrong padding is common and harmless: drop a dangling char, pad to a multiple of 4
    usable = len(raw) - 1 if len(raw) % 4 == 1 else len(raw)
    try:
        return binascii.a2b_base64(raw[:usable] + b"=" * (-usable % 4))
    except (binascii.Error, ValueError):
        defects.append("header: bad base64 in encoded word, kept as text")
        return None


def decode_words(value: str, defects: list[str]) -> str:
    """Decode RFC 2047 encoded words in an unfolded header value (never raises)."""
    if "=?" not in value:
        if value.isascii():
            return value
        return charset.fix_surrogates(value, defects, "header")
    out: list[str] = []
    pos = 0
    # runs of (charset, bytes) for adjacent words: same charset → bytes joined first
    run: list[tuple[str, bytes]] = []

    def flush() -> None:
        for label, data in run:
            out.append(charset.decode(data, label.split("*", 1)[0], defects, "header"))
        run.clear()

    for match in _WORD.finditer(value):
        gap = value[pos : match.start()]
        if run and _BETWEEN_WORDS.fullmatch(gap):
            gap = ""  # whitespace between adjacent encoded words is not text (RFC 2047 6.2)
        if gap:
            flush()
            out.append(charset.fix_surrogates(gap, defects, "header") if not gap.isascii() else gap)
        label, kind, payload = match.group(1), match.group(2).upper(), match.group(3)
        data = _q_bytes(payload) if kind == "Q" else _b_bytes(payload, defects)
        if data is None:
            flush()
            out.append(match.group(0))
        elif run and run[-1][0].lower() == label.lower():
            run[-1] = (run[-1][0], run[-1][1] + data)
        else:
            run.append((label, data))
        pos = match.end()
    flush()
    tail = value[pos:]
    out.append(charset.fix_surrogates(tail, defects, "header") if not tail.isascii() else tail)
    return "".join(out)


def text(value: str | None, defects: list[str]) -> str:
    """A human header (Subject, display names): unfolded, decoded, trimmed."""
    if not value:
        return ""
    return decode_words(unfold(value), defects).strip()


def addresses(value: str | None, defects: list[str]) -> list[tuple[str, str]]:
    """`[(display name, lower-cased address)]` from an address header; empty ones dropped.

    Parsed before decoding so an encoded name can't inject commas or angle brackets; the
    `addr (Name)` comment form comes back as the name.
    """
    if not value:
        return []
    # raw 8-bit bytes stay surrogate-escaped until here, so an encoded word gets its own
    # bytes back and is decoded with its declared charset
    raw = unfold(value)
    simple = _SIMPLE_ADDRESS.fullmatch(raw) if len(raw) < 400 else None  # bound backtracking
    if simple is not None:
        name, addr = simple.group(1) or "", simple.group(2) or simple.group(3)
        if not addr.isascii():
            addr = charset.fix_surrogates(addr, defects, "header")
        return [(decode_words(name, defects).strip() if name else "", addr.lower())]
    result = []
    for name, addr in getaddresses([raw]):
        addr = addr.strip().lower()
        if not addr.isascii():
            addr = charset.fix_surrogates(addr, defects, "header")
        name = decode_words(name, defects).strip() if name else ""
        if addr or name:
            result.append((name, addr))
    return result


def message_ids(value: str | None) -> list[str]:
    """Message ids without `<>`; bare tokens are accepted when no brackets are present."""
    if not value:
        return []
    raw = unfold(value)
    found = _MSG_ID.findall(raw)
    if found:
        return found
    return [token.strip("<>") for token in raw.split() if token.strip("<>")]


def date(value: str | None, defects: list[str]) -> datetime | None:
    """An aware UTC datetime from a Date header; None with a defect when unusable."""
    if not value:
        defects.append("missing Date header")
        return None
    try:
        parsed = parsedate_tz(unfold(value))
    except (ValueError, IndexError, TypeError):  # older stdlib versions raise on junk
        parsed = None
    if parsed is None:
        defects.append(f"unparseable Date header {value.strip()[:60]!r}")
        return None
    try:
        offset = timezone(timedelta(seconds=parsed[9] or 0))
        moment = datetime(*parsed[:6], tzinfo=offset)
    except (ValueError, OverflowError):
        defects.append(f"invalid Date header {value.strip()[:60]!r}")
        return None
    return moment.astimezone(UTC)
