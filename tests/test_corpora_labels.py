"""Corpus readers and derived line labels (boilerml.corpora)."""

from __future__ import annotations

import io
import json
import tarfile
from pathlib import Path

import pytest

from boilerml.corpora import (
    Page,
    corpus_names,
    datasets_dir,
    derive_labels,
    read_corpora,
    read_corpus,
    render_as_text,
    uses_blank_lines,
)
from boilerml.segment import html_to_lines, text_to_lines

# --- derived labels ---------------------------------------------------------------------

EN_HTML = """<html><body>
<nav><ul><li><a href="/">Home</a></li><li><a href="/news">News</a></li></ul></nav>
<h1>Scientists discover a new species of frog</h1>
<p>Researchers in the Amazon rainforest have found a tiny frog that glows under ultraviolet light.</p>
<p>Short para.</p>
<p>The discovery was published on Monday in a leading journal of herpetology and biology.</p>
<div class="ad-banner">Buy cheap watches today at our amazing store</div>
<div>Advertisement</div>
<div class="comments"><p>What a wonderful little creature, I would love to see one in person someday.</p>
</div>
<footer>Copyright 2024 Example News. All rights reserved.</footer>
</body></html>"""
EN_CONTENT = """Scientists discover a new species of frog
Researchers in the Amazon rainforest have found a tiny frog that glows under ultraviolet light.
Short para.
The discovery was published on Monday in a leading journal of herpetology and biology."""
EN_COMMENTS = "What a wonderful little creature, I would love to see one in person someday."

ZH_HTML = """<html><body><div class="nav">首页 | 新闻 | 体育</div>
<h1>我国科学家发现新物种</h1>
<p>近日，我国科学家在云南省发现了一种新的蛙类物种，这种蛙在紫外线下会发光。</p>
<p>好</p>
<p>研究人员表示，这一发现对于研究两栖动物的进化具有重要意义。</p>
<div>广告</div>
<div class="pinglun"><p>太神奇了，希望以后能亲眼看到这种小青蛙。</p></div>
<p>版权所有 2024 新闻网</p></body></html>"""
# Gold text as corpora give it: different whitespace and line breaks than the page.
ZH_CONTENT = (
    "我国科学家发现新物种\n近日， 我国科学家在云南省发现了一种新的蛙类物种，\n这种蛙在紫外线下会发光。\n好\n"
    "研究人员表示，这一发现对于研究两栖动物的进化具有重要意义。"
)
ZH_COMMENTS = "太神奇了，希望以后能亲眼看到这种小青蛙。"


def labelled(html: str, content: str, comments: str | None) -> list[tuple[str, str]]:
    lines = html_to_lines(html)
    return [(label, line.text) for line, label in zip(lines, derive_labels(lines, content, comments))]


def test_derive_labels_english_page():
    assert labelled(EN_HTML, EN_CONTENT, EN_COMMENTS) == [
        ("navigation", "Home"),
        ("navigation", "News"),
        ("content", "Scientists discover a new species of frog"),
        (
            "content",
            "Researchers in the Amazon rainforest have found a tiny frog that glows under ultraviolet light.",
        ),
        ("content", "Short para."),  # short line that is a whole gold block
        ("content", "The discovery was published on Monday in a leading journal of herpetology and biology."),
        ("ad", "Buy cheap watches today at our amazing store"),  # class 'ad-banner'
        ("ad", "Advertisement"),  # text is an ad cue phrase
        ("comment", EN_COMMENTS),
        ("navigation", "Copyright 2024 Example News. All rights reserved."),
    ]


def test_derive_labels_chinese_page_aligned_per_character():
    assert labelled(ZH_HTML, ZH_CONTENT, ZH_COMMENTS) == [
        ("navigation", "首页 | 新闻 | 体育"),
        ("content", "我国科学家发现新物种"),
        ("content", "近日，我国科学家在云南省发现了一种新的蛙类物种，这种蛙在紫外线下会发光。"),
        ("content", "好"),
        ("content", "研究人员表示，这一发现对于研究两栖动物的进化具有重要意义。"),
        ("ad", "广告"),
        ("comment", ZH_COMMENTS),
        ("navigation", "版权所有 2024 新闻网"),
    ]


def test_chinese_partial_line_and_unrelated_line_sharing_characters():
    content = "我国科学家在云南省发现了一种新的蛙类物种。"
    lines = text_to_lines("我国科学家在云南省发现了一种新的蛙类物种。点击查看\n科学家专栏作者介绍")
    # First line: most 4-character shingles are in the gold; second shares characters, no shingles.
    assert derive_labels(lines, content, None) == ["content", "navigation"]


