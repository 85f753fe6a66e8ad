"""Queue work: pull the next case, and act on many marked cases at once (TUI-4)."""

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date

from helpdesk_tui.domain.enums import ActivityKind, Resolution, Status
from helpdesk_tui.domain.errors import AlreadyAssignedError, DomainError
from helpdesk_tui.domain.numbering import CaseNumber
from helpdesk_tui.services import cases
from helpdesk_tui.services.context import Context
from helpdesk_tui.storage.reads import open_reads

NEXT_CASE_TRIES = 5


def next_case(ctx: Context, actor_name: str) -> CaseNumber | None:
    """Assign me the most urgent unassigned case of my groups and return it (ASSIGN-2).

    Overdue first, then priority, then age. If another agent takes a candidate first,
    the next one is tried; None when nothing is left.
    """
    for _ in range(NEXT_CASE_TRIES):
        with open_reads(ctx.location) as store:
            candidates = store.next_candidates(me=actor_name, today=ctx.today())
        if not candidates:
            return None
        for number in candidates:
            try:
                result = cases.assign_to_me(ctx, actor_name, number)
            except AlreadyAssignedError:
                continue
            if result.changed:
                return number
    return None


@dataclass(frozen=True)
class BulkPreview:
    """What a bulk action would do: "37 cases: open → closed (solved)"."""

    count: int
    transitions: dict[str, int]
    target: str

    def line(self) -> str:
        """One line for the confirmation dialog."""
        sources = ", ".join(
            f"{n} {status}" if len(self.transitions) > 1 else status
            for status, n in sorted(self.transitions.items())
        )
        noun = "case" if self.count == 1 else "cases"
        return f"{self.count} {noun}: {sources} → {self.target}"


def preview_status(
    ctx: Context,
    numbers: Sequence[CaseNumber],
    target: Status,
    resolution: Resolution | None = None,
) -> BulkPreview:
    """Count the marked cases by current status for the confirmation line."""
    with open_reads(ctx.location) as store:
        found = store.summaries(numbers)
    label = f"{target} ({resolution})" if resolution else str(target)
    return BulkPreview(len(found), dict(Counter(c.status for c in found)), label)


@dataclass
class BulkResult:
    """Which cases a bulk action changed and why the others were refused."""

    done: list[CaseNumber] = field(default_factory=list)
    refused: dict[CaseNumber, str] = field(default_factory=dict)

    def line(self, verb: str) -> str:
        """`35 closed, 2 refused (0001234: sub-case 0001234-001 is still open)`."""
        text = f"{len(self.done)} {verb}"
        if self.refused:
            first, reason = next(iter(self.refused.items()))
            text += f", {len(self.refused)} refused ({first}: {reason})"
        return text


def each_case(numbers: Sequence[CaseNumber], action: Callable[[CaseNumber], object]) -> BulkResult:
    # One transaction per case: a refusal on one case (a rule, a race) must not undo
    # the others, and every refusal is reported with its reason.
    result = BulkResult()
    for number in numbers:
        try:
            action(number)
        except DomainError as error:
            result.refused[number] = error.message
        else:
            result.done.append(number)
    return result


def bulk_status(
    ctx: Context,
    actor_name: str,
    numbers: Sequence[CaseNumber],
    target: Status,
    *,
    comment: str = "",
    reminder: date | None = None,
) -> BulkResult:
    """Set the status of every marked case."""
    return each_case(
        numbers,
        lambda n: cases.change_status(
            ctx, actor_name, n, target, comment=comment, reminder=reminder
        ),
    )


def bulk_close(
    ctx: Context,
    actor_name: str,
    numbers: Sequence[CaseNumber],
    resolution: Resolution,
    *,
    comment: str = "",
) -> BulkResult:
    """Close every marked case with the same resolution (sub-cases first)."""
    ordered = sorted(numbers, key=lambda n: (n.main, -n.sub))  # sub-cases before parents
    return each_case(
        ordered, lambda n: cases.close_case(ctx, actor_name, n, resolution, comment=comment)
    )


def bulk_delegate(
    ctx: Context,
    actor_name: str,
    numbers: Sequence[CaseNumber],
    *,
    user: str | None = None,
    group: str | None = None,
    comment: str = "",
) -> BulkResult:
    """Hand every marked case to one user or group."""
    return each_case(
        numbers,
        lambda n: cases.delegate_case(ctx, actor_name, n, user=user, group=group, comment=comment),
    )


def bulk_comment(
    ctx: Context,
    actor_name: str,
    numbers: Sequence[CaseNumber],
    text: str,
    *,
    kind: ActivityKind = ActivityKind.COMMENT,
) -> BulkResult:
    """Add the same comment or external action to every marked case."""
    return each_case(numbers, lambda n: cases.record_activity(ctx, actor_name, n, kind, text))
