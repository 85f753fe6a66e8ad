"""Outgoing headers are built from validated values only (SEC-5, issue 10 Found 1/2/12).

Whatever text a contact name, a subject or an attachment's file name holds, the message we
build parses back with exactly our header set, one of each, `Auto-Submitted` intact, no
line longer than RFC 5322 allows, and each value as written minus its control characters.
"""

import email
import email.policy
import unicodedata
from datetime import UTC, datetime
from email.message import EmailMessage

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from helpdesk_tui.domain.errors import ValidationError
from helpdesk_tui.domain.header_values import (
    MAX_FILE_NAME,
    MAX_NAME,
    MAX_SUBJECT,
    check_address,
    file_name,
    header_text,
)
from helpdesk_tui.mail.outgoing import Outgoing, OutgoingAttachment, build, replace_text

NOW = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)
HEADERS = [
    "From",
    "To",
    "Subject",
    "Date",
    "Message-ID",
    "In-Reply-To",
    "References",
    "Auto-Submitted",
    "X-Auto-Response-Suppress",
]
MIME = ["Content-Type", "MIME-Version"]
PART = ["Content-Type", "MIME-Version", "Content-Transfer-Encoding", "Content-Disposition"]
BIDI = set("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
HOSTILE = [
    "Name\r\nBcc : v@x.example",
    "Name\r\n\r\nbody",
    "Name\r\nBcc: x@y.example",
    "Näme\r\nBcc: x@y.example",
    "=?utf-8?q?a=0D=0ABcc:_x@y.example?=",
    "\u202egnp.exe",
    'Quote " and \\ backslash, comma; <angle> @ (paren)',
    "\x85next\u2028line\u2029para\x0bvt\x0cff\x1cfs\x00nul\x1b[31mred",
]
FAST = settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
# Any text, with the dangerous characters made likely.
pieces = st.one_of(
    st.characters(codec="utf-8"),
    st.sampled_from(["\r", "\n", "\r\n", ":", " ", "=?", "?=", '"', "\\", "<", ">", "@"]),
    st.sampled_from(sorted(BIDI | {"\x85", "\u2028", "\u2029", "\x00", "\x1b", "\t"})),
    st.sampled_from(["Bcc: v@x.example", "Bcc : v@x.example", "=?utf-8?q?=0D=0A?=", "ä", "日本"]),
)
texts = st.lists(pieces, max_size=120).map("".join)


def outgoing(
    name: str = "Kunde", subject: str = "Re: [#0000001] Drucker", filename: str | None = None
) -> Outgoing:
    return Outgoing(
        sender="Support <support@h.example>",
        to="kunde@acme.example",
        to_name=name,
        subject=subject,
        body="Hallo",
        message_id="abc@h.example",
        date=NOW,
        in_reply_to="parent@acme.example",
        references=("root@acme.example", "parent@acme.example"),
        automatic=True,
        attachments=[OutgoingAttachment(filename, b"data")] if filename is not None else (),
    )


def parsed(raw: bytes) -> EmailMessage:
    message = email.message_from_bytes(raw, policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    return message


def visible(text: str) -> str:
    """The text without controls, bidi controls and white space: what must survive."""
    return "".join(
        c
        for c in text
        if not c.isspace()
        and unicodedata.category(c) != "Cc"
        and c not in BIDI
        and c not in "\u2028\u2029\ufeff"
    )


def check_message(raw: bytes) -> EmailMessage:
    head = raw.split(b"\r\n\r\n", 1)[0]
    assert all(len(line) <= 998 for line in raw.split(b"\r\n"))
    assert b"\n" not in head.replace(b"\r\n", b"")
    assert b"\r" not in head.replace(b"\r\n", b"")
    message = parsed(raw)
    names = [k for k in message if k not in ("Content-Transfer-Encoding",)]
    assert sorted(names) == sorted(HEADERS + MIME), names
    assert message["Auto-Submitted"] == "auto-replied"
    assert message["Bcc"] is None
    assert message["Message-ID"] == "<abc@h.example>"
    assert message["References"] == "<root@acme.example> <parent@acme.example>"
    assert message.defects == []
    return message


@FAST
@given(name=texts)
@example(name="x" * 5000)
def test_any_contact_name_keeps_our_header_set(name: str) -> None:
    message = check_message(build(outgoing(name=name)))
    (to,) = message["To"].addresses
    assert to.addr_spec == "kunde@acme.example"
    # CPython's address parser puts a space between two adjacent encoded words (RFC 2047
    # says to drop the white space between them; the Subject parser does): compare the
    # name without spaces, and exactly where a single word carries it.
    expected = header_text(name, MAX_NAME)
    assert to.display_name.replace(" ", "") == expected.replace(" ", "")
    if expected.isascii() and "=?" not in expected and len(expected) < 40:
        assert to.display_name == expected
    if len(name) < MAX_NAME:
        assert visible(to.display_name) == visible(name)


@FAST
@given(subject=texts)
@example(subject="Re: [#0000001] " + "a" * 1_000_000)
@example(subject="Re: [#0000001] " + "ä" * 1_000)
def test_any_subject_keeps_our_header_set(subject: str) -> None:
    message = check_message(build(outgoing(subject=subject)))
    assert str(message["Subject"]) == header_text(subject, MAX_SUBJECT)
    assert len(str(message["Subject"])) <= MAX_SUBJECT
    if len(subject) < MAX_SUBJECT:
        assert visible(str(message["Subject"])) == visible(subject)


@FAST
@given(filename=texts)
@example(filename="report\r\n.pdf")
@example(filename="<>")
@example(filename="<invoice.pdf>")
@example(filename="ü" * 400 + ".pdf")
def test_any_attachment_name_keeps_our_header_set(filename: str) -> None:
    message = check_message(build(outgoing(filename=filename)))
    (part,) = list(message.iter_attachments())
    assert part.get_filename() == file_name(filename)
    assert sorted(part.keys()) == sorted(PART)
    if len(filename) < MAX_FILE_NAME and not set(filename) & set("/\\<>"):
        assert visible(part.get_filename() or "") in (visible(filename).strip('."'), "attachment")


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_values_in_every_field_at_once(text: str) -> None:
    message = check_message(build(outgoing(name=text, subject=text, filename=text)))
    for value in (str(message["To"]), str(message["Subject"])):
        assert "\r" not in value
        assert "\n" not in value
        assert not BIDI & set(value)
    assert "Bcc" not in message


def test_a_long_file_name_keeps_its_extension() -> None:
    assert file_name("a" * 500 + ".pdf").endswith("….pdf")
    assert len(file_name("a" * 500 + ".pdf")) == MAX_FILE_NAME
    assert file_name("../../etc/passwd") == "_.._etc_passwd"
    assert file_name("\r\n") == "attachment"


@pytest.mark.parametrize(
    "address",
    ["kunde@acme.example\r\nBcc: x@y.example", "a b@x.example", "no-at", "x@", "@x.example",
     "x@-bad.example", "x@y..example", "<x@y.example>", "x\x00@y.example", ""],
)  # fmt: skip
def test_bad_addresses_are_refused_with_one_line(address: str) -> None:
    with pytest.raises(ValidationError) as raised:
        check_address(address, "contact address")
    assert "\n" not in raised.value.message
    assert "\r" not in raised.value.message
    assert "contact address" in raised.value.message
    with pytest.raises(ValidationError):
        build(Outgoing("S <s@h.example>", address, "s", "b", "m@h.example", NOW))


def test_good_addresses_pass() -> None:
    for address in ["kunde@acme.example", "o'brien+tag@mail.acme-corp.example", "x@localhost"]:
        assert check_address(f" {address} ") == address


@pytest.mark.parametrize("text", HOSTILE)
def test_editing_a_queued_mail_keeps_our_header_set(text: str) -> None:
    raw = build(outgoing(name=text, subject=text, filename=text))
    check_message(replace_text(raw, "Neuer Text\n"))
