"""Case use cases: create, assign, status, close, reopen, edit, record, delete.

Each opens one unit of work, loads the aggregate, lets the domain decide, saves with a
compare-and-set on the version, and commits once: the case change and its activities
land together or not at all (CASE-8).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING

from helpdesk_tui.domain.activity import ActivityDraft
from helpdesk_tui.domain.case import Delegation, ParentView, new_case, reopen_dates
from helpdesk_tui.domain.enums import ActivityKind, Priority, Resolution, Status
from helpdesk_tui.domain.errors import (
    NotFoundError,
    PermissionDeniedError,
    ValidationError,
)
from helpdesk_tui.domain.header_values import MAX_NAME, check_address, header_text
from helpdesk_tui.domain.numbering import CaseNumber
from helpdesk_tui.domain.people import check_phone
from helpdesk_tui.services.context import Context, retrying

if TYPE_CHECKING:
    from datetime import datetime

    from helpdesk_tui.domain.case import Actor, Case
    from helpdesk_tui.storage.uow import UnitOfWork


def acting_on(
    ctx: Context, uow: UnitOfWork, actor_name: str, number: CaseNumber
) -> tuple[Actor, Case, datetime]:
    """How a use case on one case begins: the acting agent, the case as stored, and now."""
    return uow.directory.actor(actor_name), uow.cases.get(number), ctx.clock()


def create_case(
    ctx: Context,
    actor_name: str,
    *,
    subject: str,
    contact: str,
    user: str | None = None,
    group: str | None = None,
    type_key: str | None = None,
    priority: Priority | None = None,
    description: str = "",
    due: date | None = None,
    reminder: date | None = None,
    parent: CaseNumber | None = None,
    contact_name: str = "",
    contact_phone: str = "",
    custom: Mapping[str, str] | None = None,
) -> CaseNumber:
    """Create a case or sub-case (CASE-2, SUB-1, SUB-2) and return its new number.

    The contact's address must be one we can mail and the name is kept to one clean
    line (SEC-5): both end up in the headers of every mail of the case. An unknown address
    creates the contact, with `contact_name` and `contact_phone`. `custom` holds the
    custom fields of the case type (an empty value is left out).
    """
    if contact.strip():
        contact = check_address(contact, "contact address")
    contact_name = header_text(contact_name, MAX_NAME)
    phone = check_phone(contact_phone)

    def work(uow: UnitOfWork) -> CaseNumber:
        actor = uow.directory.actor(actor_name)
        delegation = Delegation(user=_user(uow, user), group=_group(uow, group))
        parent_view = uow.cases.parent_view(parent) if parent else None
        row = uow.directory.ensure_contact(contact, contact_name, phone)
        now = ctx.clock()
        case, created = new_case(
            policy=ctx.policy,
            actor=actor,
            now=now,
            subject=subject,
            contact=row.email,
            delegation=delegation,
            type_key=type_key,
            priority=priority,
            description=description,
            account=uow.directory.account_name(row.account_id),
            due=due,
            reminder=reminder,
            parent=parent_view,
            custom=custom,
        )
        number = uow.cases.add(case, actor, now, [created])
        if parent is not None:
            parent_case = uow.cases.get(parent)
            # Just after the sub-case's own entry: one order in every feed (no tie on `at`).
            noted = now + timedelta(microseconds=1)
            uow.cases.record(parent_case.id, actor, noted, [_sub_case_note(number, subject)])
        return number

    return retrying(ctx, work)


@dataclass(frozen=True)
class AssignResult:
    """What an assignment did: `changed` is False when the case already was there."""

    number: CaseNumber
    changed: bool
    delegation: Delegation


def assign_to_me(
    ctx: Context, actor_name: str, number: CaseNumber, *, comment: str = ""
) -> AssignResult:
    """ASSIGN-2: atomic pull; the loser of a race gets AlreadyAssignedError naming the winner."""

    def work(uow: UnitOfWork) -> AssignResult:
        actor, case, now = acting_on(ctx, uow, actor_name, number)
        return _assigned(uow, number, case, actor, now, case.assign_to_me(actor, now, comment))

    return retrying(ctx, work)


def delegate_case(
    ctx: Context,
    actor_name: str,
    number: CaseNumber,
    *,
    user: str | None = None,
    group: str | None = None,
    comment: str = "",
) -> AssignResult:
    """Hand a case to a user or a group, with an optional comment (ASSIGN-1, ASSIGN-4)."""

    def work(uow: UnitOfWork) -> AssignResult:
        actor = uow.directory.actor(actor_name)
        to = Delegation(user=_user(uow, user), group=_group(uow, group))
        case = uow.cases.get(number)
        now = ctx.clock()
        return _assigned(uow, number, case, actor, now, case.delegate(actor, now, to, comment))

    return retrying(ctx, work)


def change_status(
    ctx: Context,
    actor_name: str,
    number: CaseNumber,
    target: Status,
    *,
    comment: str = "",
    reminder: date | None = None,
    due: date | None = None,
) -> None:
    """Move a case to open / in_progress / waiting (CASE-4, CASE-5, ASSIGN-3); `due` moves
    the due date in the same transaction (a wait that outlasts it)."""

    def work(uow: UnitOfWork) -> None:
        actor, case, now = acting_on(ctx, uow, actor_name, number)
        parent, latest_sub_due = _due_bounds(uow, number, case) if due else (None, None)
        drafts = case.change_status(
            actor,
            now,
            ctx.policy,
            target,
            comment=comment,
            reminder=reminder,
            due=due,
            parent=parent,
            latest_sub_due=latest_sub_due,
        )
        uow.cases.save(case, actor, now, drafts)

    retrying(ctx, work)


def _due_bounds(
    uow: UnitOfWork, number: CaseNumber, case: Case
) -> tuple[ParentView | None, date | None]:
    """What limits a case's due: its parent's due, its open sub-cases' latest due."""
    parent = uow.cases.parent_view(case.parent) if case.parent else None
    subs = [] if number.is_sub_case else uow.cases.sub_cases(number)
    latest = max((d for _, status, d in subs if status is not Status.CLOSED), default=None)
    return parent, latest


