"""Hand cases to a user or a group, picked by fuzzy search, with a comment (ASSIGN-4)."""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.widgets import Input, OptionList, Static

from helpdesk_tui.dialogs.base import Dialog
from helpdesk_tui.widgets.fuzzy_picker import FuzzyPicker
from helpdesk_tui.widgets.untrusted import literal_line


@dataclass(frozen=True)
class DelegateChoice:
    """Exactly one of user or group, and the hand-over comment."""

    user: str | None = None
    group: str | None = None
    comment: str = ""

    @property
    def target(self) -> str:
        """`bob` or `group billing`, for messages."""
        return self.user or f"group {self.group}"


def delegate_choices(agents: Sequence[str], groups: Sequence[str]) -> list[tuple[str, str]]:
    """Picker entries: users first, then groups; keys say which is which."""
    return [(f"user:{a}", f"{a} (user)") for a in agents] + [
        (f"group:{g}", f"{g} (group)") for g in groups
    ]


def parse_choice(key: str) -> tuple[str | None, str | None]:
    """`user:bob` → ("bob", None); `group:billing` → (None, "billing")."""
    kind, _, name = key.partition(":")
    return (name, None) if kind == "user" else (None, name)


class DelegateDialog(Dialog[DelegateChoice | None]):
    """Type a few letters of a user or group, optionally add a comment, Enter."""

    FOCUS = "FuzzyPicker Input"
    FIELDS: ClassVar[dict[str, str]] = {"comment": "delegate-comment"}

    def __init__(
        self,
        heading: Text | str,
        agents: Sequence[str],
        groups: Sequence[str],
        *,
        current: str | None = None,
    ) -> None:
        """Offers `agents` and `groups`; `current` says who has the case now."""
        super().__init__(heading)
        self.agents = list(agents)
        self.groups = list(groups)
        self.current = current

    def compose_body(self) -> ComposeResult:
        """Who has it now, the picker and the comment."""
        if self.current:
            now = Text("now delegated to ").append_text(literal_line(self.current))
            yield Static(now, classes="detail")
        yield Static("To user or group:", classes="field-label")
        yield FuzzyPicker(
            delegate_choices(self.agents, self.groups),
            placeholder="type a few letters",
            id="delegate-picker",
        )
        yield Static("Comment for them (optional):", classes="field-label")
        yield Input(id="delegate-comment")
        yield self.field_error("delegate-comment")

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        """Enter on a user or group submits."""
        event.stop()
        self.action_submit()

    def result(self) -> DelegateChoice | None:
        """The picked user or group, with the comment."""
        user, group = parse_choice(self.picked("no user or group matches"))
        comment = self.typed("delegate-comment")
        return DelegateChoice(user, group, comment)
