"""`format=flowed` text (RFC 3676) back into paragraphs.

Thunderbird, Apple Mail and many phones send plain text as flowed: each paragraph is cut
into lines of about 72 characters, and a line ending in a space continues on the next.
Shown as sent, such a mail breaks mid-sentence at every line on a wider screen; joined,
the timeline can wrap it to its own width. By hand, because the stdlib's `email` leaves
flowed text as it is and no maintained library does just this.
"""

SIGNATURE_SEPARATOR = "-- "


def unflow(text: str, *, delsp: bool = False) -> str:
    """Join the soft line breaks of flowed `text` (lines already split on "\\n").

    - a line ending in a space continues on the next line of the same quote depth
      (`DelSp=yes`: that space was added by the sender and goes);
    - a space stuffed in front of a line (after its `>` marks) goes;
    - the signature separator `-- ` never flows;
    - quoted lines keep their depth, written as `> ` marks.
    """
    out: list[str] = []
    joined: list[str] = []
    depth_of_joined = 0

    def finish() -> None:
        if joined or depth_of_joined:
            marks = ">" * depth_of_joined
            out.append((marks + " " if marks else "") + "".join(joined))
        joined.clear()

    pending = False  # the previous line was soft-broken: this one continues it
    for line in text.split("\n"):
        depth = len(line) - len(line.lstrip(">"))
        content = line[depth:]
        if content.startswith(" "):
            content = content[1:]  # space-stuffing (or the usual blank after `>`)
        if pending and depth != depth_of_joined:
            finish()  # a quote depth change ends a paragraph, soft break or not
            pending = False
        if not pending:
            depth_of_joined = depth
        soft = content.endswith(" ") and content != SIGNATURE_SEPARATOR
        joined.append(content[:-1] if soft and delsp else content)
        pending = soft
        if not soft:
            finish()
            depth_of_joined = 0
    if pending:
        finish()
    return "\n".join(out)
