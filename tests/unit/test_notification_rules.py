"""domain/notifications: who hears of a change or a date, and what (no database)."""

from datetime import date

import pytest

from helpdesk_tui.domain.activity import ActivityDraft
from helpdesk_tui.domain.enums import ActivityKind, Status
from helpdesk_tui.domain.notifications import (
    CaseState,
    Change,
    Notice,
    NotificationKind,
    People,
    for_change,
    for_date,
)
from helpdesk_tui.domain.numbering import CaseNumber

N = CaseNumber(42)
PEOPLE = People(
    frozenset({"alice", "bob", "lena", "carl"}),
    {"billing": frozenset({"alice", "lena"}), "technical": frozenset({"bob"})},
)
D = NotificationKind.DELEGATED
C = NotificationKind.CHANGED
M = NotificationKind.MENTION
X = NotificationKind.CLOSED_ACTIVITY


def case(
    user: str | None = "alice",
    group: str | None = None,
    owner: str | None = None,
    status: Status = Status.OPEN,
) -> CaseState:
    return CaseState(N, status, user, group, owner)


def handed(old: tuple[str | None, str | None], new: tuple[str | None, str | None], text: str = ""):
    changes = {}
    if old[0] != new[0]:
        changes["delegated_user"] = (old[0], new[0])
    if old[1] != new[1]:
        changes["delegated_group"] = (old[1], new[1])
    return ActivityDraft(ActivityKind.DELEGATION, text=text, changes=changes)


def told(change: Change) -> dict[str, NotificationKind]:
    return {n.agent: n.kind for n in for_change(change, PEOPLE)}


def comment(text: str, kind: ActivityKind = ActivityKind.COMMENT) -> ActivityDraft:
    return ActivityDraft(kind, text=text)


class TestHandover:
    def test_to_a_user_with_the_comment(self) -> None:
        drafts = [handed(("bob", None), ("alice", None), "bitte\nübernehmen")]
        notices = for_change(Change(case("alice"), "lena", drafts), PEOPLE)
        assert notices == [
            Notice("alice", D, "lena handed 0000042 to you: bitte übernehmen"),
            Notice("bob", C, "0000042: lena handed it to alice: bitte übernehmen"),
        ]

    def test_to_a_group_fans_out_to_the_members_but_the_actor(self) -> None:
        drafts = [handed(("bob", None), (None, "billing"))]
        notices = for_change(Change(case(None, "billing"), "lena", drafts), PEOPLE)
        assert [(n.agent, n.kind, n.group) for n in notices] == [
            ("alice", D, "billing"),
            ("bob", C, None),
        ]

    def test_taking_over_by_process_action_tells_nobody_in_the_group(self) -> None:
        drafts = [
            handed((None, "billing"), ("alice", None), "taken over by process action"),
            comment("called", ActivityKind.PHONE),
        ]
        assert told(Change(case("alice"), "alice", drafts)) == {}

    def test_a_new_case_tells_its_user_only(self) -> None:
        created = ActivityDraft(ActivityKind.CREATED, text="Printer")
        assert told(Change(case("bob"), "lena", [created])) == {"bob": D}
        assert told(Change(case(None, "billing"), "lena", [created])) == {}
        assert told(Change(case("lena"), "lena", [created])) == {}


class TestChanges:
    @pytest.mark.parametrize(
        "draft",
        [
            comment("a note"),
            comment("told the customer", ActivityKind.EXTERNAL),
            comment("rang", ActivityKind.PHONE),
            ActivityDraft(ActivityKind.STATUS, changes={"status": ("open", "waiting")}),
            ActivityDraft(ActivityKind.CLOSED, changes={"status": ("open", "closed")}),
        ],
    )
    def test_delegate_and_owner_hear_of_anothers_change(self, draft: ActivityDraft) -> None:
        assert told(Change(case("alice", owner="carl"), "bob", [draft])) == {"alice": C, "carl": C}

    @pytest.mark.parametrize(
        "draft",
        [
            ActivityDraft(ActivityKind.EDIT, changes={"subject": ("a", "b")}),
            ActivityDraft(ActivityKind.SUB_CASE, text="sub-case 0000042-001: x"),
            ActivityDraft(ActivityKind.MAIL_OUT, internal=False),
        ],
    )
    def test_what_is_not_told(self, draft: ActivityDraft) -> None:
        assert told(Change(case("alice"), "bob", [draft])) == {}

    def test_never_the_actor(self) -> None:
        assert told(Change(case("alice", owner="alice"), "alice", [comment("mine")])) == {}

    def test_a_group_case_is_nobodys_to_be_told_of(self) -> None:
        assert told(Change(case(None, "billing"), "bob", [comment("x")])) == {}

    def test_removed_agents_hear_nothing(self) -> None:
        assert told(Change(case("zoe"), "bob", [comment("x")])) == {}

    def test_mail_in_names_the_sender(self) -> None:
        mail = ActivityDraft(ActivityKind.MAIL_IN, text="Geht wieder", internal=False)
        [notice] = for_change(Change(case("alice"), None, [mail], "kunde@acme.example"), PEOPLE)
        assert notice == Notice("alice", C, "0000042: mail from kunde@acme.example: Geht wieder")

    def test_the_excerpt_is_one_short_line(self) -> None:
        [notice] = for_change(
            Change(case("alice"), "bob", [comment("x\x1b[2J" + "y" * 200)]), PEOPLE
        )
        assert "\x1b" not in notice.text
        assert notice.text.endswith("…")
        assert len(notice.text) < 120


