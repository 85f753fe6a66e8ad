"""The MIME tree → readable body text and attachment facts.

A hand-written walk instead of `Message.walk()`: multipart/alternative needs a choice
(plain unless it is empty, then HTML), forwarded message/rfc822 parts get a readable
header block, broken multiparts keep their text, and the depth is bounded.

What other helpdesks list as attachments is listed here too: a forwarded or returned
message is one `.eml` attachment (named by its subject; the files inside it are part of
it), a delivery report's status part is a `.txt` attachment, returned headers as well.
"""

import binascii
import re
from collections.abc import Callable
from email.message import Message
from email.utils import collapse_rfc2231_value, unquote

from helpdesk_tui.mail import charset, headers
from helpdesk_tui.mail.flowed import unflow
from helpdesk_tui.mail.html import html_to_text
from helpdesk_tui.mail.model import Attachment

MAX_DEPTH = 40
MAX_PART_BYTES = 4_000_000
FORWARD_LINE = "---------- Forwarded message ----------"
_META_CHARSET = re.compile(rb"""<meta[^>]{0,200}?charset\s*=\s*["']?([A-Za-z0-9_.:-]+)""", re.I)
_DEFECT_TEXT = {
    "StartBoundaryNotFoundDefect": "multipart boundary never found, kept as text",
    "CloseBoundaryNotFoundDefect": "closing multipart boundary missing",
    "NoBoundaryInMultipartDefect": "multipart without boundary, kept as text",
    "MultipartInvariantViolationDefect": "multipart message without parts",
    "MissingHeaderBodySeparatorDefect": "missing blank line between headers and body",
    "FirstHeaderLineIsContinuationDefect": "first header line is a continuation",
    "MisplacedEnvelopeHeaderDefect": "envelope 'From ' line inside the headers",
    "InvalidBase64PaddingDefect": "bad base64 padding",
    "InvalidBase64CharactersDefect": "invalid characters in base64 data",
    "InvalidBase64LengthDefect": "truncated base64 data",
    "InvalidMultipartContentTransferEncodingDefect": "multipart with a transfer encoding",
    "MalformedHeaderDefect": "malformed header line",
}


def describe_defect(defect: object) -> str:
    """A one-line description of an `email.errors` defect."""
    name = type(defect).__name__
    return _DEFECT_TEXT.get(name) or re.sub(r"(?<!^)(?=[A-Z])", " ", name).lower()


