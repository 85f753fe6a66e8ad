"""The demo data set (OPS-1): seeded once through the services, then inspected.

Seeding replays ~500 case lives through the real services, so one database serves the
whole module; the checks read it with plain SQL and through the read store.
"""

import email
import json
import re
import sqlite3
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from helpdesk_tui.domain.errors import ValidationError
from helpdesk_tui.domain.numbering import CaseNumber
from helpdesk_tui.domain.query import view_query
from helpdesk_tui.services.context import Context
from helpdesk_tui.services.demo import DEMO_DAYS, SAMPLE_DIR, DemoSummary, seed_demo
from helpdesk_tui.services.desk import Desk
from helpdesk_tui.storage.location import locate
from helpdesk_tui.storage.readmodels import MailEntry
from helpdesk_tui.storage.reads import open_reads

LEFTOVER = re.compile(r"\{[a-z_]+\}")


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Context, DemoSummary]]:
    context = Context(locate(str(tmp_path_factory.mktemp("demo") / "demo.sqlite")))
    summary = seed_demo(context)
    yield context, summary
    context.dispose()


@pytest.fixture(scope="module")
def db(seeded: tuple[Context, DemoSummary]) -> Iterator[sqlite3.Connection]:
    connection = sqlite3.connect(seeded[0].location.sqlite_path)
    yield connection
    connection.close()


@pytest.fixture(scope="module")
def today(seeded: tuple[Context, DemoSummary]) -> date:
    return seeded[0].today()


def one(db: sqlite3.Connection, sql: str, *params: object) -> int:
    return int(db.execute(sql, params).fetchone()[0])


def test_summary_counts_every_status_and_about_500_cases(
    seeded: tuple[Context, DemoSummary], db: sqlite3.Connection
) -> None:
    _, summary = seeded
    assert summary.cases >= 480
    assert summary.cases == one(db, "SELECT count(*) FROM cases")
    assert set(summary.by_status) == {"open", "in_progress", "waiting", "closed"}
    assert all(count > 0 for count in summary.by_status.values()), summary.by_status
    assert summary.agents == 8
    assert summary.groups == 3
    assert summary.accounts == 40
    assert summary.contacts >= 130
    assert summary.activities == one(db, "SELECT count(*) FROM activities")
    text = "\n".join(summary.lines())
    assert summary.database in text
    assert f"{summary.cases:,}" in text
    assert summary.as_dict()["by_status"] == summary.by_status


def test_every_resolution_and_duplicates_name_their_original(db: sqlite3.Connection) -> None:
    rows = dict(
        db.execute(
            "SELECT resolution, count(*) FROM cases WHERE status = 'closed' GROUP BY resolution"
        ).fetchall()
    )
    assert rows.get("solved", 0) > 0
    assert rows.get("deferred", 0) > 0
    assert rows.get("duplicate", 0) > 0
    assert None not in rows
    assert (
        one(db, "SELECT count(*) FROM cases WHERE status != 'closed' AND resolution IS NOT NULL")
        == 0
    )
    assert (
        one(
            db,
            "SELECT count(*) FROM cases WHERE resolution = 'duplicate' AND duplicate_of_id IS NULL",
        )
        == 0
    )
    assert (
        one(
            db,
            "SELECT count(*) FROM cases c JOIN cases o ON o.id = c.duplicate_of_id"
            " WHERE c.resolution = 'duplicate' AND o.id != c.id",
        )
        == rows["duplicate"]
    )


def test_sub_cases_some_closed_some_open(db: sqlite3.Connection) -> None:
    statuses = dict(
        db.execute(
            "SELECT status = 'closed', count(*) FROM cases WHERE sub_number > 0 GROUP BY 1"
        ).fetchall()
    )
    assert statuses.get(1, 0) > 0
    assert statuses.get(0, 0) > 0
    # SUB-2: a sub-case is never due after its parent; SUB-3: no closed parent has open subs.
    assert (
        one(
            db,
            "SELECT count(*) FROM cases s JOIN cases p ON p.id = s.parent_id WHERE s.due > p.due",
        )
        == 0
    )
    assert (
        one(
            db,
            "SELECT count(*) FROM cases s JOIN cases p ON p.id = s.parent_id"
            " WHERE p.status = 'closed' AND s.status != 'closed'",
        )
        == 0
    )


