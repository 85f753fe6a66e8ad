"""Compose an internal comment, external action or phone note (ACT-1…5).

Time spent is typed as `1.5`, `1,5`, `90m`, `1h30` or `1:30` (0.01 h steps,
domain/timespent) or counted by a running timer that is persisted every `beat_seconds`
(< 36 s), so a crash loses at most 0.01 h (ACT-4).
Canned responses are picked by fuzzy search and filled in (ACT-5); ctrl+e hands the
text to $EDITOR the way git and mutt do. Typing `@` and a few letters offers the agents
whose names match (fuzzy); tab or enter completes the name (ACT-3: the mention notifies).
"""

import os
import re
import shlex
import subprocess
import tempfile
import threading
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import ClassVar

from rich.text import Text
from textual import work
from textual.actions import SkipAction
from textual.app import ComposeResult, SuspendNotSupported
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.timer import Timer
from textual.widgets import Footer, Input, OptionList, Static, TextArea
from textual.widgets.option_list import Option

from helpdesk_tui.dialogs.canned import CannedDialog
from helpdesk_tui.dialogs.confirm import ConfirmDialog
from helpdesk_tui.domain.enums import ActivityKind
from helpdesk_tui.domain.errors import DomainError
from helpdesk_tui.domain.mentions import typing_mention
from helpdesk_tui.domain.templates import CannedResponse, fill_canned
from helpdesk_tui.domain.timespent import parse_time_spent
from helpdesk_tui.screens.base import WorkerScreen
from helpdesk_tui.services.desk import Desk
from helpdesk_tui.services.timers import BEAT_SECONDS, TimerState
from helpdesk_tui.storage.reads import CaseSummary
from helpdesk_tui.widgets.case_header import hours
from helpdesk_tui.widgets.fuzzy_picker import ranked
from helpdesk_tui.widgets.untrusted import literal_line, plain

KINDS = (ActivityKind.COMMENT, ActivityKind.EXTERNAL, ActivityKind.PHONE)
KIND_TITLES = {
    ActivityKind.COMMENT: ("Internal comment", "never leaves the helpdesk"),
    ActivityKind.EXTERNAL: ("External action", "visible to the customer"),
    ActivityKind.PHONE: ("Phone note", "internal"),
}


#: The rest of a name after the cursor (replaced too when a name is completed mid-word).
_NAME_REST = re.compile(r"[A-Za-z0-9._-]*")
#: After a completed name no space is added before these.
_ENDS_NAME = ",.;:!?)'\""
#: Agents offered at once for an `@` being typed.
MENTION_CHOICES = 6


def clock_text(seconds: int) -> str:
    """`1:02:03`."""
    minutes, secs = divmod(max(0, seconds), 60)
    return f"{minutes // 60}:{minutes % 60:02d}:{secs:02d}"


def editor_command() -> list[str]:
    """$VISUAL, else $EDITOR, else vi — split like a shell would."""
    return shlex.split(os.environ.get("VISUAL") or os.environ.get("EDITOR") or "vi")


