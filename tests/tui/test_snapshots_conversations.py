"""Snapshots of Conversations (issue 14) at 120×36 and 80×24: the list with the weekly
review, an opened mail, the customer view (from a mail and from a case), and the classify
dialog at 80×24. Frozen clock, the case data set, mails filed by the real filing service
and classified through the real Desk."""

import pytest
from mailmaker import customer_mail
from pilotkit import (
    PRINTER,
    SIZE_IDS,
    SIZES,
    Data,
    Scenes,
    deliver,
    make_desk,
    off_loop,
    open_case,
    running,
    settle,
)
from support import sync
from syrupy.assertion import SnapshotAssertion

from helpdesk_tui.domain.mail_query import MailFilter
from helpdesk_tui.services.filing import FilingSettings

BULK = {"Precedence": "bulk", "List-Unsubscribe": "<mailto:off@shop.example>"}


def with_mails(data: Data) -> None:
    """A morning's mail: a newsletter remembered for its domain and the next one that
    came classified by that rule, a customer's question (read), a stranger's, a mail
    filed onto a new case."""

    def arrive(subject: str, sender: str, *, filed: bool = False, **options: object) -> None:
        data.clock.advance(minutes=13)
        raw = customer_mail(subject, sender=sender, **options)  # type: ignore[arg-type]
        if filed:
            assert deliver(data, raw) is not None
        else:
            assert deliver(data, raw, FilingSettings()) is None

    desk = make_desk(data)
    arrive("Dezember-Angebote", "Shop <news@shop.example>", headers=BULK)
    [news] = off_loop(desk.mail_page, MailFilter())
    off_loop(desk.classify, [news.id], "newsletter", remember="domain")
    arrive("Drucker streikt wieder", "Karl Kunde <karl@acme.example>")
    arrive("Rechnung 4711 unklar", "Eva Einkauf <eva@acme.example>", filed=True)
    arrive("Januar-Angebote", "Shop Team <team@shop.example>", headers=BULK)
    arrive("Frage zu Ihrem Angebot", "Neu Kunde <neu@unbekannt.example>")
    karl = next(m for m in off_loop(desk.mail_page, MailFilter()) if "Drucker" in m.subject)
    off_loop(desk.open_mail, karl.id)
    data.clock.advance(minutes=30)


@pytest.mark.parametrize("size", SIZES, ids=SIZE_IDS)
class TestConversations:
    @sync
    async def test_the_list_a_mail_and_its_customer(
        self, size: tuple[int, int], case_data: Data, snapshot: SnapshotAssertion
    ) -> None:
        with_mails(case_data)
        async with running(case_data, size=size) as (_, pilot):
            scenes = Scenes(pilot, snapshot)
            await pilot.press("i")
            await scenes.check("list")
            await scenes.keys("down", "down", "down")  # Karl's question
            await scenes.keys("enter")
            await scenes.check("mail")
            await scenes.keys("C")
            await scenes.check("customer_from_mail")
        scenes.assert_all_match()

    @sync
    async def test_the_customer_view_from_a_case(
        self, size: tuple[int, int], case_data: Data, snapshot: SnapshotAssertion
    ) -> None:
        with_mails(case_data)
        async with running(case_data, size=size) as (_, pilot):
            scenes = Scenes(pilot, snapshot)
            await open_case(pilot, PRINTER)
            await pilot.press("C")
            await settle(pilot)
            await scenes.check("customer_from_case")
        scenes.assert_all_match()


@sync
async def test_the_classify_dialog(case_data: Data, snapshot: SnapshotAssertion) -> None:
    with_mails(case_data)
    async with running(case_data, size=(80, 24)) as (_, pilot):
        scenes = Scenes(pilot, snapshot)
        await pilot.press("i")
        await settle(pilot)
        await scenes.keys("k")  # a stranger's question: no suggestion
        await scenes.check("classes")
        await scenes.keys("escape", "down", "down", "down", "k", "1")  # Karl: ACME GmbH
        await scenes.check("customer_account")
    scenes.assert_all_match()
