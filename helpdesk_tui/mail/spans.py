"""Attachment bytes straight from the raw mail (ACT-6: a 25 MB attachment is stored
without holding more than one copy of it in memory).

Why not the parsed `Message`: the stdlib keeps every part's payload as a `str`, so
reaching an attachment through it costs the whole mail decoded to text, then the part's
slice of that text, then the decoded bytes — about four copies of a large attachment
beside the raw mail. Here the raw bytes are cut apart where they lie:

- `split_spans` is `mime.split` on bytes: it builds the same `Message` tree (headers,
  preambles, epilogues, the same decisions to decline), but leaves each leaf part's body
  in the raw mail and returns where it lies (start, end) instead of a copy. It repeats
  `mime.split`'s small steps with bytes operations rather than sharing them because the
  text path is the parser's hot path (issue 4); tests/unit/mail/test_mime_spans.py holds
  both to the same trees on the mail corpus and on generated messages.
- `Base64Span` decodes such a body in pieces, so the bytes can be hashed and written in
  pieces too; nothing here holds a whole attachment.

Anything `split_spans` declines takes the stdlib's way as before (`parse.attachment_payloads`).
"""

import binascii
import re
from collections.abc import Iterator
from email import policy
from email.message import Message

from helpdesk_tui.mail.mime import MAX_DEPTH

_COMPAT32 = policy.compat32
_ODD_BREAKS = (b"\x0b", b"\x0c", b"\x1c", b"\x1d", b"\x1e")
_FIELD = re.compile(r"[\041-\071\073-\176]+:")
_MULTIPART_ENCODINGS = ("7bit", "8bit", "binary")
_PART, _CLOSE = 1, 2
_NL = 0x0A

#: Where a leaf part's body lies in the raw mail: id(part) → (start, end).
Spans = dict[int, tuple[int, int]]


class _Decline(Exception):
    """The message is not plain enough for the fast path."""


def _text(data: bytes, start: int, end: int) -> str:
    """data[start:end] as the stdlib's bytes parser reads it."""
    return data[start:end].decode("ascii", "surrogateescape")


def split_spans(data: bytes, start: int = 0) -> tuple[Message, Spans] | None:
    """`mime.split(data[start:].decode("ascii", "surrogateescape"))` without copying the
    leaf bodies: the tree (leaf payloads empty) and where each leaf's body lies; None
    where `mime.split` declines."""
    if data.find(b"\r", start) >= 0 and data.count(b"\r", start) != data.count(b"\r\n", start):
        return None
    if any(data.find(odd, start) >= 0 for odd in _ODD_BREAKS):
        return None
    spans: Spans = {}
    try:
        return _message(data, start, len(data), 0, spans), spans
    except _Decline:
        return None


def _message(data: bytes, start: int, end: int, depth: int, spans: Spans) -> Message:
    if depth > MAX_DEPTH:
        raise _Decline
    msg = Message(policy=_COMPAT32)
    body = _headers(msg, data, start, end)
    if msg.get_content_maintype() == "message":
        raise _Decline
    if msg.get_content_maintype() != "multipart":
        msg.set_payload("")
        spans[id(msg)] = (body, end)
        return msg
    _multipart(msg, data, body, end, depth, spans)
    return msg


def _headers(msg: Message, data: bytes, start: int, end: int) -> int:
    pos = start
    field: list[str] = []
    while True:
        newline = data.find(b"\n", pos, end)
        if newline < 0:
            raise _Decline
        line = _text(data, pos, newline + 1)
        pos = newline + 1
        if line in ("\n", "\r\n"):
            break
        if line[0] in " \t":
            if not field:
                raise _Decline
            field.append(line)
            continue
        if not _FIELD.match(line):
            raise _Decline
        if field:
            msg.set_raw(*_COMPAT32.header_source_parse(field))
        field = [line]
    if field:
        msg.set_raw(*_COMPAT32.header_source_parse(field))
    return pos