@dataclass(frozen=True)
class CloseResult:
    """Which cases were closed; `parent_closable` offers to close the parent (SUB-3)."""

    closed: list[CaseNumber] = field(default_factory=list)
    parent_closable: CaseNumber | None = None


def close_case(
    ctx: Context,
    actor_name: str,
    number: CaseNumber,
    resolution: Resolution,
    *,
    duplicate_of: CaseNumber | None = None,
    comment: str = "",
    close_parent: bool = False,
) -> CloseResult:
    """Close with a resolution (CASE-6); closing the last open sub-case can close the parent."""

    def work(uow: UnitOfWork) -> CloseResult:
        actor = uow.directory.actor(actor_name)
        case = uow.cases.get(number)
        if duplicate_of is not None:
            try:
                uow.cases.get(duplicate_of)  # the original must exist
            except NotFoundError as error:
                raise NotFoundError(error.message, field="duplicate_of") from None
        now = ctx.clock()
        drafts = case.close(
            actor,
            now,
            ctx.policy,
            resolution,
            duplicate_of=duplicate_of,
            comment=comment,
            open_sub_cases=[] if number.is_sub_case else uow.cases.open_sub_cases(number),
        )
        uow.cases.save(case, actor, now, drafts)
        closed = [number]
        if case.parent is None or uow.cases.open_sub_cases(case.parent):
            return CloseResult(closed)
        parent = uow.cases.get(case.parent)
        if parent.is_closed:
            return CloseResult(closed)
        if not close_parent:
            return CloseResult(closed, parent_closable=case.parent)
        text = f"closed with its last sub-case {number}"
        # A duplicate sub-case does not make the parent a duplicate of anything.
        parent_resolution = Resolution.SOLVED if resolution is Resolution.DUPLICATE else resolution
        parent_drafts = parent.close(actor, now, ctx.policy, parent_resolution, comment=text)
        uow.cases.save(parent, actor, now, parent_drafts)
        return CloseResult([*closed, case.parent])

    return retrying(ctx, work)


def reopen_case(
    ctx: Context,
    actor_name: str,
    number: CaseNumber,
    *,
    comment: str = "",
    due: date | None = None,
    reminder: date | None = None,
) -> list[CaseNumber]:
    """Reopen a closed case (CASE-7) with new dates (defaults: today + the configured
    days), so it does not come back overdue; reopening a sub-case reopens a closed parent
    too, with a due no earlier than the sub-case's."""

    def work(uow: UnitOfWork) -> list[CaseNumber]:
        actor, case, now = acting_on(ctx, uow, actor_name, number)
        reopened = [number]
        parent_view = None
        if case.parent is not None:
            parent = uow.cases.get(case.parent)
            if parent.is_closed:
                own_due, _ = reopen_dates(ctx.policy, now.date(), due, reminder)
                parent_due, _ = reopen_dates(ctx.policy, now.date())
                note = f"reopened with sub-case {number}"
                draft = parent.reopen(actor, now, ctx.policy, note, due=max(parent_due, own_due))
                uow.cases.save(parent, actor, now, [draft])
                reopened.append(case.parent)
            parent_view = ParentView(case.parent, parent.status, parent.due)
        draft = case.reopen(
            actor, now, ctx.policy, comment, due=due, reminder=reminder, parent=parent_view
        )
        uow.cases.save(case, actor, now, [draft])
        return reopened

    return retrying(ctx, work)


