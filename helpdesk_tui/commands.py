"""The command palette (`:` / ctrl+p): every action bound on the current screen, by name.

One provider lists everything, so the order is ours: the product's commands first,
grouped by where they apply (as `?` shows them), then Textual's own — its bindings
(focus next, copy selected text …) and its system commands (theme, screenshot) — under
`App`. Two providers would interleave in whatever order their results arrive.
"""

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from rich.text import Text
from textual.app import App
from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.content import Content

from helpdesk_tui.screens.help import APP_GROUP, key_entries

#: Textual's commands rank a little below the product's when a search matches both.
APP_WEIGHT = 0.8


@dataclass(frozen=True)
class Command:
    """One palette entry: its name, the keys that run it (if any), its group, its call."""

    name: str
    keys: str
    group: str
    run: Callable[[], object]


class BindingCommands(Provider):
    """Offers the bindings of the screen the palette was opened on, with their keys, and
    the app's system commands; the product's first, Textual's under `App`."""

    def _commands(self) -> list[Command]:
        bound = [
            Command(e.description, e.keys, e.group, partial(self._run, e.action, e.node))
            for e in key_entries(self.screen)
            if e.action != "command_palette"  # the palette's own key would only reopen it
        ]
        textual = {c.title for c in App.get_system_commands(self.app, self.screen)}
        system = [
            Command(
                c.title,
                "",
                APP_GROUP if c.title in textual else "Global",
                c.callback,
            )
            for c in self.app.get_system_commands(self.screen)
        ]
        ours = [c for c in (*bound, *system) if c.group != APP_GROUP]
        theirs = [c for c in (*bound, *system) if c.group == APP_GROUP]
        return [*ours, *theirs]

    def _run(self, action: str, node: object) -> None:
        self.app.call_later(self.app.run_action, action, node)

    async def discover(self) -> Hits:
        """All commands, before anything is typed: the product's, then `App`."""
        for command in self._commands():
            display = Text(command.name)
            if command.keys:
                display.append(f"  {command.keys}", style="dim")
            yield DiscoveryHit(display, command.run, text=command.name, help=command.group)

    async def search(self, query: str) -> Hits:
        """Commands whose name matches what was typed."""
        matcher = self.matcher(query)
        for command in self._commands():
            score = matcher.match(command.name)
            if score > 0:
                display = matcher.highlight(command.name)
                if command.keys:
                    display = display.append(Content.styled(f"  {command.keys}", "dim"))
                weight = APP_WEIGHT if command.group == APP_GROUP else 1.0
                yield Hit(
                    score * weight,
                    display,
                    command.run,
                    text=command.name,
                    help=command.group,
                )
