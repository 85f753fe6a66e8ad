"""Actions on one case or on the marked cases, shared by the queue and the case screen.

A screen mixes this in and provides `target_cases()` (the marked cases, else the one under
the cursor / on screen). Every action only starts work: dialogs collect input, a thread
worker calls one service, and the outcome comes back as a one-line notification plus a
`CasesChanged` message. Domain refusals are notifications, never crashes.

Flows are chains of small steps: `action_x` → (worker loading choices) → dialog →
`_x_chosen` → worker running the service → notification (→ follow-up dialog).
"""

from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING

from textual import work

from helpdesk_tui.dialogs.close import CloseChoice, CloseDialog
from helpdesk_tui.dialogs.confirm import ConfirmDialog
from helpdesk_tui.dialogs.delegate import DelegateChoice, DelegateDialog
from helpdesk_tui.dialogs.edit import EditDialog
from helpdesk_tui.dialogs.reopen import ReopenDialog
from helpdesk_tui.dialogs.status import StatusChoice, StatusDialog
from helpdesk_tui.dialogs.subcase import SubCaseChoice, SubCaseDialog
from helpdesk_tui.dialogs.text import TextDialog
from helpdesk_tui.domain.enums import ActivityKind, Priority, Resolution, Status
from helpdesk_tui.domain.errors import DomainError
from helpdesk_tui.domain.numbering import CaseNumber
from helpdesk_tui.screens.action_base import label
from helpdesk_tui.screens.mail_actions import MailActions
from helpdesk_tui.services import cases, queue
from helpdesk_tui.storage.reads import CaseSummary
from helpdesk_tui.widgets.case_header import delegation_text

if TYPE_CHECKING:
    pass

KIND_NOUNS = {
    ActivityKind.COMMENT: "Internal comment",
    ActivityKind.EXTERNAL: "External action",
    ActivityKind.PHONE: "Phone note",
}


