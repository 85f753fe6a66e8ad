"""Messages that cross between workers, screens and the app (past tense: facts)."""

from dataclasses import dataclass

from textual.message import Message

from helpdesk_tui.domain.numbering import CaseNumber


class DataChanged(Message):
    """Someone (this or another process) committed a change: visible data may be stale."""


@dataclass
class CasesChanged(Message):
    """An action of this app changed these cases (refresh them now, not at the next poll)."""

    numbers: list[CaseNumber]
