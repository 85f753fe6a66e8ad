"""Safe attachment file names (ACT-6): what a sender writes is never a path, never empty,
never hides what it is (controls, bidi), never a Windows device."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpdesk_tui.config import MailConfig, parse_size
from helpdesk_tui.domain.file_names import MAX_BYTES, numbered, safe_file_name

_BIDI = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("rechnung.pdf", "rechnung.pdf"),
        ("../../etc/passwd", "_._etc_passwd"),
        ("..\\..\\windows\\system32", "_._windows_system32"),
        ("C:\\boot.ini", "C__boot.ini"),
        ("CON", "_CON"),
        ("nul.txt", "_nul.txt"),
        ("com1.pdf", "_com1.pdf"),
        ("LPT9", "_LPT9"),
        ("console.pdf", "console.pdf"),
        ("report. . .", "report"),
        ("report.pdf   ", "report.pdf"),
        (".bashrc", "bashrc"),
        ("", "attachment"),
        ("...", "attachment"),
        ("  ", "attachment"),
        ("a\x00b\x1b[31mc.pdf", "a b [31mc.pdf"),
        ("invoice\u202efdp.exe", "invoice fdp.exe"),
        ("what?.pdf", "what_.pdf"),
        ('"quoted".pdf', "quoted_.pdf"),
    ],
)
def test_known_names(given: str, expected: str) -> None:
    assert safe_file_name(given) == expected


def test_a_long_name_keeps_its_extension_within_the_byte_limit() -> None:
    name = safe_file_name("ä" * 500 + ".pdf")
    assert name.endswith(".pdf")
    assert len(name.encode()) <= MAX_BYTES


@settings(max_examples=500)
@given(st.text(max_size=400))
def test_never_a_path_never_empty_never_controls(name: str) -> None:
    safe = safe_file_name(name)
    assert safe
    assert safe not in {".", ".."}
    assert "/" not in safe
    assert "\\" not in safe
    assert not any(ord(c) < 32 or 0x7F <= ord(c) <= 0x9F for c in safe)
    assert not any(c in _BIDI for c in safe)
    assert len(safe.encode("utf-8", "surrogatepass")) <= MAX_BYTES
    assert safe == safe.strip(". ")
    assert safe_file_name(safe) == safe  # stable: saving a saved name keeps it


def test_numbered_names_keep_the_extension() -> None:
    assert numbered("a.pdf", 1) == "a (1).pdf"
    assert numbered("README", 2) == "README (2)"


@pytest.mark.parametrize(
    ("text", "size"), [("25MB", 25 * 2**20), ("800KB", 800 * 1024), ("1GB", 2**30), ("12", 12)]
)
def test_sizes(text: str, size: int) -> None:
    assert parse_size(text) == size


def test_the_attachment_limit_is_25_mb_by_default_and_checked() -> None:
    assert MailConfig().max_attachment_size_bytes == 25 * 2**20
    assert MailConfig(max_attachment_size="1MB").max_attachment_size_bytes == 2**20
    with pytest.raises(ValueError, match="not a size"):
        MailConfig(max_attachment_size="lots")
