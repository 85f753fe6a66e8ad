"""The demo's story: sample data, and the life of each case replayed through the services.

`Replay` walks every planned case through create, assign, comment, reply, call, wait,
close and reopen, moving a simulated clock between steps, so the demo's timelines look
like two months of real work and obey every rule real data does.

The same demo every run (issue 12): cases are planned on *working days before today*
(never on the calendar), and each case's life draws from its own random generator, so
the day and hour of seeding move the dates but never change which cases exist, their
statuses, timelines or numbers.
"""

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from helpdesk_tui.domain.enums import ActivityKind, Resolution, Role, Status
from helpdesk_tui.domain.errors import ValidationError
from helpdesk_tui.domain.numbering import CaseNumber
from helpdesk_tui.services import cases as svc
from helpdesk_tui.services.context import Context
from helpdesk_tui.services.demo_sample import SampleData, Scenario, fill_placeholders
from helpdesk_tui.services.sla import before_commit
from helpdesk_tui.storage import replay
from helpdesk_tui.storage.engine import make_engine
from helpdesk_tui.storage.uow import UnitOfWork

#: Cases (with sub-cases) the demo replays.
DEMO_CASES = 500
#: How far back the demo's cases were created (calendar days; they fall on working days).
DEMO_DAYS = 60
#: The working days before today the demo's cases are spread over (42 ≤ DEMO_DAYS).
DEMO_WORKDAYS = 42
#: Share of scenarios whose first case replays every comment, call and reply.
RICH_SHARE = 0.35


# -- the clock -------------------------------------------------------------------------
class SimClock:
    """A clock the replay sets by hand: services read `clock()`, the replay moves `now`."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


class ReplayContext(Context):
    """The caller's database and policy, with a settable clock, made for a long replay.

    Only for the replay, which alone writes to the new database: units of work share one
    pooled connection (a service call on the default engine opens and closes its own
    SQLite connection, and closing the last one checkpoints the WAL) and a cache of the
    directory (agents, groups, contacts and accounts do not change while cases are
    replayed). Everything else — services, rules, compare-and-set, commits — is the
    real thing.
    """

    def __post_init__(self) -> None:
        self._engine = make_engine(self.location)
        self._directory = replay.DirectoryCache()

    def uow(self, *, write: bool = True) -> UnitOfWork:
        """A unit of work that shares directory lookups with the rest of the replay."""
        return replay.replay_uow(
            self._engine,
            self._directory,
            write=write,
            before_commit=before_commit(self.policy.sla),  # notifications, then the SLA
        )


def working_day(today: date, before: int) -> date:
    """The working day (Monday to Friday) `before` working days before `today`; 0 is
    today, or the Friday before a weekend."""
    day = today
    while day.weekday() >= 5:
        day -= timedelta(days=1)
    for _ in range(before):
        day -= timedelta(days=1)
        while day.weekday() >= 5:
            day -= timedelta(days=1)
    return day


# -- the replay ------------------------------------------------------------------------------
#: What becomes of a case, by its age in days: (fate, weight) for > 14, 3–14 and < 3 days.
_FATES: tuple[tuple[str, tuple[float, float, float]], ...] = (
    ("solved", (0.62, 0.38, 0.14)),
    ("deferred", (0.04, 0.03, 0.01)),
    ("duplicate", (0.04, 0.03, 0.03)),
    ("reopened", (0.03, 0.04, 0.01)),
    ("waiting", (0.07, 0.15, 0.12)),
    ("in_progress", (0.07, 0.14, 0.20)),
    ("open", (0.05, 0.10, 0.19)),
    ("unassigned", (0.08, 0.13, 0.30)),
)
_CLOSED_FATES = {"solved", "deferred", "reopened"}
#: Shares of the cases an agent took on that got a first response soon after creation:
#: those of the last two working days, and the older ones.
FIRST_RESPONSE_NEW, FIRST_RESPONSE_OLD = 0.4, 0.97
_ACK = {
    "de": "Danke für Ihre Nachricht – wir kümmern uns darum und melden uns in Kürze.",
    "en": "Thanks for your message – we are on it and will get back to you shortly.",
}
_SPENT = (10, 15, 20, 25, 25, 30, 50, 50, 75, 100)  # hundredths of an hour (ACT-4)
_PHRASES = {
    "de": {
        "deferred": "Zurückgestellt: Kunde meldet sich nach Rücksprache intern wieder.",
        "duplicate": "Dublette von {original}, dort wird weitergearbeitet.",
        "reopen": "Kunde meldet, dass das Problem wieder auftritt – wieder geöffnet.",
        "back": "Rückruf Kunde: Problem wieder aufgetreten, wir schauen erneut.",
        "sub_done": "Erledigt, Ergebnis im Hauptvorgang dokumentiert.",
        "sub_note": "Aufgabe übernommen, Prüfung läuft.",
        "resumed": "Rückmeldung vom Kunden erhalten, weiter in Bearbeitung.",
    },
    "en": {
        "deferred": "Deferred: the customer will come back after checking internally.",
        "duplicate": "Duplicate of {original}; work continues there.",
        "reopen": "Customer reports the problem is back – reopened.",
        "back": "Customer called back: the issue reappeared, looking into it again.",
        "sub_done": "Done; result noted on the main case.",
        "sub_note": "Picked up the task, checking now.",
        "resumed": "Customer replied, back in progress.",
    },
}


@dataclass
class _Plan:
    """One top-level case to replay."""

    scenario: Scenario
    created: datetime
    fate: str
    rich: bool
    with_subs: bool
    order: tuple[int, float] = (0, 0.0)
    """(working days ago, negated; minutes into that day): the order of creation,
    independent of the calendar."""


class _Timeline:
    """Strictly increasing moments of one case's life, never later than `limit`."""

    def __init__(self, start: datetime, limit: datetime, rng: random.Random) -> None:
        self.now = start
        self._limit = limit
        self._rng = rng

    def after(self, low_minutes: float, high_minutes: float) -> datetime:
        step = timedelta(minutes=self._rng.uniform(low_minutes, high_minutes))
        room = self._limit - self.now
        if step >= room:
            step = max(room / 3, timedelta(milliseconds=1))
        self.now += step
        return self.now


