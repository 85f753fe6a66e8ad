"""[calendar], [[sla.policies]] and [[sla.escalations]] through the real settings loader:
what they build, and the one-line errors for what they cannot."""

from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from helpdesk_tui.config import business_calendar, sla_escalations, sla_policies, time_zone
from helpdesk_tui.config_loading import load_settings
from helpdesk_tui.domain.errors import ConfigError
from helpdesk_tui.domain.sla import match_policy

FULL = """
[calendar]
timezone = "Europe/Berlin"
hours = "mon-thu 08:00-12:00,13:00-17:00; fri 08:00-14:00"
holidays = "DE-BY"
closed = ["2026-12-24"]

[[sla.policies]]
name = "urgent"
priority = ["urgent", "high"]
first_response = "30m"
resolution = "1d"

[[sla.policies]]
name = "acme complaints"
type = "complaint"
account = "ACME GmbH"
mailbox = "support"
resolution = "3d"

[[sla.policies]]
name = "default"
first_response = "4h"
resolution = "5d"

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


def load(tmp_path: Path, text: str):  # type: ignore[no-untyped-def]
    path = tmp_path / "config.toml"
    path.write_text(text)
    return load_settings(path)


def refused(tmp_path: Path, text: str) -> str:
    with pytest.raises(ConfigError) as caught:
        load(tmp_path, text)
    message = str(caught.value)
    assert "\n" not in message
    return message


def test_the_full_example_builds_calendar_policies_and_levels(tmp_path: Path) -> None:
    settings = load(tmp_path, FULL)
    calendar = business_calendar(settings)
    assert calendar.zone == ZoneInfo("Europe/Berlin")
    assert calendar.is_closed(date(2026, 1, 6))  # Epiphany in Bavaria
    assert calendar.is_closed(date(2026, 12, 24))  # extra closed date
    assert not calendar.is_closed(date(2026, 12, 23))
    assert calendar.day_minutes == 480
    # Friday 13:00 + 2h: Friday ends at 14:00 → Monday 09:00 (CET).
    friday = datetime(2026, 12, 11, 12, tzinfo=UTC)
    assert calendar.add_business_minutes(friday, 120) == datetime(2026, 12, 14, 8, tzinfo=UTC)
    policies = sla_policies(settings)
    assert [p.name for p in policies] == ["urgent", "acme complaints", "default"]
    assert match_policy(policies, "high", "ticket").name == "urgent"  # type: ignore[union-attr]
    complaint = match_policy(policies, "normal", "complaint", "acme gmbh", "support")
    assert complaint is policies[1]
    assert match_policy(policies, "normal", "complaint", "acme gmbh", None) is policies[2]
    assert calendar.minutes(policies[1].resolution) == 3 * 480  # type: ignore[arg-type]
    levels = sla_escalations(settings)
    assert [(e.at, e.notify, e.raise_priority) for e in levels] == [
        ("75%", "delegate", False),
        ("100%", "lead", False),
        ("100%+4h", "admins", True),
    ]


def test_defaults_are_office_hours_in_the_machines_zone_without_sla(tmp_path: Path) -> None:
    settings = load(tmp_path, "")
    calendar = business_calendar(settings)
    assert str(calendar.hours) == "mon-fri 08:00-17:00"
    assert calendar.zone == time_zone(None)
    assert sla_policies(settings) == ()
    assert sla_escalations(settings) == ()


def test_the_machines_zone_comes_from_tz(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TZ", "America/New_York")
    assert time_zone(None) == ZoneInfo("America/New_York")
    monkeypatch.setenv("TZ", "Not/AZone")
    assert isinstance(time_zone(None), ZoneInfo)  # falls back to /etc/localtime or UTC


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ('[calendar]\nhours = "mon-fri 8-17"', "'8-17' is no time range HH:MM-HH:MM"),
        ('[calendar]\nhours = "fri-mon 08:00-17:00"', "runs backwards"),
        ('[calendar]\ntimezone = "Mars/Olympus"', "'Mars/Olympus' is no IANA time zone"),
        ('[calendar]\nholidays = "XX"', "unknown country 'XX'"),
        ('[calendar]\nholidays = "DE-XY"', "DE has no subdivision 'XY'"),
        ('[calendar]\nclosed = ["2026-13-01"]', "closed"),
        ('[calendar]\nopen = "always"', "open"),
        (
            '[[sla.policies]]\nname = "p"\nfirst_response = "4 hours"',
            "sla policy 'p': not a duration: '4 hours'",
        ),
        ('[[sla.policies]]\nname = "p"\nresolution = "0h"', "must be more than zero"),
        ('[[sla.policies]]\nname = "p"', "give first_response, resolution or both"),
        (
            '[[sla.policies]]\nname = "p"\npriority = "hihg"\nresolution = "1d"',
            "unknown priority 'hihg'",
        ),
        (
            '[[sla.policies]]\nname = "p"\ntype = "bug"\nresolution = "1d"',
            "sla policy 'p': unknown case type 'bug'",
        ),
        ('[[sla.escalations]]\nat = "soon"', "escalation at 'soon'"),
        ('[[sla.escalations]]\nat = "100%+4x"', "not a duration"),
        ('[[sla.escalations]]\nat = "75%"\nnotify = "boss"', "notify"),
    ],
)
def test_bad_values_are_one_line_naming_the_problem(tmp_path: Path, text: str, says: str) -> None:
    assert says in refused(tmp_path, text)


def test_holidays_by_country_or_subdivision_in_any_case(tmp_path: Path) -> None:
    bavaria = business_calendar(load(tmp_path, '[calendar]\nholidays = "de-by"'))
    germany = business_calendar(load(tmp_path, '[calendar]\nholidays = "DE"'))
    assert bavaria.is_closed(date(2026, 1, 6))  # Epiphany: Bavaria only
    assert not germany.is_closed(date(2026, 1, 6))
    assert germany.is_closed(date(2026, 10, 3))  # German Unity Day everywhere
    assert bavaria.is_closed(date(2027, 10, 3))  # any year, asked when needed
