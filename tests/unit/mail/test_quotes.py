"""The keyword pre-check of `find_quote_start` never changes its answer (mail/quotes.py)."""

from hypothesis import given, settings
from hypothesis import strategies as st

from helpdesk_tui.mail import quotes

_LINES = st.sampled_from(
    [
        "Hallo,",
        "danke für die schnelle Antwort.",
        "On Mon, 2 Jan 2023 at 10:00, Kunde <k@acme.example> wrote:",
        "ON MONDAY KUNDE WROTE:",
        "Am 02.01.2023 um 10:00 schrieb Kunde <k@acme.example>:",
        "am montag SCHRIEB kunde:",
        "Le lun. 2 janv. 2023, Kunde a écrit :",
        "-----Original Message-----",
        "----- Ursprüngliche Nachricht -----",
        "-- Originalnachricht --",
        "----- Message d'origine -----",
        "________________________________",
        "From: Kunde <k@acme.example>",
        "Von: Kunde",
        "Sent: Monday, 2 January 2023 10:00",
        "Gesendet: Montag, 2. Januar 2023 10:00",
        "Envoyé : lundi",
        "Enviado: lunes",
        "> alte Nachricht",
        ">> noch älter",
        "",
        "   ",
        "Grüße, Kunde",
    ]
)


def _without_precheck(text: str) -> int | None:
    match = quotes._ATTRIBUTION.search(text)
    return match.start() if match is not None else quotes._trailing_quote(text)


@settings(max_examples=500, deadline=None)
@given(st.lists(_LINES, max_size=12), st.sampled_from(["\n", "\r\n"]))
def test_the_precheck_gives_the_patterns_answer(lines: list[str], eol: str) -> None:
    text = eol.join(lines)

    assert quotes.find_quote_start(text) == _without_precheck(text)
