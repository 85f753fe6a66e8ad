"""How far each server folder is synced (MAIL-1): the poller reads and saves it here.

The read goes through the plain read path (no SQLAlchemy), so a poll that finds nothing
new stays cheap. A batch of mail advances the state inside `services.filing.ingest`, in
the transaction that stores the mail; `save_folder_state` is for a pass that stored
nothing (a folder seen for the first time, or renumbered, with no mail above the mark).
"""

from typing import TYPE_CHECKING

from helpdesk_tui.storage.reads import open_reads

if TYPE_CHECKING:
    from helpdesk_tui.services.context import Context


def folder_state(ctx: "Context", mailbox: str, folder: str) -> tuple[int, int, int | None] | None:
    """(UIDVALIDITY, last UID, HIGHESTMODSEQ) as stored, or None for a folder never synced."""
    with open_reads(ctx.location) as store:
        return store.mail.folder_state(mailbox, folder)


def save_folder_state(
    ctx: "Context",
    mailbox: str,
    folder: str,
    *,
    uidvalidity: int,
    last_uid: int,
    highestmodseq: int | None,
) -> None:
    """Record how far a folder is synced, in a unit of work of its own."""
    from helpdesk_tui.storage.mails import FolderState  # lazy: SQLAlchemy

    with ctx.uow() as uow:
        state = FolderState(uidvalidity, last_uid, highestmodseq)
        uow.mails.save_folder_state(mailbox, folder, state, ctx.clock())
        uow.commit()
