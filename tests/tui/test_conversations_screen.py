"""Conversations (issue 14, MAIL-8): all mail newest first, classified by sender in one
key, remembered per address or domain, filters, archive, filing — through the real
filing service and the real Desk (the list and classification are B's services)."""

from mailmaker import customer_mail
from pilotkit import INVOICE, Data, deliver, make_desk, off_loop, running, screen_text, settle
from sqlmodel import select
from support import sync

from helpdesk_tui.dialogs.classify import ClassifyDialog
from helpdesk_tui.domain.mail_query import MailFilter
from helpdesk_tui.domain.numbering import CaseNumber
from helpdesk_tui.mail.parse import parse
from helpdesk_tui.messages import DataChanged
from helpdesk_tui.screens.conversations import FIRST_PAGE, PAGE, ConversationsScreen
from helpdesk_tui.screens.mail_view import MailScreen
from helpdesk_tui.services.filing import FilingSettings, FolderBatch, Incoming, ingest
from helpdesk_tui.storage.readmodels import MailListItem
from helpdesk_tui.storage.reads import open_reads
from helpdesk_tui.storage.tables import CaseRow, MailRow

UNFILED = FilingSettings()
KARL = "Karl Kunde <karl@acme.example>"  # a contact of ACME GmbH
OTTO = "Otto Normal <otto@example.org>"  # a contact without account
BULK = {"Precedence": "bulk", "List-Unsubscribe": "<mailto:off@shop.example>"}


def mails(data: Data) -> list[MailListItem]:
    """Every mail as the conversations list has it now, archived ones too."""
    desk = make_desk(data)
    return [
        mail
        for archived in (False, True)
        for mail in off_loop(desk.mail_page, MailFilter(archived=archived), None, 1000)
    ]


def by_subject(data: Data) -> dict[str, MailListItem]:
    return {m.subject: m for m in mails(data)}


def arrive(data: Data, subject: str, sender: str, **options: object) -> None:
    """A mail into the inbox (no routing rule takes it), a minute after the one before."""
    data.clock.advance(minutes=1)
    assert deliver(data, customer_mail(subject, sender=sender, **options), UNFILED) is None  # type: ignore[arg-type]


def cursor_subject(app: object) -> str | None:
    screen = app.screen  # type: ignore[attr-defined]
    assert isinstance(screen, ConversationsScreen)
    return screen.current.subject if screen.current else None


async def conversations(pilot: object) -> ConversationsScreen:
    await pilot.press("i")  # type: ignore[attr-defined]
    await settle(pilot)  # type: ignore[arg-type]
    screen = pilot.app.screen  # type: ignore[attr-defined]
    assert isinstance(screen, ConversationsScreen)
    return screen


@sync
async def test_k_1_enter_classifies_a_customer_with_the_contacts_account(
    case_data: Data,
) -> None:
    arrive(case_data, "Frage von Otto", OTTO)
    arrive(case_data, "Drucker streikt", KARL)
    async with running(case_data) as (app, pilot):
        await conversations(pilot)
        assert cursor_subject(app) == "Drucker streikt"  # newest first
        await pilot.press("k")
        await settle(pilot)
        assert isinstance(app.screen, ClassifyDialog)
        await pilot.press("1")
        await settle(pilot)
        assert "ACME GmbH" in screen_text(pilot)  # the contact's account, offered
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ConversationsScreen)
        assert cursor_subject(app) == "Frage von Otto"  # on to the next mail
    karl = by_subject(case_data)["Drucker streikt"]
    assert (karl.mail_class, karl.classified_by, karl.account) == ("customer", "agent", "ACME GmbH")
    assert by_subject(case_data)["Frage von Otto"].mail_class is None


@sync
async def test_a_new_account_is_created_from_the_dialog(case_data: Data) -> None:
    arrive(case_data, "Angebot Schrauben", "Lieferant <vertrieb@schrauben.example>")
    async with running(case_data) as (app, pilot):
        await conversations(pilot)
        await pilot.press("k", "2")
        await settle(pilot)
        await pilot.press(*"Schrauben AG")
        await settle(pilot)
        assert "+ new account Schrauben AG" in screen_text(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ConversationsScreen)
    mail = by_subject(case_data)["Angebot Schrauben"]
    assert (mail.mail_class, mail.account) == ("supplier", "Schrauben AG")


@sync
async def test_customer_without_account_is_refused_in_the_dialog(case_data: Data) -> None:
    arrive(case_data, "Frage", "Neu <neu@unbekannt.example>")
    async with running(case_data) as (app, pilot):
        await conversations(pilot)
        await pilot.press("k", "1")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ClassifyDialog)
        assert app.screen.error_text == "Customer needs an account: type its name"
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, ConversationsScreen)
    assert by_subject(case_data)["Frage"].mail_class is None


