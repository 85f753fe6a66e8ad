"""Where the quoted history of a reply begins (the agent's view folds it away).

Hand-written: no library covers the attribution lines of the clients our customers
use (Outlook and Thunderbird in German and English, Gmail, Apple Mail). The earliest
attribution line wins; without one, a trailing block of `>` lines counts.
"""

import re

_ATTRIBUTION = re.compile(
    r"""
    ^[ \t]*(?:
        On[ \t][^\n]{0,300}?(?:\n[^\n]{0,200}?)?\bwrote:[ \t]*$      # Gmail, Apple Mail
      | Am[ \t][^\n]{0,300}?(?:\n[^\n]{0,200}?)?\bschrieb\b[^\n]{0,200}:[ \t]*$
      | Le[ \t][^\n]{0,300}?\ba[ \t]écrit[ \t]?:[ \t]*$
      | -{2,}[ \t]*(?:Original[ \t]Message|Ursprüngliche[ \t]Nachricht
                   |Message[ \t]d'origine|Originalnachricht)[ \t]*-{2,}
      | (?:_{10,}[ \t]*\n[ \t]*)?(?:From|Von|De):[ \t][^\n]*\n
        (?:[^\n]*\n){0,3}?[ \t]*(?:Sent|Gesendet|Envoyé|Enviado):[ \t]
    )
    """,
    re.MULTILINE | re.VERBOSE | re.IGNORECASE,
)


#: A word of each kind of attribution line above, in lower case: most mails hold none,
#: and `in` over the text is far cheaper than trying the pattern at every line start.
_KEYWORDS = (
    "wrote:",
    "schrieb",
    "écrit",
    "original",  # Original Message, Originalnachricht
    "ursprüngliche",
    "d'origine",
    "sent:",
    "gesendet:",
    "envoyé:",
    "enviado:",
)


def find_quote_start(text: str) -> int | None:
    """Offset in `text` of the line where quoted history begins, or None."""
    lowered = text.lower()
    if any(word in lowered for word in _KEYWORDS):
        match = _ATTRIBUTION.search(text)
        if match is not None:
            return match.start()  # `^` in MULTILINE mode: always a line start
    return _trailing_quote(text)


def _trailing_quote(text: str) -> int | None:
    """Start of the last run of `>`/blank lines reaching the end, if it has a `>` line."""
    end = len(text.rstrip())
    start: int | None = None
    pos = end
    # walk backwards over whole lines: split is C-speed, most mails end in a quote
    for line in reversed(text[:end].split("\n")):
        pos -= len(line)
        stripped = line.lstrip()
        if stripped and stripped[0] != ">":
            break
        if stripped:
            start = pos
        pos -= 1
    return start
