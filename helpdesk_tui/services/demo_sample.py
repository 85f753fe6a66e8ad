"""The demo's sample data (`sample_data/`): agents, groups, accounts, contacts and the
hand-written scenarios whose lives `demo_replay` replays, and their text placeholders."""

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from helpdesk_tui.domain.enums import Priority, Role
from helpdesk_tui.domain.errors import ValidationError
from helpdesk_tui.services.people import AgentSpec, GroupSpec
from helpdesk_tui.storage import replay

SAMPLE_DIR = Path(__file__).resolve().parents[2] / "sample_data"
PLACEHOLDERS = re.compile(r"\{(n|contact_name|agent_name|account)\}")


@dataclass(frozen=True)
class SubCaseSpec:
    """A sub-case a scenario splits off."""

    subject: str
    group: str
    description: str = ""


@dataclass(frozen=True)
class Scenario:
    """One kind of support case from `scenarios.json`, with the texts of its life."""

    id: str
    language: str
    group: str
    type: str
    priority: Priority
    subject: str
    description: str
    comments: tuple[str, ...] = ()
    external: tuple[str, ...] = ()
    phone: tuple[str, ...] = ()
    waiting_for: str = ""
    resolution_note: str = ""
    sub_cases: tuple[SubCaseSpec, ...] = ()
    fields: tuple[tuple[str, str], ...] = ()
    """Custom fields of the case type (key, value; placeholders filled like the texts)."""


@dataclass(frozen=True)
class SampleData:
    """Everything in `sample_data/`."""

    agents: tuple[AgentSpec, ...]
    groups: tuple[GroupSpec, ...]
    accounts: tuple[replay.AccountData, ...]
    contacts: tuple[replay.ContactData, ...]
    scenarios: tuple[Scenario, ...]


def load_sample(sample_dir: Path = SAMPLE_DIR) -> SampleData:
    """Read the demo data set; group members come from each agent's `groups` list."""

    def read(name: str) -> list[dict[str, Any]]:
        path = sample_dir / name
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            raise ValidationError(f"cannot read demo data {path}: {error}") from None
        if not isinstance(data, list):
            raise ValidationError(f"demo data {path} is not a JSON list")
        return data

    raw_agents = read("agents.json")
    agents = tuple(
        AgentSpec(
            a["username"], a.get("name", ""), a.get("email", ""), Role(a.get("role", "agent"))
        )
        for a in raw_agents
    )
    groups = tuple(
        GroupSpec(
            g["name"], g.get("title", ""), g.get("lead"),
            tuple(a["username"] for a in raw_agents if g["name"] in a.get("groups", ())),
        )
        for g in read("groups.json")
    )  # fmt: skip
    accounts = tuple(replay.AccountData(a["name"], a.get("domain")) for a in read("accounts.json"))
    contacts = tuple(
        replay.ContactData(
            c["email"], c.get("name", ""), c.get("phone"), c.get("language"), c.get("account")
        )
        for c in read("contacts.json")
    )
    scenarios = tuple(
        Scenario(
            id=s["id"], language=s.get("language", "en"), group=s["group"],
            type=s.get("type", "ticket"), priority=Priority(s.get("priority", "normal")),
            subject=s["subject"], description=s.get("description", ""),
            comments=tuple(s.get("comments", ())), external=tuple(s.get("external", ())),
            phone=tuple(s.get("phone", ())), waiting_for=s.get("waiting_for", ""),
            resolution_note=s.get("resolution_note", ""),
            sub_cases=tuple(
                SubCaseSpec(c["subject"], c["group"], c.get("description", ""))
                for c in s.get("sub_cases", ())
            ),
            fields=tuple(sorted(s.get("fields", {}).items())),
        )
        for s in read("scenarios.json")
    )  # fmt: skip
    return SampleData(agents, groups, accounts, contacts, scenarios)


def fill_placeholders(
    text: str,
    *,
    n: int | None,
    contact_name: str = "",
    agent_name: str = "",
    account: str = "",
) -> str:
    """Replace the placeholders; `n=None` keeps `{n}` for the bulk loader to fill."""
    values = {"contact_name": contact_name, "agent_name": agent_name, "account": account}

    def one(match: re.Match[str]) -> str:
        key = match.group(1)
        if key == "n":
            return match.group(0) if n is None else str(n)
        return values[key]

    return PLACEHOLDERS.sub(one, text)
