"""Web archives: which records are pages, how they are decoded, and ``boilerml clean`` on them."""

from __future__ import annotations

import gzip
import io
import json
import logging
import subprocess
import sys

import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from boilerml.cli import EXIT_INPUT_FAILED, EXIT_OK, main
from boilerml.warc import ArchiveError, looks_like_archive, read_archive

CHINESE_PAGE = "<html><body><h1>山区小学建起第一座图书馆</h1><p>{}</p></body></html>"


def _chunked(body: bytes) -> bytes:
    """``body`` in HTTP/1.1 chunked transfer coding, in chunks of 1,000 bytes."""
    chunks = [body[i : i + 1000] for i in range(0, len(body), 1000)]
    return b"".join(b"%x\r\n%s\r\n" % (len(chunk), chunk) for chunk in chunks) + b"0\r\n\r\n"


def _response(writer, url, body, content_type, status="200 OK", extra_headers=()):
    headers = StatusAndHeaders(status, [("Content-Type", content_type), *extra_headers], protocol="HTTP/1.1")
    return writer.create_warc_record(url, "response", payload=io.BytesIO(body), http_headers=headers)


def _archive(records, compress=True) -> bytes:
    """An archive of the records that ``records(writer)`` makes."""
    out = io.BytesIO()
    writer = WARCWriter(out, gzip=compress)
    for record in records(writer):
        writer.write_record(record)
    return out.getvalue()


@pytest.fixture
def crawl(news_html, chinese_text) -> bytes:
    """A WARC as a crawler writes it: pages among requests, images, redirects and errors."""
    article = "".join(line for line in chinese_text.splitlines() if len(line) > 40)
    chinese = CHINESE_PAGE.format(article).encode("gbk")  # no <meta>: only the server says GBK

    def records(writer):
        yield writer.create_warc_record("https://news.example/a", "request", payload=io.BytesIO(b"GET /a"))
        yield _response(writer, "https://news.example/a", news_html, "text/html; charset=utf-8")
        yield _response(writer, "https://news.example/logo.png", b"\x89PNG\r\n", "image/png")
        yield _response(writer, "https://news.example/old", b"<p>Moved</p>", "text/html", status="301 Moved")
        yield _response(
            writer, "https://news.example/gone", b"<p>Not found</p>", "text/html", status="404 Not Found"
        )
        yield _response(writer, "https://zh.example/b", chinese, 'text/html; charset="GBK"')
        compressed = _chunked(gzip.compress(news_html))
        coded = (("Content-Encoding", "gzip"), ("Transfer-Encoding", "chunked"))
        yield _response(writer, "https://news.example/c", compressed, "text/html", extra_headers=coded)

    return _archive(records)


@pytest.fixture
def wet(chinese_text) -> bytes:
    def records(writer):
        yield writer.create_warc_record(
            "https://zh.example/b",
            "conversion",
            payload=io.BytesIO(chinese_text.encode("utf-8")),
            warc_content_type="text/plain",
        )

    return _archive(records)


def test_archives_are_told_from_pages(crawl, news_html):
    assert looks_like_archive(crawl[:512])
    plain = _archive(lambda writer: [_response(writer, "https://a.example/", news_html, "text/html")], False)
    assert looks_like_archive(plain[:512])
    assert not looks_like_archive(news_html[:512])
    assert not looks_like_archive(gzip.compress(news_html)[:512])
    assert not looks_like_archive(b"")


def test_only_successful_html_responses_and_text_records_are_pages(crawl, wet, news_html):
    pages = list(read_archive(io.BytesIO(crawl)))
    assert [page.url for page in pages] == [
        "https://news.example/a",
        "https://zh.example/b",
        "https://news.example/c",
    ]
    assert {page.input_format for page in pages} == {"html"}
    assert all(page.record_id.startswith("<urn:uuid:") and page.date for page in pages)
    assert pages[0].page == news_html.decode("utf-8")
    assert pages[2].page == pages[0].page  # gzip and chunks undone
    assert "山区小学建起第一座图书馆" in pages[1].page  # decoded as the server said, not guessed
    (text,) = read_archive(io.BytesIO(wet))
    assert text.input_format == "text" and text.page.startswith("首页")


def test_clean_writes_one_json_line_per_page(crawl, wet, tmp_path, capsys):
    (tmp_path / "crawl.warc.gz").write_bytes(crawl)
    (tmp_path / "crawl.warc.wet.gz").write_bytes(wet)
    assert main(["clean", str(tmp_path / "crawl.warc.gz")]) == EXIT_OK
    records = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [record["url"] for record in records] == [
        "https://news.example/a",
        "https://zh.example/b",
        "https://news.example/c",
    ]
    assert "Work began on Monday" in records[0]["text"] and "Privacy policy" not in records[0]["text"]
    assert records[2]["text"] == records[0]["text"]
    assert "第一座图书馆" in records[1]["text"]
    out = tmp_path / "out"
    assert main(["clean", "--format", "json", "-o", str(out), str(tmp_path)]) == EXIT_OK
    assert sorted(path.name for path in out.iterdir()) == ["crawl.warc.jsonl", "crawl.warc.wet.jsonl"]
    (wet_record,) = [
        json.loads(line) for line in (out / "crawl.warc.wet.jsonl").read_text("utf-8").splitlines()
    ]
    assert wet_record["url"] == "https://zh.example/b"
    assert "第一座图书馆" in wet_record["text"]
    assert "返回顶部" in {line["text"] for line in wet_record["lines"] if not line["kept"]}


