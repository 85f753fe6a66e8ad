"""Textual's Footer, recomposed only when the keys it shows change, and cut with `…`.

The stock Footer rebuilds all its key widgets (and restyles each one) whenever the
screen's bindings are refreshed — on every focus change and every time its screen comes
back. That costs tens of milliseconds each time, almost always to show the same keys.

On a narrow terminal the stock Footer lets its keys run under the command-palette key
docked on the right, which cuts a word in the middle (`Commandse`). This one shows the
keys that fit whole and then `…`; `?` lists them all.
"""

from typing import TYPE_CHECKING

from rich.cells import cell_len
from textual.app import ComposeResult
from textual.widget import Widget
from textual.widgets import Footer, Label
from textual.widgets._footer import FooterKey

if TYPE_CHECKING:
    from textual.screen import Screen

#: Shown after the last key that fits when some do not.
MORE = "…"


class KeyFooter(Footer):
    """A Footer that skips rebuilding when the shown keys are the same as before, and
    ends with `…` instead of a key cut in half when they do not all fit."""

    DEFAULT_CSS = """
    KeyFooter > .footer-more {
        width: auto;
        padding: 0 1 0 0;
        color: $footer-description-foreground;
    }
    """

    def __init__(self, *, compact: bool = False, id: str | None = None) -> None:  # noqa: A002
        super().__init__(compact=compact, id=id)
        self._shown: object = None

    def _width(self) -> int:
        return self.size.width or self.app.size.width

    def _what_it_shows(self, screen: "Screen[object]") -> object:
        active = screen.active_bindings
        keys = tuple(
            (binding.key, binding.action, binding.description, enabled, tooltip, binding.group)
            for _, binding, enabled, tooltip in active.values()
            if binding.show
        )
        palette = active.get(self.app.COMMAND_PALETTE_BINDING)
        palette_key = None if palette is None else (palette[1].key, palette[2])
        shown = (keys, palette_key, self.compact, self.show_command_palette)
        return (*shown, self._width())

    def bindings_changed(self, screen: "Screen[object]") -> None:
        """The screen's bindings were refreshed: rebuild only if the keys differ."""
        if self.is_attached and screen is self.screen and screen.app.app_focus:
            shown = self._what_it_shows(screen)
            if shown == self._shown:
                return
            self._shown = shown
        super().bindings_changed(screen)

    def on_resize(self) -> None:
        """Another width fits other keys: rebuild (if what fits changed)."""
        if self.is_attached and self._bindings_ready:
            self.bindings_changed(self.screen)

    def compose(self) -> ComposeResult:
        """The stock footer's keys, as many as fit whole, then `…`."""
        widgets = list(super().compose())
        palette = [w for w in widgets if w.has_class("-command-palette")]
        keys = [w for w in widgets if not w.has_class("-command-palette")]
        room = self._width() - sum(self._cells(w) for w in palette)
        sizes = [self._cells(w) for w in keys]
        if sum(sizes) > room:
            room -= cell_len(MORE) + 1
            used = 0
            for count, size in enumerate(sizes):
                if used + size > room:
                    keys = [*keys[:count], Label(MORE, classes="footer-more")]
                    break
                used += size
        yield from keys
        yield from palette

    def _cells(self, widget: Widget) -> int:
        """The cells a footer widget takes (its text, padding, margin and border, as
        the stock footer's CSS lays them out)."""
        if not isinstance(widget, FooterKey):
            return self._width()  # a binding group: not used here; never assumed to fit
        key = cell_len(widget.key_display)
        text = cell_len(widget.description)
        if widget.has_class("-command-palette"):
            # border-left 1; padding-right 1 (none when compact)
            return 1 + self._key_cells(key, text) + (0 if self.compact else 1)
        return self._key_cells(key, text) + (1 if self.compact else 0)  # compact: margin

    def _key_cells(self, key: int, text: int) -> int:
        if self.compact:  # key without padding, the description with one space before it
            return key + (1 + text if text else 0)
        return key + 2 + (text + 1 if text else 0)  # " key " + "text "
