"""Hand-written hard cases for `parse` with exact expected fields (MAIL-3, MAIL-9)."""

import base64
from datetime import UTC, datetime

from helpdesk_tui.mail.parse import Attachment, parse, to_json


def mail(headers: str, body: bytes = b"body\r\n") -> bytes:
    """A message from `headers` ("Name: value" lines, \\n-separated) and a raw body."""
    head = "\r\n".join(line for line in headers.strip().splitlines())
    return head.encode("utf-8") + b"\r\n\r\n" + body


def test_rfc2047_adjacent_words_across_charsets_and_split_characters() -> None:
    raw = (
        b"From: =?UTF-8?B?SsO2cmc=?= =?ISO-8859-1?Q?_B=E4cker?= <J.Baecker@Example.DE>\r\n"
        b'To: a@x.example, "Doe, John" <john@y.example>\r\n'
        b"Cc: c@z.example (Carl)\r\n"
        b"Subject: =?utf-8?q?AW=3A_=5B=230001234=5D_Dr=C3?=\r\n =?utf-8?q?=BCcker?= kaputt\r\n"
        b"Date: Mon, 02 Jan 2023 10:39:23 +0100\r\n"
        b"Message-ID: <abc@x.example>\r\n"
        b"In-Reply-To: <case-1@helpdesk.example>\r\n"
        b"References: <r1@a> <r2@b>\r\n <case-1@helpdesk.example>\r\n\r\nHallo\r\n"
    )
    parsed = parse(raw)
    assert parsed.subject == "AW: [#0001234] Drücker kaputt"
    assert parsed.from_name == "Jörg Bäcker"
    assert parsed.from_email == "j.baecker@example.de"
    assert parsed.to == ("a@x.example", "john@y.example")
    assert parsed.cc == ("c@z.example",)
    assert parsed.date == datetime(2023, 1, 2, 9, 39, 23, tzinfo=UTC)
    assert parsed.message_id == "abc@x.example"
    assert parsed.in_reply_to == "case-1@helpdesk.example"
    assert parsed.references == ("r1@a", "r2@b", "case-1@helpdesk.example")
    assert parsed.case_number == "0001234"
    assert parsed.body_text == "Hallo\n"
    assert parsed.defects == ()
    assert to_json(parsed)["date"] == "2023-01-02T09:39:23.000Z"


def test_bad_base64_in_an_encoded_word_is_kept_literally() -> None:
    parsed = parse(mail("From: x@y.example\nSubject: =?utf-8?b?!!!?= =?utf-8?b?SGVsbG8?="))
    assert parsed.subject == "=?utf-8?b?!!!?= Hello"
    assert "header: bad base64 in encoded word, kept as text" in parsed.defects


def test_bad_quoted_printable_in_an_encoded_word_keeps_the_text() -> None:
    parsed = parse(mail("From: x@y.example\nSubject: =?utf-8?q?caf=C3=A9_=ZZ_ok?="))
    assert parsed.subject == "café =ZZ ok"


def test_address_comment_form_gives_the_name() -> None:
    parsed = parse(mail("From: Jane@Example.COM (Jane Roe)\nSubject: s"))
    assert (parsed.from_email, parsed.from_name) == ("jane@example.com", "Jane Roe")


