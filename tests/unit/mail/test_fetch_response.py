"""Reading UID FETCH BODY[] responses without imapclient's general parser (mail/imap.py)."""

from helpdesk_tui.mail.imap import fetched_bodies, raw_bodies


def test_the_usual_shape_gives_uid_to_bytes() -> None:
    data = [
        (b"1 (UID 12 BODY[] {5}", b"hello"),
        b")",
        (b"2 (UID 13 BODY[] {3}", b"a)b"),
        b")",
    ]

    assert raw_bodies(data) == {12: b"hello", 13: b"a)b"}


def test_flags_before_the_uid_are_fine() -> None:
    data = [(b"4 (FLAGS (\\Seen) UID 99 BODY[] {2}", b"hi"), b")"]

    assert raw_bodies(data) == {99: b"hi"}


def test_a_uid_after_the_literal_is_left_to_the_general_parser() -> None:
    data = [(b"1 (BODY[] {5}", b"hello"), b" UID 12)"]

    assert raw_bodies(data) is None


def test_an_unsolicited_flags_update_is_left_to_the_general_parser() -> None:
    data = [(b"1 (UID 12 BODY[] {5}", b"hello"), b")", b"3 (FLAGS (\\Deleted))"]

    assert raw_bodies(data) is None


def test_a_literal_of_another_item_is_left_to_the_general_parser() -> None:
    data = [(b"1 (UID 12 BODY[HEADER] {5}", b"hello"), b")"]

    assert raw_bodies(data) is None


def test_an_empty_response_is_empty() -> None:
    assert raw_bodies([]) == {}


def test_other_shapes_are_read_by_the_general_parser() -> None:
    late_uid = [(b"1 (BODY[] {5}", b"hello"), b" UID 12)"]
    unsolicited = [(b"1 (UID 12 BODY[] {5}", b"hello"), b")", b"3 (FLAGS (\\Deleted))"]

    assert fetched_bodies(late_uid) == {12: b"hello"}
    assert fetched_bodies(unsolicited) == {12: b"hello"}
