"""Split off a sub-case (SUB-1, SUB-2): subject, delegate, due no later than the parent's."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.widgets import Input, Static

from helpdesk_tui.dialogs.base import Dialog
from helpdesk_tui.dialogs.delegate import delegate_choices, parse_choice
from helpdesk_tui.domain.errors import ValidationError
from helpdesk_tui.storage.reads import CaseSummary
from helpdesk_tui.widgets.fuzzy_picker import FuzzyPicker
from helpdesk_tui.widgets.untrusted import literal_line


@dataclass(frozen=True)
class SubCaseChoice:
    """What the new sub-case gets."""

    subject: str
    user: str | None
    group: str | None
    due: date


class SubCaseDialog(Dialog[SubCaseChoice | None]):
    """Asks for the sub-case's subject, delegate and due date."""

    FOCUS = "#subcase-subject"
    FIELDS: ClassVar[dict[str, str]] = {"subject": "subcase-subject", "due": "subcase-due"}

    def __init__(
        self,
        parent: CaseSummary,
        agents: Sequence[str],
        groups: Sequence[str],
        *,
        today: date,
    ) -> None:
        """A sub-case of `parent`, delegated to one of `agents`/`groups` (the parent's
        delegate preselected); dates read relative to `today`."""
        super().__init__(f"New sub-case of {parent.number}")
        self.parent_case = parent
        self.agents = list(agents)
        self.groups = list(groups)
        self.today = today

    def compose_body(self) -> ComposeResult:
        """The parent's subject and due, then subject, delegate and due of the new one."""
        parent = self.parent_case
        line = literal_line(parent.subject, 60)
        line.append(Text(f"  ·  due {parent.due}", style="dim"))
        yield Static(line, classes="detail")
        yield Static("Subject:", classes="field-label")
        yield Input(id="subcase-subject")
        yield self.field_error("subcase-subject")
        yield Static("Delegate to:", classes="field-label")
        current = (
            f"user:{parent.delegated_user}"
            if parent.delegated_user
            else f"group:{parent.delegated_group}"
        )
        yield FuzzyPicker(
            delegate_choices(self.agents, self.groups), selected=current, id="subcase-delegate"
        )
        yield Static(Text(f"Due (at the latest {parent.due}):"), classes="field-label")
        yield Input(parent.due.isoformat(), id="subcase-due", placeholder="YYYY-MM-DD, +3d")
        yield self.field_error("subcase-due")

    def result(self) -> SubCaseChoice | None:
        """Subject (required), delegate and a due no later than the parent's."""
        subject = self.typed("subcase-subject")
        if not subject:
            raise ValidationError("the sub-case needs a subject", field="subject")
        key = self.picked("no user or group matches")
        due = self.typed_date("subcase-due", self.today)
        if due is None:
            raise ValidationError("the sub-case needs a due date", field="due")
        if due > self.parent_case.due:
            raise ValidationError(
                f"a sub-case's due {due} cannot be after its parent's due {self.parent_case.due}",
                field="due",
            )
        user, group = parse_choice(key)
        return SubCaseChoice(subject, user, group, due)
