"""Domain errors: each carries the one line the user sees."""


class DomainError(Exception):
    """A rule refused an action; `str(error)` is the one-line reason. `field` names the
    input it concerns (`due`, `reminder`, `comment`, `duplicate_of` …), so a dialog can show
    the reason next to that field; None when it concerns no single input."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class ValidationError(DomainError):
    """Input breaks a rule on values (dates, required fields, unknown keys)."""


class ClosedCaseError(DomainError):
    """A closed case is read-only (CASE-6)."""


class TransitionError(DomainError):
    """The workflow does not allow this status change (CASE-4, CASE-7)."""


class PermissionDeniedError(DomainError):
    """The acting agent's role may not do this (SEC-3)."""


class SubCaseOpenError(DomainError):
    """A parent cannot close while a sub-case is open (SUB-3)."""


class NotFoundError(DomainError):
    """A case, user, group or contact does not exist."""


class ConflictError(DomainError):
    """Someone else changed the case since it was read (optimistic concurrency)."""


class AlreadyAssignedError(ConflictError):
    """Assign-to-me lost: the case belongs to another agent (ASSIGN-2)."""

    def __init__(self, number: str, holder: str) -> None:
        super().__init__(f"{number} is already assigned to {holder}")
        self.holder = holder


class QueryError(DomainError):
    """A query string could not be understood (VIEW-1)."""


class ConfigError(DomainError):
    """The configuration cannot be used; the message names the file and the key."""
