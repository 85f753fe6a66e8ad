"""The customer view (issue 14, VIEW-4): `C` from a case or a mail opens the contact and
its account — details, cases (open first; Enter opens one), recent mail, time spent —
and `helpdesk contact show` says the same. Reads are bounded (storage/contactreads.py)."""

import pytest
from pilotkit import INVOICE, PASSWORD, PRINTER, VPN, Data, off_loop

from helpdesk_tui.domain.errors import NotFoundError
from helpdesk_tui.domain.numbering import CaseNumber
from helpdesk_tui.services.desk import Desk


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
