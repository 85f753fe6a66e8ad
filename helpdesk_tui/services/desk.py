"""The TUI's one door to the data: blocking calls, meant to run in thread workers.

Every method opens its own read connection or unit of work and returns frozen data
(summaries, details, results) — never a live ORM object — so the result can cross to
the event loop safely.
"""

import json
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from helpdesk_tui.domain.case import reopen_dates
from helpdesk_tui.domain.enums import ActivityKind, Priority, Resolution, Role, Status
from helpdesk_tui.domain.errors import NotFoundError, ValidationError
from helpdesk_tui.domain.notification_mail import MailChoice, choice_of, describe_choice
from helpdesk_tui.domain.numbering import CaseNumber
from helpdesk_tui.domain.policy import CaseType
from helpdesk_tui.domain.query import VIEWS, CaseQuery, view_query
from helpdesk_tui.domain.sla import sla_view
from helpdesk_tui.domain.templates import CannedResponse
from helpdesk_tui.services import cases, queue, timers
from helpdesk_tui.services.context import Context
from helpdesk_tui.storage.readmodels import (
    COUNT_CAP,
    MailEntry,
    MailListItem,
    MailStats,
    NotificationView,
)
from helpdesk_tui.storage.reads import CaseDetail, CaseSummary, Cursor, Sort, open_reads

if TYPE_CHECKING:
    from helpdesk_tui.domain.feed import FeedFilter, FeedScope
    from helpdesk_tui.domain.mail_query import MailFilter
    from helpdesk_tui.services.outbox import BulkMailPreview, BulkMailResult, MailOut, Queued
    from helpdesk_tui.storage.activityreads import FeedCursor, FeedPage
    from helpdesk_tui.storage.attachments import StoredAttachment
    from helpdesk_tui.storage.contactreads import ContactCard
    from helpdesk_tui.storage.outbox import OutboxEntry
    from helpdesk_tui.storage.peoplereads import ContactEntry
    from helpdesk_tui.storage.statsmodels import Dashboard


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


@dataclass(frozen=True)
class NewCaseChoices:
    """What the new-case form offers and fills in: types, people, the default dates."""

    types: tuple[CaseType, ...]
    default_type: str
    default_priority: Priority
    agents: list[str]
    groups: list[str]
    me: str
    today: date
    due: date
    reminder: date


