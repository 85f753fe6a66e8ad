"""The TUI's one door to the data: blocking calls, meant to run in thread workers.

Every method opens its own read connection or unit of work and returns frozen data
(summaries, details, results) — never a live ORM object — so the result can cross to
the event loop safely.
"""

import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from helpdesk_tui.domain.enums import Role
from helpdesk_tui.domain.errors import NotFoundError, ValidationError
from helpdesk_tui.domain.numbering import CaseNumber
from helpdesk_tui.domain.query import VIEWS, CaseQuery, view_query
from helpdesk_tui.domain.templates import CannedResponse
from helpdesk_tui.services.context import Context
from helpdesk_tui.storage.readmodels import COUNT_CAP, MailEntry
from helpdesk_tui.storage.reads import CaseDetail, CaseSummary, Cursor, Sort, open_reads

if TYPE_CHECKING:
    from helpdesk_tui.services.outbox import BulkMailPreview, BulkMailResult, MailOut, Queued

#: Sidebar views in display order, with their labels (VIEW-1).
VIEW_LABELS = {
    "mine": "My cases",
    "groups": "My groups",
    "unassigned": "Unassigned",
    "overdue": "Overdue",
    "reminder": "Reminder due",
    "waiting": "Waiting",
    "open": "Not closed",
    "closed": "Closed",
    "all": "All",
}
assert tuple(VIEW_LABELS) == VIEWS


@dataclass(frozen=True)
class Page:
    """Rows of a list page plus whether more exist beyond them."""

    rows: list[CaseSummary]
    more: bool


@dataclass(frozen=True)
class CustomerContext:
    """VIEW-4: the contact's and the account's other cases."""

    contact_cases: list[CaseSummary] = field(default_factory=list)
    account_cases: list[CaseSummary] = field(default_factory=list)