def test_lists_have_overdue_unassigned_waiting_and_reminder_cases(
    seeded: tuple[Context, DemoSummary], today: date
) -> None:
    context, _ = seeded
    with open_reads(context.location) as reads:

        def listed(view: str) -> list[str]:
            return [c.status for c in reads.list_cases(view_query(view), me="alice", today=today)]

        assert listed("overdue")
        assert listed("unassigned")
        assert listed("mine")
        assert listed("reminder")
        assert listed("groups")
        assert set(listed("waiting")) == {"waiting"}
        overdue = reads.list_cases(view_query("overdue"), me="alice", today=today)
        assert all(c.due < today and c.status != "closed" for c in overdue)
        unassigned = reads.list_cases(view_query("unassigned"), me="alice", today=today)
        assert all(c.delegated_user is None and c.delegated_group for c in unassigned)


def test_waiting_cases_carry_a_comment_and_a_reminder_some_due_today(
    db: sqlite3.Connection, today: date
) -> None:
    waiting = db.execute(
        "SELECT c.reminder, c.due, (SELECT a.text FROM activities a WHERE a.case_id = c.id"
        " AND a.kind = 'status' ORDER BY a.at DESC LIMIT 1) FROM cases c WHERE c.status = 'waiting'"
    ).fetchall()
    assert waiting
    for reminder, due, comment in waiting:
        assert reminder is not None
        assert reminder <= due
        assert comment
        assert comment.strip()
    assert any(date.fromisoformat(r) <= today for r, _, _ in waiting)
    assert any(date.fromisoformat(r) == today for r, _, _ in waiting)


def test_reopened_cases_and_every_kind_of_entry(db: sqlite3.Connection) -> None:
    kinds = dict(db.execute("SELECT kind, count(*) FROM activities GROUP BY kind").fetchall())
    for kind in ("created", "comment", "external", "phone", "status", "delegation", "closed",
                 "reopened", "sub_case"):  # fmt: skip
        assert kinds.get(kind, 0) > 0, kind
    assert one(db, "SELECT count(*) FROM activities WHERE time_spent_centi > 0") > 0
    internal = dict(db.execute("SELECT kind, min(internal) FROM activities GROUP BY kind"))
    assert internal["external"] == 0
    assert internal["comment"] == 1
    # Only leads and admins reopen (the default workflow).
    roles = {r for (r,) in db.execute(
        "SELECT DISTINCT ag.role FROM activities a JOIN agents ag ON ag.id = a.actor_id"
        " WHERE a.kind = 'reopened'"
    )}  # fmt: skip
    assert roles <= {"lead", "admin"}


def test_every_timeline_starts_with_created_and_stays_in_the_past(
    db: sqlite3.Connection,
) -> None:
    assert (
        one(
            db,
            "SELECT count(*) FROM cases c WHERE (SELECT a.kind FROM activities a"
            " WHERE a.case_id = c.id ORDER BY a.at LIMIT 1) IS NOT 'created'",
        )
        == 0
    )
    now = datetime.now(UTC).replace(tzinfo=None).isoformat(sep=" ")
    oldest = (datetime.now(UTC) - timedelta(days=DEMO_DAYS + 1)).replace(tzinfo=None)
    assert db.execute("SELECT max(at) FROM activities").fetchone()[0] <= now
    assert db.execute("SELECT min(created_at) FROM cases").fetchone()[0] >= oldest.isoformat(
        sep=" "
    )
    assert (
        one(
            db,
            "SELECT count(*) FROM activities a JOIN cases c ON c.id = a.case_id"
            " WHERE a.at < c.created_at",
        )
        == 0
    )


def test_both_languages_and_no_placeholders_left(db: sqlite3.Connection) -> None:
    scenarios = json.loads((SAMPLE_DIR / "scenarios.json").read_text(encoding="utf-8"))
    patterns = {
        lang: [
            re.compile(re.escape(s["subject"]).replace(re.escape("{n}"), r"\d+") + "$")
            for s in scenarios
            if s["language"] == lang
        ]
        for lang in ("de", "en")
    }
    subjects = [s for (s,) in db.execute("SELECT subject FROM cases WHERE sub_number = 0")]
    for lang, regexes in patterns.items():
        assert any(r.match(subject) for r in regexes for subject in subjects), lang
    texts = [t for (t,) in db.execute("SELECT subject FROM cases")]
    texts += [t for (t,) in db.execute("SELECT description FROM cases")]
    texts += [t for (t,) in db.execute("SELECT text FROM activities")]
    leftovers = [t for t in texts if LEFTOVER.search(t)]
    assert leftovers == []


