"""The read store's directory and folder-state queries, against what the writers store."""

from datetime import UTC, datetime

import pytest

from helpdesk_tui.domain.enums import Role
from helpdesk_tui.services.context import Context
from helpdesk_tui.services.people import AgentSpec, GroupSpec, people_match, sync_people
from helpdesk_tui.storage.mails import FolderState
from helpdesk_tui.storage.reads import AgentEntry, GroupEntry, open_reads

# The people of tests/conftest.py, as `ctx` holds them.
AGENTS = [
    AgentSpec("alice", "Alice Agent", "alice@helpdesk.example", Role.AGENT),
    AgentSpec("bob", "Bob Agent", "bob@helpdesk.example", Role.AGENT),
    AgentSpec("lena", "Lena Lead", "lena@helpdesk.example", Role.LEAD),
    AgentSpec("root", "Root Admin", "root@helpdesk.example", Role.ADMIN),
]
GROUPS = [
    GroupSpec("billing", "Billing", lead="lena", members=("alice", "lena")),
    GroupSpec("technical", "Technical", members=("bob",)),
]


def test_agents_and_groups_read_as_stored(ctx: Context) -> None:
    with open_reads(ctx.location) as store:
        agents, groups = store.agents(), store.groups()
    assert agents["lena"] == AgentEntry("lena", "Lena Lead", "lena@helpdesk.example", "lead")
    assert set(agents) == {"alice", "bob", "lena", "root"}
    assert groups == {
        "billing": GroupEntry("billing", "Billing", "lena", frozenset({"alice", "lena"})),
        "technical": GroupEntry("technical", "Technical", None, frozenset({"bob"})),
    }


def test_people_match_what_was_synced(ctx: Context) -> None:
    with open_reads(ctx.location) as store:
        assert people_match(store, AGENTS, GROUPS)
        assert people_match(store, AGENTS[:1], [])  # people not configured are not compared
        # Lead and members resolve as the sync resolves them: trimmed, any case.
        loose = GroupSpec("billing", "Billing", " Lena", ("ALICE", "lena"))
        assert people_match(store, [], [loose])


@pytest.mark.parametrize(
    ("agents", "groups"),
    [
        ([AgentSpec("alice", "Alice A.", "alice@helpdesk.example", Role.AGENT)], []),
        ([AgentSpec("alice", "Alice Agent", "alice@elsewhere.example", Role.AGENT)], []),
        ([AgentSpec("alice", "Alice Agent", "alice@helpdesk.example", Role.LEAD)], []),
        ([AgentSpec("zoe", "Zoe", "", Role.AGENT)], []),
        ([], [GroupSpec("billing", "Billing team", lead="lena", members=("alice", "lena"))]),
        ([], [GroupSpec("billing", "Billing", lead="alice", members=("alice", "lena"))]),
        ([], [GroupSpec("billing", "Billing", lead=None, members=("alice", "lena"))]),
        ([], [GroupSpec("billing", "Billing", lead="lena", members=("lena",))]),
        ([], [GroupSpec("billing", "Billing", lead="lena", members=("alice", "bob", "lena"))]),
        ([], [GroupSpec("sales", "Sales")]),
    ],
    ids=[
        "name",
        "email",
        "role",
        "new agent",
        "title",
        "lead",
        "no lead",
        "member left",
        "member joined",
        "new group",
    ],
)
def test_any_difference_is_seen(
    ctx: Context, agents: list[AgentSpec], groups: list[GroupSpec]
) -> None:
    with open_reads(ctx.location) as store:
        assert not people_match(store, agents, groups)
    sync_people(ctx, agents, groups)
    with open_reads(ctx.location) as store:
        assert people_match(store, agents, groups)  # what the sync writes is what is read


def test_folder_state_reads_what_the_poller_saved(ctx: Context) -> None:
    with open_reads(ctx.location) as store:
        assert store.folder_state("support", "INBOX") is None
    at = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
    with ctx.uow() as uow:
        inbox = FolderState(4_294_967_295, 10_100, None)  # UIDVALIDITY is unsigned 32 bits
        uow.mails.save_folder_state("support", "INBOX", inbox, at)
        uow.mails.save_folder_state("support", "Archive", FolderState(7, 3, 2**40), at)
        uow.commit()
    with open_reads(ctx.location) as store:
        assert store.folder_state("support", "INBOX") == (4_294_967_295, 10_100, None)
        assert store.folder_state("support", "Archive") == (7, 3, 2**40)
        assert store.folder_state("other", "INBOX") is None
