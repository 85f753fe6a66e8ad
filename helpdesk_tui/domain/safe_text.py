"""Untrusted text stays text (SEC-2, SEC-7): the one sanitiser for every text the CLI or
the TUI shows from data (subjects, names, addresses, comments, change values, file names,
mail bodies, error messages that quote any of them).

- Escape sequences (CSI, OSC, DCS, SOS, PM, APC, their 8-bit forms, a lone ESC) and the
  remaining C0/C1 control characters and DEL are removed; CR LF and CR become LF; LF and
  TAB stay (multi-line text keeps its lines; `one_line` flattens them).
- Bidi controls (embeddings, overrides, isolates, marks) are made visible as `⟨U+202E⟩`,
  so `\\u202egnp.exe` reads `⟨U+202E⟩gnp.exe`, not `exe.png`. Visible rather than removed:
  the reader sees that the text was crafted.
- Line and paragraph separators (U+2028, U+2029) become LF: terminals disagree on them.

Written by hand because no maintained library does exactly this. Rich markup escaping is
the display layer's job on top of this (the TUI wraps the result in `Text`, never markup).
"""

import re

_ESCAPES = re.compile(
    r"""
    \x1b\[[0-?]*[ -/]*[@-~]                 # CSI … final byte (colours, cursor, clear)
  | \x1b[\]PX^_][^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?   # OSC/DCS/SOS/PM/APC … terminator
  | \x9b[0-?]*[ -/]*[@-~]                   # 8-bit CSI
  | [\x90\x98\x9d\x9e\x9f][^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?  # 8-bit OSC/DCS/…
  | \x1b(?:[ -/]*[0-~])?                     # other escapes (ESC c, ESC ( B, ESC 7), lone ESC
    """,
    re.VERBOSE,
)
_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
#: Bidi embeddings/overrides (U+202A–202E), isolates (U+2066–2069) and marks (LRM, RLM, ALM).
BIDI_CONTROLS = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"
_BIDI = re.compile(f"[{BIDI_CONTROLS}]")
_SEPARATORS = re.compile("\r\n|[\r\u2028\u2029]")
#: What a JSON text must not carry raw to a terminal: DEL, C1, bidi controls, separators
#: (json.dumps already escapes C0; with ensure_ascii=False it leaves these raw).
_RAW_IN_JSON = re.compile(f"[\x7f-\x9f{BIDI_CONTROLS}\u2028\u2029]")


def visible(char: str) -> str:
    """The visible form of a bidi control: `⟨U+202E⟩` (one form everywhere)."""
    return f"⟨U+{ord(char):04X}⟩"


def safe_text(text: str) -> str:
    """`text` safe for a terminal: escapes and controls removed, bidi controls visible;
    newlines (LF) and tabs kept."""
    text = _SEPARATORS.sub("\n", text)
    text = _CONTROLS.sub("", _ESCAPES.sub("", text))
    return _BIDI.sub(lambda match: visible(match.group()), text)


def one_line(text: str, width: int | None = None) -> str:
    """Safe text squeezed onto one line (lists, headers), cut to `width` with an ellipsis."""
    flat = " ".join(safe_text(text).split())
    if width is not None and len(flat) > width:
        return flat[: max(width - 1, 0)] + "…"
    return flat


def json_for_terminal(dumped: str) -> str:
    """A JSON text (from `json.dumps`) with DEL, C1, bidi controls and line separators
    written as `\\uXXXX` escapes: the decoded values stay exactly the data, and nothing
    raw reaches a terminal. Valid because these characters can only occur inside strings."""
    return _RAW_IN_JSON.sub(lambda match: f"\\u{ord(match.group()):04x}", dumped)
