"""Untrusted text stays text (SEC-2): turn customer and mail text into literal Rich `Text`.

Control and escape sequences are stripped by the domain (`safe_text`); wrapping the
rest in `Text` (never markup) makes `[bold red]…[/]` and `[link=…]` show as typed.
"""

from rich.text import Text

from helpdesk_tui.domain.safe_text import one_line, safe_text


def literal(text: str | None, style: str = "") -> Text:
    """Multi-line untrusted text as literal `Text`."""
    return Text(safe_text(text or ""), style=style)


def literal_line(text: str | None, width: int | None = None, style: str = "") -> Text:
    """Untrusted text flattened onto one line (cut to `width` with an ellipsis)."""
    return Text(one_line(text or "", width), style=style)


def plain(text: str | None) -> str:
    """Untrusted text for places that take a plain string (inputs, text areas)."""
    return safe_text(text or "")
