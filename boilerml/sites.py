"""Which web site a corpus page comes from, so that training can hold out whole sites.

Pages of one site share a template: menus, class names, footers. A model that was fitted on
some of a site's pages judges that site's other pages better than it would an unseen site's,
so any step that fits on some pages to predict others (the out-of-fold first pass the second
pass learns from, a held-out estimate) leaks when a site's pages fall on both sides. Grouping
by the key :func:`site_of` returns keeps a site on one side.

The key is the host's registrable domain by the Public Suffix List (``news.bbc.co.uk`` ->
``bbc.co.uk``; ``oxblog.blogspot.com`` stays itself, since every blog there is a site of its
own; an IP address is its own site; ``xn--bcher-kva.de`` is ``bücher.de``), read from, in
order: the corpus's ``url`` field; a DAnIEL page id (``<date>_<host>_<hash>``); the page's
canonical link, ``og:url`` or ``<base href>`` (an archive.org copy gives the archived URL's
host); the host most of the page's absolute links point to. A page with none of these is a
site of its own. :func:`site_key` does the same for any page (a URL given, or none); batch
cleaning with ``site_repeats`` groups pages by it (:mod:`boilerml.repeats`).
"""

from __future__ import annotations

import functools
import ipaddress
import re
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from .corpora import Page, read_corpora

#: How far into the page the canonical link, ``og:url`` and ``<base>`` are looked for, in
#: bytes: they belong in the ``<head>``, and the bound keeps the search short on huge pages.
HEAD_BYTES = 256 * 1024
#: Hosts that serve copies of other sites' pages: the site is the archived URL's host.
ARCHIVE_HOSTS = frozenset({"web.archive.org", "web-beta.archive.org", "wayback.archive.org"})

_PAGE_URL_PATTERNS = tuple(
    re.compile(pattern, re.IGNORECASE)
    for pattern in (
        rb"<link\b[^>]*\brel=[\"']?canonical\b[^>]*\bhref=[\"']?([^\"' >]+)",
        rb"<link\b[^>]*\bhref=[\"']?([^\"' >]+)[^>]*\brel=[\"']?canonical\b",
        rb"<meta\b[^>]*\bproperty=[\"']og:url[\"'][^>]*\bcontent=[\"']([^\"']+)",
        rb"<base\b[^>]*\bhref=[\"']?([^\"' >]+)",
    )
)
_ABSOLUTE_LINK = re.compile(rb"\b(?:href|src)=[\"']?(https?://[^\"' >]+)", re.IGNORECASE)
_ARCHIVED_URL = re.compile(r"^/web/[^/]*/(.+)$")

if TYPE_CHECKING:
    from publicsuffixlist import PublicSuffixList


@functools.lru_cache(maxsize=1)
def _public_suffixes() -> PublicSuffixList:
    """The Public Suffix List (ICANN and private sections, as shipped with the package), parsed
    once per process on first use (about 30 ms)."""
    from publicsuffixlist import PublicSuffixList

    return PublicSuffixList()


def _unicode_host(host: str) -> str:
    """The host with its punycode labels decoded and its other labels normalised as IDNA does
    (nameprep: case folded, compatibility forms composed), so that ``xn--bcher-kva.de`` and
    ``BÜCHER.de`` are one site, ``bücher.de``. A host IDNA cannot encode (a label over 63
    characters, a replacement character) is kept as it is."""
    if host.isascii() and "xn--" not in host:
        return host
    try:
        return host.encode("idna").decode("idna")
    except UnicodeError:
        return host


def domain_of(url: str) -> str | None:
    """The site part of an absolute URL's host, or None when it has no host.

    >>> domain_of("http://news.bbc.co.uk/2/hi/7.stm")
    'bbc.co.uk'
    >>> domain_of("https://oxblog.blogspot.com/2004/05/a.html")
    'oxblog.blogspot.com'
    >>> domain_of("http://www.xn--bcher-kva.de/")
    'bücher.de'
    >>> domain_of("https://web.archive.org/web/20050301/http://www.cnn.com/a.html")
    'cnn.com'
    """
    try:
        parts = urlsplit(url.strip())
        host = (parts.hostname or "").rstrip(".")  # "example.com." is example.com
    except ValueError:
        return None
    if not host:
        return None
    if host in ARCHIVE_HOSTS:
        archived = _ARCHIVED_URL.match(parts.path)
        if not archived:
            return None
        inner = archived.group(1)
        return domain_of(inner if "://" in inner else f"http://{inner}")
    try:
        ipaddress.ip_address(host)
    except ValueError:
        host = _unicode_host(host)
        return _public_suffixes().privatesuffix(host) or host
    return host


def site_key(page: str | bytes, url: str | None = None) -> str | None:
    """The site a page comes from, for any page: the domain of ``url`` when given (a WARC
    record's target URI), else of the page's canonical link, ``og:url`` or ``<base href>``,
    else the host most of its absolute links point to; None when there is none of these (a
    text page, a page with only relative links).
    """
    if url:
        domain = domain_of(url)
        if domain:
            return domain
    html = page.encode("utf-8", errors="replace") if isinstance(page, str) else page
    head = html[:HEAD_BYTES]
    for pattern in _PAGE_URL_PATTERNS:
        found = pattern.search(head)
        if found:
            domain = domain_of(found.group(1).decode("utf-8", errors="replace"))
            if domain:
                return domain
    # UTF-8, as a str page is encoded above: an internationalised host reads as itself.
    linked = Counter(domain_of(m.decode("utf-8", errors="replace")) for m in _ABSOLUTE_LINK.findall(html))
    linked.pop(None, None)
    if linked:
        return str(linked.most_common(1)[0][0])
    return None


def corpus_url(page: Page) -> str | None:
    """The URL a corpus records for a page: its ``url`` field, or the host in a DAnIEL id."""
    url = page.extra.get("url")
    if not url and page.dataset == "daniel" and page.page_id.count("_") >= 2:
        url = "http://" + page.page_id.split("_")[1]
    return url


def site_of(page: Page) -> str:
    """The site key of a corpus page (see the module docstring); ``dataset/id`` if none is found."""
    return site_key(page.html, corpus_url(page)) or f"{page.dataset}/{page.page_id}"


def sites_of_split(root: Path, split: str) -> frozenset[str]:
    """The site keys of every page of one split of the corpora in ``root`` (reads them all)."""
    return frozenset(site_of(page) for page in read_corpora(root, split))
