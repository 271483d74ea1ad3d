"""Hard-wrapped text rejoined into one line per block (``boilerml/unwrap.py``)."""

from __future__ import annotations

import random
import statistics
import subprocess
import sys
import textwrap

import pytest

import boilerml
from boilerml.segment import text_to_lines
from boilerml.unwrap import unwrap

PROSE = (
    "the council said repair of the harbour wall would begin in spring after storms had left "
    "cottages along the quay exposed engineers will use granite quarried inland and residents "
    "who waited two winters for the work hope to see it finished before autumn tides return"
)
WORDS = PROSE.split()


def _prose(rng: random.Random, n_paragraphs: int, words_per_paragraph: int) -> list[str]:
    return [" ".join(rng.choice(WORDS) for _ in range(words_per_paragraph)) for _ in range(n_paragraphs)]


def _wrapped(paragraphs: list[str], width: int, blank_lines: bool) -> list[str]:
    lines: list[str] = []
    for paragraph in paragraphs:
        if blank_lines and lines:
            lines.append("")
        lines.extend(textwrap.wrap(paragraph, width, break_on_hyphens=False))
    return lines


@pytest.mark.parametrize("width", [40, 60, 72, 76, 80, 100, 132])
@pytest.mark.parametrize("blank_lines", [True, False])
def test_greedily_wrapped_prose_is_rejoined_paragraph_for_paragraph(width, blank_lines):
    rng = random.Random(width)
    paragraphs = _prose(rng, 6, 60)
    rejoined = [line for line in unwrap(_wrapped(paragraphs, width, blank_lines)) if line]
    # Without blank lines a paragraph's last line may be joined to the next paragraph when
    # the next word would not have fitted; the words and their order always survive.
    assert " ".join(rejoined).split() == " ".join(paragraphs).split()
    if blank_lines:
        assert rejoined == paragraphs
    else:
        assert len(rejoined) <= len(paragraphs)


def test_text_written_one_block_per_line_is_returned_as_it_is():
    rng = random.Random(1)
    lines = ["Home", "News", "Sport", *_prose(rng, 5, 60), "Share this article", "Copyright 2026"]
    assert unwrap(lines) is lines


def test_a_list_of_titles_of_similar_width_is_not_joined():
    # Rows of a listing: cut at a site's limit and followed alike (a price), or ending alike.
    titles = [f"Ergonomic mesh task chair, high back, model {n:03d} with padded seat" for n in range(12)]
    rows = [line for title in titles for line in (title, f"${100 + 37 * len(title)}.00")]
    assert unwrap(rows) is rows
    teasers = [f"{rng_text[:70]}..." for rng_text in _prose(random.Random(2), 12, 30)]
    with_links = [line for teaser in teasers for line in (teaser, "View this ad")]
    assert unwrap(with_links) is with_links


def test_chinese_wrapped_by_display_width_is_rejoined_without_spaces():
    sentences = [
        "本报讯近日市政府宣布将在明年春季开始修复港口防波堤工程。",
        "预计耗资四亿元，工程师将使用内陆开采的花岗岩。",
        "沿岸居民等待了两个冬天，希望在秋季大潮之前完工。",
        "市议会表示，工程期间码头将部分封闭，渔船改在北港停靠。",
    ]
    rng = random.Random(5)
    paragraphs = ["".join(rng.choice(sentences) for _ in range(6)) for _ in range(3)]
    # 30 characters per line: 60 terminal cells, as a terminal browser wraps Chinese.
    lines = []
    for paragraph in paragraphs:
        lines.extend(paragraph[i : i + 30] for i in range(0, len(paragraph), 30))
        lines.append("")
    assert [line for line in unwrap(lines) if line] == paragraphs


def test_a_word_broken_at_its_hyphen_is_mended():
    words = []
    for i, word in enumerate(WORDS * 3):
        words += [word, "well-known"] if i % 7 == 6 else [word]
    paragraph = " ".join(words)
    lines = textwrap.wrap(paragraph, 48)  # breaks on hyphens, as textwrap does by default
    assert any(line.endswith("well-") for line in lines)  # the case under test occurs
    rejoined = " ".join(unwrap(lines))
    assert rejoined.count("well-known") == paragraph.count("well-known")
    assert "well- known" not in rejoined


def test_text_to_lines_rejoins_unless_told_not_to():
    paragraphs = _prose(random.Random(3), 4, 70)
    text = "\n".join(_wrapped(paragraphs, 72, blank_lines=True))
    assert [line.text for line in text_to_lines(text)] == paragraphs
    as_written = text_to_lines(text, unwrap_wrapped=False)
    assert [line.text for line in as_written] == [line for line in text.splitlines() if line]
    assert [line.blank_before for line in text_to_lines(text)] == [False, True, True, True]


