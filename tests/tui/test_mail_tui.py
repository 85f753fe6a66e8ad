"""Mail in the TUI (issue 4): mail entries on the timeline (sender, why filed, quotes
folded), re-filing with one key, and the unfiled inbox. Mail is filed by the real filing
service; the poller against a real server is in tests/integration/test_tui_mail.py."""

from itertools import count
from pathlib import Path
from typing import Any

from casefixtures import INVOICE, PRINTER, make_app, open_case, screen_text, seeded, settle
from mailmaker import customer_mail, reply_to
from sqlmodel import select
from support import sync

from helpdesk_tui.domain.filing import RoutingRule
from helpdesk_tui.domain.numbering import CaseNumber
from helpdesk_tui.mail.parse import parse
from helpdesk_tui.screens.case import CaseScreen
from helpdesk_tui.screens.inbox import InboxScreen
from helpdesk_tui.services.context import Context
from helpdesk_tui.services.filing import FilingSettings, FolderBatch, Incoming, ingest
from helpdesk_tui.storage.reads import open_reads
from helpdesk_tui.storage.tables import CaseRow, MailRow
from helpdesk_tui.widgets.timeline import Timeline

RULES = FilingSettings(rules=(RoutingRule("support", group="billing"),))
_uids = count(1)


def deliver(ctx: Context, raw: bytes, settings: FilingSettings = RULES) -> CaseNumber | None:
    mail = Incoming(next(_uids), raw, parse(raw))
    result = ingest(ctx, settings, FolderBatch("support", "INBOX", 1, [mail]))
    return result.filed[0].case


def mails_of(ctx: Context, number: CaseNumber) -> list[str]:
    with open_reads(ctx.location) as store:
        return [a.mail.subject for a in store.case_detail(number).activities if a.mail]


@sync
async def test_a_mail_shows_sender_reason_and_folded_quotes(tmp_path: Path) -> None:
    with seeded(tmp_path) as data:
        original = customer_mail("Beamer flackert", body="Der Beamer im Raum 3 flackert.")
        number = deliver(data.ctx, original)
        assert number is not None
        deliver(data.ctx, reply_to(original, body="Jetzt ist er ganz aus."))
        app = make_app(data)
        async with app.run_test(size=(120, 36)) as pilot:
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
async def test_mail_text_with_markup_and_escapes_stays_literal(tmp_path: Path) -> None:
    with seeded(tmp_path) as data:
        hostile = customer_mail(
            "[bold red]Alarm[/] \x1b]52;c;ZXZpbA==\x07",
            sender='"[i]Mallory[/i]" <mallory@evil.example>',
            body="[link=https://evil.example]klick[/link] \x1b[2J weg",
        )
        number = deliver(data.ctx, hostile)
        assert number is not None
        app = make_app(data)
        async with app.run_test(size=(120, 36)) as pilot:
            await open_case(pilot, number)
            text = screen_text(pilot)
            assert "[bold red]Alarm[/]" in text
            assert "[i]Mallory[/i]" in text
            assert "[link=https://evil.example]klick[/link]" in text
            assert "\x1b" not in app.screen.query_one(Timeline).text


@sync
async def test_R_refiles_a_mail_to_another_case(tmp_path: Path) -> None:
    with seeded(tmp_path) as data:
        number = deliver(data.ctx, customer_mail("Eigentlich Drucker"))
        assert number is not None
        app = make_app(data)
        async with app.run_test(size=(120, 36)) as pilot:
            await open_case(pilot, number)
            await pilot.press("R")
            await settle(pilot)
            await pilot.press(*str(PRINTER), "enter")
            await settle(pilot)
            assert isinstance(app.screen, CaseScreen)
        assert mails_of(data.ctx, number) == []
        assert mails_of(data.ctx, PRINTER) == ["Eigentlich Drucker"]


