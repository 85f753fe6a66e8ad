"""The new-case form (`N`, CASE-2): phone intake without the CLI.

Subject; contact, searched as you type among the known contacts (a new address creates
the contact, with the name and phone given); type, whose custom fields appear below it;
priority; delegation (a user or a group, me by default); due and reminder (the policy's
defaults filled in); description. ctrl+s saves through `Desk.create_case`, Esc cancels.

The form never decides what is allowed: the domain does, and a refusal keeps everything
typed and shows its one-line reason under the field it is about. On save the new case
opens (`OpenCaseRequested`).
"""

import re
from typing import ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widget import Widget
from textual.widgets import Footer, Input, OptionList, Select, Static, TextArea
from textual.widgets.option_list import Option
from textual.worker import Worker, WorkerState, get_current_worker

from helpdesk_tui.domain.dates import parse_date
from helpdesk_tui.domain.enums import Priority
from helpdesk_tui.domain.errors import DomainError
from helpdesk_tui.domain.numbering import CaseNumber
from helpdesk_tui.domain.safe_text import one_line
from helpdesk_tui.messages import OpenCaseRequested
from helpdesk_tui.screens.base import WorkerScreen
from helpdesk_tui.services.desk import Desk, NewCase, NewCaseChoices
from helpdesk_tui.storage.peoplereads import ContactEntry
from helpdesk_tui.storage.reads import CaseDetail
from helpdesk_tui.widgets.case_header import field_label
from helpdesk_tui.widgets.failure import report_failure
from helpdesk_tui.widgets.fuzzy_picker import ranked
from helpdesk_tui.widgets.untrusted import literal_line

#: Characters of a label (the column is one wider).
LABEL_WIDTH = 14
#: Contacts the search list shows at most.
SHOWN_MATCHES = 5
#: Which field a refusal is about, by the words of its message (first match wins).
FIELD_WORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("reminder", ("reminder",)),
    ("due", ("due",)),
    ("phone", ("phone",)),
    ("contact", ("contact", "address")),
    ("subject", ("subject",)),
    ("description", ("description",)),
    ("type", ("case type",)),
    ("delegate", ("user", "group", "delegate")),
    ("priority", ("priority",)),
)
_FIELD_KEY = re.compile(r"field '([^']*)'")
#: The fields of the form a refusal may name (`new-error-<name>` shows it).
FORM_FIELDS = frozenset(name for name, _ in FIELD_WORDS)


def field_for(message: str, keys: tuple[str, ...], field: str | None = None) -> str:
    """The form field a refusal is about: the one the domain names (`field`; a custom
    field `fields.<key>` is `field-<index>` here), else the one its words name; `form`
    when none fits."""
    if field is not None and field.startswith("fields."):
        key = field.removeprefix("fields.")
        if key in keys:
            return f"field-{keys.index(key)}"
    elif field in FORM_FIELDS:
        return field
    named = _FIELD_KEY.search(message)
    if named and named.group(1) in keys:
        return f"field-{keys.index(named.group(1))}"
    lowered = message.lower()
    for name, words in FIELD_WORDS:
        if any(word in lowered for word in words):
            return name
    return "form"


