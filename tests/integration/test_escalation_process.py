"""SLA escalation through the real `helpdesk` process (DATE-3, issue 15 §4/§8): with
`[[sla.escalations]]` configured, `helpdesk sync --once` (time moved by HELPDESK_NOW)
fires each level once at its business instant, says so, and the levels reach the agents
as notifications (`notifications --json`), as notification mail, and on the case
(`case show --json`, and the plain timeline)."""

import email
import email.policy
import json
import sys
from pathlib import Path

from integration.helpdesk_process import HelpdeskProcess
from integration.smtp_server import SmtpServer

CONFIG = """
[[users]]
username = "alice"
email = "alice@helpdesk.example"
role = "admin"

[[users]]
username = "bob"
email = "bob@helpdesk.example"

[[users]]
username = "lena"
email = "lena@helpdesk.example"
role = "lead"

[[groups]]
name = "support"
lead = "lena"
members = ["bob", "lena"]

[calendar]
timezone = "UTC"
hours = "mon-fri 08:00-17:00"

[[sla.policies]]
name = "standard"
first_response = "4h"
resolution = "2d"

[[sla.escalations]]
at = "75%"
notify = "delegate"

[[sla.escalations]]
at = "100%"
notify = "lead"
raise_priority = true

[smtp]
host = "127.0.0.1"
port = {port}
tls = "none"
from = "Helpdesk Support <support@helpdesk.example>"
undo_seconds = 0

[notifications]
email = "each"
"""


class Desk(HelpdeskProcess):
    """`helpdesk` as alice, or as another agent (`ok_as`)."""

    user = "alice"

    def command(self, *args: str) -> list[str]:
        return [
            sys.executable, "-m", "helpdesk_tui.cli", "--db", str(self.db),
            "--config", str(self.config), "--as", self.user, *args,
        ]  # fmt: skip

    def ok_as(self, user: str, *args: str, now: str) -> str:
        self.user = user
        try:
            return self.ok(*args, now=now)
        finally:
            self.user = "alice"


def test_sync_fires_each_level_once_and_tells_the_agents(
    tmp_path: Path, smtp_server: SmtpServer
) -> None:
    desk = Desk(tmp_path, CONFIG.format(port=smtp_server.port))
    desk.ok("init")
    monday = "2026-12-07T09:00:00Z"
    number = desk.ok(
        "case", "create", "--subject", "Drucker\x1b[2J kaputt", "--contact",
        "kunde@acme.example", "--group", "support", now=monday,
    ).strip()  # fmt: skip
    assert "escalation" not in desk.ok("sync", "--once", now="2026-12-07T11:59:00Z")
    # Saturday: first response at 75 % came Monday 12:00, 100 % Monday 13:00; resolution
    # (18 h) at 75 % Tuesday 13:30 and 100 % Wednesday 09:00 — nothing more on a weekend.
    out = desk.ok("sync", "--once", now="2026-12-07T12:00:00Z")
    assert "1 SLA escalation level fired" in out
    out = desk.ok("sync", "--once", now="2026-12-12T10:00:00Z")
    assert "3 SLA escalation levels fired" in out
    again = desk.ok("sync", "--once", now="2026-12-12T10:00:00Z")
    assert "escalation" not in again
    shown = json.loads(desk.ok("case", "show", number, "--json", now="2026-12-12T10:00:00Z"))
    assert shown["priority"] == "urgent"  # two levels raised it: normal → high → urgent
    lines = [
        " → ".join(a["changes"]["escalation"])
        for a in shown["activities"]
        if "escalation" in a["changes"]
    ]
    assert lines == [
        "first response at 75% → told bob, lena",
        "first response at 100% → told lena",
        "resolution at 75% → told bob, lena",
        "resolution at 100% → told lena; priority normal → urgent",  # one pass, two levels
    ]
    plain = desk.ok("case", "show", number, now="2026-12-12T10:00:00Z")
    assert "resolution at 100% → told lena" in plain
    # Mail went out as it fired: each agent a mail per notification.
    mails = smtp_server.wait_for(6)
    to_bob = [m for m in mails if m.rcpt_tos == ("bob@helpdesk.example",)]
    assert len(to_bob) == 2
    body = email.message_from_bytes(to_bob[0].data, policy=email.policy.default)
    assert "SLA first response at 75%" in body.get_body().get_content()  # type: ignore[union-attr]
    lena = json.loads(desk.ok_as("lena", "notifications", "--json", now="2026-12-12T10:00:00Z"))
    assert sorted((n["kind"], n["case"], n["by"]) for n in lena) == [
        ("sla_breach", number, None),
        ("sla_breach", number, None),
        ("sla_warning", number, None),
        ("sla_warning", number, None),
    ]
    # Saturday: the scheduler was off for days; each level says where the clock stands.
    assert f"SLA resolution at 100% on {number}: breached 2d8h" in [n["text"] for n in lena]
