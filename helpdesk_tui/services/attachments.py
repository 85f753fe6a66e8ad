"""Attachments (ACT-6): stored once by content, listed per case, saved and opened safely.

Every attachment — in an incoming mail or in one an agent sends — is stored through
`store_parts`: its file name made safe (`domain/file_names.safe_file_name`), its bytes
hashed (SHA-256) and written once as a blob, or, over `mail.max_attachment_size`, kept
as a stub with a note. Bytes pass one attachment at a time; a base64 attachment of an
incoming mail is decoded from the raw mail in pieces (`mail.spans.Base64Span`), hashed in
a first pass and written in a second, so not even one whole copy of it is held.

Saving never overwrites (`report (1).pdf`) and never follows the sender's path; opening
hands the saved file's path as one argument to the desktop opener, never to a shell.
"""

from __future__ import annotations

import binascii
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from helpdesk_tui.domain.errors import NotFoundError, ValidationError
from helpdesk_tui.domain.file_names import numbered, safe_file_name
from helpdesk_tui.domain.numbering import CaseNumber
from helpdesk_tui.services.context import Context

if TYPE_CHECKING:
    from helpdesk_tui.mail.model import Attachment
    from helpdesk_tui.mail.spans import Base64Span
    from helpdesk_tui.storage.attachments import NewAttachment, StoredAttachment
    from helpdesk_tui.storage.uow import UnitOfWork

DEFAULT_LIMIT = 25 * 2**20
"""`mail.max_attachment_size` when nothing is configured (25 MB)."""


def size_text(size: int) -> str:
    """Bytes as people read them in notes: `31.2 MB`, `25 MB`, `800 KB`, `12 bytes`."""
    for unit, factor in (("GB", 2**30), ("MB", 2**20), ("KB", 2**10)):
        if size >= factor:
            value = size / factor
            return f"{value:.0f} {unit}" if size % factor == 0 else f"{value:.1f} {unit}"
    return f"{size} bytes"


def stub_note(size: int, limit: int) -> str:
    """Why an attachment was not stored: `not stored: 31.2 MB, over the 25 MB limit`."""
    return f"not stored: {size_text(size)}, over the {size_text(limit)} limit"


@dataclass(frozen=True)
class Part:
    """One attachment to store: its name as given, type, listed size and bytes (a
    `Base64Span` decodes them in pieces; None: unreadable)."""

    filename: str
    content_type: str
    size: int
    data: bytes | Base64Span | None
    inline: bool = False


def store_parts(
    uow: UnitOfWork, parts: Iterable[Part], limit: int
) -> tuple[list[dict[str, Any]], list[NewAttachment]]:
    """Store each part's bytes once (deduplicated by SHA-256) or keep a stub; returns the
    mail's `attachments` JSON list (with "sha256", None for a stub) and the rows to write
    after the mail. `parts` may be a generator: one part's bytes are held at a time."""
    from helpdesk_tui.storage.attachments import AttachmentRepository, NewAttachment

    repository = AttachmentRepository(uow.session)
    listed: list[dict[str, Any]] = []
    rows: list[NewAttachment] = []
    for position, part in enumerate(parts):
        name = safe_file_name(part.filename)
        data = part.data
        measured = _measure(data)
        sha: str | None = None
        if measured is None:
            size, note = part.size, "not stored: the part could not be decoded"
        elif measured[1] > limit:
            size, note = measured[1], stub_note(measured[1], limit)
        else:
            (sha, size), note = measured, ""
            if isinstance(data, bytes):
                repository.put_blob(sha, data)
            else:
                assert data is not None
                repository.put_blob_pieces(sha, size, data.pieces())  # the second pass
        del data
        item = {"filename": name, "content_type": part.content_type, "size": size}
        item.update({"inline": part.inline, "sha256": sha})
        if note:
            item["note"] = note
        listed.append(item)
        rows.append(NewAttachment(position, name, part.content_type, size, sha, note))
    return listed, rows


def _measure(data: bytes | Base64Span | None) -> tuple[str, int] | None:
    """(SHA-256 hex, size) of the bytes; None when they cannot be decoded. Pieces are
    hashed as they are decoded (the first of two passes: nothing is kept)."""
    if data is None:
        return None
    if isinstance(data, bytes):
        return hashlib.sha256(data).hexdigest(), len(data)
    digest, size = hashlib.sha256(), 0
    try:
        for piece in data.pieces():
            digest.update(piece)
            size += len(piece)
    except binascii.Error:  # as a whole decode would have failed: listed, not stored
        return None
    return digest.hexdigest(), size


def incoming_parts(raw: bytes, attachments: Sequence[Attachment]) -> Iterable[Part]:
    """The parts of a received mail, their bytes read from `raw` one at a time."""
    if not attachments:
        return
    from helpdesk_tui.mail.parse import attachment_payloads  # lazy: the parser is big

    datas = attachment_payloads(raw)
    for listed in attachments:
        data = next(datas, None)
        yield Part(listed.filename, listed.content_type, listed.size, data, listed.inline)
        del data


