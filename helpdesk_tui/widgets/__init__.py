"""Textual widgets of the helpdesk TUI."""
