"""Queue work: pull the next case, and act on many marked cases at once (TUI-4).

A bulk action is previewed case by case first (`preview_status`, `preview_close`: the
domain's own decision on each case, saved nowhere), then run one transaction per case.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING

from helpdesk_tui.domain.case import Actor, Case
from helpdesk_tui.domain.enums import ActivityKind, Resolution, Status
from helpdesk_tui.domain.errors import AlreadyAssignedError, DomainError
from helpdesk_tui.domain.numbering import CaseNumber
from helpdesk_tui.services import cases
from helpdesk_tui.services.context import Context
from helpdesk_tui.storage.reads import open_reads

if TYPE_CHECKING:
    from helpdesk_tui.storage.uow import UnitOfWork

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
class CasePreview:
    """What a bulk action would do to one case: `open → closed`, or why it is refused."""

    number: CaseNumber
    source: str
    refusal: str | None = None

    def line(self, target: str) -> str:
        """`0001234  open → waiting` or `0001234  refused: reminder … is after due …`."""
        if self.refusal is not None:
            return f"{self.number}  refused: {self.refusal}"
        return f"{self.number}  {self.source} → {target}"


@dataclass(frozen=True)
class BulkPreview:
    """What a bulk action would do, case by case, decided by the same domain rules as the
    action itself (a dry run that commits nothing)."""

    cases: list[CasePreview]
    target: str

    @property
    def count(self) -> int:
        """How many cases the action would change."""
        return len(self.going)

    @property
    def going(self) -> list[CasePreview]:
        """The cases the action would change."""
        return [c for c in self.cases if c.refusal is None]

    @property
    def refused(self) -> list[CasePreview]:
        """The cases the action would refuse, each with its reason."""
        return [c for c in self.cases if c.refusal is not None]

    def line(self) -> str:
        """One line: `37 cases: open → closed (solved)`, `, 2 refused` when some are."""
        transitions = Counter(c.source for c in self.going)
        sources = ", ".join(
            f"{n} {status}" if len(transitions) > 1 else status
            for status, n in sorted(transitions.items())
        )
        noun = "case" if self.count == 1 else "cases"
        text = f"{self.count} {noun}: {sources} → {self.target}" if self.going else "no case"
        if self.refused:
            text += f", {len(self.refused)} refused"
        return text

    def lines(self, limit: int = 8) -> list[str]:
        """Per case what will happen, then what will be refused (each list cut at `limit`)."""
        shown: list[str] = []
        for group in (self.going, self.refused):
            shown += [c.line(self.target) for c in group[:limit]]
            if len(group) > limit:
                shown.append(f"… and {len(group) - limit} more")
        return shown


#: How a bulk preview tries an action on one loaded case (the case is not saved).
TryOne = Callable[["UnitOfWork", Actor, Case, datetime], object]


def preview_each(
    ctx: Context, actor_name: str, numbers: Sequence[CaseNumber], attempt: TryOne, target: str
) -> BulkPreview:
    """Try `attempt` on every case in one read-only unit of work: the domain decides, as
    in the real run, but nothing is saved."""
    previews: list[CasePreview] = []
    with ctx.uow(write=False) as uow:
        actor, now = uow.directory.actor(actor_name), ctx.clock()
        for number in numbers:
            try:
                case = uow.cases.get(number)
            except DomainError as error:
                previews.append(CasePreview(number, "", error.message))
                continue
            source = str(case.status)
            try:
                attempt(uow, actor, case, now)
            except DomainError as error:
                previews.append(CasePreview(number, source, error.message))
            else:
                previews.append(CasePreview(number, source))
    return BulkPreview(previews, target)


def preview_status(
    ctx: Context,
    actor_name: str,
    numbers: Sequence[CaseNumber],
    target: Status,
    *,
    comment: str = "",
    reminder: date | None = None,
) -> BulkPreview:
    """What setting the status of the marked cases would do, case by case."""

    def attempt(_: UnitOfWork, actor: Actor, case: Case, now: datetime) -> object:
        return case.change_status(
            actor, now, ctx.policy, target, comment=comment, reminder=reminder
        )

    return preview_each(ctx, actor_name, numbers, attempt, str(target))


def preview_close(
    ctx: Context,
    actor_name: str,
    numbers: Sequence[CaseNumber],
    resolution: Resolution,
    *,
    comment: str = "",
) -> BulkPreview:
    """What closing the marked cases would do, case by case (marked sub-cases close first,
    so they do not hold their parent open)."""
    marked = set(numbers)

    def attempt(uow: UnitOfWork, actor: Actor, case: Case, now: datetime) -> object:
        number = case.number
        subs = [] if number is None or number.is_sub_case else uow.cases.open_sub_cases(number)
        return case.close(
            actor,
            now,
            ctx.policy,
            resolution,
            comment=comment,
            open_sub_cases=[s for s in subs if s not in marked],
        )

    return preview_each(ctx, actor_name, numbers, attempt, f"{Status.CLOSED} ({resolution})")


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
