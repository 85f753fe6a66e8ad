"""SEC-2/SEC-7: the one sanitiser for text shown from data."""

import json

from hypothesis import given
from hypothesis import strategies as st

from helpdesk_tui.domain.safe_text import (
    BIDI_CONTROLS,
    json_for_terminal,
    one_line,
    safe_text,
)

HOSTILE = "\x1b[2J\x1b]52;c;ZXZpbA==\x07\x9b31m\x90q\x9c\x1bc\x00\x7f\x85"
UNSAFE = {chr(c) for c in [*range(0x20), *range(0x7F, 0xA0)]} - {"\n", "\t"}


def test_escape_sequences_and_controls_are_removed() -> None:
    assert safe_text(f"a{HOSTILE}b") == "ab"


def test_bidi_controls_become_visible() -> None:
    assert safe_text("invoice\u202egnp.exe") == "invoice⟨U+202E⟩gnp.exe"
    assert one_line("\u2066x\u2069\u200f\u061c") == "⟨U+2066⟩x⟨U+2069⟩⟨U+200F⟩⟨U+061C⟩"


def test_lines_and_tabs_are_kept_where_text_has_lines() -> None:
    assert safe_text("one\r\ntwo\rthree\u2028four\tfive") == "one\ntwo\nthree\nfour\tfive"
    assert one_line("one\ntwo\tthree", 8) == "one two…"


@given(st.text())
def test_nothing_unsafe_survives(text: str) -> None:
    shown = safe_text(text)
    assert not (set(shown) & UNSAFE)
    assert not (set(shown) & set(BIDI_CONTROLS))
    assert safe_text(shown) == shown
    assert not (set(one_line(text)) & (UNSAFE | {"\n", "\t"}))


@given(st.text())
def test_json_keeps_the_data_and_no_raw_control(text: str) -> None:
    dumped = json_for_terminal(json.dumps({"v": text}, ensure_ascii=False))
    assert json.loads(dumped) == {"v": text}
    assert not (set(dumped) & (UNSAFE | set(BIDI_CONTROLS) | {"\u2028", "\u2029"}))