class Replay:
    """Plays the demo cases through the services, in order of creation."""

    def __init__(
        self,
        ctx: Context,
        clock: SimClock,
        sample: SampleData,
        rng: random.Random,
        now: datetime,
    ) -> None:
        self.ctx, self.clock, self.sample, self.rng, self.now = ctx, clock, sample, rng, now
        self.today = now.date()
        self.limit = now - timedelta(minutes=1)
        self.names = {a.username: a.name or a.username for a in sample.agents}
        self.roles = {a.username: a.role for a in sample.agents}
        self.members = {g.name: list(g.members) or list(self.names) for g in sample.groups}
        self.leads = {g.name: g.lead for g in sample.groups}
        self.contacts: dict[str, list[replay.ContactData]] = {}
        for contact in sample.contacts:
            self.contacts.setdefault(contact.language or "en", []).append(contact)
        self.with_account = [c for c in sample.contacts if c.account]
        self.types = {t.key for t in ctx.policy.case_types}
        self.by_scenario: dict[str, list[CaseNumber]] = {}
        self.all_numbers: list[CaseNumber] = []

    # -- planning ----------------------------------------------------------------------
    def plans(self, total: int) -> list[_Plan]:
        """Top-level cases until they and their sub-cases reach `total`, oldest first."""
        groups = set(self.members)
        scenarios = [s for s in self.sample.scenarios if s.group in groups]
        if not scenarios:
            raise ValidationError("the demo data has no scenario for a known group")
        order: list[Scenario] = []
        plans: list[_Plan] = []
        seen: set[str] = set()
        count = 0
        while count < total:
            if not order:
                order = list(scenarios)
                self.rng.shuffle(order)
            scenario = order.pop()
            # The first case of a scenario may tell its whole story; the others are
            # shorter, which keeps seeding within seconds (each step is a service call).
            rich = scenario.id not in seen and self.rng.random() < RICH_SHARE
            seen.add(scenario.id)
            workdays, minute = self.rng.randrange(DEMO_WORKDAYS), self.rng.uniform(0, 630)
            created = self._created_at(workdays, minute)
            fate = self._fate(workdays)
            subs = (
                bool(scenario.sub_cases)
                and fate not in ("unassigned", "duplicate", "open")
                and (rich or self.rng.random() < 0.2)
            )
            plans.append(_Plan(scenario, created, fate, rich, subs, (-workdays, minute)))
            count += 1 + (len(scenario.sub_cases) if subs else 0)
        return sorted(plans, key=lambda plan: plan.order)

    def _created_at(self, workdays: int, minute: float) -> datetime:
        """`minute` minutes after 07:30 on the working day `workdays` before today (no
        later than half an hour ago)."""
        day = working_day(self.today, workdays)
        start = datetime.combine(day, time(7, 30), tzinfo=self.now.tzinfo)
        return min(start + timedelta(minutes=minute), self.now - timedelta(minutes=30))

    def _fate(self, workdays: int) -> str:
        column = 0 if workdays > 10 else 1 if workdays >= 2 else 2
        names = [name for name, _ in _FATES]
        weights = [w[column] for _, w in _FATES]
        return self.rng.choices(names, weights)[0]

    # -- playing ---------------------------------------------------------------------------
    def run(self, total: int) -> int:
        """Replay the cases; returns how many cases (with sub-cases) were created."""
        created = 0
        plans = self.plans(total)
        seeds = [self.rng.getrandbits(64) for _ in plans]
        for plan, seed in zip(plans, seeds, strict=True):
            self.rng = random.Random(seed)  # one generator per life: dates cannot shift others
            created += 1 + self._life(plan)
        return created

    def _at(self, moment: datetime) -> None:
        self.clock.now = moment

    def _contact(self, scenario: Scenario) -> replay.ContactData:
        texts = (scenario.subject, scenario.description, *scenario.external, *scenario.comments)
        pool = self.contacts.get(scenario.language) or self.sample.contacts
        if any("{account}" in text for text in texts):
            pool = [c for c in pool if c.account] or self.with_account or list(pool)
        return self.rng.choice(list(pool))

    def _life(self, plan: _Plan) -> int:
        """Replay one case (and its sub-cases); returns the number of sub-cases made."""
        s, rng, ctx = plan.scenario, self.rng, self.ctx
        lang = "de" if s.language == "de" else "en"
        phrases = _PHRASES[lang]
        t = _Timeline(plan.created, self.limit, rng)
        members = self.members[s.group]
        creator, worker = rng.choice(members), rng.choice(members)
        contact = self._contact(s)
        n = rng.randint(10_000, 999_999)

        def fill(text: str) -> str:
            return fill_placeholders(
                text, n=n, contact_name=contact.name, agent_name=self.names[worker],
                account=contact.account or "",
            )  # fmt: skip

        to_group = plan.fate == "unassigned" or rng.random() < 0.65
        self._at(plan.created)
        number = svc.create_case(
            ctx, creator, subject=fill(s.subject), contact=contact.email,
            group=s.group if to_group else None, user=None if to_group else worker,
            type_key=s.type if s.type in self.types else None, priority=s.priority,
            description=fill(s.description), contact_name=contact.name,
            custom=self._custom_fields(s, fill),
        )  # fmt: skip
        due = ctx.policy.dates.due(plan.created.date())

        def note(kind: ActivityKind, text: str, who: str = worker, *, spent: bool = True) -> None:
            self._at(t.after(20, 240))
            centi = rng.choice(_SPENT) if spent and rng.random() < 0.7 else None
            svc.record_activity(ctx, who, number, kind, fill(text), time_spent_centi=centi)

        if plan.fate == "unassigned":
            if s.comments and (plan.rich or rng.random() < 0.3):
                note(ActivityKind.COMMENT, s.comments[0], creator, spent=False)
            self._remember(s, number)
            return 0
        if plan.fate == "duplicate":
            original = self._original(s)
            if original is not None:
                self._at(t.after(10, 120))
                svc.close_case(
                    ctx, worker, number, Resolution.DUPLICATE, duplicate_of=original,
                    comment=phrases["duplicate"].format(original=original),
                )  # fmt: skip
                self._remember(s, number)
                return 0
            plan.fate = "solved"
        if to_group and rng.random() < 0.25:
            self._at(t.after(5, 180))
            svc.assign_to_me(ctx, worker, number)
        self._first_response(plan, number, worker, t, lang)
        if plan.fate == "open":
            if s.comments and (plan.rich or rng.random() < 0.5):
                note(ActivityKind.COMMENT, s.comments[0], spent=False)
            if plan.rich and s.phone:
                note(ActivityKind.PHONE, s.phone[0])
            self._remember(s, number)
            return 0
        if plan.fate == "in_progress":
            self._at(t.after(10, 240))
            comment = fill(s.comments[0]) if s.comments and plan.rich else ""
            svc.change_status(ctx, worker, number, Status.IN_PROGRESS, comment=comment)
        if s.external and (plan.rich or rng.random() < 0.3):
            note(ActivityKind.EXTERNAL, s.external[0])
        subs = self._sub_cases(plan, number, worker, contact.email, t, fill)
        if plan.rich:
            for text in s.comments[1 if plan.fate == "in_progress" else 0 :]:
                note(ActivityKind.COMMENT, text)
            for text in s.phone:
                note(ActivityKind.PHONE, text)
        if plan.fate == "waiting" or (plan.rich and plan.fate in _CLOSED_FATES and s.waiting_for):
            self._wait(number, worker, t, due, fill(s.waiting_for or phrases["resumed"]))
            if plan.fate in _CLOSED_FATES:
                self._at(t.after(60, 3 * 24 * 60))
                svc.change_status(
                    ctx, worker, number, Status.IN_PROGRESS, comment=phrases["resumed"]
                )
        if plan.fate in _CLOSED_FATES:
            self._close_subs(plan, subs, t, phrases)
            self._at(t.after(30, 2 * 24 * 60))
            if plan.fate == "deferred":
                svc.close_case(ctx, worker, number, Resolution.DEFERRED,
                               comment=phrases["deferred"])  # fmt: skip
            else:
                svc.close_case(ctx, worker, number, Resolution.SOLVED,
                               comment=fill(s.resolution_note))  # fmt: skip
            if plan.fate == "reopened":
                lead = self._lead(s.group)
                self._at(t.after(24 * 60, 5 * 24 * 60))
                # the lead reopens and mentions the worker (ACT-3: a mention in the demo)
                svc.reopen_case(ctx, lead, number, comment=f"@{worker} {phrases['reopen']}")
                self._at(t.after(20, 300))
                svc.change_status(ctx, worker, number, Status.IN_PROGRESS,
                                  comment=phrases["back"])  # fmt: skip
        elif subs:
            self._progress_subs(subs, t, phrases)
        self._remember(s, number)
        return len(subs)

    def _first_response(
        self, plan: _Plan, number: CaseNumber, worker: str, t: _Timeline, lang: str
    ) -> None:
        """Most cases an agent took on were answered within hours (the SLA's first
        response, met or late; answering takes the case, as it does for anyone); the
        newest ones partly still wait for it, so the demo's queue shows every SLA state.
        Drawn from a generator of its own: the rest of the case's life draws what it
        always drew."""
        sla = random.Random(f"demo-sla-{number}")  # a str seed: the same in every process
        share = FIRST_RESPONSE_NEW if plan.order[0] >= -1 else FIRST_RESPONSE_OLD
        if sla.random() >= share:
            return
        step = timedelta(minutes=sla.uniform(15, 20 + 3 * 60 * sla.random() ** 2))
        moment = min(t.now + step, self.limit)
        if moment <= t.now:
            return
        t.now = moment
        self._at(moment)
        svc.record_activity(self.ctx, worker, number, ActivityKind.EXTERNAL, _ACK[lang])

    def _wait(self, number: CaseNumber, worker: str, t: _Timeline, due: date, comment: str) -> None:
        moment = t.after(30, 24 * 60)
        self._at(moment)
        start = moment.date()
        today_chance, days = self.rng.random(), self.rng.randint(1, 7)  # drawn either way
        if start <= self.today <= due and today_chance < 0.35:
            reminder = self.today  # comes back onto the list today (CASE-5)
        else:
            reminder = min(due, start + timedelta(days=days))
        svc.change_status(
            self.ctx, worker, number, Status.WAITING, comment=comment, reminder=reminder
        )

    def _sub_cases(
        self,
        plan: _Plan,
        parent: CaseNumber,
        worker: str,
        contact: str,
        t: _Timeline,
        fill: Callable[[str], str],
    ) -> list[tuple[CaseNumber, str]]:
        made: list[tuple[CaseNumber, str]] = []
        if not plan.with_subs:
            return made
        for sub in plan.scenario.sub_cases:
            if sub.group not in self.members:
                continue
            self._at(t.after(10, 120))
            number = svc.create_case(
                self.ctx, worker, subject=fill(sub.subject), contact=contact, group=sub.group,
                description=fill(sub.description), parent=parent,
            )  # fmt: skip
            made.append((number, sub.group))
        return made

    def _close_subs(
        self, plan: _Plan, subs: Sequence[tuple[CaseNumber, str]], t: _Timeline,
        phrases: dict[str, str],
    ) -> None:  # fmt: skip
        for number, group in subs:
            who = self.rng.choice(self.members[group])
            if plan.rich:
                self._at(t.after(30, 600))
                spent = self.rng.choice(_SPENT)
                svc.record_activity(
                    self.ctx, who, number, ActivityKind.COMMENT, phrases["sub_note"],
                    time_spent_centi=spent,
                )  # fmt: skip
            self._at(t.after(60, 24 * 60))
            svc.close_case(self.ctx, who, number, Resolution.SOLVED, comment=phrases["sub_done"])

    def _progress_subs(
        self, subs: Sequence[tuple[CaseNumber, str]], t: _Timeline, phrases: dict[str, str]
    ) -> None:
        for index, (number, group) in enumerate(subs):
            who = self.rng.choice(self.members[group])
            self._at(t.after(30, 600))
            if index == 0 and len(subs) > 1:
                svc.close_case(self.ctx, who, number, Resolution.SOLVED,
                               comment=phrases["sub_done"])  # fmt: skip
            elif index == 0 or self.rng.random() < 0.5:
                svc.change_status(self.ctx, who, number, Status.IN_PROGRESS,
                                  comment=phrases["sub_note"])  # fmt: skip

    def _custom_fields(self, scenario: Scenario, fill: Callable[[str], str]) -> dict[str, str]:
        """The scenario's custom fields its type has here (a config may define it without)."""
        if scenario.type not in self.types:
            return {}
        known = self.ctx.policy.case_type(scenario.type).custom_fields
        return {key: fill(value) for key, value in scenario.fields if key in known}

    def _lead(self, group: str) -> str:
        lead = self.leads.get(group)
        if lead and self.roles.get(lead) in (Role.LEAD, Role.ADMIN):
            return lead
        return next(u for u, role in self.roles.items() if role in (Role.LEAD, Role.ADMIN))

    def _original(self, scenario: Scenario) -> CaseNumber | None:
        same = self.by_scenario.get(scenario.id)
        if same:
            return self.rng.choice(same)
        return self.rng.choice(self.all_numbers) if self.all_numbers else None

    def _remember(self, scenario: Scenario, number: CaseNumber) -> None:
        self.by_scenario.setdefault(scenario.id, []).append(number)
        self.all_numbers.append(number)
