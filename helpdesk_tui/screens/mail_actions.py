"""Mail flows on cases (MAIL-5, TUI-4): reply by mail (one case: compose; marked cases:
a preview first), interim update, and the closing mail offered after a close."""

from typing import Any

from textual import work

from helpdesk_tui.dialogs.confirm import ConfirmDialog
from helpdesk_tui.dialogs.text import TextDialog
from helpdesk_tui.domain.enums import ActivityKind
from helpdesk_tui.domain.errors import DomainError
from helpdesk_tui.domain.numbering import CaseNumber
from helpdesk_tui.screens.action_base import ActionBase, label
from helpdesk_tui.storage.reads import CaseSummary


class MailActions(ActionBase):
    """Mix-in: the mail actions; `_write` (case_actions) opens compose for one case."""

    def _write(self, kind: ActivityKind, *, by_mail: bool = False) -> None:
        raise NotImplementedError

    def action_reply(self) -> None:
        """`M`: an external action mailed to the requester (several cases: after a preview)."""
        if self.desk.mail_out is None:
            self.notify("No [smtp] in the config: mail cannot be sent", severity="warning")
            return
        self._write(ActivityKind.EXTERNAL, by_mail=True)

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

        def answered(yes: bool | None) -> None:
            if yes:
                self.run_service(
                    lambda: desk.bulk_reply(numbers, text),
                    done=lambda r: (
                        f"{len(r.queued)} replies queued"
                        + (f", {len(r.refused)} refused" if r.refused else "")
                    ),
                    changed=numbers,
                )

        self.app.push_screen(dialog, answered)

    def _offer_closing_mail(self, number: CaseNumber) -> None:
        """MAIL-5: closing can send the requester the closing mail with the history (asks)."""
        dialog = ConfirmDialog(
            f"Send the closing mail for {number}?",
            "The requester gets the resolution and the case history.",
            yes="Send",
            no="Don't send",
        )
        desk = self.desk

        def answered(yes: bool | None) -> None:
            if yes:
                self.run_service(
                    lambda: desk.closing_mail(number),
                    done=lambda q: f"{number}: closing mail queued for {q.recipient}",
                    changed=[number],
                )

        self.app.push_screen(dialog, answered)
