"""Pick one of many by typing a few letters: an input over a fuzzy-filtered option list.

Uses Textual's fuzzy scorer, but builds the highlighted label itself as literal `Text`:
`Matcher.highlight` parses its candidate as markup, and candidates may be untrusted.
"""

from collections.abc import Sequence
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.fuzzy import FuzzySearch
from textual.widgets import Input, OptionList
from textual.widgets.option_list import Option

from helpdesk_tui.domain.safe_text import one_line


def ranked(query: str, choices: Sequence[tuple[str, str]]) -> list[tuple[str, Text]]:
    """Choices matching `query`, best first, labels with the matched letters highlighted."""
    if not query.strip():
        return [(key, Text(one_line(label))) for key, label in choices]
    search = FuzzySearch()
    scored: list[tuple[float, int, str, Text]] = []
    for index, (key, label) in enumerate(choices):
        flat = one_line(label)
        score, offsets = search.match(query.strip(), flat)
        if score <= 0:
            continue
        text = Text(flat)
        for offset in offsets:
            text.stylize("bold reverse", offset, offset + 1)
        scored.append((-score, index, key, text))
    scored.sort(key=lambda item: (item[0], item[1]))
    return [(key, text) for _, _, key, text in scored]


class FuzzyPicker(Vertical):
    """An input that filters a list of (key, label) choices as the user types."""

    DEFAULT_CSS = """
    FuzzyPicker { height: auto; }
    FuzzyPicker > OptionList { height: auto; max-height: 8; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("down", "move(1)", "Next choice", id="picker.down", show=False),
        Binding("up", "move(-1)", "Previous choice", id="picker.up", show=False),
    ]

    def __init__(
        self,
        choices: Sequence[tuple[str, str]],
        *,
        placeholder: str = "type to filter",
        selected: str | None = None,
        id: str | None = None,  # noqa: A002 - Textual's own parameter name
    ) -> None:
        super().__init__(id=id)
        self.choices = list(choices)
        self._placeholder = placeholder
        self._initial = selected

    def compose(self) -> ComposeResult:
        """The filter input above the list of choices."""
        yield Input(placeholder=self._placeholder)
        options = OptionList()
        options.can_focus = False  # typing filters, up/down move: Tab goes on to the next field
        yield options

    def on_mount(self) -> None:
        """List every choice, with the preselected one highlighted."""
        self.refill("")
        if self._initial is not None:
            options = self.query_one(OptionList)
            for index, (key, _) in enumerate(self.choices):
                if key == self._initial:
                    options.highlighted = index

    def on_input_changed(self, event: Input.Changed) -> None:
        """Narrow the list to what matches the typed letters."""
        event.stop()
        self.refill(event.value)

    def refill(self, query: str) -> None:
        """Show the choices matching `query`, the best one highlighted."""
        options = self.query_one(OptionList)
        options.clear_options()
        options.add_options([Option(text, id=key) for key, text in ranked(query, self.choices)])
        if options.option_count:
            options.highlighted = 0

    def action_move(self, step: int) -> None:
        """Up/down in the input move through the list."""
        options = self.query_one(OptionList)
        if options.option_count:
            current = options.highlighted or 0
            options.highlighted = max(0, min(options.option_count - 1, current + step))

    @property
    def selected(self) -> str | None:
        """The key of the highlighted choice, None when nothing matches."""
        options = self.query_one(OptionList)
        if options.highlighted is None or not options.option_count:
            return None
        return options.get_option_at_index(options.highlighted).id

    def focus_input(self) -> None:
        """Put the cursor into the filter input."""
        self.query_one(Input).focus()