@sync
async def test_k_4_enter_on_a_newsletter_remembers_the_domain(case_data: Data) -> None:
    arrive(case_data, "Dezember-Angebote", "Shop <news@shop.example>", headers=BULK)
    async with running(case_data) as (app, pilot):
        await conversations(pilot)
        await pilot.press("k")
        await settle(pilot)
        text = screen_text(pilot)
        assert "▶ 4  Newsletter   (suggested)" in text  # bulk mail: suggested Newsletter
        await pilot.press("4", "ctrl+r")  # remember for: this address → this domain
        await settle(pilot)
        assert "(•) this domain shop.example" in screen_text(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ConversationsScreen)
    # The next mail of that domain arrives classified, by the rule.
    arrive(case_data, "Januar-Angebote", "Shop Team <team@shop.example>", headers=BULK)
    second = by_subject(case_data)["Januar-Angebote"]
    assert (second.mail_class, second.classified_by) == ("newsletter", "rule")
    async with running(case_data) as (app, pilot):
        await conversations(pilot)
        assert cursor_subject(app) == "Januar-Angebote"
        row = next(line for line in screen_text(pilot).splitlines() if "Januar-Angebote" in line)
        assert "newsltr*" in row  # * : by a rule
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, MailScreen)
        assert "classified by rule (domain shop.example)" in screen_text(pilot)


@sync
async def test_K_classifies_all_mail_of_the_sender_after_showing_how_many(
    case_data: Data,
) -> None:
    for n in range(3):
        arrive(case_data, f"Werbung {n}", "Kalt <verkauf@kalt.example>")
    arrive(case_data, "Andere Frage", OTTO)
    async with running(case_data) as (app, pilot):
        await conversations(pilot)
        await pilot.press("down")  # onto a mail of verkauf@
        await pilot.press("K")
        await settle(pilot)
        assert isinstance(app.screen, ClassifyDialog)
        assert "Classify all 3 unclassified mails of verkauf@kalt.example" in screen_text(pilot)
        await pilot.press("5", "enter")
        await settle(pilot)
        assert isinstance(app.screen, ConversationsScreen)
    classes = {s: m.mail_class for s, m in by_subject(case_data).items()}
    assert classes == {
        "Werbung 0": "advertising",
        "Werbung 1": "advertising",
        "Werbung 2": "advertising",
        "Andere Frage": None,
    }


@sync
async def test_space_marks_mails_of_several_senders_for_one_classification(
    case_data: Data,
) -> None:
    arrive(case_data, "Von Eva", "Eva <eva@acme.example>")
    arrive(case_data, "Von Otto", OTTO)
    arrive(case_data, "Von Karl", KARL)
    async with running(case_data) as (_app, pilot):
        screen = await conversations(pilot)
        await pilot.press("space", "space")  # Karl's and Otto's; the cursor moves on
        await settle(pilot)
        assert len(screen.marks) == 2
        assert "2 marked" in screen_text(pilot)
        await pilot.press("k")
        await settle(pilot)
        assert "Classify 2 marked mails" in screen_text(pilot)
        assert "(•) these mails only" in screen_text(pilot)  # two senders: no rule
        await pilot.press("3", "enter")
        await settle(pilot)
        assert not screen.marks
    classes = {s: m.mail_class for s, m in by_subject(case_data).items()}
    assert classes == {"Von Karl": "internal", "Von Otto": "internal", "Von Eva": None}


@sync
async def test_the_toggles_and_the_query_bar_filter_the_list(case_data: Data) -> None:
    arrive(case_data, "Alte Frage", OTTO)
    case_data.clock.advance(days=8)
    arrive(case_data, "Neue Frage", KARL)
    arrive(case_data, "Newsletter", "Shop <news@shop.example>", headers=BULK)
    async with running(case_data) as (_app, pilot):
        screen = await conversations(pilot)

        def shown() -> list[str]:
            return [m.subject for m in screen.items]

        assert shown() == ["Newsletter", "Neue Frage", "Alte Frage"]
        await pilot.press("o")  # older than 7 days, not archived
        await settle(pilot)
        assert shown() == ["Alte Frage"]
        assert "old" in screen_text(pilot).splitlines()[0]
        await pilot.press("o", "enter")  # off again; open the newest (marks it read)
        await settle(pilot)
        await pilot.press("escape", "u")  # only unread
        await settle(pilot)
        assert shown() == ["Neue Frage", "Alte Frage"]
        await pilot.press("u", "slash", *"from:otto@example.org", "enter")
        await settle(pilot)
        assert shown() == ["Alte Frage"]
        await pilot.press("slash", "ctrl+u", *"class:nonsense", "enter")
        await settle(pilot)
        assert shown() == ["Alte Frage"]  # a bad word changes nothing and says why
        assert "nonsense" in screen_text(pilot)
        await pilot.press("escape", "c")  # back to the list; only unclassified
        await settle(pilot)
        assert shown() == ["Alte Frage"]


@sync
async def test_enter_opens_the_mail_and_marks_it_read(case_data: Data) -> None:
    arrive(case_data, "Wer bin ich?", OTTO, body="Bitte melden Sie sich.")
    assert not by_subject(case_data)["Wer bin ich?"].read
    async with running(case_data) as (app, pilot):
        await conversations(pilot)
        row = next(line for line in screen_text(pilot).splitlines() if "Wer bin ich?" in line)
        assert "●" in row
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, MailScreen)
        text = screen_text(pilot)
        assert "Bitte melden Sie sich." in text
        assert "Why here:  unfiled: no routing rule matched" in text
        await pilot.press("escape")
        await settle(pilot)
        row = next(line for line in screen_text(pilot).splitlines() if "Wer bin ich?" in line)
        assert "●" not in row
    assert by_subject(case_data)["Wer bin ich?"].read


