"""Shared by the case-rule unit tests: a fixed clock, a policy, actors and case builders
(on the test dir's import path: `from case_rules_support import …`)."""

from datetime import UTC, datetime, timedelta

from helpdesk_tui.domain.activity import ActivityDraft
from helpdesk_tui.domain.case import Actor, Case, Delegation, new_case
from helpdesk_tui.domain.enums import ActivityKind, Resolution, Role
from helpdesk_tui.domain.numbering import CaseNumber
from helpdesk_tui.domain.policy import Policy

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
LATER = NOW + timedelta(hours=2)
POLICY = Policy()

ALICE = Actor("alice", Role.AGENT, frozenset({"billing"}))
BOB = Actor("bob", Role.AGENT, frozenset({"technical"}))
LENA = Actor("lena", Role.LEAD, frozenset({"billing"}))
ROOT = Actor("root", Role.ADMIN)


FIVE = CaseNumber(5)
TO_ALICE = Delegation(user="alice")


def make_case(
    number: CaseNumber | None = FIVE,
    *,
    delegation: Delegation = TO_ALICE,
    policy: Policy = POLICY,
    **kwargs: object,
) -> Case:
    """A saved-looking case created at NOW by alice."""
    case, _ = new_case(
        policy=policy,
        actor=ALICE,
        now=NOW,
        subject=str(kwargs.pop("subject", "Printer jam")),
        contact=str(kwargs.pop("contact", "kunde@acme.example")),
        delegation=delegation,
        **kwargs,
    )
    case.number = number
    case.version = 1
    return case


def closed_case(**kwargs: object) -> Case:
    case = make_case(**kwargs)
    case.close(ALICE, NOW, POLICY, Resolution.SOLVED)
    return case


def kinds(drafts: list[ActivityDraft]) -> list[ActivityKind]:
    return [draft.kind for draft in drafts]
