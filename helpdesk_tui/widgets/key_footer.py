"""Textual's Footer, recomposed only when the keys it shows change.

The stock Footer rebuilds all its key widgets (and restyles each one) whenever the
screen's bindings are refreshed — on every focus change and every time its screen comes
back. That costs tens of milliseconds each time, almost always to show the same keys.
"""

from typing import TYPE_CHECKING

from textual.widgets import Footer

if TYPE_CHECKING:
    from textual.screen import Screen


class KeyFooter(Footer):
    """A Footer that skips rebuilding when the shown keys are the same as before."""

    def __init__(self, *, compact: bool = False, id: str | None = None) -> None:  # noqa: A002
        super().__init__(compact=compact, id=id)
        self._shown: object = None

    def _what_it_shows(self, screen: "Screen[object]") -> object:
        active = screen.active_bindings
        keys = tuple(
            (binding.key, binding.action, binding.description, enabled, tooltip, binding.group)
            for _, binding, enabled, tooltip in active.values()
            if binding.show
        )
        palette = active.get(self.app.COMMAND_PALETTE_BINDING)
        palette_key = None if palette is None else (palette[1].key, palette[2])
        return (keys, palette_key, self.compact, self.show_command_palette)

    def bindings_changed(self, screen: "Screen[object]") -> None:
        """The screen's bindings were refreshed: rebuild only if the keys differ."""
        if self.is_attached and screen is self.screen and screen.app.app_focus:
            shown = self._what_it_shows(screen)
            if shown == self._shown:
                return
            self._shown = shown
        super().bindings_changed(screen)
