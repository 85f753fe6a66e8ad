"""Agents and groups: loaded from config or demo data into the database."""

from collections.abc import Iterable
from dataclasses import dataclass

from helpdesk_tui.domain.enums import Role
from helpdesk_tui.services.context import Context


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
