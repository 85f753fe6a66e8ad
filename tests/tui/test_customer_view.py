"""The customer view (issue 14, VIEW-4): `C` from a case or a mail opens the contact and
its account — details, cases (open first; Enter opens one), recent mail, time spent —
and `helpdesk contact show` says the same. Reads are bounded (storage/contactreads.py)."""

import pytest
from mailmaker import customer_mail
from pilotkit import (
    INVOICE,
    PASSWORD,
    PRINTER,
    VPN,
    Data,
    deliver,
    off_loop,
    open_case,
    running,
    screen_text,
    settle,
)
from support import sync
from textual.widgets import OptionList

from helpdesk_tui.domain.errors import NotFoundError
from helpdesk_tui.domain.numbering import CaseNumber
from helpdesk_tui.screens.case import CaseScreen
from helpdesk_tui.screens.customer import CustomerScreen
from helpdesk_tui.screens.mail_view import MailScreen
from helpdesk_tui.services.desk import Desk
from helpdesk_tui.services.filing import FilingSettings


def test_the_card_lists_the_contacts_cases_open_first_and_the_time_spent(
    case_data: Data,
) -> None:
    card = off_loop(Desk(case_data.ctx, "alice").contact_card, "Karl@ACME.example ")
    assert (card.email, card.name, card.account, card.known) == (
        "karl@acme.example",
        "Karl Kunde",
        "ACME GmbH",
        True,
    )
    numbers = [c.number for c in card.cases]
    closed = [c.number for c in card.cases if c.status == "closed"]
    assert closed
    assert numbers[-len(closed) :] == closed  # open first, the closed after
    assert {PRINTER, INVOICE, CaseNumber(1, 1)} <= set(numbers)
    assert card.addresses == ("eva@acme.example",)
    assert [c.number for c in card.account_cases] == [VPN]  # eva's, not karl's again
    assert card.time_spent_centi == 25  # the comment on PRINTER
    assert card.account_time_spent_centi == 25


def test_a_contact_without_account_and_an_unknown_address(case_data: Data) -> None:
    desk = Desk(case_data.ctx, "alice")
    card = off_loop(desk.contact_card, "otto@example.org")
    assert [c.number for c in card.cases] == [PASSWORD]
    assert (card.account, card.addresses, card.account_cases) == (None, (), ())
    with pytest.raises(NotFoundError, match=r"^no contact nobody@nowhere\.example$"):
        off_loop(desk.contact_card, "nobody@nowhere.example")


@sync
async def test_C_on_a_case_opens_its_customer_and_enter_opens_another_case(
    case_data: Data,
) -> None:
    async with running(case_data) as (app, pilot):
        await open_case(pilot, INVOICE)
        await pilot.press("C")
        await settle(pilot)
        assert isinstance(app.screen, CustomerScreen)
        text = screen_text(pilot)
        assert "Customer · Karl Kunde · ACME GmbH" in text
        assert "also at the account: eva@acme.example" in text
        assert "0.25 h on this contact's cases" in text
        assert "Cases (3 open / 4)" in text  # PRINTER, its open sub-case, INVOICE; one closed
        assert "Other cases of ACME GmbH" in text
        assert "VPN fällt aus" in text
        listing = app.screen.query_one("#customer-cases", OptionList)
        first = listing.get_option_at_index(listing.highlighted or 0).id
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, CaseScreen)  # the customer view gave its place
        assert str(app.screen.number) == (first or "").split(":")[1]


@sync
async def test_C_on_a_mail_opens_its_sender_with_the_recent_mail(case_data: Data) -> None:
    for subject in ("Erste Frage", "Zweite Frage"):
        case_data.clock.advance(minutes=5)
        raw = customer_mail(subject, sender="Karl Kunde <karl@acme.example>")
        assert deliver(case_data, raw, FilingSettings()) is None
    async with running(case_data) as (app, pilot):
        await pilot.press("i")
        await settle(pilot)
        await pilot.press("C")
        await settle(pilot)
        assert isinstance(app.screen, CustomerScreen)
        text = screen_text(pilot)
        assert "Recent mail (2)" in text
        assert text.index("Zweite Frage") < text.index("Erste Frage")  # newest first
        await pilot.press("tab", "enter")  # the mail list, its newest mail
        await settle(pilot)
        assert isinstance(app.screen, MailScreen)
        assert "Subject:   Zweite Frage" in screen_text(pilot)
