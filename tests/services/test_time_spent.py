"""Time spent recorded on activities adds up per case."""

from lifecycle_support import create, detail

from helpdesk_tui.domain.enums import ActivityKind, Resolution
from helpdesk_tui.services import cases as svc
from helpdesk_tui.services.context import Context


class TestTimeSpent:
    def test_time_spent_adds_up_per_case(self, ctx: Context) -> None:
        number = create(ctx, user="alice")
        other = create(ctx, user="alice")
        svc.record_activity(ctx, "alice", number, ActivityKind.PHONE, "call", time_spent_centi=25)
        svc.record_activity(
            ctx, "alice", number, ActivityKind.EXTERNAL, "mail", time_spent_centi=150
        )
        svc.record_activity(ctx, "alice", other, ActivityKind.COMMENT, "x", time_spent_centi=300)
        svc.close_case(ctx, "alice", number, Resolution.SOLVED)
        svc.record_activity(
            ctx, "alice", number, ActivityKind.COMMENT, "write-up", time_spent_centi=50
        )
        entries = detail(ctx, number)
        assert entries.time_spent_centi == 225
        assert [a.time_spent_centi for a in entries.activities if a.time_spent_centi] == [
            25,
            150,
            50,
        ]
        assert detail(ctx, other).time_spent_centi == 300
