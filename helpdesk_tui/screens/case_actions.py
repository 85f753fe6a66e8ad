"""Actions on one case or on the marked cases, shared by the queue and the case screen.

A screen derives from `CaseActionScreen` and passes, with the `Desk`, a function that
returns the cases an action applies to (the marked cases, else the one under the cursor /
on screen). Every action only starts work: a dialog collects input and is handed the
write (`Dialog.submitting`): the `Desk` call runs in the dialog's thread worker, and a
refusal shows in the dialog, next to the field it concerns, with everything typed kept;
only a write that went through closes the dialog. The outcome comes back as a one-line
notification plus a `CasesChanged` message. Actions without a dialog show a refusal as
a one-line notification, never a crash.

On several cases (marks), status and close first show a per-case preview (what will
happen, what will be refused) and ask; after any action the marks are used up
(`actions_done`: the queue clears them), so no count of marks survives on cases that
left the view and no later key acts on them. Writing on one
case opens compose, which the app builds (`ComposeRequested`): this module never imports
another screen.

Flows are chains of small steps: `action_x` → (worker loading choices) → dialog →
`_x_chosen` → worker running the Desk call → notification (→ follow-up dialog). The
flows, top to bottom: assign, status, close (with the parent and the closing mail),
delegate, write (comment, external action, phone note, reply by mail, interim update),
reopen, sub-case, edit.
"""

from collections.abc import Callable, Sequence
from datetime import date
from typing import Any, Protocol, TypeVar

from textual import work

from helpdesk_tui.dialogs.base import Dialog
from helpdesk_tui.dialogs.close import CloseChoice, CloseDialog
from helpdesk_tui.dialogs.confirm import ConfirmDialog
from helpdesk_tui.dialogs.delegate import DelegateDialog
from helpdesk_tui.dialogs.edit import EditDialog
from helpdesk_tui.dialogs.reopen import ReopenChoice, ReopenDialog
from helpdesk_tui.dialogs.status import StatusChoice, StatusDialog
from helpdesk_tui.dialogs.subcase import SubCaseDialog
from helpdesk_tui.dialogs.text import TextDialog
from helpdesk_tui.domain.enums import ActivityKind, Resolution, Status
from helpdesk_tui.domain.errors import DomainError
from helpdesk_tui.domain.numbering import CaseNumber
from helpdesk_tui.messages import ComposeRequested, NewCaseRequested
from helpdesk_tui.screens.base import WorkerScreen
from helpdesk_tui.services.desk import Desk
from helpdesk_tui.storage.reads import CaseSummary
from helpdesk_tui.widgets.case_header import delegation_text

KIND_NOUNS = {
    ActivityKind.COMMENT: "Internal comment",
    ActivityKind.EXTERNAL: "External action",
    ActivityKind.PHONE: "Phone note",
}

ResultT = TypeVar("ResultT")
ChoiceT = TypeVar("ChoiceT")


class BulkOutcome(Protocol):
    """What a Desk call on several cases returns: it words itself (`2 closed, 1 refused…`)."""

    def line(self, verb: str) -> str:
        """`<n> <verb>`, plus the refusals."""
        ...


class BulkPreviewLike(Protocol):
    """What a Desk bulk preview returns: per case what will happen and what is refused."""

    @property
    def count(self) -> int:
        """How many cases the action would change."""
        ...

    @property
    def going(self) -> Sequence[object]:
        """The cases the action would change."""
        ...

    def line(self) -> str:
        """One line: `3 cases: open → waiting, 1 refused`."""
        ...

    def lines(self, limit: int = 8) -> list[str]:
        """One line per case."""
        ...


def label(targets: Sequence[CaseSummary]) -> str:
    """`0001234` for one case, `3 cases` for several."""
    return str(targets[0].number) if len(targets) == 1 else f"{len(targets)} cases"


