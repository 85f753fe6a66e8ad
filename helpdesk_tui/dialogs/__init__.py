"""Textual dialogs of the helpdesk TUI."""
