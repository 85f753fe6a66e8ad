"""The case aggregate and its lifecycle rules (CASE, SUB, ASSIGN)."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from uuid import UUID, uuid4

from helpdesk_tui.domain.activity import ActivityDraft, Changes, check_text_size
from helpdesk_tui.domain.csat import check_rating
from helpdesk_tui.domain.dates import check_date_range
from helpdesk_tui.domain.enums import ActivityKind, Priority, Resolution, Role, Status
from helpdesk_tui.domain.errors import (
    AlreadyAssignedError,
    ClosedCaseError,
    SubCaseOpenError,
    ValidationError,
)
from helpdesk_tui.domain.numbering import CaseNumber
from helpdesk_tui.domain.policy import Policy, merge_custom_fields, parse_priority

MAX_SUBJECT = 250


@dataclass(frozen=True)
class Actor:
    """The agent acting, with what the rules need to know about them."""

    username: str
    role: Role = Role.AGENT
    groups: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Delegation:
    """Who works the case: exactly one user or one group, never both (CASE-1, ASSIGN-1)."""

    user: str | None = None
    group: str | None = None

    def __post_init__(self) -> None:
        if self.user and self.group:
            raise ValidationError("delegate to a user or a group, not both")
        if not self.user and not self.group:
            raise ValidationError("a case must be delegated to a user or a group")

    def __str__(self) -> str:
        return self.user if self.user else f"group {self.group}"


@dataclass(frozen=True)
class ParentView:
    """What a sub-case's rules need to know about its parent (SUB-2)."""

    number: CaseNumber
    status: Status
    due: date


