"""HTML mail → readable text with inscriptis (HTML-only mail, MAIL-9)."""

import re
from typing import cast

from inscriptis import get_text
from inscriptis.model.config import ParserConfig

# inscriptis is pure Python: bound the work so one giant newsletter can't stall a sync.
MAX_HTML_CHARS = 1_000_000
# Links are shown: where a link in a customer's mail goes is part of what it says (and
# how an agent spots a phishing mail). inscriptis writes them as `[text](url)`.
_CONFIG = ParserConfig(display_links=True, display_images=False)
_LINK = re.compile(r"\[([^\]\n]*)\]\(([^)\s]*)\)")
_TAG = re.compile(r"<[^>]*>")
_BLANK_LINES = re.compile(r"\n{3,}")


def html_to_text(html: str, defects: list[str]) -> str:
    """Readable text for an HTML body; on any converter failure a crude tag strip + defect."""
    if len(html) > MAX_HTML_CHARS:
        defects.append(f"HTML part cut to {MAX_HTML_CHARS:,} characters before conversion")
        html = html[:MAX_HTML_CHARS]
    try:
        text = _LINK.sub(_link, cast(str, get_text(html, _CONFIG)))
    except Exception as error:  # lxml/inscriptis raise many types on hostile input
        defects.append(f"HTML conversion failed ({type(error).__name__}), tags stripped")
        text = _TAG.sub(" ", html)
    return _BLANK_LINES.sub("\n\n", text).strip("\n") + "\n" if text.strip() else ""


def _link(match: re.Match[str]) -> str:
    """`text <url>`; just the text where the target adds nothing (the same address, an
    anchor within the mail, no target)."""
    text, url = match.group(1).strip(), match.group(2)
    bare = url.removeprefix("mailto:")
    if not url or url.startswith("#") or bare in (text, text.removeprefix("mailto:")):
        return text
    if not text:
        return f"<{url}>"
    return f"{text} <{url}>"
