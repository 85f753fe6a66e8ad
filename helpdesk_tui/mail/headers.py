"""Header values → text: RFC 2047 words, addresses, message ids, dates.

RFC 2047 is decoded by hand rather than with `email.header.decode_header` because real
mail needs leniency the stdlib lacks: adjacent encoded words are joined *before*
decoding when they share a charset (a UTF-8 character may be split across two words),
bad base64 padding is repaired, unknown charsets fall back like bodies do, and a broken
word is kept as literal text with a defect instead of raising. Words as real clients
break them are read too: blanks inside the encoded text, a word left open at the end of
the header or before the next word, and a whole `Name <address>` encoded as one word.
"""

import binascii
import re
from datetime import UTC, datetime, timedelta, timezone
from email.utils import getaddresses, parsedate_tz

from helpdesk_tui.mail import charset

_WORD = re.compile(r"=\?([^?\s]+)\?([bBqQ])\?([^?\s]*)\?=")
# The lenient form, tried only when the strict one leaves `=?` undecoded: blanks inside
# the encoded text, and a word that is never closed (ends at the next word or the end).
_LOOSE_WORD = re.compile(r"=\?([^?\s]+)\?([bBqQ])\?([^?]*?)(?:\?=|(?=\s*=\?[^?\s]+\?[bBqQ]\?)|$)")
MAX_LENIENT = 4000
_DOUBLE_BLANK = re.compile(r"(?<=\S)  +(?=\S)")
_ADDR_SPEC = re.compile(r'[^<>\s"(),;:\\@]+@[^<>\s"(),;:\\@]+')
# `Berg, Anna <a@b>`: a display name with an unquoted comma before the one angle address.
_NAME_ANGLE = re.compile(r"\s*([^<>]*?)\s*<\s*([^<>\s]+@[^<>\s]+)\s*>\s*")
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
    raw = text.encode("utf-8", "surrogateescape").replace(b" ", b"").rstrip(b"=")
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


def decode_words(value: str, defects: list[str], hint: str | None = None) -> str:
    """Decode RFC 2047 encoded words in an unfolded header value (never raises).

    `hint` is the charset for raw 8-bit text outside encoded words (see
    `charset.fix_surrogates`).
    """
    if "=?" not in value:
        if value.isascii():
            return value
        return charset.fix_surrogates(value, defects, "header", hint)
    decoded = _decode_words(value, defects, hint, _WORD)
    # (bounded: the lenient pattern's look-ahead makes long blank runs quadratic)
    if "=?" in decoded and len(value) <= MAX_LENIENT and _LOOSE_WORD.search(value):
        loose: list[str] = []
        # the blank kept after a word left open may double one the next word starts with
        again = _DOUBLE_BLANK.sub(" ", _decode_words(value, loose, hint, _LOOSE_WORD))
        if again != decoded:
            defects.extend(loose)
            defects.append("header: malformed encoded word, read leniently")
            return again
    return decoded


def _decode_words(value: str, defects: list[str], hint: str | None, word: re.Pattern[str]) -> str:
    out: list[str] = []
    pos = 0
    # runs of (charset, bytes) for adjacent words: same charset → bytes joined first
    run: list[tuple[str, bytes]] = []

    def flush() -> None:
        for label, data in run:
            out.append(charset.decode(data, label.split("*", 1)[0], defects, "header"))
        run.clear()

    def raw(text: str) -> str:
        return text if text.isascii() else charset.fix_surrogates(text, defects, "header", hint)

    closed = True  # the blank after a word left open is the sender's, not the encoder's
    for match in word.finditer(value):
        gap = value[pos : match.start()]
        if run and closed and _BETWEEN_WORDS.fullmatch(gap):
            gap = ""  # whitespace between adjacent encoded words is not text (RFC 2047 6.2)
        closed = match.group(0).endswith("?=")
        if gap:
            flush()
            out.append(raw(gap))
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
    out.append(raw(value[pos:]))
    return "".join(out)


def text(value: str | None, defects: list[str], hint: str | None = None) -> str:
    """A human header (Subject, display names): unfolded, decoded, trimmed."""
    if not value:
        return ""
    return decode_words(unfold(value), defects, hint).strip()


def addresses(
    value: str | None, defects: list[str], hint: str | None = None
) -> list[tuple[str, str]]:
    """`[(display name, lower-cased address)]` from an address header; empty ones dropped.

    Parsed before decoding so an encoded name can't inject commas or angle brackets; the
    `addr (Name)` comment form comes back as the name. Only when no address is found at
    all is the header decoded first (clients that encode `Name <address>` as one word).
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
            addr = charset.fix_surrogates(addr, defects, "header", hint)
        return [(decode_words(name, defects, hint).strip() if name else "", addr.lower())]
    result = _parsed(raw, defects, hint)
    if "=?" in raw and not any(_ADDR_SPEC.fullmatch(addr) for _, addr in result):
        decoded = decode_words(raw, [], hint)
        if "=?" not in decoded:
            again = _parsed(decoded.replace("\r", " ").replace("\n", " "), defects, None)
            if any(_ADDR_SPEC.fullmatch(addr) for _, addr in again):
                defects.append("header: address inside an encoded word")
                return again
    return result


def _parsed(raw: str, defects: list[str], hint: str | None) -> list[tuple[str, str]]:
    result = []
    for name, addr in getaddresses([raw]):
        addr = addr.strip().lower()
        if not addr.isascii():
            addr = charset.fix_surrogates(addr, defects, "header", hint)
        name = decode_words(name, defects, hint).strip() if name else ""
        if addr or name:
            result.append((name, addr))
    return result


def mailbox(value: str | None, defects: list[str], hint: str | None = None) -> tuple[str, str]:
    """(display name, lower-cased address) of a sender header; ("", "") when it has none.

    Beyond `addresses`: a display name with unquoted commas (`Berg, Anna <a@b>`) stays one
    name, and `Anna Berg anna@b` (no angle brackets) gives the name and the address.
    """
    found = addresses(value, defects, hint)
    good = [(name, addr) for name, addr in found if _ADDR_SPEC.fullmatch(addr)]
    if len(found) == 1 and good:
        return good[0]
    raw = unfold(value or "")
    if len(raw) < 2000 and raw.count("<") == 1:  # slow path: only odd headers get here
        angle = _NAME_ANGLE.fullmatch(raw)
        if angle is not None:
            name = decode_words(angle.group(1), defects, hint).strip().strip('"').strip()
            return name, angle.group(2).lower()
    if good:
        return good[0]
    spec = _ADDR_SPEC.search(raw) if "<" not in raw and len(raw) < 2000 else None
    if spec is not None:
        defects.append("header: address without angle brackets")
        name = (raw[: spec.start()] + raw[spec.end() :]).strip().strip("\"'()").strip()
        return decode_words(name, defects, hint).strip(), spec.group(0).lower()
    return found[0] if found else ("", "")


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