@sync
async def test_the_inbox_lists_unfiled_mail_and_f_files_it(tmp_path: Path) -> None:
    with seeded(tmp_path) as data:
        assert deliver(data.ctx, customer_mail("Wer bin ich?"), FilingSettings()) is None
        app = make_app(data)
        async with app.run_test(size=(120, 36)) as pilot:
            await settle(pilot)
            await pilot.press("i")
            await settle(pilot)
            assert isinstance(app.screen, InboxScreen)
            text = screen_text(pilot)
            assert "Unfiled mail · 1" in text
            assert "Wer bin ich?" in text
            assert "Why here: no routing rule matched" in text
            await pilot.press("f")
            await settle(pilot)
            await pilot.press(*str(INVOICE), "enter")
            await settle(pilot)
            assert "Unfiled mail · empty" in screen_text(pilot)
        assert mails_of(data.ctx, INVOICE) == ["Wer bin ich?"]


@sync
async def test_a_long_subject_keeps_its_inbox_row_on_one_line(tmp_path: Path) -> None:
    with seeded(tmp_path) as data:
        for subject in ("Erste " + "lang " * 40, "Zweite Anfrage"):
            assert deliver(data.ctx, customer_mail(subject), FilingSettings()) is None
        app = make_app(data)
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            await pilot.press("i")
            await settle(pilot)
            rows = [line for line in screen_text(pilot).splitlines() if "  Kunde Eins  " in line]
            assert len(rows) == 2, rows  # one line each: the long one is cut with …
            assert "…" in next(row for row in rows if "Erste" in row)


@sync
async def test_j_and_k_move_through_the_inbox_and_the_preview_follows(tmp_path: Path) -> None:
    with seeded(tmp_path) as data:
        for subject in ("Erste Frage", "Zweite Frage"):
            assert deliver(data.ctx, customer_mail(subject), FilingSettings()) is None
        app = make_app(data)
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            await pilot.press("i")
            await settle(pilot)
            first = next(line for line in screen_text(pilot).splitlines() if "Subject:" in line)
            await pilot.press("j")
            await settle(pilot)
            second = next(line for line in screen_text(pilot).splitlines() if "Subject:" in line)
            assert {first.split("Subject:")[1].strip(), second.split("Subject:")[1].strip()} == {
                "Erste Frage",
                "Zweite Frage",
            }
            await pilot.press("k")
            await settle(pilot)
            assert first in screen_text(pilot)


@sync
async def test_n_in_the_inbox_opens_a_case_from_the_mail(tmp_path: Path) -> None:
    with seeded(tmp_path) as data:
        assert deliver(data.ctx, customer_mail("Neue Anfrage"), FilingSettings()) is None
        app = make_app(data)
        async with app.run_test(size=(120, 36)) as pilot:
            await settle(pilot)
            await pilot.press("i")
            await settle(pilot)
            await pilot.press("n")
            await settle(pilot)
            assert "Unfiled mail · empty" in screen_text(pilot)
        with data.ctx.uow(write=False) as uow:
            [mail] = uow.session.exec(select(MailRow)).all()
            case = uow.session.get(CaseRow, mail.case_id)
            assert case is not None
            number = CaseNumber(case.number, case.sub_number)
        assert mails_of(data.ctx, number) == ["Neue Anfrage"]
        with open_reads(data.ctx.location) as store:
            assert store.case_detail(number).case.delegated_user == "alice"


def mail_app(data: object) -> "object":
    """The app with outgoing mail configured (no sender: nothing leaves in these tests)."""
    from casefixtures import Seeded

    from helpdesk_tui.app import HelpdeskApp
    from helpdesk_tui.services.desk import Desk
    from helpdesk_tui.services.outbox import MailOut

    assert isinstance(data, Seeded)
    out = MailOut(sender="Support <support@helpdesk.example>", undo_seconds=600)
    return HelpdeskApp(Desk(data.ctx, "alice", mail_out=out), live_interval=0)


def outbox_rows(ctx: Context) -> list[tuple[str, str, str]]:
    from helpdesk_tui.services.outbox_control import list_outbox

    return [(str(e.case), e.recipient, e.state) for e in list_outbox(ctx, None)]