@sync
async def test_e_archives_and_a_shows_the_archived_mail(case_data: Data) -> None:
    arrive(case_data, "Erledigt", OTTO)
    arrive(case_data, "Offen", KARL)
    async with running(case_data) as (_app, pilot):
        screen = await conversations(pilot)
        await pilot.press("down", "e")
        await settle(pilot)
        assert [m.subject for m in screen.items] == ["Offen"]
        await pilot.press("a")  # the archived mail
        await settle(pilot)
        assert [m.subject for m in screen.items] == ["Erledigt"]
        assert "[archived] Erledigt" in screen_text(pilot)
    assert by_subject(case_data)["Erledigt"].archived


@sync
async def test_f_files_the_mail_onto_a_case(case_data: Data) -> None:
    arrive(case_data, "Wer bin ich?", OTTO)
    async with running(case_data) as (_app, pilot):
        await conversations(pilot)
        await pilot.press("f")
        await settle(pilot)
        await pilot.press(*str(INVOICE), "enter")
        await settle(pilot)
        row = next(line for line in screen_text(pilot).splitlines() if "Wer bin ich?" in line)
        assert str(INVOICE) in row  # the case column
    with open_reads(case_data.ctx.location) as store:
        subjects = [a.mail.subject for a in store.case_detail(INVOICE).activities if a.mail]
    assert subjects == ["Wer bin ich?"]


@sync
async def test_n_opens_a_case_from_the_mail(case_data: Data) -> None:
    arrive(case_data, "Neue Anfrage", OTTO)
    async with running(case_data) as (_app, pilot):
        await conversations(pilot)
        await pilot.press("n")
        await settle(pilot)
    with case_data.ctx.uow(write=False) as uow:
        [mail] = uow.session.exec(select(MailRow)).all()
        case = uow.session.get(CaseRow, mail.case_id)
        assert case is not None
        number = CaseNumber(case.number, case.sub_number)
    assert by_subject(case_data)["Neue Anfrage"].case == number
    assert case_data.case(number).delegated_user == "alice"


@sync
async def test_a_long_subject_keeps_its_row_on_one_line(case_data: Data) -> None:
    for subject in ("Erste " + "lang " * 40, "Zweite Anfrage"):
        arrive(case_data, subject, OTTO)
    async with running(case_data, size=(80, 24)) as (_, pilot):
        await conversations(pilot)
        rows = [line for line in screen_text(pilot).splitlines() if "Otto Normal" in line]
        assert len(rows) >= 2, rows  # one line each: the long one is cut with …
        assert "…" in next(row for row in rows if "Erste" in row)


@sync
async def test_the_header_shows_the_weekly_review_with_goals_marked(case_data: Data) -> None:
    for n in range(12):
        arrive(case_data, f"Frage {n}", OTTO)
    async with running(case_data) as (_app, pilot):
        await conversations(pilot)
        review = screen_text(pilot).splitlines()[1]
        assert "unclassified 12 ✗ missed (< 10)" in review
        assert "old open 0 ✓ (< 20)" in review
        assert "classified 0 % ✗ missed (> 95 %)" in review


@sync
async def test_new_mail_filed_elsewhere_appears_on_top_and_the_cursor_stays(
    case_data: Data,
) -> None:
    arrive(case_data, "Erste", OTTO)
    arrive(case_data, "Zweite", KARL)
    async with running(case_data) as (app, pilot):
        screen = await conversations(pilot)
        await pilot.press("down")  # on "Erste"
        arrive(case_data, "Dritte", OTTO)  # the poller files a mail meanwhile
        screen.post_message(DataChanged())
        await settle(pilot)
        assert [m.subject for m in screen.items] == ["Dritte", "Zweite", "Erste"]
        assert cursor_subject(app) == "Erste"


@sync
async def test_the_list_reads_a_page_at_a_time_as_the_cursor_nears_the_end(
    case_data: Data,
) -> None:
    raws = [customer_mail(f"Frage {n:03}", sender=OTTO) for n in range(150)]
    batch = FolderBatch(
        "support", "INBOX", 1, [Incoming(9000 + n, r, parse(r)) for n, r in enumerate(raws)]
    )
    off_loop(ingest, case_data.ctx, UNFILED, batch)
    async with running(case_data) as (_, pilot):
        screen = await conversations(pilot)
        assert len(screen.items) == FIRST_PAGE  # a first page, not the whole table
        assert f"Conversations · {FIRST_PAGE}+ mails" in screen_text(pilot)
        await pilot.press("end")  # near the end: the next page (all arrived at one time)
        await settle(pilot)
        assert len(screen.items) == 150 < FIRST_PAGE + PAGE
        assert "Conversations · 150 mails" in screen_text(pilot)
        assert len({m.id for m in screen.items}) == 150
