"""Values that may go into a mail header (SEC-5): one line of text, or a valid address.

Every display name, subject and attachment file name we send passes `header_text` (or
`file_name`): CR, LF and every other control character, the Unicode line and paragraph
separators and the bidi controls become spaces, runs of white space become one space,
and the value is cut to a length. Python's `email` package refuses some injected lines
and lets others through (`Bcc : x`, an empty line), so we clean before it ever sees one.

Addresses are not cleaned but checked (`check_address`): a changed address would mail
someone else, so a bad one is refused with one line saying why. The check is the plain
dot-atom form of RFC 5322 that SMTP takes without extensions, written by hand because the
stdlib's parsers accept (and `email-validator` would pull DNS lookups into) far more.
"""

import re

from helpdesk_tui.domain.errors import ValidationError

MAX_SUBJECT = 200
"""Characters of a subject we send; longer ones end in `…` (a 1 MB subject fails SMTP)."""
MAX_NAME = 100
"""Characters of a display name we send."""
MAX_FILE_NAME = 120
"""Characters of an attachment's file name we send (its extension is kept)."""
MAX_ADDRESS = 254
"""RFC 5321: an address in a MAIL FROM / RCPT TO path is at most 254 characters."""

# Bidi embeddings, overrides, isolates and marks: they reorder what a reader sees.
_BIDI = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
# C0, DEL, C1 (NEL among them), the line/paragraph separators and BOM: `str.splitlines`
# and some mail clients break lines at several of them.
_UNSAFE = re.compile(f"[\\x00-\\x1f\\x7f-\\x9f\\u2028\\u2029\\ufeff{_BIDI}]")
_ATOM = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_ADDRESS = re.compile(rf"{_ATOM}(?:\.{_ATOM})*@{_LABEL}(?:\.{_LABEL})*")


def header_text(text: str, limit: int) -> str:
    """`text` on one line without control or bidi characters, at most `limit` characters.

    Removed characters become spaces and white space is squeezed, so `Name\\r\\nBcc: x`
    reads `Name Bcc: x` — visible, harmless text. A cut value ends in `…`.
    """
    flat = " ".join(_UNSAFE.sub(" ", text).split())
    if len(flat) > limit:
        flat = flat[: max(limit - 1, 0)].rstrip() + "…"
    return flat


_NOT_IN_FILE_NAMES = str.maketrans({"/": "_", "\\": "_", "<": "_", ">": "_"})


def file_name(name: str, limit: int = MAX_FILE_NAME) -> str:
    """An attachment's file name for a header: one line, no path, its extension kept.

    Slashes and backslashes become `_` (a file name is not a path on the other side), and
    so do angle brackets (readers unquote `<…>` as they do `"…"`); dots, spaces and double
    quotes around it go; an empty name becomes `attachment`.
    """
    text = header_text(name.translate(_NOT_IN_FILE_NAMES), 10**9).strip('. "')
    if not text:
        return "attachment"
    if len(text) > limit:
        stem, dot, ext = text.rpartition(".")
        if dot and stem and 0 < len(ext) <= 10 and " " not in ext:
            return header_text(stem, limit - len(ext) - 1) + "." + ext
        return header_text(text, limit)
    return text


def is_address(address: str) -> bool:
    """Whether `address` is a plain `local@domain` address we can mail (see module doc)."""
    return len(address) <= MAX_ADDRESS and _ADDRESS.fullmatch(address) is not None


def check_address(address: str, what: str = "address") -> str:
    """`address` without surrounding spaces, or ValidationError naming what is wrong."""
    value = address.strip()
    if not value:
        raise ValidationError(f"the {what} is empty")
    if is_address(value):
        return value
    shown = header_text(value, 60)
    if _UNSAFE.search(value) or " " in value:
        reason = "it contains spaces or control characters"
    elif "@" not in value:
        reason = "it has no @"
    elif len(value) > MAX_ADDRESS:
        reason = f"it is longer than {MAX_ADDRESS} characters"
    else:
        reason = "expected local@domain.example"
    raise ValidationError(f"{shown!r} is not a valid e-mail {what}: {reason}")
