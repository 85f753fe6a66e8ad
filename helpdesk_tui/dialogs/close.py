"""Close with a resolution (CASE-6); a duplicate names its original."""

from dataclasses import dataclass
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from helpdesk_tui.dialogs.base import Dialog, highlighted_id
from helpdesk_tui.domain.enums import Resolution
from helpdesk_tui.domain.errors import DomainError, ValidationError
from helpdesk_tui.domain.numbering import CaseNumber, parse_case_number

LABELS = {
    Resolution.SOLVED: "Solved",
    Resolution.DEFERRED: "Deferred",
    Resolution.DUPLICATE: "Duplicate (of another case)",
}


@dataclass(frozen=True)
class CloseChoice:
    """How the case ends."""

    resolution: Resolution
    duplicate_of: CaseNumber | None = None
    comment: str = ""


class CloseDialog(Dialog[CloseChoice | None]):
    """Asks for the resolution (and the original of a duplicate)."""

    FOCUS = "#close-resolution"
    FIELDS: ClassVar[dict[str, str]] = {
        "duplicate_of": "close-original",
        "comment": "close-comment",
    }

    def __init__(self, heading: Text | str, *, allow_duplicate: bool = True) -> None:
        """Offers every resolution; Duplicate only if `allow_duplicate` (one case)."""
        super().__init__(heading)
        self.resolutions = [
            r for r in Resolution if allow_duplicate or r is not Resolution.DUPLICATE
        ]

    def compose_body(self) -> ComposeResult:
        """Resolutions, the original's number (shown for Duplicate) and a comment."""
        yield Static("Resolution:", classes="field-label")
        yield OptionList(
            *(Option(Text(LABELS[r]), id=r.value) for r in self.resolutions),
            id="close-resolution",
        )
        yield Static("Original case number:", id="close-original-label", classes="field-label")
        yield Input(id="close-original", placeholder="e.g. 0001234")
        yield self.field_error("close-original")
        yield Static("Comment (optional):", classes="field-label")
        yield Input(id="close-comment")
        yield self.field_error("close-comment")

    def on_mount(self) -> None:
        """The first resolution is highlighted (the base class focuses the list)."""
        if self.is_built:
            self.query_one(OptionList).highlighted = 0
            self._show_original()

    @property
    def resolution(self) -> Resolution | None:
        """The highlighted resolution."""
        option_id = highlighted_id(self.query_one(OptionList))
        return Resolution(option_id) if option_id else None

    def _show_original(self) -> None:
        hidden = self.resolution is not Resolution.DUPLICATE
        for widget in self.query("#close-original-label, #close-original"):
            widget.set_class(hidden, "hidden")
        if hidden:  # a refusal about the original goes with its field
            self.query_one("#close-original-error").set_class(True, "hidden")

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        """The original's field shows only for Duplicate."""
        event.stop()
        self._show_original()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        """Enter on a resolution: done, unless a duplicate still needs its original."""
        event.stop()
        original = self.query_one("#close-original", Input)
        if self.resolution is Resolution.DUPLICATE and not original.value.strip():
            original.focus()
            return
        self.action_submit()

    def result(self) -> CloseChoice | None:
        """The resolution, the original of a duplicate (required) and the comment."""
        resolution = self.resolution
        if resolution is None:
            raise ValidationError("pick a resolution")
        comment = self.typed("close-comment")
        original: CaseNumber | None = None
        if resolution is Resolution.DUPLICATE:
            text = self.typed("close-original")
            if not text:
                raise ValidationError(
                    "a duplicate must name the original case", field="duplicate_of"
                )
            try:
                original = parse_case_number(text)
            except DomainError as error:
                raise ValidationError(error.message, field="duplicate_of") from None
        return CloseChoice(resolution, original, comment)
