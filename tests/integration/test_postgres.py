"""Team-mode groundwork (TEAM-2): the same storage, services and reads on PostgreSQL."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from helpdesk_tui.domain.enums import Resolution, Status
from helpdesk_tui.domain.errors import AlreadyAssignedError, SubCaseOpenError
from helpdesk_tui.domain.numbering import CaseNumber
from helpdesk_tui.domain.query import parse_query, view_query
from helpdesk_tui.services import cases
from helpdesk_tui.services.context import Context
from helpdesk_tui.storage.reads import open_reads


def test_lifecycle_on_postgres(pg: Context) -> None:
    first = cases.create_case(
        pg, "lena", subject="Rechnung doppelt", contact="k@acme.de", group="billing"
    )
    sub = cases.create_case(
        pg, "lena", subject="Prüfung", contact="k@acme.de", group="billing", parent=first
    )
    assert (str(first), str(sub)) == ("0000001", "0000001-001")
    cases.assign_to_me(pg, "alice", first)
    with pytest.raises(AlreadyAssignedError, match="0000001 is already assigned to alice"):
        cases.assign_to_me(pg, "lena", first)
    cases.change_status(
        pg, "alice", first, Status.WAITING, comment="Beleg angefordert", reminder=pg.today()
    )
    with pytest.raises(SubCaseOpenError):
        cases.close_case(pg, "alice", first, Resolution.SOLVED)
    result = cases.close_case(pg, "alice", sub, Resolution.SOLVED, close_parent=True)
    assert result.closed == [sub, first]

    with open_reads(pg.location) as store:
        detail = store.case_detail(first)
        assert (detail.case.status, detail.case.version) == ("closed", 4)
        kinds = [a.kind for a in detail.activities]
        assert kinds == ["created", "sub_case", "delegation", "status", "closed"]
        assert detail.activities[3].changes["status"] == ["open", "waiting"]
        closed = store.list_cases(view_query("closed"), me="alice", today=pg.today())
        assert [str(c.number) for c in closed] == ["0000001", "0000001-001"]
        assert store.list_cases(view_query("open"), me="alice", today=pg.today()) == []


def test_views_and_keyset_paging_on_postgres(pg: Context) -> None:
    for index in range(7):
        cases.create_case(
            pg, "lena", subject=f"Drucker {index}", contact="k@acme.de", group="billing"
        )
    cases.assign_to_me(pg, "alice", CaseNumber(3))
    with open_reads(pg.location) as store:
        mine = store.list_cases(view_query("mine"), me="alice", today=pg.today())
        assert [str(c.number) for c in mine] == ["0000003"]
        found = store.list_cases(
            parse_query("drucker group:billing prio:normal"), me="alice", today=pg.today()
        )
        assert [c.number.main for c in found] == [1, 2, 4, 5, 6, 7]  # 3 left the group
        seen, after = [], None
        while page := store.list_cases(
            view_query("open"), me="alice", today=pg.today(), limit=3, after=after
        ):
            seen += [c.number.main for c in page]
            after = page[-1].cursor
        assert seen == list(range(1, 8))


def test_cli_with_a_postgres_url(pg: Context, tmp_path: Path) -> None:
    url = pg.location.url
    base = [
        sys.executable,
        "-m",
        "helpdesk_tui.cli",
        "--db",
        url,
        "--config",
        str(tmp_path / "none.toml"),
        "--as",
        "lena",
    ]
    created = subprocess.run(
        [
            *base,
            "case",
            "create",
            "--subject",
            "Login geht nicht",
            "--contact",
            "k@acme.de",
            "--group",
            "billing",
            "--json",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert created.returncode == 0, created.stderr
    assert json.loads(created.stdout)["number"] == "0000001"
    listed = subprocess.run(
        [*base, "case", "list", "--json"], capture_output=True, text=True, check=False
    )
    assert [c["subject"] for c in json.loads(listed.stdout)] == ["Login geht nicht"]


def test_mail_filing_and_outbox_on_postgres(pg: Context) -> None:
    """Mail in (batch filing, dedupe, timeline, inbox) and out (queue, claim) on PostgreSQL."""
    from mailmaker import customer_mail, reply_to

    from helpdesk_tui.domain.filing import FiledBy, RoutingRule
    from helpdesk_tui.mail.parse import parse
    from helpdesk_tui.services import delivery
    from helpdesk_tui.services.filing import FilingSettings, FolderBatch, Incoming, ingest
    from helpdesk_tui.services.outbox import MailOut, queue_reply
    from helpdesk_tui.storage.mails import FolderState

    settings = FilingSettings(
        rules=(
            RoutingRule("news", sender_domain="news.example", create_case=False),
            RoutingRule("all", group="billing"),
        )
    )
    first = customer_mail("Drucker", body="Der Drucker streikt.")
    raws = [
        first,
        reply_to(first, body="Immer noch."),  # same batch: finds the case opened above
        customer_mail("Newsletter", sender="n@news.example"),
        first,  # the same message again
    ]
    batch = [Incoming(uid, raw, parse(raw)) for uid, raw in enumerate(raws, start=1)]
    result = ingest(pg, settings, FolderBatch("support", "INBOX", 9, batch, FolderState(9, 4, 77)))
    kinds = [f.filed_by for f in result.filed]
    assert kinds == [FiledBy.RULE, FiledBy.REFERENCES, FiledBy.UNFILED, FiledBy.DUPLICATE]
    number = result.filed[0].case
    assert number is not None
    assert result.filed[1].case == number
    with open_reads(pg.location) as store:
        detail = store.case_detail(number)
        assert [a.mail.filed_by for a in detail.activities if a.mail] == ["rule", "references"]
        assert [m.subject for m in store.mail.unfiled()] == ["Newsletter"]
    with pg.uow(write=False) as uow:
        assert uow.mails.folder_state("support", "INBOX") == FolderState(9, 4, 77)
    # Later batches: replies onto two existing cases are saved with one UPDATE (executemany).
    second = customer_mail("Monitor", body="Flackert.", sender="zwei@acme.example")
    other = (
        ingest(
            pg,
            settings,
            FolderBatch("support", "INBOX", 9, [Incoming(5, second, parse(second))], None),
        )
        .filed[0]
        .case
    )
    assert other is not None
    later = [
        reply_to(first, body="Noch etwas."),
        reply_to(second, body="Immer noch.", sender="zwei@acme.example"),
        reply_to(first, body="Und das."),
    ]
    batch = [Incoming(uid, raw, parse(raw)) for uid, raw in enumerate(later, start=6)]
    ingest(pg, settings, FolderBatch("support", "INBOX", 9, batch, FolderState(9, 8, 78)))
    with open_reads(pg.location) as store:
        texts = [a.text for a in store.case_detail(number).activities if a.mail]
        assert texts[-2:] == ["Noch etwas.", "Und das."]
        assert [a.text for a in store.case_detail(other).activities if a.mail][-1] == "Immer noch."

    out = MailOut(sender="Support <support@helpdesk.example>", undo_seconds=0)
    queued = queue_reply(pg, out, "alice", number, "Der Techniker kommt.")
    assert queued.recipient == "kunde@acme.example"
    due = delivery.due_mail(pg)
    assert due == [queued.id]
    claimed = delivery.claim(pg, queued.id, "test:1")
    assert claimed is not None
    assert b"[#0000001]" in claimed.raw


def test_bulk_inserts_on_postgres(pg: Context) -> None:
    """storage/rows.py: same values as the ORM, chunked statements, ON CONFLICT DO NOTHING."""
    import rows_check

    rows_check.stores_what_the_orm_stores(pg)
    rows_check.splits_into_statements_below_the_parameter_limit(pg)
    rows_check.ignores_duplicates_when_asked(pg)
    rows_check.refuses_naive_timestamps(pg)
