"""Messages that cross between workers, screens and the app.

Facts are past tense; a screen asks the app for navigation with a `…Requested` message
(screens never import the app: it handles these and pushes the screen asked for).
"""

from dataclasses import dataclass

from textual.message import Message

from helpdesk_tui.domain.enums import ActivityKind
from helpdesk_tui.domain.numbering import CaseNumber
from helpdesk_tui.storage.reads import ActivityEntry, CaseDetail, CaseSummary


class DataChanged(Message):
    """Someone (this or another process) committed a change: visible data may be stale."""


@dataclass
class CasesChanged(Message):
    """An action of this app changed these cases (refresh them now, not at the next poll)."""

    numbers: list[CaseNumber]


@dataclass
class OpenCaseRequested(Message):
    """A screen asks the app to show case `number` on the case screen."""

    number: CaseNumber
    replace_top: bool = False
    """The asking screen (a form that is done) gives its place to the case screen: the
    screen under it is not shown in between."""
    detail: CaseDetail | None = None
    """The case as just read (a new case's): shown at once, not read again first."""
    entry: ActivityEntry | None = None
    """The timeline entry to scroll to (Enter on an activity or a notification)."""


class NewCaseRequested(Message):
    """A screen asks the app for the new-case form (`N`)."""


@dataclass
class ComposeRequested(Message):
    """A screen asks the app to open compose for one activity on `case`."""

    case: CaseSummary
    kind: ActivityKind
    by_mail: bool = False
