"""The composed pipeline and the shipped model on the example pages."""

from __future__ import annotations

import json
import math
from concurrent.futures import ThreadPoolExecutor

import pytest

import boilerml
from boilerml.classify import classify_lines
from boilerml.decode import decode
from boilerml.features import extract_features
from boilerml.lines import LABELS, LabelledLine
from boilerml.reassemble import reassemble, to_json, to_markdown, to_text
from boilerml.segment import html_to_lines, resolve_format


def test_every_line_gets_one_label_with_probabilities(news_html):
    labelled = boilerml.classify(news_html)
    assert len(labelled) == len(html_to_lines(decode(news_html).text))
    for line in labelled:
        assert line.label in LABELS
        assert set(line.probabilities) == set(LABELS)
        assert math.isclose(sum(line.probabilities.values()), 1.0, abs_tol=1e-6)
        assert line.probability == max(line.probabilities.values())


def test_whole_equals_stages_run_by_hand(news_html):
    model = boilerml.default_model()
    text = decode(news_html).text
    mode = resolve_format(text, "auto")
    assert mode == "html"
    lines = html_to_lines(text)
    by_hand = classify_lines(lines, extract_features(lines, mode), model, mode)
    assert boilerml.classify(news_html) == by_hand
    assert boilerml.clean(news_html) == "\n".join(x.text for x in by_hand if x.label == "content")


def test_str_and_bytes_agree(news_html, chinese_text):
    assert boilerml.clean(news_html) == boilerml.clean(news_html.decode("utf-8"))
    assert boilerml.clean(chinese_text) == boilerml.clean(chinese_text.encode("gb18030"))


def test_english_example_keeps_article_and_drops_boilerplate(news_html):
    text = boilerml.clean(news_html)
    assert "Harbour town rebuilds its sea wall after winter storms" in text  # the headline
    assert "A wall older than the railway" in text  # a subheading inside the article
    assert "Work began on Monday to rebuild the stretch of sea wall" in text
    assert "The harbour wall predates the town's railway station" in text
    for junk in ("Privacy policy", "Sign up to our newsletter", "All rights reserved", "Most read"):
        assert junk not in text


def test_ad_slot_inside_article_is_dropped(news_html):
    assert "Win a cruise" not in boilerml.clean(news_html)


def test_comments_only_when_asked(news_html):
    # The shipped model gives this comment P(comment) 0.61 and the thread's other one 0.77;
    # the model before it gave 0.52 and 0.24 (see the test below and exp22's record).
    comment = "About time. The old wall had been cracking for years"
    assert comment not in boilerml.clean(news_html)
    assert comment in boilerml.clean(news_html, keep=("content", "comment"))


_ONE_COMMENT = (
    '<div class="comment"><span class="author">{author}</span> <span class="date">12 March 2026</span>'
    '<p>{body}</p><a class="reply" href="#">Reply</a></div>'
)
_BODIES = {
    "Sam K": "My grandfather helped build the last repair in 1962, so it is good to see it done properly.",
    "Ola B": "The granite blocks from the old section should go back in, they have lasted a century.",
}


@pytest.fixture
def four_comment_news(news_html) -> str:
    """The example with two more comments of the same shape in its thread."""
    page = news_html.decode("utf-8")
    more = "".join(_ONE_COMMENT.format(author=author, body=body) for author, body in _BODIES.items())
    return page.replace("</section>\n</main>", more + "</section>\n</main>")


def test_the_four_comment_page_holds_the_added_comments(four_comment_news):
    # a check of its own: inside the expected failure below, a page built wrong would pass unseen
    for body in _BODIES.values():
        assert body in four_comment_news
        assert body in boilerml.clean(four_comment_news, keep=("content", "navigation", "ad", "comment"))


@pytest.mark.xfail(strict=True, reason="known miss: the last added body is at P(comment) 0.49 (README)")
def test_every_comment_of_a_textbook_thread_is_labelled_comment(four_comment_news):
    kept = boilerml.clean(four_comment_news, keep=("comment",))
    first_two = ("About time. The old wall", "Good to hear they are using the same granite")
    for body in (*first_two, *_BODIES.values()):
        assert body in kept


def test_chinese_text_page_is_cleaned_to_its_article(chinese_text):
    text = boilerml.clean(chinese_text, input_format="text")
    assert "青石村小学迎来了建校以来的第一座图书馆" in text
    assert "县教育局表示，今年将在全县另外十二所村小推广这一做法" in text
    for junk in ("扫码关注公众号", "返回顶部", "网站地图", "暑期特惠", "分享到"):
        assert junk not in text


