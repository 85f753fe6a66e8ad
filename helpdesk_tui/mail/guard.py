"""MAIL-7 noise: mail we must never auto-answer (auto-replies, bounces, lists, bulk, own).

Signals follow RFC 3834 (Auto-Submitted), RFC 2369/2919 (List-*), RFC 3464 (delivery
status reports) and the de-facto headers of Exchange (X-Auto-Response-Suppress) and
older autoresponders (X-Autoreply, X-Autorespond, Precedence).
"""

from collections.abc import Collection, Mapping

_DAEMONS = ("mailer-daemon", "postmaster", "mail-daemon", "mailerdaemon")
_SUPPRESS = {"all", "oof", "autoreply"}


def _value(headers: Mapping[str, str], name: str) -> str:
    return headers.get(name, "").strip().lower()


def noise_kind(
    headers: Mapping[str, str],
    from_email: str,
    message_id: str | None,
    own_domains: Collection[str],
) -> str | None:
    """`"own" | "bounce" | "auto_reply" | "list" | "bulk"` or None for a person's mail.

    `headers` maps lower-cased header names to their (first) raw value. The order matters:
    our own mail coming back beats everything; an explicit auto-reply marker beats a null
    Return-Path (RFC 3834 autoresponders use one too).
    """
    own = {domain.strip().lower() for domain in own_domains if domain.strip()}
    if message_id and "@" in message_id and own:  # noqa: SIM102 (reads better as two steps)
        if message_id.rsplit("@", 1)[1].strip().lower() in own:
            return "own"
    local = from_email.split("@", 1)[0]
    content_type = _value(headers, "content-type")
    if (
        local in _DAEMONS
        or "x-failed-recipients" in headers
        or (content_type.startswith("multipart/report") and "delivery-status" in content_type)
    ):
        return "bounce"
    auto = _value(headers, "auto-submitted")
    precedence = _value(headers, "precedence")
    suppress = {word.strip() for word in _value(headers, "x-auto-response-suppress").split(",")}
    if (
        (auto and not auto.startswith("no"))
        or "x-autoreply" in headers
        or "x-autorespond" in headers
        or precedence == "auto_reply"
        or suppress & _SUPPRESS
    ):
        return "auto_reply"
    if _value(headers, "return-path") in ("<>", "< >"):
        return "bounce"
    if (
        precedence == "list"
        or "list-id" in headers
        or "list-unsubscribe" in headers
        or "list-post" in headers
    ):
        return "list"
    if precedence in ("bulk", "junk"):
        return "bulk"
    return None