class TestClosed:
    def test_activity_on_a_closed_case_tells_who_had_it(self) -> None:
        drafts = [comment("later")]
        closed = case("alice", owner="carl", status=Status.CLOSED)
        assert told(Change(closed, "bob", drafts)) == {"alice": X, "carl": X}

    def test_a_closed_group_case_tells_each_member(self) -> None:
        mail = ActivityDraft(ActivityKind.MAIL_IN, text="again", internal=False)
        closed = case(None, "billing", status=Status.CLOSED)
        notices = for_change(Change(closed, None, [mail], "k@x.example"), PEOPLE)
        assert [(n.agent, n.kind, n.group) for n in notices] == [
            ("alice", X, "billing"),
            ("lena", X, "billing"),
        ]
        assert notices[0].text == (
            "0000042 (closed): mail from k@x.example: again; it stays closed: reopen or open"
            " a new case"
        )

    def test_reopened_by_customer_mail_says_so(self) -> None:
        drafts = [
            ActivityDraft(ActivityKind.MAIL_IN, text="again", internal=False),
            ActivityDraft(ActivityKind.REOPENED, changes={"status": ("closed", "open")}),
        ]
        [notice] = for_change(Change(case("alice"), None, drafts, "k@x.example"), PEOPLE)
        assert (notice.kind, notice.text) == (
            X,
            "0000042 (closed): mail from k@x.example: again; reopened it",
        )


class TestMentions:
    def test_exactly_the_mentioned_agents(self) -> None:
        drafts = [comment("@carl and @Lena: see mail of bob@example.com, @ghost")]
        assert told(Change(case(None, "technical"), "alice", drafts)) == {"carl": M, "lena": M}

    def test_a_mention_wins_over_a_change_and_a_handover_over_a_mention(self) -> None:
        assert told(Change(case("alice"), "bob", [comment("@alice look")])) == {"alice": M}
        drafts = [handed(("bob", None), ("alice", None), "@alice yours")]
        assert told(Change(case("alice"), "lena", drafts)) == {"alice": D, "bob": C}

    def test_mentioning_yourself_is_nothing(self) -> None:
        assert told(Change(case("bob"), "alice", [comment("@alice note to self")])) == {"bob": C}

    def test_mentions_in_a_mail_do_not_count(self) -> None:
        mail = ActivityDraft(ActivityKind.MAIL_IN, text="@carl hi", internal=False)
        assert told(Change(case("alice"), None, [mail], "k@x.example")) == {"alice": C}


class TestDates:
    def test_reminder_to_the_delegate_and_the_owner(self) -> None:
        notices = for_date(
            NotificationKind.REMINDER, case("alice", owner="carl"), date(2026, 12, 9), PEOPLE
        )
        assert notices == [
            Notice("alice", NotificationKind.REMINDER, "reminder 2026-12-09 of 0000042 has come"),
            Notice("carl", NotificationKind.REMINDER, "reminder 2026-12-09 of 0000042 has come"),
        ]

    def test_overdue_of_a_group_case_to_its_members(self) -> None:
        notices = for_date(
            NotificationKind.OVERDUE, case(None, "billing"), date(2026, 12, 10), PEOPLE
        )
        assert [(n.agent, n.group, n.text) for n in notices] == [
            ("alice", "billing", "0000042 is overdue: it was due 2026-12-10"),
            ("lena", "billing", "0000042 is overdue: it was due 2026-12-10"),
        ]

    def test_only_date_kinds(self) -> None:
        with pytest.raises(ValueError, match="not a date notification"):
            for_date(NotificationKind.MENTION, case(), date(2026, 12, 9), PEOPLE)
