"""Raw mail bytes → `ParsedMail` (pure: no database, no network, never raises; MAIL-9).

Uses the stdlib parser with `policy=compat32` — about six times faster than
`policy.default` — and decodes headers itself (see `headers`), so a sync can parse
thousands of mails per second in a process pool.
"""

import email
import hashlib
import re
from collections.abc import Collection
from datetime import datetime
from email import policy
from email.parser import BytesHeaderParser

from helpdesk_tui.mail import charset, headers, mime
from helpdesk_tui.mail.body import BodyWalker
from helpdesk_tui.mail.guard import noise_kind
from helpdesk_tui.mail.model import Attachment, ParsedMail
from helpdesk_tui.mail.quotes import find_quote_start
from helpdesk_tui.mail.tag import find_case_tag

__all__ = ["Attachment", "ParsedMail", "parse", "to_json"]

MAX_BODY_CHARS = 1_000_000
_SURROGATE = re.compile("[\ud800-\udfff]")


def parse(raw: bytes, *, tag_prefix: str = "#", own_domains: Collection[str] = ()) -> ParsedMail:
    """Parse one message. Every problem lands in `defects`; nothing is raised."""
    data = raw if isinstance(raw, bytes) else bytes(raw)
    content_hash = hashlib.sha256(data).hexdigest()
    try:
        return _parse(data, content_hash, tag_prefix, own_domains)
    except Exception as error:  # the last line of defence: show the raw text instead
        return _salvage(data, content_hash, error)


def _parse(
    data: bytes, content_hash: str, tag_prefix: str, own_domains: Collection[str]
) -> ParsedMail:
    defects: list[str] = []
    body = data
    if data.startswith(b"From "):
        newline = data.find(b"\n")
        body = data[newline + 1 :] if newline >= 0 else b""
        defects.append("mbox 'From ' line skipped")
    if not body.strip():
        defects.append("empty message")
    text = body.decode("ascii", "surrogateescape")  # what the stdlib's bytes parser does
    try:
        # Well-formed MIME takes the fast way (mail/mime.py); the rest the stdlib's.
        msg = mime.split(text) or email.message_from_string(text, policy=policy.compat32)
    except RecursionError:  # the stdlib parser recurses per MIME level
        msg = BytesHeaderParser(policy=policy.compat32).parsebytes(body)
        defects.append("MIME nesting too deep, body shown raw")
    top: dict[str, str] = {}
    for name, value in msg.raw_items():
        top.setdefault(name.lower(), str(value))

    subject = headers.text(top.get("subject"), defects)
    from_name, from_email = _sender(top, defects)
    message_ids = headers.message_ids(top.get("message-id"))
    message_id = message_ids[0] if message_ids else None
    replied = headers.message_ids(top.get("in-reply-to"))

    walker = BodyWalker(defects)
    walker.walk(msg)
    body_text = "\n\n".join(c.strip("\n") for c in walker.chunks if c.strip())
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
        to=_addrs(top.get("to"), defects, clean),
        cc=_addrs(top.get("cc"), defects, clean),
        reply_to=_addrs(top.get("reply-to"), defects, clean),
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


def _sender(top: dict[str, str], defects: list[str]) -> tuple[str, str]:
    """(name, address) from From, else Sender, else Reply-To (with a defect)."""
    for header in ("from", "sender", "reply-to"):
        found = headers.addresses(top.get(header), defects)
        if found:
            if header != "from":
                defects.append(f"missing From, used {header.title()}")
            return found[0]
    defects.append("missing From")
    return "", ""


def _addrs(value: str | None, defects: list[str], clean: "_Cleaner") -> tuple[str, ...]:
    return tuple(clean(addr, "address") for _, addr in headers.addresses(value, defects) if addr)


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


def _iso_z(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def to_json(mail: ParsedMail) -> dict[str, object]:
    """The `helpdesk mail parse --json` shape of CLI.md (dates as UTC `…Z`)."""
    return {
        "subject": mail.subject,
        "from_email": mail.from_email,
        "from_name": mail.from_name,
        "to": list(mail.to),
        "cc": list(mail.cc),
        "date": _iso_z(mail.date) if mail.date else None,
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
