"""The fast MIME split (mail/mime.py) builds the stdlib's exact tree, or declines.

Differential: every message is also parsed by `email` (compat32), and whenever `split`
takes a message its tree must equal the stdlib's in every field the parser sets.
"""

import email
from email import policy
from email.message import EmailMessage, Message
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from mail_corpus import corpus_files, seed_messages
from mailmaker import customer_mail, reply_to

from helpdesk_tui.mail import mime

FAST = settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def tree(msg: Message) -> Any:
    """Everything the feed parser decides about a message, recursively."""
    payload = msg._payload
    return (
        msg.get_unixfrom(),
        list(msg._headers),
        msg.preamble,
        msg.epilogue,
        [type(d).__name__ for d in msg.defects],
        msg.get_default_type(),
        [tree(p) for p in payload] if isinstance(payload, list) else payload,
    )


def stdlib(text: str) -> Message:
    return email.message_from_string(text, policy=policy.compat32)


def check(raw: bytes) -> Message | None:
    """Split `raw`; if taken, it must equal the stdlib's tree."""
    text = raw.decode("ascii", "surrogateescape")
    fast = mime.split(text)
    if fast is not None:
        assert tree(fast) == tree(stdlib(text))
    return fast


def test_the_corpus_is_split_as_the_stdlib_does_or_declined() -> None:
    taken = [path for path in corpus_files() if check(path.read_bytes()) is not None]
    assert taken  # the fast path is used on real mail, not only declined


def test_the_seed_messages() -> None:
    for raw in seed_messages():
        check(raw)


def _with_parts() -> bytes:
    message = EmailMessage()
    message["From"] = "Kunde <k@acme.example>"
    message["Subject"] = "Rechnung"
    message.set_content("Hallo,\nanbei die Rechnung.\n")
    message.add_alternative("<p>Hallo,<br>anbei die Rechnung.</p>", subtype="html")
    message.add_attachment(
        b"%PDF-1.4\n" * 200, maintype="application", subtype="pdf", filename="rechnung.pdf"
    )
    return message.as_bytes(policy=policy.SMTP)


def test_everyday_mail_takes_the_fast_path() -> None:
    first = customer_mail()
    for raw in (first, reply_to(first), _with_parts(), _with_parts().replace(b"\r\n", b"\n")):
        assert check(raw) is not None


def test_a_forwarded_message_part_is_left_to_the_stdlib() -> None:
    raw = (
        b"Content-Type: multipart/mixed; boundary=B\n\n--B\nContent-Type: message/rfc822\n\n"
        b"From: a@b.example\n\nold\n--B--\n"
    )
    assert check(raw) is None


# -- generated messages: mostly well-formed, sometimes with the defects real mail has ---------
_NAMES = st.sampled_from(["Subject", "X-A", "From", "To"])
_SAFE = st.text(alphabet="ab -:>=ü", max_size=20)
_ODD = st.text(alphabet="ab -:\t>=\r\n\x0b\x85ü", max_size=20)
_EOL = st.sampled_from(["\n", "\r\n"])


_DEFECTS = {"rate": 0}


def rarely(draw: st.DrawFn) -> bool:
    """Whether a defect goes in here: never in a clean message, else one time in six."""
    rate = _DEFECTS["rate"]
    return bool(rate) and draw(st.integers(0, rate - 1)) == 0


@st.composite
def body_text(draw: st.DrawFn, eol: str, boundaries: tuple[str, ...]) -> str:
    """Lines of text, some of them looking almost (or exactly) like boundaries."""
    lines = []
    for _ in range(draw(st.integers(0, 4))):
        if boundaries and draw(st.integers(0, 4)) == 0:
            near = draw(st.sampled_from(boundaries)) + draw(
                st.sampled_from(["x", "-", "--x", " x"])
            )
            lines.append("--" + near)
        else:
            lines.append(draw(_ODD if rarely(draw) else _SAFE).replace("\n", " "))
    return "".join(line + eol for line in lines) + (draw(_SAFE) if rarely(draw) else "")


@st.composite
def header_block(draw: st.DrawFn, eol: str, content_type: str | None) -> str:
    lines = []
    if rarely(draw):
        lines.append(
            draw(
                st.sampled_from(
                    [
                        "From x",
                        " cont",
                        ": x",
                        "Bad Name: y",
                        "plain",
                        "Content-Transfer-Encoding: x",
                    ]
                )
            )
        )
    for _ in range(draw(st.integers(0, 3))):
        lines.append(f"{draw(_NAMES)}:{draw(_SAFE)}")
        if draw(st.integers(0, 4)) == 0:
            lines.append(f"\t{draw(_SAFE)}")  # a folded header
    if content_type is not None:
        lines.append(f"Content-Type: {content_type}")
    block = "".join(line + eol for line in lines)
    return block if rarely(draw) else block + eol  # the empty line, sometimes missing


@st.composite
def message(draw: st.DrawFn, depth: int = 0, outer: tuple[str, ...] = ()) -> str:
    eol = draw(_EOL) if depth == 0 or rarely(draw) else "\r\n"
    if depth < 3 and draw(st.booleans()):
        boundary = draw(st.sampled_from(["B", "B-1", "=_x", "B0"])) + str(depth)
        if rarely(draw) and outer:
            boundary = outer[-1]  # the same boundary nested
        subtype = "digest" if rarely(draw) else draw(st.sampled_from(["mixed", "alternative"]))
        quote = '"' if draw(st.booleans()) else ""
        ctype = f"multipart/{subtype}; boundary={quote}{boundary}{quote}"
        if rarely(draw):
            ctype = f"multipart/{subtype}"  # no boundary at all
        seen = (*outer, boundary)
        out = [draw(header_block(eol, ctype)), draw(body_text(eol, seen))]
        for _ in range(draw(st.integers(0 if rarely(draw) else 1, 3))):
            trail = draw(st.sampled_from(["", " ", "\t "])) if not rarely(draw) else "x"
            out.append(f"--{boundary}{trail}{eol}")
            if rarely(draw):
                out.append(f"--{boundary}{eol}")  # a doubled boundary line
            part = draw(message(depth + 1, seen))
            out.append(part if part.endswith(("\n", "\r\n")) else part + eol)
        if not rarely(draw):
            out.append(f"--{boundary}--{draw(st.sampled_from(['', ' ', eol]))}")
            if draw(st.booleans()):
                out.append(eol + draw(body_text(eol, seen)))  # an epilogue
        return "".join(out)
    ctype = draw(st.sampled_from([None, "text/plain", "text/html"]))
    if rarely(draw):
        ctype = "message/rfc822"
    return draw(header_block(eol, ctype)) + draw(body_text(eol, outer))


@st.composite
def any_message(draw: st.DrawFn) -> tuple[bool, str]:
    """(clean, text): a quarter of the messages carry defects."""
    clean = draw(st.integers(0, 3)) > 0
    _DEFECTS["rate"] = 0 if clean else 6
    return clean, draw(message())


@FAST
@given(any_message())
def test_generated_messages_match_the_stdlib_or_are_declined(
    generated: tuple[bool, str],
) -> None:
    clean, text = generated
    fast = mime.split(text)
    if clean:
        assert fast is not None  # well-formed mail takes the fast path
    if fast is not None:
        assert tree(fast) == tree(stdlib(text))