@dataclass
class Case:
    """A case: the unit of support work. Mutated only through its rule methods."""

    subject: str
    type: str
    contact: str
    delegation: Delegation
    initiator: str
    due: date
    reminder: date | None
    created_at: datetime
    updated_at: datetime
    status: Status = Status.OPEN
    priority: Priority = Priority.NORMAL
    description: str = ""
    account: str | None = None
    owner: str | None = None
    resolution: Resolution | None = None
    duplicate_of: CaseNumber | None = None
    parent: CaseNumber | None = None
    number: CaseNumber | None = None
    version: int = 0
    custom: dict[str, str] = field(default_factory=dict)
    id: UUID = field(default_factory=uuid4)
    csat_rating: int | None = None
    """The customer's satisfaction rating 1–5 after closing (CSAT), and when it came."""
    csat_at: datetime | None = None

    # -- reading -----------------------------------------------------------------
    @property
    def label(self) -> str:
        """The number as shown to people, or `new case` before the first save."""
        return str(self.number) if self.number else "new case"

    @property
    def is_closed(self) -> bool:
        """Closed cases are read-only (CASE-6)."""
        return self.status is Status.CLOSED

    # -- rules -------------------------------------------------------------------
    def edit(
        self,
        actor: Actor,
        now: datetime,
        policy: Policy,
        *,
        values: Mapping[str, object],
        parent: ParentView | None = None,
        latest_sub_due: date | None = None,
    ) -> ActivityDraft | None:
        """Change header fields (subject, priority, type, due, reminder, owner, description)
        and custom fields (`fields`: key → value, an empty value removes the field).

        The custom fields must belong to the case's (new) type. Returns the `edit` activity
        with every old → new (a custom field as `fields.<key>`), or None when nothing changed.
        """
        self._require_open("edit")
        subject = str(values.get("subject", self.subject))
        type_key = str(values.get("type", self.type))
        due = _as_date(values.get("due", self.due))
        reminder_value = values.get("reminder", self.reminder)
        reminder = None if reminder_value is None else _as_date(reminder_value)
        _check_subject(subject)
        if type_key.strip().lower() != self.type:
            policy.case_type(type_key)  # a type the config no longer has may stay on a case
        _check_dates(due, reminder, parent)
        _check_sub_dues(due, latest_sub_due)
        new_values: dict[str, object] = {
            "subject": subject.strip(),
            "type": type_key.strip().lower(),
            "due": due,
            "reminder": reminder,
        }
        for key in ("priority", "owner", "description"):
            if key in values:
                new_values[key] = values[key]
        if "description" in values:
            check_text_size("the description", str(values["description"] or ""))
        if "priority" in new_values:
            new_values["priority"] = parse_priority(str(new_values["priority"]))
        custom = self._edited_custom(policy, type_key, _field_changes(values.get("fields")))
        changes = {**self._apply(new_values), **self._set_custom(custom)}
        if not changes:
            return None
        self.updated_at = now
        return ActivityDraft(ActivityKind.EDIT, changes=changes)

    def delegate(
        self, actor: Actor, now: datetime, to: Delegation, comment: str = ""
    ) -> ActivityDraft | None:
        """Hand the case to a user or group (ASSIGN-1, ASSIGN-4); None if unchanged."""
        self._require_open("delegate")
        check_text_size("the comment", comment)
        if to == self.delegation:
            return None
        changes = self._set_delegation(to)
        self.updated_at = now
        return ActivityDraft(ActivityKind.DELEGATION, text=comment.strip(), changes=changes)

    def assign_to_me(self, actor: Actor, now: datetime, comment: str = "") -> ActivityDraft | None:
        """Pull the case (ASSIGN-2): refused if another agent already holds it."""
        self._require_open("assign")
        holder = self.delegation.user
        if holder == actor.username:
            return None
        if holder is not None:
            raise AlreadyAssignedError(self.label, holder)
        return self.delegate(actor, now, Delegation(user=actor.username), comment)

    def change_status(
        self,
        actor: Actor,
        now: datetime,
        policy: Policy,
        target: Status,
        *,
        comment: str = "",
        reminder: date | None = None,
        due: date | None = None,
        parent: ParentView | None = None,
        latest_sub_due: date | None = None,
    ) -> list[ActivityDraft]:
        """Move to open / in_progress / waiting (CASE-4, CASE-5); closing has its own rule.

        `due` moves the due date in the same change (a wait that outlasts it): the
        reminder stays ≤ due, a sub-case's due ≤ its `parent`'s, a parent's due ≥ its
        open sub-cases' latest (`latest_sub_due`).
        """
        check_text_size("the comment", comment)
        if target is Status.CLOSED:
            raise ValidationError(f"closing {self.label} needs a resolution: use close")
        self._require_open("change the status of")
        if target is self.status:
            raise ValidationError(f"{self.label} is already {target}")
        policy.workflow.check(self.status, target, actor.role)
        values: dict[str, object] = {"status": target}
        if target is Status.WAITING:
            if not comment.strip():
                raise ValidationError(
                    "waiting needs a comment: what is awaited, from whom, until when",
                    field="comment",
                )
            if reminder is None:
                raise ValidationError("waiting needs a reminder date", field="reminder")
        if due is not None:
            _check_dates(due, reminder if reminder is not None else self.reminder, parent)
            _check_sub_dues(due, latest_sub_due)
            values["due"] = due
        elif reminder is not None:
            _check_dates(self.due, reminder, None)
        if reminder is not None:
            values["reminder"] = reminder
        drafts = self._auto_delegate(actor)
        drafts.append(
            ActivityDraft(ActivityKind.STATUS, text=comment.strip(), changes=self._apply(values))
        )
        self.updated_at = now
        return drafts

    def close(
        self,
        actor: Actor,
        now: datetime,
        policy: Policy,
        resolution: Resolution,
        *,
        duplicate_of: CaseNumber | None = None,
        comment: str = "",
        open_sub_cases: Sequence[CaseNumber] = (),
    ) -> list[ActivityDraft]:
        """Close with a resolution (CASE-6); refused while a sub-case is open (SUB-3)."""
        self._require_open("close")
        check_text_size("the comment", comment)
        if open_sub_cases:
            raise SubCaseOpenError(
                f"cannot close {self.label}: sub-case {min(open_sub_cases)} is still open"
            )
        if resolution is Resolution.DUPLICATE:
            if duplicate_of is None:
                raise ValidationError("a duplicate must name the original case")
            if duplicate_of == self.number:
                raise ValidationError(f"{self.label} cannot be a duplicate of itself")
        elif duplicate_of is not None:
            raise ValidationError("only a duplicate names an original case")
        policy.workflow.check(self.status, Status.CLOSED, actor.role)
        drafts = self._auto_delegate(actor)
        changes = self._apply(
            {"status": Status.CLOSED, "resolution": resolution, "duplicate_of": duplicate_of}
        )
        drafts.append(ActivityDraft(ActivityKind.CLOSED, text=comment.strip(), changes=changes))
        self.updated_at = now
        return drafts

    def reopen(
        self,
        actor: Actor,
        now: datetime,
        policy: Policy,
        comment: str = "",
        *,
        due: date | None = None,
        reminder: date | None = None,
        parent: ParentView | None = None,
    ) -> ActivityDraft:
        """Back to open (CASE-7), if the workflow lets the actor's role reopen.

        The case gets new dates, so it does not come back overdue: `due` and `reminder`
        as given, else today + the configured days (`policy.dates`); a sub-case's default
        due stops at its `parent`'s.
        """
        if not self.is_closed:
            raise ValidationError(f"{self.label} is not closed")
        check_text_size("the comment", comment)
        policy.workflow.check(Status.CLOSED, Status.OPEN, actor.role)
        due, reminder = reopen_dates(policy, now.date(), due, reminder, parent)
        _check_dates(due, reminder, parent)
        changes = self._apply(
            {
                "status": Status.OPEN,
                "resolution": None,
                "duplicate_of": None,
                "due": due,
                "reminder": reminder,
            }
        )
        self.updated_at = now
        return ActivityDraft(ActivityKind.REOPENED, text=comment.strip(), changes=changes)

    def record(
        self,
        actor: Actor,
        now: datetime,
        kind: ActivityKind,
        text: str,
        *,
        time_spent_centi: int | None = None,
    ) -> list[ActivityDraft]:
        """Add a comment, external action or phone note (ACT-1, ACT-2, ACT-4).

        Internal comments may be added to closed cases (documentation after the fact);
        external actions and phone notes are process actions and need an open case.
        """
        if kind not in (ActivityKind.COMMENT, ActivityKind.EXTERNAL, ActivityKind.PHONE):
            raise ValidationError(f"{kind} is recorded by the system, not written by hand")
        if not text.strip():
            raise ValidationError("the text is empty")
        check_text_size("the text", text)
        drafts: list[ActivityDraft] = []
        if kind is not ActivityKind.COMMENT:
            self._require_open("add an external action or phone note to")
            drafts = self._auto_delegate(actor)
        internal = kind is not ActivityKind.EXTERNAL
        drafts.append(
            ActivityDraft(
                kind, text=text.strip(), internal=internal, time_spent_centi=time_spent_centi
            )
        )
        self.updated_at = now
        return drafts

    def receive_mail(self, now: datetime, text: str, *, reopen: bool) -> list[ActivityDraft]:
        """An inbound mail joins the timeline (MAIL-3), closed or not (MAIL-6).

        A closed case stays closed unless the configuration reopens it on customer mail;
        a case waiting for the customer goes back to open, because the wait is over.
        """
        drafts = [ActivityDraft(ActivityKind.MAIL_IN, text=text, internal=False)]
        if self.is_closed and reopen:
            changes = self._apply({"status": Status.OPEN, "resolution": None, "duplicate_of": None})
            drafts.append(
                ActivityDraft(
                    ActivityKind.REOPENED, text="reopened by customer mail", changes=changes
                )
            )
        elif self.status is Status.WAITING:
            changes = self._apply({"status": Status.OPEN})
            drafts.append(
                ActivityDraft(ActivityKind.STATUS, text="customer replied", changes=changes)
            )
        self.updated_at = now
        return drafts

    def rate(self, now: datetime, rating: int) -> ActivityDraft | None:
        """Record the customer's satisfaction rating (CSAT) from their reply to the
        closing mail. Allowed on a closed case — only there: it is the customer's word,
        not an agent's edit, and it does not reopen the case. A second rating replaces
        the first (the entry shows old → new); the same rating again changes nothing.
        """
        check_rating(rating)
        if not self.is_closed:
            raise ValidationError(f"{self.label} is not closed: only a closed case is rated")
        if rating == self.csat_rating:
            return None
        changes = {"csat": (_text(self.csat_rating), str(rating))}
        self.csat_rating, self.csat_at, self.updated_at = rating, now, now
        return ActivityDraft(ActivityKind.EDIT, text="customer's rating by mail", changes=changes)

    # -- helpers -----------------------------------------------------------------
    def _require_open(self, action: str) -> None:
        if self.is_closed:
            raise ClosedCaseError(f"cannot {action} {self.label}: the case is closed")

    def _auto_delegate(self, actor: Actor) -> list[ActivityDraft]:
        """ASSIGN-3: a group member's process action makes the case theirs."""
        group = self.delegation.group
        if group is None or group not in actor.groups:
            return []
        changes = self._set_delegation(Delegation(user=actor.username))
        return [
            ActivityDraft(
                ActivityKind.DELEGATION, text="taken over by process action", changes=changes
            )
        ]

    def _set_delegation(self, to: Delegation) -> Changes:
        changes = self._diff({"delegated_user": to.user, "delegated_group": to.group})
        self.delegation = to
        return changes

    def _edited_custom(
        self, policy: Policy, type_key: str, changes: Mapping[str, str]
    ) -> dict[str, str]:
        """The custom fields after `changes`, checked against the case's (new) type.

        A field the configuration dropped since may stay on an old case (and be cleared),
        as long as the type does not change; a new type must define every field kept.
        """
        custom = merge_custom_fields(self.custom, changes)
        if type_key.strip().lower() != self.type:
            policy.check_custom_fields(type_key, custom)
            return custom
        orphans_cleared = {k for k, v in changes.items() if k in self.custom and not v.strip()}
        checked = {k: custom.get(k, "") for k in changes if k not in orphans_cleared}
        if checked:
            policy.check_custom_fields(type_key, checked)
        return custom

    def _set_custom(self, custom: dict[str, str]) -> Changes:
        """Replace the custom fields, returning `fields.<key>`: old → new for each change."""
        changes = {
            f"fields.{key}": (self.custom.get(key), custom.get(key))
            for key in sorted(set(self.custom) | set(custom))
            if self.custom.get(key) != custom.get(key)
        }
        self.custom = custom
        return changes

    def _apply(self, values: Mapping[str, object]) -> Changes:
        """Set fields, returning old → new text for those that changed (CASE-8)."""
        changes = self._diff(values)
        for key, new in values.items():
            setattr(self, key, new)
        return changes

    def _diff(self, values: Mapping[str, object]) -> Changes:
        return {
            key: (_text(self._field(key)), _text(new))
            for key, new in values.items()
            if self._field(key) != new
        }

    def _field(self, key: str) -> object:
        if key == "delegated_user":
            return self.delegation.user
        if key == "delegated_group":
            return self.delegation.group
        return getattr(self, key)