def test_clean_and_the_cli_take_the_option(tmp_path):
    paragraphs = _prose(random.Random(4), 4, 70)
    text = "\n".join(_wrapped(paragraphs, 72, blank_lines=True))
    assert len(boilerml.classify(text, input_format="text")) == 4
    assert len(boilerml.classify(text, input_format="text", unwrap=False)) == text.count("\n") - 2
    source = tmp_path / "wrapped.txt"
    source.write_text(text, "utf-8")
    for extra, expected in (([], 4), (["--no-unwrap"], text.count("\n") - 2)):
        shown = subprocess.run(
            [sys.executable, "-m", "boilerml", "classify", str(source), "--input", "text", *extra],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        assert len(shown.splitlines()) == expected


def test_hard_wrapped_train_pages_clean_about_as_well_as_unwrapped(datasets):
    """Train pages rendered as text dumps, then hard-wrapped at 76 columns (a terminal
    browser's dump): without rejoining, the article's pieces read as navigation (mean token
    F1 0.80 against 0.92 on a sample of 265 train pages)."""
    from boilerml.corpora import read_corpora, render_as_text
    from boilerml.metrics import token_f1
    from boilerml.segment import html_to_lines

    pages = [page for i, page in enumerate(read_corpora(datasets, split="train")) if i % 60 == 0]
    as_blocks, wrapped = [], []
    for page in pages:
        dump = render_as_text(html_to_lines(page.text()), blank_lines=True)
        hard = "\n".join("\n".join(textwrap.wrap(line, 76)) for line in dump.split("\n"))
        as_blocks.append(token_f1(page.content, boilerml.clean(dump, input_format="text"))[2])
        wrapped.append(token_f1(page.content, boilerml.clean(hard, input_format="text"))[2])
    assert len(pages) >= 80
    assert statistics.fmean(wrapped) >= statistics.fmean(as_blocks) - 0.03


def test_markdown_wrapped_by_a_converter_is_rejoined_though_its_menu_and_tables_are_wide():
    # html2text wraps paragraphs at 78 columns but leaves list items, table rows and headings
    # as they are, and moves a link as one word: those lines may be wider than the width.
    menu = [
        f'  * [Section {n}](https://example.com/section-{n}/ "Every story filed under section {n}")'
        for n in range(12)
    ]
    table = ["Team | Played | Won | Drawn | Lost | Points for the whole of the season so far | Rank"] * 3
    paragraphs = _prose(random.Random(5), 4, 60)
    lines = [*menu, "", "# A heading that runs on for longer than the wrapping width of the paragraphs"]
    lines += ["", *table, "", *_wrapped(paragraphs, 78, blank_lines=True)]
    assert max(map(len, menu)) > 78
    rejoined = [line for line in unwrap(lines) if line]
    assert rejoined[-len(paragraphs) :] == paragraphs
    assert rejoined[: len(menu)] == menu


# --- html2text's wrapping (exp85) ---------------------------------------------------------------


def _wrapped_markdown(paragraphs: list[str]) -> list[str]:
    """Paragraphs with links wrapped at 78 columns as html2text does: links are broken like
    words, addresses at their hyphens (Python's textwrap with its defaults)."""
    return _wrapped(paragraphs, 78, blank_lines=True)


def test_a_link_broken_over_lines_is_mended_however_long_its_tail():
    rng = random.Random(7)
    paragraphs = _prose(rng, 5, 50)
    linked = "see [the plans for the harbour wall](https://example.com/harbour-wall-repair-plans-2026) soon"
    paragraphs[2] = f"short note {linked} and more {linked}"
    lines = _wrapped_markdown(paragraphs)
    # The wrapper broke inside the link: a line below starts with its tail, a "word" wider
    # than a quarter of the width, or a line ends inside its address.
    assert any("](" in line.split()[0] and len(line.split()[0]) > 78 / 4 for line in lines if line) or any(
        line.rfind("](") > line.rfind(")") for line in lines
    )
    assert [line for line in unwrap(lines) if line] == paragraphs


def test_a_hard_break_and_an_indented_list_item_end_their_line():
    rng = random.Random(8)
    paragraphs = _prose(rng, 5, 50)
    lines = _wrapped_markdown(paragraphs)
    # html2text writes a <br> as two spaces before the line end, and list items indented.
    first_break = next(i for i, line in enumerate(lines) if line and len(line) > 70)
    lines[first_break] += "  "
    items = ["  * [Harbour](/harbour)", "  * [Quay](/quay)", "     12. [Tides](/tides)"]
    lines[first_break + 1 : first_break + 1] = items
    rejoined = unwrap(lines)
    assert rejoined != lines  # the prose is still found wrapped and rejoined
    at = rejoined.index(items[0])
    assert rejoined[at : at + 3] == items
    assert rejoined[at - 1].endswith("  ")


def test_one_pipe_separator_leaves_a_paragraph_as_it_is_without_hiding_the_wrapping():
    rng = random.Random(9)
    paragraphs = _prose(rng, 4, 60)
    wide = "Weight: 10.7 ounces (303 grams) | Drop: 6 millimeters, measured on the bench by hand"
    lines = [wide, "", wide, "", wide, "", *_wrapped_markdown(paragraphs)]
    assert len(wide) > 78
    assert [line for line in unwrap(lines) if line] == [wide, wide, wide, *paragraphs]


def test_a_short_article_with_broken_addresses_is_found_wrapped():
    # Too few full lines to count as wrapped by width alone; its broken addresses say it is.
    menu = [f"  * [Section {n}](/section-{n})" for n in range(30)]
    heading = "## [Using workflow templates to start your own work](/docs/how-tos/write-workflows/use-"
    article = [heading, "workflow-templates)", "", "Workflows can automate tasks throughout the software"]
    article += ["development lifecycle.", "", heading, "workflow-templates)"]
    rejoined = unwrap([*menu, "", *article])
    assert rejoined[len(menu) + 1 :] == [
        heading + "workflow-templates)",
        "",
        "Workflows can automate tasks throughout the software development lifecycle.",
        "",
        heading + "workflow-templates)",
    ]


def test_html2text_at_78_columns_reads_as_its_unwrapped_markdown():
    html2text = pytest.importorskip("html2text")
    rng = random.Random(10)

    def paragraph(n: int) -> str:
        words = [rng.choice(WORDS) for _ in range(70)]
        address = f"https://example.com/news/2026/harbour-wall-repair-{n}"
        words[20:24] = [f'<a href="{address}">{" ".join(words[20:24])}</a>']
        return "<p>" + " ".join(words) + ".</p>"

    page = (
        '<ul><li><a href="/news">News</a></li><li><a href="/sport">Sport</a></li></ul>'
        '<h2><a href="https://example.com/news/2026/harbour-wall-repairs-to-begin-in-spring">'
        "Harbour wall repairs to begin in spring, the council says at last</a></h2>"
        + "".join(paragraph(n) for n in range(6))
        + "<p>Weight: 10.7 ounces (303 grams) | Drop: 6 millimeters, measured by hand on a bench</p>"
        + "<p>First line of an address<br>second line of the address</p>"
        + "".join(paragraph(n) for n in range(6, 9))
    )
    unwrapped = html2text.HTML2Text()
    unwrapped.body_width = 0
    wrapped = html2text.HTML2Text().handle(page)
    assert max(map(len, wrapped.splitlines())) <= 90 < max(map(len, unwrapped.handle(page).splitlines()))
    as_lines = [line.text for line in text_to_lines(wrapped)]
    assert as_lines == [line.text for line in text_to_lines(unwrapped.handle(page))]


def test_a_line_that_starts_with_a_whole_link_is_no_links_tail():
    rng = random.Random(11)
    paragraphs = _prose(rng, 5, 50)
    lines = _wrapped_markdown(paragraphs)
    # A short line (a paragraph's last) above a line that starts with a whole link: two blocks.
    menu = ["Read more", "[News](https://example.com/news)", "[Sport](https://example.com/sport)"]
    text = [*lines, "", *menu]
    rejoined = unwrap(text)
    assert rejoined is not text  # the prose was found wrapped and rejoined
    assert rejoined[-3:] == menu


def test_a_blank_line_after_a_broken_address_still_ends_the_block():
    rng = random.Random(12)
    paragraphs = _prose(rng, 5, 50)
    broken = ["see [the plans](https://example.com/harbour-", "wall-plans) for details"]
    lines = [*_wrapped_markdown(paragraphs), "", *broken, "", "Next paragraph."]
    lines += ["", broken[0], "", "The end."]  # an address broken before a blank line: kept apart
    rejoined = unwrap(lines)
    mended = "see [the plans](https://example.com/harbour-wall-plans) for details"
    assert rejoined[-7:] == [mended, "", "Next paragraph.", "", broken[0], "", "The end."]


def test_a_block_of_many_pieces_is_joined_whole():
    # Every line but the last ends inside a link's address (broken at a hyphen): one block of
    # 20,000 pieces, set together once, with nothing between a hyphen and the word after it.
    first = "words [a](https://example.com/harbour-wall-repairs-"
    middle = "begin) then [b](https://example.com/harbour-wall-repairs-"
    (block,) = unwrap([first, *[middle] * 19_998, "end)"])
    assert block == first + middle * 19_998 + "end)"