@sync
async def test_M_on_a_case_queues_a_reply_by_mail_to_the_requester(tmp_path: Path) -> None:
    from helpdesk_tui.app import HelpdeskApp
    from helpdesk_tui.screens.compose import ComposeScreen

    with seeded(tmp_path) as data:
        app = mail_app(data)
        assert isinstance(app, HelpdeskApp)
        async with app.run_test(size=(120, 36)) as pilot:
            await open_case(pilot, PRINTER)
            await pilot.press("M")
            await settle(pilot)
            assert isinstance(app.screen, ComposeScreen)
            assert "Reply by mail" in screen_text(pilot)
            await pilot.press(*"Der Techniker kommt morgen.")
            await pilot.press("ctrl+s")
            await settle(pilot)
            assert isinstance(app.screen, CaseScreen)
        assert outbox_rows(data.ctx) == [(str(PRINTER), "karl@acme.example", "queued")]
        detail = data.detail(PRINTER)
        assert detail.activities[-1].kind == "external"
        assert detail.activities[-1].text == "Der Techniker kommt morgen."


@sync
async def test_the_outbox_lists_unsent_mail_and_x_cancels_within_the_undo_time(
    tmp_path: Path,
) -> None:
    from helpdesk_tui.app import HelpdeskApp
    from helpdesk_tui.screens.outbox import OutboxScreen

    with seeded(tmp_path) as data:
        app = mail_app(data)
        assert isinstance(app, HelpdeskApp)
        app.desk.reply(INVOICE, "Die Gutschrift ist unterwegs.")
        async with app.run_test(size=(120, 36)) as pilot:
            await settle(pilot)
            await pilot.press("u")
            await settle(pilot)
            assert isinstance(app.screen, OutboxScreen)
            text = screen_text(pilot)
            assert "Outbox · 1 unsent" in text
            assert "queued (sends in" in text
            await pilot.press("x")
            await settle(pilot)
            assert "Outbox · nothing unsent" in screen_text(pilot)
        assert [state for *_, state in outbox_rows(data.ctx)] == ["cancelled"]


@sync
async def test_U_mails_an_interim_update_and_closing_offers_the_closing_mail(
    tmp_path: Path,
) -> None:
    from helpdesk_tui.app import HelpdeskApp
    from helpdesk_tui.dialogs.confirm import ConfirmDialog

    with seeded(tmp_path) as data:
        app = mail_app(data)
        assert isinstance(app, HelpdeskApp)
        app.desk.reply(INVOICE, "Gutschrift beantragt.")
        async with app.run_test(size=(120, 36)) as pilot:
            await open_case(pilot, INVOICE)
            await pilot.press("U")
            await settle(pilot)
            await pilot.press("x", "enter")  # close as solved (the default)
            await settle(pilot)
            assert isinstance(app.screen, ConfirmDialog)
            assert "Send the closing mail for 0000002?" in screen_text(pilot)
            await pilot.press("enter")  # Send
            await settle(pilot)
        kinds = [e.kind for e in list_outbox_entries(data.ctx)]
        assert sorted(kinds) == ["closing", "reply", "update"]


def list_outbox_entries(ctx: Context) -> list[Any]:
    from helpdesk_tui.services.outbox_control import list_outbox

    return list_outbox(ctx, None)


@sync
async def test_M_on_marked_cases_previews_then_mails_every_requester(tmp_path: Path) -> None:
    from helpdesk_tui.app import HelpdeskApp
    from helpdesk_tui.dialogs.confirm import ConfirmDialog
    from helpdesk_tui.widgets.case_list import CaseList

    with seeded(tmp_path) as data:
        app = mail_app(data)
        assert isinstance(app, HelpdeskApp)
        async with app.run_test(size=(120, 36)) as pilot:
            await settle(pilot)
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
        entries = list_outbox_entries(data.ctx)
        assert sorted(str(e.case) for e in entries) == sorted(str(n) for n in marked)
        for number in marked:
            assert data.detail(number).activities[-1].text == "Wartungsfenster heute Nacht."
