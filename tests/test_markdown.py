"""Markdown text input read as the text it renders to (``boilerml/markdown.py``)."""

from __future__ import annotations

import pytest

import boilerml
from boilerml.markdown import looks_like_markdown, rendered, rendered_line
from boilerml.segment import read_text, segment_with_markdown_flag, text_to_lines


@pytest.mark.parametrize(
    ("line", "text"),
    [
        ("* [News](https://example.com/news/)", "News"),
        ('  - [Sport](/sport "All sport")', "Sport"),
        ("[Tiger (film)](https://en.wikipedia.org/wiki/Tiger_(film))", "Tiger (film)"),
        ("![logo](/static/logo.png)", ""),
        ("[![Home](/img/home.png)](/)", ""),
        ("## Harbour town rebuilds its sea wall ##", "Harbour town rebuilds its sea wall"),
        ("# 山区小学建起第一座图书馆", "山区小学建起第一座图书馆"),
        ("> **Work began** on *Monday*, said `the council`.", "Work began on Monday, said the council."),
        ("1\\. Open the \\[settings\\]", "1. Open the [settings]"),
        ("[1]: https://example.com/a-reference", ""),
        ("* * *", ""),
        ("|---|:---:|", ""),
        ("==========", ""),
        ("Read more at <https://example.com/story>", "Read more at https://example.com/story"),
        ("snake_case_name and 2 * 3 * 4 stay", "snake_case_name and 2 * 3 * 4 stay"),
        ("_The Times_ said, in _italics_.", "The Times said, in italics."),
        ("**_Both_** and __strong__", "Both and strong"),
        ("file_name_ and _x stay, as does a _ b _ c", "file_name_ and _x stay, as does a _ b _ c"),
        ("an escaped \\_name\\_ stays", "an escaped _name_ stays"),
        ("_中文强调_ 与 中_文_字", "中文强调 与 中_文_字"),
        ("  * #### A heading inside a list item", "A heading inside a list item"),
        ("__Home and****more: html2text's empty tags", "Home and more: html2text's empty tags"),
        ("**__Nested__** stays words; a__b stays", "Nested stays words; a__b stays"),
        ("Name: ______ and ______ stay (blanks)", "Name: ______ and ______ stay (blanks)"),
        ("   - - -   ", ""),
        ("\t| :--- | ---: |  ", ""),
        ("--- x", "--- x"),
        ("![a [framed] photo](/p.jpg) Caption", " Caption"),
        (
            "<mailto:desk@example.com> or <http://a<https://example.com/b>",
            "mailto:desk@example.com or <http://ahttps://example.com/b",
        ),
    ],
)
def test_a_markdown_line_renders_to_its_text(line, text):
    assert rendered_line(line) == text


def test_text_without_markdown_links_is_left_as_it_is():
    lines = [
        "# not a heading in plain text",
        "See note [1] (below) and the [draft](version 2) of the plan.",
        "* a plain star bullet",
        "Only one [link](https://example.com/) here.",
    ]
    assert not looks_like_markdown(lines)
    assert rendered(lines) is lines
    # A rule, or pipes and dashes that are not a table's border row, do not make it Markdown.
    assert not looks_like_markdown([*lines, "---", "-----|", "a | b", "| - | - |"])


def test_a_table_border_row_makes_a_text_markdown_without_links():
    # markdownify on a page with one link: the article is a table cell.
    lines = [
        "| **Reproductive behaviour** |",
        "| --- |",
        "| Fishes court before they spawn.  [Back to top](#top) |",
    ]
    assert looks_like_markdown(lines)
    assert rendered(lines) == ["Reproductive behaviour", "", "Fishes court before they spawn.", "Back to top"]


SPANNING_LINKS = [
    "* [Home](https://example.com/)",
    "* [News](https://example.com/news/)",
    "* [Sport](https://example.com/sport/)",
    '* [Rice comes home](/food/rice "Rice of every kind is so common in our kitchens',
    'that we forget where it came from.")',
    "Storms hit the coast ([search](javascript:siteSearch('coastal storms');)), officials said.",
    "[Play video](javascript:void(window.open('https://example.com/v?id=1','player')))",
    "[Subscribe to the alerts sent",
    "when news breaks](https://example.com/alerts)",
    "[Past winners](",
    "https://example.com/winners/)",
    "[Share](mailto:?subject=Storms hit the coast&body=A story)",
]


def test_links_written_across_lines_or_loosely_render_to_their_text_line_for_line():
    out = rendered(SPANNING_LINKS)
    assert out == [
        "Home",
        "News",
        "Sport",
        "Rice comes home",
        "",
        "Storms hit the coast (search), officials said.",
        "Play video",
        "Subscribe to the alerts sent",
        "when news breaks",
        "Past winners",
        "",
        "Share",
    ]