def new_case(
    *,
    policy: Policy,
    actor: Actor,
    now: datetime,
    subject: str,
    contact: str,
    delegation: Delegation,
    type_key: str | None = None,
    priority: Priority | None = None,
    description: str = "",
    account: str | None = None,
    due: date | None = None,
    reminder: date | None = None,
    parent: ParentView | None = None,
    custom: Mapping[str, str] | None = None,
) -> tuple[Case, ActivityDraft]:
    """A new case with defaults applied and every creation rule checked (CASE-2, SUB-2).

    A sub-case inherits the parent's due date unless given one; its due may not be later.
    """
    _check_subject(subject)
    check_text_size("the description", description)
    if not contact.strip():
        raise ValidationError("a case needs a contact")
    type_key = policy.case_type(type_key or policy.default_type).key
    custom = merge_custom_fields({}, custom or {})
    policy.check_custom_fields(type_key, custom)
    today = now.date()
    if parent is not None:
        if parent.status is Status.CLOSED:
            raise ClosedCaseError(f"cannot add a sub-case to {parent.number}: the case is closed")
        if parent.number.is_sub_case:
            raise ValidationError(f"{parent.number} is a sub-case; sub-cases cannot be split")
        due = due or parent.due
    due = due or policy.dates.due(today)
    if reminder is None:
        reminder = min(policy.dates.reminder(today), due)
    _check_dates(due, reminder, parent)
    case = Case(
        subject=subject.strip(),
        type=type_key,
        contact=contact.strip().lower(),
        account=account,
        delegation=delegation,
        initiator=actor.username,
        priority=priority or policy.default_priority,
        description=description,
        due=due,
        reminder=reminder,
        created_at=now,
        updated_at=now,
        parent=parent.number if parent else None,
        custom=custom,
    )
    return case, ActivityDraft(ActivityKind.CREATED, text=case.subject)


