"""Stage 1: bytes in any encoding to text (boilerml.decode)."""

from __future__ import annotations

import codecs

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from boilerml.decode import Decoded, declared_charset, decode, normalise_charset

ZH_BODY = (
    "<body><p>这是一个关于中国经济发展的新闻报道，记者表示今年的增长速度很快。"
    "我们认为这一趋势将会持续下去。</p></body></html>"
)
ZH_TRAD_BODY = "<body><p>這是一個關於台灣經濟發展的新聞報導，記者表示今年的成長速度很快。</p></body></html>"
JA_BODY = "<body><p>これは日本語のテキストです。東京は今日も晴れです。</p></body></html>"


def _codec(name: str) -> str:
    return codecs.lookup(name).name


# --- byte-order marks -------------------------------------------------------------------


def test_utf8_bom_is_stripped_and_wins():
    result = decode(codecs.BOM_UTF8 + "<p>café 中文</p>".encode())
    assert result == Decoded("<p>café 中文</p>", "utf-8", "bom")


def test_utf8_bom_wins_over_a_conflicting_declaration():
    page = '<meta charset="iso-8859-1"><p>naïve</p>'
    result = decode(codecs.BOM_UTF8 + page.encode())
    assert result.text == page
    assert result.source == "bom"


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_utf16_with_bom(codec):
    page = "<html><body><p>héllo 中文 “q”</p></body></html>"
    result = decode(("\ufeff" + page).encode(codec))
    assert result.text == page  # BOM removed, text intact
    assert _codec(result.encoding) == _codec(codec)
    assert result.source == "bom"


@pytest.mark.parametrize("codec", ["utf-32-le", "utf-32-be"])
def test_utf32_with_bom_is_not_mistaken_for_utf16(codec):
    page = "<p>hi 中</p>"
    result = decode(("\ufeff" + page).encode(codec))
    assert result.text == page
    assert _codec(result.encoding) == _codec(codec)


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_bomless_utf16_is_recognised(codec):
    page = "<html><head><title>t</title></head><body><p>hello world 中文</p></body></html>"
    result = decode(page.encode(codec))
    assert result.text == page
    assert _codec(result.encoding) == _codec(codec)


# --- declared charsets ------------------------------------------------------------------


def test_meta_charset_gbk_page_encoded_with_gb18030():
    page = '<html><head><meta charset="gbk"><title>新闻</title></head>' + ZH_BODY
    result = decode(page.encode("gb18030"))
    assert result.text == page
    assert result.encoding == "gb18030"
    assert result.source == "declared"


def test_http_equiv_gb2312_page_encoded_with_gbk():
    page = (
        '<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312">'
        "<title>新闻</title></head>" + ZH_BODY
    )
    result = decode(page.encode("gbk"))
    assert result.text == page
    assert result.encoding == "gb18030"  # gb2312 is read as its superset
    assert result.source == "declared"


def test_gb2312_declared_page_using_characters_outside_gb2312():
    # '镕' and '堃' are GBK-only (not GB2312); a strict gb2312 decode would lose them.
    page = '<html><head><meta charset="gb2312"></head><body><p>朱镕基和王堃在会上发言。</p></body></html>'
    result = decode(page.encode("gbk"))
    assert "朱镕基和王堃" in result.text
    assert "\ufffd" not in result.text


def test_big5_page():
    page = "<html><head><meta charset=big5></head>" + ZH_TRAD_BODY
    result = decode(page.encode("big5"))
    assert result.text == page
    assert result.source == "declared"


def test_shift_jis_page():
    page = "<html><head><meta charset=Shift_JIS></head>" + JA_BODY
    result = decode(page.encode("shift_jis"))
    assert result.text == page
    assert result.source == "declared"


def test_declared_iso_8859_1_is_read_as_windows_1252():
    page = (
        '<html><head><meta charset="iso-8859-1"></head>'
        "<body><p>\u201cQuoted\u201d it\u2019s a caf\u00e9 \u2014 \u20ac5</p></body></html>"
    )
    result = decode(page.encode("cp1252"))
    assert "\u201cQuoted\u201d it\u2019s a caf\u00e9 \u2014 \u20ac5" in result.text
    assert result.encoding == "cp1252"
    assert result.source == "declared"


def test_xml_declaration_is_honoured():
    page = (
        '<?xml version="1.0" encoding="windows-1252"?>'
        "<html><body><p>caf\u00e9 \u201cx\u201d</p></body></html>"
    )
    result = decode(page.encode("cp1252"))
    assert result.text == page
    assert result.encoding == "cp1252"
    assert result.source == "declared"


def test_pure_ascii_page_with_legacy_declaration_uses_declaration():
    result = decode(b"<html><head><meta charset=iso-8859-1></head><body>plain</body></html>")
    assert result.encoding == "cp1252"
    assert result.source == "declared"


# --- no usable declaration --------------------------------------------------------------


def test_undeclared_gbk_page_is_detected():
    page = "<html><head><title>新闻</title></head>" + ZH_BODY
    result = decode(page.encode("gbk"))
    assert result.text == page
    assert result.encoding == "gb18030"
    assert result.source == "detected"