class BodyWalker:
    """Collects text chunks and attachments from a parsed message."""

    def __init__(
        self,
        defects: list[str],
        hint: Callable[[], str | None] = lambda: None,
        *,
        keep_parts: bool = False,
    ) -> None:
        self.chunks: list[str] = []
        self.attachments: list[Attachment] = []
        #: with `keep_parts`, what holds each attachment's bytes (see `payload_bytes`)
        self.parts: list[Message | bytes | None] = []
        self._keep = keep_parts
        #: text shown only when the mail has no other (a bare delivery report)
        self.fallback_chunks: list[str] = []
        self.defects = defects
        self.hint = hint
        """The message's charset for raw 8-bit file names (computed only when needed)."""

    def walk(self, part: Message, want_text: bool = True, depth: int = 0) -> None:
        """Visit `part`; `want_text=False` gathers attachments only (unchosen alternatives)."""
        if depth > MAX_DEPTH:
            self.defects.append(f"MIME nesting deeper than {MAX_DEPTH}, rest skipped")
            return
        try:
            self._visit(part, want_text, depth)
        except Exception as error:  # one hostile part must not cost the others (MAIL-9)
            self.defects.append(f"unreadable MIME part ({type(error).__name__}), skipped")
        for defect in part.defects:
            self.defects.append(describe_defect(defect))

    def _visit(self, part: Message, want_text: bool, depth: int) -> None:
        ctype = part.get_content_type()
        # not `get_payload()`: for 8-bit text it decodes by the declared charset with
        # errors="replace", which some codecs (idna) refuse with an exception
        payload = part._payload  # type: ignore[attr-defined]
        if isinstance(payload, list):
            subs = [sub for sub in payload if isinstance(sub, Message)]
            if ctype == "message/delivery-status":
                self._status(part, subs, want_text)
            elif ctype == "message/rfc822" or (ctype.startswith("message/") and len(subs) == 1):
                self._message(part, subs, want_text, depth)
            elif ctype == "multipart/alternative":
                self._alternative(subs, want_text, depth)
            else:
                for sub in subs:
                    self.walk(sub, want_text, depth + 1)
            return
        disposition, filename = self._disposition(part)
        maintype = ctype.partition("/")[0]
        if ctype == "text/rfc822-headers":  # returned with a delivery report
            if not filename:
                subject = _returned_subject(payload, self.defects)
                filename = _named(part, subject, ".txt", "headers.txt", self.defects)
        elif maintype == "multipart" or (
            maintype == "text" and not filename and disposition != "attachment"
        ):
            if want_text:
                self.chunks.append(self._text(part, ctype))
            return
        inline = disposition == "inline" or (
            not disposition and maintype == "image" and part.get("content-id") is not None
        )
        self.attachments.append(Attachment(filename, ctype, _size(part), inline))
        self._kept(part)

    def _kept(self, holder: Message | bytes) -> None:
        if self._keep:
            self.parts.append(holder)

    def _alternative(self, payload: list[Message], want_text: bool, depth: int) -> None:
        subs = payload
        # plain first, then HTML, then anything else, each in the order the sender gave
        ranked = sorted(subs, key=lambda s: _RANK.get(s.get_content_type(), 2))
        chosen = False
        for sub in ranked:
            if not want_text or chosen:
                self.walk(sub, want_text=False, depth=depth + 1)
                continue
            before = len(self.chunks)
            self.walk(sub, want_text=True, depth=depth + 1)
            chosen = any(chunk.strip() for chunk in self.chunks[before:])

    def _message(self, part: Message, payload: list[Message], want_text: bool, depth: int) -> None:
        if not payload:
            return
        inner = payload[0]
        _, filename = self._disposition(part)
        if not filename:
            subject = headers.text(_raw(inner, "subject"), self.defects)
            filename = _named(part, subject, ".eml", "Mail.eml", self.defects)
        try:
            size = len(inner.as_bytes())
        except Exception:  # re-serialising a broken message may fail; size is a hint
            size = 0
        self.attachments.append(Attachment(filename, "message/rfc822", size, False))
        self._kept(inner)
        listed = len(self.attachments)
        if want_text:
            lines = [FORWARD_LINE]
            for name in ("From", "Date", "Subject", "To", "Cc"):
                value = headers.text(_raw(inner, name), self.defects)
                if value:
                    lines.append(f"{name}: {value}")
            self.chunks.append("\n".join(lines) + "\n")
        self.walk(inner, want_text, depth + 1)
        del self.attachments[listed:]  # they are inside the .eml
        del self.parts[listed if self._keep else 0 :]

    def _status(self, part: Message, blocks: list[Message], want_text: bool) -> None:
        """A delivery report's machine-readable part: an attachment, and the body text
        only of a report that has no human-readable part."""
        text = _status_text(blocks)
        _, filename = self._disposition(part)
        filename = filename or _named(part, "", ".txt", "delivery-status.txt", self.defects)
        size = len(text.encode("utf-8", "surrogateescape"))
        self.attachments.append(Attachment(filename, "message/delivery-status", size, False))
        self._kept(text.encode("utf-8", "surrogateescape"))
        if want_text:
            self.fallback_chunks.append(text)

    def _disposition(self, part: Message) -> tuple[str, str]:
        """(`inline` | `attachment` | "", decoded filename or "")."""
        raw = _raw(part, "content-disposition")
        disposition = raw.split(";", 1)[0].strip().lower() if raw else ""
        value = part.get_param("filename", None, "content-disposition")
        if value is None:
            value = part.get_param("name", None)
        if value is None:
            return disposition, ""
        if isinstance(value, tuple):  # RFC 2231 `filename*=charset''%XX`
            data = bytes(unquote(value[2]), "raw-unicode-escape")  # what the stdlib does
            label = value[0] or part.get_param("charset") or self.hint()
            if not isinstance(label, str):
                label = None
            filename = charset.decode(data, label, self.defects, "filename").strip()
        else:
            filename = collapse_rfc2231_value(value).strip()
            if "\ufffd" in filename:  # compat32 replaced raw 8-bit bytes: read them again
                filename = _raw_param(part, filename)
        if filename and ("=?" in filename or not filename.isascii()):
            # Outlook puts RFC 2047 words here; others raw 8-bit text in the part's or
            # the message's charset
            label = part.get_param("charset") if not filename.isascii() else None
            if not filename.isascii() and not isinstance(label, str):
                label = self.hint()
            filename = headers.text(
                filename, self.defects, label if isinstance(label, str) else None
            )
        return disposition, filename

    def _text(self, part: Message, ctype: str) -> str:
        data = part.get_payload(decode=True)
        if not isinstance(data, bytes):
            return ""
        if len(data) > MAX_PART_BYTES:
            self.defects.append(f"text part cut to {MAX_PART_BYTES:,} bytes")
            data = data[:MAX_PART_BYTES]
        label = part.get_content_charset()
        if label is None and ctype == "text/html":
            meta = _META_CHARSET.search(data[:4096])
            label = meta.group(1).decode("ascii").lower() if meta else None
        text = charset.decode(data, label, self.defects, ctype)
        if ctype == "text/html":
            return html_to_text(text, self.defects)
        text = text.replace("\r\n", "\n")
        declared = str(part.get("content-type", "")).lower()  # cheaper than get_param
        if "flowed" in declared and str(part.get_param("format", "")).lower() == "flowed":
            delsp = "delsp" in declared and str(part.get_param("delsp", "")).lower() == "yes"
            text = unflow(text, delsp=delsp)  # RFC 3676
        return text


