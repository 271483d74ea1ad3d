"""Stage 1: bytes in any encoding to text.

The order follows what browsers do: a byte-order mark wins; then the charset the page
declares (``<meta charset>``, ``http-equiv`` content type, XML declaration), read with the
WHATWG label aliases (``iso-8859-1`` is really windows-1252, ``gb2312`` is GB18030); then
UTF-8 when the bytes are valid UTF-8; then statistical detection. Decoding never raises:
undecodable bytes (and lone surrogates in ``str`` input) become U+FFFD and the encoding used
is reported.

:func:`binary_kind` tells binary data (images, PDFs, compressed responses) from pages; the
pipeline refuses it with :class:`BinaryInputError` rather than labelling noise as text.
"""

from __future__ import annotations

import codecs
import logging
import re
from functools import cache
from typing import NamedTuple

logger = logging.getLogger(__name__)

#: How many leading bytes are searched for a charset declaration; browsers pre-scan 1024,
#: but real pages put long scripts before their <meta>, so we look a little further.
DECLARATION_SCAN_BYTES = 4096

#: How many bytes the statistical detector sees; detection cost grows with input and the
#: verdict settles long before this on real pages.
DETECTION_SAMPLE_BYTES = 64 * 1024

#: Share of replacement characters above which a declared charset is considered a lie.
MAX_REPLACEMENT_SHARE = 0.01

_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF32_LE, "utf-32-le"),  # must precede UTF-16 LE: it starts with the same bytes
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)

_META_CHARSET = re.compile(rb"""<meta[^>]{0,512}?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]{1,40})""", re.I)
_XML_ENCODING = re.compile(rb"""^\s*<\?xml[^>]{0,200}?encoding\s*=\s*["']([A-Za-z0-9_.:-]{1,40})""", re.I)

#: Labels that browsers read as a wider superset; decoding with the superset is always right
#: and avoids errors on the characters real pages use beyond the declared set.
_SUPERSETS = {
    "iso-8859-1": "cp1252",
    "latin-1": "cp1252",
    "latin1": "cp1252",
    "l1": "cp1252",
    "us-ascii": "cp1252",
    "ascii": "cp1252",
    "ansi_x3.4-1968": "cp1252",
    "iso-8859-9": "cp1254",
    "iso-8859-11": "cp874",
    "tis-620": "cp874",
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "gb_2312-80": "gb18030",
    "x-gbk": "gb18030",
    "cp936": "gb18030",
    "big5": "big5hkscs",
    "x-x-big5": "big5hkscs",
    "shift_jis": "cp932",
    "shift-jis": "cp932",
    "sjis": "cp932",
    "x-sjis": "cp932",
    "windows-31j": "cp932",
    "euc-kr": "cp949",
    "ks_c_5601-1987": "cp949",
    "utf8": "utf-8",
    "unicode-1-1-utf-8": "utf-8",
    # A page cannot be read as ASCII to find a UTF-16 declaration unless it is not UTF-16,
    # so browsers take such a declaration to mean UTF-8.
    "utf-16": "utf-8",
    "utf-16le": "utf-8",
    "utf-16be": "utf-8",
}

#: Codecs Python knows that no page can be decoded with: they are not text encodings
#: (``rot13``, ``base64``, ``zlib``: ``bytes.decode`` refuses them), always fail
#: (``undefined``), refuse the replacement error handler (``idna``), or turn the page's bytes
#: into something other than its characters (escape decoders, UTF-7, which browsers dropped).
_UNUSABLE_CODECS = frozenset(
    ["undefined", "idna", "punycode", "unicode-escape", "raw-unicode-escape", "utf-7"]
)

#: How much of a page :func:`binary_kind` inspects.
BINARY_SNIFF_CHARS = 8192

#: Share of control characters (other than whitespace) above which text is taken for binary
#: data: compressed or image bytes decode to about 11 % of them, pages to next to none.
MAX_CONTROL_SHARE = 0.05
#: ... and of at least this many, so that a short page with a few stray NULs stays a page.
MIN_CONTROL_CHARS = 16

