"""Building test mails with the stdlib (on pytest's pythonpath: `from mailmaker import …`)."""

import email
import email.policy
import itertools
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from support import Clock  # noqa: F401  (re-exported for mail tests)

_serial = itertools.count(1)


def customer_mail(
    subject: str = "Drucker druckt nicht",
    *,
    sender: str = "Kunde Eins <kunde@acme.example>",
    to: str = "support@helpdesk.example",
    body: str = "Hallo,\nunser Drucker im 2. OG druckt nicht mehr.\nGrüße",
    headers: dict[str, str] | None = None,
    message_id: str | None = None,
) -> bytes:
    """A plain customer mail as bytes, with a unique Message-ID."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = format_datetime(email.utils.localtime())
    message["Message-ID"] = message_id or make_msgid(f"t{next(_serial)}", "acme.example")
    for name, value in (headers or {}).items():
        message[name] = value
    message.set_content(body)
    return message.as_bytes(policy=email.policy.SMTP)


def reply_to(
    original: bytes,
    *,
    subject: str | None = None,
    sender: str = "Kunde Eins <kunde@acme.example>",
    body: str = "Danke, jetzt geht es.",
    keep_references: bool = True,
) -> bytes:
    """A reply to `original` the way a mail client builds it (In-Reply-To, References)."""
    parent = email.message_from_bytes(original, policy=email.policy.default)
    message = EmailMessage()
    message["From"] = sender
    message["To"] = str(parent["From"])
    message["Subject"] = subject if subject is not None else f"Re: {parent['Subject']}"
    message["Date"] = format_datetime(email.utils.localtime())
    message["Message-ID"] = make_msgid(f"r{next(_serial)}", "acme.example")
    if keep_references and parent["Message-ID"]:
        refs = f"{parent.get('References', '')} {parent['Message-ID']}".strip()
        message["In-Reply-To"] = str(parent["Message-ID"])
        message["References"] = refs
    quoted = "\n".join(
        "> " + line for line in parent.get_body(("plain",)).get_content().splitlines()
    )  # type: ignore[union-attr]
    message.set_content(f"{body}\n\nAm Montag schrieb {parent['From']}:\n{quoted}\n")
    return message.as_bytes(policy=email.policy.SMTP)
