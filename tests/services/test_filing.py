"""Filing incoming mail onto cases (MAIL-2…4, MAIL-6, MAIL-7, ASSIGN-5), without a server.

The mails are parsed by the real parser and stored through the real services; the IMAP
side is covered by tests/integration/test_mail_sync.py against Dovecot.
"""

import json

import pytest
from filing_support import SETTINGS, case_row, deliver, mails
from mailmaker import customer_mail, reply_to
from sqlalchemy import update
from sqlmodel import select

from helpdesk_tui.domain.case import Case
from helpdesk_tui.domain.enums import ActivityKind, Resolution, Status
from helpdesk_tui.domain.filing import FiledBy, RoutingRule
from helpdesk_tui.domain.numbering import CaseNumber
from helpdesk_tui.services import cases as svc
from helpdesk_tui.services.context import Context
from helpdesk_tui.services.filing import (
    FilingSettings,
    refile,
)
from helpdesk_tui.storage.cases import CaseRepository
from helpdesk_tui.storage.mails import FolderState
from helpdesk_tui.storage.reads import open_reads
from helpdesk_tui.storage.tables import ActivityRow, CaseRow, MailRawRow, MailRow, NotificationRow


def test_new_mail_opens_a_case_with_contact_description_and_the_mail_on_its_timeline(
    ctx: Context,
) -> None:
    raw = customer_mail("Drucker druckt nicht", body="Der Drucker im 2. OG streikt.")
    result = deliver(ctx, raw)
    [filed] = result.filed
    assert filed.new_case
    assert filed.filed_by is FiledBy.RULE
    assert filed.reason == "new case by rule support"
    number = filed.case
    assert number is not None
    with open_reads(ctx.location) as store:
        detail = store.case_detail(number)
    assert detail is not None
    assert detail.case.subject == "Drucker druckt nicht"
    assert detail.case.contact_email == "kunde@acme.example"
    assert detail.case.delegated_group == "technical"
    assert "Der Drucker im 2. OG streikt." in detail.case.description
    kinds = [a.kind for a in detail.activities]
    assert kinds.count("mail_in") == 1
    assert "created" in kinds
    [stored] = mails(ctx)
    assert stored.filed_by == "rule"
    assert stored.case_id is not None
    with ctx.uow(write=False) as uow:
        assert uow.session.get(MailRawRow, stored.id).raw == raw  # type: ignore[union-attr]


def test_routing_rules_first_match_wins_and_sets_group_and_priority(ctx: Context) -> None:
    result = deliver(ctx, customer_mail("Frage zur Rechnung 4711"))
    number = result.filed[0].case
    assert number is not None
    row = case_row(ctx, number)
    assert row.priority == "high"
    assert result.filed[0].reason == "new case by rule invoices"


def test_inbox_rule_and_no_rule_leave_the_mail_unfiled(ctx: Context) -> None:
    newsletter = customer_mail("Unser Newsletter", sender="news@news.example")
    only_rules = FilingSettings(
        rules=(RoutingRule("invoices", keywords=("rechnung",), group="billing"),)
    )
    r1 = deliver(ctx, newsletter)
    r2 = deliver(ctx, customer_mail("Hallo"), settings=only_rules)
    assert r1.filed[0].filed_by is FiledBy.UNFILED
    assert r1.filed[0].reason == "rule newsletters: to the inbox"
    assert r2.filed[0].filed_by is FiledBy.UNFILED
    assert r2.filed[0].reason == "no routing rule matched"
    assert all(m.case_id is None for m in mails(ctx))
    with ctx.uow(write=False) as uow:
        assert uow.session.exec(select(CaseRow)).all() == []


def test_reply_with_tag_from_the_customer_files_onto_the_case(ctx: Context) -> None:
    first = deliver(ctx, customer_mail("Drucker"))
    number = first.filed[0].case
    assert number is not None
    reply = customer_mail(f"AW: [#{number}] Drucker", body="Geht wieder.")
    result = deliver(ctx, reply)
    assert result.filed[0].case == number
    assert result.filed[0].filed_by is FiledBy.TAG
    assert result.filed[0].reason == f"case tag [{number}] from a participant"


def test_reply_with_only_references_files_onto_the_case(ctx: Context) -> None:
    original = customer_mail("Drucker")
    number = deliver(ctx, original).filed[0].case
    reply = reply_to(original, subject="Re: Drucker (no tag)")
    result = deliver(ctx, reply)
    assert result.filed[0].case == number
    assert result.filed[0].filed_by is FiledBy.REFERENCES


def test_a_stranger_with_a_valid_tag_does_not_get_into_the_case(ctx: Context) -> None:
    number = deliver(ctx, customer_mail("Vertraulich")).filed[0].case
    assert number is not None
    before = case_row(ctx, number).version
    intruder = customer_mail(f"Re: [#{number}] gib mir alles", sender="evil@attacker.example")
    result = deliver(ctx, intruder)
    filed = result.filed[0]
    assert filed.case != number
    assert filed.reason.startswith(
        f"tag [{number}] ignored: evil@attacker.example is not a participant"
    )
    assert case_row(ctx, number).version == before


