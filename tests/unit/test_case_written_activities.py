"""Activities written by hand (ACT-1, ACT-2, ACT-4): external actions, phone notes, comments."""

import pytest
from case_rules_support import ALICE, LATER, make_case

from helpdesk_tui.domain.activity import ActivityDraft
from helpdesk_tui.domain.enums import ActivityKind
from helpdesk_tui.domain.errors import ValidationError


# -- ACT-1, ACT-2, ACT-4: written activities ---------------------------------------------
class TestRecord:
    def test_external_is_not_internal_and_carries_time_spent(self) -> None:
        case = make_case()
        [draft] = case.record(ALICE, LATER, ActivityKind.EXTERNAL, " reply ", time_spent_centi=25)
        assert draft == ActivityDraft(
            ActivityKind.EXTERNAL, text="reply", internal=False, time_spent_centi=25
        )
        assert case.updated_at == LATER

    def test_phone_note_and_comment_are_internal(self) -> None:
        case = make_case()
        assert case.record(ALICE, LATER, ActivityKind.PHONE, "called")[0].internal
        assert case.record(ALICE, LATER, ActivityKind.COMMENT, "noted")[0].internal

    @pytest.mark.parametrize("kind", [ActivityKind.STATUS, ActivityKind.MAIL_IN])
    def test_system_kinds_cannot_be_written_by_hand(self, kind: ActivityKind) -> None:
        with pytest.raises(ValidationError, match=r"is recorded by the system"):
            make_case().record(ALICE, LATER, kind, "x")

    def test_empty_text_is_refused(self) -> None:
        with pytest.raises(ValidationError, match=r"^the text is empty$"):
            make_case().record(ALICE, LATER, ActivityKind.COMMENT, "  ")
