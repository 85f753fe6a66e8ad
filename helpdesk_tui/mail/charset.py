"""Bytes → text for mail, whatever the charset label claims (MAIL-9).

Hand-written because neither `email` nor a small library does the whole job: labels are
mapped the way browsers map them (WHATWG: "iso-8859-1" and "us-ascii" really mean
windows-1252, "gb2312" means GB18030, "shift_jis" means cp932), and when a label is
missing, unknown or wrong, the bytes are tried as UTF-8 and then as cp1252, GBK or
Shift_JIS — whichever fits. Every guess is reported as a defect; nothing raises.
"""

import codecs
import re
from functools import lru_cache

# Supersets that real mail clients use when they write the narrower label.
_SUPERSETS = {
    "us-ascii": "cp1252",
    "ascii": "cp1252",
    "iso-8859-1": "cp1252",
    "latin1": "cp1252",
    "latin-1": "cp1252",
    "iso_8859-1": "cp1252",
    "windows-1252": "cp1252",
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "x-gbk": "gb18030",
    "cp936": "gb18030",
    "shift_jis": "cp932",
    "shift-jis": "cp932",
    "sjis": "cp932",
    "x-sjis": "cp932",
    "euc-kr": "cp949",
    "ks_c_5601-1987": "cp949",
    "iso-8859-8-i": "iso-8859-8",
    "utf8": "utf-8",
    "unicode-1-1-utf-8": "utf-8",
}
_SINGLE_BYTE = re.compile(r"^(?:cp12\d\d|iso8859-\d+|koi8-\w|mac-\w+|cp437|cp850)$")
# charsets whose encoded form is (or may be) plain ASCII bytes: no ASCII fast path
_ASCII_ENCODED = re.compile(r"utf-?7|16|32|2022|^hz")
_HIGH_RUN = re.compile(rb"[\x80-\xff]+")
# what the detector may choose from: the 8-bit charsets mail still comes in
_DETECTABLE = [
    "cp1251",
    "koi8_r",
    "koi8_u",
    "iso8859_5",
    "cp866",
    "cp1253",
    "iso8859_7",
    "cp1250",
    "iso8859_2",
    "cp1254",
    "cp1255",
    "cp1256",
    "cp1257",
    "tis_620",
]
_KANA = re.compile("[\u3040-\u30ff]")
_HALFWIDTH_KANA = re.compile("[\uff61-\uff9f]")


@lru_cache(maxsize=256)
def codec_for(label: str | None) -> str | None:
    """The Python text codec for a charset label, or None when it is unknown/not text."""
    if not label:
        return None
    name = label.strip().strip("\"'").lower()
    name = _SUPERSETS.get(name, name)
    try:
        info = codecs.lookup(name)
    except (LookupError, ValueError):
        return None
    # `codecs.lookup` also knows bytes→bytes codecs (base64, zlib, rot13): not charsets.
    if not getattr(info, "_is_text_encoding", True):
        return None
    return info.name


def _strict(data: bytes, codec: str) -> str | None:
    try:
        return data.decode(codec)
    except (UnicodeError, LookupError, ValueError):
        return None


def _looks_cjk(data: bytes) -> int:
    """European 8-bit text has short runs of high bytes; GBK/Shift_JIS text has long ones:
    2 for that, 1 when all runs are whole byte pairs (a short header such as a
    one-character name: only a common CJK reading counts), else 0."""
    runs = _HIGH_RUN.findall(data[:65536])
    if not runs:
        return 0
    high = sum(len(run) for run in runs)
    if high / len(runs) >= 3.0:
        return 2
    return 1 if all(len(run) % 2 == 0 for run in runs) else 0


def _narrow_gb(text: str) -> bool:
    """Whether GBK-decoded text stays within GB2312, the common characters. Shift_JIS
    kanji read as GBK land in GBK's rare extension rows instead."""
    try:
        text.encode("gb2312")
    except UnicodeError:
        return False
    return True


