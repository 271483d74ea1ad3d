"""The site-repeat rule (boilerml.repeats) and batch cleaning with ``site_repeats``."""

from __future__ import annotations

import io
import json

import numpy as np
import pytest

from boilerml.batch import clean_many
from boilerml.cli import main
from boilerml.lines import LabelledLine
from boilerml.pipeline import classify
from boilerml.reassemble import is_kept, reassemble, to_json, to_text
from boilerml.repeats import (
    KEEP_CAP,
    MIN_OTHER_PAGES,
    count_holders,
    line_hashes,
    line_key,
    mark_site_repeats,
    repeats_on_site,
    site_repeat_mask,
)
from boilerml.sites import site_key

SUBSCRIBE = "Subscribe to our newsletter for the latest stories from Example News every single morning."
STORIES = (
    (
        "Floods close the river road",
        "Heavy rain overnight closed the river road, and the council said it would stay shut.",
    ),
    (
        "New library opens its doors",
        "The new library opened on Monday with a reading room, a cafe, and ten thousand books.",
    ),
    (
        "Market hall to be rebuilt",
        "Traders welcomed the plan to rebuild the market hall, though some worried about rents.",
    ),
    (
        "School wins robotics prize",
        "Pupils from the hill school won the regional robotics prize with a sorting machine.",
    ),
)


def _page(title: str, body: str, domain: str = "news.example.com") -> str:
    return f"""<html><head><title>{title}</title>
<link rel="canonical" href="https://{domain}/{title.lower().replace(" ", "-")}"></head><body>
<div class="menu"><a href="/">Home</a> <a href="/world">World</a> <a href="/sport">Sport</a></div>
<p>{SUBSCRIBE}</p>
<h1>{title}</h1>
<p>{body}</p>
<p>{body} Residents, shop owners and visitors all had something to say about it this week.</p>
<footer>Copyright 2024 Example News. All rights reserved.</footer></body></html>"""


@pytest.fixture
def site_pages() -> list[str]:
    return [_page(title, body) for title, body in STORIES]


def _line(text: str, p_content: float) -> LabelledLine:
    label = "content" if p_content >= 0.5 else "navigation"
    return LabelledLine(
        text, label, {"content": p_content, "navigation": 1 - p_content, "ad": 0.0, "comment": 0.0}
    )


def test_line_key_ignores_case_numbers_and_spacing():
    assert line_key("  Posted  12 March 2024 ") == line_key("posted 3 march 1999")
    assert line_key("Page 1 of 20") == "page 0 of 0"
    assert line_key("Posted by Ann") != line_key("Posted by Bob")


def test_repeats_count_other_pages_of_the_same_site_once_each():
    keys = [["menu", "a", "menu"], ["menu", "b"], ["menu", "c"], ["menu", "a"]]
    counts = repeats_on_site(keys, ["x", "x", "x", "y"])
    assert [c.tolist() for c in counts] == [[2, 0, 2], [2, 0], [2, 0], [0, 0]]


def test_mask_needs_enough_pages_and_an_unsure_model():
    repeats = np.array([MIN_OTHER_PAGES, MIN_OTHER_PAGES - 1, MIN_OTHER_PAGES, 0])
    p_content = np.array([0.6, 0.6, KEEP_CAP, 0.99])
    kept = p_content >= 0.5
    chars = np.array([10, 10, 10, 100])
    assert site_repeat_mask(repeats, p_content, kept, chars).tolist() == [True, False, False, False]


def test_guard_spares_a_page_whose_kept_text_is_mostly_repeats():
    repeats = np.array([5, 5, 0])
    p_content = np.array([0.8, 0.8, 0.8])
    kept = np.ones(3, dtype=bool)
    assert site_repeat_mask(repeats, p_content, kept, np.array([10, 10, 100])).tolist() == [True, True, False]
    assert not site_repeat_mask(repeats, p_content, kept, np.array([60, 60, 100])).any()


def test_fingerprints_count_each_page_once_and_keep_sites_apart():
    pages = [(["menu", "menu", "story a"], "x"), (["menu", "story b"], "x"), (["menu"], "y")]
    hashes = [line_hashes(keys, site) for keys, site in pages]
    counts = count_holders(hashes)
    assert counts.holders(hashes[0]).tolist() == [2, 2, 1]
    assert counts.holders(hashes[2]).tolist() == [1]  # another site's "menu"
    assert counts.holders(line_hashes(["never seen", "menu"], "x")).tolist() == [0, 2]
    empty = count_holders([])
    assert empty.holders(line_hashes(["menu"], "x")).tolist() == [0]