class MentionArea(TextArea):
    """The compose text: while agents are offered for an `@name` being typed, tab/enter
    complete it and ↑/↓ choose (else these keys do what they do in any text area)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "tab,enter",
            "screen.complete_mention",
            "Complete @name",
            id="compose.mention",
            show=False,
            priority=True,
        ),
        Binding(
            "down",
            "screen.mention_move(1)",
            "Next agent",
            id="compose.mention_next",
            show=False,
            priority=True,
        ),
        Binding(
            "up",
            "screen.mention_move(-1)",
            "Previous agent",
            id="compose.mention_previous",
            show=False,
            priority=True,
        ),
    ]


class ComposeScreen(WorkerScreen[bool]):
    """Writes one activity on one case; dismisses with True once it is saved."""

    CSS_PATH = "compose.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", "Save", id="compose.save", priority=True),
        Binding("escape", "cancel", "Cancel", id="compose.cancel", priority=True),
        Binding("ctrl+t", "timer", "Timer", id="compose.timer", priority=True),
        Binding("ctrl+o", "canned", "Canned", id="compose.canned", priority=True),
        Binding("ctrl+n", "next_kind", "Kind", id="compose.kind", priority=True),
        Binding("ctrl+e", "editor", "$EDITOR", id="compose.editor", priority=True),
    ]
    #: How often a running timer is written to the database (ACT-4: at least every 36 s).
    beat_seconds: ClassVar[float] = BEAT_SECONDS

    def __init__(
        self,
        desk: Desk,
        case: CaseSummary,
        kind: ActivityKind = ActivityKind.COMMENT,
        *,
        by_mail: bool = False,
        canned: Callable[[], Sequence[CannedResponse]] = lambda: (),
    ) -> None:
        """Write on `case` through `desk`; `canned` reads the canned responses (ctrl+o)."""
        super().__init__()
        self.desk = desk
        self.canned = canned
        self.case = case
        self.kind = kind
        self.by_mail = by_mail and kind is ActivityKind.EXTERNAL
        self.timer_seconds = 0  # as persisted at `timer_at`
        self.timer_at: datetime | None = None  # None: no timer on this case
        self.timer_running = False
        self._timer_lock = threading.Lock()  # timer writes happen in order
        self._beat: Timer | None = None
        self.agents: list[str] = []  # offered after `@` (read once the screen shows)
        self._mention: tuple[int, int, str] | None = None  # row, column of `@`, letters
        self._declined: tuple[int, int] | None = None  # the `@` whose offer esc closed

    def compose(self) -> ComposeResult:
        """Title, the text, time spent and timer, attachments (reply by mail), keys."""
        yield Static(id="compose-title")
        yield MentionArea(id="compose-text", soft_wrap=True, show_line_numbers=False)
        mentions = OptionList(id="compose-mentions")
        mentions.can_focus = False  # typing goes on in the text; tab/enter/↑/↓ pick
        mentions.display = False
        yield mentions
        with Horizontal(id="compose-bar"):
            yield Static("Time spent:", id="compose-hours-label")
            yield Input(id="compose-hours", placeholder="1.5, 90m, 1h30")
            yield Static(id="compose-timer")
        with Horizontal(id="compose-attach-bar"):
            yield Static("Attach files:", id="compose-attach-label")
            yield Input(id="compose-attach", placeholder="paths, separated by commas")
        yield Footer()

    def on_mount(self) -> None:
        """Show title and timer, focus the text, tick the clock and read the stored timer."""
        if not self.query(TextArea):
            return  # pushed while the app quits: Textual mounted nothing
        self._show_title()
        self._show_timer()
        self.query_one(TextArea).focus()
        self.set_interval(1, self._show_timer)
        self._load_timer()
        self._load_agents()

    # -- what is shown ------------------------------------------------------------------
    def _show_title(self) -> None:
        noun, note = KIND_TITLES[self.kind]
        if self.by_mail:
            noun, note = "Reply by mail", f"to {self.case.contact_email}, after the undo time"
        self.query_one("#compose-attach-bar").display = self.by_mail
        title = Text(noun, style="bold")
        title.append(" ").append_text(literal_line(f"({note})", style="dim"))
        title.append(f" on {self.case.number}  ", style="bold")
        keys = Text("   ctrl+n: comment / external / phone", style="dim")
        # One line at any width: the subject gives way (cut with …), then the keys hint.
        room = self.app.size.width - 2 - title.cell_len - keys.cell_len
        title.append_text(literal_line(self.case.subject, max(12, min(70, room))))
        title.append_text(keys)
        title.no_wrap = True
        title.overflow = "ellipsis"
        self.query_one("#compose-title", Static).update(title)

    def on_resize(self) -> None:
        """The title is cut for a width: cut it again for the new one."""
        if self.is_mounted:
            self._show_title()

    @property
    def timer_now(self) -> int:
        """The timer's seconds as of now (persisted total plus the running part)."""
        if self.timer_at is None:
            return 0
        if not self.timer_running:
            return self.timer_seconds
        elapsed = (self.desk.now() - self.timer_at).total_seconds()
        return self.timer_seconds + max(0, int(elapsed))

    def _show_timer(self) -> None:
        line = Text("Timer: ")
        if self.timer_at is None:
            line.append("off · ctrl+t starts it", style="dim")
        else:
            seconds = self.timer_now
            line.append(clock_text(seconds), style="bold")
            state = TimerState(self.case.number, seconds, self.timer_running)
            if self.timer_running:
                line.append(f" running ({hours(state.centi_hours)}) · ctrl+t pauses")
            else:
                line.append(f" paused ({hours(state.centi_hours)}) · ctrl+t resumes", "dim")
        self.query_one("#compose-timer", Static).update(line)
        field = self.query_one("#compose-hours", Input)
        if self.timer_at is not None:
            field.placeholder = (
                f"timer: {hours(TimerState(self.case.number, self.timer_now, False).centi_hours)}"
            )

    def _apply_timer(self, state: TimerState | None, running: bool | None = None) -> None:
        """Take a persisted timer state as the new base of the display."""
        if state is None:
            self.timer_at = None
            self.timer_running = False
        else:
            self.timer_seconds = state.seconds
            self.timer_at = self.desk.now()
            self.timer_running = state.running if running is None else running
        if self.timer_running and self._beat is None:
            self._beat = self.set_interval(self.beat_seconds, self.beat)
        elif not self.timer_running and self._beat is not None:
            self._beat.stop()
            self._beat = None
        self._show_timer()

    # -- the timer (ACT-4) ---------------------------------------------------------------
    @work(thread=True, group="compose-timer", exit_on_error=False, description="load timer")
    def _load_timer(self) -> None:
        desk = self.desk
        with self._timer_lock:
            state = desk.timer(self.case.number)
            self.app.call_from_thread(self._apply_timer, state)

    def action_timer(self) -> None:
        """ctrl+t: start, pause or resume the timer."""
        self._toggle_timer(not self.timer_running)

    @work(thread=True, group="compose-timer", exit_on_error=False, description="timer")
    def _toggle_timer(self, run: bool) -> None:
        desk, number = self.desk, self.case.number
        with self._timer_lock:
            try:
                state = desk.start_timer(number) if run else desk.pause_timer(number)
            except DomainError as error:
                self.app.call_from_thread(self.notify, error.message, severity="error")
                return
            self.app.call_from_thread(self._apply_timer, state)

    @work(thread=True, group="compose-timer", exit_on_error=False, description="timer beat")
    def beat(self) -> None:
        """Persist the running timer (every `beat_seconds`)."""
        desk = self.desk
        with self._timer_lock:
            if not self.timer_running:
                return
            state = desk.beat_timer(self.case.number)
            self.app.call_from_thread(self._apply_timer, state)

    # -- @mentions (ACT-3) ----------------------------------------------------------------
    @work(thread=True, group="compose-agents", exit_on_error=False, description="read agents")
    def _load_agents(self) -> None:
        desk = self.desk
        agents = [name for name in desk.agents() if name != desk.user]
        self.app.call_from_thread(self._set_agents, agents)

    def _set_agents(self, agents: list[str]) -> None:
        self.agents = agents
        self._offer_mentions()

    def on_text_area_changed(self, _: TextArea.Changed) -> None:
        """Text typed: offer agents if an `@name` is being typed."""
        self._offer_mentions()

    def on_text_area_selection_changed(self, _: TextArea.SelectionChanged) -> None:
        """The cursor moved: offer agents for the `@name` it now ends, if any."""
        self._offer_mentions()

    def _typed_mention(self) -> tuple[int, int, str] | None:
        """Row, column of `@` and the letters typed after it, if the cursor ends one."""
        area = self.query_one("#compose-text", TextArea)
        selection = area.selection
        if selection.start != selection.end or not area.has_focus:
            return None
        row, column = selection.end
        found = typing_mention(area.document.get_line(row)[:column])
        return None if found is None else (row, found[0], found[1])

    def _offer_mentions(self) -> None:
        """Show the agents matching the `@name` at the cursor, best first (or hide)."""
        if not self.is_mounted or not self.query("#compose-mentions"):
            return
        mention = self._typed_mention()
        if mention is not None and mention[:2] == self._declined:
            mention = None
        elif self._declined is not None and (mention is None or mention[:2] != self._declined):
            self._declined = None
        choices = (
            ranked(mention[2], [(name, "@" + name) for name in self.agents]) if mention else []
        )
        self._mention = mention if choices else None
        listing = self.query_one("#compose-mentions", OptionList)
        if not choices:
            listing.display = False
            return
        listing.clear_options()
        listing.add_options([Option(text, id=key) for key, text in choices[:MENTION_CHOICES]])
        listing.highlighted = 0
        listing.display = True

    @property
    def offered(self) -> list[str]:
        """The agents offered for the `@name` being typed (empty: none offered)."""
        listing = self.query_one("#compose-mentions", OptionList)
        if not listing.display:
            return []
        return [listing.get_option_at_index(i).id or "" for i in range(listing.option_count)]

    def action_mention_move(self, step: int) -> None:
        """↑/↓ while agents are offered: the previous or next one."""
        listing = self.query_one("#compose-mentions", OptionList)
        if self._mention is None or not listing.display or not listing.option_count:
            raise SkipAction
        current = listing.highlighted or 0
        listing.highlighted = max(0, min(listing.option_count - 1, current + step))

    def action_complete_mention(self) -> None:
        """tab/enter while agents are offered: put the highlighted agent's name in place
        of the letters typed (and the rest of the word), followed by a space."""
        listing = self.query_one("#compose-mentions", OptionList)
        if self._mention is None or not listing.display or listing.highlighted is None:
            raise SkipAction
        name = listing.get_option_at_index(listing.highlighted).id or ""
        row, start, _ = self._mention
        area = self.query_one("#compose-text", TextArea)
        line = area.document.get_line(row)
        rest = _NAME_REST.match(line, start + 1)
        end = rest.end() if rest else start + 1
        following = line[end : end + 1]
        space = "" if following and (following.isspace() or following in _ENDS_NAME) else " "
        self._mention = None
        listing.display = False
        area.replace(f"@{name}{space}", (row, start), (row, end), maintain_selection_offset=False)

    def _decline_mentions(self) -> bool:
        """esc while agents are offered: close the offer (for this `@`); True if it was."""
        if self._mention is None:
            return False
        self._declined = self._mention[:2]
        self._mention = None
        self.query_one("#compose-mentions", OptionList).display = False
        return True

    # -- writing ----------------------------------------------------------------------
    @property
    def text(self) -> str:
        """The text typed so far."""
        return self.query_one(TextArea).text

    def action_next_kind(self) -> None:
        """ctrl+n: internal comment → external action → reply by mail → phone note."""
        if self.kind is ActivityKind.EXTERNAL and not self.by_mail and self.desk.mail_out:
            self.by_mail = True
        else:
            self.by_mail = False
            self.kind = KINDS[(KINDS.index(self.kind) + 1) % len(KINDS)]
        self._show_title()

    def action_canned(self) -> None:
        """ctrl+o: insert a canned response, placeholders filled (ACT-5)."""
        self.app.push_screen(CannedDialog(self.canned()), self._insert_canned)

    def _insert_canned(self, canned: CannedResponse | None) -> None:
        if canned is not None:
            self._fill_canned(canned)

    @work(thread=True, group="compose-canned", exit_on_error=False, description="fill canned")
    def _fill_canned(self, canned: CannedResponse) -> None:
        """Fill the placeholders (the agent's display name is read from the directory)."""
        case, desk = self.case, self.desk
        try:
            text = fill_canned(
                canned,
                case_number=str(case.number),
                subject=plain(case.subject),
                contact_name=plain(case.contact_name or case.contact_email),
                agent_name=plain(desk.display_name()),
                due=case.due,
                account=plain(case.account),
                today=desk.today(),
            )
        except DomainError as error:
            self.app.call_from_thread(self.notify, error.message, severity="error", markup=False)
            return
        self.app.call_from_thread(self._insert_text, text)

    def _insert_text(self, text: str) -> None:
        area = self.query_one(TextArea)
        area.insert(text)
        area.focus()

    def action_editor(self) -> None:
        """ctrl+e: edit the text in $EDITOR; the app steps aside until it exits."""
        area = self.query_one(TextArea)
        command = editor_command()
        with tempfile.NamedTemporaryFile(
            "w", suffix=".txt", prefix="helpdesk-", delete=False, encoding="utf-8"
        ) as handle:
            handle.write(area.text)
            path = Path(handle.name)
        try:
            with self.app.suspend():
                # The user's own editor on their own file: running it is the point.
                subprocess.run([*command, str(path)], check=False)  # noqa: S603
            text = path.read_text(encoding="utf-8")
        except SuspendNotSupported:
            self.notify("This terminal cannot hand over to an editor", severity="warning")
            return
        except OSError as error:
            self.notify(f"could not run {command[0]}: {error}", severity="error", markup=False)
            return
        finally:
            path.unlink(missing_ok=True)
        area.load_text(text.removesuffix("\n"))
        area.move_cursor(area.document.end)
        self.refresh()

    def action_save(self) -> None:
        """ctrl+s: record the activity (time: the typed hours, else the timer's)."""
        if not self.text.strip():
            self.notify("Nothing to save: the text is empty", severity="warning")
            return
        typed = self.query_one("#compose-hours", Input).value.strip()
        try:
            centi = parse_time_spent(typed) if typed else None
        except DomainError as error:
            self.notify(error.message, severity="error", markup=False)
            return
        self._save(self.text, self.kind, centi, self._attachments() if self.by_mail else [])

    def _attachments(self) -> list[str]:
        value = self.query_one("#compose-attach", Input).value
        return [part.strip() for part in value.split(",") if part.strip()]

    @work(
        thread=True, exclusive=True, group="compose-save", exit_on_error=False, description="save"
    )
    def _save(self, text: str, kind: ActivityKind, centi: int | None, files: list[str]) -> None:
        desk, number = self.desk, self.case.number
        with self._timer_lock:
            state = desk.beat_timer(number)
            spent = centi if centi is not None else (state.centi_hours if state else None)
            try:
                if self.by_mail:
                    desk.reply(number, text, attachments=files, time_spent_centi=spent)
                else:
                    desk.record_activity(number, kind, text, time_spent_centi=spent)
            except DomainError as error:
                self.app.call_from_thread(
                    self.notify, error.message, severity="error", markup=False
                )
                return
            if state is not None:
                desk.take_timer(number)  # its time went into the entry
            self.timer_running = False
        self.app.call_from_thread(self._saved, kind, spent)

    def _saved(self, kind: ActivityKind, spent: int | None) -> None:
        noun = KIND_TITLES[kind][0]
        line = f"{noun} added to {self.case.number}"
        if self.by_mail:
            line = f"Reply to {self.case.contact_email} queued on {self.case.number} (undo: u)"
        if spent:
            line += f" ({hours(spent)})"
        self.notify(line)
        self.announce_change([self.case.number])
        self.dismiss(True)

    def action_cancel(self) -> None:
        """Esc: leave without saving (asks first when text was typed); the timer pauses.
        While agents are offered for an `@name`, esc only closes the offer."""
        if self._decline_mentions():
            return
        if not self.text.strip():
            self._leave()
            return

        def answered(discard: bool | None) -> None:
            if discard:
                self._leave()

        dialog = ConfirmDialog(
            "Discard this text?",
            "Nothing is saved; a running timer pauses and keeps its time for this case.",
            yes="Discard",
            no="Keep writing",
        )
        self.app.push_screen(dialog, answered)

    def _leave(self) -> None:
        if self.timer_running:
            self._pause_and_leave()
        else:
            self.dismiss(False)

    @work(thread=True, group="compose-timer", exit_on_error=False, description="pause timer")
    def _pause_and_leave(self) -> None:
        desk = self.desk
        with self._timer_lock:
            state = desk.pause_timer(self.case.number)
            self.timer_running = False
        self.app.call_from_thread(self.notify, f"timer paused at {clock_text(state.seconds)}")
        self.app.call_from_thread(self.dismiss, False)