class NewCaseScreen(WorkerScreen[None]):
    """The new-case form; once saved, the case screen takes its place (Esc: dismissed)."""

    CSS_PATH = "new_case.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", "Save", id="new_case.save", priority=True),
        Binding("escape", "cancel", "Cancel", id="new_case.cancel"),
        Binding("down", "move(1)", "Next", id="new_case.down", show=False),
        Binding("up", "move(-1)", "Previous", id="new_case.up", show=False),
    ]

    def __init__(self, desk: Desk) -> None:
        """The form for `desk`'s agent; its choices (types, people, dates) load on mount."""
        super().__init__()
        self.desk = desk
        self.choices: NewCaseChoices | None = None
        self.matches: list[ContactEntry] = []
        self.saving = False
        self._typed_fields: dict[str, str] = {}  # custom field values by key, across types
        self.shown_type: str | None = None  # the type whose custom fields are shown

    # -- building ---------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        """The title, the (scrolling) form, once its choices are loaded, and the keys."""
        title = Text("New case", style="bold")
        title.append("   ctrl+s: save · Esc: cancel · Tab/↓: next field", style="dim")
        yield Static(title, id="new-title")
        yield VerticalScroll(Static(Text("loading…", style="dim")), id="new-form")
        error = Static("", id="new-error-form", classes="field-error")
        error.display = False
        yield error
        yield Footer()

    def on_mount(self) -> None:
        """Read what the form offers, off the event loop."""
        self._load_choices()

    @work(thread=True, group="new-case", exit_on_error=False, description="new-case choices")
    def _load_choices(self) -> None:
        choices = self.desk.new_case_choices()
        self.app.call_from_thread(self._loaded, choices)

    def _loaded(self, choices: NewCaseChoices) -> None:
        self.run_worker(self._build(choices), group="new-case", exit_on_error=False)

    async def _build(self, choices: NewCaseChoices) -> None:
        """Fill the form with fields and defaults."""
        self.choices = choices
        form = self.query_one("#new-form", VerticalScroll)
        await form.remove_children()
        types = [(literal_line(t.label), t.key) for t in choices.types]
        priorities = [(Text(p.value), p.value) for p in Priority]
        delegates = [(Text(f"me ({choices.me})"), f"user:{choices.me}")]
        delegates += [(literal_line(a), f"user:{a}") for a in choices.agents if a != choices.me]
        delegates += [
            (Text("group ").append(literal_line(g)), f"group:{g}") for g in choices.groups
        ]
        await form.mount_all(
            [
                _row("Subject", Input(id="new-subject", compact=True), "subject"),
                _row(
                    "Contact",
                    Input(
                        id="new-contact",
                        compact=True,
                        placeholder="type a name or address to search; a new address adds one",
                    ),
                    "contact",
                ),
                _matches(),
                Static("", id="new-contact-info"),
                _row("Name", Input(id="new-contact-name", compact=True), "name", new_only=True),
                _row(
                    "Phone",
                    Input(
                        id="new-contact-phone",
                        compact=True,
                        placeholder="optional, e.g. +49 89 123456",
                    ),
                    "phone",
                    new_only=True,
                ),
                _row(
                    "Type",
                    Select(
                        types,
                        value=choices.default_type,
                        allow_blank=False,
                        compact=True,
                        id="new-type",
                    ),
                    "type",
                    starts_group=True,
                ),
                Vertical(id="new-fields"),
                _row(
                    "Priority",
                    Select(
                        priorities,
                        value=choices.default_priority.value,
                        allow_blank=False,
                        compact=True,
                        id="new-priority",
                    ),
                    "priority",
                ),
                _row(
                    "Delegate to",
                    Select(
                        delegates,
                        value=f"user:{choices.me}",
                        allow_blank=False,
                        compact=True,
                        type_to_search=True,
                        id="new-delegate",
                    ),
                    "delegate",
                ),
                _row(
                    "Due",
                    Input(choices.due.isoformat(), id="new-due", compact=True),
                    "due",
                    starts_group=True,
                    note=f"default: today + {(choices.due - choices.today).days} d",
                ),
                _row(
                    "Reminder",
                    Input(choices.reminder.isoformat(), id="new-reminder", compact=True),
                    "reminder",
                    note=f"default: today + {(choices.reminder - choices.today).days} d",
                ),
                Static("Description", classes="form-label description-label"),
                TextArea(id="new-description", soft_wrap=True, compact=True),
                Static("", id="new-error-description", classes="field-error"),
            ]
        )
        await self._show_custom_fields(choices.default_type)
        self._show_contact_state()
        self.query_one("#new-subject", Input).focus()

    async def _show_custom_fields(self, type_key: str) -> None:
        """The custom fields of `type_key`, with what was typed into them before."""
        self._remember_custom_fields()
        box = self.query_one("#new-fields", Vertical)
        await box.remove_children()
        await box.mount_all(
            _row(
                field_label(key),
                Input(self._typed_fields.get(key, ""), id=f"new-field-{index}", compact=True),
                f"field-{index}",
            )
            for index, key in enumerate(self.field_keys(type_key))
        )
        self.shown_type = type_key

    def _remember_custom_fields(self) -> None:
        for index, key in enumerate(self.field_keys(self.shown_type)):
            for field in self.query(f"#new-field-{index}").results(Input):
                self._typed_fields[key] = field.value

    def field_keys(self, type_key: str | None) -> tuple[str, ...]:
        """The custom field keys of a case type (none before the choices are loaded)."""
        if self.choices is None or type_key is None:
            return ()
        for case_type in self.choices.types:
            if case_type.key == type_key:
                return case_type.custom_fields
        return ()

    async def on_select_changed(self, event: Select.Changed) -> None:
        """A new type brings its custom fields."""
        if event.select.id == "new-type" and event.value != self.shown_type:
            await self._show_custom_fields(str(event.value))

    # -- the contact -----------------------------------------------------------------------
    def on_input_changed(self, event: Input.Changed) -> None:
        """Typing in the contact field searches the known contacts."""
        if event.input.id == "new-contact":
            self._search_contacts(event.value)

    @work(
        thread=True,
        exclusive=True,
        group="new-case-contacts",
        exit_on_error=False,
        description="contact search",
    )
    def _search_contacts(self, text: str) -> None:
        found = self.desk.find_contacts(text) if text.strip() else []
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self._show_matches, text, found)

    def _show_matches(self, text: str, found: list[ContactEntry]) -> None:
        """The best few contacts for what is typed (the exact address first)."""
        if self.query_one("#new-contact", Input).value != text:
            return  # typed on meanwhile: a newer search is under way
        by_email = {c.email: c for c in found}
        labels = [(c.email, f"{c.name} <{c.email}>" if c.name else c.email) for c in found]
        order = [key for key, _ in ranked(text, labels)]
        exact = text.strip().lower()
        if exact in by_email:
            order = [exact, *[key for key in order if key != exact]]
        self.matches = [by_email[key] for key in order[:SHOWN_MATCHES]]
        listing = self.query_one("#new-contact-matches", OptionList)
        listing.clear_options()
        listing.add_options([Option(_contact_label(c), id=c.email) for c in self.matches])
        if self.matches:
            listing.highlighted = 0
        self._show_contact_state()

    def _known_contact(self) -> ContactEntry | None:
        typed = self.query_one("#new-contact", Input).value.strip().lower()
        return next((c for c in self.matches if c.email == typed), None)

    def _show_contact_state(self) -> None:
        """Known contact: who it is; a new address: ask for name and phone."""
        contact = self.query_one("#new-contact", Input)
        known = self._known_contact()
        typed = contact.value.strip()
        is_new = known is None and "@" in typed
        for row in self.query(".new-only"):
            row.display = is_new
        listing = self.query_one("#new-contact-matches", OptionList)
        listing.display = bool(self.matches) and known is None and contact.has_focus
        info = self.query_one("#new-contact-info", Static)
        if known is not None:
            line = Text("known contact: ", style="dim").append(_contact_label(known))
            if known.phone:
                line.append(" · ").append(literal_line(known.phone))
        elif is_new:
            line = Text("new contact: it is added with the name and phone below", style="dim")
        elif typed and not self.matches:
            line = Text("no contact matches: type the address to add one", style="dim")
        else:
            line = Text("")
        info.update(line)
        info.display = bool(line.plain)

    def on_descendant_focus(self) -> None:
        """The match list shows while the contact field has the cursor."""
        if self.choices is not None:
            self._show_contact_state()

    def _pick_contact(self) -> bool:
        """Enter in the contact field takes the highlighted match; whether it did."""
        listing = self.query_one("#new-contact-matches", OptionList)
        if not listing.display or listing.highlighted is None or not self.matches:
            return False
        chosen = self.matches[listing.highlighted]
        contact = self.query_one("#new-contact", Input)
        contact.value = chosen.email
        contact.cursor_position = len(chosen.email)
        self.matches = [chosen]
        self._show_contact_state()
        return True

    # -- keys -------------------------------------------------------------------------------
    def action_move(self, step: int) -> None:
        """↓/↑: through the contact matches in the contact field, else to the next field."""
        listing = self.query("#new-contact-matches").results(OptionList)
        focused = self.focused
        shown = next(listing, None)
        if (
            focused is not None
            and focused.id == "new-contact"
            and shown is not None
            and shown.display
            and shown.option_count
        ):
            current = shown.highlighted or 0
            shown.highlighted = max(0, min(shown.option_count - 1, current + step))
            return
        if step > 0:
            self.focus_next()
        else:
            self.focus_previous()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Enter: in the contact field it takes the highlighted match; else the next field."""
        event.stop()
        if event.input.id == "new-contact" and self._pick_contact():
            return
        self.focus_next()

    def action_cancel(self) -> None:
        """Esc: leave without a case."""
        self.dismiss(None)

    # -- saving ----------------------------------------------------------------------------
    def collect(self) -> NewCase:
        """What the form holds, as the Desk takes it; a date that cannot be read is refused
        here (by the domain's date parser), everything else by the domain on save."""
        choices = self.choices
        assert choices is not None

        def text(name: str) -> str:
            return self.query_one(f"#new-{name}", Input).value

        dates = {}
        for name in ("due", "reminder"):
            try:
                dates[name] = parse_date(text(name), choices.today) if text(name).strip() else None
            except DomainError as error:
                raise FieldRefusal(name, error.message) from None
        delegate = str(self.query_one("#new-delegate", Select).value)
        kind, _, who = delegate.partition(":")
        type_key = str(self.query_one("#new-type", Select).value)
        self._remember_custom_fields()
        keys = self.field_keys(type_key)
        known = self._known_contact() is not None
        return NewCase(
            subject=text("subject"),
            contact=text("contact").strip(),
            type_key=type_key,
            priority=Priority(str(self.query_one("#new-priority", Select).value)),
            user=who if kind == "user" else None,
            group=who if kind == "group" else None,
            contact_name="" if known else text("contact-name"),
            contact_phone="" if known else text("contact-phone"),
            description=self.query_one("#new-description", TextArea).text,
            due=dates["due"],
            reminder=dates["reminder"],
            fields={key: self._typed_fields.get(key, "") for key in keys},
        )

    def action_save(self) -> None:
        """ctrl+s: create the case (in a worker); the form stays until the domain agrees."""
        if self.choices is None or self.saving:
            return
        try:
            new = self.collect()
        except FieldRefusal as refusal:
            self.refuse(refusal.field, refusal.message)
            return
        self.saving = True
        self.refuse("form", "")
        self._create(new)

    @work(thread=True, group="new-case-save", exit_on_error=False, description="create case")
    def _create(self, new: NewCase) -> None:
        desk = self.desk
        try:
            number = desk.create_case(new)
        except DomainError as error:
            self.app.call_from_thread(self._refused, new.type_key, error)
            return
        try:  # read it here, while the screen is idle: the case screen shows it at once
            detail: CaseDetail | None = desk.detail(number)
        except DomainError:  # deleted meanwhile: the case screen says so when it reads
            detail = None
        self.app.call_from_thread(self._created, number, detail)

    def _refused(self, type_key: str, error: DomainError) -> None:
        self.saving = False
        where = field_for(error.message, self.field_keys(type_key), error.field)
        self.refuse(where, error.message)

    def _created(self, number: CaseNumber, detail: CaseDetail | None) -> None:
        self.saving = False
        # The case takes the form's place: the queue under it is not repainted first (it
        # reads again when it shows, so no CasesChanged competes with the case's read).
        self.app.post_message(OpenCaseRequested(number, replace_top=True, detail=detail))

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """A save that failed for another reason than a refusal may be tried again."""
        report_failure(self, event)
        if event.worker.group == "new-case-save" and event.state is WorkerState.ERROR:
            self.saving = False

    def refuse(self, field: str, message: str) -> None:
        """Show `message` (one line) under `field` and put the cursor there; every other
        field's refusal goes away. An empty message clears them all."""
        for line in self.query(".field-error").results(Static):
            line.update("")
            line.display = False
        if not message:
            return
        line = self.query_one(f"#new-error-{field}", Static)
        line.update(literal_line(message))
        line.display = True
        target = self.query(f"#new-{field}")
        if target:
            widget = target.first()
            widget.focus()
            widget.scroll_visible()

    def error_text(self, field: str) -> str:
        """The refusal shown under `field` (tests read it)."""
        return str(self.query_one(f"#new-error-{field}", Static).render())


class FieldRefusal(Exception):
    """A value the form itself could not read, and the field it is in."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


def _contact_label(contact: ContactEntry) -> Text:
    label = literal_line(contact.name) if contact.name else Text("")
    if contact.name:
        label.append(" <").append(literal_line(contact.email)).append(">")
    else:
        label.append(literal_line(contact.email))
    if contact.account:
        label.append(" · ", style="dim").append(literal_line(contact.account, style="dim"))
    return label


def _matches() -> OptionList:
    listing = OptionList(id="new-contact-matches", compact=True)
    listing.can_focus = False  # typing searches, ↑/↓ move, Enter takes: Tab goes on
    listing.display = False
    return listing


def _row(
    label: str,
    field: Widget,
    name: str,
    *,
    new_only: bool = False,
    note: str = "",
    starts_group: bool = False,
) -> Vertical:
    """A labelled field on one line, its note after it, its refusal line under it."""
    parts: list[Widget] = [Static(Text(one_line(label, LABEL_WIDTH)), classes="form-label"), field]
    if note:
        parts.append(Static(Text(note, style="dim"), classes="form-note"))
    error = Static("", id=f"new-error-{name}", classes="field-error")
    error.display = False
    classes = ["form-field"]
    if new_only:
        classes.append("new-only")
    if starts_group:
        classes.append("group-start")
    return Vertical(Horizontal(*parts, classes="form-row"), error, classes=" ".join(classes))