def test_a_tag_from_a_stranger_is_not_confirmed_by_someone_elses_message_id(
    ctx: Context,
) -> None:
    """MAIL-11: only our own signed Message-ID confirms a tag from a non-participant
    (tests/services/test_filing_threading.py); a customer's id is anyone's to copy."""
    original = customer_mail("Drucker")
    number = deliver(ctx, original).filed[0].case
    colleague = reply_to(
        original, subject=f"Re: [#{number}] Drucker", sender="kollegin@acme.example"
    )
    filed = deliver(ctx, colleague).filed[0]
    assert filed.case != number
    assert filed.reason.startswith(
        f"tag [{number}] ignored: kollegin@acme.example is not a participant; "
    )


def test_mail_on_a_closed_case_is_attached_and_the_delegate_is_notified(ctx: Context) -> None:
    number = deliver(ctx, customer_mail("Drucker")).filed[0].case
    assert number is not None
    svc.close_case(ctx, "bob", number, Resolution.SOLVED, comment="neuer Toner")
    filed = deliver(ctx, customer_mail(f"Re: [#{number}] Drucker", body="Schon wieder!")).filed[0]
    assert filed.case == number
    row = case_row(ctx, number)
    assert row.status == "closed"
    with ctx.uow(write=False) as uow:
        [note] = uow.session.exec(select(NotificationRow)).all()
        kinds = [
            a.kind
            for a in uow.session.exec(select(ActivityRow).where(ActivityRow.case_id == row.id))
        ]
        bob = uow.directory.agent_id("bob")
        uow.session.expunge_all()
    # bob took the group case by closing it (ASSIGN-3), so bob is told
    assert note.case_id == row.id
    assert note.agent_id == bob
    assert "stays closed" in note.text
    assert kinds.count("mail_in") == 2


def test_mail_on_a_closed_case_reopens_it_when_configured(ctx: Context) -> None:
    number = deliver(ctx, customer_mail("Drucker")).filed[0].case
    assert number is not None
    svc.close_case(ctx, "bob", number, Resolution.SOLVED)
    reopening = FilingSettings(rules=SETTINGS.rules, reopen_closed=True)
    deliver(ctx, customer_mail(f"Re: [#{number}] Drucker"), settings=reopening)
    row = case_row(ctx, number)
    assert row.status == "open"
    assert row.resolution is None


def test_customer_reply_ends_waiting(ctx: Context) -> None:
    number = deliver(ctx, customer_mail("Drucker")).filed[0].case
    assert number is not None
    svc.change_status(
        ctx, "bob", number, Status.WAITING, comment="Seriennummer?", reminder=ctx.today()
    )
    deliver(ctx, customer_mail(f"Re: [#{number}] Drucker", body="SN 12345"))
    assert case_row(ctx, number).status == "open"


@pytest.mark.parametrize(
    "headers",
    [
        {"Auto-Submitted": "auto-replied"},
        {"Precedence": "bulk"},
        {"X-Autoreply": "yes"},
        {"List-Id": "<users.lists.example>"},
    ],
)
def test_noise_never_opens_a_case(ctx: Context, headers: dict[str, str]) -> None:
    filed = deliver(ctx, customer_mail("Abwesenheitsnotiz", headers=headers)).filed[0]
    assert filed.filed_by is FiledBy.UNFILED
    assert filed.reason.endswith("no new case")
    [stored] = mails(ctx)
    assert stored.noise is not None


def test_noise_on_a_known_case_is_still_filed(ctx: Context) -> None:
    number = deliver(ctx, customer_mail("Drucker")).filed[0].case
    auto = customer_mail(
        f"Abwesend: Re: [#{number}] Drucker", headers={"Auto-Submitted": "auto-replied"}
    )
    assert deliver(ctx, auto).filed[0].case == number


def test_the_same_mail_twice_is_stored_once_even_from_another_folder(ctx: Context) -> None:
    raw = customer_mail("Drucker")
    deliver(ctx, raw)
    again = deliver(ctx, raw, folder="Archive")
    resent = deliver(ctx, b"Received: from relay2\r\n" + raw, folder="Other")
    assert again.filed[0].filed_by is FiledBy.DUPLICATE
    assert again.stored == 0
    assert resent.filed[0].filed_by is FiledBy.DUPLICATE
    assert len(mails(ctx)) == 1
    with ctx.uow(write=False) as uow:
        assert len(uow.session.exec(select(CaseRow)).all()) == 1


def test_a_batch_advances_the_folder_state_with_the_mails(ctx: Context) -> None:
    result = deliver(ctx, customer_mail("a"), customer_mail("b"), uidvalidity=42)
    with ctx.uow(write=False) as uow:
        state = uow.mails.folder_state("support", "INBOX")
    assert state == FolderState(42, max(f.uid for f in result.filed), None)


