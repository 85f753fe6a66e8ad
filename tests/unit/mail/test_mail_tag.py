"""The case tag in subjects (MAIL-3): exactly 7 digits, optional `-NNN`, prefix configurable."""

import pytest

from helpdesk_tui.mail.tag import find_case_tag, format_tag, strip_reply_prefixes, tag_subject


@pytest.mark.parametrize(
    ("subject", "expected"),
    [
        ("[#0001234] Printer jam", "0001234"),
        ("Re: [#0001234] Printer jam", "0001234"),
        ("RE: AW: WG: Fwd: FW: SV: Antw: Réf: [#0001234] x", "0001234"),
        ("Aw: Re: Re: Re: [#0001234] x", "0001234"),
        ("[External] RE: [#0001234] x", "0001234"),
        ("Printer jam [#0001234]", "0001234"),
        ("[ #0001234 ] mangled", "0001234"),
        ("[#0001234 ] mangled", "0001234"),
        ("[# 0001234] mangled", "0001234"),
        ("Re: [#0001234-002] sub-case", "0001234-002"),
        ("Re: [#0001234 - 002] sub-case", "0001234-002"),
        ("[#123] too short", None),
        ("[#12345678] too long", None),
        ("[#0001234-02] sub-case needs 3 digits", None),
        ("[#0000000] zero is no case", None),
        ("#0001234 without brackets", None),
        ("[0001234] without prefix", None),
        ("[#١٢٣٤٥٦٧] arabic-indic digits", None),
        ("", None),
    ],
)
def test_find_case_tag(subject: str, expected: str | None) -> None:
    assert find_case_tag(subject) == expected


def test_first_of_several_tags_wins() -> None:
    assert find_case_tag("Re: [#0000002] about [#0000001]") == "0000002"


def test_configurable_prefix_is_escaped_and_case_insensitive() -> None:
    assert find_case_tag("Re: [HD-0001234] x", "HD-") == "0001234"
    assert find_case_tag("Re: [hd-0001234] x", "HD-") == "0001234"
    assert find_case_tag("Re: [#0001234] x", "HD-") is None
    assert find_case_tag("[a.b0001234]", "a.b") == "0001234"
    assert find_case_tag("[axb0001234]", "a.b") is None  # `.` is literal, not a wildcard
    assert find_case_tag("[+*0001234]", "+*") == "0001234"


def test_format_tag() -> None:
    assert format_tag("0001234") == "[#0001234]"
    assert format_tag("0001234-002", "HD-") == "[HD-0001234-002]"


@pytest.mark.parametrize(
    ("subject", "expected"),
    [
        ("Re: Hello", "Hello"),
        ("RE: AW: WG: Fwd: FW: SV: Antw: Hello", "Hello"),
        ("Re[2]: Hello", "Hello"),
        ("Re: [External] Fwd: Hello", "Hello"),
        ("AW : Hallo", "Hallo"),
        ("回复：你好", "你好"),
        ("Regarding: Hello", "Regarding: Hello"),
        ("Hello Re: world", "Hello Re: world"),
    ],
)
def test_strip_reply_prefixes(subject: str, expected: str) -> None:
    assert strip_reply_prefixes(subject) == expected


@pytest.mark.parametrize(
    ("subject", "expected"),
    [
        ("Printer jam", "Re: [#0001234] Printer jam"),
        ("Re: Printer jam", "Re: [#0001234] Printer jam"),
        ("Re: [#0001234] Printer jam", "Re: [#0001234] Printer jam"),
        ("AW: Re: [ #0001234 ] Printer jam", "Re: [#0001234] Printer jam"),
        ("Re: [#0001234] AW: [#0001234] Printer jam", "Re: [#0001234] Printer jam"),
        ("Printer jam [#0001234]", "Re: [#0001234] Printer jam"),
        ("Re: [#0000099] other case", "Re: [#0001234] [#0000099] other case"),
        ("", "Re: [#0001234]"),
    ],
)
def test_tag_subject(subject: str, expected: str) -> None:
    assert tag_subject(subject, "0001234") == expected


def test_tag_subject_with_prefix_and_without_reply() -> None:
    assert tag_subject("Re: [HD-0001234] x", "0001234", "HD-") == "Re: [HD-0001234] x"
    assert tag_subject("x", "0001234-002", "HD-", reply=False) == "[HD-0001234-002] x"
