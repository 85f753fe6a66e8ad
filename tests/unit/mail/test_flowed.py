"""format=flowed plain text (RFC 3676) is joined back into paragraphs (mail/flowed.py)."""

from hypothesis import given
from hypothesis import strategies as st

from helpdesk_tui.mail.flowed import unflow
from helpdesk_tui.mail.parse import parse


def test_soft_breaks_join_and_hard_breaks_stay() -> None:
    text = "Hallo Support, \nder Drucker im zweiten \nStock druckt nicht.\n\nGrüße\nAnna"

    assert unflow(text) == (
        "Hallo Support, der Drucker im zweiten Stock druckt nicht.\n\nGrüße\nAnna"
    )


def test_delsp_removes_the_space_the_sender_added() -> None:
    assert unflow("Donau\u00addampf \nschiff", delsp=True) == "Donau\u00addampfschiff"


def test_space_stuffing_goes_and_the_signature_separator_never_flows() -> None:
    text = " From here on \n >stuffed\n-- \nAnna Kunde"

    assert unflow(text) == "From here on >stuffed\n-- \nAnna Kunde"


def test_quoted_paragraphs_join_within_their_depth_only() -> None:
    text = "> Das ist eine \n> lange Frage.\n>> ältere \n>> Antwort.\n> neu \nohne Zitat"

    assert unflow(text) == ("> Das ist eine lange Frage.\n>> ältere Antwort.\n> neu \nohne Zitat")


_PLAIN_LINES = st.lists(
    st.text(alphabet="abc xyzäß.,-", max_size=30)
    .map(str.rstrip)
    .filter(lambda line: not line.startswith((" ", ">"))),
    max_size=8,
)


@given(_PLAIN_LINES)
def test_text_without_soft_breaks_is_left_as_it_is(lines: list[str]) -> None:
    text = "\n".join(lines)

    assert unflow(text) == text


def test_a_flowed_mail_parses_into_paragraphs() -> None:
    raw = (
        b"From: anna@kunde.example\r\nSubject: Drucker\r\n"
        b"Content-Type: text/plain; charset=utf-8; format=flowed; delsp=no\r\n\r\n"
        b"Der Drucker im zweiten Stock \r\ndruckt seit Montag nicht mehr.\r\n\r\n"
        b"Am Montag schrieb Support:\r\n> Bitte starten Sie ihn \r\n> neu.\r\n"
    )
    parsed = parse(raw)

    assert parsed.body_text == (
        "Der Drucker im zweiten Stock druckt seit Montag nicht mehr.\n\n"
        "Am Montag schrieb Support:\n> Bitte starten Sie ihn neu.\n"
    )
    assert parsed.body_text[parsed.quote_start or 0 :].startswith("Am Montag schrieb")


def test_a_mail_that_is_not_flowed_keeps_its_line_breaks() -> None:
    raw = (
        b"From: anna@kunde.example\r\nSubject: Liste\r\n"
        b"Content-Type: text/plain; charset=utf-8\r\n\r\nerste Zeile \r\nzweite Zeile\r\n"
    )

    assert parse(raw).body_text == "erste Zeile \nzweite Zeile\n"