@dataclass
class Desk:
    """The acting agent at a database: what the TUI reads and does."""

    ctx: Context
    user: str
    canned: tuple[CannedResponse, ...] = ()
    mail_out: "MailOut | None" = None
    """Outgoing mail settings; None: no [smtp], so replies cannot be mailed."""
    wake_sender: Callable[[], None] = lambda: None
    """Called after mail is queued, so the sender looks at once."""

    # -- reading ---------------------------------------------------------------------
    def page(
        self,
        query: CaseQuery,
        *,
        limit: int,
        sort: Sort | None = None,
        after: Cursor | None = None,
        before: Cursor | None = None,
        from_end: bool = False,
    ) -> Page:
        """One keyset page (asks for one row more than `limit` to know if more exist)."""
        with open_reads(self.ctx.location) as store:
            rows = store.list_cases(
                query,
                me=self.user,
                today=self.today(),
                limit=limit + 1,
                sort=sort,
                after=after,
                before=before,
                from_end=from_end,
            )
        more = len(rows) > limit
        if more:
            rows = rows[1:] if (before is not None or from_end) else rows[:limit]
        return Page(rows, more)

    def counts(self, views: Sequence[str] = VIEWS) -> dict[str, int]:
        """Capped counts per view for the sidebar (> COUNT_CAP shows as "9999+")."""
        with open_reads(self.ctx.location) as store:
            return {
                view: store.count_cases(
                    view_query(view), me=self.user, today=self.today(), cap=COUNT_CAP
                )
                for view in views
            }

    def count_queries(self, queries: Mapping[str, CaseQuery]) -> dict[str, int]:
        """Capped counts of arbitrary queries on one connection (group views, "of ~N")."""
        with open_reads(self.ctx.location) as store:
            return {
                key: store.count_cases(query, me=self.user, today=self.today(), cap=COUNT_CAP)
                for key, query in queries.items()
            }

    def detail(self, number: CaseNumber) -> CaseDetail:
        """A case with sub-cases and timeline."""
        with open_reads(self.ctx.location) as store:
            return store.case_detail(number)

    def customer_context(self, case: CaseSummary, limit: int = 20) -> CustomerContext:
        """Other cases of the same contact and account, newest due first."""
        with open_reads(self.ctx.location) as store:

            def others(query: CaseQuery) -> list[CaseSummary]:
                rows = store.list_cases(query, me=self.user, today=self.today(), limit=limit + 1)
                return [r for r in rows if r.number != case.number][:limit]

            contact = others(CaseQuery(contacts=frozenset({case.contact_email})))
            account = others(CaseQuery(accounts=frozenset({case.account}))) if case.account else []
        return CustomerContext(contact, account)

    @contextmanager
    def watch_changes(self) -> Iterator[Callable[[], object]]:
        """A change-token reader on one long-lived connection, for a polling thread.

        SQLite's `PRAGMA data_version` only moves between two calls on the *same*
        connection, so a poller must keep its connection (and use it from one thread).
        """
        with open_reads(self.ctx.location) as store:
            yield store.change_token

    # -- mail ------------------------------------------------------------------------
    def unfiled(self, limit: int = 200) -> list[MailEntry]:
        """The unfiled inbox, newest first (MAIL-3)."""
        with open_reads(self.ctx.location) as store:
            return store.unfiled_mails(limit)

    def unfiled_count(self) -> int:
        """How many mails wait in the unfiled inbox (capped)."""
        with open_reads(self.ctx.location) as store:
            return store.unfiled_count(COUNT_CAP)

    def refile(self, mail_id: str, number: CaseNumber) -> None:
        """Move a mail (from a case or from the inbox) onto case `number`."""
        from helpdesk_tui.services.filing import refile  # lazy: keeps the TUI's start light

        refile(self.ctx, self.user, uuid.UUID(mail_id), number)

    def open_case(self, mail_id: str) -> CaseNumber:
        """Turn an unfiled mail into a new case of the acting agent (MAIL-8)."""
        from helpdesk_tui.services.filing import open_case  # lazy: keeps the TUI's start light

        return open_case(self.ctx, self.user, uuid.UUID(mail_id))

    def _out(self) -> "MailOut":
        if self.mail_out is None:
            raise ValidationError("no [smtp] in the config: mail cannot be sent")
        return self.mail_out

    def reply(
        self,
        number: CaseNumber,
        text: str,
        *,
        attachments: Sequence[str] = (),
        time_spent_centi: int | None = None,
    ) -> "Queued":
        """An external action mailed to the requester (files attached by path)."""
        from helpdesk_tui.mail.outgoing import OutgoingAttachment
        from helpdesk_tui.services.outbox import queue_reply  # lazy: the write stack

        files = []
        for name in attachments:
            path = Path(name).expanduser()
            try:
                files.append(OutgoingAttachment(path.name, path.read_bytes()))
            except OSError as error:
                raise ValidationError(f"cannot attach {name}: {error.strerror}") from None
        queued = queue_reply(
            self.ctx,
            self._out(),
            self.user,
            number,
            text,
            attachments=files,
            time_spent_centi=time_spent_centi,
        )
        self.wake_sender()
        return queued

    def interim_update(self, number: CaseNumber) -> "Queued":
        """Mail the requester the external actions so far, newest first."""
        from helpdesk_tui.services.outbox import send_interim_update

        queued = send_interim_update(self.ctx, self._out(), self.user, number)
        self.wake_sender()
        return queued

    def closing_mail(self, number: CaseNumber) -> "Queued":
        """Mail the requester that the case is closed, with its history."""
        from helpdesk_tui.services.outbox import send_closing_mail

        queued = send_closing_mail(self.ctx, self._out(), self.user, number)
        self.wake_sender()
        return queued

    def bulk_reply_preview(self, numbers: Sequence[CaseNumber]) -> "list[BulkMailPreview]":
        """Who would get the bulk reply."""
        from helpdesk_tui.services.outbox import preview_bulk_reply

        return preview_bulk_reply(self.ctx, self._out(), numbers)

    def bulk_reply(self, numbers: Sequence[CaseNumber], text: str) -> "BulkMailResult":
        """The same external action on many cases, mailed to every requester."""
        from helpdesk_tui.services.outbox import bulk_reply

        result = bulk_reply(self.ctx, self._out(), self.user, numbers, text)
        self.wake_sender()
        return result

    def unsent_count(self) -> int:
        """Outgoing mail not delivered yet (the status line shows it)."""
        if self.mail_out is None:
            return 0
        from helpdesk_tui.services.outbox import PENDING
        from helpdesk_tui.services.outbox_control import outbox_counts

        counts = outbox_counts(self.ctx)
        return sum(n for state, n in counts.items() if state in PENDING)

    def agents(self) -> list[str]:
        """Usernames of active agents, for the delegate dialog (removed ones take no cases)."""
        with self.ctx.uow(write=False) as uow:
            return sorted(name for name, row in uow.directory.agents().items() if row.active)

    def groups(self) -> list[str]:
        """Group names, for the delegate dialog."""
        with self.ctx.uow(write=False) as uow:
            return sorted(uow.directory.groups())

    def my_groups(self) -> list[str]:
        """The acting agent's groups (sidebar entries)."""
        with self.ctx.uow(write=False) as uow:
            return sorted(uow.directory.actor(self.user).groups)

    def role(self) -> Role:
        """The acting agent's role: which status changes the dialogs offer (SEC-3)."""
        with self.ctx.uow(write=False) as uow:
            return uow.directory.actor(self.user).role

    def exists(self, number: CaseNumber) -> bool:
        """Whether a case exists (jump-to-number)."""
        try:
            self.detail(number)
        except NotFoundError:
            return False
        return True

    def today(self) -> date:
        """Today by the context's clock."""
        return self.ctx.today()
