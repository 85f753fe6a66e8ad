"""format=flowed plain text (RFC 3676) is joined back into paragraphs (mail/flowed.py)."""

from hypothesis import given, settings
from hypothesis import strategies as st

from helpdesk_tui.mail.flowed import unflow, unflow_lines
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


_ANY_LINES = st.lists(st.text(alphabet="ab >-\t", max_size=12).map(str.rstrip), max_size=10)


@given(_ANY_LINES)
def test_the_quick_way_without_soft_breaks_matches_the_line_by_line_way(
    lines: list[str],
) -> None:
    text = "\n".join(lines)  # right-stripped lines: no soft break anywhere

    assert unflow(text) == unflow_lines(text)


_UNQUOTED_LINES = st.lists(
    st.one_of(
        st.text(alphabet="ab -", max_size=10).filter(lambda line: not line.startswith(" ")),
        st.just("-- "),
        st.just(""),
    ),
    max_size=10,
)


@given(_UNQUOTED_LINES, st.booleans())
def test_the_quick_way_for_unquoted_text_matches_the_line_by_line_way(
    lines: list[str], delsp: bool
) -> None:
    text = "\n".join(lines)

    assert unflow(text, delsp=delsp) == unflow_lines(text, delsp=delsp)


def reference_unflow(text: str, delsp: bool) -> str:
    """RFC 3676 4.2 as plainly as it reads: paragraphs of soft-broken lines per depth."""
    lines = []
    for line in text.split("\n"):
        depth = len(line) - len(line.lstrip(">"))
        content = line[depth:]
        content = content[1:] if content.startswith(" ") else content
        soft = content.endswith(" ") and content != "-- "
        lines.append((depth, content[:-1] if soft and delsp else content, soft))
    out, current, current_depth, open_paragraph = [], "", 0, False
    for depth, content, soft in lines:
        if open_paragraph and depth != current_depth:
            out.append((current_depth, current))
            open_paragraph = False
        if open_paragraph:
            current += content
        else:
            current, current_depth = content, depth
        open_paragraph = soft
        if not soft:
            out.append((current_depth, current))
    if open_paragraph:
        out.append((current_depth, current))
    return "\n".join((">" * d + " " + c) if d and c else (">" * d + c) for d, c in out)


_FLOWED_LINES = st.lists(
    st.text(alphabet="ab >-", max_size=8)
    | st.sampled_from(["-- ", "> -- ", "", " ", ">", "> ", ">>  ", ">> x ", " >x", "a  "]),
    max_size=12,
)


@settings(max_examples=1000, deadline=None)
@given(_FLOWED_LINES, st.booleans())
def test_unflow_agrees_with_a_plain_reading_of_the_rfc(lines: list[str], delsp: bool) -> None:
    text = "\n".join(lines)

    expected = reference_unflow(text, delsp)
    assert unflow(text, delsp=delsp) == expected
    assert unflow_lines(text, delsp=delsp) == expected
