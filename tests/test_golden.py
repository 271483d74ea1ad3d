"""Golden checks of the shipped model on real dev pages of the shared corpora.

The snippets are read from the corpora at test time (WCXB's ``with``/``without`` lists: text
a correct extraction must / must not contain; for Chinese pages, the gold's longest
paragraph must be kept), so no corpus text lives in this repository. Skipped, with the
reason, when ``../shared/datasets`` is absent.
"""

from __future__ import annotations

import statistics

import pytest

import boilerml
from boilerml.corpora import Page, read_corpus
from boilerml.metrics import token_f1

#: WCXB dev pages whose with/without snippets the shipped model satisfies in full.
PINNED_WCXB = ("0018", "0078", "0108", "0134", "0200", "0213", "0266", "0322", "0367", "0408")
#: Chinese dev pages (dataset, id) whose longest gold paragraph the shipped model keeps.
PINNED_CHINESE = (
    ("daniel", "20111209_finance.ce.cn_3d5502a97074009069edc19ec55e81c69c63cd2f8d07142b7229888f"),
    ("daniel", "20111215_tech.qq.com_efe7ac9c9cfe2aa78816e6c49d1395fbb9de569a16e9cab50762df79"),
    ("daniel", "20120112_hk.news.yahoo.com_46c8f3836fbaf68c82325edae096d12f37a6423974c59ec4b63f6ac1"),
    ("daniel", "20120112_news.163.com_071f8254e4e07bc153e281b906f0b2ab98338096b5766aacfbe1ace7"),
    ("daniel", "20120112_she.21cn.com_fe4eb44b6fdfce19f998a1cc14ff55371153c3f0b44b3c80a9b3f8bc"),
    ("daniel", "20120112_www.rthk.org.hk_bf78a78db3d2d312349005b14c3c87b311ad0a976bd9002dc7b7f5e9"),
    ("daniel", "20120117_kuaixun.stcn.com_e171c405a53272cc5ce2cf64d04f5dddc8c820eaa4741a0d6edb121f"),
    ("daniel", "20120117_news.sina.com.hk_8dfd14b1d7bac5b02f7bfc6e97b861eabf459c2c2717daa54901ce82"),
    ("daniel", "20120117_www.china.com.cn_91da541ce0539d9d3723b4ab72c41b25d2b45797989a0007a4806a51"),
    ("chinese-wce", "91bdf33e-0e9e-4495-a0fa-aba45ff43fef"),
    ("chinese-wce", "fddcb19c-c3c1-4e39-a61d-9bf096a5f390"),
)
#: Floors under the measured figures of the shipped model (README, "Evaluation"), with room
#: for retraining noise: share of WCXB dev article pages whose every snippet holds, and mean
#: token F1 of the Chinese dev pages (DAnIEL zh + chinese-wce), HTML and text mode.
WCXB_ARTICLE_FLOOR = 0.45  # measured 0.515 (69 of 134)
CHINESE_F1_FLOOR = {"html": 0.93, "text": 0.91}  # measured 0.969 and 0.949
#: A line this long is a paragraph rather than a title, a byline or a caption.
MIN_PARAGRAPH_CHARS = 80
#: Floors under the share of WCXB and Chinese dev pages whose first paragraph, read as a text
#: input alone or after the two navigation lines before it on its page, is kept: measured
#: 0.994 (318 pages) and 0.981 (310) with the small-input passes (exp97), 0.931 and 0.926
#: with the model shipped before them.
SMALL_INPUT_FLOOR = {"alone": 0.96, "after menu": 0.95}


def _squash(text: str) -> str:
    return " ".join(text.split())


def _snippets_hold(text: str, page: Page) -> bool:
    squashed = _squash(text)
    must = [_squash(s) for s in page.extra.get("with") or []]
    must_not = [_squash(s) for s in page.extra.get("without") or []]
    return all(s in squashed for s in must) and not any(s in squashed for s in must_not)


@pytest.fixture(scope="module")
def wcxb_dev(datasets) -> dict[str, Page]:
    return {p.page_id: p for p in read_corpus(datasets / "wcxb-dev.tar.gz", "dev")}


@pytest.fixture(scope="module")
def chinese_dev(datasets) -> dict[tuple[str, str], Page]:
    pages = {}
    for name in ("daniel", "chinese-wce"):
        for page in read_corpus(datasets / f"{name}.tar.gz", "dev"):
            if page.lang == "zh":
                pages[(name, page.page_id)] = page
    return pages


@pytest.mark.parametrize("page_id", PINNED_WCXB)
def test_pinned_wcxb_page(wcxb_dev, page_id):
    page = wcxb_dev[page_id]
    assert _snippets_hold(boilerml.clean(page.text(), input_format="html"), page)


