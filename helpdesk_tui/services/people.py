"""Agents and groups: loaded from config or demo data into the database."""

from collections.abc import Iterable
from dataclasses import dataclass

from helpdesk_tui.domain.enums import Role
from helpdesk_tui.services.context import Context
from helpdesk_tui.storage.reads import ReadStore


@dataclass(frozen=True)
class AgentSpec:
    """An agent to create or update."""

    username: str
    name: str = ""
    email: str = ""
    role: Role = Role.AGENT


@dataclass(frozen=True)
class GroupSpec:
    """A group to create or update, with its lead and exact member list."""

    name: str
    title: str = ""
    lead: str | None = None
    members: tuple[str, ...] = ()


def sync_people(ctx: Context, agents: Iterable[AgentSpec], groups: Iterable[GroupSpec]) -> None:
    """Upsert agents, then groups with their members, in one transaction."""
    with ctx.uow() as uow:
        for agent in agents:
            uow.directory.upsert_agent(agent.username, agent.name, agent.email, agent.role)
        for group in groups:
            uow.directory.upsert_group(group.name, group.title, group.lead, group.members)
        uow.commit()


def people_match(
    store: ReadStore, agents: Iterable[AgentSpec], groups: Iterable[GroupSpec]
) -> bool:
    """Whether the database already holds these agents and groups exactly as given, so
    `sync_people` would write nothing.

    Read through the plain DB-API store: a start on an unchanged config then never imports
    SQLAlchemy. Agents and groups the config does not name are not compared — the sync
    leaves them alone too.
    """
    stored_agents = store.agents()
    for agent in agents:
        known = stored_agents.get(agent.username)
        if known is None or (known.name, known.email, known.role) != (
            agent.name,
            agent.email,
            agent.role.value,
        ):
            return False
    stored_groups = store.groups()
    for group in groups:
        entry = stored_groups.get(group.name)
        # Lead and members resolve like Directory.agent_id does: trimmed, lower case.
        lead = group.lead.strip().lower() if group.lead else None
        members = frozenset(m.strip().lower() for m in group.members)
        if entry is None or (entry.title, entry.lead, entry.members) != (
            group.title,
            lead,
            members,
        ):
            return False
    return True
