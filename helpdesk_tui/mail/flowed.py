"""`format=flowed` text (RFC 3676) back into paragraphs.

Thunderbird, Apple Mail and many phones send plain text as flowed: each paragraph is cut
into lines of about 72 characters, and a line ending in a space continues on the next.
Shown as sent, such a mail breaks mid-sentence at every line on a wider screen; joined,
the timeline can wrap it to its own width. By hand, because the stdlib's `email` leaves
flowed text as it is and no maintained library does just this.
"""

import re

SIGNATURE_SEPARATOR = "-- "
#: A quoted line whose text follows its `>` marks without a blank.
_TIGHT_QUOTE = re.compile(r"^(>+)(?=[^ >\n])", re.MULTILINE)
#: A space-stuffed line (RFC 3676 4.4), quoted lines aside.
_STUFFED = re.compile(r"^ ", re.MULTILINE)
#: A soft line break: a line ending in a space, the signature separator `-- ` excepted.
_SOFT_BREAK = re.compile(r"(?<!^--) \n", re.MULTILINE)


def unflow(text: str, *, delsp: bool = False) -> str:
    """Join the soft line breaks of flowed `text` (see `unflow_lines`).

    Text without soft breaks, or with them but without quoted or stuffed lines, is done
    with regular expressions at C speed; the rest (a reply quoting flowed text) line by
    line. The ways give the same text (tests/unit/mail/test_flowed.py).
    """
    quoted = text.startswith(">") or "\n>" in text
    stuffed = text.startswith(" ") or "\n " in text
    if " \n" in text or text.endswith(" "):
        if quoted or stuffed or text.endswith(" "):
            return unflow_lines(text, delsp=delsp)
        # One depth and no stuffing: every " \n" but the signature's is a soft break.
        return _SOFT_BREAK.sub("" if delsp else " ", text)
    if quoted:
        text = _TIGHT_QUOTE.sub(r"\1 ", text)
    if stuffed:
        text = _STUFFED.sub("", text)
    return text


def unflow_lines(text: str, *, delsp: bool = False) -> str:
    """Join the soft line breaks of flowed `text`, line by line.

    - a line ending in a space continues on the next line of the same quote depth
      (`DelSp=yes`: that space was added by the sender and goes);
    - a space stuffed in front of a line (after its `>` marks) goes;
    - the signature separator `-- ` never flows;
    - quoted lines keep their depth, written as `> ` marks.
    """
    out: list[str] = []
    paragraph: list[str] = []  # the soft-broken lines of the paragraph being joined
    depth = 0  # its quote depth
    for line in text.split("\n"):
        if not paragraph and line[-1:] != " ":  # a hard line on its own: the usual case
            if line[:1] == ">":
                level = len(line) - len(line.lstrip(">"))
                fits = line[level : level + 1] in ("", " ")
                out.append(line if fits else f"{line[:level]} {line[level:]}")
            else:
                out.append(line[1:] if line[:1] == " " else line)
            continue
        level = 0
        if line[:1] == ">":
            content = line.lstrip(">")
            level = len(line) - len(content)
        else:
            content = line
        if content[:1] == " ":
            content = content[1:]  # space-stuffing (or the usual blank after `>`)
        if paragraph and level != depth:  # a quote depth change ends a paragraph
            out.append(_marked(depth, "".join(paragraph)))
            paragraph = []
        if content[-1:] == " " and content != SIGNATURE_SEPARATOR:  # a soft break
            depth = level
            paragraph.append(content[:-1] if delsp else content)
        elif paragraph:
            paragraph.append(content)
            out.append(_marked(depth, "".join(paragraph)))
            paragraph = []
        else:
            out.append(_marked(level, content) if level else content)
    if paragraph:
        out.append(_marked(depth, "".join(paragraph)))
    return "\n".join(out)


def _marked(depth: int, content: str) -> str:
    marks = ">" * depth
    return f"{marks} {content}" if marks and content else marks + content