@pytest.mark.parametrize("key", PINNED_CHINESE)
def test_pinned_chinese_page(chinese_dev, key):
    page = chinese_dev[key]
    longest = max(page.content.splitlines(), key=len)
    assert _squash(longest) in _squash(boilerml.clean(page.text(), input_format="html"))


#: WCXB dev pages of script-rendered forums, whose text sits in ``<noscript>`` (exp100): no
#: line (or 3) before that reading; HTML token F1 0.909, 0.944, 0.996 and 0.937 with it.
NOSCRIPT_FORUMS = ("0504", "0511", "0557", "1126")
NOSCRIPT_FORUM_F1_FLOOR = 0.85


@pytest.mark.parametrize("page_id", NOSCRIPT_FORUMS)
def test_a_forum_rendered_by_script_is_read_from_its_noscript(wcxb_dev, page_id):
    page = wcxb_dev[page_id]
    cleaned = boilerml.clean(page.text(), input_format="html")
    assert token_f1(page.content, cleaned)[2] >= NOSCRIPT_FORUM_F1_FLOOR


def test_wcxb_article_snippets(wcxb_dev):
    articles = [p for p in wcxb_dev.values() if p.extra.get("page_type") == "article"]
    held = [_snippets_hold(boilerml.clean(p.text(), input_format="html"), p) for p in articles]
    assert sum(held) / len(held) >= WCXB_ARTICLE_FLOOR


@pytest.mark.parametrize("mode", ["html", "text"])
def test_chinese_dev_pages(chinese_dev, mode):
    from boilerml.corpora import render_as_text, uses_blank_lines
    from boilerml.segment import html_to_lines

    f1s = []
    for page in chinese_dev.values():
        source = page.text()
        if mode == "text":
            source = render_as_text(html_to_lines(source), uses_blank_lines(page))
        # The dump is one block per line by construction, read as written (as accuracy.py does).
        cleaned = boilerml.clean(source, input_format=mode, unwrap=False, markdown=False)
        f1s.append(token_f1(page.content, cleaned)[2])
    assert len(f1s) >= 50
    assert statistics.fmean(f1s) >= CHINESE_F1_FLOOR[mode]


def test_small_text_inputs_keep_their_first_paragraph(wcxb_dev, chinese_dev):
    """A snippet of a page read as a text input (its first paragraph, alone or after the menu's
    last two items) keeps the paragraph: on one or three lines, position and page-size
    features look like no whole page's, which the small-input passes learnt from windows."""
    from boilerml.corpora import derive_labels
    from boilerml.segment import html_to_lines

    kept: dict[str, list[bool]] = {kind: [] for kind in SMALL_INPUT_FLOOR}
    for page in [*wcxb_dev.values(), *chinese_dev.values()]:
        lines = html_to_lines(page.text())
        truth = derive_labels(lines, page.content, page.comments)
        long_enough = [len(line.text) >= MIN_PARAGRAPH_CHARS for line in lines]
        paragraphs = [i for i, label in enumerate(truth) if label == "content" and long_enough[i]]
        if not paragraphs:
            continue
        menu = [lines[i].text for i in range(paragraphs[0]) if truth[i] == "navigation"][-2:]
        inputs = {"alone": [lines[paragraphs[0]].text], "after menu": [*menu, lines[paragraphs[0]].text]}
        for kind, snippet in inputs.items():
            if kind == "after menu" and len(menu) < 2:
                continue
            labelled = boilerml.classify("\n".join(snippet), input_format="text")
            if len(labelled) == len(snippet):  # else a line was read as two: not comparable
                kept[kind].append(labelled[-1].label == "content")
    for kind, floor in SMALL_INPUT_FLOOR.items():
        assert len(kept[kind]) >= 200, (kind, len(kept[kind]))
        assert statistics.fmean(kept[kind]) >= floor, (kind, statistics.fmean(kept[kind]))


def test_a_snippet_after_menu_lines_keeps_its_paragraph():
    """This test's own snippet: a paragraph copied with the menu items and heading above it
    (a model fitted on whole pages only labelled it navigation, P(content) 0.25)."""
    paragraph = (
        "The river council voted on Tuesday to close the old footbridge over the weir until "
        "engineers have replaced the two piers that the spring floods undermined."
    )
    labelled = boilerml.classify(f"Home\nNews\nCouncil votes\n{paragraph}", input_format="text")
    assert [line.label for line in labelled] == ["navigation", "navigation", "navigation", "content"]
    assert boilerml.clean(paragraph, input_format="text") == paragraph  # alone, too
