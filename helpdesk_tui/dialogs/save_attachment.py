"""Save an attachment (`S` on the case screen, ACT-6): asks for the folder (default
`~/Downloads`); the save runs in a worker and a refusal (no such folder, a stub) stays
in the dialog with the folder typed."""

from collections.abc import Callable
from pathlib import Path
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import Input

from helpdesk_tui.dialogs.base import Dialog
from helpdesk_tui.domain.errors import ValidationError
from helpdesk_tui.widgets.untrusted import literal_line


def default_folder() -> Path:
    """Where attachments are saved unless the agent types another folder."""
    return Path.home() / "Downloads"


class SaveAttachmentDialog(Dialog[Path | None]):
    """A one-line prompt for the folder to save one attachment into."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="save_attachment.cancel"),
        Binding("ctrl+s", "submit", "Save", id="save_attachment.submit", priority=True),
    ]
    HINT = "Enter: save (never over a file) · Esc: cancel"
    FOCUS = "#save-folder"
    BUSY_HINT = "saving…"

    def __init__(self, filename: str, folder: Path | None = None) -> None:
        """Save `filename` (shown as literal text); the folder field starts at `folder`."""
        heading = literal_line(f"Save {filename} to")
        super().__init__(heading)
        self.folder = folder or default_folder()

    def compose_body(self) -> ComposeResult:
        """The folder field."""
        yield Input(str(self.folder), id="save-folder")

    def result(self) -> Path | None:
        """The folder typed (`~` expanded); refused when empty."""
        text = self.typed("save-folder")
        if not text:
            raise ValidationError("type a folder")
        return Path(text).expanduser()


def save_dialog(filename: str, write: Callable[[Path | None], None]) -> SaveAttachmentDialog:
    """The dialog that saves `filename` by `write(folder)` before it closes."""
    return SaveAttachmentDialog(filename).submitting(write)
