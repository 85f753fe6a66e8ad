"""SLA clocks (DATE-3): policies matched to a case, the first-response and resolution
clocks as a pure function of a case's events, and the escalation levels due on a clock.

Pure: everything is computed from the facts handed in (creation, first response, the
status history) with a `BusinessCalendar`; storing the state, firing levels exactly once
and showing labels belong to the layers above.

The two clocks:
- **first response** runs from creation in every status but Closed, and stops at the first
  response (or while the case is closed);
- **resolution** runs in Open and In progress, is **paused in Waiting** (resumes on
  leaving it) and stops when the case is closed (a reopened case runs on from where it
  stopped).

A clock is breached once it runs past its due instant (the instant its target of
business time is used up); a clock stopped at or before its due instant is met.
"""

import functools
import math
import re
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Literal

from helpdesk_tui.domain.calendar import (
    BusinessCalendar,
    BusinessDuration,
    format_coarse,
    format_span,
    parse_duration,
)
from helpdesk_tui.domain.enums import Status
from helpdesk_tui.domain.errors import ValidationError

ClockName = Literal["first_response", "resolution"]
ClockState = Literal["running", "paused", "stopped"]

CLOCK_NAMES: tuple[ClockName, ...] = ("first_response", "resolution")
"""The two clocks of a case, in the order they are shown."""

NOTIFY_TARGETS = ("delegate", "lead", "owner", "admins")
"""Who an escalation level notifies: the case's delegate (user, or the group's members),
the group's lead, the case's owner, all admins."""

AT_RISK_SHARE = 0.75
"""A clock that has used this share of its target is "at risk" (queue view, dashboard)."""

_MINUTE = timedelta(minutes=1)


@dataclass(frozen=True)
class SlaPolicy:
    """A configured SLA policy: match conditions (None = any) and the two targets (None =
    that clock is not kept for matching cases)."""

    name: str
    first_response: BusinessDuration | None = None
    resolution: BusinessDuration | None = None
    priorities: frozenset[str] | None = None
    types: frozenset[str] | None = None
    accounts: frozenset[str] | None = None
    """Account names, compared case-insensitively."""
    mailboxes: frozenset[str] | None = None

    def __post_init__(self) -> None:
        if self.accounts is not None:
            object.__setattr__(self, "accounts", frozenset(a.casefold() for a in self.accounts))

    def matches(
        self, priority: str, case_type: str, account: str | None, mailbox: str | None
    ) -> bool:
        """True when every condition of this policy holds for the case."""
        if self.priorities is not None and priority not in self.priorities:
            return False
        if self.types is not None and case_type not in self.types:
            return False
        if self.accounts is not None and (
            account is None or account.casefold() not in self.accounts
        ):
            return False
        return self.mailboxes is None or (mailbox is not None and mailbox in self.mailboxes)


def match_policy(
    policies: Iterable[SlaPolicy],
    priority: str,
    case_type: str,
    account: str | None = None,
    mailbox: str | None = None,
) -> SlaPolicy | None:
    """The first policy that matches the case (configured order), None when none does.
    `mailbox` is the name of the mail account the case came in through, if any."""
    for policy in policies:
        if policy.matches(priority, case_type, account, mailbox):
            return policy
    return None


