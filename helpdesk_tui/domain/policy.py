"""The configurable rules: workflow transitions, roles, case types, date defaults."""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from helpdesk_tui.domain.dates import DateDefaults
from helpdesk_tui.domain.enums import Priority, Role, Status
from helpdesk_tui.domain.errors import PermissionDeniedError, TransitionError, ValidationError
from helpdesk_tui.domain.sla import SlaRules

ANY_ROLE = frozenset(Role)


@dataclass(frozen=True)
class Transition:
    """One allowed status change and the roles that may make it."""

    source: Status
    target: Status
    roles: frozenset[Role] = ANY_ROLE


@dataclass(frozen=True)
class Workflow:
    """Allowed status changes (CASE-4) and who may make them (CASE-7, SEC-3)."""

    transitions: tuple[Transition, ...]

    def check(self, source: Status, target: Status, role: Role) -> None:
        """Raise unless an agent with `role` may move a case from `source` to `target`."""
        for transition in self.transitions:
            if transition.source is source and transition.target is target:
                if role not in transition.roles:
                    allowed = ", ".join(sorted(transition.roles))
                    raise PermissionDeniedError(
                        f"only {allowed} may change status {source} → {target}"
                    )
                return
        raise TransitionError(f"the workflow does not allow {source} → {target}")

    def targets(self, source: Status, role: Role) -> list[Status]:
        """The statuses an agent with `role` may move a case to from `source`."""
        return [t.target for t in self.transitions if t.source is source and role in t.roles]


def default_workflow() -> Workflow:
    """Open → In progress → Waiting → Closed and back; only leads and admins reopen."""
    open_, working, waiting, closed = (
        Status.OPEN,
        Status.IN_PROGRESS,
        Status.WAITING,
        Status.CLOSED,
    )
    pairs = [
        (open_, working),
        (open_, waiting),
        (open_, closed),
        (working, open_),
        (working, waiting),
        (working, closed),
        (waiting, open_),
        (waiting, working),
        (waiting, closed),
    ]
    transitions = [Transition(a, b) for a, b in pairs]
    transitions.append(Transition(closed, open_, frozenset({Role.LEAD, Role.ADMIN})))
    return Workflow(tuple(transitions))


@dataclass(frozen=True)
class CaseType:
    """A kind of case (CASE-2) with optional custom fields."""

    key: str
    label: str
    custom_fields: tuple[str, ...] = ()


DEFAULT_CASE_TYPES = (
    CaseType("general", "General"),
    CaseType("ticket", "Ticket"),
    CaseType("complaint", "Complaint"),
)


@dataclass(frozen=True)
class Policy:
    """Everything configurable the case rules consult, in one frozen value."""

    workflow: Workflow = field(default_factory=default_workflow)
    case_types: tuple[CaseType, ...] = DEFAULT_CASE_TYPES
    default_type: str = "ticket"
    default_priority: Priority = Priority.NORMAL
    dates: DateDefaults = field(default_factory=DateDefaults)
    delete_roles: frozenset[Role] = frozenset({Role.LEAD, Role.ADMIN})
    sla: SlaRules | None = None
    """The SLA policies and their calendar (DATE-3); None: no `[[sla.policies]]`, no SLA."""

    def case_type(self, key: str) -> CaseType:
        """The configured case type `key` (case-insensitive)."""
        wanted = key.strip().lower()
        for case_type in self.case_types:
            if case_type.key == wanted:
                return case_type
        known = ", ".join(t.key for t in self.case_types)
        raise ValidationError(f"unknown case type {key!r} (known: {known})")

    def check_custom_fields(self, type_key: str, values: Mapping[str, str]) -> None:
        """Refuse custom fields the case type does not define, and values that are not
        one line of at most MAX_FIELD_VALUE characters (they show in the header)."""
        if not values:  # the usual case (a mail sync creates thousands): nothing to check
            self.case_type(type_key)
            return
        case_type = self.case_type(type_key)
        unknown = sorted(set(values) - set(case_type.custom_fields))
        if unknown:
            raise ValidationError(
                f"case type {case_type.key!r} has no field {unknown[0]!r}",
                field=f"fields.{unknown[0]}",
            )
        for key, value in values.items():
            check_field_value(key, value)


#: Longest value of a custom field (one line in the case header).
MAX_FIELD_VALUE = 200


def check_field_value(key: str, value: str) -> None:
    """A custom field's value: one line, no control characters, at most MAX_FIELD_VALUE."""
    if len(value) > MAX_FIELD_VALUE:
        raise ValidationError(
            f"field {key!r} is longer than {MAX_FIELD_VALUE} characters", field=f"fields.{key}"
        )
    if any(ord(char) < 32 or 127 <= ord(char) < 160 for char in value):
        raise ValidationError(f"field {key!r} must be one line of text", field=f"fields.{key}")


def merge_custom_fields(current: Mapping[str, str], changes: Mapping[str, str]) -> dict[str, str]:
    """`current` with `changes` applied: a value is trimmed; an empty value removes the field."""
    merged = dict(current)
    for key, value in changes.items():
        text = value.strip()
        if text:
            merged[key] = text
        else:
            merged.pop(key, None)
    return merged


def parse_priority(text: str) -> Priority:
    """`high`, `HIGH`, `prio:high` values → Priority, with a clear error otherwise."""
    try:
        return Priority(text.strip().lower())
    except ValueError:
        raise ValidationError(
            f"unknown priority {text!r} (known: {', '.join(p.value for p in Priority)})"
        ) from None


def parse_status(text: str) -> Status:
    """`in_progress`, `in-progress`, `In Progress` → Status."""
    value = text.strip().lower().replace("-", "_").replace(" ", "_")
    try:
        return Status(value)
    except ValueError:
        raise ValidationError(
            f"unknown status {text!r} (known: {', '.join(s.value for s in Status)})"
        ) from None


def parse_roles(values: Iterable[str]) -> frozenset[Role]:
    """Role names from config → Roles, naming the first unknown one."""
    roles = set()
    for value in values:
        try:
            roles.add(Role(value))
        except ValueError:
            known = ", ".join(r.value for r in Role)
            raise ValidationError(f"unknown role {value!r} (known: {known})") from None
    return frozenset(roles)
