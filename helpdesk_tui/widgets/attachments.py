"""The attachments of a case beside its timeline (ACT-6): one row per file with its
type, size and the mail it came with; `o` opens the highlighted one with the desktop
opener, `S` saves it to a folder. Names are untrusted text, shown literally."""

from collections.abc import Sequence
from typing import Any, ClassVar

from rich.text import Text
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from helpdesk_tui.widgets.untrusted import literal_line


def size_label(size: int) -> str:
    """`12 KB`, `3.4 MB`, `80 B`: short enough for a side list."""
    for unit, factor in (("GB", 2**30), ("MB", 2**20), ("KB", 2**10)):
        if size >= factor:
            value = size / factor
            return f"{value:.0f} {unit}" if value >= 10 else f"{value:.1f} {unit}"
    return f"{size} B"


def attachment_row(item: Any, width: int = 40) -> Text:
    """`rechnung.pdf  12 KB` on one line; a stub says `not stored`."""
    tail = " not stored" if item.sha256 is None else f"  {size_label(item.size)}"
    row = literal_line(item.filename, max(4, width - len(tail)))
    row.append(tail, style="dim")
    return row


class AttachmentList(OptionList):
    """A case's attachments; `o` open, `S` save the highlighted one."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("o", "open", "Open attachment", id="attachments.open"),
        Binding("S", "save", "Save attachment", id="attachments.save"),
    ]

    class Chosen(Message):
        """An attachment to open (`save` False) or to save (`save` True)."""

        def __init__(self, item: Any, save: bool) -> None:
            super().__init__()
            self.item = item
            self.save = save

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.items: list[Any] = []
        self.display = False  # until a case with attachments is shown

    def show(self, items: Sequence[Any], width: int = 40) -> None:
        """List `items` (hidden when there are none)."""
        self.items = list(items)
        highlighted = self.highlighted
        self.clear_options()
        self.add_options(Option(attachment_row(i, width), id=str(i.id)) for i in self.items)
        self.border_title = f"Attachments ({len(self.items)})" if self.items else None
        self.display = bool(self.items)
        if self.items:
            self.highlighted = min(highlighted or 0, len(self.items) - 1)

    @property
    def current(self) -> Any | None:
        """The highlighted attachment, if any."""
        if self.highlighted is None or not self.items:
            return None
        return self.items[min(self.highlighted, len(self.items) - 1)]

    def action_open(self) -> None:
        """`o`: open the highlighted attachment."""
        if self.current is not None:
            self.post_message(self.Chosen(self.current, save=False))

    def action_save(self) -> None:
        """`S`: save the highlighted attachment."""
        if self.current is not None:
            self.post_message(self.Chosen(self.current, save=True))
