"""Our own outgoing Message-IDs: unguessable and recognisable (MAIL-11).

A Message-ID is `hd.<token>.<signature>@<domain>`: 80 random bits and the first 80 bits of
an HMAC-SHA256 of the token under the database's key (created once with the schema, never
configured or shown), both in lower-case base32: short enough that the header stays on
one line (a folded Message-ID confuses some clients). Whoever quotes one in References
has received a mail of ours, so filing may trust it; nobody can make one up, and nobody
but us can sign one. osTicket signs its Message-IDs the same way, for the same reason.

Hand-written rather than taken from a library: it is two calls into `hmac`.
"""

import base64
import hmac
import re
import secrets
from hashlib import sha256

_PREFIX = "hd"
_CONTEXT = b"helpdesk-tui message-id v1\0"  # the key signs nothing else in this form
_OURS = re.compile(r"hd\.([a-z2-7]{16})\.([a-z2-7]{16})@[^@\s]+", re.IGNORECASE)


def _text(data: bytes) -> str:
    return base64.b32encode(data).decode("ascii").lower()  # 10 bytes: 16 letters, no "="


def _signature(key: bytes, token: str) -> str:
    return _text(hmac.new(key, _CONTEXT + token.encode("ascii"), sha256).digest()[:10])


def sign_new(domain: str, key: bytes) -> str:
    """A fresh signed Message-ID in `domain` (no angle brackets)."""
    token = _text(secrets.token_bytes(10))
    return f"{_PREFIX}.{token}.{_signature(key, token)}@{domain or 'localhost'}"


def is_ours(message_id: str, key: bytes) -> bool:
    """Whether `message_id` (with or without `<>`) is one we signed with `key`.

    Case-insensitive: a mail client that lower-cases ids still gets its reply threaded.
    """
    found = _OURS.fullmatch(message_id.strip().strip("<>"))
    if found is None:
        return False
    token, signature = found.group(1).lower(), found.group(2).lower()
    return hmac.compare_digest(_signature(key, token), signature)
