"""Raw mail bytes → `ParsedMail` (pure: no database, no network, never raises; MAIL-9).

Uses the stdlib parser with `policy=compat32` — about six times faster than
`policy.default` — and decodes headers itself (see `headers`), so a sync can parse
thousands of mails per second in a process pool.
"""

import email
import hashlib
import re
from collections.abc import Collection, Iterator
from email import policy
from email.message import Message
from email.parser import BytesHeaderParser

from helpdesk_tui.domain.dates import iso_z
from helpdesk_tui.mail import charset, headers, mime, spans
from helpdesk_tui.mail.body import BodyWalker, payload_bytes, transfer_encoding
from helpdesk_tui.mail.guard import noise_kind
from helpdesk_tui.mail.model import Attachment, ParsedMail
from helpdesk_tui.mail.quotes import find_quote_start
from helpdesk_tui.mail.spans import Base64Span
from helpdesk_tui.mail.tag import find_case_tag

__all__ = ["Attachment", "Base64Span", "ParsedMail", "attachment_payloads", "parse", "to_json"]

MAX_BODY_CHARS = 1_000_000
_SURROGATE = re.compile("[\ud800-\udfff]")
#: A header field line as the stdlib's feed parser accepts it.
_FIELD = re.compile(r"[\041-\071\073-\176]+:")
_FIELD_BYTES = re.compile(rb"[\041-\071\073-\176]+:")
_CRS_LF = re.compile(r"(?<!\r)\r++\n")  # from a run's start only: linear
_LONE_CR = re.compile(r"\r(?!\n)")
_HEADER_END = re.compile(r"\r?\n\r?\n")
_LINE = re.compile(r"[^\n]*\n")
_JUNK_LINES = 5
#: Header names that show a block of lines is a mail's header (Subject alone is weaker).
_KEY_FIELD = re.compile(r"^(?:from|date|message-id|received|return-path):", re.I | re.M)
_SENDER_HEADERS = ("from", "sender", "reply-to", "return-path")


def parse(raw: bytes, *, tag_prefix: str = "#", own_domains: Collection[str] = ()) -> ParsedMail:
    """Parse one message. Every problem lands in `defects`; nothing is raised."""
    data = raw if isinstance(raw, bytes) else bytes(raw)
    content_hash = hashlib.sha256(data).hexdigest()
    try:
        return _parse(data, content_hash, tag_prefix, own_domains)
    except Exception as error:  # the last line of defence: show the raw text instead
        return _salvage(data, content_hash, error)


def attachment_payloads(raw: bytes) -> Iterator[bytes | Base64Span | None]:
    """The bytes of each attachment `parse(raw).attachments` lists, in that order, one
    at a time (ACT-6): a `Base64Span` (decoded in pieces from `raw` itself) for a base64
    part of well-formed MIME, else the decoded bytes; None where a part cannot be decoded.

    Well-formed MIME is cut apart on the raw bytes (`spans.split_spans`), so a large
    attachment is never copied as text; other mail takes the stdlib's tree as `parse`
    does (the whole mail as text, each part's slice of it).
    """
    start = _first_header_line(raw)
    split = spans.split_spans(raw, start) if start is not None else None
    walker = BodyWalker([], keep_parts=True)
    try:
        # want_text=False: the same attachments in the same order, no text decoded
        walker.walk(split[0] if split else _message(raw, []), want_text=False)
    except Exception:  # parse() salvaged this mail: it lists no attachments
        return
    where = split[1] if split else {}
    for index in range(len(walker.parts)):
        part, walker.parts[index] = walker.parts[index], None  # one at a time in memory
        span = where.get(id(part)) if isinstance(part, Message) else None
        if span is not None and isinstance(part, Message):
            yield _span_payload(part, raw, *span)
        else:
            yield payload_bytes(part)


def _first_header_line(raw: bytes) -> int | None:
    """Where `_message` would start reading `raw`, when it would read it unchanged (no
    line-end repair, no junk before the header): the span path takes only those."""
    start = 0
    if raw.startswith(b"From "):
        newline = raw.find(b"\n")
        if newline < 0:
            return None
        start = newline + 1
    return start if _FIELD_BYTES.match(raw, start) else None


def _span_payload(part: Message, raw: bytes, start: int, end: int) -> bytes | Base64Span | None:
    """What `payload_bytes` gives for a part whose body is raw[start:end]: base64 of
    plain ASCII decoded in pieces later; any other part read as the stdlib would."""
    if transfer_encoding(part) == "base64" and not spans.has_non_ascii(raw, start, end):
        return Base64Span(raw, start, end)
    part.set_payload(raw[start:end].decode("ascii", "surrogateescape"))
    return payload_bytes(part)