def test_page_wrongly_declaring_utf8_is_detected():
    page = '<html><head><meta charset="utf-8"></head>' + ZH_BODY
    result = decode(page.encode("gbk"))
    assert result.text == page
    assert result.source == "detected"


def test_legacy_declaration_on_valid_utf8_bytes_is_taken_as_utf8():
    page = '<html><head><meta charset="iso-8859-1"></head><body><p>café 中文 “q”</p></body></html>'
    result = decode(page.encode("utf-8"))
    assert result == Decoded(page, "utf-8", "utf-8")


def test_undeclared_utf8():
    page = "<p>Grüße aus Köln, 你好</p>"
    assert decode(page.encode()) == Decoded(page, "utf-8", "utf-8")


def test_declared_utf8_with_one_broken_byte_stays_utf8():
    page = '<html><head><meta charset="utf-8"></head><body><p>' + "Plain text café. " * 50 + "</p>"
    result = decode(page.encode() + b"\xe4\xb8")  # truncated multi-byte character at the end
    assert result.encoding == "utf-8"
    assert result.source == "declared"
    assert result.text.startswith(page)
    assert result.text.endswith("\ufffd")


# --- robustness -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"\xff",
        b"\xff\xfe\x00",
        b"\xfe\xff\xd8\x00",  # lone high surrogate in UTF-16 BE
        b"<p>abc \xff\xfe\x80\x81 def</p>",
        b"\x80\x81\x82\x83\xc0\xc1",
        b"<meta charset=gbk>\x81\xff\x81",
        b"<meta charset=utf-8>\xc3\x28\xa0\xa1",
        b'<?xml version="1.0" encoding="no-such-codec"?>\xfa\xfb',
        b"\x00" * 17,
    ],
)
def test_invalid_bytes_never_raise_and_report_a_real_codec(data):
    result = decode(data)
    assert isinstance(result.text, str)
    codecs.lookup(result.encoding)  # a usable Python codec name
    assert result.source in {"bom", "declared", "utf-8", "detected", "fallback"}


@settings(max_examples=150, deadline=None)
@given(
    prefix=st.sampled_from([b"", codecs.BOM_UTF8, codecs.BOM_UTF16_LE, b"<meta charset=big5>", b"<p>"]),
    body=st.binary(max_size=200),
)
def test_decode_never_raises_on_arbitrary_bytes(prefix, body):
    result = decode(prefix + body)
    assert isinstance(result.text, str)
    codecs.lookup(result.encoding)


def test_str_passes_through_unchanged():
    text = "<p>already \ufffd text 中文</p>"
    result = decode(text)
    assert result == Decoded(text, "str", "str")
    assert result.text is text


def test_bytearray_is_accepted():
    assert decode(bytearray(b"<p>hi</p>")).text == "<p>hi</p>"


# --- helpers ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("label", "expected"),
    [
        ("GB2312", "gb18030"),
        ("gbk", "gb18030"),
        (" ISO-8859-1 ", "cp1252"),
        ("us-ascii", "cp1252"),
        ("Shift_JIS", "cp932"),
        ("big5", "big5hkscs"),
        ("utf8", "utf-8"),
        ("utf-16", "utf-8"),  # an ASCII-readable UTF-16 declaration means UTF-8
        ("koi8-r", "koi8-r"),
        ("no-such-charset", None),
    ],
)
def test_normalise_charset(label, expected):
    assert normalise_charset(label) == expected


def test_declared_charset_forms():
    assert declared_charset(b'<meta charset="UTF-8">') == "utf-8"
    assert declared_charset(b"<meta charset='gbk' />") == "gb18030"
    assert (
        declared_charset(b'<meta http-equiv="Content-Type" content="text/html; charset=Big5">') == "big5hkscs"
    )
    assert declared_charset(b'<?xml version="1.0" encoding="ISO-8859-1"?><html>') == "cp1252"
    assert declared_charset(b"<html><head><title>x</title></head>") is None
    assert declared_charset(b"<meta charset='bogus-x'>") is None


def test_xml_declaration_precedes_meta():
    head = b'<?xml version="1.0" encoding="windows-1251"?><html><head><meta charset="gbk">'
    assert declared_charset(head) == "cp1251"


def test_the_servers_charset_outranks_the_pages_own():
    page = '<html><head><meta charset="iso-8859-1"></head><body><p>新闻中心 首页</p></body></html>'
    data = page.encode("gbk")
    assert decode(data).text != page  # the page's own (wrong) declaration, then detection
    assert decode(data, charset="GBK") == Decoded(page, "gb18030", "declared")  # GBK read as its superset
    assert decode(b"\xef\xbb\xbf" + page.encode("utf-8"), charset="GBK").text == page  # a BOM wins
    # A server that calls everything ISO-8859-1 while the page is UTF-8: UTF-8 wins, as for <meta>.
    assert decode(page.encode("utf-8"), charset="iso-8859-1").text == page
    assert decode(data, charset="no-such-charset").text == decode(data).text  # unknown: ignored
