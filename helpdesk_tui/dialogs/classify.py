"""Classify mail by its sender (MAIL-8, seed 004): `1` Customer, `2` Supplier, `3` Internal,
`4` Newsletter, `5` Advertising; Enter saves, Esc cancels.

Customer and Supplier need an account: the field searches the accounts as it is typed
(the screen's `search`, `Desk.accounts_matching`, in a thread) and offers to create one
when nothing is called what was typed. "Remember for" says whether the choice becomes a
rule for this address or this whole domain (not offered for a public freemail domain),
so the sender's next mail is classified by itself; ctrl+r changes it. The suggested
class (bulk mail → Newsletter) is chosen when the dialog opens.

The dialog writes through the screen's callable (`submitting`): a refusal keeps it open.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import ClassVar, Literal

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from helpdesk_tui.dialogs.base import Dialog
from helpdesk_tui.domain.errors import ValidationError
from helpdesk_tui.widgets.mail_row import CLASS_KEYS
from helpdesk_tui.widgets.untrusted import literal_line

Remember = Literal["address", "domain"] | None
CLASS_TITLES = {
    "customer": "Customer",
    "supplier": "Supplier",
    "internal": "Internal",
    "newsletter": "Newsletter",
    "advertising": "Advertising",
}
#: Classes that belong to an account.
WITH_ACCOUNT = frozenset({"customer", "supplier"})
#: Accounts the search offers.
MATCHES = 6


@dataclass(frozen=True)
class ClassifyChoice:
    """What the dialog collected: the class, the account (`new_account`: the agent chose
    to create it; a name saved before the search answered may be new too: the writer
    creates an account no search finds), and what the choice is remembered for."""

    mail_class: str
    account: str | None = None
    new_account: bool = False
    remember: Remember = None


class ClassChooser(Static, can_focus=True):
    """The five classes, one a line, the chosen one marked `▶` (not only by colour)."""

    def show(self, chosen: str | None, suggested: str | None) -> None:
        """Mark `chosen`; `suggested` says so at its line."""
        text = Text()
        for number, key in enumerate(CLASS_KEYS, start=1):
            mark = "▶" if key == chosen else " "
            line = Text(f"{mark} {number}  {CLASS_TITLES[key]}")
            if key == chosen:
                line.stylize("bold reverse")
            if key == suggested:
                line.append("   (suggested)", style="italic")
            text.append_text(line)
            if number < len(CLASS_KEYS):
                text.append("\n")
        self.update(text)


class ClassifyDialog(Dialog[ClassifyChoice | None]):
    """Choose a class with one key; an account for Customer/Supplier; Enter saves."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("1", "choose(0)", "Customer", id="classify.customer"),
        Binding("2", "choose(1)", "Supplier", id="classify.supplier"),
        Binding("3", "choose(2)", "Internal", id="classify.internal"),
        Binding("4", "choose(3)", "Newsletter", id="classify.newsletter"),
        Binding("5", "choose(4)", "Advertising", id="classify.advertising"),
        Binding("enter", "submit", "Save", id="classify.save"),
        Binding("ctrl+r", "remember", "Remember for …", id="classify.remember"),
        Binding("down", "pick(1)", "Next account", id="classify.down", show=False),
        Binding("up", "pick(-1)", "Previous account", id="classify.up", show=False),
    ]
    HINT = "1–5 class · tab: class/account · ctrl+r remember · Enter saves · Esc cancels"
    FIELDS: ClassVar[dict[str, str]] = {"account": "classify-account", "class": "classify-classes"}
    DEFAULT_CSS = """
    ClassifyDialog #classify-classes { height: auto; padding: 0 1; }
    ClassifyDialog #classify-classes:focus { background: $boost; }
    ClassifyDialog #classify-account-box { height: auto; }
    ClassifyDialog #classify-remember { margin-top: 1; }
    """

    def __init__(
        self,
        heading: Text | str,
        *,
        search: Callable[[str], Sequence[str]],
        suggested: str | None = None,
        account: str | None = None,
        address: str | None = None,
        domain: str | None = None,
        detail: Text | str | None = None,
    ) -> None:
        """`search` finds accounts by a few letters (blocking: run in a thread);
        `suggested` is chosen at first; `account` fills the account field; `address` and
        `domain` are what the choice may be remembered for (None: not offered)."""
        super().__init__(heading)
        self.search = search
        self.suggested = suggested
        self.chosen: str | None = suggested
        self.account_text = account or ""
        self.address = address
        self.domain = domain
        self.detail = detail
        self.remember_options: list[Remember] = []
        if address:
            self.remember_options.append("address")
        if domain:
            self.remember_options.append("domain")
        self.remember_options.append(None)
        self.remember: Remember = self.remember_options[0]
        self._matches: list[str] = []

    def compose_body(self) -> ComposeResult:
        """The detail line, the classes, the account field, what to remember."""
        if self.detail is not None:
            detail = self.detail if isinstance(self.detail, Text) else literal_line(self.detail)
            yield Static(detail, classes="detail")
        yield ClassChooser(id="classify-classes")
        yield self.field_error("classify-classes")
        with Vertical(id="classify-account-box", classes="hidden"):
            yield Static("Account (type to search or to name a new one):", classes="field-label")
            yield Input(value=self.account_text, id="classify-account")
            accounts = OptionList(id="classify-accounts")
            accounts.can_focus = False  # typing searches, ↑/↓ choose
            yield accounts
            yield self.field_error("classify-account")
        yield Static(id="classify-remember")

    def on_mount(self) -> None:
        """Show the classes with the suggestion chosen; the cursor on the classes."""
        super().on_mount()
        if not self.is_built:
            return
        self._show()
        self.query_one(ClassChooser).focus()
        if self.chosen in WITH_ACCOUNT:
            self._find(self.account_text)

    # -- keys ----------------------------------------------------------------------------
    def action_choose(self, index: int) -> None:
        """`1`–`5`: the class; Customer and Supplier go on to the account."""
        self.chosen = CLASS_KEYS[index]
        self._show()
        if self.chosen in WITH_ACCOUNT:
            field = self.query_one("#classify-account", Input)
            field.focus()
            field.cursor_position = len(field.value)
            self._find(field.value)

    def action_remember(self) -> None:
        """ctrl+r: this address → this domain → no rule → …"""
        index = self.remember_options.index(self.remember)
        self.remember = self.remember_options[(index + 1) % len(self.remember_options)]
        self._show_remember()

    def action_pick(self, step: int) -> None:
        """↑/↓: another of the accounts found."""
        options = self.query_one("#classify-accounts", OptionList)
        if options.option_count:
            current = options.highlighted or 0
            options.highlighted = max(0, min(options.option_count - 1, current + step))

    # -- showing -------------------------------------------------------------------------
    def _show(self) -> None:
        self.query_one(ClassChooser).show(self.chosen, self.suggested)
        box = self.query_one("#classify-account-box")
        box.set_class(self.chosen not in WITH_ACCOUNT, "hidden")
        self._show_remember()

    def _show_remember(self) -> None:
        """`Remember for: (•) this domain shop.example  (ctrl+r changes)`."""
        labels: dict[Remember, Text] = {
            "address": Text("this address ").append_text(literal_line(self.address or "", 40)),
            "domain": Text("this domain ").append_text(literal_line(self.domain or "", 40)),
            None: Text("these mails only"),
        }
        text = Text("Remember for: ", style="bold")
        text.append("(•) ")
        text.append_text(labels[self.remember])
        if len(self.remember_options) > 1:
            text.append("  (ctrl+r changes)", style="dim")
        self.query_one("#classify-remember", Static).update(text)

    # -- the account search --------------------------------------------------------------
    @on(Input.Changed, "#classify-account")
    def _typed(self, event: Input.Changed) -> None:
        event.stop()
        self._find(event.value)

    @work(thread=True, exclusive=True, group="classify-accounts", exit_on_error=False)
    def _find(self, text: str) -> None:
        found = list(self.search(text.strip()))[:MATCHES]
        self.app.call_from_thread(self._found, text, found)

    def _found(self, text: str, found: list[str]) -> None:
        if not self.is_built or self.query_one("#classify-account", Input).value != text:
            return  # typed on meanwhile: a newer search follows
        self._matches = found
        options: list[Option] = [Option(literal_line(name), id=f"a:{name}") for name in found]
        typed = text.strip()
        if typed and typed.lower() not in {name.lower() for name in found}:
            label = Text("+ new account ").append_text(literal_line(typed))
            options.append(Option(label, id=f"n:{typed}"))
        listing = self.query_one("#classify-accounts", OptionList)
        listing.clear_options()
        listing.add_options(options)
        if options:
            exact = next((i for i, name in enumerate(found) if name.lower() == typed.lower()), 0)
            listing.highlighted = exact

    # -- the result ----------------------------------------------------------------------
    def result(self) -> ClassifyChoice | None:
        """The class (a refusal when none is chosen), the account for Customer/Supplier."""
        if self.chosen is None:
            raise ValidationError("choose a class: 1–5", field="class")
        if self.chosen not in WITH_ACCOUNT:
            return ClassifyChoice(self.chosen, remember=self.remember)
        listing = self.query_one("#classify-accounts", OptionList)
        typed = self.typed("classify-account")
        picked = None
        if listing.highlighted is not None and listing.option_count:
            picked = listing.get_option_at_index(listing.highlighted).id
        if not typed:
            title = CLASS_TITLES[self.chosen]
            raise ValidationError(f"{title} needs an account: type its name", field="account")
        if picked is None:  # saved before the search answered: the name as typed
            return ClassifyChoice(self.chosen, account=typed, remember=self.remember)
        kind, _, name = picked.partition(":")
        return ClassifyChoice(
            self.chosen, account=name, new_account=kind == "n", remember=self.remember
        )
