"""Where a mail's own words end and the history it quotes begins (MAIL-3)."""


def text_before_quote(body: str, quote_start: int | None) -> str:
    """What a mail itself says: its body up to the quoted history that `quote_start`
    marks (found when the mail was parsed, mail/quotes.py); all of it when it quotes none.

    The timeline folds the rest, search indexes only this, and a reply quotes only this.
    """
    return body[:quote_start] if quote_start else body
