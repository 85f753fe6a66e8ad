"""The mail JSON shape of CLI.md (MAIL-8): `mail list/show --json`, `contact show --json`."""

import json
from collections.abc import Iterable, Mapping
from typing import Any

from helpdesk_tui.domain.dates import iso_z
from helpdesk_tui.storage.readmodels import MailListItem


def attachment_json(attachment: Mapping[str, Any]) -> dict[str, Any]:
    """One element of a mail's `attachments` (sha256 None for a stub or an old mail)."""
    return {
        "filename": attachment.get("filename") or "",
        "content_type": attachment.get("content_type") or "",
        "size": int(attachment.get("size") or 0),
        "sha256": attachment.get("sha256"),
    }


def attachments_from(stored: str | Iterable[Mapping[str, Any]] | None) -> list[dict[str, Any]]:
    """The `attachments` list from the stored JSON text (or the decoded list)."""
    items = json.loads(stored or "[]") if isinstance(stored, str) or stored is None else stored
    return [attachment_json(a) for a in items]


def mail_json(item: MailListItem, attachments: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """One mail in the JSON shape of CLI.md."""
    return {
        "id": str(item.id),
        "from_email": item.from_email,
        "from_name": item.from_name,
        "subject": item.subject,
        "received_at": iso_z(item.received_at),
        "class": item.mail_class,
        "classified_by": item.classified_by,
        "account": item.account,
        "case": str(item.case) if item.case is not None else None,
        "read": item.read,
        "archived": item.archived,
        "attachments": [attachment_json(a) for a in attachments],
    }
