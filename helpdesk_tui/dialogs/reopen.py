"""Reopen a closed case (CASE-7), with an optional comment saying why."""

from helpdesk_tui.dialogs.text import TextDialog


class ReopenDialog(TextDialog):
    """Asks why a case is reopened; dismisses with the comment ("" for none) or None."""

    def __init__(self, label: str) -> None:
        """`label` names the case(s): `0001234` or `3 cases`."""
        super().__init__(
            f"Reopen {label}",
            label="Why? (optional)",
            placeholder="e.g. the customer reports the problem again",
            required=False,
        )
