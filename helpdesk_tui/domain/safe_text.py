"""Untrusted text stays text (SEC-2): strip terminal control sequences before display.

Written by hand because no maintained library does exactly this: remove CSI/OSC/DCS and
other escape sequences and the remaining C0/C1 control characters, keeping newlines
and tabs. Rich markup escaping is the display layer's job on top of this.
"""

import re

_ESCAPES = re.compile(
    r"""
    \x1b\[[0-?]*[ -/]*[@-~]                 # CSI … final byte (colours, cursor, clear)
  | \x1b[\]PX^_][^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?   # OSC/DCS/SOS/PM/APC … terminator
  | \x9b[0-?]*[ -/]*[@-~]                   # 8-bit CSI
  | [\x90\x98\x9d\x9e\x9f][^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?  # 8-bit OSC/DCS/…
  | \x1b[@-Z\\-_]?                          # other two-byte escapes, or a lone ESC
    """,
    re.VERBOSE,
)
_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def strip_controls(text: str) -> str:
    """`text` without escape sequences or control characters (\\n and \\t are kept)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _CONTROLS.sub("", _ESCAPES.sub("", text))


def one_line(text: str, width: int | None = None) -> str:
    """Safe text squeezed onto one line (lists, headers), cut to `width` with an ellipsis."""
    flat = " ".join(strip_controls(text).split())
    if width is not None and len(flat) > width:
        return flat[: max(width - 1, 0)] + "…"
    return flat
