"""Seeding the directory and the admin services (SEC-6), on a real SQLite file."""

from pathlib import Path
from typing import Any

import pytest
from support import Clock

from helpdesk_tui.domain.enums import Role
from helpdesk_tui.domain.errors import NotFoundError, PermissionDeniedError, ValidationError
from helpdesk_tui.services.cases import create_case, delegate_case
from helpdesk_tui.services.context import Context
from helpdesk_tui.services.desk import Desk
from helpdesk_tui.services.people import (
    AgentSpec,
    GroupSpec,
    add_user,
    directory_log,
    list_users,
    remove_user,
    seed_people,
    set_role,
)
from helpdesk_tui.storage.location import locate


def test_seeding_a_directory_with_users_writes_nothing(ctx: Context, probe: Any) -> None:
    before = probe.fingerprint()
    seeded = seed_people(ctx, [AgentSpec("alice", role=Role.ADMIN)], [], source="config")
    assert seeded is False
    assert probe.fingerprint() == before
    with ctx.uow(write=False) as uow:
        assert uow.directory.actor("alice").role is Role.AGENT


def test_seeding_an_empty_directory_writes_and_audits(tmp_path: Path, clock: Clock) -> None:
    context = Context(locate(str(tmp_path / "new.sqlite")), clock=clock)
    context.migrate()
    agents = [AgentSpec("root", role=Role.ADMIN), AgentSpec("ann")]
    assert seed_people(context, agents, [GroupSpec("billing", members=("ann",))], source="demo")
    assert not seed_people(context, [AgentSpec("eve", role=Role.ADMIN)], [], source="config")
    users = {u.username: u for u in list_users(context, "root")}
    assert set(users) == {"root", "ann"}
    assert users["ann"].groups == ("billing",)
    log = directory_log(context, "root")
    # Seeded in one moment: then by username.
    assert [(c.actor, c.action, c.user, c.at) for c in log] == [
        (None, "user.seed", "ann", clock()),
        (None, "user.seed", "root", clock()),
    ]
    assert {c.user: c.changes for c in log}["ann"] == {
        "role": [None, "agent"],
        "source": [None, "demo"],
        "groups": [[], ["billing"]],
    }
    context.dispose()


def test_a_removed_user_stays_in_the_directory_but_cannot_act(ctx: Context) -> None:
    remove_user(ctx, "root", "bob")
    with ctx.uow(write=False) as uow:
        with pytest.raises(NotFoundError, match="user 'bob' is deactivated"):
            uow.directory.actor("bob")
        assert uow.directory.username(uow.directory.agent_id("bob")) == "bob"  # history
    with pytest.raises(PermissionDeniedError, match="only admin may manage users"):
        set_role(ctx, "lena", "alice", Role.LEAD)
    added = add_user(ctx, "root", "Bob", role=Role.LEAD)
    assert (added.username, added.role, added.active) == ("bob", "lead", True)


def test_a_removed_user_takes_no_cases_and_leaves_the_delegate_list(ctx: Context) -> None:
    remove_user(ctx, "root", "bob")
    with pytest.raises(ValidationError, match="user 'bob' was removed and cannot take cases"):
        create_case(ctx, "alice", subject="Printer", contact="c@example.com", user="bob")
    number = create_case(ctx, "alice", subject="Printer", contact="c@example.com", user="alice")
    with pytest.raises(ValidationError, match="user 'bob' was removed"):
        delegate_case(ctx, "alice", number, user="Bob")
    assert "bob" not in Desk(ctx, "alice").agents()
    assert "alice" in Desk(ctx, "alice").agents()