def test_rfc2231_filenames_and_inline_images() -> None:
    pdf = base64.encodebytes(b"%PDF-1.4 hello").replace(b"\n", b"\r\n")
    raw = (
        b"From: a@b.example\r\nSubject: files\r\nMIME-Version: 1.0\r\n"
        b"Content-Type: multipart/mixed; boundary=XX\r\n\r\n"
        b"--XX\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nSee attached.\r\n"
        b"--XX\r\nContent-Type: application/pdf\r\n"
        b"Content-Disposition: attachment; filename*=UTF-8''Rechnung%20M%C3%A4rz.pdf\r\n"
        b"Content-Transfer-Encoding: base64\r\n\r\n" + pdf + b"--XX\r\nContent-Type: text/plain\r\n"
        b"Content-Disposition: attachment;\r\n filename*0*=utf-8''sehr%20lange%20;\r\n"
        b" filename*1*=Datei%C3%9F.txt\r\n\r\nlog line\r\n"
        b'--XX\r\nContent-Type: image/png; name="=?utf-8?q?Bild_=C3=BC.png?="\r\n'
        b"Content-ID: <img1>\r\nContent-Transfer-Encoding: base64\r\n\r\niVBORw0KGgo=\r\n"
        b"--XX\r\nContent-Type: image/gif\r\nContent-Disposition: inline\r\n\r\nGIF89a\r\n"
        b"--XX--\r\n"
    )
    parsed = parse(raw)
    assert parsed.body_text == "See attached.\n"
    assert parsed.attachments == (
        Attachment("Rechnung März.pdf", "application/pdf", 14, inline=False),
        Attachment("sehr lange Dateiß.txt", "text/plain", 8, inline=False),
        Attachment("Bild ü.png", "image/png", 8, inline=True),
        Attachment("", "image/gif", 6, inline=True),
    )


def test_undeclared_8bit_body_falls_back_to_cp1252() -> None:
    parsed = parse(b"From: a@b.example\r\nSubject: x\r\n\r\nGr\xfc\xdfe \x93quoted\x94\r\n")
    assert parsed.body_text == "Grüße “quoted”\n"
    assert "text/plain: undeclared charset, decoded as cp1252" in parsed.defects


def test_wrong_declared_charset_is_reported() -> None:
    raw = mail("From: a@b.example\nContent-Type: text/plain; charset=utf-8", b"Gr\xfc\xdfe\r\n")
    parsed = parse(raw)
    assert parsed.body_text == "Grüße\n"
    assert "text/plain: invalid utf-8 data, decoded as cp1252" in parsed.defects


def test_latin1_label_on_utf8_bytes() -> None:
    raw = mail("From: a@b.example\nContent-Type: text/plain; charset=iso-8859-1", "Grüße".encode())
    parsed = parse(raw)
    assert parsed.body_text == "Grüße\n"
    assert "text/plain: declared iso-8859-1 but is utf-8" in parsed.defects


def test_unknown_charset_name() -> None:
    raw = mail("From: a@b.example\nContent-Type: text/plain; charset=x-klingon", "Grüße".encode())
    parsed = parse(raw)
    assert parsed.body_text == "Grüße\n"
    assert "text/plain: unknown charset 'x-klingon', decoded as utf-8" in parsed.defects


def test_undeclared_gbk_and_shift_jis() -> None:
    chinese = "你好，我的打印机坏了。请帮忙。"
    japanese = "こんにちは、プリンターが壊れました。"
    gbk = parse(mail("From: a@b.example", chinese.encode("gbk")))
    sjis = parse(mail("From: a@b.example", japanese.encode("shift_jis")))
    assert gbk.body_text == chinese + "\n"
    assert "text/plain: undeclared charset, decoded as gbk" in gbk.defects
    assert sjis.body_text == japanese + "\n"
    assert "text/plain: undeclared charset, decoded as shift_jis" in sjis.defects


def test_seven_bit_iso_2022_jp_is_decoded_not_passed_through() -> None:
    raw = mail(
        "From: a@b.example\nContent-Type: text/plain; charset=iso-2022-jp\n"
        "Subject: =?iso-2022-jp?B?GyRCJDMkcyRLJEEkTxsoQg==?=",
        "こんにちは".encode("iso-2022-jp"),
    )
    parsed = parse(raw)
    assert (parsed.subject, parsed.body_text) == ("こんにちは", "こんにちは\n")


def test_missing_from_uses_sender_then_reply_to() -> None:
    sender = parse(mail("Sender: Desk Bot <bot@x.example>\nReply-To: r@x.example\nSubject: s"))
    assert (sender.from_email, sender.from_name) == ("bot@x.example", "Desk Bot")
    assert "missing From, used Sender" in sender.defects
    reply_to = parse(mail("Reply-To: R <r@x.example>\nSubject: s"))
    assert reply_to.from_email == "r@x.example"
    assert reply_to.reply_to == ("r@x.example",)
    assert "missing From, used Reply-To" in reply_to.defects
    nobody = parse(mail("Subject: s"))
    assert (nobody.from_email, nobody.from_name) == ("", "")
    assert "missing From" in nobody.defects