def test_long_line_match_share_threshold():
    lines = text_to_lines("w1 w2 w3 w4 qqq\nw1 w2 w3 x y z")
    # 1 of 2 shingles in gold (= MATCH_SHARE) vs 1 of 3 shingles
    assert derive_labels(lines, "w1 w2 w3 w4 zzz", None) == ["content", "navigation"]


def test_alignment_ignores_case_and_punctuation():
    lines = text_to_lines("RESEARCHERS -- in the Amazon: rainforest, have found!")
    assert derive_labels(lines, "Researchers in the amazon rainforest have found", None) == ["content"]


def test_short_line_inside_gold_between_content_lines():
    text = (
        "Researchers in the Amazon rainforest have found a tiny frog.\n"
        "Photo credit\n"
        "The discovery was published on Monday in a leading journal.\n"
        "Share this\n"
        "Back to top home"
    )
    content = (
        "Researchers in the Amazon rainforest have found a tiny frog. Photo credit: John.\n"
        "The discovery was published on Monday in a leading journal."
    )
    # 'Photo credit' is in the gold between two content lines; 'Share this' is not in the gold.
    assert derive_labels(text_to_lines(text), content, None) == [
        "content",
        "content",
        "content",
        "navigation",
        "navigation",
    ]


def test_short_gold_fragment_outside_content_run_is_not_content():
    text = (
        "Photo credit\n"
        "Researchers in the Amazon rainforest have found a tiny frog.\n"
        "The discovery was published on Monday in a leading journal.\n"
        "Photo credit"
    )
    content = (
        "Researchers in the Amazon rainforest have found a tiny frog. Photo credit: John.\n"
        "The discovery was published on Monday in a leading journal."
    )
    assert derive_labels(text_to_lines(text), content, None) == [
        "navigation",
        "content",
        "content",
        "navigation",
    ]


def test_ad_rules():
    html = (
        '<body><div class="ad-banner"><p>Buy cheap watches</p></div>'
        '<div id="ads"><p>Some sponsored link text</p></div>'
        "<p>Sponsored by Acme</p><p>扫码关注</p><p>AD</p>"
        '<div class="head"><p>Not an ad at all</p></div>'
        "<p>We read the ad in the paper yesterday morning</p></body>"
    )
    assert [label for label, _ in labelled(html, "", None)] == [
        "ad",
        "ad",
        "ad",
        "ad",
        "ad",
        "navigation",
        "navigation",  # an ad cue word, but far from covering half the line
    ]


def test_gold_content_wins_over_ad_cues():
    html = '<body><div class="ad-banner"><p>The frog glows under ultraviolet light at night.</p></div></body>'
    assert [
        label for label, _ in labelled(html, "The frog glows under ultraviolet light at night.", None)
    ] == ["content"]


def test_no_comments_annotation():
    lines = html_to_lines(EN_HTML)
    labels = derive_labels(lines, EN_CONTENT, None)
    assert "comment" not in labels
    assert labels[8] == "navigation"  # the comment line, unannotated, is just not content


def test_derive_labels_empty():
    assert derive_labels([], "gold", None) == []
    lines = text_to_lines("Home\nNews")
    assert derive_labels(lines, "", None) == ["navigation", "navigation"]


def test_comment_that_quotes_the_article_is_a_comment():
    content = (
        "Researchers found that the tiny frog glows under ultraviolet light in the dark forest at night."
    )
    comments = "Wow, the tiny frog glows under ultraviolet light in the dark forest at night, so cool."
    lines = text_to_lines(comments)
    # content shingle share 10/13, comment shingle share 13/13
    assert derive_labels(lines, content, comments) == ["comment"]


# --- rendering as text ------------------------------------------------------------------


@pytest.mark.parametrize("html", [EN_HTML, ZH_HTML])
@pytest.mark.parametrize("blank_lines", [True, False])
def test_render_as_text_round_trips_to_same_lines(html, blank_lines):
    lines = html_to_lines(html)
    rendered = render_as_text(lines, blank_lines)
    again = text_to_lines(rendered, unwrap_wrapped=False, read_markdown=False)  # as training reads it
    assert len(again) == len(lines)
    assert [line.text for line in again] == [line.text for line in lines]
    if not blank_lines:
        assert not any(line.blank_before for line in again)


def test_render_as_text_blank_lines_at_paragraph_boundaries():
    lines = html_to_lines("<body><p>one</p><p>two<br>three</p></body>")
    assert render_as_text(lines, blank_lines=True) == "one\n\ntwo\nthree"
    assert render_as_text(lines, blank_lines=False) == "one\ntwo\nthree"
    assert [line.blank_before for line in text_to_lines("one\n\ntwo\nthree")] == [False, True, False]
    assert render_as_text([], blank_lines=True) == ""