def test_detail_of_a_rich_case_reads_back(
    seeded: tuple[Context, DemoSummary], db: sqlite3.Connection
) -> None:
    number, _ = db.execute(
        "SELECT c.number, count(*) n FROM cases c JOIN activities a ON a.case_id = c.id"
        " WHERE c.sub_number = 0 GROUP BY c.id ORDER BY n DESC LIMIT 1"
    ).fetchone()
    with open_reads(seeded[0].location) as reads:
        detail = reads.case_detail(CaseNumber(number))
    assert len(detail.activities) >= 5
    assert detail.activities[0].kind == "created"
    assert [a.at for a in detail.activities] == sorted(a.at for a in detail.activities)


def test_seeding_twice_is_refused(seeded: tuple[Context, DemoSummary]) -> None:
    with pytest.raises(ValidationError, match="already holds"):
        seed_demo(seeded[0], sample_dir=Path(SAMPLE_DIR))


# -- mail (MAIL-3, MAIL-9, MAIL-11, SEC-5): sample_data/mail filed through the real intake
def test_a_forged_tag_from_an_agent_waits_unverified_in_the_inbox(
    seeded: tuple[Context, DemoSummary],
) -> None:
    inbox = Desk(seeded[0], "alice").unfiled()
    forged = [m for m in inbox if m.from_email == "bjoern@helpdesk.example"]
    assert len(forged) == 1
    assert (
        "unverified: sent from an agent's address bjoern@helpdesk.example" in forged[0].filed_note
    )
    assert forged[0].filed_by == "unfiled"
    # the inbox also holds a customer's question no rule takes
    assert any(m.filed_note == "no routing rule matched" and "Schulung" in m.subject for m in inbox)


def test_the_customers_reply_is_on_its_case_filed_by_tag(
    seeded: tuple[Context, DemoSummary], db: sqlite3.Connection
) -> None:
    [(number, contact)] = db.execute(
        "SELECT c.number, ct.email FROM mails m JOIN cases c ON c.id = m.case_id"
        " JOIN contacts ct ON ct.id = c.contact_id"
        " WHERE m.filed_by = 'tag' AND m.subject LIKE 'Re: [#%'"
    ).fetchall()
    detail = Desk(seeded[0], "alice").detail(CaseNumber(number))
    mails = [a.mail for a in detail.activities if a.mail is not None]
    [reply] = [m for m in mails if m.filed_by == "tag"]
    assert reply.from_email == contact
    assert f"[#{CaseNumber(number)}]" in reply.subject
    assert "from a participant" in reply.filed_note
    assert detail.activities[-1].mail == reply  # the newest entry of its timeline


def test_rules_open_cases_from_customer_mail(
    seeded: tuple[Context, DemoSummary], db: sqlite3.Connection
) -> None:
    opened = dict(
        db.execute(
            "SELECT m.subject, c.delegated_group_id IS NOT NULL FROM mails m"
            " JOIN cases c ON c.id = m.case_id WHERE m.filed_by = 'rule'"
        ).fetchall()
    )
    assert "Rechnung RE-2026-0815 doppelt abgebucht" in opened
    assert "Cannot log in to the customer portal since this morning" in opened


def test_hostile_and_malformed_mail_are_stored_as_text_with_defects(
    seeded: tuple[Context, DemoSummary],
) -> None:
    inbox = Desk(seeded[0], "alice").unfiled()
    [hostile] = [m for m in inbox if m.from_email == "billing@lookalike-payments.invalid"]
    assert "\x1b[31m" in hostile.subject
    assert "[bold red]" in hostile.from_name
    # ACT-6: stored under its safe name (the bidi override is a space)
    assert [a["filename"] for a in hostile.attachments] == ["invoice fdp.exe"]
    [broken] = [m for m in inbox if m.from_email == "b.schaller@altes-system.invalid"]
    assert any("undeclared charset" in d for d in broken.defects)
    assert any("boundary" in d for d in broken.defects)
    assert "Stückliste" in broken.body_text


# -- issue 12: a demo with mail on timelines, a morning's unfiled inbox, an outbox
def _thread(
    context: Context, db: sqlite3.Connection, subject: str
) -> tuple[list[MailEntry], list[tuple[str, str, str]]]:
    """The case the mail `subject` opened: the mails on its timeline, oldest first, and
    the replies it sent (subject, text, outbox state)."""
    with open_reads(context.location) as reads:
        [case] = [
            c
            for c in reads.list_cases(
                view_query("all"), me="alice", today=context.today(), limit=5000
            )
            if c.subject == subject
        ]
    assert case.status != "closed"
    detail = Desk(context, "alice").detail(case.number)
    replies = db.execute(
        "SELECT m.subject, m.body_text, o.state FROM mails m JOIN cases c ON c.id = m.case_id"
        " JOIN outbox o ON o.mail_id = m.id WHERE m.direction = 'out' AND c.number = ?",
        (case.number.main,),
    ).fetchall()
    assert [a.kind for a in detail.activities].count("external") == len(replies)
    return [a.mail for a in detail.activities if a.mail is not None], replies


