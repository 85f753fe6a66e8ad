"""Textual screens of the helpdesk TUI."""
