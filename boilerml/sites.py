"""Which web site a corpus page comes from, so that training can hold out whole sites.

Pages of one site share a template: menus, class names, footers. A model that was fitted on
some of a site's pages judges that site's other pages better than it would an unseen site's,
so any step that fits on some pages to predict others (the out-of-fold first pass the second
pass learns from, a held-out estimate) leaks when a site's pages fall on both sides. Grouping
by the key :func:`site_of` returns keeps a site on one side.

The key is a registrable-looking domain (``news.bbc.co.uk`` -> ``bbc.co.uk``), read from, in
order: the corpus's ``url`` field; a DAnIEL page id (``<date>_<host>_<hash>``); the page's
canonical link, ``og:url`` or ``<base href>`` (an archive.org copy gives the archived URL's
host); the host most of the page's absolute links point to. A page with none of these is a
site of its own. :func:`site_key` does the same for any page (a URL given, or none); batch
cleaning with ``site_repeats`` groups pages by it (:mod:`boilerml.repeats`).
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit

from .corpora import Page, read_corpora

#: How far into the page the canonical link, ``og:url`` and ``<base>`` are looked for, in
#: bytes: they belong in the ``<head>``, and the bound keeps the search short on huge pages.
HEAD_BYTES = 256 * 1024
#: Hosts that serve copies of other sites' pages: the site is the archived URL's host.
ARCHIVE_HOSTS = frozenset({"web.archive.org", "web-beta.archive.org", "wayback.archive.org"})
#: Second-level labels under which country domains register sites (``bbc.co.uk``,
#: ``sina.com.cn``), so that three labels, not two, name the site.
COUNTRY_SECOND_LEVELS = frozenset({"ac", "co", "com", "edu", "gov", "ne", "net", "or", "org"})

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


def domain_of(url: str) -> str | None:
    """The site part of an absolute URL's host, or None when it has no host.

    >>> domain_of("http://news.bbc.co.uk/2/hi/7.stm")
    'bbc.co.uk'
    >>> domain_of("https://web.archive.org/web/20050301/http://www.cnn.com/a.html")
    'cnn.com'
    """
    try:
        parts = urlsplit(url.strip())
        host = parts.hostname
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
    labels = host.rstrip(".").split(".")
    keep = 3 if len(labels) >= 3 and len(labels[-1]) == 2 and labels[-2] in COUNTRY_SECOND_LEVELS else 2
    return ".".join(labels[-keep:])


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
            domain = domain_of(found.group(1).decode("latin-1"))
            if domain:
                return domain
    linked = Counter(domain_of(m.decode("latin-1")) for m in _ABSOLUTE_LINK.findall(html))
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