@pytest.mark.parametrize("compress", [True, False])
def test_an_archive_cut_short_is_reported_after_its_whole_pages(compress, news_html, tmp_path, capsys):
    def records(writer):
        for i in range(3):
            yield _response(writer, f"https://news.example/{i}", news_html, "text/html")

    whole = _archive(records, compress)
    with pytest.raises(ArchiveError, match="cut short"):
        list(read_archive(io.BytesIO(whole[: len(whole) // 2])))
    (tmp_path / "cut.warc").write_bytes(whole[: len(whole) // 2])
    (tmp_path / "page.html").write_bytes(news_html)
    out = tmp_path / "out"
    assert main(["clean", "-o", str(out), str(tmp_path)]) == EXIT_INPUT_FAILED
    error = capsys.readouterr().err
    assert "cut.warc: cannot read the archive: the archive is cut short" in error
    assert "1 of 2 file(s) failed" in error
    assert sorted(path.name for path in out.iterdir()) == ["cut.jsonl", "page.txt"]
    (record,) = (out / "cut.jsonl").read_text("utf-8").splitlines()  # the one whole page
    assert json.loads(record)["url"] == "https://news.example/0"
    assert list(read_archive(io.BytesIO(whole)))[2].url == "https://news.example/2"
    plain = _archive(records, False)
    cut_in_headers = plain[: plain.index(b"Content-Type")]  # warcio finds no record in it
    with pytest.raises(ArchiveError, match="cut short"):
        list(read_archive(io.BytesIO(gzip.compress(cut_in_headers) if compress else cut_in_headers)))


def test_stray_bytes_after_a_record_are_logged_not_written_to_stderr(news_html, caplog, capsys):
    def records(writer):
        for i in range(3):
            yield _response(writer, f"https://news.example/{i}", news_html, "text/html")

    whole = _archive(records, False)
    first_id = next(read_archive(io.BytesIO(whole))).record_id
    second = whole.index(b"WARC/1", 1)
    # A line of stray bytes between the first record's body and the blank lines that end it,
    # as a wrong Content-Length leaves: warcio reads on, warning about it.
    stray = whole[: second - 4] + b"</html>" + whole[second - 4 :]
    with caplog.at_level(logging.WARNING, logger="boilerml.warc"):
        pages = list(read_archive(io.BytesIO(stray)))
    assert [page.url for page in pages] == [f"https://news.example/{i}" for i in range(3)]
    assert "Content-Length" not in capsys.readouterr().err  # warcio's own warning is silenced
    (warning,) = caplog.records
    assert warning.getMessage().startswith("the archive: a line of stray bytes follows record 1")
    assert first_id in warning.getMessage()


def test_the_command_line_reports_stray_bytes_once_through_its_log(news_html, tmp_path):
    def records(writer):
        for i in range(2):
            yield _response(writer, f"https://news.example/{i}", news_html, "text/html")

    whole = _archive(records, False)
    second = whole.index(b"WARC/1", 1)
    archive = tmp_path / "crawl.warc"
    archive.write_bytes(whole[: second - 4] + b"</html>" + whole[second - 4 :])
    command = [sys.executable, "-m", "boilerml", "clean", "-o", str(tmp_path / "out"), str(archive)]
    # A fresh process, so that the command line sets up logging itself (pytest's is set up already).
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    (line,) = done.stderr.splitlines()
    assert line.startswith(f"WARNING boilerml.warc: {archive}: a line of stray bytes follows record 1")
    assert len((tmp_path / "out" / "crawl.jsonl").read_text("utf-8").splitlines()) == 2


def test_something_else_where_a_record_should_start_is_an_error(news_html):
    def records(writer):
        yield _response(writer, "https://news.example/0", news_html, "text/html")

    with pytest.raises(ArchiveError):
        list(read_archive(io.BytesIO(_archive(records, False) + b"<html>not a record</html>\r\n" * 20)))
    garbled = _archive(records, False).replace(b"WARC-Target-URI", b"WARC-Targxt-URI")  # warcio fails on it
    with pytest.raises(ArchiveError, match="broken"):
        list(read_archive(io.BytesIO(garbled)))


def test_classify_points_an_archive_to_clean(crawl, tmp_path, capsys):
    (tmp_path / "crawl.warc.gz").write_bytes(crawl)
    assert main(["classify", str(tmp_path / "crawl.warc.gz")]) == EXIT_INPUT_FAILED
    assert "boilerml clean --format json" in capsys.readouterr().err


def test_an_archive_on_standard_input_is_refused_not_read_as_one_page(crawl, monkeypatch, capsys):
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(gzip.decompress(crawl))))
    assert main(["clean", "-"]) == EXIT_INPUT_FAILED
    captured = capsys.readouterr()
    assert "give it as a file" in captured.err and captured.out == ""


def test_without_warcio_pages_still_clean_and_archives_say_what_to_install(
    crawl, news_html, tmp_path, monkeypatch, capsys
):
    for module in ("warcio", "warcio.archiveiterator", "warcio.exceptions"):
        monkeypatch.setitem(sys.modules, module, None)  # what an install without the extra has
    (tmp_path / "crawl.warc.gz").write_bytes(crawl)
    (tmp_path / "page.html").write_bytes(news_html)
    assert main(["clean", str(tmp_path)]) == EXIT_INPUT_FAILED
    captured = capsys.readouterr()
    assert "Work began on Monday" in captured.out
    assert 'pip install "boilerml[warc]"' in captured.err