# --- corpus archives --------------------------------------------------------------------


def _record(page_id: str, split: str, **extra) -> dict:
    record = {
        "id": page_id,
        "dataset": "tiny",
        "lang": "en",
        "split": split,
        "encoding_hint": "utf-8",
        "content": f"Content of {page_id}",
        "comments": None,
    }
    record.update(extra)
    return record


def write_corpus(
    path: Path, pages: list[tuple[bytes, dict]], extra_members: dict[str, bytes] | None = None
) -> Path:
    """A corpus archive as read_corpus expects: '<name>/<id>.html' then '<name>/<id>.json'."""
    name = path.name.removesuffix(".tar.gz")
    with tarfile.open(path, "w:gz") as tar:

        def add(member: str, data: bytes) -> None:
            info = tarfile.TarInfo(f"{name}/{member}")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))

        for html, record in pages:
            add(f"{record['id']}.html", html)
            for member, data in (extra_members or {}).items():
                if member.startswith(record["id"] + "."):
                    add(member, data)
            add(f"{record['id']}.json", json.dumps(record, ensure_ascii=False).encode())
    return path


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    gbk_html = '<html><head><meta charset="gbk"></head><body><p>中文内容</p></body></html>'.encode("gbk")
    pages = [
        (b"<html><body><p>Page one</p></body></html>", _record("p1", "train", page_type="article")),
        (b"<html><body><p>Page two</p></body></html>", _record("p2", "dev", comments="A comment")),
        (gbk_html, _record("p3", "train", lang="zh", encoding_hint="gbk", content=None)),
        (b"<meta charset=iso-8859-1><p>Caf\xe9</p>", _record("p4", "test", encoding_hint=None)),
    ]
    return write_corpus(
        tmp_path / "tiny.tar.gz", pages, extra_members={"p1.annotated.html": b"<p>annotated copy</p>"}
    )


def test_read_corpus_yields_pages(corpus):
    pages = list(read_corpus(corpus))
    assert [page.page_id for page in pages] == ["p1", "p2", "p3", "p4"]
    first = pages[0]
    assert isinstance(first, Page)
    assert first.dataset == "tiny"
    assert first.html == b"<html><body><p>Page one</p></body></html>"  # not the .annotated.html copy
    assert first.content == "Content of p1"
    assert first.comments is None
    assert first.extra == {"page_type": "article"}
    assert pages[1].comments == "A comment"
    assert pages[2].content == ""  # null content becomes empty text
    assert pages[2].is_chinese and not first.is_chinese


def test_read_corpus_filters_by_split(corpus):
    assert [page.page_id for page in read_corpus(corpus, split="train")] == ["p1", "p3"]
    assert [page.page_id for page in read_corpus(corpus, split="dev")] == ["p2"]
    assert list(read_corpus(corpus, split="nonexistent")) == []


def test_page_text_uses_encoding_hint_else_sniffs(corpus):
    pages = {page.page_id: page for page in read_corpus(corpus)}
    assert "中文内容" in pages["p3"].text()
    assert pages["p4"].text() == "<meta charset=iso-8859-1><p>Café</p>"  # no hint: boilerml.decode


def test_corpus_names_and_read_corpora(tmp_path, corpus):
    write_corpus(tmp_path / "other.tar.gz", [(b"<p>x</p>", _record("o1", "dev"))])
    (tmp_path / "notes.txt").write_text("not a corpus")
    assert corpus_names(tmp_path) == ["other", "tiny"]
    assert [page.page_id for page in read_corpora(tmp_path)] == ["o1", "p1", "p2", "p3", "p4"]
    assert [page.page_id for page in read_corpora(tmp_path, split="dev")] == ["o1", "p2"]
    assert [page.page_id for page in read_corpora(tmp_path, names=["tiny"], split="test")] == ["p4"]


def test_datasets_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("BOILERML_DATASETS", str(tmp_path / "env"))
    assert datasets_dir(tmp_path / "given") == tmp_path / "given"
    assert datasets_dir() == tmp_path / "env"
    monkeypatch.delenv("BOILERML_DATASETS")
    assert datasets_dir() == Path("../shared/datasets")


def test_uses_blank_lines_is_stable_and_splits_pages():
    def page(page_id: str) -> Page:
        return Page("tiny", page_id, "en", "train", b"", None, "", None, {})

    choices = [uses_blank_lines(page(f"p{i}")) for i in range(40)]
    assert choices == [uses_blank_lines(page(f"p{i}")) for i in range(40)]
    assert any(choices) and not all(choices)