def test_unknown_keep_label_is_refused(news_html):
    with pytest.raises(ValueError, match="unknown label"):
        boilerml.clean(news_html, keep=("content", "sidebar"))


def test_output_formats(news_html):
    labelled = boilerml.classify(news_html)
    markdown = to_markdown(labelled)
    assert markdown.startswith("# Harbour town rebuilds its sea wall") or "\n# " in markdown
    import json

    payload = json.loads(to_json(labelled))
    assert payload["text"] == reassemble(labelled)
    assert len(payload["lines"]) == len(labelled)
    with pytest.raises(ValueError):
        reassemble(labelled, output_format="pdf")


def test_threads_share_one_model(news_html, chinese_text):
    pages = [news_html, chinese_text] * 8
    expected = [boilerml.clean(page) for page in pages]
    with ThreadPoolExecutor(max_workers=4) as pool:
        assert list(pool.map(boilerml.clean, pages)) == expected


def test_empty_and_whitespace_pages_give_empty_text():
    assert boilerml.clean("") == ""
    assert boilerml.clean(b"   \n\t ") == ""
    assert boilerml.classify("<html><body></body></html>") == []


def test_threshold_trades_lines_monotonically(news_html):
    """A higher threshold keeps a subset of the lines a lower one keeps; 0 keeps every line."""
    labelled = boilerml.classify(news_html)
    every_line = "\n".join(line.text for line in labelled)
    assert boilerml.clean(news_html, threshold=0.0) == every_line
    kept = {t: set(boilerml.clean(news_html, threshold=t).splitlines()) for t in (0.1, 0.5, 0.9)}
    assert kept[0.9] <= kept[0.5] <= kept[0.1]
    assert kept[0.9] != kept[0.1]  # the example has lines of middling confidence
    by_sum = [x.text for x in labelled if x.probabilities["content"] + x.probabilities["comment"] >= 0.5]
    assert boilerml.clean(news_html, keep=("content", "comment"), threshold=0.5) == "\n".join(by_sum)


def test_default_keeps_a_line_only_when_its_kept_classes_outweigh_the_rest():
    """Most probable class content, but 0.6 likely junk: dropped by default, kept by label."""
    split = LabelledLine("split", "content", {"content": 0.4, "navigation": 0.35, "ad": 0.25, "comment": 0.0})
    sure = LabelledLine("sure", "content", {"content": 0.9, "navigation": 0.1, "ad": 0.0, "comment": 0.0})
    reply = LabelledLine(
        "reply", "navigation", {"content": 0.3, "navigation": 0.4, "ad": 0.0, "comment": 0.3}
    )
    lines = [split, sure, reply]
    assert to_text(lines) == "sure"
    assert to_text(lines, threshold=None) == "split\nsure"
    assert to_text(lines, keep=("content", "comment")) == "sure\nreply"  # 0.3 + 0.3 outweighs 0.4
    assert to_text(lines, keep=("content", "comment"), threshold=None) == "split\nsure"


@pytest.mark.parametrize("bad", [-0.1, 1.5, float("nan")])
def test_threshold_outside_zero_one_is_refused(news_html, bad):
    with pytest.raises(ValueError, match="threshold"):
        boilerml.clean(news_html, threshold=bad)


def test_lines_and_json_name_the_passes_that_labelled_the_page(news_html):
    small = "Home\nNews\nThe council voted on Tuesday to close the old bridge until it is rebuilt."
    longer = "\n".join(f"Line {i} of a text longer than a small input." for i in range(17))
    for page, input_format, passes in (
        (news_html, "auto", "html"),
        (small, "text", "small"),  # 3 lines: the shipped model's small-input passes
        (longer, "text", "text"),
    ):
        labelled = boilerml.classify(page, input_format=input_format)
        assert {line.passes for line in labelled} == {passes}
        assert json.loads(to_json(labelled))["passes"] == passes
    assert json.loads(to_json([]))["passes"] is None


def test_json_marks_which_lines_were_kept(news_html):
    labelled = boilerml.classify(news_html)
    payload = json.loads(to_json(labelled, threshold=0.9))
    expected = [x.probabilities["content"] >= 0.9 for x in labelled]
    assert [line["kept"] for line in payload["lines"]] == expected
