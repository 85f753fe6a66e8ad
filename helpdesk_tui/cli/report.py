"""`helpdesk report kpi|sla|time` (issue 15 §6, VIEW-3, ACT-4): the steering numbers, SLA
compliance per policy and clock, and the time spent per agent, account, case or type.
All read the per-day counters and index ranges (services/reports.py) and honour
HELPDESK_NOW; `--since`/`--until` take a date (`2026-12-01`, `today`)."""

import csv
import sys
from datetime import date
from typing import Annotated, Any

import typer

from helpdesk_tui.cli.errors import UsageError, refusals, typed_values
from helpdesk_tui.cli.output import emit_json, say
from helpdesk_tui.cli.runtime import Runtime
from helpdesk_tui.domain.dates import parse_date
from helpdesk_tui.storage.statsmodels import Kpi, SlaReport, TimeTotal

app = typer.Typer(help="Reports: KPIs, SLA compliance, time spent.", no_args_is_help=True)

_GROUP = typer.Option("--group", metavar="G", help="Only this group's cases (and its members').")
_SINCE = typer.Option("--since", metavar="DATE", help="From this day (default: 30 days back).")
_JSON = typer.Option("--json", help="Print JSON on stdout.")


def _day(runtime: Runtime, text: str | None) -> date | None:
    if text is None:
        return None
    with typed_values():
        return parse_date(text, runtime.clock().date())


def kpi_json(kpi: Kpi) -> dict[str, Any]:
    """The `report kpi` shape of CLI.md."""
    return {
        "open": kpi.open,
        "overdue": kpi.overdue,
        "unassigned": kpi.unassigned,
        "waiting": kpi.waiting,
        "sla_at_risk": kpi.sla_at_risk,
        "sla_breached": kpi.sla_breached,
        "median_first_response_hours": kpi.median_first_response_hours,
        "median_resolution_hours": kpi.median_resolution_hours,
        "created_per_day": [
            {"day": d.day.isoformat(), "count": d.count} for d in kpi.created_per_day
        ],
        "closed_per_day": [
            {"day": d.day.isoformat(), "count": d.count} for d in kpi.closed_per_day
        ],
    }


def sla_json(reports: list[SlaReport], since: date) -> dict[str, Any]:
    """`report sla`: `{"since", "policies": [{"policy", "first_response": {"met",
    "breached", "compliance"}, "resolution": {...}, "at_risk", "breached"}]}`."""
    return {
        "since": since.isoformat(),
        "policies": [
            {
                "policy": report.policy,
                **{
                    clock.clock: {
                        "met": clock.met,
                        "breached": clock.breached,
                        "compliance": clock.compliance,
                    }
                    for clock in report.clocks
                },
                "at_risk": report.at_risk,
                "breached": report.breached,
            }
            for report in reports
        ],
    }


def _hours(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f} h"


@app.command("kpi")
def kpi(
    ctx: typer.Context,
    group: Annotated[str | None, _GROUP] = None,
    since: Annotated[str | None, _SINCE] = None,
    as_json: Annotated[bool, _JSON] = False,
) -> None:
    """Open, overdue, unassigned, waiting, SLA at risk / breached, the medians of first
    response and resolution, and created / closed per day."""
    runtime: Runtime = ctx.obj
    from helpdesk_tui.services.reports import kpi as read_kpi

    with refusals():
        start = _day(runtime, since)
        result = read_kpi(runtime.context, runtime.user, group=group, since=start)
    if as_json:
        emit_json(kpi_json(result))
        return
    for label, value in (
        ("open", result.open),
        ("overdue", result.overdue),
        ("unassigned", result.unassigned),
        ("waiting", result.waiting),
        ("SLA at risk", result.sla_at_risk),
        ("SLA breached", result.sla_breached),
    ):
        say(f"{label:<24}{value}")
    say(f"{'median first response':<24}{_hours(result.median_first_response_hours)}")
    say(f"{'median resolution':<24}{_hours(result.median_resolution_hours)}")
    say("day         created  closed")
    for made, done in zip(result.created_per_day, result.closed_per_day, strict=True):
        say(f"{made.day.isoformat()}  {made.count:>7}  {done.count:>6}")


@app.command("sla")
def sla(
    ctx: typer.Context,
    group: Annotated[str | None, _GROUP] = None,
    since: Annotated[str | None, _SINCE] = None,
    as_json: Annotated[bool, _JSON] = False,
) -> None:
    """Per SLA policy and clock: met and breached at close since DATE (default: 30 days
    back), the compliance, and the open cases at risk / breached now."""
    runtime: Runtime = ctx.obj
    from helpdesk_tui.services.reports import PERIOD_DAYS, sla_report, today_of

    with refusals():
        start = _day(runtime, since) or today_of(runtime.context, back=PERIOD_DAYS - 1)
        reports = sla_report(runtime.context, runtime.user, group=group, since=start)
    if as_json:
        emit_json(sla_json(reports, start))
        return
    say(f"since {start.isoformat()}")
    say(f"{'policy':<20}{'clock':<16}{'met':>6}{'breached':>10}{'compliance':>12}")
    for report in reports:
        for clock in report.clocks:
            share = "—" if clock.compliance is None else f"{clock.compliance:.1f} %"
            say(
                f"{report.policy[:19]:<20}{clock.clock:<16}{clock.met:>6}"
                f"{clock.breached:>10}{share:>12}"
            )
        say(f"{'':<20}now: {report.at_risk} at risk, {report.breached} breached")


@app.command("time")
def time(
    ctx: typer.Context,
    since: Annotated[str | None, typer.Option("--since", metavar="DATE")] = None,
    until: Annotated[str | None, typer.Option("--until", metavar="DATE")] = None,
    by: Annotated[
        str, typer.Option("--by", metavar="agent|account|case|type", help="Sum per this.")
    ] = "agent",
    as_json: Annotated[bool, _JSON] = False,
    as_csv: Annotated[bool, typer.Option("--csv", help="Print CSV (key,hours).")] = False,
) -> None:
    """Time spent (the activities' time) from DATE to DATE (both included), per key."""
    runtime: Runtime = ctx.obj
    from helpdesk_tui.services.reports import time_report

    with refusals():
        if as_json and as_csv:
            raise UsageError("--json and --csv exclude each other")
        start, end = _day(runtime, since), _day(runtime, until)
        with typed_values():
            totals = time_report(runtime.context, since=start, until=end, by=by)
    _print_time(totals, by, as_json=as_json, as_csv=as_csv)


def _print_time(totals: list[TimeTotal], by: str, *, as_json: bool, as_csv: bool) -> None:
    if as_json:
        emit_json([{"key": t.key, "hours": t.hours} for t in totals])
        return
    if as_csv:
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(["key", "hours"])
        for total in totals:
            writer.writerow([total.key, f"{total.hours:.2f}"])
        return
    width = max([len(by), *(len(t.key) for t in totals)]) + 2
    say(f"{by:<{width}}{'hours':>10}")
    for total in totals:
        say(f"{total.key:<{width}}{total.hours:>10.2f}")
    say(f"{'total':<{width}}{sum(t.centi for t in totals) / 100:>10.2f}")
