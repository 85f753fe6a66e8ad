"""The read store's directory and folder-state queries, against what the writers store."""

from datetime import UTC, datetime

import pytest

from helpdesk_tui.domain.enums import Role
from helpdesk_tui.services.context import Context
from helpdesk_tui.services.people import AgentSpec, GroupSpec, people_differences, sync_people
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
        agents, groups = store.people.agents(), store.people.groups()
    assert agents["lena"] == AgentEntry("lena", "Lena Lead", "lena@helpdesk.example", "lead")
    assert set(agents) == {"alice", "bob", "lena", "root"}
    assert groups == {
        "billing": GroupEntry("billing", "Billing", "lena", frozenset({"alice", "lena"})),
        "technical": GroupEntry("technical", "Technical", None, frozenset({"bob"})),
    }


def test_a_config_that_matches_reports_no_difference(ctx: Context) -> None:
    with open_reads(ctx.location) as store:
        assert people_differences(store, AGENTS, GROUPS) == []
        assert people_differences(store, AGENTS[:1], []) == []  # unnamed people not compared
        # Lead and members resolve as the seeding resolves them: trimmed, any case.
        loose = GroupSpec("billing", "Billing", " Lena", ("ALICE", "lena"))
        assert people_differences(store, [], [loose]) == []


@pytest.mark.parametrize(
    ("agents", "groups", "line"),
    [
        (
            [AgentSpec("alice", "Alice A.", "alice@helpdesk.example", Role.AGENT)],
            [],
            "user 'alice': name 'Alice A.' in the config, 'Alice Agent' in the database",
        ),
        (
            [AgentSpec("alice", "Alice Agent", "alice@elsewhere.example", Role.AGENT)],
            [],
            "user 'alice': email 'alice@elsewhere.example' in the config, "
            "'alice@helpdesk.example' in the database",
        ),
        (
            [AgentSpec("alice", "Alice Agent", "alice@helpdesk.example", Role.ADMIN)],
            [],
            "user 'alice': role 'admin' in the config, 'agent' in the database",
        ),
        (
            [AgentSpec("zoe", "Zoe", "", Role.AGENT)],
            [],
            "user 'zoe': in the config, not in the database",
        ),
        (
            [],
            [GroupSpec("billing", "Billing team", lead="lena", members=("alice", "lena"))],
            "group 'billing': title 'Billing team' in the config, 'Billing' in the database",
        ),
        (
            [],
            [GroupSpec("billing", "Billing", lead="alice", members=("alice", "lena"))],
            "group 'billing': lead 'alice' in the config, 'lena' in the database",
        ),
        (
            [],
            [GroupSpec("billing", "Billing", lead="lena", members=("lena",))],
            "group 'billing': members ['lena'] in the config, ['alice', 'lena'] in the database",
        ),
        ([], [GroupSpec("sales", "Sales")], "group 'sales': in the config, not in the database"),
    ],
    ids=["name", "email", "role", "new agent", "title", "lead", "member left", "new group"],
)
def test_each_difference_is_one_line(
    ctx: Context, agents: list[AgentSpec], groups: list[GroupSpec], line: str
) -> None:
    with open_reads(ctx.location) as store:
        assert people_differences(store, agents, groups) == [line]
    sync_people(ctx, agents, groups)
    with open_reads(ctx.location) as store:
        assert people_differences(store, agents, groups) == []  # as written, so read


def test_folder_state_reads_what_the_poller_saved(ctx: Context) -> None:
    with open_reads(ctx.location) as store:
        assert store.mail.folder_state("support", "INBOX") is None
    at = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
    with ctx.uow() as uow:
        inbox = FolderState(4_294_967_295, 10_100, None)  # UIDVALIDITY is unsigned 32 bits
        uow.mails.save_folder_state("support", "INBOX", inbox, at)
        uow.mails.save_folder_state("support", "Archive", FolderState(7, 3, 2**40), at)
        uow.commit()
    with open_reads(ctx.location) as store:
        assert store.mail.folder_state("support", "INBOX") == (4_294_967_295, 10_100, None)
        assert store.mail.folder_state("support", "Archive") == (7, 3, 2**40)
        assert store.mail.folder_state("other", "INBOX") is None
