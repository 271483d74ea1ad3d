"""Site keys of corpus pages (training groups pages by site)."""

from __future__ import annotations

import pytest

from boilerml.corpora import Page
from boilerml.sites import domain_of, site_key, site_of


def _page(html: bytes = b"<p>x</p>", dataset: str = "demo", page_id: str = "p1", **extra) -> Page:
    return Page(dataset, page_id, "en", "train", html, "utf-8", "x", None, extra)


@pytest.mark.parametrize(
    ("url", "domain"),
    [
        ("http://news.bbc.co.uk/2/hi/7.stm", "bbc.co.uk"),
        ("https://www.nytimes.com/2010/a.html", "nytimes.com"),
        ("http://finance.sina.com.cn/x", "sina.com.cn"),
        ("https://WWW.Example.ORG:8080/a", "example.org"),
        ("http://localhost/a", "localhost"),
        # Public Suffix List, private section: each blog, each project page is its own site.
        ("https://oxblog.blogspot.com/2004/05/a.html", "oxblog.blogspot.com"),
        ("https://requests.readthedocs.io/en/latest/", "requests.readthedocs.io"),
        # ICANN section: registries that the old two-or-three-label rule got wrong.
        ("http://www.nedo.go.jp/english/a.html", "nedo.go.jp"),
        ("http://www.cps.k12.il.us/a", "cps.k12.il.us"),
        ("http://www.pref.hokkaido.jp/a", "pref.hokkaido.jp"),
        # An internationalised name, a bare public suffix, IP addresses.
        ("http://新闻.新浪.中国/a", "新浪.中国"),
        ("http://xn--efvy88h.xn--efvx5o.xn--fiqs8s/a", "新浪.中国"),  # the same name in punycode
        ("http://WWW.BÜCHER.de/a", "bücher.de"),
        ("http://www.xn--bcher-kva.de/a", "bücher.de"),
        ("http://www.ｂｕｃｈｅｒ.de/a", "bucher.de"),  # full-width letters, as IDNA maps them
        ("http://blogspot.com/", "blogspot.com"),
        ("http://192.168.0.10:8080/a", "192.168.0.10"),
        ("http://[2001:db8::1]/a", "2001:db8::1"),
        ("http://.../a", None),
        ("https://web.archive.org./web/20050301000000/http://www.cnn.com/a.html", "cnn.com"),
        ("https://web.archive.org/web/20050301000000/http://www.cnn.com/a.html", "cnn.com"),
        ("https://web.archive.org/web/20050301000000/www.cnn.com/a.html", "cnn.com"),
        ("https://web.archive.org/about", None),
        ("/relative/path", None),
        ("http://[::1", None),
    ],
)
def test_domain_of(url, domain):
    assert domain_of(url) == domain


def test_the_corpus_url_names_the_site_first():
    html = b'<link rel="canonical" href="https://other.example.net/a">'
    assert site_of(_page(html, url="http://www.guardian.co.uk/world/1")) == "guardian.co.uk"


def test_a_daniel_page_id_names_its_host():
    page = _page(dataset="daniel", page_id="20111101_www.express.gr_6648058818bd")
    assert site_of(page) == "express.gr"


@pytest.mark.parametrize(
    "head",
    [
        b'<link rel="canonical" href="http://blog.example.com/post">',
        b"<link href='http://blog.example.com/post' rel='canonical'>",
        b'<meta property="og:url" content="https://blog.example.com/post">',
        b'<base href="http://blog.example.com/">',
    ],
)
def test_the_page_s_own_url_names_the_site(head):
    html = b"<html><head>" + head + b'</head><body><a href="http://cdn.other.org/x">x</a></body></html>'
    assert site_of(_page(html)) == "example.com"


def test_else_the_host_most_links_point_to():
    links = b'<a href="http://a.example.com/1">1</a><a href="https://b.example.com/2">2</a>'
    html = links + b'<img src="http://cdn.other.org/i.png">'
    assert site_of(_page(html)) == "example.com"


def test_an_internationalised_host_in_a_page_is_the_same_site_as_its_url():
    page = '<link rel="canonical" href="http://新闻.新浪.中国/a"><a href="http://体育.新浪.中国/b">b</a>'
    assert site_key(page) == site_key(page.encode("utf-8")) == "新浪.中国"
    assert site_key(page[page.index("<a") :]) == "新浪.中国"


def test_a_page_without_any_url_is_a_site_of_its_own():
    assert site_of(_page(b"<p>no links</p>", page_id="p7")) == "demo/p7"