def test_the_unfiled_inbox_is_a_mornings_mixed_mail(seeded: tuple[Context, DemoSummary]) -> None:
    inbox = Desk(seeded[0], "alice").unfiled()
    assert 15 <= len(inbox) <= 25
    contacts = {c["email"] for c in json.loads((SAMPLE_DIR / "contacts.json").read_text())}
    customers = [m for m in inbox if m.from_email in contacts and m.noise is None]
    assert len(customers) >= 6
    assert {m.noise for m in inbox} >= {"auto_reply", "list", "bounce", None}
    suppliers = {"versand@tonerhaus-mueller.example", "orders@cablesdirect.example"}
    assert suppliers <= {m.from_email for m in inbox}
    assert any("Lieferavis" in m.subject for m in inbox)  # German and English
    assert any("Feature request" in m.subject for m in inbox)
    assert all(m.filed_by == "unfiled" for m in inbox)


def test_a_case_thread_by_tag_quotes_its_history_and_carries_a_pdf(
    seeded: tuple[Context, DemoSummary], db: sqlite3.Connection
) -> None:
    (first, answer), [(subject, text, state)] = _thread(
        seeded[0], db, "Rechnung RE-2026-0815 doppelt abgebucht"
    )
    assert (first.direction, first.filed_by) == ("in", "rule")
    assert (subject, state) == ("Re: [#" + answer.subject.split("[#")[1], "sent")
    assert "Kontoauszug" in text
    assert (answer.direction, answer.filed_by) == ("in", "tag")
    assert answer.quote_start is not None
    assert "Schicken Sie uns bitte den Kontoauszug" in answer.body_text[answer.quote_start :]
    assert "Schicken Sie uns bitte" not in answer.new_text
    assert [(a["filename"], a["content_type"]) for a in answer.attachments] == [
        ("Kontoauszug-2026-11.pdf", "application/pdf")
    ]


def test_an_html_only_answer_without_the_tag_is_filed_by_references(
    seeded: tuple[Context, DemoSummary], db: sqlite3.Connection
) -> None:
    (first, answer), [(_, _, state)] = _thread(
        seeded[0], db, "Cannot log in to the customer portal since this morning"
    )
    assert (first.filed_by, state) == ("rule", "sent")
    assert answer.filed_by == "references"
    assert "[#" not in answer.subject
    assert "three of us" in answer.body_text
    assert "<p>" not in answer.body_text
    [raw] = db.execute(
        "SELECT r.raw FROM mail_raw r JOIN mails m ON m.id = r.mail_id WHERE m.subject = ?",
        (answer.subject,),
    ).fetchone()
    message = email.message_from_bytes(raw)
    assert message.get_content_type() == "text/html"
    assert not message.is_multipart()


def test_mail_on_timelines_both_ways_and_a_few_outbox_entries(
    seeded: tuple[Context, DemoSummary], db: sqlite3.Connection
) -> None:
    filed = dict(
        db.execute(
            "SELECT direction, count(*) FROM mails WHERE case_id IS NOT NULL GROUP BY direction"
        ).fetchall()
    )
    assert filed["in"] >= 5
    assert filed["out"] >= 5
    states = sorted(e.state for e in Desk(seeded[0], "alice").outbox())
    assert states == ["failed", "retrying", "unknown"]
    sent = one(db, "SELECT count(*) FROM outbox WHERE state = 'sent' AND sent_at IS NOT NULL")
    assert sent == 2


def test_the_demo_has_notifications_never_for_the_agents_own_actions(
    db: sqlite3.Connection,
) -> None:
    """DATE-4 in the demo: handovers, changes by colleagues, a lead's @mention on reopening."""
    kinds = dict(db.execute("SELECT kind, count(*) FROM notifications GROUP BY kind"))
    assert {"delegated", "changed", "mention"} <= set(kinds)
    assert one(db, "SELECT count(*) FROM notifications WHERE agent_id = actor_id") == 0


def test_some_closed_cases_carry_the_customers_rating(db: sqlite3.Connection) -> None:
    """CSAT (issue 15 §7): the dashboard has an average of the demo's ratings."""
    from helpdesk_tui.services.csat import DEMO_RATINGS

    rated = db.execute(
        "SELECT status, csat_rating FROM cases WHERE csat_rating IS NOT NULL"
    ).fetchall()
    assert sorted(r for _, r in rated) == sorted(DEMO_RATINGS)
    assert {s for s, _ in rated} == {"closed"}
