"""helpdesk-tui: a keyboard-driven terminal helpdesk for support agents."""

__version__ = "0.1.0"