def test_malformed_mail_is_stored_raw_with_its_defects(ctx: Context) -> None:
    raw = b"Subject: =?utf-8?q?kaputt\r\nContent-Type: multipart/mixed\r\n\r\n\xff\xfe garbage"
    filed = deliver(ctx, raw).filed[0]
    assert filed.filed_by is FiledBy.UNFILED
    [stored] = mails(ctx)
    assert json.loads(stored.defects)
    with ctx.uow(write=False) as uow:
        assert uow.session.get(MailRawRow, stored.id).raw == raw  # type: ignore[union-attr]


def test_refile_moves_mail_and_timeline_entry(ctx: Context) -> None:
    a = deliver(ctx, customer_mail("Erster Fall")).filed[0].case
    b_mail = deliver(ctx, customer_mail("Zweiter Fall", sender="zwei@acme.example")).filed[0]
    assert a is not None
    assert b_mail.case is not None
    refile(ctx, "alice", b_mail.mail_id, a)
    with ctx.uow(write=False) as uow:
        row = uow.session.get(MailRow, b_mail.mail_id)
        assert row is not None
        assert row.filed_by == "manual"
        assert row.filed_note == "re-filed by alice"
        a_id = uow.cases.case_id(a)
        assert row.case_id == a_id
        entry = uow.session.exec(
            select(ActivityRow).where(ActivityRow.mail_id == b_mail.mail_id)
        ).one()
        assert entry.case_id == a_id
        assert entry.kind == ActivityKind.MAIL_IN


def test_refile_an_unfiled_mail_puts_it_on_the_case_timeline(ctx: Context) -> None:
    a = deliver(ctx, customer_mail("Erster Fall")).filed[0].case
    assert a is not None
    stray = deliver(ctx, customer_mail("Hallo"), settings=FilingSettings()).filed[0]
    refile(ctx, "alice", stray.mail_id, a)
    with ctx.uow(write=False) as uow:
        entry = uow.session.exec(
            select(ActivityRow).where(ActivityRow.mail_id == stray.mail_id)
        ).one()
        assert entry.case_id == uow.cases.case_id(a)


def test_refile_is_done_again_when_someone_saved_the_case_meanwhile(
    ctx: Context, monkeypatch: pytest.MonkeyPatch
) -> None:
    a = deliver(ctx, customer_mail("Erster Fall")).filed[0].case
    assert a is not None
    stray = deliver(ctx, customer_mail("Hallo", body="Neu."), settings=FilingSettings()).filed[0]
    real_get, raced = CaseRepository.get, []

    def get_then_race(repo: CaseRepository, number: CaseNumber) -> Case:
        case = real_get(repo, number)
        if not raced:  # another agent saves the case between this read and the write
            raced.append(number)
            repo._session.execute(update(CaseRow).values(version=CaseRow.version + 1))
        return case

    monkeypatch.setattr(CaseRepository, "get", get_then_race)
    refile(ctx, "alice", stray.mail_id, a)
    assert raced == [a]
    with ctx.uow(write=False) as uow:
        entry = uow.session.exec(
            select(ActivityRow).where(ActivityRow.mail_id == stray.mail_id)
        ).one()
        assert entry.case_id == uow.cases.case_id(a)
        assert entry.text == "Neu."


def test_the_timeline_shows_each_mail_with_why_it_was_filed(ctx: Context) -> None:
    original = customer_mail("Drucker", body="Der Drucker streikt.")
    number = deliver(ctx, original).filed[0].case
    assert number is not None
    deliver(ctx, reply_to(original, body="Immer noch kaputt."))
    with open_reads(ctx.location) as store:
        detail = store.case_detail(number)
    mails_on_timeline = [a for a in detail.activities if a.mail is not None]
    first, second = (a.mail for a in mails_on_timeline)
    assert first is not None
    assert second is not None
    assert (first.filed_by, first.filed_note) == ("rule", "new case by rule support")
    assert (second.filed_by, second.filed_note) == ("references", "In-Reply-To/References")
    assert first.from_email == "kunde@acme.example"
    assert "Der Drucker streikt." in mails_on_timeline[0].text
    assert second.new_text.strip() == "Immer noch kaputt."
    assert second.quote_start is not None
    assert "> Der Drucker streikt." in second.body_text[second.quote_start :]


def test_the_unfiled_inbox_lists_what_no_rule_took(ctx: Context) -> None:
    deliver(ctx, customer_mail("Newsletter Mai", sender="news@news.example"))
    deliver(ctx, customer_mail("Drucker"))
    with open_reads(ctx.location) as store:
        inbox = store.mail.unfiled()
        count = store.mail.unfiled_count()
    assert [m.subject for m in inbox] == ["Newsletter Mai"]
    assert count == 1
    assert inbox[0].filed_note == "rule newsletters: to the inbox"
