"""Outgoing mail as bytes (MAIL-5): pure, stdlib `email`, no I/O.

Every mail we send carries the case tag in the subject, a Message-ID from our own domain
(stored with the case so the customer's answer threads back by References), In-Reply-To
and References to the customer's last mail, and — when no person wrote it — the RFC 3834
`Auto-Submitted: auto-replied` marker that keeps autoresponders from answering it.
The text is UTF-8, quoted-printable (safe for any server, no 8BITMIME needed).
"""

import email.policy
import mimetypes
import re
import string
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

from helpdesk_tui.domain.errors import ValidationError
from helpdesk_tui.domain.header_values import (
    MAX_NAME,
    MAX_SUBJECT,
    check_address,
    file_name,
    header_text,
)
from helpdesk_tui.mail.msgid import sign_new

QUOTE_LINES = 200
"""At most this many lines of the previous message are quoted."""

MAX_REFERENCES = 20
"""References keeps the thread's first id and the newest ones (RFC 5322 allows trimming)."""

_POLICY = email.policy.SMTP.clone(max_line_length=78)
_WIRE = email.policy.compat32.clone(linesep="\r\n")
_UTF8_QP = Charset("utf-8")
_UTF8_QP.body_encoding = QP  # readable in any client, safe without 8BITMIME
_TOKEN = re.compile(r"[a-z0-9!#$&^_.+-]{1,64}")  # a MIME type or subtype (RFC 6838)


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
    """True for mail no person wrote (acknowledgements, notification mail to agents):
    `Auto-Submitted: auto-replied` (or `auto-generated` when it answers no message)."""
    quoted: Quoted | None = None
    attachments: Sequence[OutgoingAttachment] = ()


def address_of(sender: str) -> str:
    """`Support <support@example.com>` → `support@example.com` (lower-case)."""
    found = getaddresses([sender])
    address = found[0][1] if found else ""
    return (address or sender).strip().lower()


def new_message_id(sender: str, key: bytes) -> str:
    """A fresh Message-ID in the sender's domain (no angle brackets), signed with the
    database's `key` so that a reply naming it can be trusted (MAIL-11, mail/msgid.py)."""
    return sign_new(address_of(sender).rpartition("@")[2] or "localhost", key)


def thread_references(references: Sequence[str], parent: str | None) -> tuple[str, ...]:
    """References of a reply: the parent's References plus the parent, trimmed (RFC 5322)."""
    chain = list(dict.fromkeys([*references, *([parent] if parent else [])]))
    if len(chain) > MAX_REFERENCES:
        chain = [chain[0], *chain[-(MAX_REFERENCES - 1) :]]
    return tuple(chain)


def quote(quoted: Quoted) -> str:
    """An attribution line and the text with `> ` in front of every line."""
    when = f"On {quoted.date:%Y-%m-%d %H:%M}, " if quoted.date else ""
    who = header_text(quoted.author, MAX_NAME) or "you"
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


# -- headers (SEC-5): every value below goes through `domain.header_values` -------------
_MESSAGE_ID = re.compile(r"[!-;=?-~]{1,250}")  # printable ASCII without < > and spaces
_PLAIN_NAME = 60
"""ASCII display names up to this length go out as they are (quoted when needed)."""
_PLAIN_FILE = re.compile(r"[\w !#$&'()+,.;@\[\]^{}~-]*", re.ASCII)  # sent unencoded


def message_id_value(message_id: str) -> str | None:
    """`<id>` for a header, or None for an id we will not repeat (spaces, controls, <>)."""
    value = message_id.strip().removeprefix("<").removesuffix(">")
    return f"<{value}>" if _MESSAGE_ID.fullmatch(value) else None