def test_marked_lines_are_never_kept_and_say_why():
    pages = [
        [_line("Share this story", 0.7), _line(f"Story number {word} is long and different", 0.95)]
        for word in "abc"
    ]
    kept = [[is_kept(line, ("content",)) for line in page] for page in pages]
    marked = mark_site_repeats(pages, ["site"] * 3, kept)
    share = marked[0][0]
    assert share.site_repeat and share.repeats_on_site == 2
    assert not is_kept(share, ("content",), threshold=0.1)
    assert not is_kept(share, ("content",), threshold=None)
    assert to_text(marked[0]) == to_text(pages[0][1:])
    record = json.loads(to_json(marked[0]))["lines"]
    assert record[0]["site_repeat"] is True and record[0]["repeats_on_site"] == 2 and not record[0]["kept"]
    assert "site_repeat" not in record[1] and "repeats_on_site" not in record[1]
    # Pages of three different sites repeat nothing.
    assert not any(
        line.site_repeat for page in mark_site_repeats(pages, ["a", "b", "c"], kept) for line in page
    )


def test_site_key_prefers_the_url_then_the_page():
    page = _page("A story", "Text.", domain="www.example.co.uk")
    assert site_key(page) == "example.co.uk"
    assert site_key(page, "https://blog.other.org/post") == "other.org"
    assert site_key(page.encode("utf-8")) == "example.co.uk"
    linked = '<p><a href="https://a.example.net/1">x</a> <a href="https://b.example.net/2">y</a></p>'
    assert site_key(linked) == "example.net"
    assert site_key("plain text, one block per line\nno links") is None


def test_a_batch_drops_the_lines_its_site_repeats(site_pages):
    alone = [json.loads(r) for r in clean_many(site_pages, output_format="json")]
    batch = [json.loads(r) for r in clean_many(site_pages, output_format="json", site_repeats=True)]
    dropped = 0
    for before, after in zip(alone, batch, strict=True):
        for old, new in zip(before["lines"], after["lines"], strict=True):
            rule = new["repeats_on_site"] >= MIN_OTHER_PAGES if "repeats_on_site" in new else False
            rule = rule and old["probabilities"]["content"] < KEEP_CAP
            assert new.get("site_repeat", False) == rule
            assert new["kept"] == (old["kept"] and not rule)
            dropped += old["kept"] and rule
        assert SUBSCRIBE not in after["text"]
    assert all(SUBSCRIBE in page["text"] for page in alone)  # the model alone keeps it
    assert dropped >= len(site_pages)


def test_pages_of_different_sites_keep_their_lines(site_pages):
    urls = [f"https://site{i}.example/" for i in range(len(site_pages))]
    assert list(clean_many(site_pages, site_repeats=True, urls=urls)) == list(clean_many(site_pages))


def test_duplicate_pages_keep_their_article(site_pages):
    # Every line of a copied page repeats: the cap and the guard keep its article.
    title, body = STORIES[0]
    for text in clean_many([site_pages[0]] * 4, site_repeats=True):
        assert title in text and body in text


def test_workers_give_what_one_process_gives(site_pages):
    pages = [*site_pages, b"\x89PNG\r\n\x1a\n" + bytes(64)]
    one = list(clean_many(pages, site_repeats=True, return_exceptions=True))
    two = list(clean_many(pages, site_repeats=True, return_exceptions=True, n_jobs=2))
    assert one[:-1] == two[:-1] and type(one[-1]) is type(two[-1]) is not str
    assert all(SUBSCRIBE not in text for text in one[:-1])


def test_a_batch_streams_to_what_the_rule_gives_in_memory(site_pages):
    # The batch writes its labelled pages to a file and counts fingerprints; marking the
    # pages held in memory (mark_site_repeats) must give the same output, here with pages
    # of two sites, one page of which names no site.
    pages = site_pages + [_page(title, body, domain="other.example.org") for title, body in STORIES[:3]]
    pages.append("A plain text page\n" + SUBSCRIBE)
    labelled = [classify(page) for page in pages]
    sites = [site_key(page) or i for i, page in enumerate(pages)]
    kept = [[is_kept(line, ("content",)) for line in page] for page in labelled]
    expected = [reassemble(page, output_format="json") for page in mark_site_repeats(labelled, sites, kept)]
    assert sum('"site_repeat": true' in page for page in expected) >= 6
    assert list(clean_many(pages, output_format="json", site_repeats=True)) == expected


def test_urls_need_site_repeats(site_pages):
    with pytest.raises(ValueError, match="site_repeats"):
        list(clean_many(site_pages, urls=[None] * len(site_pages)))
    with pytest.raises(ValueError):
        list(clean_many(site_pages, site_repeats=True, urls=[None]))


