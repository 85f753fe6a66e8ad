"""Mail in the TUI (issue 4): mail entries on the timeline (sender, why filed, quotes
folded), re-filing with one key; the unfiled inbox became Conversations
(test_conversations.py). Mail is filed by the real filing service; the poller against a
real server is in tests/integration/test_tui_mail.py."""

from typing import Any

from mailmaker import customer_mail, reply_to
from pilotkit import (
    INVOICE,
    MAIL_OUT,
    PRINTER,
    Data,
    deliver,
    make_desk,
    open_case,
    running,
    screen_text,
    settle,
)
from support import sync

from helpdesk_tui.dialogs.confirm import ConfirmDialog
from helpdesk_tui.domain.numbering import CaseNumber
from helpdesk_tui.screens.case import CaseScreen
from helpdesk_tui.screens.compose import ComposeScreen
from helpdesk_tui.screens.outbox import OutboxScreen
from helpdesk_tui.services.context import Context
from helpdesk_tui.services.outbox_control import list_outbox
from helpdesk_tui.storage.reads import open_reads
from helpdesk_tui.widgets.case_list import CaseList
from helpdesk_tui.widgets.timeline import Timeline


def mails_of(ctx: Context, number: CaseNumber) -> list[str]:
    with open_reads(ctx.location) as store:
        return [a.mail.subject for a in store.case_detail(number).activities if a.mail]


def outbox_rows(ctx: Context) -> list[tuple[str, str, str]]:
    return [(str(e.case), e.recipient, e.state) for e in list_outbox(ctx, None)]


def list_outbox_entries(ctx: Context) -> list[Any]:
    return list_outbox(ctx, None)


@sync
async def test_a_mail_shows_sender_reason_and_folded_quotes(case_data: Data) -> None:
    original = customer_mail("Beamer flackert", body="Der Beamer im Raum 3 flackert.")
    number = deliver(case_data, original)
    assert number is not None
    deliver(case_data, reply_to(original, body="Jetzt ist er ganz aus."))
    async with running(case_data) as (app, pilot):
        await open_case(pilot, number)
        timeline = app.screen.query_one(Timeline)
        text = timeline.text
        assert "Kunde Eins <kunde@acme.example>" in text
        assert "filed: new case by rule support" in text
        assert "filed: In-Reply-To/References" in text
        assert "Jetzt ist er ganz aus." in text
        assert "quoted lines hidden (z shows them)" in text
        assert "> Der Beamer im Raum 3 flackert." not in text
        await pilot.press("z")
        await settle(pilot)
        assert "> Der Beamer im Raum 3 flackert." in timeline.text


@sync
async def test_mail_text_with_markup_and_escapes_stays_literal(case_data: Data) -> None:
    hostile = customer_mail(
        "[bold red]Alarm[/] \x1b]52;c;ZXZpbA==\x07",
        sender='"[i]Mallory[/i]" <mallory@evil.example>',
        body="[link=https://evil.example]klick[/link] \x1b[2J weg",
    )
    number = deliver(case_data, hostile)
    assert number is not None
    async with running(case_data) as (app, pilot):
        await open_case(pilot, number)
        text = screen_text(pilot)
        assert "[bold red]Alarm[/]" in text
        assert "[i]Mallory[/i]" in text
        assert "[link=https://evil.example]klick[/link]" in text
        assert "\x1b" not in app.screen.query_one(Timeline).text


@sync
async def test_R_refiles_a_mail_to_another_case(case_data: Data) -> None:
    number = deliver(case_data, customer_mail("Eigentlich Drucker"))
    assert number is not None
    async with running(case_data) as (app, pilot):
        await open_case(pilot, number)
        await pilot.press("R")
        await settle(pilot)
        await pilot.press(*str(PRINTER), "enter")
        await settle(pilot)
        assert isinstance(app.screen, CaseScreen)
    assert mails_of(case_data.ctx, number) == []
    assert mails_of(case_data.ctx, PRINTER) == ["Eigentlich Drucker"]


