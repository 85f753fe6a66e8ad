"""Snapshots of the mail screens (issues 4 and 5) at 120×36 and 80×24, one class per
feature: a case with mail on its timeline and the re-file dialog; the outbox (the
unfiled inbox became Conversations: test_snapshots_conversations.py). Frozen clock, the
case data set, mails filed by the real filing service (see test_snapshots_case.py)."""

import pytest
from mailmaker import customer_mail, reply_to
from pilotkit import (
    INVOICE,
    MAIL_OUT,
    PRINTER,
    SIZE_IDS,
    SIZES,
    Data,
    Scenes,
    deliver,
    make_desk,
    open_case,
    running,
    settle,
)
from support import sync
from syrupy.assertion import SnapshotAssertion

from helpdesk_tui.domain.numbering import CaseNumber
from helpdesk_tui.services.filing import FilingSettings


def with_mail(data: Data) -> CaseNumber:
    """A mail case with a reply (its number), an unfiled mail, and a queued reply on INVOICE."""
    original = customer_mail(
        "Beamer flackert",
        body="Hallo,\nder Beamer im Raum 3 flackert seit heute morgen.\nGruß Kunde",
        message_id="<snap-1@acme.example>",
    )
    number = deliver(data, original)
    assert number is not None
    deliver(data, reply_to(original, body="Jetzt ist er ganz aus."))
    deliver(
        data,
        customer_mail("Newsletter Dezember", sender="news@news.example", message_id="<n@x>"),
        FilingSettings(),
    )
    make_desk(data, mail_out=MAIL_OUT).reply(INVOICE, "Die Gutschrift ist unterwegs.")
    return number


@pytest.mark.parametrize("size", SIZES, ids=SIZE_IDS)
class TestMailScreens:
    @sync
    async def test_a_case_with_mail_and_the_refile_dialog(
        self, size: tuple[int, int], case_data: Data, snapshot: SnapshotAssertion
    ) -> None:
        number = with_mail(case_data)
        async with running(case_data, mail_out=MAIL_OUT, size=size) as (_, pilot):
            scenes = Scenes(pilot, snapshot)
            await open_case(pilot, number)
            await scenes.check("case_with_mail")
            await pilot.press("R")
            await scenes.check("refile")
        scenes.assert_all_match()

    @sync
    async def test_the_outbox(
        self, size: tuple[int, int], case_data: Data, snapshot: SnapshotAssertion
    ) -> None:
        with_mail(case_data)
        async with running(case_data, mail_out=MAIL_OUT, size=size) as (_, pilot):
            scenes = Scenes(pilot, snapshot)
            await open_case(pilot, PRINTER)
            await pilot.press("escape")
            await settle(pilot)
            await pilot.press("u")
            await scenes.check("outbox")
        scenes.assert_all_match()
