"""Property tests: mutated and truncated real messages never make `parse` raise (MAIL-9)."""

import hashlib
import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from mail_corpus import seed_messages

from helpdesk_tui.mail.parse import parse, to_json

SEEDS = seed_messages()
FAST = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
_BOUNDARY_LINE = re.compile(rb"^--[^\r\n]*\r?\n", re.MULTILINE)


def _check(raw: bytes) -> None:
    parsed = parse(raw)
    assert parsed.content_hash == hashlib.sha256(raw).hexdigest()
    assert parsed.size == len(raw)
    for text in (parsed.body_text, parsed.subject, parsed.from_name, *parsed.defects):
        assert "\x00" not in text
        text.encode("utf-8")  # storable: no lone surrogates
    to_json(parsed)


@st.composite
def mutated(draw: st.DrawFn) -> bytes:
    raw = bytearray(draw(st.sampled_from(SEEDS)))
    for _ in range(draw(st.integers(1, 8))):
        kind = draw(st.sampled_from(["flip", "insert", "delete", "dup_header", "unbound"]))
        at = draw(st.integers(0, max(len(raw) - 1, 0)))
        if kind == "flip" and raw:
            raw[at] ^= draw(st.integers(1, 255))
        elif kind == "insert":
            raw[at:at] = draw(st.binary(min_size=1, max_size=40))
        elif kind == "delete":
            del raw[at : at + draw(st.integers(1, 200))]
        elif kind == "dup_header":
            head_end = raw.find(b"\n\n") if b"\r\n\r\n" not in raw else raw.find(b"\r\n\r\n")
            lines = bytes(raw[: max(head_end, 0)]).splitlines(keepends=True)
            if lines:
                line = lines[draw(st.integers(0, len(lines) - 1))]
                raw[0:0] = line * draw(st.integers(1, 3))
        elif kind == "unbound":
            raw = bytearray(_BOUNDARY_LINE.sub(b"", bytes(raw), count=draw(st.integers(0, 3))))
    return bytes(raw)


@FAST
@given(mutated())
def test_mutated_messages_never_raise(raw: bytes) -> None:
    _check(raw)


@FAST
@given(st.sampled_from(SEEDS), st.floats(0.0, 1.0))
def test_truncated_messages_never_raise(raw: bytes, keep: float) -> None:
    _check(raw[: int(len(raw) * keep)])


@FAST
@given(st.binary(max_size=2000))
def test_arbitrary_bytes_never_raise(raw: bytes) -> None:
    _check(raw)
