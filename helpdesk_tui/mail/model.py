"""What the parser hands out: frozen, plain data (no `email.message` objects escape)."""

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class Attachment:
    """A non-body part of a mail."""

    filename: str
    """The decoded file name; "" when none was given."""
    content_type: str
    """Lower-case MIME type, e.g. `application/pdf`."""
    size: int
    """Decoded payload bytes (for base64 computed from the encoded length)."""
    inline: bool
    """Content-Disposition inline, or an image with a Content-ID and no disposition."""


@dataclass(frozen=True, slots=True)
class ParsedMail:
    """One mail as the helpdesk sees it: readable, never lossy about its problems."""

    subject: str
    from_email: str
    from_name: str
    to: tuple[str, ...]
    cc: tuple[str, ...]
    reply_to: tuple[str, ...]
    date: datetime | None
    message_id: str | None
    in_reply_to: str | None
    references: tuple[str, ...]
    body_text: str
    quote_start: int | None
    attachments: tuple[Attachment, ...]
    case_number: str | None
    noise: str | None
    defects: tuple[str, ...]
    content_hash: str
    size: int

    @property
    def auto_submitted(self) -> bool:
        """True for noise (auto-reply, bounce, list, bulk, own): never auto-answer it."""
        return self.noise is not None
