"""The admin commands' services on PostgreSQL: booleans, the locked count of admins."""

import pytest

from helpdesk_tui.domain.enums import Role
from helpdesk_tui.domain.errors import PermissionDeniedError
from helpdesk_tui.services.context import Context
from helpdesk_tui.services.people import (
    AgentSpec,
    add_user,
    directory_log,
    list_users,
    remove_user,
    seed_people,
    set_role,
    sync_people,
)


def test_roles_change_by_admins_only_and_the_last_admin_stays(pg: Context) -> None:
    sync_people(pg, [AgentSpec("root", role=Role.ADMIN)], [])
    assert not seed_people(pg, [AgentSpec("alice", role=Role.ADMIN)], [], source="config")
    add_user(pg, "root", "zoe", role=Role.ADMIN, groups=["billing"], db_login="zoe_pg")
    set_role(pg, "zoe", "root", Role.AGENT)
    with pytest.raises(PermissionDeniedError, match="cannot demote 'zoe': the last admin"):
        set_role(pg, "zoe", "zoe", Role.LEAD)
    remove_user(pg, "zoe", "alice")
    users = {u.username: u for u in list_users(pg, "zoe")}
    assert (users["alice"].active, users["alice"].role) == (False, "agent")
    assert users["zoe"].groups == ("billing",)
    assert [(c.actor, c.action, c.user) for c in directory_log(pg, "zoe")] == [
        ("root", "user.add", "zoe"),
        ("zoe", "user.role", "root"),
        ("zoe", "user.remove", "alice"),
    ]