def test_cli_site_repeats_on_a_folder(site_pages, tmp_path, capsys):
    folder = tmp_path / "site"
    folder.mkdir()
    for i, page in enumerate(site_pages):
        (folder / f"{i}.html").write_text(page, "utf-8")
    assert main(["clean", str(folder), "--no-progress"]) == 0
    assert SUBSCRIBE in capsys.readouterr().out
    assert main(["clean", str(folder), "--no-progress", "--site-repeats"]) == 0
    out = capsys.readouterr().out
    assert SUBSCRIBE not in out and all(body in out for _, body in STORIES)


def test_cli_site_names_the_site_of_text_files(tmp_path, capsys):
    # Text saved from one site's pages names no site: --site says which it is.
    folder = tmp_path / "texts"
    folder.mkdir()
    for i, (title, body) in enumerate(STORIES):
        more = f"{body} Residents, shop owners and visitors all had something to say about it this week."
        lines = ["Home", "World", "Sport", SUBSCRIBE, title, body, more, "Copyright 2024 Example News."]
        (folder / f"{i}.txt").write_text("\n".join(lines) + "\n", "utf-8")
    assert main(["clean", str(folder), "--no-progress"]) == 0
    alone = capsys.readouterr().out
    assert SUBSCRIBE in alone
    assert main(["clean", str(folder), "--no-progress", "--site-repeats"]) == 0
    assert capsys.readouterr().out == alone  # they name no site: no page has site mates
    assert main(["clean", str(folder), "--no-progress", "--site-repeats", "--site", "example.com"]) == 0
    out = capsys.readouterr().out
    assert SUBSCRIBE not in out and all(body in out for _, body in STORIES)


def test_cli_site_overrides_what_the_pages_name(site_pages, tmp_path, capsys):
    folder = tmp_path / "two"
    folder.mkdir()
    pages = [site_pages[0], site_pages[1], _page(*STORIES[2], domain="other.example.org")]
    for i, page in enumerate(pages):
        (folder / f"{i}.html").write_text(page, "utf-8")
    assert main(["clean", str(folder), "--no-progress", "--site-repeats"]) == 0
    assert capsys.readouterr().out.count(SUBSCRIBE) == 3  # two sites: too few pages each
    arguments = ["clean", str(folder), "--no-progress", "--site-repeats", "--site", "https://example.net/a"]
    assert main(arguments) == 0
    assert SUBSCRIBE not in capsys.readouterr().out


@pytest.mark.parametrize(
    "arguments, message",
    [(["--site", "example.com"], "--site-repeats"), (["--site-repeats", "--site", "http://"], "host")],
)
def test_cli_site_refuses_misuse(site_pages, tmp_path, capsys, arguments, message):
    page = tmp_path / "page.html"
    page.write_text(site_pages[0], "utf-8")
    assert main(["clean", str(page), "--no-progress", *arguments]) == 2
    assert message in capsys.readouterr().err


def _warc(pages: list[str], urls: list[str]) -> bytes:
    warcio = pytest.importorskip("warcio")
    from warcio.statusandheaders import StatusAndHeaders

    out = io.BytesIO()
    writer = warcio.warcwriter.WARCWriter(out, gzip=True)
    for page, url in zip(pages, urls, strict=True):
        headers = StatusAndHeaders(
            "200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1"
        )
        payload = io.BytesIO(page.encode("utf-8"))
        writer.write_record(writer.create_warc_record(url, "response", payload=payload, http_headers=headers))
    return out.getvalue()


def test_cli_groups_an_archives_pages_by_their_urls(site_pages, tmp_path, capsys):
    one_site = tmp_path / "one.warc.gz"
    one_site.write_bytes(_warc(site_pages, [f"https://www.news.example.com/{i}" for i in range(4)]))
    # The pages name news.example.com, but the records' URLs, which win, are four sites.
    four_sites = tmp_path / "four.warc.gz"
    four_sites.write_bytes(_warc(site_pages, [f"https://site{i}.example/" for i in range(4)]))
    texts = {}
    for archive in (one_site, four_sites):
        assert main(["clean", str(archive), "--no-progress", "--site-repeats"]) == 0
        texts[archive] = [json.loads(line)["text"] for line in capsys.readouterr().out.splitlines()]
    assert len(texts[one_site]) == len(texts[four_sites]) == 4
    assert not any(SUBSCRIBE in text for text in texts[one_site])
    assert all(SUBSCRIBE in text for text in texts[four_sites])