def subject_header(subject: str) -> str | Header:
    """The Subject: one line, at most `MAX_SUBJECT` characters.

    ASCII stays plain (the case tag readable in the raw header); else the ASCII start
    (with the tag) plain and the rest RFC 2047. Text that looks like an encoded word
    (`=?…?=`) is encoded itself, or the reader's client would decode it.
    """
    value = header_text(subject, MAX_SUBJECT)
    if "=?" in value:
        return Header(value, "utf-8", header_name="Subject")
    if value.isascii():
        return value
    plain = len(value) - len(value.lstrip(string.printable))
    cut = value.rfind(" ", 0, plain) + 1
    header = Header(value[:cut], "us-ascii", header_name="Subject") if cut else Header()
    header.append(value[cut:], "utf-8")
    return header


def address_header(name: str, address: str, what: str = "address") -> Header:
    """`Name <address>` (or the bare address) for From/To, built from checked values.

    The address must be valid (ValidationError otherwise); the name is cleaned and cut.
    A short ASCII name is quoted as RFC 5322 wants; any other name is RFC 2047-encoded,
    which folds safely and keeps text like `=?…?=` literal.
    """
    checked = check_address(address, what)
    display = header_text(name, MAX_NAME)
    header = Header(header_name="To")
    if display:
        quoted = formataddr((display, checked))[: -len(checked) - 3]
        if display.isascii() and "=?" not in display and len(quoted) <= _PLAIN_NAME:
            header.append(quoted, "us-ascii")
        else:
            header.append(display, "utf-8")
    header.append(f"<{checked}>" if display else checked, "us-ascii")
    return header


def filename_param(name: str) -> str | tuple[str, str, str]:
    """The `filename` parameter of Content-Disposition: cleaned, RFC 2231 when not ASCII.

    Clients decode RFC 2047 words in file names too and disagree on quotes and
    backslashes in quoted strings, so any name beyond plain characters is sent in the
    RFC 2231 form, which they all take literally.
    """
    value = file_name(name)
    return value if _PLAIN_FILE.fullmatch(value) else ("utf-8", "", value)


def _content_type(attachment: OutgoingAttachment) -> tuple[str, str]:
    kind = attachment.content_type.strip().lower() or (
        mimetypes.guess_type(attachment.filename)[0] or ""
    )
    maintype, _, subtype = kind.partition("/")
    if not (_TOKEN.fullmatch(maintype) and _TOKEN.fullmatch(subtype)):
        return "application", "octet-stream"
    return maintype, subtype


def headers(mail: Outgoing) -> list[tuple[str, str | Header]]:
    """Every header of the message, in order, built from validated values only (SEC-5).

    Raises ValidationError for a sender or recipient that is not a valid address;
    names, subject and ids never make it raise: they are cleaned, cut or left out.
    """
    sender = getaddresses([mail.sender])
    name, address = sender[0] if sender and sender[0][1] else ("", mail.sender)
    fields: list[tuple[str, str | Header]] = [
        ("From", address_header(name, address, "sender address")),
        ("To", address_header(mail.to_name, mail.to, "recipient address")),
        ("Subject", subject_header(mail.subject)),
        ("Date", format_datetime(mail.date)),
    ]
    own_id = message_id_value(mail.message_id)
    if own_id is None:
        raise ValidationError(f"{mail.message_id!r} is not a valid Message-ID")
    fields.append(("Message-ID", own_id))
    parent = message_id_value(mail.in_reply_to) if mail.in_reply_to else None
    if parent:
        fields.append(("In-Reply-To", parent))
    chain = [v for v in (message_id_value(r) for r in mail.references) if v]
    if chain:
        fields.append(("References", " ".join(chain)))
    if mail.automatic:
        # RFC 3834: an answer to a message is auto-replied, anything else auto-generated
        fields.append(("Auto-Submitted", "auto-replied" if parent else "auto-generated"))
        fields.append(("X-Auto-Response-Suppress", "All"))
    return fields


def _attachment(attachment: OutgoingAttachment) -> MIMEBase:
    part = MIMEBase(*_content_type(attachment))
    part.set_payload(attachment.data)
    encoders.encode_base64(part)
    part.add_header(
        "Content-Disposition", "attachment", filename=filename_param(attachment.filename)
    )
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
    for name, value in headers(mail):
        message[name] = value  # type: ignore[assignment]  # compat32 folds Header values
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