def test_a_table_row_gives_one_line_per_non_empty_cell():
    lines = [
        *SPANNING_LINKS[:3],
        "| [Home](/) |  | The harbour reopened on **Monday** after repairs. | a \\| b |",
        "| --- | --- | --- | --- |",
        "|  |  |",
        "Home | News | Sport",
    ]
    assert rendered(lines)[3:] == [
        "Home",
        "The harbour reopened on Monday after repairs.",
        "a | b",
        "",
        "",
        "Home | News | Sport",
    ]


def test_a_table_cell_gives_one_line_per_block_markdownify_joined():
    # markdownify 1.2.3 on <td><div>..</div><div>..</div><ul><li>..</li><li>..</li></ul>
    # <p>..</p>a<br>b</td><td>b</td>: blocks meet at two spaces or more, text at one.
    lines = [
        *SPANNING_LINKS[:3],
        "| 第一块内容  第二块内容   * 甲项目 * 乙项目   段落。 a b | b |",
        "| Harbour wall repaired  Read more  Share | 2 |",
    ]
    assert rendered(lines)[3:] == [
        "第一块内容",
        "第二块内容",
        "甲项目 * 乙项目",
        "段落。 a b",
        "b",
        "Harbour wall repaired",
        "Read more",
        "Share",
        "2",
    ]


def test_a_row_broken_over_lines_is_still_read_as_a_row():
    # markdownify keeps a line break inside a cell's code span; the row's rest starts without
    # a pipe. A line ending in a pipe outside such a table, or escaped, is not a row.
    lines = [
        *SPANNING_LINKS[:3],
        "| Menu | Story |",
        "| --- | --- |",
        "| Home | Tags you may use: `<a> <b>",
        "<i>` in comments.  Reply | side |",
        "a \\|",
        "",
        "Sizes: small | large |",
    ]
    assert rendered(lines)[3:] == [
        "Menu",
        "Story",
        "",
        "Home",
        "Tags you may use: <a> <b>",
        "<i> in comments.",
        "Reply",
        "side",
        "a |",
        "",
        "Sizes: small | large |",
    ]


def test_a_blank_line_ends_a_link_target_outside_quotes():
    lines = [*SPANNING_LINKS[:3], "[Broken](https://example.com/a", "", "The article (in full) goes on."]
    assert rendered(lines)[-1] == "The article (in full) goes on."


MARKDOWN_PAGE = """\
* [Home](https://example.com/)
* [News](https://example.com/news/)
* [Sport](https://example.com/sport/)
* [Weather](https://example.com/weather/)

# Harbour town rebuilds its sea wall after winter storms

![The damaged wall](https://example.com/img/wall.jpg)

Work began on Monday to rebuild the stretch of [sea wall](https://example.com/tags/sea-wall)
that collapsed during the January storms, leaving a row of fishermen's cottages exposed to
the tide for almost two months.

The council said the repair, which will cost an estimated **4.2 million pounds**, should be
finished before the autumn high tides. Engineers will use granite blocks quarried twenty
miles inland, the same stone the original wall was built from in 1887.

[Share on Facebook](https://facebook.com/share?u=x) | [Share on X](https://x.com/share?u=x)

© 2026 [Example News](https://example.com/) · [Privacy](https://example.com/privacy)
"""


def test_text_to_lines_reads_markdown_as_its_text():
    texts = [line.text for line in text_to_lines(MARKDOWN_PAGE)]
    headline = "Harbour town rebuilds its sea wall after winter storms"
    assert texts[:5] == ["Home", "News", "Sport", "Weather", headline]
    assert not any("](" in text or "http" in text or "**" in text for text in texts)
    as_written = [line.text for line in text_to_lines(MARKDOWN_PAGE, read_markdown=False)]
    assert as_written[0] == "* [Home](https://example.com/)"


def test_the_text_says_whether_it_was_read_as_markdown():
    lines, as_markdown = read_text(MARKDOWN_PAGE)
    assert as_markdown
    assert [line.text for line in lines] == [line.text for line in text_to_lines(MARKDOWN_PAGE)]
    assert not read_text(MARKDOWN_PAGE, read_markdown=False)[1]
    assert not read_text("Plain prose, one block.\nAnother block.")[1]
    assert segment_with_markdown_flag(MARKDOWN_PAGE, "text")[1]
    assert not segment_with_markdown_flag("<p>[a](b) [c](d)</p>", "html")[1]


def test_clean_returns_the_article_without_markup_unless_told_not_to():
    cleaned = boilerml.clean(MARKDOWN_PAGE, input_format="text")
    assert "Work began on Monday to rebuild the stretch of sea wall" in cleaned
    assert "](" not in cleaned and "https://" not in cleaned
    assert "Share on Facebook" not in cleaned
    labelled = boilerml.classify(MARKDOWN_PAGE, input_format="text", markdown=False)
    assert any("](" in line.text for line in labelled)
