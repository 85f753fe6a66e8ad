"""The demo shows SLA in every state at its clock (issue 15 §3): some cases breached (mostly
old ones nobody took on), some at risk, several with time left, some paused (Waiting),
many met (answered in time) — not weeks-old cases all breached. Seeded as `helpdesk demo`
does, at a fixed clock."""

import json
import sqlite3
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest

from helpdesk_tui.domain.policy import Policy
from helpdesk_tui.domain.sla import sla_view
from helpdesk_tui.services.context import Context
from helpdesk_tui.services.demo import demo_policy, demo_sla, seed_demo
from helpdesk_tui.storage.location import locate

NOW = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)  # a Monday morning, as test_demo_determinism


@pytest.fixture(scope="module")
def levels(tmp_path_factory: pytest.TempPathFactory) -> Counter[str]:
    folder: Path = tmp_path_factory.mktemp("demo-sla")
    context = Context(
        locate(str(folder / "demo.sqlite")), policy=demo_policy(Policy()), clock=lambda: NOW
    )
    try:
        seed_demo(context)
    finally:
        context.dispose()
    calendar = demo_sla().calendar
    found: Counter[str] = Counter()
    with sqlite3.connect(folder / "demo.sqlite") as db:
        for (state,) in db.execute("SELECT sla_state FROM cases WHERE status != 'closed'"):
            view = sla_view(json.loads(state) if state else None, calendar, NOW)
            found[view.level if view is not None else "none"] += 1
    return found


def test_the_demo_queue_shows_every_sla_state(levels: Counter[str]) -> None:
    for level in ("breached", "risk", "ok", "paused", "met"):
        assert levels[level] >= 1, (level, levels)


def test_most_open_demo_cases_are_not_breached(levels: Counter[str]) -> None:
    total = sum(levels.values())
    assert levels["none"] == 0  # every case has a policy (standard matches all)
    assert levels["breached"] <= total * 0.4, levels
    assert levels["met"] + levels["ok"] + levels["risk"] + levels["paused"] >= total * 0.6
