"""The closed vocabularies of the domain: statuses, priorities, resolutions, roles, kinds."""

from enum import StrEnum


class Status(StrEnum):
    """Where a case stands in its lifecycle (CASE-4)."""

    OPEN = "open"
    IN_PROGRESS = "in_progress"
    WAITING = "waiting"
    CLOSED = "closed"


class Priority(StrEnum):
    """How urgent a case is; `rank` orders them most urgent first."""

    LOW = "low"
    NORMAL = "normal"
    HIGH = "high"
    URGENT = "urgent"

    @property
    def rank(self) -> int:
        """0 for urgent … 3 for low, so an ascending sort puts urgent first."""
        return _PRIORITY_RANK[self]


_PRIORITY_RANK = {Priority.URGENT: 0, Priority.HIGH: 1, Priority.NORMAL: 2, Priority.LOW: 3}


class Resolution(StrEnum):
    """How a closed case ended (CASE-6)."""

    SOLVED = "solved"
    DEFERRED = "deferred"
    DUPLICATE = "duplicate"


class Role(StrEnum):
    """What an agent may do (SEC-3)."""

    AGENT = "agent"
    LEAD = "lead"
    ADMIN = "admin"


class ActivityKind(StrEnum):
    """The kinds of entries in a case timeline (ACT-1)."""

    CREATED = "created"
    COMMENT = "comment"  # internal note, never leaves the system
    EXTERNAL = "external"  # visible to the customer, may be mailed
    PHONE = "phone"
    STATUS = "status"
    DELEGATION = "delegation"
    EDIT = "edit"
    CLOSED = "closed"
    REOPENED = "reopened"
    SUB_CASE = "sub_case"
    MAIL_IN = "mail_in"
    MAIL_OUT = "mail_out"


#: Activities an agent writes by hand (the rest are recorded by the system).
WRITTEN_KINDS = frozenset({ActivityKind.COMMENT, ActivityKind.EXTERNAL, ActivityKind.PHONE})
