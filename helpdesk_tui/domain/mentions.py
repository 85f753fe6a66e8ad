"""@mentions in comments and external actions (ACT-3): which agents a text names.

A mention is `@` followed by a username (as `people.USERNAME` accepts it), where the `@`
does not continue a word, an address or a path (`bob@example.com`, `x/@y` name nobody) and
the name is not followed by another `@` (`@bob@example.com` is an address). Punctuation
after the name ends it; dots at its end belong to the sentence (`ask @bob.` names bob).
Names are compared in lower case.
"""

import re
from dataclasses import dataclass

from helpdesk_tui.domain.people import USERNAME

#: `@` and the run of name characters after it, where the `@` starts a word.
_CANDIDATE = re.compile(r"(?<![\w.%+\-/=@])@([A-Za-z0-9._-]+)")
#: What may not follow a name: more of a word (any script) or an address's `@`.
_CONTINUES = re.compile(r"[\w@]")


@dataclass(frozen=True, slots=True)
class Mention:
    """One mention in a text: `text[start:end]` is `@` and the name as written."""

    start: int
    end: int
    username: str


def mention_spans(text: str) -> list[Mention]:
    """Every mention in `text`, in order (repeats included), with where it stands."""
    found: list[Mention] = []
    for match in _CANDIDATE.finditer(text):
        run_end = match.end()
        if run_end < len(text) and _CONTINUES.match(text, run_end):
            continue
        name = match.group(1).rstrip(".")
        if not USERNAME.fullmatch(name.lower()):
            continue
        start = match.start()
        found.append(Mention(start, start + 1 + len(name), name.lower()))
    return found


def mentioned(text: str) -> list[str]:
    """The usernames `text` mentions: lower case, in order of first mention, each once."""
    return list(dict.fromkeys(mention.username for mention in mention_spans(text)))


#: A mention being typed: `@` where a mention may start, then name characters, then the end.
_TYPING = re.compile(r"(?<![\w.%+\-/=@])@([A-Za-z0-9._-]+)\Z")


def typing_mention(before_cursor: str) -> tuple[int, str] | None:
    """The mention being typed at the end of `before_cursor` (the line up to the cursor):
    where its `@` stands and the letters typed after it; None when none is being typed
    (no letters yet, an address, a path)."""
    found = _TYPING.search(before_cursor)
    if found is None:
        return None
    return found.start(), found.group(1)
