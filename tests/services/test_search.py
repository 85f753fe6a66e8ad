"""Full-text search (VIEW-2): subjects, descriptions and timeline text, ranked, literal."""

from pathlib import Path

import pytest

from helpdesk_tui.domain.enums import ActivityKind, Role
from helpdesk_tui.domain.numbering import CaseNumber
from helpdesk_tui.domain.query import parse_query
from helpdesk_tui.services import cases
from helpdesk_tui.services.context import Context
from helpdesk_tui.services.people import AgentSpec, GroupSpec, sync_people
from helpdesk_tui.storage.location import locate
from helpdesk_tui.storage.reads import open_reads
from helpdesk_tui.storage.search import match_expression


@pytest.fixture
def ctx(tmp_path: Path) -> Context:
    ctx = Context(locate(str(tmp_path / "hd.sqlite")))
    ctx.migrate()
    sync_people(ctx, [AgentSpec("alice")], [GroupSpec("billing", members=("alice",))])
    subjects = [
        ("Drucker druckt nur leere Seiten", "Seit dem Update 4.2 kommt nichts mehr."),
        ("Rechnung RE-2041 doppelt abgebucht", "Bitte um Gutschrift."),
        ("Login geht nicht", "Passwort zurückgesetzt, trotzdem Fehler 401."),
        ("Frage zur Rechnung", "Wo finde ich die Umsatzsteuer-ID auf der Rechnung?"),
    ]
    for subject, description in subjects:
        cases.create_case(
            ctx,
            "alice",
            subject=subject,
            description=description,
            contact="k@acme.de",
            group="billing",
        )
    return ctx


def _found(ctx: Context, text: str) -> list[int]:
    with open_reads(ctx.location) as store:
        rows = store.list_cases(parse_query(text), me="alice", today=ctx.today(), limit=50)
    return [r.number.main for r in rows]


def test_words_match_subject_description_and_prefixes(ctx: Context) -> None:
    assert _found(ctx, "drucker") == [1]
    assert _found(ctx, "druck") == [1]  # prefix while typing
    assert _found(ctx, "gutschrift") == [2]  # description
    assert _found(ctx, "zuruckgesetzt") == [3]  # diacritics folded
    assert _found(ctx, "rechnung login") == []  # every word must occur


def test_results_are_ranked(ctx: Context) -> None:
    # case 4 says "Rechnung" three times, case 2 once: 4 ranks first
    assert _found(ctx, "rechnung") == [4, 2]


def test_timeline_text_is_searchable_and_filters_combine(ctx: Context) -> None:
    cases.record_activity(
        ctx,
        "alice",
        CaseNumber(3),
        ActivityKind.COMMENT,
        "Kunde nutzt Firefox ESR, Cookies blockiert",
    )
    assert _found(ctx, "firefox") == [3]
    assert _found(ctx, "firefox status:closed") == []
    cases.edit_case(ctx, "alice", CaseNumber(3), {"subject": "Anmeldung scheitert"})
    assert _found(ctx, "anmeldung") == [3]
    assert _found(ctx, '"login geht"') == []  # the old subject is gone from the index


def test_search_syntax_in_user_input_stays_text(ctx: Context) -> None:
    assert match_expression(['subject:drucker OR "x']) == '"subject:drucker"* AND "OR"* AND """x"*'
    # FTS5 operators typed by a user are plain words: no syntax error, no column filter
    expected = {
        "subject:drucker": [],
        "NEAR(a b)": [],
        "**x": [],
        "x OR y": [],
        "drucker)": [1],
        "drucker OR login": [],
    }
    for hostile, found in expected.items():
        assert _found(ctx, f'"{hostile}"') == found, hostile


def test_counts_and_deletes_follow_the_index(ctx: Context) -> None:
    with open_reads(ctx.location) as store:
        assert store.count_cases(parse_query("rechnung"), me="alice", today=ctx.today()) == 2
    sync_people(ctx, [AgentSpec("alice", role=Role.ADMIN)], [])
    cases.delete_case(ctx, "alice", CaseNumber(2))
    assert _found(ctx, "rechnung") == [4]
