"""Case numbers (CASE-3) and sub-case numbers (SUB-1)."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from helpdesk_tui.domain.errors import ValidationError
from helpdesk_tui.domain.numbering import (
    MAX_CASE_NUMBER,
    CaseNumber,
    format_main,
    parse_case_number,
)

case_numbers = st.builds(
    CaseNumber,
    main=st.integers(min_value=1, max_value=MAX_CASE_NUMBER),
    sub=st.integers(min_value=0, max_value=999),
)


class TestFormat:
    def test_main_numbers_have_seven_digits(self) -> None:
        assert format_main(1) == "0000001"
        assert format_main(1234) == "0001234"
        assert format_main(MAX_CASE_NUMBER) == "9999999"

    @pytest.mark.parametrize("main", [0, -1, MAX_CASE_NUMBER + 1])
    def test_out_of_range_main_numbers_are_refused(self, main: int) -> None:
        with pytest.raises(ValidationError, match=rf"^case number {main} is out of range"):
            format_main(main)

    def test_str_of_case_and_sub_case(self) -> None:
        assert str(CaseNumber(1234)) == "0001234"
        assert str(CaseNumber(1234, 2)) == "0001234-002"
        assert not CaseNumber(1234).is_sub_case
        assert CaseNumber(1234, 2).is_sub_case

    def test_numbers_sort_by_main_then_sub(self) -> None:
        numbers = [CaseNumber(2), CaseNumber(1, 2), CaseNumber(1), CaseNumber(1, 1)]
        assert sorted(numbers) == [CaseNumber(1), CaseNumber(1, 1), CaseNumber(1, 2), CaseNumber(2)]


class TestParse:
    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            ("0001234", CaseNumber(1234)),
            ("1234", CaseNumber(1234)),
            ("#0001234", CaseNumber(1234)),
            ("  #1234 ", CaseNumber(1234)),
            ("0001234-002", CaseNumber(1234, 2)),
            ("1234-2", CaseNumber(1234, 2)),
            ("9999999-999", CaseNumber(9_999_999, 999)),
        ],
    )
    def test_accepted_spellings(self, text: str, expected: CaseNumber) -> None:
        assert parse_case_number(text) == expected

    @pytest.mark.parametrize(
        "text",
        [
            "",
            "#",
            "0",
            "0000000",
            "0000000-001",
            "abc",
            "12a4",
            "12345678",
            "0001234-",
            "-002",
            "0001234-1000",
            "0001234-000",
            "0001234/002",
            "##1234",
            "1234 5",
        ],
    )
    def test_garbage_is_refused(self, text: str) -> None:
        with pytest.raises(
            ValidationError, match=r"^not a case number: .* \(expected e\.g\. 0001234"
        ):
            parse_case_number(text)

    @given(case_numbers)
    def test_str_round_trips(self, number: CaseNumber) -> None:
        assert parse_case_number(str(number)) == number
        assert parse_case_number("#" + str(number)) == number

    @given(case_numbers)
    def test_str_has_the_shown_shape(self, number: CaseNumber) -> None:
        text = str(number)
        assert len(text) == (11 if number.is_sub_case else 7)
        assert text[:7].isdigit()