def _message(data: bytes, defects: list[str]) -> Message:
    """The MIME tree of `data`, its oddities fixed (shared by `parse` and
    `attachment_payloads`, so both see the same parts)."""
    body = data
    if data.startswith(b"From "):
        newline = data.find(b"\n")
        body = data[newline + 1 :] if newline >= 0 else b""
        defects.append("mbox 'From ' line skipped")
    if not body.strip():
        defects.append("empty message")
    text = body.decode("ascii", "surrogateescape")  # what the stdlib's bytes parser does
    # Cheap checks first; odd mail (bare CRs, no header line first) takes the slow fixes.
    if "\r" in text and text.count("\r") != text.count("\r\n"):
        text = _line_ends(text, defects)
    if not _FIELD.match(text):
        text = _skip_junk(text, defects)
    try:
        # Well-formed MIME takes the fast way (mail/mime.py); the rest the stdlib's.
        msg = mime.split(text) or email.message_from_string(text, policy=policy.compat32)
    except RecursionError:  # the stdlib parser recurses per MIME level
        msg = BytesHeaderParser(policy=policy.compat32).parsebytes(body)
        defects.append("MIME nesting too deep, body shown raw")
    return msg


def _parse(
    data: bytes, content_hash: str, tag_prefix: str, own_domains: Collection[str]
) -> ParsedMail:
    defects: list[str] = []
    msg = _message(data, defects)
    top: dict[str, str] = {}
    for name, value in msg.raw_items():
        top.setdefault(name.lower(), str(value))

    # raw 8-bit header text is read in the charset the message declares for its text
    hint = None if all(v.isascii() for v in top.values()) else _charset_hint(msg)
    subject = headers.text(top.get("subject"), defects, hint)
    from_name, from_email = _sender(top, defects, hint)
    message_ids = headers.message_ids(top.get("message-id"))
    message_id = message_ids[0] if message_ids else None
    replied = headers.message_ids(top.get("in-reply-to"))

    walker = BodyWalker(defects, lambda: hint or _charset_hint(msg))
    walker.walk(msg)
    chunks = walker.chunks if any(c.strip() for c in walker.chunks) else walker.fallback_chunks
    body_text = "\n\n".join(c.strip("\n") for c in chunks if c.strip())
    body_text = body_text + "\n" if body_text else ""
    if len(body_text) > MAX_BODY_CHARS:
        defects.append(f"body text cut to {MAX_BODY_CHARS:,} characters")
        body_text = body_text[:MAX_BODY_CHARS]

    clean = _Cleaner(defects)
    subject = clean(subject, "subject")
    body_text = clean(body_text, "body")
    return ParsedMail(
        subject=subject,
        from_email=clean(from_email, "From"),
        from_name=clean(from_name, "From"),
        to=_addrs(top.get("to"), defects, clean, hint),
        cc=_addrs(top.get("cc"), defects, clean, hint),
        reply_to=_addrs(top.get("reply-to"), defects, clean, hint),
        date=headers.date(top.get("date"), defects),
        message_id=clean(message_id, "Message-ID") if message_id else None,
        in_reply_to=clean(replied[0], "In-Reply-To") if replied else None,
        references=tuple(
            clean(r, "References") for r in headers.message_ids(top.get("references"))
        ),
        body_text=body_text,
        quote_start=find_quote_start(body_text),
        attachments=tuple(
            Attachment(
                clean(a.filename, "filename"), clean(a.content_type, "type"), a.size, a.inline
            )
            for a in walker.attachments
        ),
        case_number=find_case_tag(subject, tag_prefix),
        noise=noise_kind(top, from_email, message_id, own_domains),
        defects=tuple(dict.fromkeys([clean(d, "defect") for d in list(defects)])),
        content_hash=content_hash,
        size=len(data),
    )


def _line_ends(text: str, defects: list[str]) -> str:
    """Bare CRs: `\\r\\r\\n` is one line end; a message without any LF ends its lines with
    CR (old Mac clients); a lone CR inside the header block is a blank (not a new,
    possibly injected, header line)."""
    defects.append("bare CR line ends")
    text = _CRS_LF.sub("\r\n", text)
    if "\n" not in text:
        return text.replace("\r", "\n")
    end = _HEADER_END.search(text)
    head = end.start() if end else len(text)
    return _LONE_CR.sub(" ", text[:head]) + text[head:]


