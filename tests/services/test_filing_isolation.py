"""Intake never stops (MAIL-10): a mail that cannot be filed is stored raw, with a defect,
in the unfiled inbox; the rest of its batch is filed as usual and the batch commits."""

import json

from filing_support import CATCH_ALL, deliver, mails
from mailmaker import customer_mail

from helpdesk_tui.domain.filing import FiledBy, RoutingRule
from helpdesk_tui.services.context import Context
from helpdesk_tui.services.filing import FilingSettings
from helpdesk_tui.storage.reads import open_reads

#: A rule naming a group the database does not have: opening its case fails.
BROKEN = FilingSettings(
    rules=(RoutingRule("ghosts", keywords=("gespenst",), group="no-such-group"), CATCH_ALL),
    own_addresses=frozenset({"support@helpdesk.example"}),
)


def test_a_mail_that_cannot_be_filed_waits_raw_and_the_batch_goes_on(ctx: Context) -> None:
    before = customer_mail("Drucker", sender="eins@acme.example")
    broken = customer_mail("Ein Gespenst im Drucker", sender="zwei@acme.example")
    after = customer_mail("Scanner", sender="drei@acme.example")

    result = deliver(ctx, before, broken, after, settings=BROKEN)

    first, failed, last = result.filed
    assert first.new_case
    assert last.new_case
    assert failed.filed_by is FiledBy.UNFILED
    assert failed.case is None
    assert failed.failure is not None
    assert "no-such-group" in failed.failure
    assert result.failures == [failed]
    stored = {m.subject: m for m in mails(ctx)}
    row = stored["Ein Gespenst im Drucker"]
    assert row.case_id is None
    assert any(d.startswith("filing failed: ") for d in json.loads(row.defects))
    assert stored["Drucker"].case_id is not None
    assert stored["Scanner"].case_id is not None
    with open_reads(ctx.location) as store:
        assert store.mail.folder_state("support", "INBOX") is not None


def test_a_failed_mail_is_not_filed_twice_and_its_sender_stays_usable(ctx: Context) -> None:
    broken = customer_mail("Gespenst", sender="kunde@acme.example")
    good = customer_mail("Drucker", sender="kunde@acme.example")  # same, new contact

    result = deliver(ctx, broken, good, settings=BROKEN)

    assert [f.filed_by for f in result.filed] == [FiledBy.UNFILED, FiledBy.RULE]
    again = deliver(ctx, broken, settings=BROKEN)
    assert again.filed[0].filed_by is FiledBy.DUPLICATE
    assert len(mails(ctx)) == 2
