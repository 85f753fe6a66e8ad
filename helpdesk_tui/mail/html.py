"""HTML mail → readable text with inscriptis (HTML-only mail, MAIL-9)."""

import re
from typing import cast

from inscriptis import get_text
from inscriptis.model.config import ParserConfig

# inscriptis is pure Python: bound the work so one giant newsletter can't stall a sync.
MAX_HTML_CHARS = 1_000_000
_CONFIG = ParserConfig(display_links=False, display_images=False)
_TAG = re.compile(r"<[^>]*>")
_BLANK_LINES = re.compile(r"\n{3,}")


def html_to_text(html: str, defects: list[str]) -> str:
    """Readable text for an HTML body; on any converter failure a crude tag strip + defect."""
    if len(html) > MAX_HTML_CHARS:
        defects.append(f"HTML part cut to {MAX_HTML_CHARS:,} characters before conversion")
        html = html[:MAX_HTML_CHARS]
    try:
        text = cast(str, get_text(html, _CONFIG))
    except Exception as error:  # lxml/inscriptis raise many types on hostile input
        defects.append(f"HTML conversion failed ({type(error).__name__}), tags stripped")
        text = _TAG.sub(" ", html)
    return _BLANK_LINES.sub("\n\n", text).strip("\n") + "\n" if text.strip() else ""
