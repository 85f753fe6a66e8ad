"""Attachment bytes read from the raw mail (mail/spans.py, ACT-6): `split_spans` builds
`mime.split`'s tree on bytes, `Base64Span` decodes in pieces exactly what a whole
`a2b_base64` gives, and `attachment_payloads` yields the same bytes as reading each part
through the parsed tree (what it did before) — on the mail corpus and generated mail."""

import base64
import binascii
import os
from email.message import EmailMessage, Message
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from mail_corpus import corpus_files, seed_messages
from test_mime import any_message, tree

from helpdesk_tui.mail import mime, parse, spans
from helpdesk_tui.mail.body import BodyWalker, payload_bytes

FAST = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def filled(msg: Message, data: bytes, where: spans.Spans) -> Message:
    """The tree with each leaf's payload read from its span, as `mime.split` sets it."""
    payload = msg._payload  # type: ignore[attr-defined]
    if isinstance(payload, list):
        for part in payload:
            filled(part, data, where)
    else:
        start, end = where[id(msg)]
        msg._payload = data[start:end].decode("ascii", "surrogateescape")  # type: ignore[attr-defined]
    return msg


def same_split(data: bytes) -> bool:
    """`split_spans(data)` declines exactly when `mime.split` does, else the same tree;
    whether it was taken."""
    text = data.decode("ascii", "surrogateescape")
    expected = mime.split(text)
    got = spans.split_spans(data)
    assert (got is None) == (expected is None)
    if got is None or expected is None:
        return False
    assert tree(filled(got[0], data, got[1])) == tree(expected)
    return True


def before(raw: bytes) -> list[bytes | None]:
    """Each attachment's bytes as they were read before: through the parsed tree."""
    walker = BodyWalker([], keep_parts=True)
    try:
        walker.walk(parse._message(raw, []))
    except Exception:
        return []
    return [payload_bytes(part) for part in walker.parts]


def now(raw: bytes) -> list[bytes | None]:
    out: list[bytes | None] = []
    for item in parse.attachment_payloads(raw):
        if isinstance(item, spans.Base64Span):
            try:
                out.append(b"".join(item.pieces()))
            except binascii.Error:
                out.append(None)  # as payload_bytes: a part that cannot be decoded
        else:
            out.append(item)
    return out


def test_the_corpus_splits_the_same_on_bytes_and_gives_the_same_attachment_bytes(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(spans, "PIECE", 57)  # many pieces, cut anywhere in a line
    taken = attachments = 0
    for path in corpus_files():
        raw = path.read_bytes()
        taken += same_split(raw)
        expected = before(raw)
        assert now(raw) == expected, path
        attachments += len(expected)
    assert taken
    assert attachments  # the corpus has attachments: this compared something


def test_the_seed_messages_give_the_same_attachment_bytes() -> None:
    for raw in seed_messages():
        same_split(raw)
        assert now(raw) == before(raw)


@FAST
@given(any_message())
def test_generated_messages_split_the_same_on_bytes(generated: tuple[bool, str]) -> None:
    _, text = generated
    same_split(text.encode("utf-8", "surrogateescape"))


def mail(data: bytes, *, mbox: bool = False, eol: bytes = b"\n") -> bytes:
    message = EmailMessage()
    message["From"] = "kunde@acme.example"
    message["Subject"] = "Anhang"
    message.set_content("Anbei.")
    message.add_attachment(data, maintype="application", subtype="pdf", filename="a.pdf")
    raw = message.as_bytes().replace(b"\n", eol)
    return b"From kunde@acme.example Sat Dec  5 10:00:00 2026\n" + raw if mbox else raw


@pytest.mark.parametrize(
    ("mbox", "eol"), [(False, b"\n"), (False, b"\r\n"), (True, b"\n")], ids=["lf", "crlf", "mbox"]
)
def test_a_base64_attachment_is_a_span_of_the_raw_mail(mbox: bool, eol: bytes) -> None:
    data = os.urandom(50_000)
    raw = mail(data, mbox=mbox, eol=eol)
    (item,) = parse.attachment_payloads(raw)
    assert isinstance(item, spans.Base64Span)  # not decoded, not copied
    assert b"".join(item.pieces()) == data
    assert b"".join(item.pieces()) == data  # a second pass gives the same


def test_odd_mail_still_gives_its_bytes_through_the_stdlib() -> None:
    data = os.urandom(3000)
    for raw in (
        mail(data).replace(b"\n", b"\r"),  # old Mac line ends
        b"\n\n" + mail(data),  # blank lines before the header
        b"> archived\n" + mail(data),  # a banner line before the header
    ):
        assert spans.split_spans(raw) is None or parse._first_header_line(raw) is None
        assert now(raw) == before(raw) == [data]


_B64ISH = st.text(alphabet="ABCDabcd0189+/=\r\n \t-*\x00", min_size=0, max_size=200).map(
    lambda s: s.encode("latin-1")
)


def whole(data: bytes) -> Any:
    try:
        return binascii.a2b_base64(data)
    except binascii.Error:
        return "error"


def pieced(data: bytes) -> Any:
    try:
        return b"".join(spans.Base64Span(data, 0, len(data)).pieces())
    except binascii.Error:
        return "error"


@FAST
@given(_B64ISH, st.integers(1, 9))
def test_pieces_decode_as_a_whole_decode_does(data: bytes, piece: int) -> None:
    original, spans.PIECE = spans.PIECE, piece
    try:
        assert pieced(data) == whole(data)
    finally:
        spans.PIECE = original


@FAST
@given(st.binary(max_size=300), st.integers(1, 80), st.integers(1, 40))
def test_real_base64_in_any_line_length_and_piece_size(data: bytes, line: int, piece: int) -> None:
    encoded = base64.b64encode(data)
    wrapped = b"\r\n".join(encoded[i : i + line] for i in range(0, len(encoded), line))
    original, spans.PIECE = spans.PIECE, piece
    try:
        assert pieced(b"  " + wrapped + b"\r\n") == data
    finally:
        spans.PIECE = original
