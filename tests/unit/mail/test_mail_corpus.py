"""Every corpus message parses: no exception, raw bytes accounted for (MAIL-9)."""

import hashlib

import pytest
from mail_corpus import CORPUS, corpus_files

from helpdesk_tui.mail.parse import Attachment, ParsedMail, parse, to_json


def _parse(relative: str) -> ParsedMail:
    path = CORPUS / relative
    if not path.exists():
        corpus_files()  # fails under CI, skips elsewhere
        pytest.skip(f"{relative} not in this corpus")
    return parse(path.read_bytes())


def test_every_corpus_file_parses() -> None:
    files = corpus_files()
    assert len([f for f in files if f.suffix == ".eml"]) >= 100
    for path in files:
        raw = path.read_bytes()
        parsed = parse(raw, own_domains=("example.com",))
        where = str(path.relative_to(CORPUS))
        assert parsed.content_hash == hashlib.sha256(raw).hexdigest(), where
        assert parsed.size == len(raw), where
        assert isinstance(parsed.body_text, str), where
        for text in (parsed.body_text, parsed.subject, parsed.from_name, *parsed.defects):
            assert "\x00" not in text, where
            text.encode("utf-8")  # no lone surrogates: storable as UTF-8 text
        assert set(to_json(parsed)) >= {"subject", "body_text", "defects"}, where


def test_utf7_subject_and_quoted_printable_body() -> None:
    parsed = _parse("legacy/001.eml")
    assert parsed.subject == "Die Hasen und die Frösche (Microsoft Outlook 00)"
    assert (parsed.from_name, parsed.from_email) == ("Doug Sauder", "doug@example.com")
    assert parsed.body_text.startswith("Die Hasen und die Frösche\n\nDie Hasen klagten einst über")


def test_attachment_only_message() -> None:
    parsed = _parse("legacy/000.eml")
    assert parsed.body_text == ""
    assert parsed.attachments == (Attachment("redball.png", "image/png", 1453, inline=False),)


def test_raw_8bit_in_encoded_word_header() -> None:
    parsed = _parse("legacy/009.eml")
    assert parsed.subject == "Die Hasen und die Frösche"
    assert parsed.to == ("jschmuergen@example.com",)
    assert parsed.defects == ()  # raw Latin-1 inside =?iso-8859-1?Q?…?= decodes as declared


def test_rfc_examples() -> None:
    assert _parse("rfc/000.eml").subject == "A multipart example"
    assert "unparseable Date header 'Whenever'" in _parse("rfc/001.eml").defects
    assert _parse("thirdparty/010.eml").subject == "こんにちは"


def test_mailing_list_and_nul_bytes() -> None:
    assert _parse("thirdparty/014.eml").noise == "list"
    assert "NUL characters removed from body" in _parse("thirdparty/000.eml").defects


def test_attached_messages_and_untagged_number() -> None:
    parsed = _parse("thirdparty/015.eml")
    assert parsed.subject == "Re: (#5290765) Proxmox Shop E-Mails"
    assert parsed.case_number is None  # no brackets, no tag
    assert [a.filename for a in parsed.attachments] == [
        "training-mail.txt",
        "office-reply.txt",
        "shop-mail.txt",
    ]
    assert parsed.body_text.startswith("Hallo Stoiko,")


def test_broken_multipart_keeps_text() -> None:
    parsed = _parse("malformed/017.eml")
    assert parsed.subject == "Hello world"
    assert "multipart without boundary, kept as text" in parsed.defects
    assert parsed.body_text.strip()