@dataclass(frozen=True)
class SlaClock:
    """One clock of a case (first response or resolution), as of its last change.

    `used` is the business time used up to `since`, the instant it entered its `state`
    (for a running clock the start of the current run; it has used more since). `due` is
    the instant the target is used up on the current run (for a stopped clock: on its last
    run), None while paused. `breached_at` is set once the clock ran past its due instant
    before `since`; a running clock also breaches when `now` passes `due`.
    """

    name: ClockName
    target: timedelta
    state: ClockState
    since: datetime
    used: timedelta
    due: datetime | None
    breached_at: datetime | None
    calendar: BusinessCalendar = field(compare=False, repr=False)

    @classmethod
    def started(
        cls, name: ClockName, target: timedelta, calendar: BusinessCalendar, at: datetime
    ) -> "SlaClock":
        """A clock that starts running at `at` (the case's creation)."""
        due = calendar.add_business_time(at, target)
        return cls(name, target, "running", at, timedelta(0), due, None, calendar)

    def entered(self, state: ClockState, at: datetime) -> "SlaClock":
        """This clock after it enters `state` at `at` (an instant before `since` counts
        as `since`): a run that ends past its due instant is breached there; a new run
        gets its due instant; a pause has none. What a stored clock is advanced by on
        every change, without the history."""
        if state == self.state:
            return self
        at = max(at, self.since)
        used, due, breached_at = self.used, self.due, self.breached_at
        if self.running:
            if breached_at is None and due is not None and due < at:
                breached_at = due
            used += self.calendar.business_time_between(self.since, at)
        if state == "running":
            left = max(self.target - used, timedelta(0))
            due = breached_at or self.calendar.add_business_time(at, left)
        elif state == "paused":
            due = None
        return SlaClock(self.name, self.target, state, at, used, due, breached_at, self.calendar)

    def retargeted(self, target: timedelta, at: datetime) -> "SlaClock":
        """This clock under a new `target` from `at` on (the policy or the priority
        changed): it keeps the business time it has used; its due instant and breach
        follow the new target (a larger one can lift a breach)."""
        at = max(at, self.since)
        since, used = (at, self.used_at(at)) if self.running else (self.since, self.used)
        breached_at: datetime | None = None
        if self.used_at(at) > target:
            if self.running and self.used < target:
                breached_at = self.calendar.add_business_time(self.since, target - self.used)
            else:
                breached_at = self.breached_at or self.since
        due = self.due
        if self.running:
            due = breached_at or self.calendar.add_business_time(since, target - used)
        elif self.stopped and breached_at is not None:
            due = breached_at
        return SlaClock(self.name, target, self.state, since, used, due, breached_at, self.calendar)

    def risk_at(self, share: float = AT_RISK_SHARE) -> datetime | None:
        """When a running clock reaches `share` of its target on its current run (`since`
        if it has already); None for a clock that does not run."""
        if not self.running:
            return None
        threshold = self.target * share
        if threshold <= self.used:
            return self.since
        return self.calendar.add_business_time(self.since, threshold - self.used)

    @property
    def running(self) -> bool:
        """Counting business time now."""
        return self.state == "running"

    @property
    def paused(self) -> bool:
        """Held (the case waits for the customer)."""
        return self.state == "paused"

    @property
    def stopped(self) -> bool:
        """Done: the first response was given, or the case is closed."""
        return self.state == "stopped"

    @property
    def stopped_at(self) -> datetime | None:
        """When it stopped (first response / closing), None while not stopped."""
        return self.since if self.stopped else None

    def used_at(self, now: datetime) -> timedelta:
        """Business time used by `now`."""
        if self.running and now > self.since:
            return self.used + self.calendar.business_time_between(self.since, now)
        return self.used

    def used_share(self, now: datetime) -> float:
        """Share of the target used by `now`: 0.5 = half, above 1 = breached."""
        return self.used_at(now) / self.target

    def left(self, now: datetime) -> timedelta:
        """Business time left by `now`; negative = over the target by that much."""
        return self.target - self.used_at(now)

    def breach(self, now: datetime) -> datetime | None:
        """When this clock was breached, if it was by `now`; None otherwise."""
        if self.breached_at is not None:
            return self.breached_at
        if self.running and self.due is not None and self.due < now:
            return self.due
        return None

    def met(self, now: datetime) -> bool:
        """Stopped in time."""
        return self.stopped and self.breach(now) is None

    def label(self, now: datetime) -> str:
        """`2h10m left`, `breached 3h` (business time over), `paused`, `met`; spans of
        days coarse (`1d3h left`, `breached 35d`: calendar.format_coarse)."""
        day = self.calendar.day_minutes
        used = self.used_at(now)
        if self.breach(now) is not None:
            over = int((used - self.target) / _MINUTE)
            return f"breached {format_coarse(over, day)}" if over > 0 else "breached"
        if self.stopped:
            return "met"
        if self.paused:
            return "paused"
        left = int((self.target - used) / _MINUTE)
        return f"{format_coarse(max(left, 0), day)} left"