_RANK = {"text/plain": 0, "text/html": 1}
_NAME_PARAM = re.compile(r"""(?:^|;)\s*(?:file)?name\s*=\s*(?:"([^"]*)"|([^;\s]+))""", re.I)
_SUBJECT_LINE = re.compile(r"^subject:[ \t]*(.*(?:\r?\n[ \t].*)*)", re.I | re.M)


def _raw(part: Message, name: str) -> str | None:
    for key, value in part.raw_items():
        if key.lower() == name.lower():
            return str(value)
    return None


def _named(part: Message, subject: str, suffix: str, default: str, defects: list[str]) -> str:
    """A file name for a part that has none: the subject, else the part's description."""
    if subject:
        return subject + suffix
    description = headers.text(_raw(part, "content-description"), defects)
    return description + suffix if description else default


def _raw_param(part: Message, parsed: str) -> str:
    """The `filename`/`name` parameter as the raw header has it (surrogate-escaped bytes)."""
    for header in ("content-disposition", "content-type"):
        found = _NAME_PARAM.search(headers.unfold(_raw(part, header) or ""))
        if found:
            return (found.group(1) if found.group(1) is not None else found.group(2)).strip()
    return parsed


def _returned_subject(payload: object, defects: list[str]) -> str:
    """The Subject in a text/rfc822-headers payload."""
    if not isinstance(payload, str):
        return ""
    found = _SUBJECT_LINE.search(payload)
    return headers.text(found.group(1), defects) if found else ""


def transfer_encoding(part: Message) -> str:
    """The part's Content-Transfer-Encoding as `payload_bytes` reads it ("" if none)."""
    return (_raw(part, "content-transfer-encoding") or "").strip().lower()


def payload_bytes(holder: Message | bytes | None) -> bytes | None:
    """The decoded bytes of an attachment `BodyWalker(keep_parts=True)` kept; base64 is
    decoded straight from the part's text (one copy: the result). None if unreadable."""
    if holder is None or isinstance(holder, bytes):
        return holder
    try:
        payload = holder._payload  # type: ignore[attr-defined]  # see `_visit`
        if isinstance(payload, list):  # a forwarded message: the .eml as it came
            return holder.as_bytes()
        if transfer_encoding(holder) == "base64" and isinstance(payload, str) and payload.isascii():
            return binascii.a2b_base64(payload)
        data = holder.get_payload(decode=True)
        return data if isinstance(data, bytes) else None
    except Exception:  # a hostile part: listed, not stored
        return None


def _size(part: Message) -> int:
    """Decoded size; base64 is counted from its length instead of decoding megabytes."""
    payload = part._payload  # type: ignore[attr-defined]  # see `_visit`
    if not isinstance(payload, str):
        return 0
    cte = (_raw(part, "content-transfer-encoding") or "").strip().lower()
    if cte == "base64":
        blanks = sum(payload.count(c) for c in "\r\n \t")
        tail = payload.rstrip()
        padding = 2 if tail.endswith("==") else 1 if tail.endswith("=") else 0
        return max(0, (len(payload) - blanks) * 3 // 4 - padding)
    data = part.get_payload(decode=True)
    return len(data) if isinstance(data, bytes) else 0


def _status_text(payload: list[Message]) -> str:
    blocks = [
        "\n".join(f"{key}: {headers.unfold(str(value))}" for key, value in block.raw_items())
        for block in payload
    ]
    return "\n\n".join(blocks) + "\n"