#: Leading bytes of formats that arrive where pages are expected: a crawler following a link
#: to an image or a PDF, a compressed response saved without being decompressed.
_BINARY_SIGNATURES: tuple[tuple[re.Pattern[bytes], str], ...] = tuple(
    (re.compile(pattern, re.S), kind)
    for pattern, kind in (
        (rb"\x89PNG\r\n\x1a\n", "PNG image"),
        (rb"\xff\xd8\xff", "JPEG image"),
        (rb"GIF8[79]a", "GIF image"),
        (rb"RIFF....(?:WEBP|WAVE|AVI )", "RIFF media (WebP, WAV, AVI)"),
        (rb"%PDF-", "PDF document"),
        (rb"\x1f\x8b", "gzip data"),
        (rb"PK\x03\x04", "zip archive"),
        (rb"\xfd7zXZ\x00", "xz data"),
        (rb"\x28\xb5\x2f\xfd", "zstd data"),
        (rb"7z\xbc\xaf\x27\x1c", "7z archive"),
        (rb"wOF[F2]", "web font"),
        (rb"\x00asm", "WebAssembly module"),
        (rb"OggS\x00", "Ogg media"),
        (rb"\x1a\x45\xdf\xa3", "Matroska/WebM video"),
    )
)
#: C0 controls other than tab, newline, vertical tab, form feed and carriage return, and DEL.
#: (Not C1: a windows-1252 page read as Latin-1 has them for its curly quotes.)
_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")
_SURROGATE = re.compile("[\ud800-\udfff]")


class BinaryInputError(ValueError):
    """The input is binary data (an image, a PDF, compressed bytes), not a page or text.

    Attributes:
        kind: what the data looks like, e.g. ``"PNG image"`` or ``"11% control characters"``.
    """

    def __init__(self, kind: str) -> None:
        super().__init__(f"the input is binary data ({kind}), not a web page or text")
        self.kind = kind

    def __reduce__(self) -> tuple[type, tuple[str]]:  # pickled as it was made (process pools)
        return (type(self), (self.kind,))


class Decoded(NamedTuple):
    """Result of :func:`decode`.

    Attributes:
        text: the decoded text (U+FFFD where bytes could not be decoded).
        encoding: Python codec name that produced ``text``.
        source: how the encoding was chosen: ``"str"`` (input was text), ``"bom"``,
            ``"declared"`` (by the page, or by the server: ``decode``'s ``charset``),
            ``"utf-8"``, ``"detected"`` or ``"fallback"``.
    """

    text: str
    encoding: str
    source: str


def normalise_charset(label: str) -> str | None:
    """Map a charset label as found in a page to a Python codec name, or None if unknown or
    unusable for pages (``rot13``, ``base64``, ``undefined``, ``utf-7``: see ``_UNUSABLE_CODECS``)."""
    label = label.strip().lower()
    label = _SUPERSETS.get(label, label)
    try:
        info = codecs.lookup(label)
    except LookupError:
        return None
    # _is_text_encoding is how bytes.decode itself tells rot13 or base64 from a text codec.
    if not getattr(info, "_is_text_encoding", True) or info.name in _UNUSABLE_CODECS:
        return None
    return info.name


def declared_charset(head: bytes) -> str | None:
    """The charset a page declares in its first bytes (XML declaration or ``<meta>``), if any."""
    for pattern in (_XML_ENCODING, _META_CHARSET):
        match = pattern.search(head)
        if match:
            codec = normalise_charset(match.group(1).decode("ascii", "replace"))
            if codec:
                return codec
    return None


def _bom_encoding(data: bytes) -> tuple[str, int] | None:
    for bom, codec in _BOMS:
        if data.startswith(bom):
            return codec, len(bom)
    return None


def _bomless_utf16(data: bytes) -> str | None:
    """UTF-16 without BOM shows as a NUL in every other byte of ASCII markup."""
    sample = data[:512]
    if len(sample) < 8:
        return None
    even_nuls = sample[0::2].count(0)
    odd_nuls = sample[1::2].count(0)
    half = len(sample) // 2
    if odd_nuls > 0.4 * half and even_nuls < 0.05 * half:
        return "utf-16-le"
    if even_nuls > 0.4 * half and odd_nuls < 0.05 * half:
        return "utf-16-be"
    return None


@cache
def _windows_1252_c1_table() -> dict[int, str]:
    """Latin-1 code points 0x80-0x9F to their windows-1252 characters; the five bytes cp1252
    leaves undefined keep their C1 code point, as browsers do (Python's codec would fail)."""
    table = {}
    for byte in range(0x80, 0xA0):
        char = bytes([byte]).decode("cp1252", errors="ignore")
        table[byte] = char or chr(byte)
    return table


def _decode_with(data: bytes, codec: str) -> str:
    """Decode with replacement; windows-1252 the browsers' way (every byte maps to something)."""
    if codec == "cp1252":
        return data.decode("latin-1").translate(_windows_1252_c1_table())
    return data.decode(codec, errors="replace")


def _replacement_share(text: str) -> float:
    return text.count("\ufffd") / max(len(text), 1)


def _detect(data: bytes) -> str | None:
    from charset_normalizer import (
        from_bytes,  # imported lazily: only undeclared legacy pages need it
    )

    best = from_bytes(data[:DETECTION_SAMPLE_BYTES]).best()
    if best is None:
        return None
    return normalise_charset(best.encoding)


