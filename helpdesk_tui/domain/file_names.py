"""A safe local file name for an attachment (ACT-6): what a sender wrote is never a path.

`safe_file_name` is the one place that turns an untrusted attachment name into a name we
store, list and save under. It builds on `header_values.file_name` (one line, no control
or bidi characters, no slashes) and adds what a file system needs:

- every character Windows refuses (`< > : " / \\ | ? *`) becomes `_`, and a run of dots
  (`..`) becomes one, so no part of the name can climb out of a folder;
- no leading or trailing dots or spaces (Windows drops the trailing ones, a leading dot
  hides a file);
- the reserved device names (`CON`, `PRN`, `AUX`, `NUL`, `COM1`…`COM9`, `LPT1`…`LPT9`,
  with any extension) get a `_` in front;
- at most `MAX_BYTES` bytes of UTF-8 (file systems count bytes), the extension kept;
- an empty result is `attachment`.

The result is never empty, never a path (`/`, `\\`, `.`, `..`), and has no control or
bidi characters.
"""

import re

from helpdesk_tui.domain.header_values import file_name

MAX_BYTES = 200
"""UTF-8 bytes of a saved file name (most file systems allow 255; room for ` (12)`)."""
FALLBACK = "attachment"

_FORBIDDEN = re.compile(r'[<>:"/\\|?*]')
_DOTS = re.compile(r"\.{2,}")
_RESERVED = re.compile(r"(?i)^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³])(\.|$)")


def _cut(text: str, limit: int) -> str:
    """`text` cut to at most `limit` bytes of UTF-8, on a character boundary."""
    data = text.encode("utf-8", "surrogatepass")
    if len(data) <= limit:
        return text
    return data[:limit].decode("utf-8", "ignore")


def _trim(text: str) -> str:
    return text.strip(". ")


def safe_file_name(name: str, max_bytes: int = MAX_BYTES) -> str:
    """`name` as a file name to store and save under (see the module doc)."""
    text = file_name(name, 10**6)  # one line, no controls, bidi or slashes
    text = _DOTS.sub(".", _FORBIDDEN.sub("_", text))
    text = _trim(text)
    if _RESERVED.match(text):
        text = "_" + text
    if len(text.encode("utf-8", "surrogatepass")) > max_bytes:
        stem, dot, ext = text.rpartition(".")
        if dot and stem and 0 < len(ext) <= 10 and " " not in ext:
            text = _trim(_cut(stem, max_bytes - len(ext.encode()) - 1)) + "." + ext
        else:
            text = _trim(_cut(text, max_bytes))
    text = _trim(text)
    if not text or text.startswith("."):
        return FALLBACK
    return text


def numbered(name: str, n: int) -> str:
    """`report.pdf`, 2 → `report (2).pdf`: the n-th free name beside a taken one."""
    stem, dot, ext = name.rpartition(".")
    if not dot or not stem:
        return f"{name} ({n})"
    return f"{stem} ({n}).{ext}"
