"""Demo data (OPS-1 `helpdesk demo`): people, customers and ~500 cases with a past.

`seed_demo` loads `sample_data/` and then *replays* the life of every case through the
real services (create, assign to me, comment, reply, call, wait, close, reopen) with the
clock moved along, then files the sample mails (`demo_mail`) through the real intake,
so demo data obeys every rule a user's data does and its timelines look like work that
happened over the last two months. `generate_cases` adds many more
cases quickly through the bulk loader, for lists that feel big and for benchmarks.
"""

import random
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace
from datetime import timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from helpdesk_tui.domain.calendar import BusinessCalendar, parse_duration, parse_hours
from helpdesk_tui.domain.errors import ValidationError
from helpdesk_tui.domain.policy import CaseType, Policy
from helpdesk_tui.domain.sla import SlaPolicy, SlaRules, parse_escalation
from helpdesk_tui.services.context import Context
from helpdesk_tui.services.csat import rate_demo
from helpdesk_tui.services.demo_conversations import classify_demo_mails
from helpdesk_tui.services.demo_mail import file_demo_mails, load_mails, load_outgoing
from helpdesk_tui.services.demo_replay import (
    DEMO_CASES,
    DEMO_DAYS,
    Replay,
    ReplayContext,
    SimClock,
)
from helpdesk_tui.services.demo_sample import SAMPLE_DIR, fill_placeholders, load_sample
from helpdesk_tui.services.people import seed_people
from helpdesk_tui.storage import bulk, replay

__all__ = [
    "DEMO_DAYS",
    "DEMO_HARDWARE",
    "SAMPLE_DIR",
    "DemoSummary",
    "demo_policy",
    "demo_summary",
    "generate_cases",
    "seed_demo",
]

#: A case type with custom fields (CASE-2), so the demo's hardware cases show them.
DEMO_HARDWARE = CaseType("hardware", "Hardware", ("device", "serial_number"))


#: The demo's SLA (DATE-3), as its config file says it (`demo_sla` is the same in values).
DEMO_SLA_TOML = """
[calendar]
timezone = "Europe/Berlin"
hours = "mon-fri 08:00-17:00"

[[sla.policies]]
name = "urgent"
priority = ["urgent", "high"]
first_response = "2h"
resolution = "3d"

[[sla.policies]]
name = "standard"
first_response = "8h"

[[sla.escalations]]
at = "75%"
notify = "delegate"

[[sla.escalations]]
at = "100%"
notify = "lead"

[[sla.escalations]]
at = "100%+4h"
notify = "admins"
raise_priority = true
"""


def demo_sla() -> SlaRules:
    """The SLA rules of DEMO_SLA_TOML, so the demo's queue shows the SLA column."""
    calendar = BusinessCalendar(ZoneInfo("Europe/Berlin"), parse_hours("mon-fri 08:00-17:00"))
    urgent = SlaPolicy(
        "urgent",
        first_response=parse_duration("2h"),
        resolution=parse_duration("3d"),
        priorities=frozenset({"urgent", "high"}),
    )
    # A first response for every case, a resolution target for urgent and high ones only:
    # the demo's queue shows every SLA state at its clock (breached, at risk, time left,
    # paused, met), not weeks-old cases all breached.
    standard = SlaPolicy("standard", first_response=parse_duration("8h"))
    escalations = (  # issue 15 §4, as DEMO_SLA_TOML says them
        parse_escalation("75%", "delegate"),
        parse_escalation("100%", "lead"),
        parse_escalation("100%+4h", "admins", raise_priority=True),
    )
    return SlaRules((urgent, standard), calendar, escalations)


def demo_policy(policy: Policy) -> Policy:
    """`policy` with the demo's hardware type, unless it has a type of that name, and the
    demo's SLA unless it has SLA policies of its own."""
    if policy.sla is None:
        policy = replace(policy, sla=demo_sla())
    if any(t.key == DEMO_HARDWARE.key for t in policy.case_types):
        return policy
    return replace(policy, case_types=(*policy.case_types, DEMO_HARDWARE))


# -- the summary ------------------------------------------------------------------------
@dataclass(frozen=True)
class DemoSummary(replay.TableCounts):
    """What a demo database holds, for `helpdesk demo` to print."""

    database: str = ""
    generated: int = 0

    def lines(self) -> list[str]:
        """A short human summary, one fact per line."""
        statuses = ", ".join(
            f"{count:,} {status.replace('_', ' ')}" for status, count in self.by_status.items()
        )
        generated = f", {self.generated:,} generated" if self.generated else ""
        return [
            f"demo database: {self.database}",
            f"cases: {self.cases:,} ({self.sub_cases:,} sub-cases{generated}) — {statuses}",
            f"activities: {self.activities:,}",
            f"people: {self.agents} agents in {self.groups} groups; "
            f"{self.contacts:,} contacts at {self.accounts:,} accounts",
        ]

    def as_dict(self) -> dict[str, Any]:
        """The summary as JSON-ready data."""
        return asdict(self)


