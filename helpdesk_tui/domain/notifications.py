"""Who is told what (DATE-4, ASSIGN-4, ACT-3, MAIL-6): notifications are decided here.

Two kinds of cause:
- a change of a case (`Change`: the case as it is after the change, who acted, and the
  timeline entries the change wrote). `for_change` says who hears of it: the new
  delegate (`delegated`; every member of a new delegate group; a new case only its
  delegate user — a group's queue shows its new cases), an agent named with
  `@name` in the text (`mention`), the agents whose case it is — delegated to them or
  owned by them — (`changed`), or, when the case was closed, the agent or the group that
  had it (`closed_activity`). Each agent hears of one change once, by its most important
  reason; the actor never hears of their own action.
- a date (`for_date`): the reminder date of a case has come (`reminder`), or its due date
  has passed (`overdue`); told to the case's delegate (a group's members) and its owner.
  The scheduler fires each (case, kind, date) once: `date_key`.

Kinds are plain text: later kinds (SLA warnings, conflicts) need no schema change.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from helpdesk_tui.domain.activity import ActivityDraft
from helpdesk_tui.domain.enums import ActivityKind, Status
from helpdesk_tui.domain.mentions import mentioned
from helpdesk_tui.domain.numbering import CaseNumber
from helpdesk_tui.domain.safe_text import one_line

#: How long an excerpt of a comment or mail a notification quotes, characters.
EXCERPT = 80


class NotificationKind(StrEnum):
    """Why an agent is told; stored as text (`notifications.kind`)."""

    DELEGATED = "delegated"
    MENTION = "mention"
    CLOSED_ACTIVITY = "closed_activity"
    CHANGED = "changed"
    REMINDER = "reminder"
    OVERDUE = "overdue"
    SLA_WARNING = "sla_warning"
    """An SLA escalation level below the target was reached (services/escalation.py)."""
    SLA_BREACH = "sla_breach"
    """An SLA escalation level at or after the breach was reached."""


#: When one change gives an agent several reasons, the first of these is the one told.
_PRECEDENCE = (
    NotificationKind.DELEGATED,
    NotificationKind.MENTION,
    NotificationKind.CLOSED_ACTIVITY,
    NotificationKind.CHANGED,
)

#: Entries that are a change someone should hear of on their case.
_TOLD = frozenset(
    {
        ActivityKind.COMMENT,
        ActivityKind.EXTERNAL,
        ActivityKind.PHONE,
        ActivityKind.STATUS,
        ActivityKind.DELEGATION,
        ActivityKind.CLOSED,
        ActivityKind.REOPENED,
        ActivityKind.MAIL_IN,
    }
)
#: Entries whose text an agent wrote: where `@name` mentions count.
_WRITTEN = frozenset(
    {
        ActivityKind.COMMENT,
        ActivityKind.EXTERNAL,
        ActivityKind.PHONE,
        ActivityKind.DELEGATION,
        ActivityKind.STATUS,
        ActivityKind.CLOSED,
        ActivityKind.REOPENED,
    }
)


@dataclass(frozen=True)
class CaseState:
    """What the rules need to know of a case: as it is (after the change)."""

    number: CaseNumber
    status: Status
    user: str | None = None
    group: str | None = None
    owner: str | None = None


@dataclass(frozen=True)
class Change:
    """A change of one case: the case after it, the agent who made it (None: the system
    or a customer's mail), the entries it wrote, and a mail's sender (mail in)."""

    case: CaseState
    actor: str | None
    drafts: Sequence[ActivityDraft]
    sender: str | None = None


@dataclass(frozen=True)
class Notice:
    """One notification to write: for `agent`, of `kind`, one line of `text`;
    `group` names the group it came through (a group's delegation, a group's case)."""

    agent: str
    kind: NotificationKind
    text: str
    group: str | None = None


@dataclass(frozen=True)
class People:
    """The directory as the rules see it: active agents, and each group's active members."""

    agents: frozenset[str]
    members: Mapping[str, frozenset[str]] = field(default_factory=dict)

    def of(self, group: str | None) -> frozenset[str]:
        """The active members of `group` (none for None or an unknown group)."""
        return self.members.get(group, frozenset()) if group else frozenset()


def for_change(change: Change, people: People) -> list[Notice]:
    """Who hears of `change`, and what: at most one notice per agent, never the actor."""
    drafts = list(change.drafts)
    if not drafts:
        return []
    case = change.case
    who = change.actor or ("mail" if change.sender else "the system")
    before_user, before_group = _delegation_before(case, drafts)
    reasons: dict[str, tuple[NotificationKind, str, str | None]] = {}

    def tell(
        agents: frozenset[str] | set[str],
        kind: NotificationKind,
        text: str,
        group: str | None = None,
    ) -> None:
        for agent in agents:
            if agent == change.actor or agent not in people.agents:
                continue
            known = reasons.get(agent)
            if known is None or _PRECEDENCE.index(kind) < _PRECEDENCE.index(known[0]):
                reasons[agent] = (kind, text, group)

    created = any(d.kind is ActivityKind.CREATED for d in drafts)
    handover = _handover(drafts)
    comment = f": {_excerpt(handover.text)}" if handover and handover.text else ""
    if created:  # a new case for a user is handed to them; a group's queue shows its own
        if case.user:
            tell({case.user}, NotificationKind.DELEGATED, f"{who} opened {case.number} for you")
    elif case.user and case.user != before_user:
        tell({case.user}, NotificationKind.DELEGATED, f"{who} handed {case.number} to you{comment}")
    elif case.group and case.group != before_group:
        text = f"{who} handed {case.number} to group {case.group}{comment}"
        tell(people.of(case.group), NotificationKind.DELEGATED, text, case.group)
    for draft in drafts:
        if draft.kind in _WRITTEN and draft.text:
            names = set(mentioned(draft.text))
            tell(
                names,
                NotificationKind.MENTION,
                f"{who} mentioned you on {case.number}: {_excerpt(draft.text)}",
            )
    if created:
        return _notices(reasons)
    told = [d for d in drafts if d.kind in _TOLD]
    if not told:
        return _notices(reasons)
    what = _what(told, who, change.sender, case)
    if _was_closed(case, drafts):
        had = {case.user} if case.user else set(people.of(case.group))
        if case.owner:
            had.add(case.owner)
        tell(
            had,
            NotificationKind.CLOSED_ACTIVITY,
            f"{case.number} (closed): {what}{_closed_tail(case, drafts)}",
            None if case.user else case.group,
        )
    mine = {name for name in (before_user, case.user, case.owner) if name}
    tell(mine, NotificationKind.CHANGED, f"{case.number}: {what}")
    return _notices(reasons)


def for_date(kind: NotificationKind, case: CaseState, day: date, people: People) -> list[Notice]:
    """Who is told that a date of `case` has come: `reminder` (the reminder date `day`)
    or `overdue` (the due date `day` has passed) — its delegate (a group's members) and
    its owner, each once."""
    if kind is NotificationKind.REMINDER:
        text = f"reminder {day.isoformat()} of {case.number} has come"
    elif kind is NotificationKind.OVERDUE:
        text = f"{case.number} is overdue: it was due {day.isoformat()}"
    else:
        raise ValueError(f"{kind} is not a date notification")
    agents = {case.user} if case.user else set(people.of(case.group))
    if case.owner:
        agents.add(case.owner)
    group = None if case.user else case.group
    return [
        Notice(agent, kind, text, group if agent != case.owner else None)
        for agent in sorted(agents)
        if agent in people.agents
    ]


def _notices(reasons: Mapping[str, tuple[NotificationKind, str, str | None]]) -> list[Notice]:
    return [Notice(agent, *reasons[agent]) for agent in sorted(reasons)]


def _delegation_before(
    case: CaseState, drafts: Sequence[ActivityDraft]
) -> tuple[str | None, str | None]:
    """Who had the case before the change: the old side of its first delegation entry."""
    for draft in drafts:
        if draft.kind is ActivityKind.DELEGATION:
            user = draft.changes.get("delegated_user", (case.user, case.user))[0]
            group = draft.changes.get("delegated_group", (case.group, case.group))[0]
            return user, group
    return case.user, case.group


def _handover(drafts: Sequence[ActivityDraft]) -> ActivityDraft | None:
    """The delegation entry an agent made (a takeover by process action is not one)."""
    for draft in drafts:
        if draft.kind is ActivityKind.DELEGATION:
            return draft
    return None


def _was_closed(case: CaseState, drafts: Sequence[ActivityDraft]) -> bool:
    """Whether the case was closed when the change began."""
    for draft in drafts:
        if "status" in draft.changes:
            return draft.changes["status"][0] == Status.CLOSED.value
    return case.status is Status.CLOSED


def _closed_tail(case: CaseState, drafts: Sequence[ActivityDraft]) -> str:
    if not any(d.kind is ActivityKind.MAIL_IN for d in drafts):
        return ""
    if case.status is Status.CLOSED:
        return "; it stays closed: reopen or open a new case"
    return "; reopened it"


def _what(told: Sequence[ActivityDraft], who: str, sender: str | None, case: CaseState) -> str:
    """One line for what the change did, by its most telling entry."""
    kinds = {d.kind: d for d in told}
    if ActivityKind.MAIL_IN in kinds:
        draft = kinds[ActivityKind.MAIL_IN]
        excerpt = f": {_excerpt(draft.text)}" if draft.text else ""
        return f"mail from {sender or 'a customer'}{excerpt}"
    if ActivityKind.CLOSED in kinds:
        resolution = kinds[ActivityKind.CLOSED].changes.get("resolution", (None, None))[1]
        return f"{who} closed it" + (f" ({resolution})" if resolution else "")
    if ActivityKind.REOPENED in kinds:
        return f"{who} reopened it"
    for kind, verb in (
        (ActivityKind.EXTERNAL, "wrote to the customer"),
        (ActivityKind.COMMENT, "commented"),
        (ActivityKind.PHONE, "noted a call"),
    ):
        if kind in kinds:
            return f"{who} {verb}: {_excerpt(kinds[kind].text)}"
    if ActivityKind.STATUS in kinds:
        old, new = kinds[ActivityKind.STATUS].changes.get("status", (None, None))
        return f"{who} set the status {old} → {new}"
    draft = kinds[ActivityKind.DELEGATION]
    to = case.user or (f"group {case.group}" if case.group else "nobody")
    comment = f": {_excerpt(draft.text)}" if draft.text else ""
    return f"{who} handed it to {to}{comment}"


def _excerpt(text: str) -> str:
    return one_line(text, EXCERPT)