@dataclass(frozen=True)
class NewCase:
    """Everything the new-case form collected (CASE-2); the domain checks it on create."""

    subject: str
    contact: str
    type_key: str
    priority: Priority
    user: str | None = None
    group: str | None = None
    contact_name: str = ""
    contact_phone: str = ""
    description: str = ""
    due: date | None = None
    reminder: date | None = None
    fields: Mapping[str, str] = field(default_factory=dict)


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
    mail_default: MailChoice = MailChoice.OFF
    """`[notifications] email`: notification mail for agents without a choice of their own."""

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
                now=self.now(),
                sla_horizon=self._sla_horizon(query),
            )
        more = len(rows) > limit
        if more:
            rows = rows[1:] if (before is not None or from_end) else rows[:limit]
        return Page(self.with_sla(rows), more)

    # -- SLA (DATE-3) ------------------------------------------------------------------
    @property
    def sla_enabled(self) -> bool:
        """SLA policies are configured: the queue shows the SLA column, views and sort."""
        return self.ctx.policy.sla is not None

    def _sla_horizon(self, query: CaseQuery) -> datetime | None:
        """What bounds "SLA at risk" to an index range (None for other queries)."""
        rules = self.ctx.policy.sla
        if rules is None or not query.sla_at_risk:
            return None
        return rules.risk_horizon(self.now())

    def with_sla(self, rows: list[CaseSummary]) -> list[CaseSummary]:
        """`rows` with their SLA as of now (`sla_view`), where SLA policies are configured."""
        rules = self.ctx.policy.sla
        if rules is None or not any(r.sla for r in rows):
            return rows
        now = self.now()
        return [
            replace(r, sla_view=sla_view(json.loads(r.sla), rules.calendar, now)) if r.sla else r
            for r in rows
        ]

    def check_query(self, query: CaseQuery) -> None:
        """Refuse (NotFoundError) a query naming users or groups that do not exist."""
        with open_reads(self.ctx.location) as store:
            store.check_names(query)

    def case_exists(self, number: CaseNumber) -> bool:
        """Whether case `number` exists (go to case, `#`)."""
        with open_reads(self.ctx.location) as store:
            return bool(store.summaries([number]))

    def counts(self, views: Sequence[str] = VIEWS) -> dict[str, int]:
        """Capped counts per view for the sidebar (> COUNT_CAP shows as "9999+")."""
        now = self.now()
        with open_reads(self.ctx.location) as store:
            return {
                view: store.count_cases(
                    view_query(view),
                    me=self.user,
                    today=self.today(),
                    cap=COUNT_CAP,
                    now=now,
                    sla_horizon=self._sla_horizon(view_query(view)),
                )
                for view in views
            }

    def count_queries(self, queries: Mapping[str, CaseQuery]) -> dict[str, int]:
        """Capped counts of arbitrary queries on one connection (group views, "of ~N")."""
        with open_reads(self.ctx.location) as store:
            return {
                key: store.count_cases(
                    query,
                    me=self.user,
                    today=self.today(),
                    cap=COUNT_CAP,
                    now=self.now(),
                    sla_horizon=self._sla_horizon(query),
                )
                for key, query in queries.items()
            }

    def detail(self, number: CaseNumber) -> CaseDetail:
        """A case with sub-cases and timeline (and its SLA as of now, see `with_sla`)."""
        with open_reads(self.ctx.location) as store:
            detail = store.case_detail(number)
        if detail.case.sla and self.ctx.policy.sla is not None:
            detail = replace(detail, case=self.with_sla([detail.case])[0])
        return detail

    def customer_context(self, case: CaseSummary, limit: int = 20) -> CustomerContext:
        """Other cases of the same contact and account, newest due first."""
        with open_reads(self.ctx.location) as store:

            def others(query: CaseQuery) -> list[CaseSummary]:
                rows = store.list_cases(query, me=self.user, today=self.today(), limit=limit + 1)
                return [r for r in rows if r.number != case.number][:limit]

            contact = others(CaseQuery(contacts=frozenset({case.contact_email})))
            account = others(CaseQuery(accounts=frozenset({case.account}))) if case.account else []
        return CustomerContext(contact, account)

    # -- attachments (ACT-6) -------------------------------------------------------------
    def attachments(self, number: CaseNumber) -> list["StoredAttachment"]:
        """The attachments of a case's mails, oldest mail first."""
        from helpdesk_tui.services import attachments

        return attachments.list_for_case(self.ctx, number)

    def save_attachment(self, number: CaseNumber, attachment_id: str, folder: Path) -> Path:
        """Write one attachment into `folder` (never over a file); the new path."""
        from helpdesk_tui.services import attachments

        return attachments.save(self.ctx, number, attachment_id, folder)

    def open_attachment(self, number: CaseNumber, attachment_id: str) -> Path:
        """Hand one attachment to the desktop opener (saved privately first)."""
        from helpdesk_tui.services import attachments

        return attachments.open_with_desktop(self.ctx, number, attachment_id)

    def contact_card(self, email: str) -> "ContactCard":
        """VIEW-4: the contact (or a sender known from mail only) with its account, its
        cases (open first) and the time spent on them; NotFoundError when unknown."""
        with open_reads(self.ctx.location) as store:
            card = store.contacts.card(email)
        if card is None:
            raise NotFoundError(f"no contact {email.strip()}")
        return card

    def recent_mail(self, sender: str, limit: int = 20) -> list[MailListItem]:
        """VIEW-4: the newest `limit` mails of `sender`, archived ones too, newest first
        (a page of each, merged)."""
        from helpdesk_tui.domain.mail_query import MailFilter

        address = sender.strip().lower()
        pages = [
            self.mail_page(MailFilter(sender=address, archived=archived), limit=limit)
            for archived in (False, True)
        ]
        merged = sorted((m for page in pages for m in page), key=lambda m: m.cursor, reverse=True)
        return merged[:limit]

    # -- the activity feed (issue 13) ---------------------------------------------------
    def feed(
        self,
        scope: "FeedScope",
        feed: "FeedFilter | None" = None,
        *,
        limit: int = 50,
        after: "FeedCursor | None" = None,
    ) -> "FeedPage":
        """One page of the activity feed, newest first (refuses `all` to agents)."""
        from helpdesk_tui.domain.feed import FeedFilter
        from helpdesk_tui.services.activity import feed_page

        return feed_page(self.ctx, self.user, scope, feed or FeedFilter(), limit=limit, after=after)

    def feed_seen_at(self) -> datetime | None:
        """When the agent last left the activity screen ("since you last looked")."""
        from helpdesk_tui.services.activity import seen_at

        return seen_at(self.ctx, self.user)

    def mark_feed_seen(self, at: datetime) -> None:
        """The agent saw the feed up to `at` (they left the activity screen)."""
        from helpdesk_tui.services.activity import mark_seen

        mark_seen(self.ctx, self.user, at)

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
            return store.mail.unfiled(limit)

    def unfiled_count(self) -> int:
        """How many mails wait in the unfiled inbox (capped)."""
        with open_reads(self.ctx.location) as store:
            return store.mail.unfiled_count(COUNT_CAP)

    def refile(self, mail_id: str, number: CaseNumber) -> None:
        """Move a mail (from a case or from the inbox) onto case `number`."""
        from helpdesk_tui.services.filing import refile  # lazy: keeps the TUI's start light

        refile(self.ctx, self.user, uuid.UUID(mail_id), number)

    def open_case(self, mail_id: str) -> CaseNumber:
        """Turn an unfiled mail into a new case of the acting agent (MAIL-8)."""
        from helpdesk_tui.services.filing import open_case  # lazy: keeps the TUI's start light

        return open_case(self.ctx, self.user, uuid.UUID(mail_id))

    # -- the conversations inbox (MAIL-8, issue 14) ------------------------------------
    def mail_page(
        self,
        filter: "MailFilter",  # noqa: A002 (the contract's name)
        after: tuple[datetime, uuid.UUID] | None = None,
        limit: int = 100,
    ) -> list[MailListItem]:
        """One keyset page of inbound mail matching `filter`, newest first."""
        from helpdesk_tui.services.conversations import mail_page

        return mail_page(self.ctx, filter, after=after, limit=limit, now=self.now())

    def mail_stats(self) -> MailStats:
        """The weekly review's counters."""
        from helpdesk_tui.services.conversations import mail_stats

        return mail_stats(self.ctx, now=self.now())

    def dashboard(self, group: str | None) -> "Dashboard":
        """The dashboard's numbers and series (issue 15 §5) as this user may see them
        (leads/admins: all groups; agents: their own); DomainError for an unknown or
        forbidden group."""
        from helpdesk_tui.services.reports import dashboard

        return dashboard(self.ctx, self.user, group)

    def open_mail(self, mail_id: uuid.UUID) -> MailEntry:
        """A mail to read; opening marks it read."""
        from helpdesk_tui.services.conversations import open_mail

        return open_mail(self.ctx, self.user, mail_id)

    def classify(
        self,
        mail_ids: Sequence[uuid.UUID],
        mail_class: str,
        *,
        account: str | None = None,
        remember: 'Literal["address", "domain"] | None' = None,
    ) -> int:
        """Classify these mails (by their senders); returns how many mails changed.
        `remember` keeps the class for the sender's address or domain (past
        unclassified and future mail)."""
        from helpdesk_tui.services.conversations import classify

        return classify(
            self.ctx, self.user, mail_ids, mail_class, account=account, remember=remember
        )

    def classify_sender_preview(self, sender: str) -> int:
        """How many unclassified mails `sender` (an address or a domain) has."""
        from helpdesk_tui.services.conversations import sender_preview

        return sender_preview(self.ctx, sender)

    def classify_sender(
        self,
        sender: str,
        mail_class: str,
        *,
        account: str | None = None,
        remember: 'Literal["address", "domain"] | None' = "address",
    ) -> int:
        """Classify all mail of `sender` (an address, or a domain); returns mails changed."""
        from helpdesk_tui.services.conversations import classify_sender

        return classify_sender(
            self.ctx, self.user, sender, mail_class, account=account, remember=remember
        )

    def archive(self, mail_ids: Sequence[uuid.UUID]) -> int:
        """Archive these mails (hidden unless filtered for); returns how many changed."""
        from helpdesk_tui.services.conversations import archive

        return archive(self.ctx, self.user, mail_ids)

    def accounts_matching(self, text: str, limit: int = 20) -> list[str]:
        """Account names matching `text` (fuzzy: all its letters in order), best first."""
        from helpdesk_tui.services.conversations import accounts_matching

        return accounts_matching(self.ctx, text, limit)

    def create_account(self, name: str) -> str:
        """Create an account (or find it by that name); returns its name."""
        from helpdesk_tui.services.conversations import create_account

        return create_account(self.ctx, self.user, name)

    def suggested_class(self, mail_id: uuid.UUID) -> str | None:
        """The class the classify dialog proposes (e.g. "newsletter" for bulk mail)."""
        from helpdesk_tui.services.conversations import suggested_class

        return suggested_class(self.ctx, mail_id)

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

    def display_name(self) -> str:
        """The acting agent's name as customers read it (`{agent_name}`), else the login."""
        with self.ctx.uow(write=False) as uow:
            row = uow.directory.agents().get(self.user)
            name = row.name if row else ""
        return name or self.user

    def role(self) -> Role:
        """The acting agent's role: which status changes the dialogs offer (SEC-3)."""
        with self.ctx.uow(write=False) as uow:
            return uow.directory.actor(self.user).role

    def today(self) -> date:
        """Today by the context's clock."""
        return self.ctx.today()

    def now(self) -> datetime:
        """Now by the context's clock (the compose timer counts from it)."""
        return self.ctx.clock()

    def database_label(self) -> str:
        """Where the data lives, for the status line."""
        return self.ctx.location.display()

    # -- acting on cases (each call is one use case of services/cases or services/queue) --
    def assign_to_me(self, number: CaseNumber) -> cases.AssignResult:
        """Take a case (ASSIGN-2)."""
        return cases.assign_to_me(self.ctx, self.user, number)

    def assign_all_to_me(self, numbers: Sequence[CaseNumber]) -> queue.BulkResult:
        """Take every marked case, each in its own transaction."""
        return queue.each_case(numbers, self.assign_to_me)

    def allowed_statuses(self, sources: Iterable[Status]) -> list[Status]:
        """The statuses the workflow lets this agent move cases in `sources` to, in order."""
        role = self.role()
        workflow = self.ctx.policy.workflow
        allowed = {target for source in sources for target in workflow.targets(source, role)}
        return [status for status in Status if status in allowed]

    def change_status(
        self,
        number: CaseNumber,
        target: Status,
        *,
        comment: str = "",
        reminder: date | None = None,
        due: date | None = None,
    ) -> None:
        """Move a case to `target` (CASE-4; Waiting needs comment and reminder, CASE-5);
        `due` moves the due date in the same transaction."""
        cases.change_status(
            self.ctx, self.user, number, target, comment=comment, reminder=reminder, due=due
        )

    def preview_status(
        self,
        numbers: Sequence[CaseNumber],
        target: Status,
        *,
        comment: str = "",
        reminder: date | None = None,
    ) -> queue.BulkPreview:
        """What setting the status of the marked cases would do, case by case."""
        return queue.preview_status(
            self.ctx, self.user, numbers, target, comment=comment, reminder=reminder
        )

    def bulk_status(
        self,
        numbers: Sequence[CaseNumber],
        target: Status,
        *,
        comment: str = "",
        reminder: date | None = None,
    ) -> queue.BulkResult:
        """Move every marked case to `target`."""
        return queue.bulk_status(
            self.ctx, self.user, numbers, target, comment=comment, reminder=reminder
        )

    def close_case(
        self,
        number: CaseNumber,
        resolution: Resolution,
        *,
        duplicate_of: CaseNumber | None = None,
        comment: str = "",
    ) -> cases.CloseResult:
        """Close a case with a resolution (CASE-6)."""
        return cases.close_case(
            self.ctx, self.user, number, resolution, duplicate_of=duplicate_of, comment=comment
        )

    def preview_close(
        self, numbers: Sequence[CaseNumber], resolution: Resolution, *, comment: str = ""
    ) -> queue.BulkPreview:
        """What closing the marked cases would do, case by case (shown before a bulk close)."""
        return queue.preview_close(self.ctx, self.user, numbers, resolution, comment=comment)

    def bulk_close(
        self, numbers: Sequence[CaseNumber], resolution: Resolution, *, comment: str = ""
    ) -> queue.BulkResult:
        """Close every marked case with one resolution."""
        return queue.bulk_close(self.ctx, self.user, numbers, resolution, comment=comment)

    def delegate(
        self,
        number: CaseNumber,
        *,
        user: str | None = None,
        group: str | None = None,
        comment: str = "",
    ) -> cases.AssignResult:
        """Hand a case to a user or a group (ASSIGN-1, ASSIGN-4)."""
        return cases.delegate_case(
            self.ctx, self.user, number, user=user, group=group, comment=comment
        )

    def bulk_delegate(
        self,
        numbers: Sequence[CaseNumber],
        *,
        user: str | None = None,
        group: str | None = None,
        comment: str = "",
    ) -> queue.BulkResult:
        """Hand every marked case to one user or group."""
        return queue.bulk_delegate(
            self.ctx, self.user, numbers, user=user, group=group, comment=comment
        )

    def record_activity(
        self,
        number: CaseNumber,
        kind: ActivityKind,
        text: str,
        *,
        time_spent_centi: int | None = None,
    ) -> None:
        """An internal comment, external action or phone note (ACT-1…4)."""
        cases.record_activity(
            self.ctx, self.user, number, kind, text, time_spent_centi=time_spent_centi
        )

    def bulk_comment(
        self, numbers: Sequence[CaseNumber], text: str, *, kind: ActivityKind
    ) -> queue.BulkResult:
        """The same activity on every marked case."""
        return queue.bulk_comment(self.ctx, self.user, numbers, text, kind=kind)

    def reopen(
        self,
        number: CaseNumber,
        *,
        comment: str = "",
        due: date | None = None,
        reminder: date | None = None,
    ) -> list[CaseNumber]:
        """Reopen a closed case (CASE-7) with new dates (None: today + the configured
        days); returns every case reopened (a parent too)."""
        return cases.reopen_case(
            self.ctx, self.user, number, comment=comment, due=due, reminder=reminder
        )

    def reopen_all(
        self,
        numbers: Sequence[CaseNumber],
        *,
        comment: str = "",
        due: date | None = None,
        reminder: date | None = None,
    ) -> queue.BulkResult:
        """Reopen every marked case, each in its own transaction."""
        return queue.each_case(
            numbers, lambda n: self.reopen(n, comment=comment, due=due, reminder=reminder)
        )

    def reopen_defaults(self) -> tuple[date, date]:
        """The due and reminder dates a case reopened today gets unless told otherwise."""
        return reopen_dates(self.ctx.policy, self.today())

    def create_subcase(
        self,
        parent: CaseSummary,
        *,
        subject: str,
        user: str | None,
        group: str | None,
        due: date,
    ) -> CaseNumber:
        """Split a sub-case off `parent`: its contact, type and priority (SUB-1, SUB-2)."""
        return cases.create_case(
            self.ctx,
            self.user,
            subject=subject,
            contact=parent.contact_email,
            user=user,
            group=group,
            type_key=parent.type,
            priority=parent.priority,
            due=due,
            parent=parent.number,
        )

    def new_case_choices(self) -> NewCaseChoices:
        """Types, agents, groups and default dates for the new-case form (one read)."""
        policy, today = self.ctx.policy, self.today()
        with self.ctx.uow(write=False) as uow:
            agents = sorted(name for name, row in uow.directory.agents().items() if row.active)
            groups = sorted(uow.directory.groups())
        return NewCaseChoices(
            types=policy.case_types,
            default_type=policy.default_type,
            default_priority=policy.default_priority,
            agents=agents,
            groups=groups,
            me=self.user,
            today=today,
            due=policy.dates.due(today),
            reminder=min(policy.dates.reminder(today), policy.dates.due(today)),
        )

    def find_contacts(self, text: str) -> "list[ContactEntry]":
        """Known contacts whose address or name holds `text`'s letters in order."""
        with open_reads(self.ctx.location) as store:
            return store.people.contacts_matching(text)

    def create_case(self, new: NewCase) -> CaseNumber:
        """A new case from the new-case form (CASE-2); the domain refuses what is wrong."""
        return cases.create_case(
            self.ctx,
            self.user,
            subject=new.subject,
            contact=new.contact,
            user=new.user,
            group=new.group,
            type_key=new.type_key,
            priority=new.priority,
            description=new.description,
            due=new.due,
            reminder=new.reminder,
            contact_name=new.contact_name,
            contact_phone=new.contact_phone,
            custom=new.fields,
        )

    def edit(self, number: CaseNumber, values: Mapping[str, object]) -> bool:
        """Change header fields (CASE-1); whether anything changed."""
        return cases.edit_case(self.ctx, self.user, number, values)

    def case_types(self) -> tuple[CaseType, ...]:
        """The configured case types, for the edit dialog."""
        return self.ctx.policy.case_types

    def next_case(self) -> CaseNumber | None:
        """Assign me the most urgent unassigned case of my groups (None: there is none)."""
        return queue.next_case(self.ctx, self.user)

    # -- the time of one agent on one case (ACT-4) --------------------------------------
    def timer(self, number: CaseNumber) -> timers.TimerState | None:
        """The stored timer on a case, if any."""
        return timers.current_timer(self.ctx, self.user, number)

    def start_timer(self, number: CaseNumber) -> timers.TimerState:
        """Start or resume the timer."""
        return timers.start_timer(self.ctx, self.user, number)

    def pause_timer(self, number: CaseNumber) -> timers.TimerState:
        """Stop counting, keep the total."""
        return timers.pause_timer(self.ctx, self.user, number)

    def beat_timer(self, number: CaseNumber) -> timers.TimerState | None:
        """Persist the time counted so far (None: no timer)."""
        return timers.beat_timer(self.ctx, self.user, number)

    def take_timer(self, number: CaseNumber) -> timers.TimerState | None:
        """Remove the timer (its time went into an activity)."""
        return timers.take_timer(self.ctx, self.user, number)

    # -- the outbox (MAIL-5) ------------------------------------------------------------
    def outbox(self) -> "list[OutboxEntry]":
        """Outgoing mail not delivered yet, oldest first."""
        from helpdesk_tui.services.outbox_control import list_outbox  # lazy: the write stack

        return list_outbox(self.ctx)

    def cancel_mail(self, entry_id: uuid.UUID) -> None:
        """Take a queued mail back within its undo window."""
        from helpdesk_tui.services.outbox_control import cancel_mail

        cancel_mail(self.ctx, self.user, entry_id)

    def edit_mail(self, entry_id: uuid.UUID, text: str) -> None:
        """Change the text of a queued mail within its undo window."""
        from helpdesk_tui.services.outbox_control import edit_mail

        edit_mail(self.ctx, self.user, entry_id, text)

    def resend_mail(self, entry_id: uuid.UUID) -> None:
        """Send a failed or unknown-outcome mail again (the agent decided)."""
        from helpdesk_tui.services.outbox_control import resend_mail

        resend_mail(self.ctx, self.user, entry_id)

    # -- notifications (DATE-4) -------------------------------------------------------
    def unread_count(self) -> int:
        """How many notifications the agent has not read (capped at COUNT_CAP)."""
        with open_reads(self.ctx.location) as store:
            return store.notifications.unread_count(self.user, COUNT_CAP)

    def notifications(
        self, *, unread_only: bool = False, limit: int = 200
    ) -> list[NotificationView]:
        """The agent's notifications (those of their groups fanned out to them), newest
        first, at most `limit`."""
        with open_reads(self.ctx.location) as store:
            return store.notifications.of_agent(self.user, unread_only=unread_only, limit=limit)

    def mark_read(self, ids: Sequence[uuid.UUID]) -> int:
        """Mark these notifications read; returns how many were unread."""
        from helpdesk_tui.services.notifications import mark_read  # lazy: the write stack

        return mark_read(self.ctx, self.user, ids)

    def mark_all_read(self) -> int:
        """Mark all the agent's notifications read; returns how many were unread."""
        from helpdesk_tui.services.notifications import mark_all_read

        return mark_all_read(self.ctx, self.user)

    def mail_choice(self) -> MailChoice | None:
        """The agent's own choice of notification mail (None: the configured default)."""
        with open_reads(self.ctx.location) as store:
            own, _ = store.notifications.mail_choice(self.user)
        return None if own is None else choice_of(own, self.mail_default)

    def set_mail_choice(self, choice: MailChoice | None) -> list[str]:
        """Set the agent's own choice (None: back to the default); what it now is, in
        lines (the first says the mode, the rest why nothing is sent, if so)."""
        from helpdesk_tui.services.notification_mail import set_choice  # lazy: the ORM

        set_choice(self.ctx, self.user, choice)
        with open_reads(self.ctx.location) as store:
            own, address = store.notifications.mail_choice(self.user)
        return describe_choice(
            None if own is None else choice_of(own, self.mail_default),
            self.mail_default,
            address=address,
            can_send=self.mail_out is not None,
        )