@dataclass(frozen=True)
class SlaState:
    """The SLA of a case: its policy's name and the clocks that policy keeps."""

    policy: str
    first_response: SlaClock | None
    resolution: SlaClock | None
    first_response_at: datetime | None = None
    """When the first response was given (it stopped the first-response clock for good)."""

    def status_changed(self, status: Status, at: datetime) -> "SlaState":
        """The clocks after the case entered `status` at `at`."""
        first = self.first_response
        if first is not None and self.first_response_at is None:
            first = first.entered(clock_state("first_response", status), at)
        resolution = self.resolution
        if resolution is not None:
            resolution = resolution.entered(clock_state("resolution", status), at)
        return SlaState(self.policy, first, resolution, self.first_response_at)

    def responded(self, at: datetime) -> "SlaState":
        """The clocks after the first response at `at`; later responses change nothing."""
        if self.first_response_at is not None:
            return self
        first = self.first_response
        if first is not None and not first.stopped:
            first = first.entered("stopped", at)
        return SlaState(self.policy, first, self.resolution, at)

    @property
    def clocks(self) -> tuple[SlaClock, ...]:
        """The clocks kept (first response first)."""
        return tuple(c for c in (self.first_response, self.resolution) if c is not None)

    @property
    def paused(self) -> bool:
        """The resolution clock is paused (Waiting)."""
        return self.resolution is not None and self.resolution.paused

    def breached(self, now: datetime) -> list[ClockName]:
        """Names of the clocks breached by `now`."""
        return [c.name for c in self.clocks if c.breach(now) is not None]

    def urgent(self, now: datetime) -> SlaClock | None:
        """The clock to show: among those not stopped the breached one, else the one with
        the larger share used (a paused one only if none runs); when all are stopped, the
        resolution clock."""
        live = [c for c in self.clocks if not c.stopped]
        if live:
            return max(
                live,
                key=lambda c: (c.breach(now) is not None, c.running, c.used_share(now)),
            )
        return self.resolution or self.first_response

    def used_share(self, now: datetime) -> float | None:
        """The largest share used among the clocks not stopped; None when all stopped."""
        shares = [c.used_share(now) for c in self.clocks if not c.stopped]
        return max(shares) if shares else None

    def label(self, now: datetime) -> str:
        """The urgent clock's label (`2h10m left`, `breached 3h`, `paused`, `met`)."""
        clock = self.urgent(now)
        return clock.label(now) if clock is not None else ""

    def breach_at(self) -> datetime | None:
        """The instant the case is (or, on its current course, will be) breached: the
        earliest breach of a clock, or the due instant of a running clock; None when no
        clock runs and none was breached. The "SLA breached" view is `breach_at <= now`."""
        instants = [c.breached_at for c in self.clocks if c.breached_at is not None]
        instants += [c.due for c in self.clocks if c.running and c.due is not None]
        return min(instants, default=None)

    def due_at(self) -> datetime | None:
        """The earliest due instant among the running clocks (sort by SLA); None when no
        clock runs (paused, stopped)."""
        return min((c.due for c in self.clocks if c.running and c.due is not None), default=None)

    def risk_at(self, share: float = AT_RISK_SHARE) -> datetime | None:
        """When a running clock reaches `share` of its target ("SLA at risk")."""
        return min((r for c in self.clocks if (r := c.risk_at(share)) is not None), default=None)

    def summary(self) -> str:
        """`Gold: first response 1h, resolution 1d` — the policy and its targets as the
        activity log records them."""
        day = None
        parts = []
        for clock in self.clocks:
            day = clock.calendar.day_minutes
            minutes = int(clock.target / _MINUTE)
            parts.append(f"{clock.name.replace('_', ' ')} {format_span(minutes, day)}")
        return f"{self.policy}: {', '.join(parts)}" if parts else self.policy

    def retargeted(
        self,
        policy: SlaPolicy,
        calendar: BusinessCalendar,
        *,
        created_at: datetime,
        status: Status,
        at: datetime,
    ) -> "SlaState":
        """This SLA under `policy` from `at` on (a new priority or type matched another
        policy, or the targets changed): kept clocks keep the business time they have
        used and take the new targets; a clock the new policy adds runs from the case's
        creation; one it does not keep is dropped."""
        fresh = start_sla(policy, calendar, created_at).status_changed(status, at)
        if self.first_response_at is not None:
            fresh = fresh.responded(self.first_response_at)

        def kept(old: SlaClock | None, new: SlaClock | None) -> SlaClock | None:
            if new is None or old is None:
                return new
            return old.retargeted(new.target, at)

        return SlaState(
            policy.name,
            kept(self.first_response, fresh.first_response),
            kept(self.resolution, fresh.resolution),
            self.first_response_at,
        )

    def data(self) -> dict[str, Any]:
        """This state as JSON-ready data (what storage keeps); `restore` reads it back."""
        return {
            "policy": self.policy,
            "first_response_at": _iso(self.first_response_at),
            "clocks": {c.name: _clock_data(c) for c in self.clocks},
        }


