"""Text cut at every tag read back into blocks (``boilerml/fragments.py``, ``seam_counts.py``)."""

from __future__ import annotations

import json
from importlib import resources

import pytest

import boilerml
from boilerml.fragments import (
    MIN_JOIN_SHARE,
    MIN_SEAMS,
    char_class,
    looks_cut_at_tags,
    rejoined,
    seam_kinds,
)
from boilerml.seam_counts import blocks_of_pieces, cut_at_tags
from boilerml.segment import text_to_lines

#: A made-up news page: a menu, an article whose paragraphs hold links and emphasis, a footer
#: of links between pipes.
PAGE = """<html><head><title>Harbour news</title></head><body>
<ul class="nav"><li><a href="/">Home</a></li><li><a href="/news">News</a></li>
<li><a href="/sport">Sport</a></li><li><a href="/weather">Weather</a></li>
<li><a href="/contact">Contact us</a></li></ul>
<h1>Harbour wall repairs begin</h1>
<p>Repairs to the old <a href="/wall">harbour wall</a> began on Monday, the
<a href="/council">town council</a> said, after winter storms left cottages along the quay
exposed to the sea.</p>
<p>Engineers will use granite quarried inland, and the work is expected to take
<b>eight weeks</b>. Residents who waited two winters for the repairs said they hoped to see it
finished before the autumn tides, according to <a href="/paper">the local paper</a>.</p>
<p>The council's <a href="/plan">harbour plan</a>, published last year, also sets aside money
for a new slipway and for dredging the inner basin, which has silted up since the last
works.</p>
<div class="footer"><a href="/about">About</a> | <a href="/privacy">Privacy</a> |
<a href="/terms">Terms</a> | <a href="/jobs">Jobs</a> | <a href="/ads">Advertise</a></div>
</body></html>"""
FIRST_SENTENCE = (
    "Repairs to the old harbour wall began on Monday, the town council said, after winter "
    "storms left cottages along the quay exposed to the sea."
)


def _cut_page() -> list[str]:
    return cut_at_tags(PAGE).split("\n")


@pytest.mark.parametrize(
    ("char", "expected"),
    [
        ("a", "lower"),
        ("é", "lower"),
        ("Q", "upper"),
        ("Ж", "upper"),
        ("7", "digit"),
        (",", "comma"),
        (".", "stop"),
        (":", "colon"),
        (")", "close"),
        ("(", "open"),
        ("»", "quote"),
        ("|", "dash"),
        ("中", "cjk"),
        ("。", "cjk-stop"),
        ("，", "cjk-comma"),
        ("」", "cjk-close"),
        ("ก", "letter"),
        ("©", "symbol"),
    ],
)
def test_char_class(char, expected):
    assert char_class(char) == expected


def test_seam_kinds_name_both_sides_and_skip_blank_lines():
    kinds = seam_kinds(["Read the", "full report", "", ", published on Monday."])
    assert kinds == ["lower lower few few", None, None]


def test_a_page_cut_at_every_tag_is_read_back_into_its_paragraphs():
    lines = _cut_page()
    assert "harbour wall" in lines  # the cut: the link is a line of its own
    assert looks_cut_at_tags(lines, seam_kinds(lines))
    joined = rejoined(lines)
    assert FIRST_SENTENCE in joined
    # Emphasis and a link before a full stop are set against it, without a space.
    assert any(line.startswith("Engineers") and "take eight weeks. Residents" in line for line in joined)
    assert any(line.endswith("according to the local paper.") for line in joined)
    assert "The council's harbour plan, published last year," in "\n".join(joined)
    # The headline and the menu entries start with capitals: they stay lines of their own.
    assert "Harbour wall repairs begin" in joined
    assert {"Home", "News", "Sport"} <= set(joined)


def test_one_block_per_line_text_is_left_as_it_is():
    dump = [
        "Home",
        "News",
        "Sport",
        "Harbour wall repairs begin",
        FIRST_SENTENCE,
        "Engineers will use granite quarried inland, and the work is expected to take eight weeks.",
        "About | Privacy | Terms",
    ] * 5
    assert len(dump) > MIN_SEAMS
    assert rejoined(dump) is dump


