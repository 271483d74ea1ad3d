"""Pages out of web archives: WARC files (the HTML a crawler fetched) and WET files (its text).

This sits beside the pipeline. It turns an archive into pages that :func:`boilerml.clean`,
:func:`boilerml.classify` and :func:`boilerml.clean_many` take, and ``boilerml clean`` uses
it for archive inputs. Reading the format (gzip members, WARC headers, HTTP responses with
chunked or compressed bodies, the older ARC format) is done by ``warcio``, Webrecorder's
reader, which is installed with the ``warc`` extra (``pip install "boilerml[warc]"``).

Which records are pages:

* ``response`` and ``resource`` records (WARC) whose media type is HTML (``text/html``,
  ``application/xhtml+xml``) and, for responses, whose HTTP status is 2xx. They are HTML
  input, decoded with the charset the server sent, which outranks the page's ``<meta>`` as it
  does in browsers (:func:`boilerml.decode.decode`).
* ``conversion`` records (WET: Common Crawl's text of each page, one block per line) whose
  media type is ``text/plain``. They are text input, read as UTF-8.

Everything else (requests, metadata, revisits, images, redirects, errors) is skipped.
"""

from __future__ import annotations

import itertools
import logging
import os
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, BinaryIO, Literal

from .decode import decode

logger = logging.getLogger(__name__)

#: The first bytes of a WARC record; an archive is either that or gzip members holding records.
WARC_MAGIC = b"WARC/"
GZIP_MAGIC = b"\x1f\x8b"
#: How many bytes of a file :func:`looks_like_archive` reads.
SNIFF_BYTES = 512
#: Media types read as HTML pages.
HTML_MEDIA_TYPES = frozenset({"text/html", "application/xhtml+xml"})
#: The media type of WET's text records.
TEXT_MEDIA_TYPE = "text/plain"
#: What to install when warcio is missing.
INSTALL_HINT = 'reading WARC and WET archives needs warcio: pip install "boilerml[warc]"'
#: Bytes read at a time when a skipped record is read to its end.
SKIP_CHUNK_BYTES = 1 << 16


class ArchiveError(ValueError):
    """An archive that cannot be read to its end: cut short (a record ends before its
    declared length) or holding something other than a record where one should start."""


@dataclass(frozen=True, slots=True)
class ArchivedPage:
    """One page of an archive.

    Attributes:
        page: the page as :func:`boilerml.clean` takes it: decoded HTML or the WET text.
        input_format: ``"html"`` for a fetched page, ``"text"`` for a WET record.
        url: the record's ``WARC-Target-URI`` (``""`` if it has none).
        record_id: its ``WARC-Record-ID`` (``""`` if it has none).
        date: its ``WARC-Date`` (``""`` if it has none).
    """

    page: str
    input_format: Literal["html", "text"]
    url: str
    record_id: str
    date: str


def looks_like_archive(head: bytes) -> bool:
    """Whether a file starting with ``head`` (its first :data:`SNIFF_BYTES` bytes or more) is
    a WARC or WET archive, plain or gzipped."""
    if head.startswith(WARC_MAGIC):
        return True
    if not head.startswith(GZIP_MAGIC):
        return False
    try:
        opened = zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(head, len(WARC_MAGIC))
    except zlib.error:
        return False
    return opened.startswith(WARC_MAGIC)


def _media_type(content_type: str | None) -> tuple[str, str | None]:
    """``text/html; charset=GBK`` -> (``"text/html"``, ``"GBK"``)."""
    if not content_type:
        return "", None
    media_type, *parameters = content_type.split(";")
    charset = None
    for parameter in parameters:
        name, _, value = parameter.partition("=")
        if name.strip().lower() == "charset":
            charset = value.strip().strip("\"'") or None
    return media_type.strip().lower(), charset