def _skip_junk(text: str, defects: list[str]) -> str:
    """Drop blank or junk lines (an archive tool's banner, a `>From ` line) before the
    header block, when a real header block follows within a few lines."""
    pos = 0
    for skipped in range(1, _JUNK_LINES + 1):
        line = _LINE.match(text, pos)
        if line is None:
            return text
        pos = line.end()
        if not _FIELD.match(text, pos):
            continue
        end = _HEADER_END.search(text, pos, pos + 65536)
        block = text[pos : end.start() if end else pos + 65536]
        if block.count(":") >= 2 and _KEY_FIELD.search(block):
            defects.append(f"{skipped} line(s) before the header block skipped")
            return text[pos:]
    return text


def _sender(top: dict[str, str], defects: list[str], hint: str | None) -> tuple[str, str]:
    """(name, address) from From; else from Sender, Reply-To or Return-Path (a defect).
    A header with an address wins over one with only a name or a local part."""
    best: tuple[str, str, str] | None = None
    for header in _SENDER_HEADERS:
        if top.get(header) is None:
            continue
        name, addr = headers.mailbox(top.get(header), defects, hint)
        if "@" in addr:
            best = (header, name, addr)
            break
        if best is None and (name or addr):
            best = (header, name, addr)
    if best is None:
        defects.append("missing From")
        return "", ""
    header, name, addr = best
    if header != "from":
        defects.append(f"missing From, used {header.title()}")
    return name, addr


def _addrs(
    value: str | None, defects: list[str], clean: "_Cleaner", hint: str | None
) -> tuple[str, ...]:
    found = headers.addresses(value, defects, hint)
    return tuple(clean(addr, "address") for _, addr in found if addr)


def _charset_hint(msg: Message) -> str | None:
    """The charset the message declares for its text: its own, else its first text part's;
    for a message that declares none, what its first text part's bytes look like."""
    label = msg.get_param("charset")
    if isinstance(label, str) and label.lower() not in ("us-ascii", "ascii"):
        return label
    first: Message | None = None
    for depth, part in enumerate(msg.walk()):
        if depth > 50:
            break
        if part.get_content_maintype() == "text":
            label = part.get_param("charset")
            if isinstance(label, str) and label.lower() not in ("us-ascii", "ascii"):
                return label
            first = first or part
    data = first.get_payload(decode=True) if first is not None else None
    if isinstance(data, bytes) and not data.isascii():
        return charset.guess(data[:65536])[1].removesuffix(" with replacements")
    return None


class _Cleaner:
    """Make text storable: no NUL (PostgreSQL text can't hold it), no lone surrogates."""

    def __init__(self, defects: list[str]) -> None:
        self.defects = defects

    def __call__(self, value: str, field: str) -> str:
        if value.isascii() and "\x00" not in value:
            return value
        if "\x00" in value:
            value = value.replace("\x00", "")
            self.defects.append(f"NUL characters removed from {field}")
        if not value.isascii() and _SURROGATE.search(value):
            value = charset.fix_surrogates(value, self.defects, field)
            value = _SURROGATE.sub("\ufffd", value)  # only if the bytes still weren't text
        return value


def _salvage(data: bytes, content_hash: str, error: Exception) -> ParsedMail:
    """The raw bytes as text, for a message the parser could not take apart at all."""
    text = data[:MAX_BODY_CHARS].decode("utf-8", "replace").replace("\x00", "")
    return ParsedMail(
        subject="",
        from_email="",
        from_name="",
        to=(),
        cc=(),
        reply_to=(),
        date=None,
        message_id=None,
        in_reply_to=None,
        references=(),
        body_text=text,
        quote_start=None,
        attachments=(),
        case_number=None,
        noise=None,
        defects=(f"unparseable message ({type(error).__name__}), raw text shown",),
        content_hash=content_hash,
        size=len(data),
    )


def to_json(mail: ParsedMail) -> dict[str, object]:
    """The `helpdesk mail parse --json` shape of CLI.md (dates as UTC `…Z`)."""
    return {
        "subject": mail.subject,
        "from_email": mail.from_email,
        "from_name": mail.from_name,
        "to": list(mail.to),
        "cc": list(mail.cc),
        "date": iso_z(mail.date) if mail.date else None,
        "message_id": mail.message_id,
        "in_reply_to": mail.in_reply_to,
        "references": list(mail.references),
        "body_text": mail.body_text,
        "attachments": [
            {"filename": a.filename, "content_type": a.content_type, "size": a.size}
            for a in mail.attachments
        ],
        "case_number": mail.case_number,
        "auto_submitted": mail.auto_submitted,
        "defects": list(mail.defects),
    }
