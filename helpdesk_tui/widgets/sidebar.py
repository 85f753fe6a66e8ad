"""The queue's sidebar: saved views (VIEW-1) and the agent's groups, with live counts."""

from dataclasses import dataclass

from rich.text import Text
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from helpdesk_tui.domain.query import SLA_VIEWS, VIEWS, CaseQuery, view_query
from helpdesk_tui.domain.safe_text import one_line
from helpdesk_tui.widgets.case_pages import count_text

#: The saved views in sidebar order with their labels (the labels' one home: they are
#: presentation; the domain's VIEWS names the same views in the same order).
#: The agent's groups go after "My groups".
STANDARD_VIEWS = (
    ("mine", "My cases"),
    ("groups", "My groups"),
    ("unassigned", "Unassigned"),
    ("overdue", "Overdue"),
    ("reminder", "Reminder due"),
    ("waiting", "Waiting"),
    ("open", "Not closed"),
    ("closed", "Closed"),
    ("all", "All"),
)
assert tuple(key for key, _ in STANDARD_VIEWS) == VIEWS
#: The SLA views (DATE-3), listed last where SLA policies are configured.
SLA_VIEW_LABELS = (("sla_at_risk", "SLA at risk"), ("sla_breached", "SLA breached"))
assert tuple(key for key, _ in SLA_VIEW_LABELS) == SLA_VIEWS
GROUP_PREFIX = "group:"


@dataclass(frozen=True)
class View:
    """One sidebar entry: a key (`mine`, `group:billing`), its label and its query."""

    key: str
    label: str
    query: CaseQuery
    indent: bool = False


def group_view(group: str) -> View:
    """The view of one group's open cases (the `group:NAME` query, not closed)."""
    query = CaseQuery(groups=frozenset({group.lower()}), not_closed=True)
    return View(GROUP_PREFIX + group, one_line(group), query, indent=True)


def views_for(groups: list[str], *, sla: bool = False) -> list[View]:
    """The standard views with the agent's groups listed under "My groups" (and the SLA
    views last, with `sla`)."""
    views: list[View] = []
    for key, label in STANDARD_VIEWS + (SLA_VIEW_LABELS if sla else ()):
        views.append(View(key, label, view_query(key)))
        if key == "groups":
            views += [group_view(g) for g in groups]
    return views


class ViewSidebar(OptionList):
    """Views with capped counts ("9999+"); highlighting one shows it."""

    DEFAULT_CSS = """
    ViewSidebar {
        width: 22;
        height: 1fr;
        border: none;
        padding: 0;
        background: $panel;
    }
    ViewSidebar:focus {
        background-tint: $foreground 4%;
    }
    """

    def __init__(self, *, sla: bool = False, id: str | None = None) -> None:  # noqa: A002
        super().__init__(id=id)
        self.sla = sla  # SLA policies are configured: the SLA views show (DATE-3)
        self.views: list[View] = views_for([], sla=sla)
        self.counts: dict[str, int] = {}
        self._fill()

    @property
    def view(self) -> View:
        """The highlighted view."""
        index = self.highlighted or 0
        return self.views[index] if index < len(self.views) else self.views[0]

    def set_groups(self, groups: list[str]) -> None:
        """Add the agent's groups (known once the directory is read)."""
        current = self.view.key
        self.views = views_for(groups, sla=self.sla)
        self._fill()
        self.select_key(current)

    def select_key(self, key: str) -> None:
        """Highlight the view with this key (if it exists)."""
        for index, view in enumerate(self.views):
            if view.key == key:
                self.highlighted = index
                return

    def set_counts(self, counts: dict[str, int]) -> None:
        """Show fresh counts (keys as in `View.key`)."""
        if counts == self.counts:
            return
        self.counts = counts
        for view in self.views:
            self.replace_option_prompt(view.key, self._prompt(view))

    def _fill(self) -> None:
        highlighted = self.highlighted
        self.clear_options()
        self.add_options(Option(self._prompt(v), id=v.key) for v in self.views)
        self.highlighted = min(highlighted or 0, len(self.views) - 1)

    def _prompt(self, view: View) -> Text:
        width = 20  # the sidebar's inner width minus the option padding
        label = ("  " if view.indent else "") + view.label
        count = self.counts.get(view.key)
        number = count_text(count) if count is not None else "…"
        label = label[: max(1, width - len(number) - 1)]
        line = Text(label)
        line.append(" " * (width - len(label) - len(number)))
        line.append(number, style="bold" if count else "dim")
        return line