def test_text_without_a_punctuation_led_line_is_left_as_it_is():
    # Cut-looking seams (small letters on both sides), but no line starts with a comma or a
    # full stop under a line that ends no sentence: a dump's lines broken inside sentences.
    lines = ["the harbour wall", "was repaired in", "spring by the", "council"] * 8
    assert rejoined(lines) is lines
    with_one = [*lines, ", which paid for it"]
    assert rejoined(with_one) is not with_one


def test_a_short_text_is_left_as_it_is():
    lines = ["Read the", "report", ", published on Monday."]
    assert len(lines) - 1 < MIN_SEAMS
    assert rejoined(lines) is lines


def test_cjk_pieces_are_joined_without_a_space_and_blank_lines_stop_a_join():
    # Cut Chinese text is joined at its punctuation and brackets; two bare runs of characters
    # were two blocks more often than one on the train pages, so they stay apart.
    pieces = ["港口的防波堤", "，", "周一开始维修", "（", "新华社", "）", ""] * 5
    joined = rejoined(pieces)
    assert joined[:3] == ["港口的防波堤，周一开始维修", "（新华社）", ""]
    assert joined.count("") == 5  # the blank lines are kept, and end each block


def test_text_to_lines_rejoins_only_with_unwrap_and_not_markdown():
    cut = "\n".join(_cut_page())
    rejoined_lines = [line.text for line in text_to_lines(cut)]
    as_written = [line.text for line in text_to_lines(cut, unwrap_wrapped=False)]
    assert FIRST_SENTENCE in rejoined_lines
    assert len(as_written) == len(_cut_page())
    markdown = cut + "\n" + "\n".join(f"[entry {i}](/e{i})" for i in range(3))
    assert FIRST_SENTENCE not in [line.text for line in text_to_lines(markdown)]


def test_rejoining_is_logged_at_debug_level(caplog):
    cut = "\n".join(_cut_page())
    with caplog.at_level("DEBUG", logger="boilerml.segment"):
        text_to_lines(cut)
        text_to_lines(FIRST_SENTENCE)
    messages = [record.getMessage() for record in caplog.records]
    pieces, blocks = len(_cut_page()), len(rejoined(_cut_page()))
    assert messages == [f"text read as cut at every tag: {pieces} lines into {blocks}"]
    assert blocks == 11  # the title, five menu entries, the headline, three paragraphs, the footer


def test_the_shipped_model_keeps_the_article_of_cut_text_whole():
    cut = "\n".join(_cut_page())
    article = boilerml.clean(cut, input_format="text").split("\n")
    assert FIRST_SENTENCE in article
    assert not {"Home", "Privacy", "|"} & set(article)
    as_written = boilerml.clean(cut, input_format="text", unwrap=False)
    assert FIRST_SENTENCE not in as_written.split("\n")


def test_blocks_of_pieces_follows_the_dump_and_skips_what_it_lacks():
    pieces = ["Title", "Read the", "report", ".", "Menu", "Gone", "Next", "block"]
    blocks = ["Read the report.", "Menu", "Next block", "Other"]
    assert blocks_of_pieces(pieces, blocks) == [None, 0, 0, 0, 1, None, 2, 2]


def test_the_shipped_seam_counts_are_counts_and_join_where_cut_text_joins():
    raw = json.loads(resources.files("boilerml").joinpath("data/seams.json").read_text("utf-8"))
    seams = raw["seams"]
    assert len(seams) > 100
    for kind, counts in seams.items():
        assert len(kind.split()) == 4
        assert len(counts) == 3 and all(isinstance(n, int) and n >= 0 for n in counts)
    joined, apart, _ = seams["lower comma few 1"]  # "... the" / ", published ..." cut at a link
    assert joined / (joined + apart) >= MIN_JOIN_SHARE


def test_page_seams_counts_a_corpus_page(datasets):
    from boilerml.corpora import read_corpora
    from boilerml.seam_counts import page_seams

    page = next(iter(read_corpora(datasets, "train", ["dragnet"])))
    counts = page_seams(page)
    sides = {side for _, side in counts}
    assert sides <= {"joined", "apart", "in_dumps"}
    assert counts.total() > 0
    assert all(len(kind.split()) == 4 for kind, _ in counts)


def test_a_block_of_many_pieces_is_one_line():
    # Each join copies nothing already joined: a block of 200,000 pieces is set together once.
    lines = ["the harbour", ", wall"] * 100_000
    (block,) = rejoined(lines)
    assert block == "the harbour, wall " * 99_999 + "the harbour, wall"