def restore(data: dict[str, Any], calendar: BusinessCalendar) -> SlaState:
    """The state `SlaState.data` gave, on `calendar`."""
    clocks = data.get("clocks", {})

    def clock(name: ClockName) -> SlaClock | None:
        stored = clocks.get(name)
        if stored is None:
            return None
        return SlaClock(
            name,
            timedelta(microseconds=stored["target"]),
            stored["state"],
            _instant(stored["since"]),
            timedelta(microseconds=stored["used"]),
            _maybe(stored.get("due")),
            _maybe(stored.get("breached_at")),
            calendar,
        )

    return SlaState(
        str(data["policy"]),
        clock("first_response"),
        clock("resolution"),
        _maybe(data.get("first_response_at")),
    )


def _clock_data(clock: SlaClock) -> dict[str, Any]:
    micro = timedelta(microseconds=1)
    return {
        "target": clock.target // micro,
        "state": clock.state,
        "since": clock.since.isoformat(),
        "used": clock.used // micro,
        "due": _iso(clock.due),
        "breached_at": _iso(clock.breached_at),
    }


def _iso(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def _instant(text: str) -> datetime:
    return datetime.fromisoformat(text)


def _maybe(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text)


@dataclass(frozen=True)
class StatusChange:
    """The case entered `status` at `at`."""

    at: datetime
    status: Status


_RUNNING = {
    "first_response": frozenset({Status.OPEN, Status.IN_PROGRESS, Status.WAITING}),
    "resolution": frozenset({Status.OPEN, Status.IN_PROGRESS}),
}
_PAUSED = {"first_response": frozenset[Status](), "resolution": frozenset({Status.WAITING})}


def clock_state(name: ClockName, status: Status) -> ClockState:
    """What a case in `status` does to clock `name`: first response runs in every status
    but Closed; resolution runs in Open and In progress, is paused in Waiting."""
    if status in _RUNNING[name]:
        return "running"
    return "paused" if status in _PAUSED[name] else "stopped"


def start_sla(policy: SlaPolicy, calendar: BusinessCalendar, created_at: datetime) -> SlaState:
    """The clocks of a case just created (Open) under `policy`."""

    def clock(name: ClockName, target: BusinessDuration | None) -> SlaClock | None:
        if target is None:
            return None
        span = timedelta(minutes=calendar.minutes(target))
        return SlaClock.started(name, span, calendar, created_at)

    return SlaState(
        policy.name,
        clock("first_response", policy.first_response),
        clock("resolution", policy.resolution),
    )


def sla_state(
    policy: SlaPolicy,
    calendar: BusinessCalendar,
    created_at: datetime,
    first_response_at: datetime | None,
    history: Sequence[StatusChange | tuple[datetime, Status]],
) -> SlaState:
    """The clocks of a case under `policy`, from its events: `history` is the case's
    status changes in the order they happened (the case starts Open at `created_at`;
    changes before it count from it); `first_response_at` the first response to the
    customer, if any. The same as `start_sla` advanced by `status_changed` and
    `responded` in the order the events happened."""
    state = start_sla(policy, calendar, created_at)
    for change in history:
        at, status = (change.at, change.status) if isinstance(change, StatusChange) else change
        due_first = first_response_at is not None and state.first_response_at is None
        if due_first and first_response_at is not None and at >= first_response_at:
            state = state.responded(first_response_at)
        state = state.status_changed(status, at)
    if first_response_at is not None and state.first_response_at is None:
        state = state.responded(first_response_at)
    return state


# --- escalation -------------------------------------------------------------------------

_AT = re.compile(r"^(\d{1,4})%(?:\+(.+))?$")


@dataclass(frozen=True)
class Escalation:
    """A configured escalation level: reached when a clock has used `percent` of its target
    plus `after` (business time); then `notify` is told and, if asked, the priority rises."""

    at: str
    percent: int
    after: BusinessDuration
    notify: str
    raise_priority: bool = False

    def threshold(self, clock: SlaClock) -> timedelta:
        """The business time `clock` has used when this level is reached."""
        return _threshold(self.percent, clock.calendar.minutes(self.after), clock.target)


@functools.lru_cache(maxsize=512)
def _threshold(percent: int, after_minutes: int, target: timedelta) -> timedelta:
    """`percent` of `target` plus `after_minutes` (a pass asks for few distinct ones)."""
    target_us = target // timedelta(microseconds=1)
    return timedelta(microseconds=target_us * percent // 100, minutes=after_minutes)


def parse_escalation(at: str, notify: str, raise_priority: bool = False) -> Escalation:
    """An escalation level from its config values: `at` is `75%`, `100%` or `100%+4h`
    (a share of the target, then business time after it). ValidationError with one line."""
    text = re.sub(r"\s+", "", at)
    match = _AT.match(text)
    if match is None:
        raise ValidationError(
            f"escalation at {at!r}: expected a share of the target like '75%', '100%' or '100%+4h'"
        )
    percent = int(match.group(1))
    after = BusinessDuration()
    if match.group(2) is not None:
        try:
            after = parse_duration(match.group(2))
        except ValidationError as error:
            raise ValidationError(f"escalation at {at!r}: {error.message}") from None
    if percent == 0 and after == BusinessDuration():
        raise ValidationError(f"escalation at {at!r}: must be more than 0%")
    if notify not in NOTIFY_TARGETS:
        raise ValidationError(
            f"escalation notify {notify!r}: expected one of {', '.join(NOTIFY_TARGETS)}"
        )
    return Escalation(text, percent, after, notify, raise_priority)


@dataclass(frozen=True)
class EscalationLevel:
    """One level of one clock: `key` identifies it stably for firing it exactly once per
    case and clock (`resolution:1:100%+4h`)."""

    clock: ClockName
    index: int
    at: str
    notify: str
    raise_priority: bool
    percent: int = 0
    """The share of the target the level is at (100 and more: at or after the breach)."""

    @property
    def key(self) -> str:
        """`<clock>:<index in [[sla.escalations]]>:<at>`."""
        return f"{self.clock}:{self.index}:{self.at}"

    @property
    def breach(self) -> bool:
        """At or after the breach (`sla_breach` notifications); below it `sla_warning`."""
        return self.percent >= 100

    def change(self, told: Sequence[str], raised: tuple[str, str] | None) -> tuple[str, str]:
        """The activity log's old → new: (`resolution at 100%+4h`, `told lena, root;
        priority high → urgent`) — `escalation: resolution at 100%+4h → told lena` in the
        timeline and the feed (`told nobody` when no one could be told)."""
        who = ", ".join(told) if told else "nobody"
        line = f"told {who}"
        if raised is not None:
            line += f"; priority {raised[0]} → {raised[1]}"
        return f"{self.clock.replace('_', ' ')} at {self.at}", line

    def text(self, clock: SlaClock, case_label: str, now: datetime) -> str:
        """The notification's line: `SLA first response at 75% on 0001234: 1h left` (the
        clock's label as of `now`)."""
        name = self.clock.replace("_", " ")
        label = clock.label(now)
        if self.breach and clock.breach(now) is None:  # at the very instant of the breach
            label = "breached"
        return f"SLA {name} at {self.at} on {case_label}: {label}"


def _level(clock: SlaClock, index: int, escalation: Escalation) -> EscalationLevel:
    return EscalationLevel(
        clock.name,
        index,
        escalation.at,
        escalation.notify,
        escalation.raise_priority,
        escalation.percent,
    )


def due_levels(
    escalations: Sequence[Escalation], clock: SlaClock, now: datetime
) -> list[EscalationLevel]:
    """The levels of `clock` reached by `now`, in configured order (the caller drops those
    already fired). A stopped clock has none: there is nothing left to escalate."""
    if clock.stopped:
        return []
    used = clock.used_at(now)
    return [
        _level(clock, index, escalation)
        for index, escalation in enumerate(escalations)
        if escalation.threshold(clock) <= used
    ]


def level_at(escalation: Escalation, clock: SlaClock) -> datetime | None:
    """When `escalation` is reached on `clock`'s current course: an instant (`since` when
    it was reached before its last change), None when it will not be (paused short of it,
    or stopped)."""
    if clock.stopped:
        return None
    threshold = escalation.threshold(clock)
    if threshold <= clock.used:
        return clock.since
    if not clock.running:
        return None
    return clock.calendar.add_business_time(clock.since, threshold - clock.used)


def next_level_at(
    escalations: Sequence[Escalation], clock: SlaClock, fired: Collection[str] = ()
) -> tuple[datetime, EscalationLevel] | None:
    """The next level of `clock` not in `fired` (keys) and when it is reached, or None:
    what a scheduler stores to find due escalations without scanning.

    A level with a larger threshold is never reached earlier on the same course, so only
    the smallest threshold not fired is placed on the calendar (one computation per
    clock: this runs on every case change)."""
    if clock.stopped:
        return None
    lowest: tuple[timedelta, int, Escalation] | None = None
    for index, escalation in enumerate(escalations):
        if fired and _level(clock, index, escalation).key in fired:
            continue
        threshold = escalation.threshold(clock)
        if lowest is None or threshold < lowest[0]:
            lowest = (threshold, index, escalation)
    if lowest is None:
        return None
    when = level_at(lowest[2], clock)
    return None if when is None else (when, _level(clock, lowest[1], lowest[2]))


def escalation_at(
    escalations: Sequence[Escalation], state: SlaState | None, fired: Collection[str] = ()
) -> datetime | None:
    """When the next escalation level not in `fired` is reached on either clock of
    `state` (`cases.sla_escalation_at`); None without levels, without an SLA, or when
    none is pending (all fired, clocks stopped, paused short of the next level)."""
    if not escalations or state is None:
        return None
    candidates = []
    for clock in state.clocks:
        if clock.stopped:
            continue
        lowest = min(
            (
                escalation.threshold(clock)
                for index, escalation in enumerate(escalations)
                if not fired or _key(clock.name, index, escalation) not in fired
            ),
            default=None,
        )
        if lowest is not None:
            candidates.append((clock, lowest))
    return _earliest(candidates)


def escalation_plan(
    escalations: Sequence[Escalation], state: SlaState | None, fired: Collection[str], now: datetime
) -> tuple[list[tuple[SlaClock, EscalationLevel]], datetime | None]:
    """What a scheduler pass at `now` does to a case: the levels reached by `now` not in
    `fired` (with their clock, in clock then configured order), and when the next level
    is reached once those are fired too (the new `sla_escalation_at`). The same as
    `due_levels` and `escalation_at`, each level's threshold computed once."""
    if not escalations or state is None:
        return [], None
    due: list[tuple[SlaClock, EscalationLevel]] = []
    candidates = []
    for clock in state.clocks:
        if clock.stopped:
            continue
        levels = [
            (escalation.threshold(clock), index, escalation)
            for index, escalation in enumerate(escalations)
            if _key(clock.name, index, escalation) not in fired
        ]
        if not levels:
            continue
        lowest = min(threshold for threshold, _, _ in levels)
        # Business time never runs faster than the wall clock: a clock that cannot have
        # reached its lowest level by now needs no calendar to say so.
        bound = clock.used + max(now - clock.since, timedelta(0)) if clock.running else clock.used
        used = clock.used_at(now) if lowest <= bound else clock.used
        rest: timedelta | None = None
        for threshold, index, escalation in levels:
            if threshold <= used:
                due.append((clock, _level(clock, index, escalation)))
            elif rest is None or threshold < rest:
                rest = threshold
        if rest is not None:
            candidates.append((clock, rest))
    return due, _earliest(candidates)


def _key(clock: ClockName, index: int, escalation: Escalation) -> str:
    return f"{clock}:{index}:{escalation.at}"


def _earliest(candidates: Sequence[tuple[SlaClock, timedelta]]) -> datetime | None:
    """The earliest instant a clock reaches its threshold, over (clock, threshold) pairs.
    Business time never runs faster than the wall clock, so `since + (threshold - used)`
    bounds a running clock's instant from below: a clock whose bound is not before the
    best instant found is not placed on the calendar."""
    best: datetime | None = None
    bounded: list[tuple[datetime, SlaClock, timedelta]] = []
    for clock, threshold in candidates:
        if threshold <= clock.used:
            best = clock.since if best is None else min(best, clock.since)
        elif clock.running:
            bounded.append((clock.since + (threshold - clock.used), clock, threshold))
    for bound, clock, threshold in sorted(bounded, key=lambda item: item[0]):
        if best is not None and bound >= best:
            break
        when = clock.calendar.add_business_time(clock.since, threshold - clock.used)
        best = when if best is None else min(best, when)
    return best


def escalation_recipients(
    notify: str,
    *,
    user: str | None,
    group_members: Collection[str],
    leads: Collection[str],
    owner: str | None,
    admins: Collection[str],
) -> list[str]:
    """Who a level with `notify` tells (sorted, each once; the names handed in are the
    active agents only):

    - `delegate`: the delegated user, else the delegated group's members; a case without
      a delegate (or a group without active members) falls back to its owner, then to the
      admins;
    - `lead`: the delegated group's lead (`leads`; for a case delegated to a user, the
      leads of that user's groups); nobody there (no delegate, a group without an active
      lead, a user in no led group) falls back to the admins;
    - `owner`: the case's owner; without one, the delegate (as above), then the admins;
    - `admins`: every active admin.

    Nobody at all (no admins either) is possible: the level is still logged on the case.
    """
    delegate = {user} if user else set(group_members)
    chosen: set[str] = set()
    if notify == "delegate":
        chosen = delegate or ({owner} if owner else set())
    elif notify == "lead":
        chosen = set(leads)
    elif notify == "owner":
        chosen = {owner} if owner else delegate
    return sorted(chosen or set(admins))


@dataclass(frozen=True)
class SlaRules:
    """What the configuration says about SLAs: the policies (first match wins), the
    business calendar they count in, and the escalation levels."""

    policies: tuple[SlaPolicy, ...]
    calendar: BusinessCalendar = field(compare=False)
    escalations: tuple[Escalation, ...] = ()

    def risk_horizon(self, now: datetime) -> datetime:
        """No case is at risk by `now` whose breach comes later than this: a clock at
        risk has at most (1 - AT_RISK_SHARE) of the longest target left. What bounds the
        "SLA at risk" view to an index range."""
        longest = max(
            (
                self.calendar.minutes(target)
                for policy in self.policies
                for target in (policy.first_response, policy.resolution)
                if target is not None
            ),
            default=0,
        )
        return self.calendar.add_business_minutes(now, math.ceil(longest * (1 - AT_RISK_SHARE)))

    def match(
        self, priority: str, case_type: str, account: str | None, mailbox: str | None
    ) -> SlaPolicy | None:
        """The policy of a case with these values, None when none matches."""
        return match_policy(self.policies, priority, case_type, account, mailbox)


def sla_facts(
    data: dict[str, Any] | None, calendar: BusinessCalendar, now: datetime
) -> dict[str, Any] | None:
    """A stored state as the facts `case show --json` gives: policy, the due instants, the
    first response, paused, the clocks breached by `now` (None without a policy)."""
    if not data:
        return None
    state = restore(data, calendar)
    first, resolution = state.first_response, state.resolution
    return {
        "policy": state.policy,
        "first_response_due": first.due if first is not None else None,
        "first_response_at": state.first_response_at,
        "resolution_due": resolution.due if resolution is not None else None,
        "paused": state.paused,
        "breached": state.breached(now),
    }


def clock_lines(
    data: dict[str, Any] | None, calendar: BusinessCalendar, now: datetime
) -> list[tuple[str, str]]:
    """The policy and each clock as (name, text) for people: `first response`, `2h10m
    left (due Mon 23 Nov 13:00)`, `met`, `breached 3h`, `paused`; due instants in the
    calendar's time zone. Nothing without a policy."""
    if not data:
        return []
    state = restore(data, calendar)
    lines = [("sla", state.policy)]
    for clock in state.clocks:
        text = clock.label(now)
        if clock.running and clock.due is not None and clock.breach(now) is None:
            text += f" (due {clock.due.astimezone(calendar.zone):%a %d %b %H:%M})"
        elif clock.stopped and clock.stopped_at is not None:
            text += f" ({clock.stopped_at.astimezone(calendar.zone):%a %d %b %H:%M})"
        lines.append((clock.name.replace("_", " "), text))
    return lines


@dataclass(frozen=True)
class ClockView:
    """One clock as lists and headers show it: `First response`, `2h10m left`, and its
    level: `ok`, `risk` (≥ AT_RISK_SHARE used), `breached`, `paused` or `met`."""

    title: str
    text: str
    level: str


@dataclass(frozen=True)
class SlaView:
    """A case's SLA as of one instant, ready to show: the urgent clock's label and level
    (the queue's column) and every clock (the case header)."""

    policy: str
    label: str
    level: str
    clocks: tuple[ClockView, ...]


def clock_level(clock: SlaClock, now: datetime) -> str:
    """`breached`, `met`, `paused`, `risk` or `ok` (see ClockView)."""
    if clock.breach(now) is not None:
        return "breached"
    if clock.stopped:
        return "met"
    if clock.paused:
        return "paused"
    return "risk" if clock.used_share(now) >= AT_RISK_SHARE else "ok"


def sla_view(
    data: dict[str, Any] | None, calendar: BusinessCalendar, now: datetime
) -> SlaView | None:
    """The stored state `data` as of `now`, None without a policy."""
    if not data:
        return None
    state = restore(data, calendar)
    clocks = tuple(
        ClockView(c.name.replace("_", " ").capitalize(), c.label(now), clock_level(c, now))
        for c in state.clocks
    )
    urgent = state.urgent(now)
    if urgent is None:
        return SlaView(state.policy, "", "", clocks)
    return SlaView(state.policy, urgent.label(now), clock_level(urgent, now), clocks)