def test_mbox_from_line_is_skipped() -> None:
    raw = b"From MAILER-DAEMON Mon Jan  2 10:00:00 2023\r\n" + mail(
        "From: a@b.example\nSubject: mbox"
    )
    parsed = parse(raw)
    assert (parsed.subject, parsed.from_email, parsed.body_text) == (
        "mbox",
        "a@b.example",
        "body\n",
    )
    assert "mbox 'From ' line skipped" in parsed.defects
    assert parsed.size == len(raw)


def test_multipart_without_boundary_keeps_its_text() -> None:
    parsed = parse(mail("From: a@b.example\nContent-Type: multipart/mixed", b"plain text kept\r\n"))
    assert parsed.body_text == "plain text kept\n"
    assert "multipart without boundary, kept as text" in parsed.defects


def test_multipart_with_wrong_boundary_keeps_its_text() -> None:
    body = b"--BBB\r\nContent-Type: text/plain\r\n\r\nstill here\r\n--BBB--\r\n"
    parsed = parse(mail("From: a@b.example\nContent-Type: multipart/mixed; boundary=AAA", body))
    assert "still here" in parsed.body_text
    assert "multipart boundary never found, kept as text" in parsed.defects


def test_missing_closing_boundary() -> None:
    body = b"--A\r\nContent-Type: text/plain\r\n\r\ntruncated mail"
    parsed = parse(mail("From: a@b.example\nContent-Type: multipart/mixed; boundary=A", body))
    assert parsed.body_text == "truncated mail\n"
    assert "closing multipart boundary missing" in parsed.defects


def test_forwarded_message_is_included_readably() -> None:
    body = (
        b"--F\r\nContent-Type: text/plain\r\n\r\nSee below.\r\n"
        b"--F\r\nContent-Type: message/rfc822\r\n\r\nFrom: Customer <c@y.example>\r\n"
        b"Subject: =?utf-8?q?Drucker_h=C3=A4ngt?=\r\nDate: Mon, 02 Jan 2023 10:00:00 +0000\r\n"
        b"\r\nMy printer is stuck.\r\n--F--\r\n"
    )
    parsed = parse(mail("From: agent@x.example\nContent-Type: multipart/mixed; boundary=F", body))
    assert parsed.body_text == (
        "See below.\n\n---------- Forwarded message ----------\n"
        "From: Customer <c@y.example>\nDate: Mon, 02 Jan 2023 10:00:00 +0000\n"
        "Subject: Drucker hängt\n\nMy printer is stuck.\n"
    )
    assert parsed.quote_start is None  # a forward is content, not quoted history


def test_html_only_mail_is_converted() -> None:
    html = b"<html><body><p>Hello <b>there</b></p><ul><li>one</li><li>two</li></ul>"
    html += b"<script>steal()</script></body></html>"
    parsed = parse(mail("From: a@b.example\nContent-Type: text/html; charset=utf-8", html))
    assert parsed.body_text == "Hello there\n\n  * one\n  * two\n"


def test_html_charset_from_meta_tag() -> None:
    html = b'<html><head><meta charset="windows-1252"></head><body>Gr\xfc\xdfe</body></html>'
    parsed = parse(mail("From: a@b.example\nContent-Type: text/html", html))
    assert parsed.body_text == "Grüße\n"
    assert parsed.defects == ("missing Date header",)


def _alternative(plain: bytes) -> bytes:
    body = b"--A\r\nContent-Type: text/plain\r\n\r\n" + plain + b"\r\n"
    body += b"--A\r\nContent-Type: text/html\r\n\r\n<p>From HTML</p>\r\n--A--\r\n"
    return mail("From: a@b.example\nContent-Type: multipart/alternative; boundary=A", body)


def test_alternative_prefers_plain_unless_it_is_empty() -> None:
    assert parse(_alternative(b"From plain")).body_text == "From plain\n"
    assert parse(_alternative(b"  ")).body_text == "From HTML\n"