def _check_subject(subject: str) -> None:
    if not subject.strip():
        raise ValidationError("a case needs a subject")
    if len(subject) > MAX_SUBJECT:
        raise ValidationError(f"the subject is longer than {MAX_SUBJECT} characters")


def reopen_dates(
    policy: Policy,
    today: date,
    due: date | None = None,
    reminder: date | None = None,
    parent: ParentView | None = None,
) -> tuple[date, date]:
    """The due and reminder dates a reopened case gets: as given, else today + the
    configured days; a sub-case's default due stops at its parent's, and the default
    reminder never passes the due."""
    if due is None:
        due = policy.dates.due(today)
        if parent is not None:
            due = min(due, parent.due)
    if reminder is None:
        reminder = min(policy.dates.reminder(today), due)
    return due, reminder


def _check_dates(due: date, reminder: date | None, parent: ParentView | None) -> None:
    try:
        check_date_range("due", due)
    except ValidationError as error:
        raise ValidationError(error.message, field="due") from None
    if reminder is not None:
        try:
            check_date_range("reminder", reminder)
        except ValidationError as error:
            raise ValidationError(error.message, field="reminder") from None
    if reminder is not None and reminder > due:
        raise ValidationError(f"reminder {reminder} is after due {due}", field="reminder")
    if parent is not None and due > parent.due:
        raise ValidationError(
            f"a sub-case's due {due} cannot be after its parent's due {parent.due}", field="due"
        )


def _check_sub_dues(due: date, latest_sub_due: date | None) -> None:
    if latest_sub_due is not None and due < latest_sub_due:
        raise ValidationError(
            f"due {due} is before a sub-case's due {latest_sub_due}; move the sub-case first",
            field="due",
        )


def _field_changes(value: object) -> Mapping[str, str]:
    """The `fields` of an edit: a mapping of key → text (None: no change)."""
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise ValidationError(f"fields must be key → value, not {value!r}")
    return {str(key): str(text) for key, text in value.items()}


def _as_date(value: object) -> date:
    if isinstance(value, date):
        return value
    raise ValidationError(f"not a date: {value!r}")


def _text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, date):
        return value.isoformat()
    return str(value)