def _page_of(record: Any) -> tuple[str, Literal["html", "text"]] | None:
    """The page a warcio record holds, and its input format; None when it holds none."""
    kind = record.rec_type
    if kind == "conversion":
        media_type, _ = _media_type(record.rec_headers.get_header("Content-Type"))
        if media_type != TEXT_MEDIA_TYPE:
            return None
        return record.content_stream().read().decode("utf-8", errors="replace"), "text"
    if kind == "response":
        http = record.http_headers
        if http is None or not (http.get_statuscode() or "").startswith("2"):
            return None
        content_type = http.get_header("Content-Type")
    elif kind == "resource":
        content_type = record.rec_headers.get_header("Content-Type")
    else:
        return None
    media_type, charset = _media_type(content_type)
    if media_type not in HTML_MEDIA_TYPES:
        return None
    body = record.content_stream().read()
    return decode(body, charset=charset).text, "html"


def _check_complete(record: Any) -> None:
    """Read what is left of a record and raise :class:`ArchiveError` if it ends before its
    declared length: warcio hands a cut-short last record over as if it were whole."""
    raw = record.raw_stream
    while raw.read(SKIP_CHUNK_BYTES):
        pass
    missing = getattr(raw, "limit", 0)
    if missing:
        name = record.rec_headers.get_header("WARC-Record-ID") or "a record"
        raise ArchiveError(f"the archive is cut short: {name} lacks {missing} of its {record.length} bytes")


def read_archive(source: str | os.PathLike[str] | BinaryIO) -> Iterator[ArchivedPage]:
    """The pages of a WARC or WET archive (plain or gzipped), in archive order, read lazily.

    Args:
        source: a path, or a binary file object open for reading.

    Raises:
        ImportError: warcio is not installed (the ``warc`` extra).
        ArchiveError: the archive is cut short or broken, where that is found (the pages
            before it have been yielded).
        OSError: the file cannot be read.
    """
    try:
        from warcio.archiveiterator import ArchiveIterator
    except ImportError as error:
        raise ImportError(INSTALL_HINT) from error
    if isinstance(source, (str, os.PathLike)):
        with open(source, "rb") as stream:
            yield from read_archive(stream)
        return
    from warcio.exceptions import ArchiveLoadFailed

    class QuietArchiveIterator(ArchiveIterator):
        # warcio writes this warning to sys.stderr itself, past logging and through the CLI's
        # progress bar; it still counts it in err_count, which is logged below instead.
        INC_RECORD = ""

    records = QuietArchiveIterator(source)
    record_id = ""
    strays_logged = 0
    for count in itertools.count():
        try:
            record = next(records, None)
        except Exception as error:  # warcio parsing what is not a record; its errors vary
            raise ArchiveError(f"the archive is broken: {type(error).__name__}: {error}") from error
        if records.err_count > strays_logged:
            strays_logged = records.err_count
            logger.warning(
                "%s: a line of stray bytes follows record %d (%s): its Content-Length may be wrong; "
                "reading went on at the next record",
                getattr(source, "name", "the archive"),  # a file's path; a stream may have none
                count,
                record_id or "no WARC-Record-ID",  # still the record before: strays precede the next
            )
        if record is None:
            if not count:  # warcio finds no record in a file cut inside its first one's headers
                raise ArchiveError("the archive is cut short or empty: it holds no whole WARC record")
            return
        try:
            found = _page_of(record)
            _check_complete(record)
        except (ArchiveLoadFailed, zlib.error, EOFError) as error:  # a body that does not decompress
            raise ArchiveError(f"the archive is broken: {type(error).__name__}: {error}") from error
        headers = record.rec_headers
        record_id = headers.get_header("WARC-Record-ID") or ""
        if found is None:
            continue
        page, input_format = found
        yield ArchivedPage(
            page=page,
            input_format=input_format,
            url=headers.get_header("WARC-Target-URI") or "",
            record_id=record_id,
            date=headers.get_header("WARC-Date") or "",
        )
