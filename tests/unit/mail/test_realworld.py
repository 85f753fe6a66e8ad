"""Real-world mail shapes (issue 10, MAIL-9): each fixture in realworld/ is a mail we wrote
in the shape of mail other helpdesks meet (raw 8-bit headers, broken RFC 2047 words, odd
From lines, delivery reports, forwards, junk before the headers, bare CR line ends), and
expected.json holds the fields a reader would agree on."""

import json
from pathlib import Path

import pytest

from helpdesk_tui.mail.parse import parse

FOLDER = Path(__file__).parent / "realworld"
EXPECTED: dict[str, dict[str, object]] = json.loads(
    (FOLDER / "expected.json").read_text(encoding="utf-8")
)


def test_every_fixture_has_expected_fields() -> None:
    assert sorted(EXPECTED) == sorted(path.name for path in FOLDER.glob("*.eml"))


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_fields_match(name: str) -> None:
    want = EXPECTED[name]
    parsed = parse((FOLDER / name).read_bytes())
    got = {
        "subject": parsed.subject,
        "from_email": parsed.from_email,
        "from_name": parsed.from_name,
        "attachments": [[a.filename, a.content_type] for a in parsed.attachments],
    }
    assert got == {key: want[key] for key in got}
    for text in want["body_contains"]:  # type: ignore[attr-defined]
        assert text in parsed.body_text
    assert "\ufffd" not in parsed.subject + parsed.from_name + parsed.body_text


def test_the_slow_path_fixes_stay_linear_on_hostile_input() -> None:
    # a quadratic pattern here would take hours: long runs of CRs, blanks in open words
    crs = parse(b"From: a@b.example\rSubject: s\r" + b"\r" * 2_000_000)
    assert (crs.from_email, crs.subject) == ("a@b.example", "s")
    words = parse(b"From: a@b.example\r\nSubject: =?utf-8?q?" + b" " * 1_000_000 + b"\r\n\r\nx")
    assert words.body_text == "x\n"
