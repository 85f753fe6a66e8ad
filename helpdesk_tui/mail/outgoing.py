"""Outgoing mail as bytes (MAIL-5): pure, stdlib `email`, no I/O.

Every mail we send carries the case tag in the subject, a Message-ID from our own domain
(stored with the case so the customer's answer threads back by References), In-Reply-To
and References to the customer's last mail, and — when no person wrote it — the RFC 3834
`Auto-Submitted: auto-replied` marker that keeps autoresponders from answering it.
The text is UTF-8, quoted-printable (safe for any server, no 8BITMIME needed).
"""

import email.policy
import mimetypes
import string
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from email import encoders
from email.charset import QP, Charset
from email.header import Header
from email.message import EmailMessage, Message
from email.mime.base import MIMEBase
from email.mime.multipart import MIMEMultipart
from email.mime.nonmultipart import MIMENonMultipart
from email.utils import format_datetime, formataddr, getaddresses

QUOTE_LINES = 200
"""At most this many lines of the previous message are quoted."""

MAX_REFERENCES = 20
"""References keeps the thread's first id and the newest ones (RFC 5322 allows trimming)."""

_POLICY = email.policy.SMTP.clone(max_line_length=78)
_WIRE = email.policy.compat32.clone(linesep="\r\n")
_UTF8_QP = Charset("utf-8")
_UTF8_QP.body_encoding = QP  # readable in any client, safe without 8BITMIME


@dataclass(frozen=True)
class OutgoingAttachment:
    """A file sent along."""

    filename: str
    data: bytes
    content_type: str = ""
    """MIME type; guessed from the file name when empty."""


@dataclass(frozen=True)
class Quoted:
    """The previous message, quoted below the text."""

    author: str
    """Who wrote it, as shown in the attribution line."""
    date: datetime | None
    text: str


@dataclass(frozen=True)
class Outgoing:
    """Everything that makes one outgoing mail."""

    sender: str
    """The From header, e.g. `Support <support@example.com>`."""
    to: str
    """The recipient's address."""
    subject: str
    body: str
    message_id: str
    """Without angle brackets, like the mail store keeps them."""
    date: datetime
    to_name: str = ""
    in_reply_to: str | None = None
    references: Sequence[str] = ()
    automatic: bool = False
    """True for mail no person wrote (acknowledgements): `Auto-Submitted: auto-replied`."""
    quoted: Quoted | None = None
    attachments: Sequence[OutgoingAttachment] = ()


def address_of(sender: str) -> str:
    """`Support <support@example.com>` → `support@example.com` (lower-case)."""
    found = getaddresses([sender])
    address = found[0][1] if found else ""
    return (address or sender).strip().lower()


def new_message_id(sender: str) -> str:
    """A fresh, globally unique Message-ID in the sender's domain (no angle brackets)."""
    domain = address_of(sender).rpartition("@")[2] or "localhost"
    return f"{uuid.uuid4().hex}@{domain}"


def thread_references(references: Sequence[str], parent: str | None) -> tuple[str, ...]:
    """References of a reply: the parent's References plus the parent, trimmed (RFC 5322)."""
    chain = list(dict.fromkeys([*references, *([parent] if parent else [])]))
    if len(chain) > MAX_REFERENCES:
        chain = [chain[0], *chain[-(MAX_REFERENCES - 1) :]]
    return tuple(chain)


def quote(quoted: Quoted) -> str:
    """An attribution line and the text with `> ` in front of every line."""
    when = f"On {quoted.date:%Y-%m-%d %H:%M}, " if quoted.date else ""
    who = quoted.author or "you"
    lines = quoted.text.strip("\n").splitlines()
    if len(lines) > QUOTE_LINES:
        lines = [*lines[:QUOTE_LINES], "[…]"]
    body = "\n".join(">" if not line.strip() else f"> {line}" for line in lines)
    return f"{when}{who} wrote:\n{body}"


def compose_text(body: str, quoted: Quoted | None) -> str:
    """The plain text: the body, then the quoted previous message."""
    text = body.rstrip() + "\n"
    if quoted is not None and quoted.text.strip():
        text += "\n" + quote(quoted) + "\n"
    return text


def _angle(message_id: str) -> str:
    return f"<{message_id.strip().strip('<>')}>"


def _subject(value: str) -> str:
    """ASCII as is; else the ASCII start (with the case tag) plain, the rest RFC 2047."""
    if value.isascii():
        return value
    plain = len(value) - len(value.lstrip(string.printable))
    cut = value.rfind(" ", 0, plain) + 1
    header = Header(value[:cut], "us-ascii") if cut else Header()
    header.append(value[cut:], "utf-8")
    return header.encode()


def _address(name: str, address: str) -> str:
    return formataddr((name, address), charset="utf-8") if name else address


def _attachment(attachment: OutgoingAttachment) -> MIMEBase:
    kind = attachment.content_type or (
        mimetypes.guess_type(attachment.filename)[0] or "application/octet-stream"
    )
    maintype, _, subtype = kind.partition("/")
    part = MIMEBase(maintype, subtype or "octet-stream")
    part.set_payload(attachment.data)
    encoders.encode_base64(part)
    name = attachment.filename
    filename: str | tuple[str, str, str] = name if name.isascii() else ("utf-8", "", name)
    part.add_header("Content-Disposition", "attachment", filename=filename)
    return part


def build(mail: Outgoing) -> bytes:
    """The complete message as bytes, CRLF line ends, ready for SMTP DATA and IMAP APPEND.

    Built with the compat32 MIME classes: the header registry of `EmailMessage` costs
    about a millisecond per mail, which is most of queueing a bulk reply.
    """
    text = MIMENonMultipart("text", "plain")
    text.set_payload(compose_text(mail.body, mail.quoted), _UTF8_QP)
    message: Message
    if mail.attachments:
        message = MIMEMultipart("mixed")
        message.attach(text)
        for attachment in mail.attachments:
            message.attach(_attachment(attachment))
    else:
        message = text
    sender = getaddresses([mail.sender])
    name, address = sender[0] if sender else ("", mail.sender)
    message["From"] = _address(name, address or mail.sender)
    message["To"] = _address(mail.to_name, mail.to)
    message["Subject"] = _subject(mail.subject)
    message["Date"] = format_datetime(mail.date)
    message["Message-ID"] = _angle(mail.message_id)
    if mail.in_reply_to:
        message["In-Reply-To"] = _angle(mail.in_reply_to)
    if mail.references:
        message["References"] = " ".join(_angle(r) for r in mail.references)
    if mail.automatic:
        message["Auto-Submitted"] = "auto-replied"
        message["X-Auto-Response-Suppress"] = "All"
    return message.as_bytes(policy=_WIRE)


def replace_text(raw: bytes, text: str) -> bytes:
    """The same message (headers, Message-ID, attachments) with a new plain text."""
    message = email.message_from_bytes(raw, policy=_POLICY)
    assert isinstance(message, EmailMessage)
    part = message.get_body(("plain",))
    if part is None:
        raise ValueError("the message has no plain text part")
    assert isinstance(part, EmailMessage)
    part.set_content(text, charset="utf-8", cte="quoted-printable")
    return message.as_bytes(policy=_POLICY)