def test_several_text_parts_are_joined_in_order() -> None:
    body = (
        b"--M\r\nContent-Type: text/plain\r\n\r\nfirst\r\n"
        b"--M\r\nContent-Type: text/html\r\n\r\n<p>second</p>\r\n"
        b"--M\r\nContent-Type: text/plain\r\nContent-Disposition: inline\r\n\r\nthird\r\n--M--\r\n"
    )
    parsed = parse(mail("From: a@b.example\nContent-Type: multipart/mixed; boundary=M", body))
    assert parsed.body_text == "first\n\nsecond\n\nthird\n"


def test_nul_characters_are_removed_with_a_defect() -> None:
    parsed = parse(b"From: a@b.example\r\nSubject: nul\x00here\r\n\r\nbo\x00dy\r\n")
    assert (parsed.subject, parsed.body_text) == ("nulhere", "body\n")
    assert "NUL characters removed from subject" in parsed.defects
    assert "NUL characters removed from body" in parsed.defects


def test_control_characters_other_than_nul_are_kept_for_the_display_layer() -> None:
    parsed = parse(mail("From: a@b.example\nSubject: \x1b[31mred", b"\x1b]0;title\x07x\r\n"))
    assert parsed.subject == "\x1b[31mred"
    assert parsed.body_text == "\x1b]0;title\x07x\n"


def test_quote_start_positions() -> None:
    body = b"Thanks!\r\n\r\nOn Mon, 2 Jan 2023 at 10:00, Help <h@x.example> wrote:\r\n> old\r\n"
    assert parse(mail("From: a@b.example", body)).quote_start == 9
    german = b"Danke\r\n\r\nAm 02.01.2023 um 10:00 schrieb Help <h@x.example>:\r\n> alt\r\n"
    assert parse(mail("From: a@b.example", german)).quote_start == 7
    outlook = b"Danke\r\n\r\nVon: Help <h@x.example>\r\nGesendet: Montag\r\nAn: x\r\n\r\nalt\r\n"
    assert parse(mail("From: a@b.example", outlook)).quote_start == 7
    original = b"Ok\r\n-----Original Message-----\r\nFrom: x\r\n"
    assert parse(mail("From: a@b.example", original)).quote_start == 3
    trailing = b"Yes.\r\n\r\n> question?\r\n>\r\n>> older\r\n"
    assert parse(mail("From: a@b.example", trailing)).quote_start == 6
    interleaved = b"> question?\r\nanswer\r\n"
    assert parse(mail("From: a@b.example", interleaved)).quote_start is None
    assert parse(mail("From: a@b.example", b"no quote\r\n")).quote_start is None


def test_noise_kinds() -> None:
    def kind(headers: str, own: tuple[str, ...] = ()) -> str | None:
        return parse(mail(headers), own_domains=own).noise

    assert kind("From: a@b.example\nAuto-Submitted: auto-replied") == "auto_reply"
    assert kind("From: a@b.example\nAuto-Submitted: no") is None
    assert kind("From: a@b.example\nX-Autoreply: yes") == "auto_reply"
    assert kind("From: a@b.example\nX-Autorespond: yes") == "auto_reply"
    assert kind("From: a@b.example\nX-Auto-Response-Suppress: DR, OOF") == "auto_reply"
    assert kind("From: a@b.example\nX-Auto-Response-Suppress: DR") is None
    assert kind("From: a@b.example\nPrecedence: bulk") == "bulk"
    assert kind("From: a@b.example\nPrecedence: junk") == "bulk"
    assert kind("From: a@b.example\nPrecedence: list") == "list"
    assert kind("From: a@b.example\nList-Id: <x.lists.example>") == "list"
    assert kind("From: a@b.example\nList-Unsubscribe: <mailto:u@x>") == "list"
    assert kind("From: a@b.example\nReturn-Path: <>") == "bounce"
    assert kind("From: MAILER-DAEMON@mx.example") == "bounce"
    assert kind("From: postmaster@mx.example") == "bounce"
    report = "From: a@b.example\nContent-Type: multipart/report; report-type=delivery-status"
    assert kind(report) == "bounce"
    assert kind("From: a@b.example\nReturn-Path: <>\nAuto-Submitted: auto-replied") == "auto_reply"
    own_id = "From: a@b.example\nMessage-ID: <case-1@HelpDesk.Example>"
    assert kind(own_id, ("helpdesk.example",)) == "own"
    assert kind(own_id) is None
    assert kind("From: a@b.example") is None
    parsed = parse(mail("From: a@b.example\nPrecedence: bulk"))
    assert parsed.auto_submitted
    assert to_json(parsed)["auto_submitted"] is True


