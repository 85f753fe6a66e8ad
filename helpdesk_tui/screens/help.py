"""`?`: the keys, generated from the live bindings of the screen below and the app.

Nothing here is written by hand: a binding added, hidden from the footer or remapped in
the config's `[keys]` shows up as it is. The command palette reads the same entries.

The product's keys come first, grouped by where they apply (the focused list, the
screen, then `Global`); Textual's own (focus next, copy selected text, scrolling
sideways …) follow under `App`.
"""

from collections import defaultdict
from dataclasses import dataclass
from typing import Any, ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.dom import DOMNode
from textual.screen import ModalScreen, Screen
from textual.widgets import Static

from helpdesk_tui.widgets.case_row import MARKED_MARK, OVERDUE_MARK, REMINDER_MARK

LEGEND = (
    f"{OVERDUE_MARK} overdue   {REMINDER_MARK} reminder due   {MARKED_MARK} marked\n"
    'query: status:waiting prio:high @me @bob type:… group:… account:… overdue "words"'
)


@dataclass(frozen=True)
class KeyEntry:
    """One action bound on a screen, with every key that triggers it."""

    group: str
    keys: str
    description: str
    action: str
    node: DOMNode


#: The group of the keys Textual itself binds (not the product's): listed last.
APP_GROUP = "App"


def is_textual(node: DOMNode, action: str) -> bool:
    """Whether only Textual's own classes bind `action` on `node` (none of ours does)."""
    for cls in type(node).__mro__:
        if cls.__module__.split(".")[0] == "textual":
            continue
        for binding in cls.__dict__.get("BINDINGS", ()):
            bound = binding.action if isinstance(binding, Binding) else binding[1]
            if bound == action:
                return False
    return True


def group_title(node: DOMNode) -> str:
    """`Global` for the app, else the node's BINDING_GROUP_TITLE or class name in words."""
    if isinstance(node, App):
        return "Global"
    if node.BINDING_GROUP_TITLE:
        return node.BINDING_GROUP_TITLE
    name = type(node).__name__
    return "".join(f" {c.lower()}" if c.isupper() else c for c in name).strip().capitalize()


def key_entries(screen: Screen[Any]) -> list[KeyEntry]:
    """Every binding active on `screen`: focused widget's first, then screen, then global,
    then Textual's own (`App`)."""
    app = screen.app
    keys: dict[tuple[int, str], list[str]] = defaultdict(list)
    owners: dict[tuple[int, str], tuple[DOMNode, Binding]] = {}
    for key, active in screen.active_bindings.items():
        ident = (id(active.node), active.binding.action)
        owners.setdefault(ident, (active.node, active.binding))
        display = app.get_key_display(active.binding.with_key(key))
        if display not in keys[ident]:
            keys[ident].append(display)
    entries = [
        KeyEntry(
            APP_GROUP if is_textual(node, binding.action) else group_title(node),
            ", ".join(keys[ident]),
            binding.description or binding.action.replace("_", " "),
            binding.action,
            node,
        )
        for ident, (node, binding) in owners.items()
    ]
    rank = {title: n for n, title in enumerate(dict.fromkeys(e.group for e in entries))}
    return sorted(entries, key=lambda e: (e.group == APP_GROUP, e.group == "Global", rank[e.group]))


def key_table(entries: list[KeyEntry]) -> Table:
    """Two columns of `keys  description` pairs."""
    table = Table.grid(padding=(0, 1))
    for _ in range(2):
        table.add_column(width=11, style="bold", no_wrap=True)
        table.add_column(width=24, no_wrap=True, overflow="ellipsis")
    half = (len(entries) + 1) // 2
    rights: list[KeyEntry | None] = [*entries[half:], None][:half]
    for left, right in zip(entries[:half], rights, strict=True):
        cells = [Text(left.keys), Text(left.description)]
        if right is not None:
            cells += [Text(right.keys), Text(right.description)]
        table.add_row(*cells)
    return table


class HelpScreen(ModalScreen[None]):
    """All keys of the screen it was opened on, grouped by where they apply."""

    DEFAULT_CSS = """
    HelpScreen {
        align: center middle;
    }
    HelpScreen > VerticalScroll {
        width: 78;
        max-width: 100%;
        height: auto;
        max-height: 100%;
        border: round $primary;
        background: $surface;
        padding: 0 1;
    }
    HelpScreen .group {
        text-style: bold underline;
        color: $text-accent;
    }
    HelpScreen .legend {
        color: $text-muted;
        margin-top: 1;
    }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,question_mark", "dismiss", "Close help", id="help.close"),
    ]

    def __init__(self, below: Screen[Any]) -> None:
        """The keys of `below`, the screen `?` was pressed on."""
        super().__init__()
        self.below = below

    def compose(self) -> ComposeResult:
        """One table of keys per group, then the legend."""
        grouped: dict[str, list[KeyEntry]] = defaultdict(list)
        for entry in key_entries(self.below):
            grouped[entry.group].append(entry)
        with VerticalScroll() as scroll:
            scroll.border_title = "Keys"
            scroll.border_subtitle = "Esc closes · keys can be remapped in the config"
            for title, entries in grouped.items():
                yield Static(title, classes="group", markup=False)
                yield Static(key_table(entries))
            yield Static(LEGEND, classes="legend", markup=False)