def guess(data: bytes, skip: str | None = None) -> tuple[str, str]:
    """Decode undeclared or mislabelled bytes; returns (text, codec used).

    Order: UTF-8; then, for long runs of high bytes, Shift_JIS when it yields kana, GBK
    when it yields common (GB2312) characters, Shift_JIS without half-width kana, any GBK;
    then cp1252; as a last resort UTF-8 with U+FFFD replacements.
    """
    if skip != "utf-8":
        text = _strict(data, "utf-8")
        if text is not None:
            return text, "utf-8"
    cjk = _looks_cjk(data)
    if cjk:
        sjis = _strict(data, "cp932")
        gbk = _strict(data, "gb18030")
        sjis_plain = sjis is not None and not _HALFWIDTH_KANA.search(sjis)
        if sjis is not None and sjis_plain and _KANA.search(sjis):
            return sjis, "shift_jis"
        if gbk is not None and _narrow_gb(gbk):
            return gbk, "gbk"
        if cjk == 2 and sjis is not None and sjis_plain:
            return sjis, "shift_jis"
        if cjk == 2 and gbk is not None:
            return gbk, "gbk"
        if cjk == 2 and sjis is not None:
            return sjis, "shift_jis"
    detected = _detect(data)
    if detected is not None:
        return detected
    text = _strict(data, "cp1252")
    if text is not None:
        return text, "cp1252"
    return data.decode("utf-8", "replace"), "utf-8 with replacements"


def _detect(data: bytes) -> tuple[str, str] | None:
    """Non-Latin 8-bit text (Cyrillic, Greek, …) by charset-normalizer. Only where most
    letters are high bytes: Western text, the common case, has a few accents among
    ASCII letters and stays with cp1252 (the detector often names a sibling there)."""
    sample = data[:65536]
    high = len(sample) - len(_HIGH_RUN.sub(b"", sample))
    letters = sum(1 for byte in sample if 65 <= byte <= 90 or 97 <= byte <= 122)
    if high < 4 or high < 0.5 * (high + letters):
        return None
    from charset_normalizer import from_bytes  # only odd mail needs it: keep startup lean

    best = from_bytes(sample, cp_isolation=_DETECTABLE).best()
    if best is None:
        return None
    text = _strict(data, best.encoding)
    return (text, best.encoding) if text is not None else None


def decode(data: bytes, label: str | None, defects: list[str], what: str = "text") -> str:
    """Decode `data` declared as `label` (None = undeclared); problems go to `defects`."""
    name = (label or "").strip().strip("\"'").lower()
    if data.isascii() and not _ASCII_ENCODED.search(name):
        return data.decode("ascii")
    if name in ("", "us-ascii", "ascii"):
        text, used = guess(data)
        said = "undeclared charset" if not name else f"8-bit data declared {name}"
        defects.append(f"{what}: {said}, decoded as {used}")
        return text
    codec = codec_for(name)
    if codec is None:
        text, used = guess(data)
        defects.append(f"{what}: unknown charset {name[:40]!r}, decoded as {used}")
        return text
    if _SINGLE_BYTE.match(codec):
        # A single-byte codec decodes any bytes, so a wrong label only shows as valid UTF-8.
        utf8 = _strict(data, "utf-8")
        if utf8 is not None:
            defects.append(f"{what}: declared {name} but is utf-8")
            return utf8
        if codec == "cp1252":
            # the 5 bytes cp1252 leaves undefined are C1 controls in ISO-8859-1
            return data.decode("latin-1") if _strict(data, codec) is None else data.decode(codec)
    strict = _strict(data, codec)
    if strict is not None:
        return strict
    text, used = guess(data, skip=codec)
    defects.append(f"{what}: invalid {name[:40]} data, decoded as {used}")
    return text


def fix_surrogates(text: str, defects: list[str], what: str, hint: str | None = None) -> str:
    """Undo `surrogateescape` (raw 8-bit bytes in headers) by decoding the bytes properly.

    Raw UTF-8 in headers is allowed (RFC 6532), so that case is not a defect. Otherwise
    `hint`, the charset the message (or part) declares for its text, is what the
    sender's client most likely wrote the header in too; then a guess.
    """
    data = text.encode("utf-8", "surrogateescape")
    utf8 = _strict(data, "utf-8")
    if utf8 is not None:
        return utf8
    codec = codec_for(hint) if hint else None
    if codec is not None and codec != "utf-8":
        hinted = _strict(data, codec)
        if hinted is not None:
            defects.append(f"{what}: raw 8-bit bytes, decoded as {hint} (the message's charset)")
            return hinted
    decoded, used = guess(data, skip="utf-8")
    defects.append(f"{what}: raw 8-bit bytes, decoded as {used}")
    return decoded
