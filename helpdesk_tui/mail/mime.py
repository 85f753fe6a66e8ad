"""A fast way through well-formed MIME that builds exactly the stdlib's `Message` tree.

Why by hand: the stdlib's feed parser walks a message line by line in Python, tests
every line against a stack of boundary patterns and compiles a new regular expression
for every multipart boundary (boundaries are unique per message). That was over half of
the parse time of a mail sync, and parsing is half of the sync's CPU (issue 4: ≥ 2,000
mails/s on two cores). Well-formed mail, which is most real traffic, can be cut apart
with `str.find` instead.

`split` builds the same tree as `email.message_from_bytes(raw, policy=compat32)`: the
same `Message` class, headers split by the policy's own `header_source_parse`, the same
payload strings, preambles and epilogues (RFC 2046: the line break before a boundary
belongs to the boundary). Whenever the stdlib would note a defect or take a special
path (message/* parts, multipart/digest, bare CR line ends, a header line it would not
accept, a missing boundary …) `split` declines with None, and the stdlib parser reads the
message. tests/unit/mail/test_mime.py holds it to the stdlib's result on the shared mail
corpus and on generated messages.
"""

import re
from email import policy
from email.message import Message

_COMPAT32 = policy.compat32
#: Characters `str.splitlines` would break at but the feed parser does not.
_ODD_BREAKS = ("\x0b", "\x0c", "\x1c", "\x1d", "\x1e")
#: A header field line as the feed parser accepts it (no "From " line, no empty name).
_FIELD = re.compile(r"[\041-\071\073-\176]+:")
_MULTIPART_ENCODINGS = ("7bit", "8bit", "binary")
MAX_DEPTH = 12

_PART, _CLOSE = 1, 2


class _Decline(Exception):
    """The message is not plain enough for the fast path."""


def split(text: str) -> Message | None:
    """`text` (the message's bytes decoded as ASCII with surrogateescape) as a `Message`
    tree, or None when the stdlib parser must read it."""
    # A bare CR ends a line for the feed parser, not for `find("\n")`. (Plain `in` and
    # `count` here: a regex with a look-ahead over the whole text costs 0.1 ms a mail.)
    if "\r" in text and text.count("\r") != text.count("\r\n"):
        return None
    if any(odd in text for odd in _ODD_BREAKS):
        return None
    try:
        return _message(text, 0, len(text), 0)
    except _Decline:
        return None


def _message(text: str, start: int, end: int, depth: int) -> Message:
    """The message in text[start:end]; `end` is where the enclosing part ends."""
    if depth > MAX_DEPTH:
        raise _Decline
    msg = Message(policy=_COMPAT32)
    body = _headers(msg, text, start, end)
    if msg.get_content_maintype() == "message":
        raise _Decline  # message/rfc822, delivery-status …: nested headers, special rules
    if msg.get_content_maintype() != "multipart":
        msg.set_payload(text[body:end])
        return msg
    _multipart(msg, text, body, end, depth)
    return msg


def _headers(msg: Message, text: str, start: int, end: int) -> int:
    """Parse the header block at `start` into `msg`; returns where the body begins."""
    pos = start
    field: list[str] = []
    while True:
        newline = text.find("\n", pos, end)
        if newline < 0:
            raise _Decline  # no empty line before the end: headers only, or cut off
        line = text[pos : newline + 1]
        pos = newline + 1
        if line in ("\n", "\r\n"):
            break
        if line[0] in " \t":
            if not field:
                raise _Decline  # a continuation as the first line
            field.append(line)
            continue
        if not _FIELD.match(line):
            raise _Decline  # body text without the empty line, "From ", no name …
        if field:
            msg.set_raw(*_COMPAT32.header_source_parse(field))
        field = [line]
    if field:
        msg.set_raw(*_COMPAT32.header_source_parse(field))
    return pos


def _multipart(msg: Message, text: str, start: int, end: int, depth: int) -> None:
    """Cut text[start:end] into preamble, parts and epilogue by the message's boundary."""
    boundary = msg.get_boundary()
    if boundary is None or msg.get_content_type() == "multipart/digest":
        raise _Decline
    encoding = str(msg.get("content-transfer-encoding", "8bit")).lower()
    if encoding not in _MULTIPART_ENCODINGS:
        raise _Decline
    separator = "--" + boundary
    at, kind = _next_boundary(text, start, end, separator)
    if kind != _PART:
        raise _Decline  # no start boundary (or a close one first)
    if at > start:
        msg.preamble = _drop_line_end(text[start:at])
    while kind == _PART:
        part_start = _line_end(text, at, end)
        if part_start >= end or _boundary_kind(text, part_start, separator):
            raise _Decline  # the boundary ends the text, or is doubled
        at, kind = _next_boundary(text, part_start, end, separator)
        if not kind:
            raise _Decline  # no close boundary
        part = _message(text, part_start, at, depth + 1)
        if part.get_content_maintype() == "multipart":
            part.epilogue = _drop_line_end(part.epilogue) if part.epilogue else None
        else:
            # The raw payload, as the feed parser trims it (`get_payload()` would decode
            # escaped 8-bit text by the part's charset).
            part._payload = _drop_line_end(part._payload)  # type: ignore[attr-defined]
        msg.attach(part)
    after = _line_end(text, at, end)
    # The close boundary's own line break is not part of the epilogue.
    msg.epilogue = text[after:end]


def _next_boundary(text: str, pos: int, end: int, separator: str) -> tuple[int, int]:
    """The next boundary line of `separator` in text[pos:end]: (where, kind), or (end, 0).

    `pos` and `end` are at line starts. Lines of outer boundaries cannot occur in here:
    the enclosing part ended at the first of them.
    """
    at = text.find(separator, pos, end)
    while at >= 0:
        if at == pos or text[at - 1] == "\n":
            kind = _boundary_kind(text, at, separator)
            if kind:
                return at, kind
        at = text.find(separator, at + 1, end)
    return end, 0


def _boundary_kind(text: str, at: int, separator: str) -> int:
    """Whether the line at `at` is a boundary line (the feed parser's boundary pattern:
    separator, optional "--", blanks, then the line's end)."""
    if not text.startswith(separator, at):
        return 0
    pos = at + len(separator)
    kind = _CLOSE if text.startswith("--", pos) else _PART
    if kind == _CLOSE:
        pos += 2
    while pos < len(text) and text[pos] in " \t":
        pos += 1
    if pos == len(text) or text[pos] == "\n" or text.startswith("\r\n", pos):
        return kind
    return 0


def _line_end(text: str, at: int, end: int) -> int:
    """Where the line starting at `at` ends (after its line break)."""
    newline = text.find("\n", at, end)
    return end if newline < 0 else newline + 1


def _drop_line_end(value: str) -> str:
    """Without one trailing line break (the one that belongs to the next boundary)."""
    if value.endswith("\r\n"):
        return value[:-2]
    if value.endswith("\n"):
        return value[:-1]
    return value
