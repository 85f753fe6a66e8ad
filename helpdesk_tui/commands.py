"""The command palette (`:` / ctrl+p): every action bound on the current screen, by name."""

from functools import partial

from rich.text import Text
from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.content import Content

from helpdesk_tui.screens.help import KeyEntry, key_entries


class BindingCommands(Provider):
    """Offers the bindings of the screen the palette was opened on, with their keys."""

    def _entries(self) -> list[KeyEntry]:
        # The palette's own key would only reopen it.
        return [e for e in key_entries(self.screen) if e.action != "command_palette"]

    def _run(self, entry: KeyEntry) -> None:
        self.app.call_later(self.app.run_action, entry.action, entry.node)

    async def discover(self) -> Hits:
        """All commands, before anything is typed."""
        for entry in self._entries():
            yield DiscoveryHit(
                Text(entry.description).append(f"  {entry.keys}", style="dim"),
                partial(self._run, entry),
                text=entry.description,
                help=entry.group,
            )

    async def search(self, query: str) -> Hits:
        """Commands whose name matches what was typed."""
        matcher = self.matcher(query)
        for entry in self._entries():
            score = matcher.match(entry.description)
            if score > 0:
                yield Hit(
                    score,
                    matcher.highlight(entry.description).append(
                        Content.styled(f"  {entry.keys}", "dim")
                    ),
                    partial(self._run, entry),
                    text=entry.description,
                    help=entry.group,
                )