def test_bounce_report_status_part_is_an_attachment() -> None:
    status = (
        b"--R\r\nContent-Type: message/delivery-status\r\n\r\n"
        b"Reporting-MTA: dns; mx.example\r\n\r\nFinal-Recipient: rfc822; x@y.example\r\n"
        b"Status: 5.1.1\r\n--R--\r\n"
    )
    human = b"--R\r\nContent-Type: text/plain\r\n\r\nDelivery failed.\r\n"
    headers = "From: MAILER-DAEMON@mx.example\nContent-Type: multipart/report; boundary=R"
    parsed = parse(mail(headers, human + status))
    assert parsed.noise == "bounce"
    assert parsed.body_text == "Delivery failed.\n"
    assert parsed.attachments == (
        Attachment("delivery-status.txt", "message/delivery-status", 83, inline=False),
    )
    # a report without a human-readable part still shows what it says
    bare = parse(mail(headers, status))
    assert bare.body_text == (
        "Reporting-MTA: dns; mx.example\n\nFinal-Recipient: rfc822; x@y.example\nStatus: 5.1.1\n"
    )


def test_huge_mail_is_capped_with_a_defect() -> None:
    line = b"x" * 99 + b"\r\n"
    parsed = parse(mail("From: a@b.example\nSubject: big", line * 60_000))  # ~6 MB
    assert len(parsed.body_text) == 1_000_000
    assert "text part cut to 4,000,000 bytes" in parsed.defects
    assert "body text cut to 1,000,000 characters" in parsed.defects


def test_bad_dates() -> None:
    assert "unparseable Date header 'Whenever'" in parse(mail("Date: Whenever")).defects
    naive = parse(mail("Date: Mon, 02 Jan 2023 10:00:00 -0000"))
    assert naive.date == datetime(2023, 1, 2, 10, 0, tzinfo=UTC)
    assert parse(mail("Date: Mon, 02 Jan 2023 10:00:00 +9999")).date is None


def test_empty_and_garbage_input() -> None:
    empty = parse(b"")
    assert (empty.body_text, empty.size, empty.defects[0]) == ("", 0, "empty message")
    garbage = parse(bytes(range(256)) * 4)
    assert isinstance(garbage.body_text, str)
    assert "\x00" not in garbage.body_text


def test_absurd_mime_nesting_keeps_headers_and_raw_body() -> None:
    levels = b"".join(
        b"Content-Type: multipart/mixed; boundary=B%d\r\n\r\n--B%d\r\n" % (i, i)
        for i in range(3000)
    )
    parsed = parse(b"From: a@b.example\r\nSubject: deep\r\n" + levels)
    assert (parsed.subject, parsed.from_email) == ("deep", "a@b.example")
    assert "MIME nesting too deep, body shown raw" in parsed.defects
    assert parsed.body_text.startswith("--B0\n")


def test_links_in_html_mail_show_where_they_go() -> None:
    html = (
        b'<p>Bitte <a href="https://portal.example/t/42">hier klicken</a>, siehe '
        b'<a href="https://portal.example/x">https://portal.example/x</a>, '
        b'<a href="#oben">nach oben</a>, <a href="mailto:k@acme.example">k@acme.example</a>, '
        b'<a href="https://img.example/1"><img src="x.png"></a></p>'
    )
    parsed = parse(mail("From: a@b.example\nContent-Type: text/html; charset=utf-8", html))

    assert parsed.body_text == (
        "Bitte hier klicken <https://portal.example/t/42>, siehe https://portal.example/x,"
        " nach oben, k@acme.example, <https://img.example/1>\n"
    )