def _replace_lone_surrogates(text: str) -> str:
    """Lone surrogates (which no encoding can write) as U+FFFD; split pairs are joined."""
    if not _SURROGATE.search(text):
        return text
    logger.debug("replacing lone surrogates in str input with U+FFFD")
    return text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")


def binary_signature(page: bytes | str) -> str | None:
    """The kind of binary data whose signature ``page`` starts with (``"PNG image"``), or None.

    A ``str`` is checked for the same leading bytes through Latin-1 (binary data read as
    ISO-8859-1 text, as HTTP clients do for undeclared responses).
    """
    head = page[:16].encode("latin-1", errors="replace") if isinstance(page, str) else bytes(page[:16])
    for signature, kind in _BINARY_SIGNATURES:
        if signature.match(head):
            return kind
    return None


def control_character_kind(text: str) -> str | None:
    """``"12% control characters"`` when more than :data:`MAX_CONTROL_SHARE` (and at least
    :data:`MIN_CONTROL_CHARS`) of the first :data:`BINARY_SNIFF_CHARS` characters of decoded
    ``text`` are controls other than whitespace, as in decoded binary data; else None."""
    sample = text[:BINARY_SNIFF_CHARS]
    controls = len(_CONTROL_CHARS.findall(sample))
    if controls >= MIN_CONTROL_CHARS and controls > MAX_CONTROL_SHARE * len(sample):
        return f"{controls / len(sample):.0%} control characters"
    return None


def binary_kind(page: bytes | str) -> str | None:
    """What binary data ``page`` is (``"PNG image"``, ``"12% control characters"``), or None
    for a page or text: its :func:`binary_signature`, else the
    :func:`control_character_kind` of the page decoded."""
    return binary_signature(page) or control_character_kind(decode(page).text)


def decode(page: bytes | str, charset: str | None = None) -> Decoded:
    """Turn a page's bytes into text, reporting the encoding used.

    Args:
        page: raw bytes as fetched, or an already decoded ``str`` (returned unchanged, except
            that a leading byte-order mark is dropped and lone surrogates become U+FFFD, as
            happens to bytes).
        charset: the charset the page was served with (the ``charset`` of an HTTP
            ``Content-Type``), if known. As in browsers it outranks the page's own
            declaration, and a byte-order mark outranks both; it is checked against the
            bytes as a declaration is.

    Returns:
        A :class:`Decoded` triple. Never raises on bad bytes.
    """
    if isinstance(page, str):
        # A byte-order mark read as a character (a file opened as "utf-8", not "utf-8-sig")
        # goes, as it does from bytes; left in, it would hide the markup from sniffing.
        text = page[1:] if page.startswith("\ufeff") else page
        return Decoded(_replace_lone_surrogates(text), "str", "str")
    data = bytes(page)
    bom = _bom_encoding(data)
    if bom:
        codec, skip = bom
        return Decoded(data[skip:].decode(codec, errors="replace"), codec, "bom")
    utf16 = _bomless_utf16(data)
    if utf16:
        return Decoded(data.decode(utf16, errors="replace"), utf16, "bom")

    try:
        as_utf8: str | None = data.decode("utf-8")
    except UnicodeDecodeError:
        as_utf8 = None

    declared = (normalise_charset(charset) if charset else None) or declared_charset(
        data[:DECLARATION_SCAN_BYTES]
    )
    if declared and declared != "utf-8":
        # Valid UTF-8 with non-ASCII bytes is almost never a legacy encoding by accident:
        # such pages were re-encoded (by a proxy, a crawler) and kept their old <meta>.
        if as_utf8 is not None and not data.isascii():
            return Decoded(as_utf8, "utf-8", "utf-8")
        text = _decode_with(data, declared)
        if _replacement_share(text) <= MAX_REPLACEMENT_SHARE:
            return Decoded(text, declared, "declared")
        logger.debug("declared charset %s does not fit the bytes; detecting", declared)
    if as_utf8 is not None:
        return Decoded(as_utf8, "utf-8", "utf-8")
    if declared == "utf-8":
        # A UTF-8 page with a few broken bytes (a truncated multi-byte character, a pasted
        # legacy quote) is still UTF-8; detection would misread the whole page for them.
        text = data.decode("utf-8", errors="replace")
        if _replacement_share(text) <= MAX_REPLACEMENT_SHARE:
            return Decoded(text, "utf-8", "declared")
    detected = _detect(data)
    if detected:
        return Decoded(_decode_with(data, detected), detected, "detected")
    if declared:
        return Decoded(_decode_with(data, declared), declared, "declared")
    logger.warning("could not tell the encoding; decoding as UTF-8 with replacements")
    return Decoded(data.decode("utf-8", errors="replace"), "utf-8", "fallback")