class CaseActionScreen(WorkerScreen[None]):
    """Base of the screens that act on cases: assign, status, close, delegate, write…"""

    def __init__(self, desk: Desk, target_cases: Callable[[], list[CaseSummary]]) -> None:
        """`desk` is the data (call it only inside thread workers); `target_cases` says
        which cases an action applies to."""
        super().__init__()
        self.desk = desk
        self.target_cases = target_cases

    def _targets(self) -> list[CaseSummary]:
        targets = self.target_cases()
        if not targets:
            self.notify("No case selected", severity="warning")
        return targets

    # -- plumbing -------------------------------------------------------------------------
    @work(thread=True, group="case-action", exit_on_error=False, description="case action")
    def run_service(
        self,
        call: Callable[[], Any],
        *,
        done: Callable[[Any], str],
        changed: list[CaseNumber],
    ) -> None:
        """Run one Desk call in a thread; report its outcome in one line."""
        try:
            result = call()
        except DomainError as error:
            self._refused(error)
            return
        self._report(done(result), changed)

    def _one_or_all(
        self,
        numbers: list[CaseNumber],
        one: Callable[[CaseNumber], ResultT],
        done: Callable[[CaseNumber, ResultT], str],
        every: Callable[[list[CaseNumber]], BulkOutcome],
        verb: str,
    ) -> None:
        """One case: `one(number)`, told by `done`; several: `every(numbers)`, told as
        `<n> <verb>` with the refusals (each case is its own transaction)."""
        if len(numbers) == 1:
            number = numbers[0]
            self.run_service(lambda: one(number), done=lambda r: done(number, r), changed=numbers)
        else:
            self.run_service(lambda: every(numbers), done=lambda r: r.line(verb), changed=numbers)

    def _run_if_confirmed(
        self,
        dialog: ConfirmDialog,
        call: Callable[[], Any],
        *,
        done: Callable[[Any], str],
        changed: list[CaseNumber],
    ) -> None:
        """Ask `dialog`; on yes, `run_service(call, …)`."""

        def answered(yes: bool | None) -> None:
            if yes:
                self.run_service(call, done=done, changed=changed)

        self.app.push_screen(dialog, answered)

    def _refused(self, error: DomainError) -> None:
        """From a worker thread: show a domain refusal as one line."""
        self.app.call_from_thread(self.notify, error.message, severity="error", markup=False)

    def _report(self, line: str, changed: list[CaseNumber]) -> None:
        """From a worker thread: show the outcome, tell every screen what changed, and let
        the screen drop the marks the action used."""
        self.app.call_from_thread(self.notify, line, markup=False)
        self.app.call_from_thread(self.announce_change, changed)
        self.app.call_from_thread(self.actions_done)

    def actions_done(self) -> None:
        """An action went through on the cases `target_cases` gave: the queue clears its
        marks here (they were used up); other screens have none."""

    def _ask(
        self,
        dialog: Dialog[ChoiceT | None],
        write: Callable[[ChoiceT], ResultT],
        done: Callable[[ChoiceT, ResultT], str],
        changed: list[CaseNumber],
        then: Callable[[ChoiceT, ResultT], None] | None = None,
    ) -> None:
        """Show `dialog`; on submit `write(choice)` runs in the dialog's worker (a refusal
        keeps the dialog open with the input), its outcome told by `done`; once the dialog
        has closed, `then(choice, result)` may ask the next question."""
        results: list[ResultT] = []

        def submit(choice: ChoiceT | None) -> None:
            if choice is None:
                return
            result = write(choice)
            results.append(result)
            line = done(choice, result)
            if line:  # "": nothing was written (the next dialog will)
                self._report(line, changed)

        def dismissed(choice: ChoiceT | None) -> None:
            if choice is not None and results and then is not None:
                then(choice, results[0])

        self.app.push_screen(dialog.submitting(submit), dismissed)

    # -- assign to me (ASSIGN-2): no dialog ---------------------------------------------
    def action_assign_me(self) -> None:
        """`a`: assign the current case (or every marked case) to me, atomically."""
        targets = self._targets()
        if targets:
            self._one_or_all(
                [c.number for c in targets],
                self.desk.assign_to_me,
                lambda n, r: f"{n} assigned to you" if r.changed else f"{n} is already yours",
                self.desk.assign_all_to_me,
                "assigned to you",
            )

    # -- status (CASE-4, CASE-5) ---------------------------------------------------------
    def action_status(self) -> None:
        """`s`: change the status of the case(s); Waiting asks for a comment and reminder."""
        targets = self._targets()
        if targets:
            self._load_status_choices(targets)

    @work(thread=True, group="case-dialog", exit_on_error=False, description="status choices")
    def _load_status_choices(self, targets: list[CaseSummary]) -> None:
        desk = self.desk
        offered = desk.allowed_statuses({c.status for c in targets})
        self.app.call_from_thread(self._show_status_dialog, targets, offered, desk.today())

    def _show_status_dialog(
        self, targets: list[CaseSummary], offered: list[Status], today: date
    ) -> None:
        if not offered:
            self.notify(f"{label(targets)}: the workflow allows you no status change", markup=False)
            return
        if len(targets) > 1:
            dialog = StatusDialog(f"Status of {label(targets)}", offered, today=today)
            self.app.push_screen(dialog, lambda choice: self._bulk_status_chosen(targets, choice))
            return
        case, desk = targets[0], self.desk
        dialog = StatusDialog(
            f"Status of {case.number}", offered, today=today, current=case.status, due=case.due
        )

        def write(choice: StatusChoice) -> str:
            if choice.target is Status.CLOSED:
                return ""  # the close dialog asks for the resolution next
            if case.status == Status.CLOSED and choice.target is Status.OPEN:
                reopened = desk.reopen(case.number, comment=choice.comment)
                return f"{' and '.join(map(str, reopened))} reopened"
            desk.change_status(
                case.number,
                choice.target,
                comment=choice.comment,
                reminder=choice.reminder,
                due=choice.due,
            )
            moved = f", due {choice.due}" if choice.due else ""
            return f"{case.number} is now {choice.target}{moved}"

        def then(choice: StatusChoice, _: str) -> None:
            if choice.target is Status.CLOSED:
                self._ask_close(targets)

        self._ask(dialog, write, lambda _, line: line, [case.number], then)

    def _bulk_status_chosen(self, targets: list[CaseSummary], choice: StatusChoice | None) -> None:
        if choice is None:
            return
        if choice.target is Status.CLOSED:
            self._ask_close(targets)
            return
        self._preview_status([c.number for c in targets], choice)

    @work(thread=True, group="case-dialog", exit_on_error=False, description="bulk preview")
    def _preview_status(self, numbers: list[CaseNumber], choice: StatusChoice) -> None:
        preview = self.desk.preview_status(
            numbers, choice.target, comment=choice.comment, reminder=choice.reminder
        )
        desk, target = self.desk, choice.target
        self.app.call_from_thread(
            self._confirm_bulk,
            f"Set {len(numbers)} cases to {target}?",
            preview,
            lambda: desk.bulk_status(
                numbers, target, comment=choice.comment, reminder=choice.reminder
            ),
            f"set to {target}",
            numbers,
        )

    def _confirm_bulk(
        self,
        question: str,
        preview: BulkPreviewLike,
        call: Callable[[], BulkOutcome],
        verb: str,
        numbers: list[CaseNumber],
    ) -> None:
        """TUI-4: show per case what will happen and what will be refused; on yes, run."""
        detail = "\n".join([preview.line(), *preview.lines()])
        if not preview.going:
            self.notify(f"Nothing to do: {preview.line()}", severity="warning", markup=False)
            return
        dialog = ConfirmDialog(question, detail, yes=f"Do {preview.count}", no="Cancel")
        self._run_if_confirmed(dialog, call, done=lambda r: r.line(verb), changed=numbers)

    # -- close (CASE-6, SUB-3, TUI-4), then the parent and the closing mail (MAIL-5) -------
    def action_close(self) -> None:
        """`x`: close with a resolution (several: after a preview of what changes)."""
        targets = self._targets()
        if targets:
            self._ask_close(targets)

    def _ask_close(self, targets: list[CaseSummary]) -> None:
        dialog = CloseDialog(f"Close {label(targets)}", allow_duplicate=len(targets) == 1)
        if len(targets) > 1:
            numbers = [c.number for c in targets]

            def chosen(choice: CloseChoice | None) -> None:
                if choice is not None:
                    self._preview_close(numbers, choice)

            self.app.push_screen(dialog, chosen)
            return
        number, desk = targets[0].number, self.desk

        def write(choice: CloseChoice) -> Any:
            return desk.close_case(
                number,
                choice.resolution,
                duplicate_of=choice.duplicate_of,
                comment=choice.comment,
            )

        def done(choice: CloseChoice, _: Any) -> str:
            what = (
                f"duplicate of {choice.duplicate_of}" if choice.duplicate_of else choice.resolution
            )
            return f"{number} closed ({what})"

        def then(choice: CloseChoice, result: Any) -> None:
            if result.parent_closable is not None:
                self._offer_parent_close(number, result.parent_closable, choice.resolution)
            elif desk.mail_out is not None:
                self._offer_closing_mail(number)

        self._ask(dialog, write, done, [number], then)

    def _offer_parent_close(
        self, number: CaseNumber, parent: CaseNumber, resolution: Resolution
    ) -> None:
        dialog = ConfirmDialog(
            f"Close the parent {parent} too?",
            f"{number} was its last open sub-case; {parent} would close as {resolution}.",
            yes="Close parent",
            no="Keep open",
        )
        desk = self.desk
        self._run_if_confirmed(
            dialog,
            lambda: desk.close_case(
                parent, resolution, comment=f"closed with its last sub-case {number}"
            ),
            done=lambda _: f"{parent} closed ({resolution})",
            changed=[parent],
        )

    def _offer_closing_mail(self, number: CaseNumber) -> None:
        """MAIL-5: closing can send the requester the closing mail with the history (asks)."""
        dialog = ConfirmDialog(
            f"Send the closing mail for {number}?",
            "The requester gets the resolution and the case history.",
            yes="Send",
            no="Don't send",
        )
        desk = self.desk
        self._run_if_confirmed(
            dialog,
            lambda: desk.closing_mail(number),
            done=lambda q: f"{number}: closing mail queued for {q.recipient}",
            changed=[number],
        )

    @work(thread=True, group="case-dialog", exit_on_error=False, description="bulk preview")
    def _preview_close(self, numbers: list[CaseNumber], choice: CloseChoice) -> None:
        desk = self.desk
        preview = desk.preview_close(numbers, choice.resolution, comment=choice.comment)
        self.app.call_from_thread(
            self._confirm_bulk,
            f"Close {len(numbers)} cases?",
            preview,
            lambda: desk.bulk_close(numbers, choice.resolution, comment=choice.comment),
            "closed",
            numbers,
        )

    # -- delegate (ASSIGN-1, ASSIGN-4) ---------------------------------------------------
    def action_delegate(self) -> None:
        """`d`: hand the case(s) to a user or group, with an optional comment."""
        targets = self._targets()
        if targets:
            self._load_delegates(targets, self._show_delegate_dialog)

    @work(thread=True, group="case-dialog", exit_on_error=False, description="load delegates")
    def _load_delegates(
        self,
        targets: list[CaseSummary],
        then: Callable[[list[CaseSummary], list[str], list[str], date], None],
    ) -> None:
        desk = self.desk
        self.app.call_from_thread(then, targets, desk.agents(), desk.groups(), desk.today())

    def _show_delegate_dialog(
        self, targets: list[CaseSummary], agents: list[str], groups: list[str], _today: date
    ) -> None:
        current = delegation_text(targets[0]).plain if len(targets) == 1 else None
        dialog = DelegateDialog(f"Delegate {label(targets)}", agents, groups, current=current)
        desk, numbers = self.desk, [c.number for c in targets]
        if len(numbers) > 1:
            self._ask(
                dialog,
                lambda choice: desk.bulk_delegate(
                    numbers, user=choice.user, group=choice.group, comment=choice.comment
                ),
                lambda choice, r: r.line(f"delegated to {choice.target}"),
                numbers,
            )
            return
        number = numbers[0]
        self._ask(
            dialog,
            lambda choice: desk.delegate(
                number, user=choice.user, group=choice.group, comment=choice.comment
            ),
            lambda choice, r: (
                f"{number} delegated to {choice.target}"
                if r.changed
                else f"{number} already is with {choice.target}"
            ),
            numbers,
        )

    # -- write: comment, external action, phone note (ACT-1…5), reply by mail (MAIL-5) ----
    def action_comment(self) -> None:
        """`c`: write an internal comment (several cases: the same one on each)."""
        self._write(ActivityKind.COMMENT)

    def action_external(self) -> None:
        """Write an external action, visible to the customer (ACT-2)."""
        self._write(ActivityKind.EXTERNAL)

    def action_phone(self) -> None:
        """Write a phone note."""
        self._write(ActivityKind.PHONE)

    def action_reply(self) -> None:
        """`M`: an external action mailed to the requester (several cases: after a preview)."""
        if self.desk.mail_out is None:
            self.notify("No [smtp] in the config: mail cannot be sent", severity="warning")
            return
        self._write(ActivityKind.EXTERNAL, by_mail=True)

    def _write(self, kind: ActivityKind, *, by_mail: bool = False) -> None:
        """One case: compose (the app opens it); several: one text for all of them."""
        targets = self._targets()
        if not targets:
            return
        if len(targets) == 1:
            self.post_message(ComposeRequested(targets[0], kind, by_mail=by_mail))
            return
        if by_mail:
            self._bulk_reply(targets)
            return
        desk, numbers = self.desk, [c.number for c in targets]
        dialog = TextDialog(
            f"{KIND_NOUNS[kind]} on {label(targets)}", label="Text:", multiline=True
        )
        self._ask(
            dialog,
            lambda text: desk.bulk_comment(numbers, text, kind=kind),
            lambda _, r: r.line(f"got the {KIND_NOUNS[kind].lower()}"),
            numbers,
        )

    def _bulk_reply(self, targets: list[CaseSummary]) -> None:
        """TUI-4: one external action on every marked case, mailed to each requester,
        after a preview of who gets what."""
        numbers = [c.number for c in targets]

        def written(text: str | None) -> None:
            if text:
                self._preview_bulk_reply(numbers, text)

        dialog = TextDialog(
            f"Reply by mail to {label(targets)}",
            label="Text (mailed to each requester):",
            multiline=True,
        )
        self.app.push_screen(dialog, written)

    @work(thread=True, group="case-dialog", exit_on_error=False, description="preview mail")
    def _preview_bulk_reply(self, numbers: list[CaseNumber], text: str) -> None:
        try:
            previews = self.desk.bulk_reply_preview(numbers)
        except DomainError as error:
            self._refused(error)
            return
        self.app.call_from_thread(self._confirm_bulk_reply, numbers, text, previews)

    def _confirm_bulk_reply(
        self, numbers: list[CaseNumber], text: str, previews: list[Any]
    ) -> None:
        going = [p for p in previews if p.refusal is None]
        lines = [f"{p.number} → {p.recipient}" for p in going[:8]]
        if len(going) > 8:
            lines.append(f"… and {len(going) - 8} more")
        lines += [f"{p.number}: skipped ({p.refusal})" for p in previews if p.refusal][:4]
        dialog = ConfirmDialog(
            f"{len(going)} mails: external action + reply to each requester",
            "\n".join(lines) or "nobody to mail",
            yes="Send",
            no="Cancel",
        )
        desk = self.desk
        self._run_if_confirmed(
            dialog,
            lambda: desk.bulk_reply(numbers, text),
            done=lambda r: (
                f"{len(r.queued)} replies queued"
                + (f", {len(r.refused)} refused" if r.refused else "")
            ),
            changed=numbers,
        )

    def action_interim_update(self) -> None:
        """`U`: mail the requester the external actions so far, newest first (MAIL-5)."""
        targets = self._targets()
        if not targets:
            return
        if len(targets) > 1:
            self.notify("Interim updates go out one case at a time", severity="warning")
            return
        number, desk = targets[0].number, self.desk
        self.run_service(
            lambda: desk.interim_update(number),
            done=lambda q: f"{number}: interim update queued for {q.recipient}",
            changed=[number],
        )

    # -- reopen (CASE-7) -------------------------------------------------------------------
    def action_reopen(self) -> None:
        """`r`: reopen closed case(s): why, and new due/reminder dates (defaults: today +
        the configured days); the workflow decides who may."""
        targets = self._targets()
        if not targets:
            return
        desk, numbers = self.desk, [c.number for c in targets]
        due, reminder = desk.reopen_defaults()
        dialog = ReopenDialog(label(targets), today=desk.today(), due=due, reminder=reminder)
        if len(numbers) > 1:
            self._ask(
                dialog,
                lambda c: desk.reopen_all(
                    numbers, comment=c.comment, due=c.due, reminder=c.reminder
                ),
                lambda _, r: r.line("reopened"),
                numbers,
            )
            return

        def write(choice: ReopenChoice) -> list[CaseNumber]:
            return desk.reopen(
                numbers[0], comment=choice.comment, due=choice.due, reminder=choice.reminder
            )

        self._ask(
            dialog,
            write,
            lambda _, reopened: f"{' and '.join(map(str, reopened))} reopened",
            numbers,
        )

    # -- sub-case (SUB-1, SUB-2) ---------------------------------------------------------
    def action_new_subcase(self) -> None:
        """Split a sub-case off the current case."""
        targets = self._targets()
        if len(targets) > 1:
            self.notify("Sub-cases are split off one case at a time", severity="warning")
        elif targets:
            self._load_delegates(targets, self._show_subcase_dialog)

    def _show_subcase_dialog(
        self, targets: list[CaseSummary], agents: list[str], groups: list[str], today: date
    ) -> None:
        parent, desk = targets[0], self.desk
        dialog = SubCaseDialog(parent, agents, groups, today=today)
        self._ask(
            dialog,
            lambda choice: desk.create_subcase(
                parent,
                subject=choice.subject,
                user=choice.user,
                group=choice.group,
                due=choice.due,
            ),
            lambda _, number: f"sub-case {number} created",
            [parent.number],
        )

    # -- a new case (CASE-2): the app opens the form ---------------------------------------
    def action_new_case(self) -> None:
        """`N`: the new-case form; the new case opens once it is saved."""
        self.post_message(NewCaseRequested())

    # -- header edits (CASE-1) -------------------------------------------------------------
    def action_edit(self) -> None:
        """`e`: edit the header fields of an open case (CASE-1; closed cases are read-only)."""
        targets = self._targets()
        if len(targets) != 1:
            if targets:
                self.notify("Edit one case at a time", severity="warning")
            return
        case = targets[0]
        if case.status == Status.CLOSED:
            self.notify(
                f"{case.number} is closed: reopen it to edit", severity="warning", markup=False
            )
            return
        if case.fields is None:  # a list row: read the case with its custom fields first
            self._load_for_edit(case.number)
        else:
            self._show_edit_dialog(case)

    @work(thread=True, group="case-dialog", exit_on_error=False, description="load case")
    def _load_for_edit(self, number: CaseNumber) -> None:
        """The case as stored now, with its custom fields (a queue row has none)."""
        self.app.call_from_thread(self._show_edit_dialog, self.desk.detail(number).case)

    def _show_edit_dialog(self, case: CaseSummary) -> None:
        desk = self.desk
        dialog = EditDialog(case, desk.case_types(), today=desk.today())
        self._ask(
            dialog,
            lambda values: bool(values) and desk.edit(case.number, values),
            lambda _, changed: f"{case.number} saved" if changed else "Nothing changed",
            [case.number],
        )
