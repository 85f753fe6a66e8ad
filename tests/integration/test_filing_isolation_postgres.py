"""MAIL-10 on PostgreSQL: a value PostgreSQL refuses (a Message-ID longer than its column)
costs that one mail its parsed fields, never the batch: it is stored raw, with a defect,
unfiled."""

import json

from mailmaker import customer_mail
from services.filing_support import deliver, mails

from helpdesk_tui.domain.filing import FiledBy, RoutingRule
from helpdesk_tui.services.context import Context
from helpdesk_tui.services.filing import FilingSettings

SETTINGS = FilingSettings(
    rules=(RoutingRule("all", group="billing"),),
    own_addresses=frozenset({"support@helpdesk.example"}),
)


def test_a_value_postgresql_refuses_keeps_the_batch_going(pg: Context) -> None:
    good = customer_mail("Drucker", sender="eins@acme.example")
    long_id = customer_mail(
        "Lang", sender="zwei@acme.example", message_id=f"<{'x' * 1200}@a.example>"
    )

    result = deliver(pg, good, long_id, settings=SETTINGS)

    first, failed = result.filed
    assert first.new_case
    assert failed.filed_by is FiledBy.UNFILED
    assert failed.failure is not None
    (row,) = [m for m in mails(pg) if m.case_id is None]
    (defect,) = json.loads(row.defects)
    assert defect.startswith("filing failed: ")
    assert "stored raw only" in defect  # its parsed fields were refused as well
    assert row.size > 1200