@sync
async def test_M_on_a_case_queues_a_reply_by_mail_to_the_requester(case_data: Data) -> None:
    async with running(case_data, mail_out=MAIL_OUT) as (app, pilot):
        await open_case(pilot, PRINTER)
        await pilot.press("M")
        await settle(pilot)
        assert isinstance(app.screen, ComposeScreen)
        assert "Reply by mail" in screen_text(pilot)
        await pilot.press(*"Der Techniker kommt morgen.")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, CaseScreen)
    assert outbox_rows(case_data.ctx) == [(str(PRINTER), "karl@acme.example", "queued")]
    detail = case_data.detail(PRINTER)
    assert detail.activities[-1].kind == "external"
    assert detail.activities[-1].text == "Der Techniker kommt morgen."


@sync
async def test_the_outbox_lists_unsent_mail_and_x_cancels_within_the_undo_time(
    case_data: Data,
) -> None:
    make_desk(case_data, mail_out=MAIL_OUT).reply(INVOICE, "Die Gutschrift ist unterwegs.")
    async with running(case_data, mail_out=MAIL_OUT) as (app, pilot):
        await pilot.press("u")
        await settle(pilot)
        assert isinstance(app.screen, OutboxScreen)
        text = screen_text(pilot)
        assert "Outbox · 1 unsent" in text
        assert "queued (sends in" in text
        await pilot.press("x")
        await settle(pilot)
        assert "Outbox · nothing unsent" in screen_text(pilot)
    assert [state for *_, state in outbox_rows(case_data.ctx)] == ["cancelled"]


@sync
async def test_U_mails_an_interim_update(case_data: Data) -> None:
    make_desk(case_data, mail_out=MAIL_OUT).reply(INVOICE, "Gutschrift beantragt.")
    async with running(case_data, mail_out=MAIL_OUT) as (_, pilot):
        await open_case(pilot, INVOICE)
        await pilot.press("U")
        await settle(pilot)
    kinds = [e.kind for e in list_outbox_entries(case_data.ctx)]
    assert sorted(kinds) == ["reply", "update"]


@sync
async def test_closing_a_case_with_mail_offers_the_closing_mail(case_data: Data) -> None:
    make_desk(case_data, mail_out=MAIL_OUT).reply(INVOICE, "Gutschrift beantragt.")
    async with running(case_data, mail_out=MAIL_OUT) as (app, pilot):
        await open_case(pilot, INVOICE)
        await pilot.press("x", "enter")  # close as solved (the default)
        await settle(pilot)
        assert isinstance(app.screen, ConfirmDialog)
        assert "Send the closing mail for 0000002?" in screen_text(pilot)
        await pilot.press("enter")  # Send
        await settle(pilot)
    kinds = [e.kind for e in list_outbox_entries(case_data.ctx)]
    assert sorted(kinds) == ["closing", "reply"]


@sync
async def test_M_on_marked_cases_previews_then_mails_every_requester(case_data: Data) -> None:
    async with running(case_data, mail_out=MAIL_OUT) as (app, pilot):
        cases = app.screen.query_one(CaseList)
        await pilot.press("space", "space")  # mark the first two cases
        await settle(pilot)
        marked = [c.number for c in cases.marked()]
        assert len(marked) == 2
        await pilot.press("M")
        await settle(pilot)
        await pilot.press(*"Wartungsfenster heute Nacht.", "ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmDialog)
        text = screen_text(pilot)
        assert "2 mails: external action + reply to each requester" in text
        await pilot.press("enter")
        await settle(pilot)
    entries = list_outbox_entries(case_data.ctx)
    assert sorted(str(e.case) for e in entries) == sorted(str(n) for n in marked)
    for number in marked:
        assert case_data.detail(number).activities[-1].text == "Wartungsfenster heute Nacht."