# -- reading ---------------------------------------------------------------------------
def list_for_case(ctx: Context, number: CaseNumber) -> list[StoredAttachment]:
    """The attachments of a case's mails, oldest mail first (ACT-6)."""
    from helpdesk_tui.storage.attachments import AttachmentRepository

    with ctx.uow(write=False) as uow:
        case_id = uow.cases.case_id(number)
        return AttachmentRepository(uow.session).of_cases([case_id])


def find(attachments: Sequence[StoredAttachment], which: str) -> StoredAttachment:
    """The attachment named `which` (its id, an id prefix of 8+ characters, or its file
    name); NotFoundError / ValidationError with one line otherwise."""
    text = which.strip()
    by_id = [a for a in attachments if str(a.id) == text.lower()]
    if not by_id and len(text) >= 8:
        by_id = [a for a in attachments if str(a.id).startswith(text.lower())]
    found = by_id or [a for a in attachments if a.filename == text]
    if not found:
        found = [a for a in attachments if a.filename.casefold() == text.casefold()]
    if not found:
        raise NotFoundError(f"no attachment {text!r} on this case")
    if len(found) > 1:
        raise ValidationError(f"{len(found)} attachments are named {text!r}: give its id")
    return found[0]


def content(ctx: Context, attachment: StoredAttachment) -> bytes:
    """The stored bytes of an attachment; a stub is refused with its note."""
    from helpdesk_tui.storage.attachments import AttachmentRepository

    if attachment.sha256 is None:
        raise ValidationError(f"{attachment.filename}: {attachment.note or 'not stored'}")
    with ctx.uow(write=False) as uow:
        data = AttachmentRepository(uow.session).blob(attachment.sha256)
    if data is None:
        raise NotFoundError(f"{attachment.filename}: its content is gone")
    return data


def save(ctx: Context, number: CaseNumber, which: str, folder: Path) -> Path:
    """Write one attachment of a case into `folder` (never overwriting); the new path.
    The bytes go from the database to the file in pieces, never whole in memory."""
    return _save_stored(ctx, find(list_for_case(ctx, number), which), folder)


def _save_stored(ctx: Context, attachment: StoredAttachment, folder: Path) -> Path:
    from helpdesk_tui.storage.attachments import AttachmentRepository

    if attachment.sha256 is None:
        raise ValidationError(f"{attachment.filename}: {attachment.note or 'not stored'}")
    with ctx.uow(write=False) as uow:
        pieces = AttachmentRepository(uow.session).blob_pieces(attachment.sha256)
        if pieces is None:
            raise NotFoundError(f"{attachment.filename}: its content is gone")
        return write_new(folder, attachment.filename, pieces)


def write_new(folder: Path, name: str, data: bytes | Iterable[bytes]) -> Path:
    """Write `data` (bytes, or pieces of them) as a new file in `folder` under the safe
    form of `name`; a taken name becomes `name (1).ext`, `name (2).ext`… An existing file
    is never replaced; a write that fails midway leaves no partial file."""
    if not folder.is_dir():
        raise ValidationError(f"no folder {folder}")
    safe = safe_file_name(name)
    pieces = [data] if isinstance(data, bytes) else data
    for n in range(0, 10_000):
        path = folder / (numbered(safe, n) if n else safe)
        try:
            handle = path.open("xb")  # O_EXCL: fails if it exists, even if raced
        except FileExistsError:
            continue
        except OSError as error:
            raise ValidationError(f"cannot write {path}: {error.strerror or error}") from None
        try:
            with handle:
                for piece in pieces:
                    handle.write(piece)
        except OSError as error:
            path.unlink(missing_ok=True)
            raise ValidationError(f"cannot write {path}: {error.strerror or error}") from None
        except BaseException:
            path.unlink(missing_ok=True)
            raise
        return path
    raise ValidationError(f"too many files named {safe} in {folder}")


def opener_command(path: Path) -> list[str]:
    """The argv that opens `path` with the desktop opener: `$HELPDESK_OPENER`, else
    `xdg-open` (or `open` on macOS). The path is one argument; no shell ever runs it."""
    configured = os.environ.get("HELPDESK_OPENER", "").strip()
    if configured:
        return [configured, str(path)]
    program = "open" if sys.platform == "darwin" else "xdg-open"
    if shutil.which(program) is None:
        raise ValidationError(f"no opener: set HELPDESK_OPENER (no {program} found)")
    return [program, str(path)]


def open_with_desktop(ctx: Context, number: CaseNumber, which: str) -> Path:
    """Save one attachment into a new private folder and hand its path to the desktop
    opener (`opener_command`): one argument, no shell; the helpdesk never runs the file.
    Returns the saved path."""
    attachment = find(list_for_case(ctx, number), which)
    folder = Path(tempfile.mkdtemp(prefix="helpdesk-attachment-"))  # 0700, ours only
    try:
        path = _save_stored(ctx, attachment, folder)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    path.chmod(0o600)  # readable, never executable
    argv = opener_command(path)
    try:
        subprocess.Popen(  # noqa: S603 - a fixed argv: the opener and the path, no shell
            argv,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,  # not killed with the TUI, not reading its terminal
            close_fds=True,
        )
    except OSError as error:
        raise ValidationError(f"cannot start {argv[0]}: {error.strerror or error}") from None
    return path