EDITABLE = ("subject", "priority", "type", "due", "reminder", "owner", "description", "fields")


def edit_case(
    ctx: Context, actor_name: str, number: CaseNumber, values: Mapping[str, object]
) -> bool:
    """Change header fields; returns False when nothing changed. Refused on closed cases.

    `values["fields"]` changes custom fields (key → value; an empty value removes one).
    """
    unknown = sorted(set(values) - set(EDITABLE))
    if unknown:
        raise ValidationError(f"{unknown[0]} cannot be edited")

    def work(uow: UnitOfWork) -> bool:
        actor = uow.directory.actor(actor_name)
        case = uow.cases.get(number)
        checked = dict(values)
        if checked.get("owner"):
            checked["owner"] = _user(uow, str(checked["owner"]))
        parent = uow.cases.parent_view(case.parent) if case.parent else None
        subs = [] if number.is_sub_case else uow.cases.sub_cases(number)
        latest = max((due for _, status, due in subs if status is not Status.CLOSED), default=None)
        now = ctx.clock()
        draft = case.edit(
            actor, now, ctx.policy, values=checked, parent=parent, latest_sub_due=latest
        )
        if draft is None:
            return False
        uow.cases.save(case, actor, now, [draft])
        return True

    return retrying(ctx, work)


def record_activity(
    ctx: Context,
    actor_name: str,
    number: CaseNumber,
    kind: ActivityKind,
    text: str,
    *,
    time_spent_centi: int | None = None,
) -> None:
    """Add an internal comment, external action or phone note, with time spent (ACT-1…4)."""

    def work(uow: UnitOfWork) -> None:
        actor, case, now = acting_on(ctx, uow, actor_name, number)
        drafts = case.record(actor, now, kind, text, time_spent_centi=time_spent_centi)
        if case.is_closed:
            uow.cases.record(case.id, actor, now, drafts)  # no field changes: no version bump
        else:
            uow.cases.save(case, actor, now, drafts)

    retrying(ctx, work)


def delete_case(ctx: Context, actor_name: str, number: CaseNumber) -> int:
    """Delete a case with its sub-cases and activities (CASE-9); role-gated and logged."""

    def work(uow: UnitOfWork) -> int:
        actor = uow.directory.actor(actor_name)
        if actor.role not in ctx.policy.delete_roles:
            allowed = ", ".join(sorted(ctx.policy.delete_roles))
            raise PermissionDeniedError(f"only {allowed} may delete cases")
        case = uow.cases.get(number)
        from helpdesk_tui.services.stats import case_deleting, zone_of  # the backlog counters

        case_deleting(uow, case.id, ctx.clock(), zone_of(ctx.policy.sla))
        return uow.cases.delete(case, actor, ctx.clock())

    return retrying(ctx, work)


def _assigned(
    uow: UnitOfWork,
    number: CaseNumber,
    case: Case,
    actor: Actor,
    now: datetime,
    draft: ActivityDraft | None,
) -> AssignResult:
    """Save an assignment; one that changes nothing (no draft) saves nothing."""
    if draft is not None:
        uow.cases.save(case, actor, now, [draft])
    return AssignResult(number, draft is not None, case.delegation)


def _user(uow: UnitOfWork, name: str | None) -> str | None:
    """A user a case may be handed to: known and not removed (SEC-6)."""
    if not name:
        return None
    uow.directory.agent_id(name)
    username = name.strip().lower()
    if not uow.directory.agents()[username].active:
        raise ValidationError(f"user {username!r} was removed and cannot take cases")
    return username


def _group(uow: UnitOfWork, name: str | None) -> str | None:
    if not name:
        return None
    uow.directory.group_id(name)
    return name.strip().lower()


def _sub_case_note(number: CaseNumber, subject: str) -> ActivityDraft:
    return ActivityDraft(ActivityKind.SUB_CASE, text=f"sub-case {number}: {subject}")