class CaseActions(MailActions):
    """Mix-in base for screens that act on cases."""

    # -- assign to me (ASSIGN-2): no dialog ---------------------------------------------
    def action_assign_me(self) -> None:
        """`a`: assign the current case (or every marked case) to me, atomically."""
        targets = self._targets()
        if not targets:
            return
        desk = self.desk
        numbers = [c.number for c in targets]
        if len(numbers) == 1:
            number = numbers[0]
            self.run_service(
                lambda: cases.assign_to_me(desk.ctx, desk.user, number),
                done=lambda r: (
                    f"{number} assigned to you" if r.changed else f"{number} is already yours"
                ),
                changed=numbers,
            )
        else:
            self.run_service(
                lambda: queue.each_case(
                    numbers, lambda n: cases.assign_to_me(desk.ctx, desk.user, n)
                ),
                done=lambda r: r.line("assigned to you"),
                changed=numbers,
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
        role = desk.role()
        sources = {Status(c.status) for c in targets}
        allowed = {t for s in sources for t in desk.ctx.policy.workflow.targets(s, role)}
        offered = [s for s in Status if s in allowed]
        self.app.call_from_thread(self._show_status_dialog, targets, offered, desk.today())

    def _show_status_dialog(
        self, targets: list[CaseSummary], offered: list[Status], today: date
    ) -> None:
        if not offered:
            self.notify(f"{label(targets)}: the workflow allows you no status change")
            return
        current = targets[0].status if len(targets) == 1 else None
        dialog = StatusDialog(f"Status of {label(targets)}", offered, today=today, current=current)
        self.app.push_screen(dialog, lambda choice: self._status_chosen(targets, choice))

    def _status_chosen(self, targets: list[CaseSummary], choice: StatusChoice | None) -> None:
        if choice is None:
            return
        if choice.target is Status.CLOSED:
            self._ask_close(targets)
            return
        desk, numbers, target = self.desk, [c.number for c in targets], choice.target
        if len(targets) == 1 and targets[0].status == Status.CLOSED and target is Status.OPEN:
            self._reopen([targets[0].number], choice.comment)
            return
        if len(numbers) == 1:
            number = numbers[0]
            self.run_service(
                lambda: cases.change_status(
                    desk.ctx,
                    desk.user,
                    number,
                    target,
                    comment=choice.comment,
                    reminder=choice.reminder,
                ),
                done=lambda _: f"{number} is now {target}",
                changed=numbers,
            )
        else:
            self.run_service(
                lambda: queue.bulk_status(
                    desk.ctx,
                    desk.user,
                    numbers,
                    target,
                    comment=choice.comment,
                    reminder=choice.reminder,
                ),
                done=lambda r: r.line(f"set to {target}"),
                changed=numbers,
            )

    # -- close (CASE-6, SUB-3, TUI-4) ----------------------------------------------------
    def action_close(self) -> None:
        """`x`: close with a resolution (several: after a preview of what changes)."""
        targets = self._targets()
        if targets:
            self._ask_close(targets)

    def _ask_close(self, targets: list[CaseSummary]) -> None:
        dialog = CloseDialog(f"Close {label(targets)}", allow_duplicate=len(targets) == 1)
        self.app.push_screen(dialog, lambda choice: self._close_chosen(targets, choice))

    def _close_chosen(self, targets: list[CaseSummary], choice: CloseChoice | None) -> None:
        if choice is None:
            return
        if len(targets) == 1:
            self._close_one(targets[0].number, choice)
        else:
            self._preview_close([c.number for c in targets], choice)

    @work(thread=True, group="case-action", exit_on_error=False, description="close case")
    def _close_one(self, number: CaseNumber, choice: CloseChoice) -> None:
        desk = self.desk
        try:
            result = cases.close_case(
                desk.ctx,
                desk.user,
                number,
                choice.resolution,
                duplicate_of=choice.duplicate_of,
                comment=choice.comment,
            )
        except DomainError as error:
            self._refused(error)
            return
        what = f"duplicate of {choice.duplicate_of}" if choice.duplicate_of else choice.resolution
        self._report(f"{number} closed ({what})", [number])
        if result.parent_closable is not None:
            self.app.call_from_thread(
                self._offer_parent_close, number, result.parent_closable, choice.resolution
            )
        elif desk.mail_out is not None:
            self.app.call_from_thread(self._offer_closing_mail, number)

    def _offer_parent_close(
        self, number: CaseNumber, parent: CaseNumber, resolution: Resolution
    ) -> None:
        dialog = ConfirmDialog(
            f"Close the parent {parent} too?",
            f"{number} was its last open sub-case; {parent} would close as {resolution}.",
            yes="Close parent",
            no="Keep open",
        )

        def answered(yes: bool | None) -> None:
            if yes:
                self._close_parent(number, parent, resolution)

        self.app.push_screen(dialog, answered)

    def _close_parent(self, number: CaseNumber, parent: CaseNumber, resolution: Resolution) -> None:
        desk = self.desk
        self.run_service(
            lambda: cases.close_case(
                desk.ctx,
                desk.user,
                parent,
                resolution,
                comment=f"closed with its last sub-case {number}",
            ),
            done=lambda _: f"{parent} closed ({resolution})",
            changed=[parent],
        )

    @work(thread=True, group="case-dialog", exit_on_error=False, description="bulk preview")
    def _preview_close(self, numbers: list[CaseNumber], choice: CloseChoice) -> None:
        preview = queue.preview_status(self.desk.ctx, numbers, Status.CLOSED, choice.resolution)
        self.app.call_from_thread(self._confirm_bulk_close, numbers, choice, preview.line())

    def _confirm_bulk_close(
        self, numbers: list[CaseNumber], choice: CloseChoice, line: str
    ) -> None:
        desk = self.desk

        def answered(yes: bool | None) -> None:
            if yes:
                self.run_service(
                    lambda: queue.bulk_close(
                        desk.ctx, desk.user, numbers, choice.resolution, comment=choice.comment
                    ),
                    done=lambda r: r.line("closed"),
                    changed=numbers,
                )

        dialog = ConfirmDialog(f"Close {len(numbers)} cases?", line, yes="Close all")
        self.app.push_screen(dialog, answered)

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
        self.app.push_screen(dialog, lambda choice: self._delegate_chosen(targets, choice))

    def _delegate_chosen(self, targets: list[CaseSummary], choice: DelegateChoice | None) -> None:
        if choice is None:
            return
        desk, numbers = self.desk, [c.number for c in targets]
        if len(numbers) == 1:
            number = numbers[0]
            self.run_service(
                lambda: cases.delegate_case(
                    desk.ctx,
                    desk.user,
                    number,
                    user=choice.user,
                    group=choice.group,
                    comment=choice.comment,
                ),
                done=lambda r: (
                    f"{number} delegated to {choice.target}"
                    if r.changed
                    else f"{number} already is with {choice.target}"
                ),
                changed=numbers,
            )
        else:
            self.run_service(
                lambda: queue.bulk_delegate(
                    desk.ctx,
                    desk.user,
                    numbers,
                    user=choice.user,
                    group=choice.group,
                    comment=choice.comment,
                ),
                done=lambda r: r.line(f"delegated to {choice.target}"),
                changed=numbers,
            )

    # -- comment, external action, phone note (ACT-1…5) -------------------------------------
    def action_comment(self) -> None:
        """`c`: write an internal comment (several cases: the same one on each)."""
        self._write(ActivityKind.COMMENT)

    def action_external(self) -> None:
        """Write an external action, visible to the customer (ACT-2)."""
        self._write(ActivityKind.EXTERNAL)

    def action_phone(self) -> None:
        """Write a phone note."""
        self._write(ActivityKind.PHONE)

    def _write(self, kind: ActivityKind, *, by_mail: bool = False) -> None:
        targets = self._targets()
        if not targets:
            return
        if len(targets) == 1:
            from helpdesk_tui.screens.compose import ComposeScreen  # lazy: compose imports this

            self.app.push_screen(ComposeScreen(targets[0], kind, by_mail=by_mail))
            return
        desk, numbers = self.desk, [c.number for c in targets]
        if by_mail:
            self._bulk_reply(targets)
            return

        def written(text: str | None) -> None:
            if text:
                self.run_service(
                    lambda: queue.bulk_comment(desk.ctx, desk.user, numbers, text, kind=kind),
                    done=lambda r: r.line(f"got the {KIND_NOUNS[kind].lower()}"),
                    changed=numbers,
                )

        dialog = TextDialog(
            f"{KIND_NOUNS[kind]} on {label(targets)}", label="Text:", multiline=True
        )
        self.app.push_screen(dialog, written)

    # -- reopen (CASE-7) -------------------------------------------------------------------
    def action_reopen(self) -> None:
        """`r`: reopen closed case(s), with an optional comment (the workflow decides who)."""
        targets = self._targets()
        if not targets:
            return
        numbers = [c.number for c in targets]

        def answered(comment: str | None) -> None:
            if comment is not None:
                self._reopen(numbers, comment)

        self.app.push_screen(ReopenDialog(label(targets)), answered)

    def _reopen(self, numbers: list[CaseNumber], comment: str) -> None:
        desk = self.desk
        if len(numbers) == 1:
            number = numbers[0]
            self.run_service(
                lambda: cases.reopen_case(desk.ctx, desk.user, number, comment=comment),
                done=lambda reopened: f"{' and '.join(map(str, reopened))} reopened",
                changed=numbers,
            )
        else:
            self.run_service(
                lambda: queue.each_case(
                    numbers,
                    lambda n: cases.reopen_case(desk.ctx, desk.user, n, comment=comment),
                ),
                done=lambda r: r.line("reopened"),
                changed=numbers,
            )

    # -- sub-case (SUB-1, SUB-2) and header edits --------------------------------------------
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
        parent = targets[0]
        dialog = SubCaseDialog(parent, agents, groups, today=today)
        self.app.push_screen(dialog, lambda choice: self._subcase_chosen(parent, choice))

    def _subcase_chosen(self, parent: CaseSummary, choice: SubCaseChoice | None) -> None:
        if choice is None:
            return
        desk = self.desk
        self.run_service(
            lambda: cases.create_case(
                desk.ctx,
                desk.user,
                subject=choice.subject,
                contact=parent.contact_email,
                user=choice.user,
                group=choice.group,
                type_key=parent.type,
                priority=Priority(parent.priority),
                due=choice.due,
                parent=parent.number,
            ),
            done=lambda number: f"sub-case {number} created",
            changed=[parent.number],
        )

    def action_edit(self) -> None:
        """`e`: edit the header fields of an open case (CASE-1; closed cases are read-only)."""
        targets = self._targets()
        if len(targets) != 1:
            if targets:
                self.notify("Edit one case at a time", severity="warning")
            return
        case = targets[0]
        if case.status == Status.CLOSED:
            self.notify(f"{case.number} is closed: reopen it to edit", severity="warning")
            return
        desk = self.desk
        dialog = EditDialog(case, desk.ctx.policy.case_types, today=desk.today())

        def edited(values: dict[str, object] | None) -> None:
            if values is None:
                return
            if not values:
                self.notify("Nothing changed")
                return
            self.run_service(
                lambda: cases.edit_case(desk.ctx, desk.user, case.number, values),
                done=lambda changed: f"{case.number} saved" if changed else "Nothing changed",
                changed=[case.number],
            )

        self.app.push_screen(dialog, edited)