def _multipart(msg: Message, data: bytes, start: int, end: int, depth: int, spans: Spans) -> None:
    boundary = msg.get_boundary()
    if boundary is None or msg.get_content_type() == "multipart/digest":
        raise _Decline
    encoding = str(msg.get("content-transfer-encoding", "8bit")).lower()
    if encoding not in _MULTIPART_ENCODINGS:
        raise _Decline
    try:  # the text path finds only characters the raw bytes can hold
        separator = ("--" + boundary).encode("ascii", "surrogateescape")
    except UnicodeEncodeError:
        raise _Decline from None
    at, kind = _next_boundary(data, start, end, separator)
    if kind != _PART:
        raise _Decline
    if at > start:
        msg.preamble = _drop_line_end(_text(data, start, at))
    while kind == _PART:
        part_start = _line_end(data, at, end)
        if part_start >= end or _boundary_kind(data, part_start, separator):
            raise _Decline
        at, kind = _next_boundary(data, part_start, end, separator)
        if not kind:
            raise _Decline
        part = _message(data, part_start, at, depth + 1, spans)
        if part.get_content_maintype() == "multipart":
            part.epilogue = _drop_line_end(part.epilogue) if part.epilogue else None
        else:
            body, stop = spans[id(part)]
            if stop - body >= 2 and data.startswith(b"\r\n", stop - 2):
                stop -= 2
            elif stop - body >= 1 and data[stop - 1] == _NL:
                stop -= 1
            spans[id(part)] = (body, stop)
        msg.attach(part)
    after = _line_end(data, at, end)
    msg.epilogue = _text(data, after, end)


def _next_boundary(data: bytes, pos: int, end: int, separator: bytes) -> tuple[int, int]:
    at = data.find(separator, pos, end)
    while at >= 0:
        if at == pos or data[at - 1] == _NL:
            kind = _boundary_kind(data, at, separator)
            if kind:
                return at, kind
        at = data.find(separator, at + 1, end)
    return end, 0


def _boundary_kind(data: bytes, at: int, separator: bytes) -> int:
    if not data.startswith(separator, at):
        return 0
    pos = at + len(separator)
    kind = _CLOSE if data.startswith(b"--", pos) else _PART
    if kind == _CLOSE:
        pos += 2
    while pos < len(data) and data[pos] in b" \t":
        pos += 1
    if pos == len(data) or data[pos] == _NL or data.startswith(b"\r\n", pos):
        return kind
    return 0


def _line_end(data: bytes, at: int, end: int) -> int:
    newline = data.find(b"\n", at, end)
    return end if newline < 0 else newline + 1


def _drop_line_end(value: str) -> str:
    if value.endswith("\r\n"):
        return value[:-2]
    if value.endswith("\n"):
        return value[:-1]
    return value


# -- decoding a base64 body in pieces --------------------------------------------------
_ALPHABET = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
_NOT_ALPHABET = bytes(sorted(set(range(256)) - set(_ALPHABET)))
_AN_ALPHABET_CHAR = re.compile(b"[" + re.escape(_ALPHABET) + b"]")
_NON_ASCII = re.compile(rb"[\x80-\xff]")
PIECE = 2**20
"""Base64 characters read per piece (768 KB decoded): a few pieces' worth of memory."""


def has_non_ascii(data: bytes, start: int, end: int) -> bool:
    """Whether data[start:end] holds a byte over 0x7f (searched in place, not copied)."""
    return _NON_ASCII.search(data, start, end) is not None


class Base64Span:
    """A base64 body lying in the raw mail; `pieces()` decodes it piece by piece to the
    very bytes `binascii.a2b_base64(data[start:end])` gives (raising its
    `binascii.Error` where it would), and can be called again for a second pass."""

    def __init__(self, data: bytes, start: int, end: int) -> None:
        self._data, self._start, self._end = data, start, end

    def pieces(self) -> Iterator[bytes]:
        """The decoded bytes in pieces of about 3/4 `PIECE` bytes.

        `a2b_base64` (non-strict) skips every character outside the alphabet and keeps
        no state across a complete group of four, so decoding the alphabet characters
        four by four in pieces gives its result; only a pad (`=`) changes that (it ends
        the data). A pad anywhere but in the tail is rare and decoded whole, as before.
        """
        data, start, end = self._data, self._start, self._end
        pad = data.find(b"=", start, end)
        if pad >= 0 and _AN_ALPHABET_CHAR.search(data, pad, end):
            yield binascii.a2b_base64(memoryview(data)[start:end])  # one piece: the result
            return
        stop = end if pad < 0 else pad
        view = memoryview(data)
        carry = b""
        for at in range(start, stop, PIECE):
            clean = carry + view[at : min(at + PIECE, stop)].tobytes().translate(
                None, _NOT_ALPHABET
            )
            whole = len(clean) // 4 * 4
            if whole:
                yield binascii.a2b_base64(memoryview(clean)[:whole])
            carry = clean[whole:]
        tail = carry + (b"=" * data.count(b"=", pad, end) if pad >= 0 else b"")
        if tail:
            yield binascii.a2b_base64(tail)  # raises where a whole decode would