def demo_summary(ctx: Context, *, generated: int = 0) -> DemoSummary:
    """Count what the database holds now."""
    with ctx.uow(write=False) as uow:
        counts = replay.table_counts(uow)
    return DemoSummary(**asdict(counts), database=ctx.location.display(), generated=generated)


# -- seeding -------------------------------------------------------------------------------
def seed_demo(
    ctx: Context,
    *,
    sample_dir: Path = SAMPLE_DIR,
    seed: int = 7,
    cases: int = DEMO_CASES,
    generate: int = 0,
    progress: Callable[[int], None] | None = None,
) -> DemoSummary:
    """Fill an empty database with the demo data set; `generate` adds bulk cases on top.

    Cases are created over the last DEMO_DAYS days before `ctx.clock()`; every one of
    them goes through the services, so the rules hold for demo data as for real data.
    """
    sample = load_sample(sample_dir)
    ctx.migrate()
    with ctx.uow(write=False) as uow:
        existing = replay.table_counts(uow).cases
    if existing:
        raise ValidationError(
            f"{ctx.location.display()} already holds {existing} cases; "
            "the demo needs an empty database"
        )
    if not seed_people(ctx, sample.agents, sample.groups, source="demo"):
        raise ValidationError(
            f"{ctx.location.display()} already has users; the demo needs an empty database"
        )
    with ctx.uow() as uow:
        replay.insert_accounts_contacts(uow, sample.accounts, sample.contacts)
        uow.commit()
    now = ctx.clock()
    clock = SimClock(now)
    replay_ctx = ReplayContext(ctx.location, policy=ctx.policy, clock=clock)
    try:
        Replay(replay_ctx, clock, sample, random.Random(seed), now).run(cases)
    finally:
        replay_ctx.dispose()
    german = frozenset(c.email for c in sample.contacts if c.language == "de")
    mails, outgoing = load_mails(sample_dir), load_outgoing(sample_dir)
    file_demo_mails(ctx, mails, sample.agents, german, outgoing)
    rate_demo(ctx)  # CSAT: a few customers rated their closed cases (issue 15 §7)
    classify_demo_mails(ctx, sample.agents[0].username)  # MAIL-8: the conversations inbox
    generated = generate_cases(ctx, generate, progress=progress) if generate else 0
    return demo_summary(ctx, generated=generated)


#: Cases whose due escalation levels the demo fires for real (the feed shows them).
DEMO_ESCALATED = 3


def escalate_demo(ctx: Context) -> None:
    """SLA escalation in the demo (issue 15 §4; `helpdesk demo` calls it after `seed_demo`,
    which stays the same whatever the day): the levels its seeded past reached until
    three days ago count as fired (no flood of old news); a few cases escalate now on the
    levels reached since, as a scheduler pass does (entries, notifications, a raised
    priority); the rest of those count as fired too; later levels fire when the
    scheduler passes (`helpdesk sync`, the TUI)."""
    from helpdesk_tui.services.escalation import escalate_due, settle_reached

    settle_reached(ctx, ctx.clock() - timedelta(days=3))
    escalate_due(ctx, limit=DEMO_ESCALATED)
    settle_reached(ctx)


def generate_cases(
    ctx: Context,
    n: int,
    *,
    seed: int = 11,
    progress: Callable[[int], None] | None = None,
    sample_dir: Path = SAMPLE_DIR,
) -> int:
    """Add `n` generated cases (one `created` activity each) in bulk; returns how many.

    About 70 % are closed with a resolution, the rest open, in progress or waiting; they
    were created over the last two years, are due up to 30 days from today, and are
    delegated to the directory's users and groups with its contacts. Numbers continue
    the case counter, so the next normal create follows them. Needs agents, groups and
    contacts in the database (the demo's or a real directory).
    """
    if n <= 0:
        return 0
    known_types = {t.key for t in ctx.policy.case_types}
    templates = tuple(
        bulk.SubjectTemplate(
            text=fill_placeholders(s.subject, n=None),
            group=s.group,
            type=s.type if s.type in known_types else ctx.policy.default_type,
            priority=s.priority,
            language=s.language,
        )
        for s in load_sample(sample_dir).scenarios
    )
    spec = bulk.GenerationSpec(templates=templates, today=ctx.today())
    with bulk.BulkLoad(ctx.location, rows=n) as load:
        first, last = load.insert_generated_cases(spec, n, seed=seed, progress=progress)
        load.commit()
    from helpdesk_tui.services.stats import count_generated, zone_of  # past the unit of work

    with ctx.uow() as uow:
        count_generated(uow, zone_of(ctx.policy.sla), first, last)
        uow.commit()
    return n
